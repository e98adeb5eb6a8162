// Translation between the agent's structs and the Engine API's JSON (v1.41). Pure, so the exact
// request bodies are unit-tested without a daemon.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "worker-agent/core/container_spec.h"
#include "worker-agent/core/observed_container.h"
#include "worker-agent/docker/docker_client.h"

namespace nebula::agent {

// Body of POST /containers/create. The first network is the network mode; the Engine API 1.41
// takes one endpoint at create, so the others are connected afterwards (ExtraNetworks).
nlohmann::json CreateContainerBody(const ContainerSpec& spec);
std::vector<std::string> ExtraNetworks(const ContainerSpec& spec);
// The spec's networks that are user networks (not bridge, host, none or default): the agent
// creates them (bridge driver) when dockerd does not have them yet.
std::vector<std::string> UserNetworks(const ContainerSpec& spec);
// Body of POST /networks/create for a user network the agent creates.
nlohmann::json CreateNetworkBody(const std::string& name);

// GET /containers/json
std::vector<ObservedContainer> ParseContainerList(const nlohmann::json& list);
// GET /containers/{id}/json
ContainerDetails ParseContainerInspect(const nlohmann::json& inspect);
// GET /images/{name}/json
ImageInfo ParseImageInspect(const nlohmann::json& inspect);

// dockerd's words for a container's state and health ("running", "healthy"); unknown words → kUnknown
// / kNone. The only place the agent reads them: everything after compares the enums.
ContainerState ParseContainerState(std::string_view word);
Health ParseHealth(std::string_view word);
// "Up 5 minutes (healthy)" → kHealthy; "(health: starting)" → kStarting; none → kNone.
Health HealthFromStatus(const std::string& status);

// Label filter for GET /containers/json: {"label":["k=v",…]}.
std::string LabelFilter(const std::map<std::string, std::string>& labels);

// Filter for GET /events: {"label":["k=v",…],"type":["container"]}.
std::string ContainerEventFilter(const std::map<std::string, std::string>& labels);
// One JSON line of GET /events; nullopt for anything but a readable container event.
std::optional<ContainerEvent> ParseContainerEvent(const std::string& line);

// The "message" of a Docker error body, or the raw body when it is not JSON.
std::string ErrorMessage(const std::string& body);

}  // namespace nebula::agent
