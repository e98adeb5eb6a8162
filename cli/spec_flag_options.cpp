#include "spec_flag_options.h"

#include "common/error.h"

namespace nebula::cli {

void AddSpecFlags(CLI::App* cmd, SpecFlagValues* v, bool update, bool cron_job) {
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
  if (!cron_job) {
    value("containers", &v->containers, "N", "Containers per host (a fixed count)");
  }
  if (!cron_job) {
    value("containers-per", &v->containers_per, "KIND=VALUE",
          "cpu=X (X per CPU core), memory=MIB (one per MIB MiB of host memory) or instance=N (N per host)");
  }
  if (!cron_job) {
    o["containers"]->excludes(o["containers-per"]);
    o["containers-per"]->excludes(o["containers"]);
  }
  if (!cron_job) {
    value("port", &v->ports, "[IP:]HOST:CTR[/PROTO]", "Port mapping, PROTO tcp|udp; container i binds HOST+i." + list);
  }
  value("env", &v->env, "KEY=VALUE",
        update ? "Env var. Repeatable; the given --env flags replace the WHOLE env map (repeat every var to keep)"
               : "Env var." + list);
  value("volume", &v->volumes, "SRC:DST[:ro]", "Mount a host path or named volume SRC at DST." + list);
  value("device", &v->devices, "HOST[:CTR[:rwm]]", "Device mapping, permissions from r, w, m." + list);
  on_off("privileged", "Run containers privileged", "no-privileged", "Run containers unprivileged (the default)");
  value("network", &v->networks, "NAME", "Docker network to join." + list);
  on_off("running", cron_job ? "Run on schedule (the default)" : "Run the containers (the default)", "stopped",
         cron_job ? "Keep the cron job but do not run it" : "Keep the app but run no containers");
  value("command", &v->command, "ARG", "Entrypoint override, one argv element per flag." + list);
  value("arg", &v->args, "ARG", "CMD override, one argv element per flag (--arg=-x for a leading '-')." + list);
  value("pull", &v->pull, "POLICY", "Image pull policy: always|if-not-present|never");
  if (!cron_job) {
    value("label", &v->labels, "KEY=VALUE", "Container label." + list);
  }
  value("cpus", &v->cpus, "CORES", "CPU limit per container, e.g. 0.5 (0 = unlimited)");
  value("memory", &v->memory, "MIB", "Memory limit per container in MiB (0 = unlimited)");
  if (!cron_job) {
    value("restart-policy", &v->restart_policy, "POLICY", "Docker restart policy: no|always|on-failure|unless-stopped");
  }
  if (!cron_job) {
    on_off("rolling", "Replace containers in batches", "no-rolling", "Replace all containers at once (the default)");
  }
  if (!cron_job) {
    value("max-unavailable", &v->max_unavailable, "N", "Batch size of a rolling update (0 means 1)");
  }
  if (!cron_job) {
    value("min-ready-seconds", &v->min_ready_seconds, "SECONDS",
          "How long a new container must run before the next batch");
  }
  if (!cron_job) {
    on_off("health-gated", "Wait for the image's HEALTHCHECK before the next batch", "no-health-gated",
           "Do not wait for HEALTHCHECK");
  }
  if (update) {
    value("clear", &v->clear, "FIELD",
          cron_job ? "Empty a field: env|volumes|devices|networks|command|args. Repeatable."
                   : "Empty a field: ports|env|volumes|devices|networks|command|args|labels. Repeatable.");
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

SpecChange ParseSpecFlags(const SpecFlagValues& values) {
  try {
    return BuildSpecChange(ToSpecFlags(values));
  } catch (const Error& e) {
    throw CLI::ValidationError(e.what());
  }
}

}  // namespace nebula::cli
