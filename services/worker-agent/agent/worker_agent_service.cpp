#include "worker-agent/agent/worker_agent_service.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <chrono>

#include "worker-agent/agent/host_probe.h"
#include "worker-agent/core/observed_container.h"
#include "common/grpc_status.h"

namespace nebula::agent {

v1::WorkerReport BuildWorkerReport(const AgentStatus& status, const ReportContext& context) {
  v1::WorkerReport report;
  report.set_worker_id(context.worker_id);
  report.set_hostname(context.hostname);
  for (const auto& app : status.device_group ? status.app_list : context.apps) report.add_apps(app);
  if (status.device_group) report.set_device_group(*status.device_group);
  report.set_device_group_prune_generation(status.pruned_group_generation);
  report.set_global_prune_generation(status.pruned_global_generation);
  for (const auto& [job, state] : status.cron_jobs) {
    auto* c = report.add_cron_job_reports();
    c->set_cron_job(job);
    c->set_observed_generation(state.generation);
    using google::protobuf::util::TimeUtil;
    if (state.last_start) *c->mutable_last_start_time() = TimeUtil::SecondsToTimestamp(*state.last_start);
    if (state.last_finish) *c->mutable_last_finish_time() = TimeUtil::SecondsToTimestamp(*state.last_finish);
    c->set_last_exit_code(state.last_exit_code);
    c->set_running_now(state.running_now);
    if (state.next_run > 0) *c->mutable_next_run_time() = TimeUtil::SecondsToTimestamp(state.next_run);
    for (const auto& e : state.errors) c->add_errors(e);
  }
  report.set_agent_version(context.agent_version);
  report.set_synced(status.synced);
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  *report.mutable_report_time() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());

  auto* host = report.mutable_host();
  host->set_cpu_cores(context.host.cpu_cores);
  host->set_memory_mb(context.host.memory_mb);
  host->set_disk_free_mb(DiskFreeMb(context.disk_path));
  host->set_docker_version(status.docker_version);

  for (const auto& app : status.apps) {
    auto* r = report.add_app_reports();
    r->set_app(app.app);
    r->set_observed_generation(app.observed_generation);
    r->set_converged_generation(app.converged_generation);
    r->set_desired_containers(app.desired_containers);
    r->set_running_containers(app.running_containers);
    for (const auto& e : app.errors) r->add_errors(e.text);
    std::vector<std::pair<ContainerIdentity, const ObservedContainer*>> containers;
    for (const auto& c : app.containers) containers.emplace_back(ReadIdentity(c), &c);
    std::sort(containers.begin(), containers.end(), [](const auto& a, const auto& b) {
      return std::make_pair(a.first.index.value_or(-1), a.second->name) <
             std::make_pair(b.first.index.value_or(-1), b.second->name);
    });
    for (const auto& [identity, container] : containers) {
      const ObservedContainer& c = *container;
      auto* s = r->add_containers();
      s->set_id(c.id);
      s->set_name(c.name);
      s->set_index(identity.index.value_or(-1));
      s->set_generation(identity.generation);
      s->set_state(std::string(ToString(c.state)));
      s->set_health(std::string(ToString(c.health)));
      s->set_config_hash(identity.config_hash);
      s->set_image_id(c.image_id);
    }
  }
  return report;
}

grpc::Status WorkerAgentService::GetStatus(grpc::ServerContext*, const v1::GetStatusRequest*,
                                           v1::WorkerReport* response) {
  return GuardedCall([&] { *response = BuildWorkerReport(status_(), context_); });
}

}  // namespace nebula::agent
