// The agent binary on a dockerd of the test's own (nebula::testing::PrivateDockerd), with Kafka, the
// api-manager and the registry of this binary's SharedStack: for tests that stop dockerd or prune its
// images, which must never happen to the dockerd other tests share.
#pragma once

#include <catch2/catch.hpp>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "nebula/v1/worker_agent.grpc.pb.h"
#include "private_dockerd.h"
#include "stack_fixture.h"

namespace nebula::agent::testing {

using nebula::testing::BackgroundProcess;
using nebula::testing::PrivateDockerd;
using nebula::testing::SharedStack;

inline std::unique_ptr<BackgroundProcess> StartAgent(const std::string& app, const std::string& worker, int port,
                                                     const std::string& docker_host) {
  const auto& stack = SharedStack();
  return std::make_unique<BackgroundProcess>(
      std::vector<std::string>{stack.bin_dir + "/nebula-worker-agent", "--apps", app, "--worker-id", worker,
                               "--kafka-brokers", stack.kafka_brokers, "--docker-host", docker_host, "--listen",
                               "127.0.0.1:" + std::to_string(port), "--default-host-ip", "127.0.0.1",
                               "--resync-seconds", "5", "--stop-timeout-seconds", "2"},
      std::map<std::string, std::string>{}, stack.state_dir + "/" + worker + ".log");
}

// WorkerAgent.GetStatus of the agent on 127.0.0.1:port; nullopt while it does not answer.
inline std::optional<v1::WorkerReport> AgentStatus(int port) {
  auto stub = v1::WorkerAgent::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::WorkerReport report;
  if (!stub->GetStatus(&context, v1::GetStatusRequest{}, &report).ok()) return std::nullopt;
  return report;
}

inline const v1::AppReport* FindApp(const v1::WorkerReport& report, const std::string& app) {
  for (const auto& a : report.app_reports()) {
    if (a.app() == app) return &a;
  }
  return nullptr;
}

// Sorted full IDs of the worker's containers (all states) on this dockerd.
inline std::vector<std::string> ContainerIds(const PrivateDockerd& dockerd, const std::string& worker,
                                             bool running_only = false) {
  std::vector<std::string> args{"ps", "-q", "--no-trunc", "--filter", "label=dev.nebula.worker=" + worker};
  if (!running_only) args.push_back("-a");
  const auto r = dockerd.Docker(args, std::chrono::seconds(30));
  std::vector<std::string> ids;
  if (r.exit_code != 0) return ids;
  std::istringstream in(r.out);
  for (std::string id; in >> id;) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// The body of GET / on 127.0.0.1:port ("" when nothing answers).
inline std::string HttpGet(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      for (ssize_t n; (n = recv(fd, buffer, sizeof buffer, 0)) > 0;) response.append(buffer, static_cast<size_t>(n));
    }
  }
  close(fd);
  return response;
}

// User + system CPU time of a process so far, in seconds.
inline double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // the name may hold blanks
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Lines of the agent's log that hold every one of the needles.
inline int CountLines(const std::string& text, const std::vector<std::string>& needles) {
  int n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    bool all = true;
    for (const auto& needle : needles) all = all && line.find(needle) != std::string::npos;
    n += all;
  }
  return n;
}

}  // namespace nebula::agent::testing
