#include "spec_diff.h"

namespace nebula::cli {

namespace {

using Json = nlohmann::ordered_json;

std::string Join(const std::string& root, const std::string& key) { return root.empty() ? key : root + "." + key; }

void Diff(const Json& before, const Json& after, const std::string& path, std::vector<FieldChange>& out) {
  if (before == after) return;
  if (before.is_object() && after.is_object()) {
    for (const auto& [key, value] : before.items()) {
      if (after.contains(key))
        Diff(value, after.at(key), Join(path, key), out);
      else
        out.push_back({FieldChange::Kind::kRemoved, Join(path, key), value, nullptr});
    }
    for (const auto& [key, value] : after.items())
      if (!before.contains(key)) out.push_back({FieldChange::Kind::kAdded, Join(path, key), nullptr, value});
    return;
  }
  if (before.is_array() && after.is_array()) {
    const size_t common = std::min(before.size(), after.size());
    for (size_t i = 0; i < common; ++i) Diff(before[i], after[i], path + "[" + std::to_string(i) + "]", out);
    for (size_t i = common; i < before.size(); ++i)
      out.push_back({FieldChange::Kind::kRemoved, path + "[" + std::to_string(i) + "]", before[i], nullptr});
    for (size_t i = common; i < after.size(); ++i)
      out.push_back({FieldChange::Kind::kAdded, path + "[" + std::to_string(i) + "]", nullptr, after[i]});
    return;
  }
  if (before.is_null())
    out.push_back({FieldChange::Kind::kAdded, path, nullptr, after});
  else if (after.is_null())
    out.push_back({FieldChange::Kind::kRemoved, path, before, nullptr});
  else
    out.push_back({FieldChange::Kind::kChanged, path, before, after});
}

}  // namespace

std::vector<FieldChange> DiffDocuments(const Json& before, const Json& after, const std::string& root) {
  std::vector<FieldChange> changes;
  Diff(before, after, root, changes);
  return changes;
}

std::string RenderChanges(const std::vector<FieldChange>& changes) {
  std::string out;
  for (const auto& change : changes) {
    switch (change.kind) {
      case FieldChange::Kind::kAdded: out += "  + " + change.path + ": " + change.after.dump() + "\n"; break;
      case FieldChange::Kind::kRemoved: out += "  - " + change.path + ": " + change.before.dump() + "\n"; break;
      case FieldChange::Kind::kChanged:
        out += "  ~ " + change.path + ": " + change.before.dump() + " -> " + change.after.dump() + "\n";
        break;
    }
  }
  return out;
}

}  // namespace nebula::cli
