#include "worker-agent/docker/docker_json.h"

#include <charconv>
#include <cstdlib>
#include <cstdio>
#include <ctime>

namespace nebula::agent {

using nlohmann::json;

namespace {

// dockerd writes null for empty lists and maps; read them as empty.
std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (!j.is_object() || !j.contains(key) || !j[key].is_array()) return out;
  for (const auto& s : j[key]) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

std::string String(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return {};
  return j[key].get<std::string>();
}

int64_t Int(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return 0;
  return j[key].get<int64_t>();
}

bool Bool(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
}

const json& Object(const json& j, const char* key) {
  static const json kEmpty = json::object();
  if (!j.is_object() || !j.contains(key) || !j[key].is_object()) return kEmpty;
  return j[key];
}

std::map<std::string, std::string> StringMap(const json& j) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : j.items()) {
    if (value.is_string()) out[key] = value.get<std::string>();
  }
  return out;
}

std::string StripSlash(std::string name) {
  if (!name.empty() && name.front() == '/') name.erase(0, 1);
  return name;
}

// "2024-05-01T12:34:56.789Z" → unix seconds (fractions and zones other than Z are ignored).
int64_t ParseRfc3339(const std::string& text) {
  std::tm tm{};
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec) != 6) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm));
}

uint32_t Port(const std::string& text) {
  uint32_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::string PortKey(const PortBinding& p) { return std::to_string(p.container_port) + "/" + p.protocol; }

}  // namespace

json CreateContainerBody(const ContainerSpec& spec) {
  json body = json::object();
  body["Image"] = spec.image;
  body["Env"] = spec.env;
  body["Labels"] = spec.labels;
  if (!spec.entrypoint.empty()) body["Entrypoint"] = spec.entrypoint;
  if (!spec.cmd.empty()) body["Cmd"] = spec.cmd;

  json exposed = json::object();
  json bindings = json::object();
  for (const auto& p : spec.ports) {
    const std::string key = PortKey(p);
    exposed[key] = json::object();
    if (!bindings.contains(key)) bindings[key] = json::array();
    bindings[key].push_back({{"HostIp", p.host_ip}, {"HostPort", p.host_port == 0 ? "" : std::to_string(p.host_port)}});
  }
  if (!exposed.empty()) body["ExposedPorts"] = exposed;

  json host = json::object();
  host["PortBindings"] = bindings;
  json binds = json::array();
  for (const auto& v : spec.volumes) binds.push_back(v.source + ":" + v.target + (v.read_only ? ":ro" : ""));
  host["Binds"] = binds;
  json devices = json::array();
  for (const auto& d : spec.devices) {
    devices.push_back(
        {{"PathOnHost", d.host_path}, {"PathInContainer", d.container_path}, {"CgroupPermissions", d.permissions}});
  }
  host["Devices"] = devices;
  host["Privileged"] = spec.privileged;
  host["RestartPolicy"] = {{"Name", spec.restart_policy}, {"MaximumRetryCount", 0}};
  if (!spec.networks.empty()) host["NetworkMode"] = spec.networks.front();
  if (spec.nano_cpus > 0) host["NanoCpus"] = spec.nano_cpus;
  if (spec.memory_bytes > 0) host["Memory"] = spec.memory_bytes;
  body["HostConfig"] = host;
  return body;
}

std::vector<std::string> ExtraNetworks(const ContainerSpec& spec) {
  if (spec.networks.size() <= 1) return {};
  return {spec.networks.begin() + 1, spec.networks.end()};
}

std::vector<std::string> UserNetworks(const ContainerSpec& spec) {
  std::vector<std::string> out;
  for (const auto& n : spec.networks) {
    if (n != "bridge" && n != "host" && n != "none" && n != "default" && n.rfind("container:", 0) != 0) {
      out.push_back(n);
    }
  }
  return out;
}

json CreateNetworkBody(const std::string& name) {
  return json{{"Name", name},
              {"Driver", "bridge"},
              {"CheckDuplicate", true},
              {"Labels", {{"dev.nebula.managed-by", "nebula"}}}};
}

ContainerState ParseContainerState(std::string_view word) {
  for (auto state :
       {ContainerState::kCreated, ContainerState::kRunning, ContainerState::kPaused, ContainerState::kRestarting,
        ContainerState::kRemoving, ContainerState::kExited, ContainerState::kDead}) {
    if (word == ToString(state)) return state;
  }
  return ContainerState::kUnknown;
}

Health ParseHealth(std::string_view word) {
  for (auto health : {Health::kStarting, Health::kHealthy, Health::kUnhealthy}) {
    if (word == ToString(health)) return health;
  }
  return Health::kNone;
}

Health HealthFromStatus(const std::string& status) {
  if (status.find("(healthy)") != std::string::npos) return Health::kHealthy;
  if (status.find("(unhealthy)") != std::string::npos) return Health::kUnhealthy;
  if (status.find("(health: starting)") != std::string::npos) return Health::kStarting;
  return Health::kNone;
}

std::vector<ObservedContainer> ParseContainerList(const json& list) {
  std::vector<ObservedContainer> out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    ObservedContainer c;
    c.id = String(item, "Id");
    const auto names = Strings(item, "Names");
    if (!names.empty()) c.name = StripSlash(names.front());
    c.image = String(item, "Image");
    c.image_id = String(item, "ImageID");
    c.state = ParseContainerState(String(item, "State"));
    const std::string status = String(item, "Status");
    c.health = HealthFromStatus(status);
    if (status.rfind("Exited (", 0) == 0) c.exit_code = std::atoi(status.c_str() + 8);
    c.created = Int(item, "Created");
    c.labels = StringMap(Object(item, "Labels"));
    out.push_back(std::move(c));
  }
  return out;
}

ContainerDetails ParseContainerInspect(const json& j) {
  ContainerDetails d;
  const json& state = Object(j, "State");
  const json& config = Object(j, "Config");
  const json& host = Object(j, "HostConfig");
  d.container.id = String(j, "Id");
  d.container.name = StripSlash(String(j, "Name"));
  d.container.image = String(config, "Image");
  d.container.image_id = String(j, "Image");
  d.container.state = ParseContainerState(String(state, "Status"));
  d.container.health = ParseHealth(String(Object(state, "Health"), "Status"));
  d.container.created = ParseRfc3339(String(j, "Created"));
  d.container.labels = StringMap(Object(config, "Labels"));
  d.env = Strings(config, "Env");
  d.entrypoint = Strings(config, "Entrypoint");
  d.cmd = Strings(config, "Cmd");
  for (const auto& [key, list] : Object(host, "PortBindings").items()) {
    const auto slash = key.find('/');
    const std::string port = key.substr(0, slash);
    const std::string protocol = slash == std::string::npos ? "tcp" : key.substr(slash + 1);
    if (!list.is_array()) continue;
    for (const auto& b : list) {
      PortBinding p;
      p.host_ip = String(b, "HostIp");
      const std::string host_port = String(b, "HostPort");
      p.host_port = Port(host_port);
      p.container_port = Port(port);
      p.protocol = protocol;
      d.ports.push_back(std::move(p));
    }
  }
  d.binds = Strings(host, "Binds");
  if (host.contains("Devices") && host["Devices"].is_array()) {
    for (const auto& dev : host["Devices"]) {
      d.devices.push_back(
          {String(dev, "PathOnHost"), String(dev, "PathInContainer"), String(dev, "CgroupPermissions")});
    }
  }
  if (j.contains("Mounts") && j["Mounts"].is_array()) {
    for (const auto& m : j["Mounts"]) {
      d.mounts.push_back(
          {String(m, "Type"), String(m, "Name"), String(m, "Source"), String(m, "Destination"), Bool(m, "RW")});
    }
  }
  for (const auto& word : Strings(Object(config, "Healthcheck"), "Test")) {
    d.health_test += (d.health_test.empty() ? "" : " ") + word;
  }
  d.network_mode = String(host, "NetworkMode");
  for (const auto& [name, endpoint] : Object(Object(j, "NetworkSettings"), "Networks").items()) {
    d.networks.push_back(name);
  }
  d.privileged = Bool(host, "Privileged");
  d.restart_policy = String(Object(host, "RestartPolicy"), "Name");
  d.nano_cpus = Int(host, "NanoCpus");
  d.memory_bytes = Int(host, "Memory");
  d.exit_code = static_cast<int>(Int(state, "ExitCode"));
  if (d.container.state == ContainerState::kExited || d.container.state == ContainerState::kDead)
    d.container.exit_code = d.exit_code;
  d.error = String(state, "Error");
  return d;
}

ImageInfo ParseImageInspect(const json& j) { return ImageInfo{String(j, "Id"), Strings(j, "RepoTags")}; }

std::string LabelFilter(const std::map<std::string, std::string>& labels) {
  json filter = json::object();
  filter["label"] = json::array();
  for (const auto& [key, value] : labels) filter["label"].push_back(key + "=" + value);
  return filter.dump();
}

std::string ContainerEventFilter(const std::map<std::string, std::string>& labels) {
  json filter = json::parse(LabelFilter(labels));
  filter["type"] = json::array({"container"});
  return filter.dump();
}

std::optional<ContainerEvent> ParseContainerEvent(const std::string& line) {
  const json j = json::parse(line, nullptr, false);
  if (!j.is_object() || j.value("Type", "") != "container") return std::nullopt;
  ContainerEvent event;
  if (j.contains("Action") && j["Action"].is_string()) event.action = j["Action"].get<std::string>();
  if (!j.contains("Actor") || !j["Actor"].is_object()) return std::nullopt;
  const json& actor = j["Actor"];
  if (actor.contains("ID") && actor["ID"].is_string()) event.id = actor["ID"].get<std::string>();
  if (actor.contains("Attributes") && actor["Attributes"].is_object()) {
    for (const auto& [key, value] : actor["Attributes"].items()) {
      if (value.is_string()) event.labels[key] = value.get<std::string>();
    }
  }
  if (event.action.empty() || event.id.empty()) return std::nullopt;
  return event;
}

std::string ErrorMessage(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  std::string trimmed = body;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
  return trimmed;
}

}  // namespace nebula::agent
