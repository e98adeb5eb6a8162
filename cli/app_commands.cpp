#include "app_commands.h"

#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "error.h"
#include "nebula/sdk/client.h"
#include "spec_flags.h"

namespace nebula::cli {

namespace {

// Raw spec flag values as CLI11 collects them; ToSpecFlags keeps only the flags actually given.
struct SpecFlagValues {
  std::string image, containers, containers_per, pull, restart_policy, cpus, memory, max_unavailable,
      min_ready_seconds;
  std::vector<std::string> ports, env, volumes, devices, networks, command, args, labels, clear;
  bool flag_true = false;  // storage for the on/off switches; their counts are what matter
  std::map<std::string, CLI::Option*> options;

  bool Given(const std::string& name) const {
    auto it = options.find(name);
    return it != options.end() && it->second->count() > 0;
  }
  std::optional<std::string> Str(const std::string& name, const std::string& value) const {
    return Given(name) ? std::optional(value) : std::nullopt;
  }
  std::optional<std::vector<std::string>> List(const std::string& name, const std::vector<std::string>& value) const {
    return Given(name) ? std::optional(value) : std::nullopt;
  }
  std::optional<bool> Switch(const std::string& on, const std::string& off) const {
    if (Given(on)) return true;
    if (Given(off)) return false;
    return std::nullopt;
  }
};

void AddSpecFlags(CLI::App* cmd, SpecFlagValues* v, bool update) {
  auto& o = v->options;
  auto value = [&](const std::string& name, auto* storage, const std::string& type, const std::string& help) {
    o[name] = cmd->add_option("--" + name, *storage, help)->type_name(type);
  };
  auto on_off = [&](const std::string& on, const std::string& on_help, const std::string& off,
                    const std::string& off_help) {
    o[on] = cmd->add_flag("--" + on, v->flag_true, on_help);
    o[off] = cmd->add_flag("--" + off, v->flag_true, off_help)->excludes(o[on]);
    o[on]->excludes(o[off]);
  };
  const std::string list = update ? " Repeatable; replaces the whole list." : " Repeatable.";

  value("image", &v->image, "IMAGE", "Image reference [registry[:port]/]name[:tag][@digest]");
  value("containers", &v->containers, "N", "Containers per host (a fixed count)");
  value("containers-per", &v->containers_per, "KIND=VALUE",
        "cpu=X (X per CPU core), memory=MIB (one per MIB MiB of host memory) or instance=N (N per host)");
  o["containers"]->excludes(o["containers-per"]);
  o["containers-per"]->excludes(o["containers"]);
  value("port", &v->ports, "[IP:]HOST:CTR[/PROTO]", "Port mapping, PROTO tcp|udp; container i binds HOST+i." + list);
  value("env", &v->env, "KEY=VALUE",
        update ? "Env var. Repeatable; the given --env flags replace the WHOLE env map (repeat every var to keep)"
               : "Env var." + list);
  value("volume", &v->volumes, "SRC:DST[:ro]", "Mount a host path or named volume SRC at DST." + list);
  value("device", &v->devices, "HOST[:CTR[:rwm]]", "Device mapping, permissions from r, w, m." + list);
  on_off("privileged", "Run containers privileged", "no-privileged", "Run containers unprivileged (the default)");
  value("network", &v->networks, "NAME", "Docker network to join." + list);
  on_off("running", "Run the containers (the default)", "stopped", "Keep the app but run no containers");
  value("command", &v->command, "ARG", "Entrypoint override, one argv element per flag." + list);
  value("arg", &v->args, "ARG", "CMD override, one argv element per flag (--arg=-x for a leading '-')." + list);
  value("pull", &v->pull, "POLICY", "Image pull policy: always|if-not-present|never");
  value("label", &v->labels, "KEY=VALUE", "Container label." + list);
  value("cpus", &v->cpus, "CORES", "CPU limit per container, e.g. 0.5 (0 = unlimited)");
  value("memory", &v->memory, "MIB", "Memory limit per container in MiB (0 = unlimited)");
  value("restart-policy", &v->restart_policy, "POLICY", "Docker restart policy: no|always|on-failure|unless-stopped");
  on_off("rolling", "Replace containers in batches", "no-rolling", "Replace all containers at once (the default)");
  value("max-unavailable", &v->max_unavailable, "N", "Batch size of a rolling update (0 means 1)");
  value("min-ready-seconds", &v->min_ready_seconds, "SECONDS", "How long a new container must run before the next batch");
  on_off("health-gated", "Wait for the image's HEALTHCHECK before the next batch", "no-health-gated",
         "Do not wait for HEALTHCHECK");
  if (update) {
    value("clear", &v->clear, "FIELD",
          "Empty a field: ports|env|volumes|devices|networks|command|args|labels. Repeatable.");
  }
}

SpecFlags ToSpecFlags(const SpecFlagValues& v) {
  SpecFlags f;
  f.image = v.Str("image", v.image);
  f.containers = v.Str("containers", v.containers);
  f.containers_per = v.Str("containers-per", v.containers_per);
  f.ports = v.List("port", v.ports);
  f.env = v.List("env", v.env);
  f.volumes = v.List("volume", v.volumes);
  f.devices = v.List("device", v.devices);
  f.networks = v.List("network", v.networks);
  f.command = v.List("command", v.command);
  f.args = v.List("arg", v.args);
  f.labels = v.List("label", v.labels);
  f.privileged = v.Switch("privileged", "no-privileged");
  f.running = v.Switch("running", "stopped");
  f.pull = v.Str("pull", v.pull);
  f.restart_policy = v.Str("restart-policy", v.restart_policy);
  f.cpus = v.Str("cpus", v.cpus);
  f.memory = v.Str("memory", v.memory);
  f.rolling = v.Switch("rolling", "no-rolling");
  f.max_unavailable = v.Str("max-unavailable", v.max_unavailable);
  f.min_ready_seconds = v.Str("min-ready-seconds", v.min_ready_seconds);
  f.health_gated = v.Switch("health-gated", "no-health-gated");
  f.clear = v.clear;
  return f;
}

// A flag value that does not parse is a usage error (exit 1, nothing sent), like any other bad flag.
SpecChange ParseSpecFlags(const SpecFlagValues& values) {
  try {
    return BuildSpecChange(ToSpecFlags(values));
  } catch (const Error& e) {
    throw CLI::ValidationError(e.what());
  }
}

sdk::Client MakeClient(const GlobalOptions& global) {
  sdk::ClientOptions options;
  options.endpoint = global.endpoint;
  options.deadline = std::chrono::milliseconds(static_cast<long long>(global.timeout_seconds * 1000));
  return sdk::Client(options);
}

// Runs one SDK call; a transport failure names the endpoint, which is what the user has to check.
template <typename Fn>
auto Call(const GlobalOptions& global, Fn&& call) {
  try {
    return call();
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kUnavailable && e.code() != ErrorCode::kDeadlineExceeded) throw;
    throw Error(e.code(), "cannot reach the api-manager at " + global.endpoint + ": " + e.what(), e.violations());
  }
}

void PrintApp(const v1::App& app, const GlobalOptions& global, const std::string& verb) {
  if (global.output == OutputFormat::kTable) {
    std::cout << "app \"" << app.name() << "\" " << verb << " (generation " << app.generation() << ")\n";
  } else {
    std::cout << Render(app, global.output);
  }
}

struct AppsState {
  std::string name;
  SpecFlagValues create_flags, update_flags;
  int64_t expected_generation = 0;
  int32_t page_size = 0;
};

}  // namespace

void AddAppsCommands(CLI::App& root, const GlobalOptions& global, Action* action) {
  auto state = std::make_shared<AppsState>();
  auto* apps = root.add_subcommand("apps", "Create, inspect, change and delete apps");
  apps->require_subcommand(1);
  apps->fallthrough();
  apps->footer("Example:\n  nebula apps list -o json");

  auto* create = apps->add_subcommand("create", "Create an app (generation 1, or one past a deleted app's last)");
  create->add_option("NAME", state->name, "App name (DNS label)")->required();
  AddSpecFlags(create, &state->create_flags, false);
  create->footer(
      "Example:\n"
      "  nebula apps create web --image nginx:1.27 --containers 3 --port 8080:80 \\\n"
      "      --env MODE=prod --volume /srv/web:/usr/share/nginx/html:ro --rolling --max-unavailable 1");
  create->final_callback([state, &global, action] {
    *action = [state, &global] {
      v1::App app;
      app.set_name(state->name);
      *app.mutable_spec() = ParseSpecFlags(state->create_flags).spec;
      auto client = MakeClient(global);
      PrintApp(Call(global, [&] { return client.CreateApp(app); }), global, "created");
      return 0;
    };
  });

  auto* get = apps->add_subcommand("get", "Show one app");
  get->add_option("NAME", state->name, "App name")->required();
  get->footer("Example:\n  nebula apps get web -o yaml");
  get->final_callback([state, &global, action] {
    *action = [state, &global] {
      auto client = MakeClient(global);
      const auto app = Call(global, [&] { return client.GetApp(state->name); });
      if (global.output == OutputFormat::kTable) std::cout << AppTable({app}, std::chrono::system_clock::now());
      else std::cout << Render(app, global.output);
      return 0;
    };
  });

  auto* list = apps->add_subcommand("list", "List every app, ordered by name");
  list->add_option("--page-size", state->page_size, "Apps fetched per request (0 = server default); all pages are shown")
      ->check(CLI::Range(0, 1000));
  list->footer("Example:\n  nebula apps list\n  nebula apps list -o json | jq -r '.apps[].name'");
  list->final_callback([state, &global, action] {
    *action = [state, &global] {
      auto client = MakeClient(global);
      auto apps_found = Call(global, [&] { return client.ListAllApps(state->page_size); });
      if (global.output == OutputFormat::kTable) {
        std::cout << AppTable(apps_found, std::chrono::system_clock::now());
      } else {
        v1::ListAppsResponse all;  // every page in one document, next_page_token empty
        for (auto& app : apps_found) *all.add_apps() = std::move(app);
        std::cout << Render(all, global.output);
      }
      return 0;
    };
  });

  auto* update = apps->add_subcommand("update", "Change an app: only the fields whose flags are given change");
  update->add_option("NAME", state->name, "App name")->required();
  AddSpecFlags(update, &state->update_flags, true);
  update->add_option("--expected-generation", state->expected_generation,
                     "Fail with exit code 3 unless the app is at this generation")
      ->check(CLI::NonNegativeNumber);
  update->footer(
      "Only the fields of the flags given change (sent as update_mask). List and map flags (--port, --env,\n"
      "--volume, --device, --network, --command, --arg, --label) replace the whole field: e.g. --env A=1\n"
      "leaves A as the ONLY env var. Empty a field with --clear FIELD.\n"
      "Example:\n"
      "  nebula apps update web --image nginx:1.28 --expected-generation 4\n"
      "  nebula apps update web --env MODE=prod --env LOG=debug --stopped");
  update->final_callback([state, &global, action] {
    *action = [state, &global] {
      const SpecChange change = ParseSpecFlags(state->update_flags);
      if (change.update_mask.empty()) throw CLI::ValidationError("nothing to update: give at least one spec flag");
      v1::App app;
      app.set_name(state->name);
      *app.mutable_spec() = change.spec;
      auto client = MakeClient(global);
      PrintApp(Call(global, [&] { return client.UpdateApp(app, change.update_mask, state->expected_generation); }),
               global, "updated");
      return 0;
    };
  });

  auto* del = apps->add_subcommand("delete", "Delete an app; agents remove its containers");
  del->add_option("NAME", state->name, "App name")->required();
  del->add_option("--expected-generation", state->expected_generation,
                  "Fail with exit code 3 unless the app is at this generation")
      ->check(CLI::NonNegativeNumber);
  del->footer("Example:\n  nebula apps delete web --expected-generation 7");

  for (auto* verb : {create, get, list, update, del})
    verb->footer(verb->get_footer() + "\nGlobal flags: --endpoint, -o/--output, --timeout (see nebula --help).");
  del->final_callback([state, &global, action] {
    *action = [state, &global] {
      auto client = MakeClient(global);
      v1::DeleteAppResponse response;
      response.set_generation(Call(global, [&] { return client.DeleteApp(state->name, state->expected_generation); }));
      if (global.output == OutputFormat::kTable) {
        std::cout << "app \"" << state->name << "\" deleted (generation " << response.generation() << ")\n";
      } else {
        std::cout << Render(response, global.output);
      }
      return 0;
    };
  });
}

}  // namespace nebula::cli
