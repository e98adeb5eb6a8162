// `nebula device-groups|cron-jobs|workers|reports|audit|prune`: CLI11 wiring and SDK calls.
#include "resource_commands.h"

#include <algorithm>
#include <iostream>
#include <memory>

#include "spec_flag_options.h"

namespace nebula::cli {

namespace {

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string GroupTable(const std::vector<v1::DeviceGroup>& groups) {
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "GENERATION", "APPS", "CRON-JOBS", "PRUNE-GENERATION", "UPDATED"}};
  const auto now = std::chrono::system_clock::now();
  for (const auto& g : groups)
    rows.push_back({g.name(), std::to_string(g.generation()), Joined(g.apps()), Joined(g.cron_jobs()),
                    std::to_string(g.prune_generation()), AgeOf(g.update_time(), g.has_update_time(), now)});
  return Table(rows);
}

std::string CronTable(const std::vector<v1::CronJob>& jobs) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "GENERATION", "SCHEDULE", "IMAGE", "RUNNING", "UPDATED"}};
  const auto now = std::chrono::system_clock::now();
  for (const auto& j : jobs)
    rows.push_back({j.name(), std::to_string(j.generation()), j.schedule(), j.spec().image(),
                    !j.has_running() || j.running() ? "yes" : "no", AgeOf(j.update_time(), j.has_update_time(), now)});
  return Table(rows);
}

std::string WorkerTable(const std::vector<v1::Worker>& workers) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "HOSTNAME", "STATE", "APPS", "DEVICE-GROUP", "CPUS", "MEMORY-MIB", "VERSION", "LAST-SEEN"}};
  const auto now = std::chrono::system_clock::now();
  for (const auto& w : workers)
    rows.push_back({w.id(), w.hostname(), v1::Worker::State_Name(w.state()), Joined(w.apps()), w.device_group(),
                    std::to_string(w.host().cpu_cores()), std::to_string(w.host().memory_mb()), w.agent_version(),
                    AgeOf(w.last_seen(), w.has_last_seen(), now)});
  return Table(rows);
}

// Records of nebula.desired the agents refused: someone wrote the topic without a trusted key.
std::string RejectedTable(const std::vector<v1::Worker>& workers) {
  std::vector<std::vector<std::string>> rows = {{"WORKER", "KEY", "CLAIMED-GENERATION", "AGE", "REFUSED BECAUSE"}};
  const auto now = std::chrono::system_clock::now();
  for (const auto& w : workers)
    for (const auto& r : w.rejected_records())
      rows.push_back(
          {w.id(), r.key(), std::to_string(r.claimed_generation()), AgeOf(r.time(), r.has_time(), now), r.reason()});
  return rows.size() > 1 ? "\nRefused records of nebula.desired:\n" + Table(rows) : "";
}

// One row per (worker, app): the per-worker reports as the api-manager folded them.
std::string ReportTable(const std::vector<v1::Worker>& workers) {
  std::vector<std::vector<std::string>> rows = {
      {"WORKER", "APP", "OBSERVED", "CONVERGED", "RUNNING", "DESIRED", "ERRORS"}};
  for (const auto& w : workers) {
    for (const auto& r : w.app_reports()) {
      std::string errors;
      for (const auto& e : r.errors()) errors += (errors.empty() ? "" : "; ") + e;
      rows.push_back({w.id(), r.app(), std::to_string(r.observed_generation()),
                      std::to_string(r.converged_generation()), std::to_string(r.running_containers()),
                      std::to_string(r.desired_containers()), errors});
    }
  }
  return Table(rows);
}

struct ResourceState {
  std::string name;
  std::vector<std::string> apps, cron_jobs, items;
  std::string schedule;
  CLI::Option* schedule_option = nullptr;
  CLI::Option* apps_option = nullptr;
  CLI::Option* cron_jobs_option = nullptr;
  SpecFlagValues cron_create, cron_update;
  int64_t expected_generation = 0;
  int32_t page_size = 0;
  bool force = false;
  std::string kind, object;
};

std::string GroupWhat(const std::string& name) { return "device group \"" + name + "\""; }
std::string CronWhat(const std::string& name) { return "cron job \"" + name + "\""; }

void AddDeviceGroups(CLI::App& root, const GlobalOptions& global, Action* action) {
  auto state = std::make_shared<ResourceState>();
  auto* groups =
      root.add_subcommand("device-groups", "Device groups: app and cron-job lists agents follow (--device-group)");
  groups->alias("dg");
  groups->require_subcommand(1);
  auto name = [&](CLI::App* cmd) { cmd->add_option("NAME", state->name, "Device group name (DNS label)")->required(); };
  auto expected = [&](CLI::App* cmd) {
    cmd->add_option("--expected-generation", state->expected_generation,
                    "Fail with exit code 3 unless at this generation")
        ->check(CLI::NonNegativeNumber);
  };
  auto lists = [&](CLI::App* cmd) {
    state->apps_option = cmd->add_option("--app", state->apps, "App the group runs. Repeatable; replaces the list");
    state->cron_jobs_option =
        cmd->add_option("--cron-job", state->cron_jobs, "Cron job the group runs. Repeatable; replaces the list");
  };

  auto* create = groups->add_subcommand("create", "Create a device group");
  name(create);
  lists(create);
  Examples(create, "  nebula device-groups create edge --app web --app probe --cron-job backup");
  On(create, global, action, [state, &global](sdk::Client& client) {
    v1::DeviceGroup group;
    group.set_name(state->name);
    for (const auto& a : state->apps) group.add_apps(a);
    for (const auto& c : state->cron_jobs) group.add_cron_jobs(c);
    const auto created = Call(client, [&] { return client.CreateDeviceGroup(group); });
    PrintChanged(created, GroupWhat(created.name()), created.generation(), "created", global);
    return 0;
  });

  auto* get = groups->add_subcommand("get", "Show one device group");
  name(get);
  Examples(get, "  nebula device-groups get edge -o yaml");
  On(get, global, action, [state, &global](sdk::Client& client) {
    const auto group = Call(client, [&] { return client.GetDeviceGroup(state->name); });
    PrintView(group, GroupTable({group}), global);
    return 0;
  });

  auto* list = groups->add_subcommand("list", "List every device group");
  list->add_option("--page-size", state->page_size, "Fetched per request (0 = server default)")
      ->check(CLI::Range(0, 1000));
  Examples(list, "  nebula device-groups list -o json");
  On(list, global, action, [state, &global](sdk::Client& client) {
    const auto found = Call(client, [&] { return client.ListAllDeviceGroups(state->page_size); });
    v1::ListDeviceGroupsResponse all;
    for (const auto& g : found) *all.add_device_groups() = g;
    PrintView(all, GroupTable(found), global);
    return 0;
  });

  auto* update = groups->add_subcommand("update", "Replace a device group's app and/or cron-job list");
  name(update);
  lists(update);
  expected(update);
  Examples(update, "  nebula device-groups update edge --app web --app api   # the apps are now exactly web, api");
  On(update, global, action, [state, &global](sdk::Client& client) {
    v1::DeviceGroup group;
    group.set_name(state->name);
    std::vector<std::string> mask;
    if (state->apps_option->count() > 0) {
      mask.push_back("apps");
      for (const auto& a : state->apps) group.add_apps(a);
    }
    if (state->cron_jobs_option->count() > 0) {
      mask.push_back("cron_jobs");
      for (const auto& c : state->cron_jobs) group.add_cron_jobs(c);
    }
    if (mask.empty()) Usage("nothing to update: give --app and/or --cron-job");
    const auto updated =
        Call(client, [&] { return client.UpdateDeviceGroup(group, mask, state->expected_generation); });
    PrintChanged(updated, GroupWhat(updated.name()), updated.generation(), "updated", global);
    return 0;
  });

  // add-app / remove-app / add-cron-job / remove-cron-job: read, change the list, write with the
  // generation read (a concurrent change fails with exit 3 instead of being lost).
  struct Edit {
    const char* verb;
    const char* help;
    bool apps;
    bool add;
  };
  for (const Edit& edit : {Edit{"add-app", "Add apps to a device group", true, true},
                           Edit{"remove-app", "Remove apps from a device group", true, false},
                           Edit{"add-cron-job", "Add cron jobs to a device group", false, true},
                           Edit{"remove-cron-job", "Remove cron jobs from a device group", false, false}}) {
    auto* cmd = groups->add_subcommand(edit.verb, edit.help);
    name(cmd);
    cmd->add_option("ITEMS", state->items, edit.apps ? "App names" : "Cron job names")->required();
    Examples(cmd, std::string("  nebula device-groups ") + edit.verb + " edge " + (edit.apps ? "web api" : "backup"));
    const bool apps = edit.apps, add = edit.add;
    On(cmd, global, action, [state, &global, apps, add](sdk::Client& client) {
      const auto current = Call(client, [&] { return client.GetDeviceGroup(state->name); });
      std::vector<std::string> names(apps ? current.apps().begin() : current.cron_jobs().begin(),
                                     apps ? current.apps().end() : current.cron_jobs().end());
      for (const auto& item : state->items) {
        const auto it = std::find(names.begin(), names.end(), item);
        if (add && it == names.end()) names.push_back(item);
        if (!add && it != names.end()) names.erase(it);
      }
      v1::DeviceGroup group;
      group.set_name(state->name);
      for (const auto& item : names) apps ? group.add_apps(item) : group.add_cron_jobs(item);
      const auto updated = Call(
          client, [&] { return client.UpdateDeviceGroup(group, {apps ? "apps" : "cron_jobs"}, current.generation()); });
      PrintChanged(updated, GroupWhat(updated.name()), updated.generation(), "updated", global);
      return 0;
    });
  }

  auto* del = groups->add_subcommand("delete", "Delete a device group");
  name(del);
  expected(del);
  Examples(del, "  nebula device-groups delete edge");
  On(del, global, action, [state, &global](sdk::Client& client) {
    v1::DeleteDeviceGroupResponse response;
    response.set_generation(
        Call(client, [&] { return client.DeleteDeviceGroup(state->name, state->expected_generation); }));
    PrintChanged(response, GroupWhat(state->name), response.generation(), "deleted", global);
    return 0;
  });

  auto* prune = groups->add_subcommand("prune", "Make the group's agents remove unused images");
  name(prune);
  Examples(prune, "  nebula device-groups prune edge");
  On(prune, global, action, [state, &global](sdk::Client& client) {
    const auto group = Call(client, [&] { return client.PruneDeviceGroup(state->name); });
    PrintChanged(group, GroupWhat(group.name()), group.prune_generation(), "prune requested (prune", global);
    return 0;
  });
}

void AddCronJobs(CLI::App& root, const GlobalOptions& global, Action* action) {
  auto state = std::make_shared<ResourceState>();
  auto* jobs = root.add_subcommand("cron-jobs", "Cron jobs: containers device-group agents run on a schedule");
  jobs->alias("cj");
  jobs->require_subcommand(1);
  auto name = [&](CLI::App* cmd) { cmd->add_option("NAME", state->name, "Cron job name (DNS label)")->required(); };

  auto* create = jobs->add_subcommand("create", "Create a cron job");
  name(create);
  create->add_option("--schedule", state->schedule, "Five-field cron expression: minute hour day month weekday")
      ->required();
  AddSpecFlags(create, &state->cron_create, false, true);
  Examples(create,
           "  nebula cron-jobs create backup --schedule '0 3 * * *' --image busybox --command /bin/sh \\\n"
           "      --arg=-c --arg 'tar czf /backup/etc.tgz /etc' --volume /srv/backup:/backup");
  On(create, global, action, [state, &global](sdk::Client& client) {
    CronJobChange change;
    try {
      change = BuildCronJobChange(ToSpecFlags(state->cron_create), state->schedule);
    } catch (const Error& e) {
      Usage(e.what());
    }
    change.job.set_name(state->name);
    const auto created = Call(client, [&] { return client.CreateCronJob(change.job); });
    PrintChanged(created, CronWhat(created.name()), created.generation(), "created", global);
    return 0;
  });

  auto* get = jobs->add_subcommand("get", "Show one cron job");
  name(get);
  Examples(get, "  nebula cron-jobs get backup -o yaml");
  On(get, global, action, [state, &global](sdk::Client& client) {
    const auto job = Call(client, [&] { return client.GetCronJob(state->name); });
    PrintView(job, CronTable({job}), global);
    return 0;
  });

  auto* list = jobs->add_subcommand("list", "List every cron job");
  list->add_option("--page-size", state->page_size, "Fetched per request (0 = server default)")
      ->check(CLI::Range(0, 1000));
  Examples(list, "  nebula cron-jobs list");
  On(list, global, action, [state, &global](sdk::Client& client) {
    const auto found = Call(client, [&] { return client.ListAllCronJobs(state->page_size); });
    v1::ListCronJobsResponse all;
    for (const auto& j : found) *all.add_cron_jobs() = j;
    PrintView(all, CronTable(found), global);
    return 0;
  });

  auto* update = jobs->add_subcommand("update", "Change a cron job: the fields whose flags are given are replaced");
  name(update);
  state->schedule_option = update->add_option("--schedule", state->schedule, "Five-field cron expression");
  AddSpecFlags(update, &state->cron_update, true, true);
  update
      ->add_option("--expected-generation", state->expected_generation,
                   "Fail with exit code 3 unless at this generation")
      ->check(CLI::NonNegativeNumber);
  Examples(update,
           "  nebula cron-jobs update backup --schedule '30 2 * * *'\n  nebula cron-jobs update backup --stopped");
  On(update, global, action, [state, &global](sdk::Client& client) {
    CronJobChange change;
    try {
      change = BuildCronJobChange(ToSpecFlags(state->cron_update),
                                  state->schedule_option->count() ? std::optional(state->schedule) : std::nullopt);
    } catch (const Error& e) {
      Usage(e.what());
    }
    if (change.update_mask.empty()) Usage("nothing to update: give at least one flag");
    change.job.set_name(state->name);
    const auto updated =
        Call(client, [&] { return client.UpdateCronJob(change.job, change.update_mask, state->expected_generation); });
    PrintChanged(updated, CronWhat(updated.name()), updated.generation(), "updated", global);
    return 0;
  });

  auto* del = jobs->add_subcommand("delete", "Delete a cron job");
  name(del);
  del->add_option("--expected-generation", state->expected_generation,
                  "Fail with exit code 3 unless at this generation")
      ->check(CLI::NonNegativeNumber);
  del->add_flag("--force", state->force, "Delete even if device groups still list the cron job");
  Examples(del, "  nebula cron-jobs delete backup --force");
  On(del, global, action, [state, &global](sdk::Client& client) {
    v1::DeleteCronJobResponse response;
    response.set_generation(
        Call(client, [&] { return client.DeleteCronJob(state->name, state->expected_generation, state->force); }));
    PrintChanged(response, CronWhat(state->name), response.generation(), "deleted", global);
    return 0;
  });
}

void AddWorkersAndReports(CLI::App& root, const GlobalOptions& global, Action* action) {
  auto state = std::make_shared<ResourceState>();
  auto* workers = root.add_subcommand("workers", "Worker agents as their reports describe them");
  workers->require_subcommand(1);
  auto* list = workers->add_subcommand("list", "List every worker");
  Examples(list, "  nebula workers list\n  nebula workers list -o json | jq -r '.workers[].id'");
  On(list, global, action, [&global](sdk::Client& client) {
    const auto found = Call(client, [&] { return client.ListAllWorkers(); });
    v1::ListWorkersResponse all;
    for (const auto& w : found) *all.add_workers() = w;
    PrintView(all, WorkerTable(found), global);
    return 0;
  });
  auto* get = workers->add_subcommand("get", "Show one worker (host facts, per-app reports)");
  get->add_option("ID", state->name, "Worker id")->required();
  Examples(get, "  nebula workers get host-17 -o yaml");
  On(get, global, action, [state, &global](sdk::Client& client) {
    const auto worker = Call(client, [&] { return client.GetWorker(state->name); });
    std::string text = WorkerTable({worker}) + "\n" + ReportTable({worker}) + RejectedTable({worker});
    if (worker.unknown_apps_size() > 0)
      text += "\nRuns apps the API does not know (a restored database, or records it did not write): " +
              Joined(worker.unknown_apps()) + "\n";
    PrintView(worker, text, global);
    return 0;
  });

  auto* reports = root.add_subcommand("reports", "Per-worker, per-app reports: observed/converged generation, errors");
  reports->require_subcommand(1);
  auto* rlist = reports->add_subcommand("list", "Every worker's per-app reports (one row per worker and app)");
  rlist->add_option("--app", state->object, "Only this app's reports");
  Examples(rlist, "  nebula reports list\n  nebula reports list --app web");
  On(rlist, global, action, [state, &global](sdk::Client& client) {
    auto found = Call(client, [&] { return client.ListAllWorkers(); });
    v1::ListWorkersResponse all;
    for (auto& w : found) {
      if (!state->object.empty()) {
        auto* r = w.mutable_app_reports();
        r->erase(std::remove_if(r->begin(), r->end(), [&](const v1::AppReport& a) { return a.app() != state->object; }),
                 r->end());
        if (r->empty()) continue;
      }
      *all.add_workers() = w;
    }
    std::vector<v1::Worker> shown(all.workers().begin(), all.workers().end());
    PrintView(all, ReportTable(shown) + RejectedTable(shown), global);
    return 0;
  });
  auto* rget = reports->add_subcommand("get", "One worker's per-app reports");
  rget->add_option("WORKER", state->name, "Worker id")->required();
  Examples(rget, "  nebula reports get host-17");
  On(rget, global, action, [state, &global](sdk::Client& client) {
    const auto worker = Call(client, [&] { return client.GetWorker(state->name); });
    PrintView(worker, ReportTable({worker}) + RejectedTable({worker}), global);
    return 0;
  });
}

void AddClusterCommands(CLI::App& root, const GlobalOptions& global, Action* action) {
  auto state = std::make_shared<ResourceState>();
  auto* prune = root.add_subcommand("prune", "Make every agent remove unused images (needs pruning_allowed)");
  Examples(prune, "  nebula prune");
  On(prune, global, action, [&global](sdk::Client& client) {
    const auto settings = Call(client, [&] { return client.PruneAll(); });
    PrintChanged(settings, "prune", settings.prune_generation(), "requested on every agent (prune", global);
    return 0;
  });

  auto* audit = root.add_subcommand("audit", "The audit trail: every change, who made it, when (newest first)");
  audit->require_subcommand(1);
  auto* alist = audit->add_subcommand("list", "List audit events");
  alist->add_option("--kind", state->kind, "Only this object kind (app, device_group, cron_job, ...)");
  alist->add_option("--name", state->object, "Only this object name");
  alist->add_option("--page-size", state->page_size, "Events to show (0 = server default)")->check(CLI::Range(0, 1000));
  Examples(alist, "  nebula audit list --kind app --name web");
  On(alist, global, action, [state, &global](sdk::Client& client) {
    const auto events =
        Call(client, [&] { return client.ListAuditEvents(state->kind, state->object, state->page_size); });
    std::vector<std::vector<std::string>> rows = {{"ID", "AGE", "ACTOR", "ACTION", "KIND", "NAME", "GENERATION"}};
    const auto now = std::chrono::system_clock::now();
    for (const auto& e : events.events())
      rows.push_back({std::to_string(e.id()), AgeOf(e.time(), e.has_time(), now), e.actor(), e.action(),
                      e.object_kind(), e.object_name(), std::to_string(e.generation())});
    PrintView(events, Table(rows), global);
    return 0;
  });
}

}  // namespace

void AddResourceCommands(CLI::App& root, const GlobalOptions& global, Action* action) {
  AddDeviceGroups(root, global, action);
  AddCronJobs(root, global, action);
  AddWorkersAndReports(root, global, action);
  AddClusterCommands(root, global, action);
}

}  // namespace nebula::cli
