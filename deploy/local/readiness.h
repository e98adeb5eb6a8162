// "Is it ready yet?": probes, and the wait that fails fast when the child dies meanwhile.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "child_process.h"

namespace nebula::devstack {

// Something listens on 127.0.0.1:port (a connect succeeds within the timeout).
bool TcpPortOpen(int port, std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
// Nothing holds 127.0.0.1:port (a bind succeeds), so a readiness probe cannot be fooled by a stranger.
bool TcpPortFree(int port);

// Status code of `GET <path>` over HTTP/1.0, or nullopt when nothing answers. endpoint is a Docker-style
// address: "unix:///path/to.sock", "tcp://host:port" or "host:port".
std::optional<int> HttpGetStatus(const std::string& endpoint, const std::string& path,
                                 const std::string& extra_headers = "",
                                 std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

// The command exits 0 within the timeout (its output is discarded).
bool CommandSucceeds(const ProcessSpec& spec, std::chrono::milliseconds timeout);

struct ReadinessCheck {
  std::string description;  // e.g. "kcat -L on 127.0.0.1:50054"
  std::function<bool()> probe;
  std::chrono::seconds timeout;
};

// Polls check.probe until it passes. Throws StartupError with the child's log tail when the child exits
// first or the timeout passes, and StopRequestedError on Ctrl-C/SIGTERM.
void WaitUntilReady(ChildProcess& child, const ReadinessCheck& check);

}  // namespace nebula::devstack
