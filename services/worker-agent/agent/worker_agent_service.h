// The WorkerAgent gRPC service: local inspection of this agent (docs/architecture.md "Components"). Needs no
// credentials.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "worker-agent/agent/reconciler.h"
#include "worker-agent/core/host_facts.h"
#include "nebula/v1/worker_agent.grpc.pb.h"

namespace nebula::agent {

struct ReportContext {
  std::string worker_id;
  std::string hostname;
  std::vector<std::string> apps;  // --apps (in group mode the report lists the group's apps)
  HostFacts host;
  std::string agent_version;
  std::string disk_path = "/";  // whose free space is reported
};

// The WorkerReport for a status snapshot (also what a future Kafka reporter will publish).
v1::WorkerReport BuildWorkerReport(const AgentStatus& status, const ReportContext& context);

// The source of AgentStatus snapshots GetStatus reports (the reconciler's, plus cron jobs).
using StatusSource = std::function<AgentStatus()>;

class WorkerAgentService final : public v1::WorkerAgent::Service {
 public:
  WorkerAgentService(StatusSource status, ReportContext context)
      : status_(std::move(status)), context_(std::move(context)) {}

  grpc::Status GetStatus(grpc::ServerContext* context, const v1::GetStatusRequest* request,
                         v1::WorkerReport* response) override;

 private:
  StatusSource status_;
  ReportContext context_;
};

}  // namespace nebula::agent
