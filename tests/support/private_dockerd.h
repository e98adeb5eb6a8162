// A dockerd of a test's own (nebula-devstack's private dockerd: data root, exec root, socket and a
// bridge of its own under one dir), for tests that stop and restart dockerd or prune its images, which
// they must never do to the dockerd other tests share. Needs root, like the dev stack's private mode.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "stack_fixture.h"

namespace nebula::testing {

class PrivateDockerd {
 public:
  // Starts dockerd on `dir` (created; keep it short: containerd's sockets must fit in 107 bytes) and
  // waits until it answers. live_restore: containers keep running while dockerd is down.
  explicit PrivateDockerd(std::string dir, bool live_restore = false);
  // Removes every container, stops dockerd, deletes its bridge and the dir (unmounting what is left).
  ~PrivateDockerd();
  PrivateDockerd(const PrivateDockerd&) = delete;
  PrivateDockerd& operator=(const PrivateDockerd&) = delete;

  // SIGTERM to dockerd itself, then waits until it exited (it stops the containers first unless
  // live_restore). Returns false if it had to be SIGKILLed after `grace`.
  bool Stop(std::chrono::seconds grace = std::chrono::seconds(60));
  // dockerd again on the same data root and bridge; waits until it answers.
  void Start();
  bool Running() const;
  pid_t pid() const;

  const std::string& host() const { return host_; }  // unix://<dir>/docker.sock
  const std::string& dir() const { return dir_; }
  std::string LogTail() const;
  // `docker <args>` against this dockerd.
  CommandResult Docker(std::vector<std::string> args, std::chrono::seconds timeout = std::chrono::seconds(120)) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string dir_, host_;
  bool live_restore_;
};

// Lazily unmounts every mount point below dir (deepest first), then removes the tree.
void RemoveTreeWithMounts(const std::string& dir);

}  // namespace nebula::testing
