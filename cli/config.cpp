#include "config.h"

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "output.h"
#include "yaml_json.h"

namespace nebula::cli {

namespace {

using Json = nlohmann::ordered_json;

std::string StringField(const Json& object, const std::string& key, const std::string& where) {
  if (!object.contains(key) || object[key].is_null()) return {};
  if (object[key].is_string()) return object[key];
  if (object[key].is_number() || object[key].is_boolean()) return object[key].dump();
  throw Error(ErrorCode::kInvalidArgument, where + "." + key + ": expected a string");
}

}  // namespace

Config ParseConfig(std::string_view yaml) {
  const auto documents = ParseYamlDocuments(yaml);
  Config config;
  if (documents.empty()) return config;
  if (documents.size() > 1) throw Error(ErrorCode::kInvalidArgument, "expected one YAML document");
  const Json& root = documents[0];
  if (!root.is_object()) throw Error(ErrorCode::kInvalidArgument, "expected a mapping at the top");
  config.current_context = StringField(root, "current-context", "");
  if (root.contains("contexts")) {
    if (!root["contexts"].is_array()) throw Error(ErrorCode::kInvalidArgument, "contexts: expected a list");
    for (size_t i = 0; i < root["contexts"].size(); ++i) {
      const Json& item = root["contexts"][i];
      const std::string where = "contexts[" + std::to_string(i) + "]";
      if (!item.is_object()) throw Error(ErrorCode::kInvalidArgument, where + ": expected a mapping");
      Context c;
      c.name = StringField(item, "name", where);
      if (c.name.empty()) throw Error(ErrorCode::kInvalidArgument, where + ".name: required");
      c.endpoint = StringField(item, "endpoint", where);
      c.token = StringField(item, "token", where);
      c.user = StringField(item, "user", where);
      c.password = StringField(item, "password", where);
      if (item.contains("tls")) {
        if (!item["tls"].is_boolean()) throw Error(ErrorCode::kInvalidArgument, where + ".tls: expected true or false");
        c.tls = item["tls"];
      }
      c.ca_cert = StringField(item, "ca-cert", where);
      c.client_cert = StringField(item, "client-cert", where);
      c.client_key = StringField(item, "client-key", where);
      if (FindContext(config, c.name))
        throw Error(ErrorCode::kInvalidArgument, where + ".name: context \"" + c.name + "\" appears twice");
      config.contexts.push_back(std::move(c));
    }
  }
  return config;
}

std::string SerializeConfig(const Config& config) {
  Json root = Json::object();
  root["current-context"] = config.current_context;
  Json contexts = Json::array();
  for (const auto& c : config.contexts) {
    Json item = Json::object();
    item["name"] = c.name;
    auto put = [&](const char* key, const std::string& value) {
      if (!value.empty()) item[key] = value;
    };
    put("endpoint", c.endpoint);
    put("token", c.token);
    put("user", c.user);
    put("password", c.password);
    if (c.tls) item["tls"] = true;
    put("ca-cert", c.ca_cert);
    put("client-cert", c.client_cert);
    put("client-key", c.client_key);
    contexts.push_back(item);
  }
  root["contexts"] = contexts;
  return "# nebula CLI config: written by `nebula login`; holds credentials (keep it mode 0600).\n" +
         JsonToYaml(root.dump());
}

const Context* FindContext(const Config& config, std::string_view name) {
  for (const auto& c : config.contexts)
    if (c.name == name) return &c;
  return nullptr;
}

void UpsertContext(Config& config, Context context) {
  for (auto& c : config.contexts) {
    if (c.name == context.name) {
      c = std::move(context);
      return;
    }
  }
  config.contexts.push_back(std::move(context));
}

Connection Resolve(const Config& config, const ConnectionOverrides& o) {
  Connection connection;
  const std::string name = o.context.value_or(config.current_context);
  if (!name.empty()) {
    const Context* c = FindContext(config, name);
    if (!c && o.context)
      throw Error(ErrorCode::kNotFound,
                  "context \"" + name + "\" is not in the config file (nebula config get-contexts)");
    if (c) {
      connection.context = c->name;
      if (!c->endpoint.empty()) connection.endpoint = c->endpoint;
      connection.token = c->token;
      connection.user = c->user;
      connection.password = c->password;
      connection.tls = c->tls;
      connection.ca_cert = c->ca_cert;
      connection.client_cert = c->client_cert;
      connection.client_key = c->client_key;
    }
  }
  if (o.endpoint) connection.endpoint = *o.endpoint;
  if (o.token) {
    connection.token = *o.token;
    connection.user.clear();
    connection.password.clear();
  }
  if (o.user) {
    connection.user = *o.user;
    if (!o.token) connection.token.clear();
    connection.password.clear();
  }
  if (o.password) connection.password = *o.password;
  if (o.tls) connection.tls = *o.tls;
  if (o.ca_cert) connection.ca_cert = *o.ca_cert;
  if (o.client_cert) connection.client_cert = *o.client_cert;
  if (o.client_key) connection.client_key = *o.client_key;
  if (!connection.ca_cert.empty() || !connection.client_cert.empty()) connection.tls = true;
  return connection;
}

std::string DefaultConfigPath(const char* nebula_config, const char* xdg_config_home, const char* home) {
  if (nebula_config && *nebula_config) return nebula_config;
  if (xdg_config_home && *xdg_config_home) return std::string(xdg_config_home) + "/nebula/config.yaml";
  return std::string(home && *home ? home : ".") + "/.config/nebula/config.yaml";
}

}  // namespace nebula::cli
