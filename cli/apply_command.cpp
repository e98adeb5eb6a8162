#include "apply_command.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "exit_codes.h"
#include "manifest.h"
#include "wait.h"

namespace nebula::cli {

namespace {

struct ApplyState {
  std::vector<std::string> files;
  bool dry_run = false, wait = false;
};

std::string ReadInput(const std::string& path) {
  std::ostringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kInvalidArgument, "cannot read " + path + ": " + std::strerror(errno));
  text << in.rdbuf();
  return text.str();
}

// The object as the server has it, or nullopt; and its generation.
std::pair<std::optional<Resource>, int64_t> Current(sdk::Client& client, const Resource& r) {
  try {
    switch (r.kind) {
      case ResourceKind::kApp: {
        const auto app = Call(client, [&] { return client.GetApp(r.name); });
        return {FromApp(app), app.generation()};
      }
      case ResourceKind::kCronJob: {
        const auto job = Call(client, [&] { return client.GetCronJob(r.name); });
        return {FromCronJob(job), job.generation()};
      }
      case ResourceKind::kDeviceGroup: {
        const auto group = Call(client, [&] { return client.GetDeviceGroup(r.name); });
        return {FromDeviceGroup(group), group.generation()};
      }
    }
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kNotFound) throw;
  }
  return {std::nullopt, 0};
}

// Creates or updates; returns the new generation. Updates replace the whole spec and carry the
// generation read, so a change made in between fails (exit 3) instead of being overwritten.
int64_t Execute(sdk::Client& client, const ApplyStep& step) {
  const Resource& r = step.desired;
  const bool create = step.action == ApplyAction::kCreate;
  switch (r.kind) {
    case ResourceKind::kApp:
      return Call(client,
                  [&] {
                    return create ? client.CreateApp(r.app) : client.UpdateApp(r.app, {}, step.current_generation);
                  })
          .generation();
    case ResourceKind::kCronJob:
      return Call(client,
                  [&] {
                    return create ? client.CreateCronJob(r.cron_job)
                                  : client.UpdateCronJob(r.cron_job, {}, step.current_generation);
                  })
          .generation();
    case ResourceKind::kDeviceGroup:
      return Call(client,
                  [&] {
                    return create ? client.CreateDeviceGroup(r.device_group)
                                  : client.UpdateDeviceGroup(r.device_group, {"apps", "cron_jobs"},
                                                             step.current_generation);
                  })
          .generation();
  }
  return 0;
}

}  // namespace

void AddApplyCommand(CLI::App& root, const GlobalOptions& global, Action* action) {
  auto state = std::make_shared<ApplyState>();
  auto* apply = root.add_subcommand("apply", "Create or update the apps, cron jobs and device groups of a file");
  apply->add_option("-f,--filename", state->files, "YAML or JSON file ('-' for stdin). Repeatable")->required();
  apply->add_flag("--dry-run", state->dry_run, "Print what would change; change nothing");
  apply->add_flag(
      "--wait", state->wait,
      "Follow the rollout of every app that changed (exit 8 failed, 9 --timeout; --timeout defaults to 300)");
  apply->footer(
      "Each document: kind (App, CronJob, DeviceGroup), name, spec. A resource that exists is updated\n"
      "only if its spec differs (no new generation otherwise); the field-level difference is printed.\n"
      "All files are parsed and checked before anything is sent.\n"
      "Example file:\n"
      "  kind: App\n"
      "  name: web\n"
      "  spec:\n"
      "    image: nginx:1.27\n"
      "    containersPer: {instance: 2}\n"
      "    ports: [{hostPort: 8080, containerPort: 80}]\n"
      "    env: {MODE: prod}\n"
      "  ---\n"
      "  kind: DeviceGroup\n"
      "  name: edge\n"
      "  spec: {apps: [web]}\n"
      "Examples:\n"
      "  nebula apply -f web.yaml --dry-run\n"
      "  nebula apply -f web.yaml -f edge.json --wait\n"
      "Global flags: --endpoint, --context, --token, --user/--password, --tls, -o, --timeout (see nebula --help).");
  apply->final_callback([state, &global, action] {
    *action = [state, &global] {
      const auto started = std::chrono::steady_clock::now();
      std::vector<Resource> resources;
      for (const auto& file : state->files) {
        try {
          auto parsed = ParseManifest(ReadInput(file), file);
          resources.insert(resources.end(), parsed.begin(), parsed.end());
        } catch (const Error& e) {
          Usage(e.what());
        }
      }
      try {
        resources = ApplyOrder(std::move(resources));
      } catch (const Error& e) {
        Usage(e.what());
      }
      auto client = MakeClient(global);
      std::vector<ApplyStep> steps;
      for (const auto& r : resources) {
        const auto [current, generation] = Current(client, r);
        steps.push_back(PlanApply(r, current, generation));
      }
      nlohmann::ordered_json results = nlohmann::ordered_json::array();
      std::vector<std::pair<std::string, int64_t>> rollouts;
      for (auto& step : steps) {
        int64_t generation = step.current_generation;
        if (!state->dry_run && step.action != ApplyAction::kUnchanged) {
          generation = Execute(client, step);
          if (step.desired.kind == ResourceKind::kApp) rollouts.emplace_back(step.desired.name, generation);
        }
        if (global.output == OutputFormat::kTable) {
          std::cout << RenderStep(step, state->dry_run, generation);
        } else {
          nlohmann::ordered_json changes = nlohmann::ordered_json::array();
          for (const auto& c : step.changes)
            changes.push_back({{"op", c.kind == FieldChange::Kind::kAdded     ? "add"
                                      : c.kind == FieldChange::Kind::kRemoved ? "remove"
                                                                              : "replace"},
                               {"path", c.path},
                               {"before", c.before},
                               {"after", c.after}});
          results.push_back({{"kind", KindName(step.desired.kind)},
                             {"name", step.desired.name},
                             {"action", step.action == ApplyAction::kCreate   ? "create"
                                        : step.action == ApplyAction::kUpdate ? "update"
                                                                              : "unchanged"},
                             {"dryRun", state->dry_run},
                             {"generation", std::to_string(generation)},
                             {"changes", changes}});
        }
      }
      if (global.output != OutputFormat::kTable) {
        nlohmann::ordered_json doc = {{"results", results}};
        std::cout << (global.output == OutputFormat::kJson ? doc.dump(2) + "\n" : JsonToYaml(doc.dump()));
      }
      std::cout.flush();
      if (!state->wait || state->dry_run) return 0;
      const double budget = global.timeout_given ? global.timeout_seconds : 300.0;
      const auto deadline = started + std::chrono::milliseconds(static_cast<long long>(budget * 1000));
      for (const auto& [app, generation] : rollouts) {
        const int code = WaitForRollout(client, app, generation, deadline);
        if (code != 0) return code;
      }
      return 0;
    };
  });
}

}  // namespace nebula::cli
