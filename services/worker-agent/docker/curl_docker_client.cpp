#include "docker/curl_docker_client.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "docker/docker_json.h"
#include "docker/image_ref.h"
#include "error.h"

namespace nebula::agent {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr auto kShortCall = 30s;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Escape(const std::string& text) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(curl_easy_escape(nullptr, text.c_str(), int(text.size())),
                                                      &curl_free);
  return escaped ? std::string(escaped.get()) : text;
}

struct Sink {
  std::string* body;
  const std::function<void(std::string_view)>* on_data;
};

size_t Write(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  if (sink->on_data && *sink->on_data) {
    (*sink->on_data)(std::string_view(data, n));
  } else {
    sink->body->append(data, n);
  }
  return n;
}

// Called about once a second even while the stream is idle: non-zero aborts the transfer.
int AbortWhenStopping(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

// The empty line ends the headers.
size_t HeaderLine(char* data, size_t size, size_t count, void* user) {
  const std::string_view line(data, size * count);
  if (line == "\r\n" || line == "\n") (*static_cast<const std::function<void()>*>(user))();
  return size * count;
}

// Container ids in messages: 12 characters, as docker ps shows them.
std::string Short(const std::string& id) { return id.substr(0, 12); }

ErrorCode CodeForStatus(long status) {
  switch (status) {
    case 400: return ErrorCode::kInvalidArgument;
    case 404: return ErrorCode::kNotFound;
    case 409: return ErrorCode::kAlreadyExists;
    default: return ErrorCode::kInternal;
  }
}

}  // namespace

CurlDockerClient::CurlDockerClient(const std::string& docker_host, RegistryCredentials credentials)
    : credentials_(std::move(credentials)), host_(docker_host) {
  GlobalInit();
  constexpr std::string_view kUnix = "unix://", kTcp = "tcp://";
  if (docker_host.rfind(kTcp, 0) == 0 && docker_host.size() > kTcp.size()) {
    base_url_ = "http://" + docker_host.substr(kTcp.size()) + "/v1.41";
    return;
  }
  socket_path_ = docker_host.rfind(kUnix, 0) == 0 ? docker_host.substr(kUnix.size()) : docker_host;
  if (socket_path_.empty() || socket_path_.front() != '/') {
    throw Error(ErrorCode::kInvalidArgument,
                "docker host \"" + docker_host + "\": expected unix:///absolute/path or tcp://host:port");
  }
  base_url_ = "http://localhost/v1.41";  // the host part is ignored on a unix socket
}

CurlDockerClient::Response CurlDockerClient::Request(const std::string& method, const std::string& path,
                                                     const std::string& body, std::chrono::seconds timeout,
                                                     const std::function<void(std::string_view)>& on_data,
                                                     const std::atomic<bool>* stop,
                                                     const std::function<void()>* on_headers,
                                                     const std::vector<std::string>& extra_headers) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw Error(ErrorCode::kInternal, "curl_easy_init failed");
  Response response;
  Sink sink{&response.body, &on_data};
  const std::string url = base_url_ + path;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  if (!socket_path_.empty()) curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket_path_.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
  if (timeout.count() > 0) {
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));
  } else {
    // Pulls may take long; give up only when dockerd stops talking.
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 300L);
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, &curl_slist_free_all);
  for (const auto& h : extra_headers) headers.reset(curl_slist_append(headers.release(), h.c_str()));
  if (method == "POST") headers.reset(curl_slist_append(headers.release(), "Content-Type: application/json"));
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (method == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  if (stop) {
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &AbortWhenStopping);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, stop);
  }
  if (on_headers && *on_headers) {
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &HeaderLine);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, on_headers);
  }
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    const std::string endpoint = path.substr(0, path.find('?'));
    throw Error(ErrorCode::kUnavailable, "dockerd at " + host_ + ": " + method + " " + endpoint + ": " +
                                             (error[0] ? error : curl_easy_strerror(rc)));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

void CurlDockerClient::Fail(const std::string& what, const Response& response) {
  throw Error(CodeForStatus(response.status), what + ": " + ErrorMessage(response.body));
}

DockerVersion CurlDockerClient::Version() {
  auto r = Request("GET", "/version", "", kShortCall);
  if (r.status != 200) Fail("docker version", r);
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_object()) throw Error(ErrorCode::kInternal, "docker version: unreadable answer");
  return DockerVersion{j.value("Version", ""), j.value("ApiVersion", "")};
}

std::vector<ObservedContainer> CurlDockerClient::ListContainers(const std::map<std::string, std::string>& labels) {
  auto r = Request("GET", "/containers/json?all=1&filters=" + Escape(LabelFilter(labels)), "", kShortCall);
  if (r.status != 200) Fail("list containers", r);
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_array()) throw Error(ErrorCode::kInternal, "list containers: unreadable answer");
  return ParseContainerList(j);
}

ContainerDetails CurlDockerClient::InspectContainer(const std::string& id) {
  auto r = Request("GET", "/containers/" + Escape(id) + "/json", "", kShortCall);
  if (r.status != 200) Fail("inspect container " + Short(id), r);
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_object()) throw Error(ErrorCode::kInternal, "inspect container " + Short(id) + ": unreadable answer");
  return ParseContainerInspect(j);
}

void CurlDockerClient::EnsureNetwork(const std::string& name) {
  std::lock_guard lock(network_mutex_);
  auto r = Request("GET", "/networks/" + Escape(name), "", kShortCall);
  if (r.status == 200) return;
  if (r.status != 404) Fail("inspect network " + name, r);
  auto c = Request("POST", "/networks/create", CreateNetworkBody(name).dump(), kShortCall);
  if (c.status == 201 || c.status == 409) return;  // 409: someone else created it meanwhile
  Fail("create network " + name, c);
}

std::string CurlDockerClient::CreateContainer(const ContainerSpec& spec, const std::string& name) {
  for (const auto& network : UserNetworks(spec)) EnsureNetwork(network);
  auto r = Request("POST", "/containers/create?name=" + Escape(name), CreateContainerBody(spec).dump(), kShortCall);
  if (r.status != 201) Fail("create container " + name, r);
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("Id") || !j["Id"].is_string()) {
    throw Error(ErrorCode::kInternal, "create container " + name + ": answer without Id");
  }
  const std::string id = j["Id"].get<std::string>();
  for (const auto& network : ExtraNetworks(spec)) {
    auto c = Request("POST", "/networks/" + Escape(network) + "/connect", json{{"Container", id}}.dump(), kShortCall);
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

void CurlDockerClient::StartContainer(const std::string& id) {
  auto r = Request("POST", "/containers/" + Escape(id) + "/start", "", kShortCall);
  if (r.status != 204 && r.status != 304) Fail("start container " + Short(id), r);
}

void CurlDockerClient::StopContainer(const std::string& id, std::chrono::seconds timeout) {
  auto r = Request("POST", "/containers/" + Escape(id) + "/stop?t=" + std::to_string(timeout.count()), "",
                   timeout + kShortCall);
  if (r.status != 204 && r.status != 304) Fail("stop container " + Short(id), r);
}

void CurlDockerClient::RestartContainer(const std::string& id, std::chrono::seconds timeout) {
  auto r = Request("POST", "/containers/" + Escape(id) + "/restart?t=" + std::to_string(timeout.count()), "",
                   timeout + kShortCall);
  if (r.status != 204) Fail("restart container " + Short(id), r);
}

void CurlDockerClient::RemoveContainer(const std::string& id) {
  auto r = Request("DELETE", "/containers/" + Escape(id) + "?force=1&v=1", "", kShortCall);
  if (r.status != 204) Fail("remove container " + Short(id), r);
}

std::optional<ImageInfo> CurlDockerClient::InspectImage(const std::string& reference) {
  auto r = Request("GET", "/images/" + reference + "/json", "", kShortCall);
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) Fail("inspect image " + reference, r);
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_object()) throw Error(ErrorCode::kInternal, "inspect image " + reference + ": unreadable answer");
  return ParseImageInspect(j);
}

void CurlDockerClient::PullImage(const std::string& reference) {
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
  std::vector<std::string> headers;
  if (auto auth = RegistryAuthHeader(credentials_, reference)) headers.push_back("X-Registry-Auth: " + *auth);
  auto r = Request("POST", "/images/create?fromImage=" + Escape(ref.repository) + "&tag=" + Escape(ref.PullTag()), "",
                   std::chrono::seconds(0), [&](std::string_view data) {
                     if (raw.size() < 64 * 1024) raw.append(data);
                     pending.append(data);
                     for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
                       on_line(pending.substr(0, nl));
                       pending.erase(0, nl + 1);
                     }
                   },
                   nullptr, nullptr, headers);
  if (!pending.empty()) on_line(pending);
  if (r.status != 200) {
    r.body = raw;
    Fail("pull " + reference, r);
  }
  if (!failure.empty()) throw Error(ErrorCode::kFailedPrecondition, "pull " + reference + ": " + failure);
}

int CurlDockerClient::PruneImages() {
  // dangling=false: every unused image, not only untagged ones (the original's fix, wrk #150).
  auto r = Request("POST", "/images/prune?filters=" + Escape(R"({"dangling":["false"]})"), "", std::chrono::seconds(300));
  if (r.status != 200) Fail("prune images", r);
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("ImagesDeleted") || !j["ImagesDeleted"].is_array()) return 0;
  int deleted = 0;
  for (const auto& item : j["ImagesDeleted"]) deleted += item.is_object() && item.contains("Deleted");
  return deleted;
}

void CurlDockerClient::WatchEvents(const std::map<std::string, std::string>& labels,
                                   const std::function<void()>& on_connected,
                                   const std::function<void(const ContainerEvent&)>& on_event,
                                   const std::atomic<bool>& stop) {
  // dockerd sends the headers at once and then one JSON object per line, forever. An idle stream
  // is cut after 5 minutes (LOW_SPEED_TIME); the caller reconnects, which costs one resync.
  std::string pending;
  try {
    auto r = Request("GET", "/events?filters=" + Escape(ContainerEventFilter(labels)), "", std::chrono::seconds(0),
                     [&](std::string_view data) {
                       pending.append(data);
                       for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
                         if (auto event = ParseContainerEvent(pending.substr(0, nl))) on_event(*event);
                         pending.erase(0, nl + 1);
                       }
                     },
                     &stop, &on_connected);
    if (r.status != 200) {
      r.body = pending;
      Fail("watch events", r);
    }
  } catch (const Error&) {
    if (stop) return;
    throw;
  }
  if (stop) return;
  throw Error(ErrorCode::kUnavailable, "dockerd at " + host_ + ": the event stream ended");
}

}  // namespace nebula::agent
