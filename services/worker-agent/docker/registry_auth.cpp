#include "worker-agent/docker/registry_auth.h"

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace nebula::agent {

using nlohmann::json;

namespace {

constexpr std::string_view kDockerHub = "docker.io";

// "https://index.docker.io/v1/" → "docker.io"; "http://127.0.0.1:5000/" → "127.0.0.1:5000".
std::string NormalizeHost(std::string key) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (key.rfind(scheme, 0) == 0) key.erase(0, scheme.size());
  }
  key = key.substr(0, key.find('/'));
  if (key == "index.docker.io" || key == "registry-1.docker.io" || key == "registry.hub.docker.com") {
    return std::string(kDockerHub);
  }
  return key;
}

}  // namespace

std::string Base64Encode(std::string_view data, bool url) {
  const char* alphabet = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = (unsigned char)data[i] << 16 | (unsigned char)data[i + 1] << 8 | (unsigned char)data[i + 2];
    out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], alphabet[v & 63]};
  }
  if (i + 1 == data.size()) {
    const unsigned v = (unsigned char)data[i] << 16;
    out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == data.size()) {
    const unsigned v = (unsigned char)data[i] << 16 | (unsigned char)data[i + 1] << 8;
    out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], '='};
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char ch : text) {
    int v;
    if (ch >= 'A' && ch <= 'Z')
      v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z')
      v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9')
      v = ch - '0' + 52;
    else if (ch == '+' || ch == '-')
      v = 62;
    else if (ch == '/' || ch == '_')
      v = 63;
    else if (ch == '=' || ch == '\n' || ch == '\r')
      continue;
    else
      return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

std::string RegistryHost(std::string_view reference) {
  const auto slash = reference.find('/');
  if (slash == std::string_view::npos) return std::string(kDockerHub);
  const std::string_view first = reference.substr(0, slash);
  if (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos || first == "localhost") {
    return NormalizeHost(std::string(first));
  }
  return std::string(kDockerHub);
}

RegistryCredentials ParseDockerConfig(const std::string& json_text) {
  const json j = json::parse(json_text, nullptr, false);
  if (!j.is_object()) throw Error(ErrorCode::kInvalidArgument, "docker config: not a JSON object");
  RegistryCredentials out;
  if (!j.contains("auths") || !j["auths"].is_object()) return out;
  for (const auto& [key, entry] : j["auths"].items()) {
    if (!entry.is_object()) continue;
    RegistryCredential credential;
    if (entry.contains("auth") && entry["auth"].is_string()) {
      const auto decoded = Base64Decode(entry["auth"].get<std::string>());
      const auto colon = decoded ? decoded->find(':') : std::string::npos;
      if (colon == std::string::npos) continue;
      credential = {decoded->substr(0, colon), decoded->substr(colon + 1)};
    } else if (entry.contains("username") && entry["username"].is_string() && entry.contains("password") &&
               entry["password"].is_string()) {
      credential = {entry["username"].get<std::string>(), entry["password"].get<std::string>()};
    } else {
      continue;  // e.g. a credential helper's entry: nothing stored here
    }
    out[NormalizeHost(key)] = std::move(credential);
  }
  return out;
}

std::pair<std::string, RegistryCredential> ParseRegistryAuth(std::string_view text) {
  const auto eq = text.find('=');
  const std::string host = NormalizeHost(std::string(text.substr(0, eq)));
  if (eq == std::string_view::npos || host.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "registry auth: expected host=user:password");
  }
  const std::string_view rest = text.substr(eq + 1);
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    throw Error(ErrorCode::kInvalidArgument, "registry auth for " + host + ": expected host=user:password");
  }
  return {host, RegistryCredential{std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))}};
}

std::optional<std::string> RegistryAuthHeader(const RegistryCredentials& credentials, std::string_view reference) {
  const std::string host = RegistryHost(reference);
  auto it = credentials.find(host);
  if (it == credentials.end()) return std::nullopt;
  const json auth{{"username", it->second.username},
                  {"password", it->second.password},
                  {"serveraddress", host == kDockerHub ? "https://index.docker.io/v1/" : host}};
  return Base64Encode(auth.dump(), true);
}

}  // namespace nebula::agent
