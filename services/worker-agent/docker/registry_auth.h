// Registry credentials for pulls: from a docker config.json (`auths` entries, as `docker login`
// writes them) and from explicit host=user:password settings, which win. dockerd takes them per
// pull in the X-Registry-Auth header, so one host's credentials never go to another registry.
// Credentials never appear in logs or error messages.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace nebula::agent {

struct RegistryCredential {
  std::string username;
  std::string password;
};

// By registry host ("127.0.0.1:5000", "docker.io").
using RegistryCredentials = std::map<std::string, RegistryCredential>;

// The registry host of an image reference, as docker resolves it: the first path component when it
// looks like a host (has '.' or ':' or is "localhost"), else "docker.io".
std::string RegistryHost(std::string_view reference);

// The `auths` of a docker config.json: keys may be "host", "https://host/v1/", …; values carry
// "auth" (base64 of user:password) or "username"/"password". Entries it cannot read are skipped;
// unreadable JSON throws nebula::Error(kInvalidArgument) without quoting the content.
RegistryCredentials ParseDockerConfig(const std::string& json_text);

// "host=user:password" (the password may contain ':' and '='). Throws kInvalidArgument, naming the
// host but never the password.
std::pair<std::string, RegistryCredential> ParseRegistryAuth(std::string_view text);

// The X-Registry-Auth header value (base64url of {"username","password","serveraddress"}) for a
// pull of `reference`, or nullopt when there are no credentials for its registry.
std::optional<std::string> RegistryAuthHeader(const RegistryCredentials& credentials, std::string_view reference);

std::string Base64Encode(std::string_view data, bool url);
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace nebula::agent
