#include "worker-agent/core/config_hash.h"

#include <openssl/evp.h>

#include <cstdio>
#include <stdexcept>

namespace nebula::agent {

namespace {

// name:<len>:<bytes>; — unambiguous whatever the bytes are.
class CanonicalWriter {
 public:
  void String(std::string_view name, std::string_view value) {
    if (value.empty()) return;
    Raw(name, value);
  }
  void Int(std::string_view name, int64_t value) {
    if (value == 0) return;
    Raw(name, std::to_string(value));
  }
  void Bool(std::string_view name, bool value) {
    if (value) Raw(name, "1");
  }
  void Strings(std::string_view name, const std::vector<std::string>& values) {
    if (values.empty()) return;
    Begin(name, values.size());
    for (const auto& v : values) Raw("", v);
  }
  // A list of records: Begin, then Record() before each record's own fields, so records whose
  // fields are all default stay distinguishable.
  void Begin(std::string_view name, size_t count) { Raw(name, "[" + std::to_string(count) + "]"); }
  void Record() { Raw("-", ""); }
  std::string Take() { return std::move(out_); }

 private:
  void Raw(std::string_view name, std::string_view value) {
    out_.append(name);
    out_.push_back(':');
    out_.append(std::to_string(value.size()));
    out_.push_back(':');
    out_.append(value);
    out_.push_back(';');
  }
  std::string out_;
};

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

}  // namespace

std::string CanonicalConfig(const ContainerSpec& s) {
  CanonicalWriter w;
  w.String("format", "nebula-container-v1");
  w.String("app", s.app);
  w.Int("index", s.index);
  w.String("image", s.image);
  w.Strings("entrypoint", s.entrypoint);
  w.Strings("cmd", s.cmd);
  w.Strings("env", s.env);
  if (!s.ports.empty()) {
    w.Begin("ports", s.ports.size());
    for (const auto& p : s.ports) {
      w.Record();
      w.String("host_ip", p.host_ip);
      w.Int("host_port", p.host_port);
      w.Int("container_port", p.container_port);
      w.String("protocol", p.protocol);
    }
  }
  if (!s.volumes.empty()) {
    w.Begin("volumes", s.volumes.size());
    for (const auto& v : s.volumes) {
      w.Record();
      w.String("source", v.source);
      w.String("target", v.target);
      w.Bool("read_only", v.read_only);
    }
  }
  if (!s.devices.empty()) {
    w.Begin("devices", s.devices.size());
    for (const auto& d : s.devices) {
      w.Record();
      w.String("host_path", d.host_path);
      w.String("container_path", d.container_path);
      w.String("permissions", d.permissions);
    }
  }
  w.Bool("privileged", s.privileged);
  w.Strings("networks", s.networks);
  w.Int("nano_cpus", s.nano_cpus);
  w.Int("memory_bytes", s.memory_bytes);
  w.String("restart_policy", s.restart_policy);
  w.Int("restart_nonce", s.restart_nonce);
  if (!s.user_labels.empty()) {
    w.Begin("labels", s.user_labels.size());
    for (const auto& [key, value] : s.user_labels) {
      w.Record();
      w.String("key", key);
      w.String("value", value);
    }
  }
  return w.Take();
}

std::string ConfigHash(const ContainerSpec& spec) { return Sha256Hex(CanonicalConfig(spec)); }

}  // namespace nebula::agent
