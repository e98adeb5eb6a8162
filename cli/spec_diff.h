// A readable field-level difference between two documents (the proto3 JSON of a current and a
// desired spec): what `nebula apply` prints before it changes anything. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nebula::cli {

struct FieldChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind;
  std::string path;               // "spec.env.MODE", "spec.ports[1]"
  nlohmann::ordered_json before;  // null when added
  nlohmann::ordered_json after;   // null when removed
  bool operator==(const FieldChange&) const = default;
};

// Objects are compared key by key, arrays index by index; anything else as a whole value. A path
// names the deepest field that differs. Order: before's keys first, then keys only in after.
std::vector<FieldChange> DiffDocuments(const nlohmann::ordered_json& before, const nlohmann::ordered_json& after,
                                       const std::string& root = {});

// "  + spec.env.MODE: \"prod\"", "  - spec.ports[1]: {...}", "  ~ spec.image: \"a\" -> \"b\"", one per line.
std::string RenderChanges(const std::vector<FieldChange>& changes);

}  // namespace nebula::cli
