#include "gateway/core/proto_json_writer.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace nebula::gateway {
namespace {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

// The google.protobuf types protojson prints in a form of their own (well_known_types.go).
enum class Wkt { kNone, kAny, kTimestamp, kDuration, kWrapper, kStruct, kListValue, kValue, kFieldMask, kEmpty };

Wkt WellKnownKind(const pb::Descriptor& d) {
  if (d.file()->package() != "google.protobuf") return Wkt::kNone;
  const std::string& name = d.name();
  if (name == "Timestamp") return Wkt::kTimestamp;
  if (name == "Duration") return Wkt::kDuration;
  if (name == "Any") return Wkt::kAny;
  if (name == "Struct") return Wkt::kStruct;
  if (name == "ListValue") return Wkt::kListValue;
  if (name == "Value") return Wkt::kValue;
  if (name == "FieldMask") return Wkt::kFieldMask;
  if (name == "Empty") return Wkt::kEmpty;
  if (name == "DoubleValue" || name == "FloatValue" || name == "Int64Value" || name == "UInt64Value" ||
      name == "Int32Value" || name == "UInt32Value" || name == "BoolValue" || name == "StringValue" ||
      name == "BytesValue") {
    return Wkt::kWrapper;
  }
  return Wkt::kNone;
}

template <class Int>
void AppendInt(Int value, std::string& out) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  out.append(buf, static_cast<std::size_t>(end - buf));
}

template <class Int>
void AppendQuotedInt(Int value, std::string& out) {
  out += '"';
  AppendInt(value, out);
  out += '"';
}

// protojson's appendFloat (encoding/json rules): shortest round-trip digits for the field's width,
// exponent form only below 1e-6 or from 1e21 on, "e-07" shortened to "e-7".
template <class Float>
void AppendFloat(Float value, std::string& out) {
  if (std::isnan(value)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  const Float magnitude = std::fabs(value);
  const bool exponent = magnitude != 0 && (magnitude < Float(1e-6) || magnitude >= Float(1e21));
  char buf[64];
  auto end =
      std::to_chars(buf, buf + sizeof buf, value, exponent ? std::chars_format::scientific : std::chars_format::fixed)
          .ptr;
  std::size_t n = static_cast<std::size_t>(end - buf);
  if (exponent && n >= 4 && buf[n - 4] == 'e' && buf[n - 3] == '-' && buf[n - 2] == '0') {
    buf[n - 2] = buf[n - 1];
    --n;
  }
  out.append(buf, n);
}

void AppendBase64(const std::string& bytes, std::string& out) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out += '"';
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
    const char quad[4] = {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], kAlphabet[v & 63]};
    out.append(quad, 4);
  }
  if (n - i == 1) {
    const std::uint32_t v = std::uint32_t{p[i]} << 16;
    const char quad[4] = {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], '=', '='};
    out.append(quad, 4);
  } else if (n - i == 2) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8);
    const char quad[4] = {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
    out.append(quad, 4);
  }
  out += '"';
}

// Length of the valid UTF-8 sequence starting at s[0] (strict: no overlongs, surrogates or > U+10FFFF),
// 0 when it is not one.
std::size_t Utf8SequenceLength(const unsigned char* s, std::size_t left) {
  const unsigned char c = s[0];
  auto cont = [&](std::size_t k) { return k < left && (s[k] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && s[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && s[1] >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && s[1] < 0x90) return 0;
    if (c == 0xF4 && s[1] >= 0x90) return 0;
    return 4;
  }
  return 0;
}

// "2006-01-02T15:04:05" of a Unix time (proleptic Gregorian, days-from-civil inverse).
void AppendCivilTime(std::int64_t seconds, std::string& out) {
  std::int64_t days = seconds / 86400;
  std::int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char buf[20];
  auto two = [](char* p, std::int64_t v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  buf[0] = static_cast<char>('0' + year / 1000);
  buf[1] = static_cast<char>('0' + year / 100 % 10);
  buf[2] = static_cast<char>('0' + year / 10 % 10);
  buf[3] = static_cast<char>('0' + year % 10);
  buf[4] = '-';
  two(buf + 5, month);
  buf[7] = '-';
  two(buf + 8, day);
  buf[10] = 'T';
  two(buf + 11, rem / 3600);
  buf[13] = ':';
  two(buf + 14, rem / 60 % 60);
  buf[16] = ':';
  two(buf + 17, rem % 60);
  out.append(buf, 19);
}

// ".5", ".500001", ".000000001": nanoseconds with 0, 3, 6 or 9 digits, as protojson trims them.
void AppendFraction(std::int32_t nanos, std::string& out) {
  if (nanos == 0) return;
  char buf[10];
  buf[0] = '.';
  std::int32_t v = nanos;
  for (int i = 9; i >= 1; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  std::size_t n = 10;
  if (nanos % 1000000 == 0) {
    n = 4;
  } else if (nanos % 1000 == 0) {
    n = 7;
  }
  out.append(buf, n);
}

// protojson's FieldMask rule: each path must be a valid proto full name whose lowerCamel form maps
// back to it (strs.JSONCamelCase / JSONSnakeCase); anything else is refused, not escaped.
bool AppendCamelPath(const std::string& path, std::string& out) {
  bool segment_start = true;
  for (char c : path) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (c == '.') {
      if (segment_start) return false;
      segment_start = true;
      continue;
    }
    if (!(letter || (digit && !segment_start))) return false;
    segment_start = false;
  }
  if (segment_start) return false;  // empty, or a trailing '.'
  const std::size_t mark = out.size();
  bool was_underscore = false;
  for (char c : path) {
    if (c != '_') {
      if (was_underscore && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      out += c;
    }
    was_underscore = c == '_';
  }
  std::string snake;
  for (std::size_t i = mark; i < out.size(); ++i) {
    const char c = out[i];
    if (c >= 'A' && c <= 'Z') {
      snake += '_';
      snake += static_cast<char>(c - 'A' + 'a');
    } else {
      snake += c;
    }
  }
  return snake == path;
}

// What the writer needs of a field, computed once per descriptor (descriptor accessors such as type()
// go through a once-flag each call, and json_name needs quoting).
struct FieldPlan {
  const FD* field;
  std::string key;  // "jsonName":
  FD::CppType cpp_type;
  bool repeated;
  bool map;
  bool bytes;
  bool presence;    // HasField decides whether it is set
  bool unset_null;  // unset prints null (singular messages, proto2 scalars); else unset is left out
  bool null_enum;   // google.protobuf.NullValue
  const FieldPlan* map_value = nullptr;  // the entry's value field, for maps
};

struct MessagePlan {
  Wkt kind = Wkt::kNone;
  std::vector<FieldPlan> fields;
  std::vector<std::unique_ptr<FieldPlan>> entry_values;  // owns the FieldPlan::map_value targets
};

FieldPlan MakeFieldPlan(const FD& f) {
  FieldPlan p{};
  p.field = &f;
  p.key = "\"" + f.json_name() + "\":";
  p.cpp_type = f.cpp_type();
  p.repeated = f.is_repeated();
  p.map = f.is_map();
  p.bytes = f.type() == FD::TYPE_BYTES;
  p.presence = !f.is_repeated() && f.has_presence();
  p.unset_null = p.presence && f.containing_oneof() == nullptr &&
                 (p.cpp_type == FD::CPPTYPE_MESSAGE || f.file()->syntax() == pb::FileDescriptor::SYNTAX_PROTO2);
  p.null_enum = p.cpp_type == FD::CPPTYPE_ENUM && f.enum_type()->full_name() == "google.protobuf.NullValue";
  return p;
}

// Plans live as long as the process (generated descriptors do too); one cache per thread, no locks.
const MessagePlan& PlanOf(const pb::Descriptor* d) {
  thread_local std::unordered_map<const pb::Descriptor*, std::unique_ptr<MessagePlan>> cache;
  auto it = cache.find(d);
  if (it != cache.end()) return *it->second;
  auto plan = std::make_unique<MessagePlan>();
  plan->kind = WellKnownKind(*d);
  for (int i = 0; i < d->field_count(); ++i) {
    plan->fields.push_back(MakeFieldPlan(*d->field(i)));
    if (plan->fields.back().map) {
      plan->entry_values.push_back(
          std::make_unique<FieldPlan>(MakeFieldPlan(*d->field(i)->message_type()->map_value())));
      plan->fields.back().map_value = plan->entry_values.back().get();
    }
  }
  return *cache.emplace(d, std::move(plan)).first->second;
}

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void Message(const pb::Message& m) {
    const pb::Reflection& r = *m.GetReflection();
    const MessagePlan& plan = PlanOf(m.GetDescriptor());
    if (plan.kind != Wkt::kNone) return WellKnown(m, plan.kind);
    out_ += '{';
    Fields(m, r, plan, true);
    out_ += '}';
  }

  // Only the fields (no braces); `first` says whether a comma is due before the first one.
  void Fields(const pb::Message& m, const pb::Reflection& r, const MessagePlan& plan, bool first) {
    for (const FieldPlan& f : plan.fields) {
      if (f.presence && !r.HasField(m, f.field)) {
        if (!f.unset_null) continue;  // real oneofs and proto3 `optional`
        Name(f, first);
        out_ += "null";
        continue;
      }
      Name(f, first);
      Field(m, r, f);
    }
  }

  void Field(const pb::Message& m, const pb::Reflection& r, const FieldPlan& f) {
    if (f.map) return Map(m, r, f);
    if (f.repeated) {
      const int n = r.FieldSize(m, f.field);
      out_ += '[';
      for (int i = 0; i < n; ++i) {
        if (i > 0) out_ += ',';
        Value(m, r, f, i);
      }
      out_ += ']';
      return;
    }
    Value(m, r, f, -1);
  }

  // Element `index` of a repeated field, or the singular field when index < 0.
  void Value(const pb::Message& m, const pb::Reflection& r, const FieldPlan& p, int index) {
    const FD* f = p.field;
    const bool rep = index >= 0;
    switch (p.cpp_type) {
      case FD::CPPTYPE_INT32: return AppendInt(rep ? r.GetRepeatedInt32(m, f, index) : r.GetInt32(m, f), out_);
      case FD::CPPTYPE_UINT32: return AppendInt(rep ? r.GetRepeatedUInt32(m, f, index) : r.GetUInt32(m, f), out_);
      case FD::CPPTYPE_INT64: return AppendQuotedInt(rep ? r.GetRepeatedInt64(m, f, index) : r.GetInt64(m, f), out_);
      case FD::CPPTYPE_UINT64: return AppendQuotedInt(rep ? r.GetRepeatedUInt64(m, f, index) : r.GetUInt64(m, f), out_);
      case FD::CPPTYPE_DOUBLE: return AppendFloat(rep ? r.GetRepeatedDouble(m, f, index) : r.GetDouble(m, f), out_);
      case FD::CPPTYPE_FLOAT: return AppendFloat(rep ? r.GetRepeatedFloat(m, f, index) : r.GetFloat(m, f), out_);
      case FD::CPPTYPE_BOOL:
        out_ += (rep ? r.GetRepeatedBool(m, f, index) : r.GetBool(m, f)) ? "true" : "false";
        return;
      case FD::CPPTYPE_ENUM:
        if (p.null_enum) {
          out_ += "null";
          return;
        }
        return Enum(*f, rep ? r.GetRepeatedEnumValue(m, f, index) : r.GetEnumValue(m, f));
      case FD::CPPTYPE_STRING: {
        std::string scratch;
        const std::string& s =
            rep ? r.GetRepeatedStringReference(m, f, index, &scratch) : r.GetStringReference(m, f, &scratch);
        if (p.bytes) return AppendBase64(s, out_);
        return AppendJsonString(s, out_);
      }
      case FD::CPPTYPE_MESSAGE: return Message(rep ? r.GetRepeatedMessage(m, f, index) : r.GetMessage(m, f));
    }
  }

  void Enum(const FD& f, int number) {
    if (const pb::EnumValueDescriptor* value = f.enum_type()->FindValueByNumber(number)) {
      out_ += '"';
      out_ += value->name();
      out_ += '"';
      return;
    }
    AppendInt(number, out_);
  }

  // protojson sorts map keys (order.GenericKeyOrder): false before true, numbers numerically, strings
  // bytewise.
  void Map(const pb::Message& m, const pb::Reflection& r, const FieldPlan& f) {
    const int n = r.FieldSize(m, f.field);
    if (n == 0) {
      out_ += "{}";
      return;
    }
    const FD& key_field = *f.field->message_type()->map_key();
    const FD::CppType key_type = key_field.cpp_type();
    struct Entry {
      const pb::Message* message;
      const std::string* text;  // string keys
      std::int64_t signed_key;
      std::uint64_t unsigned_key;
    };
    Entry small[8];
    std::vector<Entry> large;
    Entry* entries = small;
    if (n > 8) {
      large.resize(static_cast<std::size_t>(n));
      entries = large.data();
    }
    std::string scratch;
    for (int i = 0; i < n; ++i) {
      const pb::Message& entry = r.GetRepeatedMessage(m, f.field, i);
      const pb::Reflection& er = *entry.GetReflection();
      Entry e{&entry, nullptr, 0, 0};
      switch (key_type) {
        case FD::CPPTYPE_STRING: e.text = &er.GetStringReference(entry, &key_field, &scratch); break;
        case FD::CPPTYPE_BOOL: e.unsigned_key = er.GetBool(entry, &key_field) ? 1 : 0; break;
        case FD::CPPTYPE_INT32: e.signed_key = er.GetInt32(entry, &key_field); break;
        case FD::CPPTYPE_INT64: e.signed_key = er.GetInt64(entry, &key_field); break;
        case FD::CPPTYPE_UINT32: e.unsigned_key = er.GetUInt32(entry, &key_field); break;
        case FD::CPPTYPE_UINT64: e.unsigned_key = er.GetUInt64(entry, &key_field); break;
        default: break;
      }
      entries[i] = e;
    }
    std::sort(entries, entries + n, [key_type](const Entry& a, const Entry& b) {
      switch (key_type) {
        case FD::CPPTYPE_INT32:
        case FD::CPPTYPE_INT64: return a.signed_key < b.signed_key;
        case FD::CPPTYPE_STRING: return *a.text < *b.text;
        default: return a.unsigned_key < b.unsigned_key;
      }
    });
    out_ += '{';
    for (int i = 0; i < n; ++i) {
      const Entry& e = entries[i];
      if (i > 0) out_ += ',';
      switch (key_type) {
        case FD::CPPTYPE_STRING: AppendJsonString(*e.text, out_); break;
        case FD::CPPTYPE_BOOL: out_ += e.unsigned_key ? "\"true\"" : "\"false\""; break;
        case FD::CPPTYPE_INT32:
        case FD::CPPTYPE_INT64: AppendQuotedInt(e.signed_key, out_); break;
        default: AppendQuotedInt(e.unsigned_key, out_); break;
      }
      out_ += ':';
      Value(*e.message, *e.message->GetReflection(), *f.map_value, -1);
    }
    out_ += '}';
  }

  void WellKnown(const pb::Message& m, Wkt kind) {
    const pb::Descriptor& d = *m.GetDescriptor();
    const pb::Reflection& r = *m.GetReflection();
    const MessagePlan& plan = PlanOf(&d);
    switch (kind) {
      case Wkt::kNone: return;
      case Wkt::kEmpty: out_ += "{}"; return;
      case Wkt::kWrapper: return Value(m, r, plan.fields[0], -1);
      case Wkt::kTimestamp: {
        const std::int64_t seconds = r.GetInt64(m, d.field(0));
        const std::int32_t nanos = r.GetInt32(m, d.field(1));
        if (seconds < -62135596800 || seconds > 253402300799 || nanos < 0 || nanos > 999999999) {
          throw UnprintableMessage("google.protobuf.Timestamp out of range");
        }
        out_ += '"';
        AppendCivilTime(seconds, out_);
        AppendFraction(nanos, out_);
        out_ += "Z\"";
        return;
      }
      case Wkt::kDuration: {
        std::int64_t seconds = r.GetInt64(m, d.field(0));
        std::int32_t nanos = r.GetInt32(m, d.field(1));
        if (seconds < -315576000000 || seconds > 315576000000 || nanos < -999999999 || nanos > 999999999 ||
            (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) {
          throw UnprintableMessage("google.protobuf.Duration out of range");
        }
        out_ += '"';
        if (seconds < 0 || nanos < 0) {
          out_ += '-';
          seconds = -seconds;
          nanos = -nanos;
        }
        AppendInt(seconds, out_);
        AppendFraction(nanos, out_);
        out_ += "s\"";
        return;
      }
      case Wkt::kFieldMask: {
        const FD* paths = d.field(0);
        out_ += '"';
        std::string scratch;
        for (int i = 0; i < r.FieldSize(m, paths); ++i) {
          if (i > 0) out_ += ',';
          const std::string& path = r.GetRepeatedStringReference(m, paths, i, &scratch);
          if (!AppendCamelPath(path, out_)) {
            throw UnprintableMessage("google.protobuf.FieldMask.paths contains an invalid or irreversible path");
          }
        }
        out_ += '"';
        return;
      }
      case Wkt::kStruct: return Map(m, r, plan.fields[0]);
      case Wkt::kListValue: return Field(m, r, plan.fields[0]);
      case Wkt::kValue: {
        const FD* set = r.GetOneofFieldDescriptor(m, d.oneof_decl(0));
        if (set == nullptr) throw UnprintableMessage("google.protobuf.Value: none of the oneof fields is set");
        if (set->cpp_type() == FD::CPPTYPE_DOUBLE && !std::isfinite(r.GetDouble(m, set))) {
          throw UnprintableMessage("google.protobuf.Value: invalid number");
        }
        return Value(m, r, plan.fields[static_cast<std::size_t>(set->index())], -1);
      }
      case Wkt::kAny: {
        if (!Any(m)) {
          throw UnprintableMessage("unable to resolve " + r.GetString(m, d.field(0)));
        }
        return;
      }
    }
  }

  bool Any(const pb::Message& any) {
    const pb::Descriptor& d = *any.GetDescriptor();
    const pb::Reflection& r = *any.GetReflection();
    const std::string url = r.GetString(any, d.field(0));
    const std::string type_name = url.substr(url.rfind('/') + 1);
    const pb::Descriptor* type = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(type_name);
    if (type == nullptr) return false;
    std::unique_ptr<pb::Message> message(pb::MessageFactory::generated_factory()->GetPrototype(type)->New());
    std::string scratch;
    if (!message->ParseFromString(r.GetStringReference(any, d.field(1), &scratch))) return false;
    const std::size_t mark = out_.size();
    try {
      out_ += "{\"@type\":";
      AppendJsonString(url, out_);
      const MessagePlan& plan = PlanOf(type);
      if (plan.kind != Wkt::kNone) {
        out_ += ",\"value\":";
        WellKnown(*message, plan.kind);
      } else {
        Fields(*message, *message->GetReflection(), plan, false);
      }
      out_ += '}';
    } catch (const UnprintableMessage&) {
      out_.resize(mark);
      return false;
    }
    return true;
  }

  void FieldOf(const pb::Message& m, const FD& field) {
    const MessagePlan& plan = PlanOf(m.GetDescriptor());
    Field(m, *m.GetReflection(), plan.fields[static_cast<std::size_t>(field.index())]);
  }

 private:
  void Name(const FieldPlan& f, bool& first) {
    if (!first) out_ += ',';
    first = false;
    out_ += f.key;
  }

  std::string& out_;
};

}  // namespace

void AppendJsonString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t plain = 0;  // start of the run not yet copied
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t len = Utf8SequenceLength(s + i, n - i);
      if (len != 0) {
        i += len;
        continue;
      }
    }
    out.append(text.data() + plain, i - plain);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          out.append(esc, 6);
        } else {
          out += "\xEF\xBF\xBD";  // an invalid UTF-8 byte
        }
    }
    ++i;
    plain = i;
  }
  out.append(text.data() + plain, n - plain);
  out += '"';
}

void AppendMessageJson(const pb::Message& message, std::string& out) { Writer(out).Message(message); }

void AppendFieldJson(const pb::Message& message, const FD& field, std::string& out) {
  Writer(out).FieldOf(message, field);
}

bool AppendAnyJson(const pb::Message& any, std::string& out) { return Writer(out).Any(any); }

}  // namespace nebula::gateway
