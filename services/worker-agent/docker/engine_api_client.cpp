#include "worker-agent/docker/engine_api_client.h"

#include <atomic>

#include "worker-agent/docker/docker_json.h"
#include "worker-agent/docker/image_ref.h"
#include "common/error.h"

namespace nebula::agent {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr auto kShortCall = 30s;
constexpr std::string_view kApi = "/v1.41";  // dockerd 20.10's maximum

std::string Escape(const std::string& text) { return PercentEncode(text); }

// Container ids in messages: 12 characters, as docker ps shows them.
std::string Short(const std::string& id) { return id.substr(0, 12); }

ErrorCode CodeForStatus(int status) {
  switch (status) {
    case 400: return ErrorCode::kInvalidArgument;
    case 404: return ErrorCode::kNotFound;
    case 409: return ErrorCode::kAlreadyExists;
    default: return ErrorCode::kInternal;
  }
}

}  // namespace

EngineApiClient::EngineApiClient(const std::string& docker_host, RegistryCredentials credentials)
    : credentials_(std::move(credentials)), endpoint_(ParseEngineEndpoint(docker_host)) {}

EngineResponse EngineApiClient::Call(const std::string& method, const std::string& path, std::chrono::seconds timeout,
                                     std::string body) {
  EngineRequest request;
  request.method = method;
  request.target = std::string(kApi) + path;
  request.body = std::move(body);
  request.timeout = timeout;
  return SendEngineRequest(endpoint_, request);
}

void EngineApiClient::Fail(const std::string& what, const EngineResponse& response) {
  throw Error(CodeForStatus(response.status), what + ": " + ErrorMessage(response.body));
}

DockerVersion EngineApiClient::Version() {
  auto r = Call("GET", "/version", kShortCall);
  if (r.status != 200) Fail("docker version", r);
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_object()) throw Error(ErrorCode::kInternal, "docker version: unreadable answer");
  return DockerVersion{j.value("Version", ""), j.value("ApiVersion", "")};
}

std::vector<ObservedContainer> EngineApiClient::ListContainers(const std::map<std::string, std::string>& labels) {
  auto r = Call("GET", "/containers/json?all=1&filters=" + Escape(LabelFilter(labels)), kShortCall);
  if (r.status != 200) Fail("list containers", r);
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_array()) throw Error(ErrorCode::kInternal, "list containers: unreadable answer");
  return ParseContainerList(j);
}

ContainerDetails EngineApiClient::InspectContainer(const std::string& id) {
  auto r = Call("GET", "/containers/" + Escape(id) + "/json", kShortCall);
  if (r.status != 200) Fail("inspect container " + Short(id), r);
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_object()) throw Error(ErrorCode::kInternal, "inspect container " + Short(id) + ": unreadable answer");
  return ParseContainerInspect(j);
}

void EngineApiClient::EnsureNetwork(const std::string& name) {
  std::lock_guard lock(network_mutex_);
  auto r = Call("GET", "/networks/" + Escape(name), kShortCall);
  if (r.status == 200) return;
  if (r.status != 404) Fail("inspect network " + name, r);
  auto c = Call("POST", "/networks/create", kShortCall, CreateNetworkBody(name).dump());
  if (c.status == 201 || c.status == 409) return;  // 409: someone else created it meanwhile
  Fail("create network " + name, c);
}

std::string EngineApiClient::CreateContainer(const ContainerSpec& spec, const std::string& name) {
  for (const auto& network : UserNetworks(spec)) EnsureNetwork(network);
  auto r = Call("POST", "/containers/create?name=" + Escape(name), kShortCall, CreateContainerBody(spec).dump());
  if (r.status != 201) Fail("create container " + name, r);
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("Id") || !j["Id"].is_string()) {
    throw Error(ErrorCode::kInternal, "create container " + name + ": answer without Id");
  }
  const std::string id = j["Id"].get<std::string>();
  for (const auto& network : ExtraNetworks(spec)) {
    auto c = Call("POST", "/networks/" + Escape(network) + "/connect", kShortCall, json{{"Container", id}}.dump());
    if (c.status != 200) {
      // A container missing a network would be adopted forever (its hash matches): take it back.
      try {
        RemoveContainer(id);
      } catch (const Error&) {
      }
      Fail("connect container " + name + " to network " + network, c);
    }
  }
  return id;
}

void EngineApiClient::StartContainer(const std::string& id) {
  auto r = Call("POST", "/containers/" + Escape(id) + "/start", kShortCall);
  if (r.status != 204 && r.status != 304) Fail("start container " + Short(id), r);
}

void EngineApiClient::StopContainer(const std::string& id, std::chrono::seconds timeout) {
  auto r =
      Call("POST", "/containers/" + Escape(id) + "/stop?t=" + std::to_string(timeout.count()), timeout + kShortCall);
  if (r.status != 204 && r.status != 304) Fail("stop container " + Short(id), r);
}

void EngineApiClient::RestartContainer(const std::string& id, std::chrono::seconds timeout) {
  auto r =
      Call("POST", "/containers/" + Escape(id) + "/restart?t=" + std::to_string(timeout.count()), timeout + kShortCall);
  if (r.status != 204) Fail("restart container " + Short(id), r);
}

void EngineApiClient::RemoveContainer(const std::string& id) {
  auto r = Call("DELETE", "/containers/" + Escape(id) + "?force=1&v=1", kShortCall);
  if (r.status != 204) Fail("remove container " + Short(id), r);
}

std::optional<ImageInfo> EngineApiClient::InspectImage(const std::string& reference) {
  auto r = Call("GET", "/images/" + reference + "/json", kShortCall);
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) Fail("inspect image " + reference, r);
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_object()) throw Error(ErrorCode::kInternal, "inspect image " + reference + ": unreadable answer");
  return ParseImageInspect(j);
}

void EngineApiClient::PullImage(const std::string& reference) {
  const ImageRef ref = ParseImageRef(reference);
  // The answer is a stream of JSON lines; a failed pull still answers 200 and reports
  // {"error": …} on a line of its own.
  std::string pending, failure;
  auto on_line = [&](const std::string& line) {
    const json j = json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("error") && failure.empty()) {
      failure = j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump();
    }
  };
  std::string raw;  // kept only for non-200 answers
  EngineRequest request;
  request.method = "POST";
  request.target =
      std::string(kApi) + "/images/create?fromImage=" + Escape(ref.repository) + "&tag=" + Escape(ref.PullTag());
  if (auto auth = RegistryAuthHeader(credentials_, reference)) request.headers.emplace_back("X-Registry-Auth", *auth);
  request.timeout = 0s;  // pulls may take long: give up only when dockerd stops talking (idle_limit)
  request.on_data = [&](std::string_view data) {
    if (raw.size() < 64 * 1024) raw.append(data);
    pending.append(data);
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
      on_line(pending.substr(0, nl));
      pending.erase(0, nl + 1);
    }
  };
  auto r = SendEngineRequest(endpoint_, request);
  if (!pending.empty()) on_line(pending);
  if (r.status != 200) {
    r.body = raw;
    Fail("pull " + reference, r);
  }
  if (!failure.empty()) throw Error(ErrorCode::kFailedPrecondition, "pull " + reference + ": " + failure);
}

int EngineApiClient::PruneImages() {
  // dangling=false: every unused image, not only untagged ones (the original's fix, wrk #150).
  auto r = Call("POST", "/images/prune?filters=" + Escape(R"({"dangling":["false"]})"), std::chrono::seconds(300));
  if (r.status != 200) Fail("prune images", r);
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("ImagesDeleted") || !j["ImagesDeleted"].is_array()) return 0;
  int deleted = 0;
  for (const auto& item : j["ImagesDeleted"]) deleted += item.is_object() && item.contains("Deleted");
  return deleted;
}

void EngineApiClient::WatchEvents(const std::map<std::string, std::string>& labels,
                                  const std::function<void()>& on_connected,
                                  const std::function<void(const ContainerEvent&)>& on_event, std::stop_token stop) {
  // The HTTP layer polls a flag while it waits (engine_http.cpp).
  std::atomic<bool> stopped{false};
  std::stop_callback on_stop(stop, [&] { stopped = true; });
  // dockerd sends the headers at once and then one JSON object per line, forever. An idle stream
  // is cut after 5 minutes (idle_limit); the caller reconnects, which costs one resync.
  std::string pending;
  EngineRequest request;
  request.method = "GET";
  request.target = std::string(kApi) + "/events?filters=" + Escape(ContainerEventFilter(labels));
  request.timeout = 0s;
  request.stop = &stopped;
  request.on_headers = on_connected;
  request.on_data = [&](std::string_view data) {
    pending.append(data);
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
      if (auto event = ParseContainerEvent(pending.substr(0, nl))) on_event(*event);
      pending.erase(0, nl + 1);
    }
  };
  try {
    auto r = SendEngineRequest(endpoint_, request);
    if (r.status != 200) {
      r.body = pending;
      Fail("watch events", r);
    }
  } catch (const Error&) {
    if (stopped) return;
    throw;
  }
  if (stopped) return;
  throw Error(ErrorCode::kUnavailable, "dockerd at " + endpoint_.display + ": the event stream ended");
}

}  // namespace nebula::agent
