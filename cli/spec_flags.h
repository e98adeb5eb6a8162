// Turns the spec flags of `nebula apps create|update` into an AppSpec plus the update_mask paths of
// the fields they set. Pure: the CLI shell only collects the raw strings. A value that does not parse
// throws nebula::Error(kInvalidArgument) whose message names the flag and the accepted format.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nebula/v1/app.pb.h"
#include "nebula/v1/cron_job.pb.h"
#include "nebula/v1/identity.pb.h"

namespace nebula::cli {

// Each member is nullopt when its flag was not given (so `update` leaves that field alone).
struct SpecFlags {
  std::optional<std::string> image;
  std::optional<std::string> containers;      // --containers N
  std::optional<std::string> containers_per;  // --containers-per cpu=X|memory=MIB|instance=N
  std::optional<std::vector<std::string>> ports;
  std::optional<std::vector<std::string>> env;
  std::optional<std::vector<std::string>> volumes;
  std::optional<std::vector<std::string>> devices;
  std::optional<std::vector<std::string>> networks;
  std::optional<std::vector<std::string>> command;
  std::optional<std::vector<std::string>> args;
  std::optional<std::vector<std::string>> labels;
  std::optional<bool> privileged;
  std::optional<bool> running;
  std::optional<std::string> pull;
  std::optional<std::string> restart_policy;
  std::optional<std::string> cpus;
  std::optional<std::string> memory;  // MiB
  std::optional<bool> rolling;
  std::optional<std::string> max_unavailable;
  std::optional<std::string> min_ready_seconds;
  std::optional<bool> health_gated;
  // --clear FIELD (update only): empty these list/map fields.
  std::vector<std::string> clear;
};

struct SpecChange {
  v1::AppSpec spec;
  // "spec.<field>" for every field a flag set, in a stable order; what `update` sends as update_mask.
  std::vector<std::string> update_mask;
};

SpecChange BuildSpecChange(const SpecFlags& flags);

// `nebula apps patch`: the change merged into the current spec, for the fields the change sets. Maps
// (env, labels) keep the current keys and add/override the given ones; ports are matched by
// host port and protocol, volumes by target, devices by host path, networks by name: a given entry
// replaces its match or is appended. Scalars and command/args are replaced. --clear still empties.
SpecChange MergeIntoCurrent(const v1::AppSpec& current, SpecChange change);

// `nebula cron-jobs create|update`: the same flags (the subset a CronJobSpec has) plus --schedule.
// --running/--stopped set CronJob.running. Mask paths: "schedule", "running", "spec.<field>".
struct CronJobChange {
  v1::CronJob job;
  std::vector<std::string> update_mask;
};
CronJobChange BuildCronJobChange(const SpecFlags& flags, const std::optional<std::string>& schedule);

// `--app web-*=rw` of user-groups: PATTERN=ro|rw.
std::pair<std::string, v1::Access> ParseGrant(std::string_view flag, std::string_view value);

// The names --clear accepts.
const std::vector<std::string>& ClearableFields();

// Single-value parsers, exposed for tests. `flag` is only used in error messages.
v1::PortMapping ParsePort(std::string_view value);  // [HOST_IP:]HOST:CONTAINER[/tcp|udp]
std::pair<std::string, std::string> ParseKeyValue(std::string_view flag, std::string_view value);  // K=V
v1::VolumeMount ParseVolume(std::string_view value);                                               // SRC:DST[:ro|rw]
v1::DeviceMapping ParseDevice(std::string_view value);                                             // HOST[:CTR[:rwm]]
v1::ContainersPer ParseContainersPer(std::string_view value);  // cpu=X|memory=MIB|instance=N
v1::PullPolicy ParsePullPolicy(std::string_view value);        // always|if-not-present|never
v1::RestartPolicy ParseRestartPolicy(std::string_view value);  // no|always|on-failure|unless-stopped

}  // namespace nebula::cli
