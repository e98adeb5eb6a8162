#include "output.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <array>
#include <memory>
#include <cctype>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.h"

namespace nebula::cli {

namespace {

constexpr const char* kTypeUrlPrefix = "type.googleapis.com";

// Numbers, versions and timestamps ("1.27", "2024-01-01T00:00:00Z") would come back typed: quote
// anything that starts like a number.
bool StartsLikeNumber(std::string_view text) {
  const auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  if (digit(text[0])) return true;
  return text.size() > 1 && (text[0] == '+' || text[0] == '-' || text[0] == '.') && (digit(text[1]) || text[1] == '.');
}

// True when the text can be written as a plain YAML scalar and read back as the same string.
bool IsPlainSafe(std::string_view text) {
  if (text.empty() || StartsLikeNumber(text)) return false;
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::array<std::string_view, 12> reserved = {"true", "false", "null", "~", "yes",  "no",
                                                            "on",   "off",   "y",    "n", ".inf", ".nan"};
  if (std::find(reserved.begin(), reserved.end(), lower) != reserved.end()) return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(text.front()) != std::string_view::npos) return false;
  if (text.front() == ' ' || text.back() == ' ' || text.back() == ':') return false;
  if (text.find(": ") != std::string_view::npos || text.find(" #") != std::string_view::npos) return false;
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return c >= 0x20 && c != 0x7f; });
}

std::string Scalar(const nlohmann::ordered_json& value) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    return IsPlainSafe(text) ? text : value.dump();  // a JSON string is a valid YAML double-quoted scalar
  }
  return value.dump();
}

void EmitYaml(const nlohmann::ordered_json& node, int indent, std::ostringstream& out) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      out << pad << Scalar(key) << ':';
      if (value.is_object() && !value.empty()) {
        out << '\n';
        EmitYaml(value, indent + 2, out);
      } else if (value.is_array() && !value.empty()) {
        out << '\n';
        EmitYaml(value, indent, out);
      } else {
        out << ' ' << (value.is_structured() ? value.dump() : Scalar(value)) << '\n';
      }
    }
  } else if (node.is_array()) {
    for (const auto& item : node) {
      if (item.is_object() && !item.empty()) {
        // "- first: x" then the other keys aligned under "first".
        std::ostringstream nested;
        EmitYaml(item, indent + 2, nested);
        std::string text = nested.str();
        text.replace(static_cast<size_t>(indent), 2, "- ");
        out << text;
      } else if (item.is_array() && !item.empty()) {
        out << pad << "-\n";
        EmitYaml(item, indent + 2, out);
      } else {
        out << pad << "- " << (item.is_structured() ? item.dump() : Scalar(item)) << '\n';
      }
    }
  } else {
    out << pad << Scalar(node) << '\n';
  }
}

std::string Pad(const std::string& text, size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string FormatNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

std::string ToJson(const google::protobuf::Message& message) {
  // MessageToJsonString would emit map entries in hash order; deterministic serialization sorts them
  // by key, so the same app always prints the same document.
  std::string binary;
  {
    google::protobuf::io::StringOutputStream stream(&binary);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  static const std::unique_ptr<google::protobuf::util::TypeResolver> resolver(
      google::protobuf::util::NewTypeResolverForDescriptorPool(kTypeUrlPrefix,
                                                               google::protobuf::DescriptorPool::generated_pool()));
  std::string json;
  const auto status = google::protobuf::util::BinaryToJsonString(
      resolver.get(), std::string(kTypeUrlPrefix) + "/" + message.GetDescriptor()->full_name(), binary, &json);
  if (!status.ok()) throw Error(ErrorCode::kInternal, "cannot render JSON: " + status.ToString());
  // Re-indent by two spaces, keeping the field order.
  return nlohmann::ordered_json::parse(json).dump(2) + '\n';
}

std::string JsonToYaml(std::string_view json) {
  const auto document = nlohmann::ordered_json::parse(json);
  std::ostringstream out;
  if (document.is_structured() && document.empty()) return document.dump() + "\n";
  EmitYaml(document, 0, out);
  return out.str();
}

std::string Render(const google::protobuf::Message& message, OutputFormat format) {
  switch (format) {
    case OutputFormat::kJson: return ToJson(message);
    case OutputFormat::kYaml: return JsonToYaml(ToJson(message));
    case OutputFormat::kTable: break;
  }
  throw Error(ErrorCode::kInternal, "no table view for " + message.GetTypeName());
}

std::string ContainersColumn(const v1::AppSpec& spec) {
  const auto& per = spec.containers_per();
  switch (per.per_case()) {
    case v1::ContainersPer::kCpu: return FormatNumber(per.cpu()) + "/cpu";
    case v1::ContainersPer::kMemoryMb: return "1/" + std::to_string(per.memory_mb()) + "MiB";
    case v1::ContainersPer::kInstance: return std::to_string(per.instance()) + "/host";
    case v1::ContainersPer::PER_NOT_SET: break;
  }
  return "1/host";
}

std::string Age(std::chrono::system_clock::duration age) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(age).count();
  if (seconds < 0) return "0s";  // clock skew between client and server
  if (seconds < 120) return std::to_string(seconds) + "s";
  if (seconds < 120 * 60) return std::to_string(seconds / 60) + "m";
  if (seconds < 48 * 3600) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

std::string AppTable(const std::vector<v1::App>& apps, std::chrono::system_clock::time_point now) {
  std::vector<std::array<std::string, 6>> rows = {{"NAME", "GENERATION", "IMAGE", "CONTAINERS", "RUNNING", "UPDATED"}};
  for (const auto& app : apps) {
    const auto& spec = app.spec();
    std::string updated = "-";
    if (app.has_update_time()) {
      const auto then =
          std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
              std::chrono::nanoseconds(google::protobuf::util::TimeUtil::TimestampToNanoseconds(app.update_time()))));
      updated = Age(now - then);
    }
    const bool running = !spec.has_running() || spec.running();
    rows.push_back({app.name(), std::to_string(app.generation()), spec.image(), ContainersColumn(spec),
                    running ? "yes" : "no", updated});
  }
  std::array<size_t, 6> widths{};
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) line += c + 1 < row.size() ? Pad(row[c], widths[c] + 3) : row[c];
    out += line + '\n';
  }
  return out;
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size());
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], std::max<size_t>(row[c].size(), 1));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string cell = row[c].empty() ? "-" : row[c];
      line += c + 1 < row.size() ? Pad(cell, widths[c] + 3) : cell;
    }
    out += line + '\n';
  }
  return out;
}

std::string AgeOf(const google::protobuf::Timestamp& time, bool set, std::chrono::system_clock::time_point now) {
  if (!set) return "-";
  const auto then =
      std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(google::protobuf::util::TimeUtil::TimestampToNanoseconds(time))));
  return Age(now - then);
}

}  // namespace nebula::cli
