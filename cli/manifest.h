// `nebula apply -f FILE`: the resource documents of a YAML or JSON file and the plan to reach them.
// Pure. The format (cli/README.md "apply"):
//
//   kind: App            # App | DeviceGroup | CronJob
//   name: web
//   spec: {...}          # App: AppSpec; DeviceGroup: {apps, cronJobs}; CronJob: {schedule, running, + CronJobSpec}
//
// Field names inside spec are the proto3 JSON names (lowerCamelCase; snake_case is accepted too),
// exactly what `nebula apps get -o yaml` prints under spec. A file holds one document, several
// YAML documents separated by `---`, a JSON/YAML list of documents, or {kind: List, items: [...]}.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nebula/v1/app.pb.h"
#include "nebula/v1/cron_job.pb.h"
#include "nebula/v1/device_group.pb.h"
#include "spec_diff.h"

namespace nebula::cli {

enum class ResourceKind { kApp, kCronJob, kDeviceGroup };  // apply order: groups reference the others

struct Resource {
  ResourceKind kind = ResourceKind::kApp;
  std::string name;
  v1::App app;                   // kind kApp (name and spec only)
  v1::CronJob cron_job;          // kind kCronJob (name, schedule, running, spec)
  v1::DeviceGroup device_group;  // kind kDeviceGroup (name, apps, cron_jobs)
  std::string origin;            // "app.yaml document 2", for messages
};

std::string KindName(ResourceKind kind);         // "App", "CronJob", "DeviceGroup"
std::string Describe(const Resource& resource);  // `App "web"`

// Throws nebula::Error(kInvalidArgument) naming the source, the document and the problem.
std::vector<Resource> ParseManifest(std::string_view text, const std::string& source);

// The document as apply compares it: {kind, name, spec} in proto3 JSON, server-side defaults made
// explicit (running unset = true; empty sub-messages dropped) so equal specs compare equal.
nlohmann::ordered_json ComparableDocument(const Resource& resource);

enum class ApplyAction { kCreate, kUpdate, kUnchanged };

struct ApplyStep {
  Resource desired;
  ApplyAction action = ApplyAction::kCreate;
  int64_t current_generation = 0;    // 0 when creating
  std::vector<FieldChange> changes;  // against the current object (everything is "added" on create)
};

// current: the object as the server has it now (nullopt: it does not exist).
ApplyStep PlanApply(const Resource& desired, const std::optional<Resource>& current, int64_t current_generation);

// Desired resources in apply order (apps, cron jobs, device groups; file order within a kind).
// Throws kInvalidArgument if one kind+name appears twice.
std::vector<Resource> ApplyOrder(std::vector<Resource> resources);

// `App "web": created (generation 1)`, `... updated (generation 4 -> 5)`, `... unchanged (generation 4)`,
// `... would be created|updated`, then the change lines. new_generation: what the write returned.
std::string RenderStep(const ApplyStep& step, bool dry_run, int64_t new_generation = 0);

Resource FromApp(const v1::App& app);
Resource FromCronJob(const v1::CronJob& job);
Resource FromDeviceGroup(const v1::DeviceGroup& group);

}  // namespace nebula::cli
