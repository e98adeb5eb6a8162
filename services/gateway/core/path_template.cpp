#include "gateway/core/path_template.h"

#include <algorithm>

namespace nebula::gateway {
namespace {

// grpc-gateway marks the end of the token stream with a NUL token; a literal NUL token is therefore
// taken for the end too, which we copy so both parsers accept the same set of templates.
const std::string kEof(1, '\0');

struct Token {
  std::string text;
  std::size_t position = 0;
};

std::string Describe(const Token& t) {
  if (t.text == kEof) return "end of template";
  return "\"" + t.text + "\"";
}

bool IsAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }

// RFC 3986 pchar (unreserved / pct-encoded / sub-delims / ":" / "@"). Returns the offset of the first
// offending byte, or npos if `t` is a valid literal.
std::size_t FirstNonPChar(const std::string& t) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (IsAlpha(c) || IsDigit(c)) continue;
    switch (c) {
      case '-':
      case '.':
      case '_':
      case '~':
      case '!':
      case '$':
      case '&':
      case '\'':
      case '(':
      case ')':
      case '*':
      case '+':
      case ',':
      case ';':
      case '=':
      case ':':
      case '@': continue;
      case '%':
        if (i + 2 < t.size() + 0 && IsHex(t[i + 1]) && IsHex(t[i + 2])) {
          i += 2;
          continue;
        }
        return i;
      default: return i;
    }
  }
  return std::string::npos;
}

std::size_t FirstNonIdent(const std::string& t) {
  if (t.empty()) return 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (IsAlpha(c) || c == '_' || (i > 0 && IsDigit(c))) continue;
    return i;
  }
  return std::string::npos;
}

// Mirrors httprule.tokenize: splitting characters depend on whether we are outside a variable, in
// its field path, or in its "=segments" part; a trailing ":verb" is cut from the last token.
std::vector<Token> Tokenize(std::string_view text, std::string* verb) {
  std::vector<Token> tokens;
  std::string_view rest = text.substr(1);
  std::size_t offset = 1;
  enum { kInit, kField, kNested } state = kInit;
  while (!rest.empty()) {
    const char* delimiters = state == kInit ? "/{" : state == kField ? ".=}" : "/}";
    const std::size_t idx = rest.find_first_of(delimiters);
    if (idx == std::string_view::npos) {
      tokens.push_back({std::string(rest), offset});
      break;
    }
    switch (rest[idx]) {
      case '{': state = kField; break;
      case '=': state = kNested; break;
      case '}': state = kInit; break;
      default: break;
    }
    if (idx > 0) tokens.push_back({std::string(rest.substr(0, idx)), offset});
    tokens.push_back({std::string(1, rest[idx]), offset + idx});
    rest.remove_prefix(idx + 1);
    offset += idx + 1;
  }
  if (!tokens.empty()) {
    Token& last = tokens.back();
    const std::size_t colon = last.text.rfind(':');
    if (colon == 0) {
      *verb = last.text.substr(1);
      tokens.pop_back();
    } else if (colon != std::string::npos) {
      *verb = last.text.substr(colon + 1);
      last.text.resize(colon);
    }
  }
  tokens.push_back({kEof, text.size()});
  return tokens;
}

}  // namespace

std::string TemplateParseError::Message() const {
  return "position " + std::to_string(position) + ": expected " + expected + ", found " + found;
}

// Recursive descent over the token stream, the same productions as httprule's parser.
class TemplateParser {
 public:
  explicit TemplateParser(std::string_view text) : text_(text) {}

  ParseOutcome Run() {
    if (text_.empty() || text_[0] != '/') {
      return TemplateParseError{0, "a leading \"/\"", text_.empty() ? "end of template" : Quote(text_.substr(0, 1))};
    }
    PathTemplate tmpl;
    tmpl.text_ = std::string(text_);
    tokens_ = Tokenize(text_, &tmpl.verb_);
    if (!Segments(tmpl, false)) return *error_;
    if (!Accept(kEof)) {
      return TemplateParseError{Peek().position, "\"/\" or end of template", Describe(Peek())};
    }
    std::size_t deep = 0;
    for (std::size_t i = 0; i < tmpl.segments_.size(); ++i) {
      if (tmpl.segments_[i].kind == TemplateSegment::Kind::kDeepWildcard && ++deep == 2) {
        // runtime.NewPattern rejects a second "**" ("pushM appears twice").
        return TemplateParseError{deep_positions_[1], "at most one \"**\" per template", "a second \"**\""};
      }
    }
    return tmpl;
  }

 private:
  static std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }
  const Token& Peek() const { return tokens_[next_]; }

  // Punctuation terms also accept a "/" token: httprule.accept does, so "/a//" parses as "/a/*".
  bool Accept(const std::string& term) {
    const std::string& t = Peek().text;
    const bool ok = term == kEof ? t == kEof : (t == term || t == "/");
    if (ok) ++next_;
    return ok;
  }

  bool Fail(std::size_t position, std::string expected, std::string found) {
    if (!error_) error_ = TemplateParseError{position, std::move(expected), std::move(found)};
    return false;
  }

  bool Segments(PathTemplate& tmpl, bool in_variable) {
    if (!Segment(tmpl, in_variable)) return false;
    while (Accept("/")) {
      if (!Segment(tmpl, in_variable)) return false;
    }
    return true;
  }

  bool Segment(PathTemplate& tmpl, bool in_variable) {
    const Token& t = Peek();
    if (Accept("*")) {
      tmpl.segments_.push_back({TemplateSegment::Kind::kWildcard, {}});
      return true;
    }
    if (Accept("**")) {
      deep_positions_.push_back(t.position);
      tmpl.segments_.push_back({TemplateSegment::Kind::kDeepWildcard, {}});
      return true;
    }
    if (t.text == "{") {
      if (in_variable) return Fail(t.position, "a literal, \"*\" or \"**\" (variables cannot nest)", "\"{\"");
      return Variable(tmpl);
    }
    if (t.text == kEof) return Fail(t.position, "a path segment", "end of template");
    const std::size_t bad = FirstNonPChar(t.text);
    if (bad != std::string::npos) {
      return Fail(t.position + bad, "a path segment (\"*\", \"**\", \"{field}\" or RFC 3986 pchars)",
                  Quote(t.text.substr(bad, 1)) + " in " + Quote(t.text));
    }
    ++next_;
    tmpl.segments_.push_back({TemplateSegment::Kind::kLiteral, t.text});
    return true;
  }

  bool Variable(PathTemplate& tmpl) {
    ++next_;  // "{"
    std::string path;
    if (!Ident(path)) return false;
    while (Accept(".")) {
      std::string component;
      if (!Ident(component)) return false;
      path += "." + component;
    }
    TemplateVariable var{path, tmpl.segments_.size(), 0};
    if (Accept("=")) {
      if (!Segments(tmpl, true)) return false;
    } else {
      tmpl.segments_.push_back({TemplateSegment::Kind::kWildcard, {}});
    }
    if (!Accept("}")) return Fail(Peek().position, "\"}\" closing variable \"" + path + "\"", Describe(Peek()));
    var.end = tmpl.segments_.size();
    tmpl.variables_.push_back(std::move(var));
    return true;
  }

  bool Ident(std::string& out) {
    const Token& t = Peek();
    if (t.text == kEof) return Fail(t.position, "a field name", "end of template");
    const std::size_t bad = FirstNonIdent(t.text);
    if (bad != std::string::npos) {
      return Fail(t.position + bad, "a field name ([A-Za-z_][A-Za-z0-9_]*)",
                  t.text.empty() ? "nothing" : Quote(t.text));
    }
    ++next_;
    out = t.text;
    return true;
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  std::size_t next_ = 0;
  std::vector<std::size_t> deep_positions_;
  std::optional<TemplateParseError> error_;
};

ParseOutcome PathTemplate::Parse(std::string_view text) { return TemplateParser(text).Run(); }

std::optional<std::string> PercentDecode(std::string_view text, bool keep_slash, std::string* bad) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() + 0 || !IsHex(text[i + 1]) || !IsHex(text[i + 2])) {
      if (bad) *bad = std::string(text.substr(i, 3));
      return std::nullopt;
    }
    auto nibble = [](char c) { return IsDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10; };
    const char decoded = static_cast<char>(nibble(text[i + 1]) * 16 + nibble(text[i + 2]));
    if (keep_slash && decoded == '/') {
      out.append(text.substr(i, 3));
    } else {
      out += decoded;
    }
    i += 2;
  }
  return out;
}

// runtime.Pattern.MatchAndEscape with UnescapingModeAllExceptSlash, segment by segment in template
// order, so a broken escape is reported exactly when grpc-gateway reports it.
MatchOutcome PathTemplate::Match(std::string_view path) const {
  if (path.empty() || path[0] != '/') return NoMatch{};
  std::vector<std::string_view> components;
  for (std::string_view rest = path.substr(1);;) {
    const std::size_t slash = rest.find('/');
    components.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (!verb_.empty()) {
    // mux.go: the verb must be a ":verb" suffix of the last component, with something before it.
    std::string_view& last = components.back();
    const std::size_t suffix = verb_.size() + 1;
    if (last.size() <= suffix || last.substr(last.size() - suffix, 1) != ":" ||
        last.substr(last.size() - verb_.size()) != verb_) {
      return NoMatch{};
    }
    last.remove_suffix(suffix);
  }

  const auto deep = std::find_if(segments_.begin(), segments_.end(), [](const TemplateSegment& s) {
    return s.kind == TemplateSegment::Kind::kDeepWildcard;
  });
  const std::size_t tail = deep == segments_.end() ? 0 : static_cast<std::size_t>(segments_.end() - deep) - 1;
  const std::size_t n = components.size();
  std::vector<std::string> values(segments_.size());
  std::size_t pos = 0;
  std::string bad;
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const TemplateSegment& seg = segments_[i];
    if (seg.kind == TemplateSegment::Kind::kDeepWildcard) {
      if (n < pos + tail) return NoMatch{};
      std::string joined;
      for (std::size_t c = pos; c < n - tail; ++c) {
        if (c > pos) joined += '/';
        joined += components[c];
      }
      auto decoded = PercentDecode(joined, true, &bad);
      if (!decoded) return MalformedEscape{bad};
      values[i] = std::move(*decoded);
      pos = n - tail;
      continue;
    }
    if (pos >= n) return NoMatch{};
    const std::string_view c = components[pos++];
    if (seg.kind == TemplateSegment::Kind::kLiteral) {
      if (c != seg.literal) return NoMatch{};
      values[i] = std::string(c);
      continue;
    }
    auto decoded = PercentDecode(c, false, &bad);
    if (!decoded) return MalformedEscape{bad};
    values[i] = std::move(*decoded);
  }
  if (pos < n) return NoMatch{};

  PathMatch match;
  for (const TemplateVariable& var : variables_) {
    std::string value;
    for (std::size_t i = var.begin; i < var.end; ++i) {
      if (i > var.begin) value += '/';
      value += values[i];
    }
    match.bindings.push_back({var.field_path, std::move(value)});
  }
  return match;
}

}  // namespace nebula::gateway
