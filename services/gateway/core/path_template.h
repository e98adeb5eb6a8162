// google.api.http path templates, parsed and matched the way grpc-gateway v2 does it
// (internal/httprule/parse.go for the grammar, runtime/pattern.go + mux.go for matching).
// Pure: no I/O, no protobuf. The route table resolves the bound field paths against descriptors.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace nebula::gateway {

struct TemplateSegment {
  enum class Kind { kLiteral, kWildcard, kDeepWildcard };  // LITERAL, "*", "**"
  Kind kind = Kind::kLiteral;
  std::string literal;  // raw (still percent-encoded) text, compared raw like grpc-gateway

  bool operator==(const TemplateSegment&) const = default;
};

// `{field.path=segments}`: binds segments [begin, end) of the template.
struct TemplateVariable {
  std::string field_path;  // dotted, e.g. "app.name"
  std::size_t begin = 0;
  std::size_t end = 0;

  bool operator==(const TemplateVariable&) const = default;
};

struct TemplateParseError {
  std::size_t position = 0;  // byte offset into the template text
  std::string expected;      // what the grammar wanted there
  std::string found;         // what was there ("end of template" at the end)

  std::string Message() const;  // "position 7: expected ..., found ..."
};

struct PathBinding {
  std::string field_path;
  std::string value;  // percent-decoded

  bool operator==(const PathBinding&) const = default;
};

struct PathMatch {
  std::vector<PathBinding> bindings;  // in template order
};

// A captured segment held a broken percent-escape ("%4", "%zz"): grpc-gateway answers 400.
struct MalformedEscape {
  std::string sequence;  // the offending "%.." (at most 3 bytes)
};

struct NoMatch {};

using MatchOutcome = std::variant<NoMatch, PathMatch, MalformedEscape>;

class PathTemplate;
using ParseOutcome = std::variant<PathTemplate, TemplateParseError>;

class PathTemplate {
 public:
  static ParseOutcome Parse(std::string_view text);

  // `path` is the raw request path (no query string), still percent-encoded.
  MatchOutcome Match(std::string_view path) const;

  const std::string& text() const { return text_; }
  const std::vector<TemplateSegment>& segments() const { return segments_; }
  const std::vector<TemplateVariable>& variables() const { return variables_; }
  const std::string& verb() const { return verb_; }

 private:
  friend class TemplateParser;
  std::string text_;
  std::vector<TemplateSegment> segments_;
  std::vector<TemplateVariable> variables_;
  std::string verb_;
};

// Percent-decodes `text`; with keep_slash, "%2F"/"%2f" stay as they are. nullopt + `bad` on a broken
// escape.
std::optional<std::string> PercentDecode(std::string_view text, bool keep_slash, std::string* bad = nullptr);

}  // namespace nebula::gateway
