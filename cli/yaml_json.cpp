#include "yaml_json.h"

#include <yaml.h>

#include <cstdlib>
#include <regex>

#include "common/error.h"

namespace nebula::cli {

namespace {

using Json = nlohmann::ordered_json;

[[noreturn]] void Fail(const yaml_mark_t& mark, const std::string& problem) {
  throw Error(ErrorCode::kInvalidArgument,
              "line " + std::to_string(mark.line + 1) + " column " + std::to_string(mark.column + 1) + ": " + problem);
}

// YAML 1.2 core schema for plain scalars.
Json PlainScalar(const std::string& text) {
  static const std::regex integer("[-+]?[0-9]+");
  static const std::regex real("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (std::regex_match(text, integer)) {
    try {
      return std::stoll(text);
    } catch (const std::out_of_range&) {
      return text;
    }
  }
  if (std::regex_match(text, real)) return std::strtod(text.c_str(), nullptr);
  return text;
}

class Parser {
 public:
  explicit Parser(std::string_view text) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~Parser() { yaml_parser_delete(&parser_); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  std::vector<Json> Documents() {
    std::vector<Json> documents;
    Next();  // STREAM_START
    for (;;) {
      Next();
      if (event_.type == YAML_STREAM_END_EVENT) break;
      if (event_.type != YAML_DOCUMENT_START_EVENT) Fail(event_.start_mark, "expected a document");
      Next();
      Json document = Node();
      Next();  // DOCUMENT_END
      if (!document.is_null()) documents.push_back(std::move(document));
    }
    return documents;
  }

 private:
  struct Event {
    yaml_event_type_t type = YAML_NO_EVENT;
    yaml_mark_t start_mark{};
    std::string scalar;
    bool plain = false;
  };

  void Next() {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser_, &event)) {
      const std::string problem = parser_.problem ? parser_.problem : "not valid YAML";
      Fail(parser_.problem_mark, problem);
    }
    event_.type = event.type;
    event_.start_mark = event.start_mark;
    event_.scalar.clear();
    if (event.type == YAML_SCALAR_EVENT) {
      event_.scalar.assign(reinterpret_cast<const char*>(event.data.scalar.value), event.data.scalar.length);
      event_.plain = event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    }
    const bool alias = event.type == YAML_ALIAS_EVENT;
    const bool anchored = (event.type == YAML_SCALAR_EVENT && event.data.scalar.anchor) ||
                          (event.type == YAML_MAPPING_START_EVENT && event.data.mapping_start.anchor) ||
                          (event.type == YAML_SEQUENCE_START_EVENT && event.data.sequence_start.anchor);
    yaml_event_delete(&event);
    if (alias || anchored) Fail(event_.start_mark, "anchors and aliases are not supported");
  }

  // The node starting at the current event; leaves the current event at the node's last event.
  Json Node() {
    switch (event_.type) {
      case YAML_SCALAR_EVENT: return event_.plain ? PlainScalar(event_.scalar) : Json(event_.scalar);
      case YAML_SEQUENCE_START_EVENT: {
        Json list = Json::array();
        for (Next(); event_.type != YAML_SEQUENCE_END_EVENT; Next()) list.push_back(Node());
        return list;
      }
      case YAML_MAPPING_START_EVENT: {
        Json map = Json::object();
        for (Next(); event_.type != YAML_MAPPING_END_EVENT; Next()) {
          if (event_.type != YAML_SCALAR_EVENT) Fail(event_.start_mark, "mapping keys must be plain strings");
          const std::string key = event_.scalar;
          const yaml_mark_t mark = event_.start_mark;
          if (map.contains(key)) Fail(mark, "duplicate key \"" + key + "\"");
          Next();
          map[key] = Node();
        }
        return map;
      }
      default: Fail(event_.start_mark, "unexpected YAML event");
    }
  }

  yaml_parser_t parser_;
  Event event_;
};

}  // namespace

std::vector<nlohmann::ordered_json> ParseYamlDocuments(std::string_view text) {
  Parser parser(text);
  return parser.Documents();
}

}  // namespace nebula::cli
