// Builders shared by the worker-agent tests: app specs, desired records, and containers "as dockerd
// would list them" for a given effective spec.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "worker-agent/core/container_labels.h"
#include "worker-agent/core/container_spec.h"
#include "worker-agent/core/desired_view.h"
#include "worker-agent/core/observed_container.h"
#include "nebula/v1/desired_state.pb.h"

namespace nebula::agent::testing {

inline const AgentSettings kSettings{"worker-1", "127.0.0.1"};
inline const HostFacts kHost{4, 8192};

// image web:1, 80→8080 and 9100→9100, env MODE=test, `count` containers.
inline v1::AppSpec WebSpec(int count = 3) {
  v1::AppSpec spec;
  spec.set_image("nebtest/web:1");
  spec.mutable_containers_per()->set_instance(count);
  auto* http = spec.add_ports();
  http->set_host_port(8080);
  http->set_container_port(80);
  auto* metrics = spec.add_ports();
  metrics->set_host_port(9100);
  metrics->set_container_port(9100);
  (*spec.mutable_env())["MODE"] = "test";
  return spec;
}

inline AppDesire Present(const v1::AppSpec& spec, int64_t generation) {
  return AppDesire{DesireKind::kPresent, generation, spec};
}

inline std::string Record(const std::string& app, int64_t generation, const v1::AppSpec& spec) {
  v1::DesiredState state;
  state.set_key("app/" + app);
  state.set_generation(generation);
  state.mutable_app()->set_name(app);
  state.mutable_app()->set_generation(generation);
  *state.mutable_app()->mutable_spec() = spec;
  return state.SerializeAsString();
}

inline std::string DeletedRecord(const std::string& app, int64_t generation) {
  v1::DesiredState state;
  state.set_key("app/" + app);
  state.set_generation(generation);
  state.set_deleted(true);
  return state.SerializeAsString();
}

inline std::string GroupRecord(const std::string& group, int64_t generation, std::vector<std::string> apps,
                               std::vector<std::string> cron_jobs = {}, int64_t prune_generation = 0) {
  v1::DesiredState state;
  state.set_key("group/" + group);
  state.set_generation(generation);
  auto* g = state.mutable_device_group();
  g->set_name(group);
  g->set_generation(generation);
  g->set_prune_generation(prune_generation);
  for (auto& a : apps) g->add_apps(a);
  for (auto& c : cron_jobs) g->add_cron_jobs(c);
  return state.SerializeAsString();
}

inline std::string CronRecord(const std::string& name, int64_t generation, const std::string& schedule,
                              const std::string& image, std::vector<std::string> command = {}) {
  v1::DesiredState state;
  state.set_key("cron/" + name);
  state.set_generation(generation);
  auto* job = state.mutable_cron_job();
  job->set_name(name);
  job->set_generation(generation);
  job->set_schedule(schedule);
  job->mutable_spec()->set_image(image);
  for (auto& c : command) job->mutable_spec()->add_command(c);
  return state.SerializeAsString();
}

inline std::string GlobalRecord(int64_t generation, int64_t prune_generation) {
  v1::DesiredState state;
  state.set_key("global");
  state.set_generation(generation);
  state.mutable_global()->set_prune_generation(prune_generation);
  return state.SerializeAsString();
}

// A container created by the agent from `spec` (same labels), in `state`.
inline ObservedContainer Observed(const ContainerSpec& spec, ContainerState state = ContainerState::kRunning,
                                  int64_t created = 100) {
  static int counter = 0;
  ObservedContainer c;
  c.id = "id-" + spec.app + "-" + std::to_string(spec.index) + "-" + std::to_string(++counter);
  c.name = spec.app + "-" + std::to_string(spec.index) + "-abcde";
  c.image = spec.image;
  c.state = state;
  c.created = created;
  c.labels = spec.labels;
  return c;
}

// All `count` containers of an app as the agent would have created them.
inline std::vector<ObservedContainer> Running(const std::string& app, const v1::AppSpec& spec, int64_t generation,
                                              int count, const AgentSettings& settings = kSettings) {
  std::vector<ObservedContainer> out;
  for (int i = 0; i < count; ++i) out.push_back(Observed(BuildContainerSpec(app, spec, generation, i, settings)));
  return out;
}

}  // namespace nebula::agent::testing
