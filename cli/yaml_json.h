// YAML (and therefore JSON, a subset of it) → nlohmann::json documents, for `nebula apply -f` and
// the config file. Plain scalars become JSON numbers, booleans and null where YAML 1.2's core schema
// reads them so; quoted scalars stay strings. Anchors, aliases and tags are rejected.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace nebula::cli {

// Every document of a YAML stream, in order. Throws nebula::Error(kInvalidArgument) with
// "line L column C: <problem>" when the text does not parse.
std::vector<nlohmann::ordered_json> ParseYamlDocuments(std::string_view text);

}  // namespace nebula::cli
