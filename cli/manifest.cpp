#include "manifest.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <set>

#include "common/error.h"
#include "output.h"
#include "yaml_json.h"

namespace nebula::cli {

namespace {

using Json = nlohmann::ordered_json;

[[noreturn]] void Fail(const std::string& where, const std::string& problem) {
  throw Error(ErrorCode::kInvalidArgument, where + ": " + problem);
}

template <typename Message>
Message FromJson(const Json& json, const std::string& where) {
  Message message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(json.dump(), &message, options);
  if (!status.ok()) Fail(where, std::string(status.message()));
  return message;
}

Json ToJsonDocument(const google::protobuf::Message& message) { return Json::parse(ToJson(message)); }

Resource FromDocument(const Json& document, const std::string& where) {
  if (!document.is_object()) Fail(where, "expected a mapping with kind, name and spec");
  for (const auto& [key, value] : document.items())
    if (key != "kind" && key != "name" && key != "spec")
      Fail(where, "unknown key \"" + key + "\" (a document has kind, name and spec)");
  if (!document.contains("kind") || !document["kind"].is_string())
    Fail(where, "kind: required, one of App, DeviceGroup, CronJob");
  if (!document.contains("name") || !document["name"].is_string() || document["name"].get<std::string>().empty())
    Fail(where, "name: required, a non-empty string");
  const std::string kind = document["kind"];
  Resource resource;
  resource.name = document["name"];
  resource.origin = where;
  const std::string at = where + " (" + kind + " \"" + resource.name + "\")";
  Json spec = document.value("spec", Json::object());
  if (!spec.is_object()) Fail(at, "spec: expected a mapping");
  if (kind == "App") {
    resource.kind = ResourceKind::kApp;
    resource.app = FromJson<v1::App>(Json{{"name", resource.name}, {"spec", spec}}, at + " spec");
  } else if (kind == "DeviceGroup") {
    resource.kind = ResourceKind::kDeviceGroup;
    Json group = Json{{"name", resource.name}};
    for (const auto& [key, value] : spec.items()) {
      if (key != "apps" && key != "cronJobs" && key != "cron_jobs")
        Fail(at, "spec." + key + ": unknown field (a DeviceGroup spec has apps and cronJobs)");
      group[key] = value;
    }
    resource.device_group = FromJson<v1::DeviceGroup>(group, at + " spec");
  } else if (kind == "CronJob") {
    resource.kind = ResourceKind::kCronJob;
    Json job = Json{{"name", resource.name}};
    Json job_spec = Json::object();
    for (const auto& [key, value] : spec.items()) {
      if (key == "schedule" || key == "running")
        job[key] = value;
      else
        job_spec[key] = value;
    }
    job["spec"] = job_spec;
    resource.cron_job = FromJson<v1::CronJob>(job, at + " spec");
  } else {
    Fail(where, "kind: \"" + kind + "\" is not one of App, DeviceGroup, CronJob");
  }
  return resource;
}

void NormalizeAppSpec(v1::AppSpec& spec) {
  if (!spec.has_running()) spec.set_running(true);
  if (spec.has_containers_per() && spec.containers_per().per_case() == v1::ContainersPer::PER_NOT_SET)
    spec.clear_containers_per();
  if (spec.has_update_strategy() && spec.update_strategy().ByteSizeLong() == 0) spec.clear_update_strategy();
  if (spec.has_resources() && spec.resources().ByteSizeLong() == 0) spec.clear_resources();
}

}  // namespace

std::string KindName(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kApp: return "App";
    case ResourceKind::kCronJob: return "CronJob";
    case ResourceKind::kDeviceGroup: return "DeviceGroup";
  }
  return "?";
}

std::string Describe(const Resource& resource) { return KindName(resource.kind) + " \"" + resource.name + "\""; }

std::vector<Resource> ParseManifest(std::string_view text, const std::string& source) {
  std::vector<Json> documents;
  try {
    documents = ParseYamlDocuments(text);
  } catch (const Error& e) {
    Fail(source, e.what());
  }
  // Flatten lists and {kind: List, items: [...]}.
  std::vector<Json> flat;
  for (auto& document : documents) {
    if (document.is_array()) {
      for (auto& item : document) flat.push_back(item);
    } else if (document.is_object() && document.value("kind", Json()) == "List") {
      if (!document.contains("items") || !document["items"].is_array()) Fail(source, "a List needs items: [...]");
      for (auto& item : document["items"]) flat.push_back(item);
    } else {
      flat.push_back(document);
    }
  }
  if (flat.empty()) Fail(source, "no resource documents found");
  std::vector<Resource> resources;
  for (size_t i = 0; i < flat.size(); ++i)
    resources.push_back(FromDocument(flat[i], source + " document " + std::to_string(i + 1)));
  return resources;
}

Json ComparableDocument(const Resource& resource) {
  Json spec;
  switch (resource.kind) {
    case ResourceKind::kApp: {
      v1::AppSpec app_spec = resource.app.spec();
      NormalizeAppSpec(app_spec);
      spec = ToJsonDocument(app_spec);
      break;
    }
    case ResourceKind::kCronJob: {
      spec = ToJsonDocument(resource.cron_job.spec());
      spec["schedule"] = resource.cron_job.schedule();
      spec["running"] = !resource.cron_job.has_running() || resource.cron_job.running();
      break;
    }
    case ResourceKind::kDeviceGroup: {
      spec = Json::object();
      spec["apps"] = Json::array();
      for (const auto& a : resource.device_group.apps()) spec["apps"].push_back(a);
      spec["cronJobs"] = Json::array();
      for (const auto& c : resource.device_group.cron_jobs()) spec["cronJobs"].push_back(c);
      break;
    }
  }
  return Json{{"kind", KindName(resource.kind)}, {"name", resource.name}, {"spec", spec}};
}

ApplyStep PlanApply(const Resource& desired, const std::optional<Resource>& current, int64_t current_generation) {
  ApplyStep step;
  step.desired = desired;
  const Json after = ComparableDocument(desired)["spec"];
  if (!current) {
    step.action = ApplyAction::kCreate;
    step.changes = DiffDocuments(Json::object(), after, "spec");
    return step;
  }
  step.current_generation = current_generation;
  step.changes = DiffDocuments(ComparableDocument(*current)["spec"], after, "spec");
  step.action = step.changes.empty() ? ApplyAction::kUnchanged : ApplyAction::kUpdate;
  return step;
}

std::vector<Resource> ApplyOrder(std::vector<Resource> resources) {
  std::set<std::pair<ResourceKind, std::string>> seen;
  for (const auto& r : resources)
    if (!seen.insert({r.kind, r.name}).second)
      throw Error(ErrorCode::kInvalidArgument, r.origin + ": " + Describe(r) + " appears more than once");
  std::stable_sort(resources.begin(), resources.end(),
                   [](const Resource& a, const Resource& b) { return a.kind < b.kind; });
  return resources;
}

std::string RenderStep(const ApplyStep& step, bool dry_run, int64_t new_generation) {
  const std::string current = std::to_string(step.current_generation);
  const std::string next = std::to_string(new_generation);
  std::string verb;
  switch (step.action) {
    case ApplyAction::kCreate: verb = dry_run ? "would be created" : "created (generation " + next + ")"; break;
    case ApplyAction::kUpdate:
      verb = dry_run ? "would be updated (generation " + current + ")"
                     : "updated (generation " + current + " -> " + next + ")";
      break;
    case ApplyAction::kUnchanged: verb = "unchanged (generation " + current + ")"; break;
  }
  return Describe(step.desired) + ": " + verb + "\n" + RenderChanges(step.changes);
}

Resource FromApp(const v1::App& app) {
  Resource r;
  r.kind = ResourceKind::kApp;
  r.name = app.name();
  r.app.set_name(app.name());
  *r.app.mutable_spec() = app.spec();
  return r;
}

Resource FromCronJob(const v1::CronJob& job) {
  Resource r;
  r.kind = ResourceKind::kCronJob;
  r.name = job.name();
  r.cron_job.set_name(job.name());
  r.cron_job.set_schedule(job.schedule());
  if (job.has_running()) r.cron_job.set_running(job.running());
  *r.cron_job.mutable_spec() = job.spec();
  return r;
}

Resource FromDeviceGroup(const v1::DeviceGroup& group) {
  Resource r;
  r.kind = ResourceKind::kDeviceGroup;
  r.name = group.name();
  r.device_group.set_name(group.name());
  *r.device_group.mutable_apps() = group.apps();
  *r.device_group.mutable_cron_jobs() = group.cron_jobs();
  return r;
}

}  // namespace nebula::cli
