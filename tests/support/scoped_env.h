// For flag-parsing unit tests: an environment variable set for one scope, and a config file in the
// temp directory removed with its scope. Header-only, so unit tests need no stack (link
// nebula_test_env, not nebula_test_support).
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace nebula::testing {

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_.c_str()); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
};

class TempConfigFile {
 public:
  explicit TempConfigFile(const std::string& text) {
    char name[] = "/tmp/nebula-test-config-XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    close(fd);
    path = name;
    if (!written) throw std::runtime_error("cannot write " + path);
  }
  ~TempConfigFile() { std::remove(path.c_str()); }
  TempConfigFile(const TempConfigFile&) = delete;
  TempConfigFile& operator=(const TempConfigFile&) = delete;

  std::string path;
};

}  // namespace nebula::testing
