#include "app_commands.h"

#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "common/error.h"
#include "nebula/sdk/client.h"
#include "exit_codes.h"
#include "progress.h"
#include "session.h"
#include "spec_flag_options.h"
#include "spec_flags.h"
#include "wait.h"

namespace nebula::cli {

namespace {

struct AppsState {
  std::string name;
  SpecFlagValues create_flags, update_flags, patch_flags;
  int64_t expected_generation = 0;
  int64_t to_generation = 0;
  int32_t page_size = 0;
  bool force = false, wait = false, rolling = false, all_at_once = false;
};

std::string AppWhat(const std::string& name) { return "app \"" + name + "\""; }

// Prints the changed app; with --wait follows its rollout and returns that exit code.
int Finish(const v1::App& app, const std::string& verb, const AppsState& state, const GlobalOptions& global,
           sdk::Client& client, std::chrono::steady_clock::time_point started) {
  PrintChanged(app, AppWhat(app.name()), app.generation(), verb, global);
  std::cout.flush();
  if (!state.wait) return 0;
  const double budget = global.timeout_given ? global.timeout_seconds : 300.0;
  const auto deadline = started + std::chrono::milliseconds(static_cast<long long>(budget * 1000));
  return WaitForRollout(client, app.name(), app.generation(), deadline);
}

std::string StatusTable(const v1::AppStatus& status) {
  std::string out = Table({{"APP", "GENERATION", "DESIRED", "OBSERVED", "CONVERGED", "FAILED", "ROLLOUT"},
                           {status.app(), std::to_string(status.generation()), std::to_string(status.hosts_desired()),
                            std::to_string(status.hosts_observed()), std::to_string(status.hosts_converged()),
                            std::to_string(status.hosts_failed()), v1::AppStatus::Rollout_Name(status.rollout())}});
  if (status.failing_hosts_size() > 0) out += "Failing hosts:\n" + FailingHosts(status);
  // A generation the API never issued: a restored database or a record it did not write (docs/architecture.md
  // "Restoring the database"); the next relay takeover moves the app past it.
  if (status.ahead_hosts_size() > 0) out += "Hosts ahead of the API (not converged):\n" + AheadHosts(status);
  return out;
}

std::string HistoryTable(const std::vector<v1::AppRevision>& revisions) {
  std::vector<std::vector<std::string>> rows = {{"GENERATION", "ACTION", "ACTOR", "AGE", "IMAGE", "NOTE"}};
  const auto now = std::chrono::system_clock::now();
  for (const auto& r : revisions) {
    std::string note = r.deleted() ? "deleted" : "";
    if (r.rolled_back_to() > 0) note = "rollback to " + std::to_string(r.rolled_back_to());
    if (r.action() == "GenerationFence") note += std::string(note.empty() ? "" : "; ") + "moved past nebula.desired";
    rows.push_back({std::to_string(r.generation()), r.action(), r.actor(), AgeOf(r.time(), r.has_time(), now),
                    r.spec().image(), note});
  }
  return Table(rows);
}

}  // namespace

void AddAppsCommands(CLI::App& root, const GlobalOptions& global, Action* action) {
  auto state = std::make_shared<AppsState>();
  auto* apps = root.add_subcommand("apps", "Create, inspect, change, restart, roll back and delete apps");
  apps->require_subcommand(1);
  apps->fallthrough();
  apps->footer("Examples:\n  nebula apps list -o json\n  nebula apps create web --image nginx:1.27 --wait");

  auto expected = [&](CLI::App* cmd) {
    cmd->add_option("--expected-generation", state->expected_generation,
                    "Fail with exit code 3 unless the app is at this generation")
        ->check(CLI::NonNegativeNumber);
  };
  auto wait = [&](CLI::App* cmd) {
    cmd->add_flag("--wait", state->wait,
                  "Follow the rollout until every host converged (exit 8 if a host fails, 9 on --timeout; "
                  "--timeout defaults to 300 with --wait)");
  };
  auto name = [&](CLI::App* cmd) { cmd->add_option("NAME", state->name, "App name (DNS label)")->required(); };

  auto* create = apps->add_subcommand("create", "Create an app (generation 1, or one past a deleted app's last)");
  name(create);
  AddSpecFlags(create, &state->create_flags, false);
  wait(create);
  Examples(
      create,
      "  nebula apps create web --image nginx:1.27 --containers 3 --port 8080:80 \\\n"
      "      --env MODE=prod --volume /srv/web:/usr/share/nginx/html:ro --rolling --max-unavailable 1\n"
      "  nebula apps create probe --image busybox --containers-per cpu=2 --device /dev/ttyUSB0 --privileged --wait");
  On(create, global, action, [state, &global](sdk::Client& client, auto started) {
    v1::App app;
    app.set_name(state->name);
    *app.mutable_spec() = ParseSpecFlags(state->create_flags).spec;
    return Finish(Call(client, [&] { return client.CreateApp(app); }), "created", *state, global, client, started);
  });

  auto* get = apps->add_subcommand("get", "Show one app");
  name(get);
  Examples(get, "  nebula apps get web\n  nebula apps get web -o yaml");
  On(get, global, action, [state, &global](sdk::Client& client, auto) {
    const auto app = Call(client, [&] { return client.GetApp(state->name); });
    PrintView(app, AppTable({app}, std::chrono::system_clock::now()), global);
    return 0;
  });

  auto* list = apps->add_subcommand("list", "List every app, ordered by name");
  list->add_option("--page-size", state->page_size,
                   "Apps fetched per request (0 = server default); all pages are shown")
      ->check(CLI::Range(0, 1000));
  Examples(list, "  nebula apps list\n  nebula apps list -o json | jq -r '.apps[].name'");
  On(list, global, action, [state, &global](sdk::Client& client, auto) {
    auto found = Call(client, [&] { return client.ListAllApps(state->page_size); });
    v1::ListAppsResponse all;  // every page in one document, next_page_token empty
    for (const auto& app : found) *all.add_apps() = app;
    PrintView(all, AppTable(found, std::chrono::system_clock::now()), global);
    return 0;
  });

  auto* update = apps->add_subcommand("update", "Change an app: the fields whose flags are given are replaced");
  name(update);
  AddSpecFlags(update, &state->update_flags, true);
  expected(update);
  wait(update);
  update->footer(
      "Only the fields of the flags given change (sent as update_mask). List and map flags (--port, --env,\n"
      "--volume, --device, --network, --command, --arg, --label) replace the whole field: e.g. --env A=1\n"
      "leaves A as the ONLY env var (use `apps patch` to add to a field). Empty a field with --clear FIELD.\n"
      "Examples:\n"
      "  nebula apps update web --image nginx:1.28 --expected-generation 4 --wait\n"
      "  nebula apps update web --env MODE=prod --env LOG=debug --stopped\n"
      "Global flags: --endpoint, --context, --token, --user/--password, --tls, -o, --timeout (see nebula --help).");
  On(update, global, action, [state, &global](sdk::Client& client, auto started) {
    const SpecChange change = ParseSpecFlags(state->update_flags);
    if (change.update_mask.empty()) Usage("nothing to update: give at least one spec flag");
    v1::App app;
    app.set_name(state->name);
    *app.mutable_spec() = change.spec;
    return Finish(Call(client, [&] { return client.UpdateApp(app, change.update_mask, state->expected_generation); }),
                  "updated", *state, global, client, started);
  });

  auto* patch = apps->add_subcommand("patch", "Change an app, adding to list and map fields instead of replacing them");
  name(patch);
  AddSpecFlags(patch, &state->patch_flags, true);
  expected(patch);
  wait(patch);
  patch->footer(
      "Like update, but --env/--label add or override single keys, and --port/--volume/--device/--network\n"
      "replace the entry they match (same host port+protocol, target, host path, name) or are appended.\n"
      "The app is read first; the write carries its generation, so a concurrent change fails (exit 3).\n"
      "Examples:\n"
      "  nebula apps patch web --env LOG=debug          # keeps every other env var\n"
      "  nebula apps patch web --port 9090:9090 --wait\n"
      "Global flags: --endpoint, --context, --token, --user/--password, --tls, -o, --timeout (see nebula --help).");
  On(patch, global, action, [state, &global](sdk::Client& client, auto started) {
    const SpecChange parsed = ParseSpecFlags(state->patch_flags);
    if (parsed.update_mask.empty()) Usage("nothing to patch: give at least one spec flag");
    const auto current = Call(client, [&] { return client.GetApp(state->name); });
    if (state->expected_generation != 0 && state->expected_generation != current.generation())
      throw Error(ErrorCode::kAborted, AppWhat(state->name) + " is at generation " +
                                           std::to_string(current.generation()) + ", not the expected " +
                                           std::to_string(state->expected_generation));
    const SpecChange change = MergeIntoCurrent(current.spec(), parsed);
    v1::App app;
    app.set_name(state->name);
    *app.mutable_spec() = change.spec;
    return Finish(Call(client, [&] { return client.UpdateApp(app, change.update_mask, current.generation()); }),
                  "patched", *state, global, client, started);
  });

  auto* del = apps->add_subcommand("delete", "Delete an app; agents remove its containers");
  name(del);
  expected(del);
  del->add_flag("--force", state->force, "Delete even if device groups still list the app");
  Examples(del, "  nebula apps delete web --expected-generation 7\n  nebula apps delete web --force");
  On(del, global, action, [state, &global](sdk::Client& client, auto) {
    v1::DeleteAppResponse response;
    response.set_generation(
        Call(client, [&] { return client.DeleteApp(state->name, state->expected_generation, state->force); }));
    PrintChanged(response, AppWhat(state->name), response.generation(), "deleted", global);
    return 0;
  });

  struct Verb {
    const char* name;
    const char* help;
    const char* done;
    const char* example;
  };
  for (const Verb& verb : {Verb{"start", "Run the app's containers again (spec.running = true)", "started",
                                "  nebula apps start web --wait"},
                           Verb{"stop", "Remove the app's containers but keep the app (spec.running = false)",
                                "stopped", "  nebula apps stop web"},
                           Verb{"pull", "Re-pull the image tag; replace containers whose image changed", "pulled",
                                "  nebula apps pull web --wait"}}) {
    auto* cmd = apps->add_subcommand(verb.name, verb.help);
    name(cmd);
    expected(cmd);
    wait(cmd);
    Examples(cmd, verb.example);
    const std::string which = verb.name, done = verb.done;
    On(cmd, global, action, [state, &global, which, done](sdk::Client& client, auto started) {
      const auto app = Call(client, [&] {
        if (which == "start") return client.StartApp(state->name, state->expected_generation);
        if (which == "stop") return client.StopApp(state->name, state->expected_generation);
        return client.PullApp(state->name, state->expected_generation);
      });
      return Finish(app, done, *state, global, client, started);
    });
  }

  auto* restart = apps->add_subcommand("restart", "Replace every container of the app (a new restart_nonce)");
  name(restart);
  expected(restart);
  wait(restart);
  auto* rolling =
      restart->add_flag("--rolling", state->rolling, "In batches (max_unavailable), whatever the app's strategy");
  restart->add_flag("--all-at-once", state->all_at_once, "All containers at once, whatever the app's strategy")
      ->excludes(rolling);
  Examples(restart, "  nebula apps restart web\n  nebula apps restart web --rolling --wait");
  On(restart, global, action, [state, &global](sdk::Client& client, auto started) {
    std::optional<bool> how;
    if (state->rolling) how = true;
    if (state->all_at_once) how = false;
    return Finish(Call(client, [&] { return client.RestartApp(state->name, how, state->expected_generation); }),
                  "restarted", *state, global, client, started);
  });

  auto* history = apps->add_subcommand("history", "List the app's revisions (every generation, who, when)");
  name(history);
  Examples(history, "  nebula apps history web\n  nebula apps history web -o json | jq '.revisions[0].spec'");
  On(history, global, action, [state, &global](sdk::Client& client, auto) {
    const auto revisions = Call(client, [&] { return client.ListAllAppRevisions(state->name); });
    v1::ListAppRevisionsResponse all;
    for (const auto& r : revisions) *all.add_revisions() = r;
    PrintView(all, HistoryTable(revisions), global);
    return 0;
  });

  auto* rollback = apps->add_subcommand("rollback", "Make a new generation with the spec of an earlier one");
  name(rollback);
  rollback->add_option("--to-generation", state->to_generation, "The generation whose spec to restore (see history)")
      ->required()
      ->check(CLI::PositiveNumber);
  expected(rollback);
  wait(rollback);
  Examples(rollback, "  nebula apps rollback web --to-generation 3 --wait");
  On(rollback, global, action, [state, &global](sdk::Client& client, auto started) {
    return Finish(
        Call(client, [&] { return client.RollbackApp(state->name, state->to_generation, state->expected_generation); }),
        "rolled back to generation " + std::to_string(state->to_generation) + ",", *state, global, client, started);
  });

  auto* status = apps->add_subcommand("status", "Rollout status: hosts desired, observed, converged, failed");
  name(status);
  status->add_flag("--wait", state->wait, "Follow the current generation's rollout (exit 8 failed, 9 --timeout)");
  Examples(status, "  nebula apps status web\n  nebula apps status web --wait --timeout 600");
  On(status, global, action, [state, &global](sdk::Client& client, auto started) {
    const auto current = Call(client, [&] { return client.GetAppStatus(state->name); });
    if (state->wait) {
      const double budget = global.timeout_given ? global.timeout_seconds : 300.0;
      const int code = WaitForRollout(client, state->name, current.generation(),
                                      started + std::chrono::milliseconds(static_cast<long long>(budget * 1000)));
      if (code != 0) return code;
      const auto done = Call(client, [&] { return client.GetAppStatus(state->name); });
      PrintView(done, StatusTable(done), global);
      return 0;
    }
    PrintView(current, StatusTable(current), global);
    return 0;
  });
}

}  // namespace nebula::cli
