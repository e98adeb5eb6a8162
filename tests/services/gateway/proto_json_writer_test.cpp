// The one-pass protojson writer against the gateway's previous path (protobuf's printer + re-shape,
// kept in reference_json_format.cpp): random messages of every nebula.v1 type and of a test type with
// every field kind and well-known type must give equal parsed JSON. Plus exact-output cases for what
// the old path could not be the oracle of (Any inside messages, float text, key order).
#include <catch2/catch.hpp>

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/empty.pb.h>
#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/wrappers.pb.h>
#include <google/rpc/error_details.pb.h>
#include <google/rpc/status.pb.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "gateway/core/json_format.h"
#include "nebula/v1/api_manager.pb.h"
#include "nebula/v1/identity.pb.h"
#include "nebula/v1/worker_agent.pb.h"
#include "nebula/v1/worker_report.pb.h"
#include "gateway/core/proto_json_writer.h"
#include "reference_json_format.h"

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;
using nlohmann::json;
using namespace nebula::gateway;

namespace {

// Fills a message with random values through reflection. Only what protojson can print: valid UTF-8,
// Timestamps/Durations in range, FieldMask paths that survive the lowerCamel round trip, finite
// numbers inside google.protobuf.Value.
class RandomFiller {
 public:
  explicit RandomFiller(std::uint32_t seed) : rng_(seed) {}

  void Fill(pb::Message& m, int depth) {
    const pb::Descriptor& d = *m.GetDescriptor();
    const std::string& name = d.full_name();
    const pb::Reflection& r = *m.GetReflection();
    if (name == "google.protobuf.Timestamp") {
      r.SetInt64(&m, d.field(0), Between(-62135596800, 253402300799));
      r.SetInt32(&m, d.field(1), static_cast<std::int32_t>(Nanos()));
      return;
    }
    if (name == "google.protobuf.Duration") {
      const std::int64_t seconds = Between(-315576000000, 315576000000);
      std::int32_t nanos = static_cast<std::int32_t>(Nanos());
      if (seconds < 0 || (seconds == 0 && Chance(2))) nanos = -nanos;
      r.SetInt64(&m, d.field(0), seconds);
      r.SetInt32(&m, d.field(1), nanos);
      return;
    }
    if (name == "google.protobuf.FieldMask") {
      const int n = static_cast<int>(Between(0, 3));
      for (int i = 0; i < n; ++i) r.AddString(&m, d.field(0), Chance(2) ? "spec.containers_per" : "image_pull");
      return;
    }
    if (name == "google.protobuf.Value") return FillValue(m, depth);
    if (name == "google.protobuf.Any") {
      google::rpc::BadRequest bad;
      bad.add_field_violations()->set_field(Text());
      static_cast<pb::Any&>(m).PackFrom(bad);
      return;
    }
    for (int i = 0; i < d.field_count(); ++i) {
      const FD& f = *d.field(i);
      if (f.containing_oneof() != nullptr && r.HasOneof(m, f.containing_oneof()) &&
          !f.containing_oneof()->is_synthetic()) {
        continue;
      }
      // The old path loses oneof and proto3 `optional` presence inside map values (protobuf's printer
      // drops a set zero there; protojson prints it, as ours does: see the exact-output test).
      if (inside_map_value_ > 0 && f.containing_oneof() != nullptr) continue;
      if (!d.options().map_entry()) {  // a map entry gets both its key and its value
        if (Chance(3)) continue;       // left unset
        if (f.cpp_type() == FD::CPPTYPE_MESSAGE && depth > 3) continue;
      }
      if (f.is_repeated()) {
        const int n = static_cast<int>(Between(0, 3));
        for (int k = 0; k < n; ++k) {
          Add(m, f, depth);
          if (f.is_map() && DuplicateLastKey(m, f)) r.RemoveLast(&m, &f);  // as off the wire: unique keys
        }
      } else {
        const bool map_value = d.options().map_entry() && f.number() == 2;
        inside_map_value_ += map_value ? 1 : 0;
        Set(m, f, depth);
        inside_map_value_ -= map_value ? 1 : 0;
      }
    }
  }

 private:
  std::int64_t Between(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  bool Chance(int one_in) { return Between(1, one_in) == 1; }
  std::int64_t Nanos() {
    switch (Between(0, 3)) {
      case 0: return 0;
      case 1: return Between(1, 999) * 1000000;
      case 2: return Between(1, 999999) * 1000;
      default: return Between(1, 999999999);
    }
  }
  std::int64_t Int64() {
    switch (Between(0, 3)) {
      case 0: return 0;
      case 1: return Between(-1000, 1000);
      case 2: return std::numeric_limits<std::int64_t>::min();
      default: return Between(std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
    }
  }
  double Double(bool finite) {
    switch (Between(0, finite ? 4 : 7)) {
      case 0: return 0.0;
      case 1: return static_cast<double>(Between(-100000, 100000)) / 8;
      case 2: return std::ldexp(static_cast<double>(Between(1, 1 << 30)), static_cast<int>(Between(-1074, 960)));
      case 3: return std::uniform_real_distribution<double>(-1e-3, 1e-3)(rng_);
      case 4: return -std::ldexp(1.0, static_cast<int>(Between(-30, 80)));
      case 5: return std::numeric_limits<double>::quiet_NaN();
      case 6: return std::numeric_limits<double>::infinity();
      default: return -std::numeric_limits<double>::infinity();
    }
  }
  std::string Text() {
    static const char* const kPieces[] = {
        "a",   "web",  " ",      "\"", "\\", "/", "\n", "\t", "\x01", "\x1f", "é", "日本", "\xF0\x9F\x98\x80",
        "<&>", "\x7f", "\u2028", ""};
    std::string s;
    const int n = static_cast<int>(Between(0, 6));
    for (int i = 0; i < n; ++i) s += kPieces[Between(0, static_cast<std::int64_t>(std::size(kPieces)) - 1)];
    return s;
  }
  std::string Bytes() {
    std::string s(static_cast<std::size_t>(Between(0, 7)), '\0');
    for (char& c : s) c = static_cast<char>(Between(0, 255));
    return s;
  }
  int EnumNumber(const FD& f) {
    const pb::EnumDescriptor& e = *f.enum_type();
    if (Chance(8)) return static_cast<int>(Between(100, 200));  // a number without a name
    return e.value(static_cast<int>(Between(0, e.value_count() - 1)))->number();
  }

  static std::string KeyText(const pb::Message& entry) {
    const FD& key = *entry.GetDescriptor()->map_key();
    const pb::Reflection& r = *entry.GetReflection();
    switch (key.cpp_type()) {
      case FD::CPPTYPE_STRING: return r.GetString(entry, &key);
      case FD::CPPTYPE_BOOL: return r.GetBool(entry, &key) ? "true" : "false";
      case FD::CPPTYPE_INT32: return std::to_string(r.GetInt32(entry, &key));
      case FD::CPPTYPE_INT64: return std::to_string(r.GetInt64(entry, &key));
      case FD::CPPTYPE_UINT32: return std::to_string(r.GetUInt32(entry, &key));
      default: return std::to_string(r.GetUInt64(entry, &key));
    }
  }
  static bool DuplicateLastKey(const pb::Message& m, const FD& f) {
    const pb::Reflection& r = *m.GetReflection();
    const int n = r.FieldSize(m, &f);
    const std::string last = KeyText(r.GetRepeatedMessage(m, &f, n - 1));
    for (int i = 0; i + 1 < n; ++i) {
      if (KeyText(r.GetRepeatedMessage(m, &f, i)) == last) return true;
    }
    return false;
  }

  void FillValue(pb::Message& m, int depth) {
    auto& v = static_cast<pb::Value&>(m);
    switch (Between(0, depth > 3 ? 3 : 5)) {
      case 0: v.set_null_value(pb::NULL_VALUE); break;
      case 1: v.set_number_value(Double(true)); break;
      case 2: v.set_string_value(Text()); break;
      case 3: v.set_bool_value(Chance(2)); break;
      case 4: {
        auto* s = v.mutable_struct_value();
        for (int i = 0; i < Between(0, 3); ++i) FillValue((*s->mutable_fields())[Text()], depth + 1);
        break;
      }
      default: {
        auto* l = v.mutable_list_value();
        for (int i = 0; i < Between(0, 3); ++i) FillValue(*l->add_values(), depth + 1);
      }
    }
  }

  void Set(pb::Message& m, const FD& f, int depth) {
    const pb::Reflection& r = *m.GetReflection();
    switch (f.cpp_type()) {
      case FD::CPPTYPE_INT32: return r.SetInt32(&m, &f, static_cast<std::int32_t>(Int64()));
      case FD::CPPTYPE_UINT32: return r.SetUInt32(&m, &f, static_cast<std::uint32_t>(Int64()));
      case FD::CPPTYPE_INT64: return r.SetInt64(&m, &f, Int64());
      case FD::CPPTYPE_UINT64: return r.SetUInt64(&m, &f, static_cast<std::uint64_t>(Int64()));
      case FD::CPPTYPE_DOUBLE: return r.SetDouble(&m, &f, Double(false));
      case FD::CPPTYPE_FLOAT: return r.SetFloat(&m, &f, static_cast<float>(Double(false)));
      case FD::CPPTYPE_BOOL: return r.SetBool(&m, &f, Chance(2));
      case FD::CPPTYPE_ENUM: return r.SetEnumValue(&m, &f, EnumNumber(f));
      case FD::CPPTYPE_STRING: return r.SetString(&m, &f, f.type() == FD::TYPE_BYTES ? Bytes() : Text());
      case FD::CPPTYPE_MESSAGE: return Fill(*r.MutableMessage(&m, &f), depth + 1);
    }
  }
  void Add(pb::Message& m, const FD& f, int depth) {
    const pb::Reflection& r = *m.GetReflection();
    switch (f.cpp_type()) {
      case FD::CPPTYPE_INT32: return r.AddInt32(&m, &f, static_cast<std::int32_t>(Int64()));
      case FD::CPPTYPE_UINT32: return r.AddUInt32(&m, &f, static_cast<std::uint32_t>(Int64()));
      case FD::CPPTYPE_INT64: return r.AddInt64(&m, &f, Int64());
      case FD::CPPTYPE_UINT64: return r.AddUInt64(&m, &f, static_cast<std::uint64_t>(Int64()));
      case FD::CPPTYPE_DOUBLE: return r.AddDouble(&m, &f, Double(false));
      case FD::CPPTYPE_FLOAT: return r.AddFloat(&m, &f, static_cast<float>(Double(false)));
      case FD::CPPTYPE_BOOL: return r.AddBool(&m, &f, Chance(2));
      case FD::CPPTYPE_ENUM: return r.AddEnumValue(&m, &f, EnumNumber(f));
      case FD::CPPTYPE_STRING: return r.AddString(&m, &f, f.type() == FD::TYPE_BYTES ? Bytes() : Text());
      case FD::CPPTYPE_MESSAGE: return Fill(*r.AddMessage(&m, &f), depth + 1);
    }
  }

  std::mt19937 rng_;
  int inside_map_value_ = 0;
};

// Equal JSON, numbers compared as the doubles they parse to, or as floats (protobuf's C++ printer
// writes a float with up to 9 digits where protojson writes the shortest: both parse to the same float).
bool SameJson(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>();
    const double y = b.get<double>();
    return x == y || static_cast<float>(x) == static_cast<float>(y);
  }
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !SameJson(*it, *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!SameJson(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

// Where two documents first differ (for the failure message): a JSON pointer and both values.
std::string FirstDifference(const json& a, const json& b, const std::string& where = "") {
  if (a.is_object() && b.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end()) return where + "/" + it.key() + " only in ours";
      if (!SameJson(*it, *other)) return FirstDifference(*it, *other, where + "/" + it.key());
    }
    for (auto it = b.begin(); it != b.end(); ++it) {
      if (!a.contains(it.key())) return where + "/" + it.key() + " only in old";
    }
  }
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!SameJson(a[i], b[i])) return FirstDifference(a[i], b[i], where + "/" + std::to_string(i));
    }
  }
  return where + ": ours " + a.dump() + " old " + b.dump();
}

void CollectMessages(const pb::Descriptor& d, std::vector<const pb::Descriptor*>& out) {
  if (d.options().map_entry()) return;
  out.push_back(&d);
  for (int i = 0; i < d.nested_type_count(); ++i) CollectMessages(*d.nested_type(i), out);
}

std::vector<const pb::Descriptor*> NebulaMessageTypes() {
  // Touch one type per file so the linker keeps every generated file.
  (void)nebula::v1::App::descriptor();
  (void)nebula::v1::WhoAmIResponse::descriptor();
  std::vector<const pb::Descriptor*> out;
  for (const char* file : {"nebula/v1/api_manager.proto", "nebula/v1/app.proto", "nebula/v1/cron_job.proto",
                           "nebula/v1/desired_state.proto", "nebula/v1/device_group.proto", "nebula/v1/identity.proto",
                           "nebula/v1/worker.proto", "nebula/v1/worker_agent.proto", "nebula/v1/worker_report.proto",
                           "google/rpc/error_details.proto", "google/rpc/status.proto"}) {
    const pb::FileDescriptor* f = pb::DescriptorPool::generated_pool()->FindFileByName(file);
    REQUIRE(f != nullptr);
    for (int i = 0; i < f->message_type_count(); ++i) CollectMessages(*f->message_type(i), out);
  }
  return out;
}

// A test type with every scalar kind, every well-known type, maps of every key kind, oneofs and
// proto3 optional fields (built at run time: the project's protos stay as they are).
const pb::Descriptor* KitchenSink() {
  static pb::DescriptorPool pool(pb::DescriptorPool::generated_pool());
  static const pb::Descriptor* sink = [] {
    (void)pb::Any::descriptor();
    (void)pb::Duration::descriptor();
    (void)pb::Empty::descriptor();
    (void)pb::FieldMask::descriptor();
    (void)pb::Struct::descriptor();
    (void)pb::Timestamp::descriptor();
    (void)pb::DoubleValue::descriptor();
    pb::FileDescriptorProto file;
    file.set_name("gateway_test/sink.proto");
    file.set_package("gwtest");
    file.set_syntax("proto3");
    for (const char* dep :
         {"google/protobuf/any.proto", "google/protobuf/duration.proto", "google/protobuf/empty.proto",
          "google/protobuf/field_mask.proto", "google/protobuf/struct.proto", "google/protobuf/timestamp.proto",
          "google/protobuf/wrappers.proto"}) {
      file.add_dependency(dep);
    }
    auto* color = file.add_enum_type();
    color->set_name("Color");
    int n = 0;
    for (const char* v : {"COLOR_UNSPECIFIED", "RED", "BLUE"}) {
      auto* value = color->add_value();
      value->set_name(v);
      value->set_number(n++);
    }
    pb::DescriptorProto* message = file.add_message_type();
    message->set_name("Sink");
    int number = 1;
    auto add = [&](pb::DescriptorProto* m, const std::string& name, FD::Type type, const std::string& type_name = {},
                   bool repeated = false) {
      auto* f = m->add_field();
      f->set_name(name);
      f->set_number(number++);
      f->set_type(static_cast<pb::FieldDescriptorProto::Type>(type));
      f->set_label(repeated ? pb::FieldDescriptorProto::LABEL_REPEATED : pb::FieldDescriptorProto::LABEL_OPTIONAL);
      if (!type_name.empty()) f->set_type_name(type_name);
      return f;
    };
    const std::pair<const char*, FD::Type> scalars[] = {
        {"i32", FD::TYPE_INT32},   {"s32", FD::TYPE_SINT32},  {"sf32", FD::TYPE_SFIXED32}, {"u32", FD::TYPE_UINT32},
        {"f32", FD::TYPE_FIXED32}, {"i64", FD::TYPE_INT64},   {"s64", FD::TYPE_SINT64},    {"sf64", FD::TYPE_SFIXED64},
        {"u64", FD::TYPE_UINT64},  {"f64", FD::TYPE_FIXED64}, {"fl", FD::TYPE_FLOAT},      {"db", FD::TYPE_DOUBLE},
        {"b", FD::TYPE_BOOL},      {"s", FD::TYPE_STRING},    {"by", FD::TYPE_BYTES}};
    for (const auto& [name, type] : scalars) {
      add(message, name, type);
      add(message, std::string("rep_") + name, type, {}, true);
    }
    add(message, "color", FD::TYPE_ENUM, ".gwtest.Color");
    add(message, "rep_color", FD::TYPE_ENUM, ".gwtest.Color", true);
    add(message, "child_sink", FD::TYPE_MESSAGE, ".gwtest.Sink");
    add(message, "children", FD::TYPE_MESSAGE, ".gwtest.Sink", true);
    const char* wkts[] = {"Timestamp",   "Duration",    "FieldMask",   "Struct",     "Value",       "ListValue",
                          "Empty",       "DoubleValue", "FloatValue",  "Int64Value", "UInt64Value", "Int32Value",
                          "UInt32Value", "BoolValue",   "StringValue", "BytesValue"};
    for (const char* w : wkts) {
      const std::string type = std::string(".google.protobuf.") + w;
      add(message, std::string("wkt_") + w, FD::TYPE_MESSAGE, type);
      add(message, std::string("rep_wkt_") + w, FD::TYPE_MESSAGE, type, true);
    }
    // Maps: one entry type per key kind.
    const std::pair<const char*, FD::Type> keys[] = {{"string", FD::TYPE_STRING}, {"int32", FD::TYPE_INT32},
                                                     {"int64", FD::TYPE_SINT64},  {"uint32", FD::TYPE_FIXED32},
                                                     {"uint64", FD::TYPE_UINT64}, {"bool", FD::TYPE_BOOL}};
    const std::tuple<const char*, FD::Type, const char*> values[] = {
        {"string", FD::TYPE_STRING, ""},
        {"bytes", FD::TYPE_BYTES, ""},
        {"double", FD::TYPE_DOUBLE, ""},
        {"enum", FD::TYPE_ENUM, ".gwtest.Color"},
        {"sink", FD::TYPE_MESSAGE, ".gwtest.Sink"},
        {"value", FD::TYPE_MESSAGE, ".google.protobuf.Value"},
        {"time", FD::TYPE_MESSAGE, ".google.protobuf.Timestamp"}};
    int which = 0;
    for (const auto& [key_name, key_type] : keys) {
      for (int k = 0; k < 2; ++k) {
        const auto& [value_name, value_type, value_type_name] = values[which++ % std::size(values)];
        const std::string field = std::string("map_") + key_name + "_" + value_name;
        std::string entry_name;
        bool upper = true;
        for (char c : field + "_entry") {
          if (c == '_') {
            upper = true;
            continue;
          }
          entry_name += upper ? static_cast<char>(std::toupper(c)) : c;
          upper = false;
        }
        auto* entry = message->add_nested_type();
        entry->set_name(entry_name);
        entry->mutable_options()->set_map_entry(true);
        const int saved = number;
        number = 1;
        add(entry, "key", key_type);
        add(entry, "value", value_type, value_type_name);
        number = saved;
        add(message, field, FD::TYPE_MESSAGE, ".gwtest.Sink." + entry_name, true);
      }
    }
    auto* oneof = message->add_oneof_decl();
    oneof->set_name("choice");
    const int choice_index = 0;
    for (auto [name, type, type_name] :
         {std::tuple{"one_s", FD::TYPE_STRING, ""}, std::tuple{"one_i", FD::TYPE_INT64, ""},
          std::tuple{"one_sink", FD::TYPE_MESSAGE, ".gwtest.Sink"},
          std::tuple{"one_time", FD::TYPE_MESSAGE, ".google.protobuf.Timestamp"}}) {
      add(message, name, type, type_name)->set_oneof_index(choice_index);
    }
    int synthetic = 1;
    for (auto [name, type, type_name] :
         {std::tuple{"opt_i", FD::TYPE_INT32, ""}, std::tuple{"opt_s", FD::TYPE_STRING, ""},
          std::tuple{"opt_color", FD::TYPE_ENUM, ".gwtest.Color"}}) {
      message->add_oneof_decl()->set_name(std::string("_") + name);
      auto* f = add(message, name, type, type_name);
      f->set_oneof_index(synthetic++);
      f->set_proto3_optional(true);
    }
    const pb::FileDescriptor* built = pool.BuildFile(file);
    REQUIRE(built != nullptr);
    return built->FindMessageTypeByName("Sink");
  }();
  return sink;
}

json Parse(const std::string& text) {
  INFO(text);
  json j = json::parse(text, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

std::string New(const pb::Message& m) {
  std::string out;
  AppendMessageJson(m, out);
  return out;
}

}  // namespace

TEST_CASE("writer equals the old path on random messages of every nebula.v1 and google.rpc type", "[json][writer]") {
  const auto types = NebulaMessageTypes();
  REQUIRE(types.size() > 60);
  RandomFiller filler(20261125);
  int compared = 0;
  for (const pb::Descriptor* type : types) {
    for (int round = 0; round < 40; ++round) {
      std::unique_ptr<pb::Message> m(pb::MessageFactory::generated_factory()->GetPrototype(type)->New());
      if (round > 0) filler.Fill(*m, 0);
      REQUIRE(m->ParseFromString(m->SerializeAsString()));  // as off the wire: one entry per map key
      const std::string ours = New(*m);
      const std::string old = reference::MessageToGatewayJson(*m);
      INFO(type->full_name() << "\nmessage: " << m->ShortDebugString() << "\nours: " << ours << "\nold:  " << old);
      INFO("first difference: " << FirstDifference(Parse(ours), Parse(old)));
      REQUIRE(SameJson(Parse(ours), Parse(old)));
      for (int i = 0; i < type->field_count(); ++i) {
        const std::string& name = type->field(i)->name();
        REQUIRE(SameJson(Parse(FieldToGatewayJson(*m, name)), Parse(reference::FieldToGatewayJson(*m, name))));
      }
      ++compared;
    }
  }
  REQUIRE(compared == static_cast<int>(types.size()) * 40);
}

TEST_CASE("writer equals the old path on random messages with every field kind and well-known type", "[json][writer]") {
  const pb::Descriptor* sink = KitchenSink();
  pb::DynamicMessageFactory factory;
  factory.SetDelegateToGeneratedFactory(true);
  RandomFiller filler(7);
  for (int round = 0; round < 600; ++round) {
    std::unique_ptr<pb::Message> m(factory.GetPrototype(sink)->New());
    if (round > 0) filler.Fill(*m, 0);
    REQUIRE(m->ParseFromString(m->SerializeAsString()));  // as off the wire: one entry per map key
    const std::string ours = New(*m);
    const std::string old = reference::MessageToGatewayJson(*m);
    INFO("message: " << m->ShortDebugString() << "\nours: " << ours << "\nold:  " << old);
    INFO("first difference: " << FirstDifference(Parse(ours), Parse(old)));
    REQUIRE(SameJson(Parse(ours), Parse(old)));
  }
}

TEST_CASE("writer output is protojson's text: field order, key order, numbers, escapes", "[json][writer]") {
  const pb::Descriptor* sink = KitchenSink();
  pb::DynamicMessageFactory factory;
  factory.SetDelegateToGeneratedFactory(true);
  std::unique_ptr<pb::Message> m(factory.GetPrototype(sink)->New());
  const pb::Reflection& r = *m->GetReflection();
  auto field = [&](const char* name) { return sink->FindFieldByName(name); };
  r.SetInt32(m.get(), field("i32"), -5);
  r.SetInt64(m.get(), field("i64"), -9007199254740993);
  r.SetUInt64(m.get(), field("u64"), 18446744073709551615ull);
  r.SetFloat(m.get(), field("fl"), 0.1f);
  r.SetDouble(m.get(), field("db"), 1e-7);
  r.AddDouble(m.get(), field("rep_db"), 1e21);
  r.AddDouble(m.get(), field("rep_db"), 123456789.25);
  r.AddDouble(m.get(), field("rep_db"), std::numeric_limits<double>::quiet_NaN());
  r.AddDouble(m.get(), field("rep_db"), -std::numeric_limits<double>::infinity());
  r.AddDouble(m.get(), field("rep_db"), -0.0);
  r.AddFloat(m.get(), field("rep_fl"), 3.4028235e38f);
  r.SetString(m.get(), field("s"), "q\"b\\s/\n\x01\x7f\xff<&>é");
  r.SetString(m.get(), field("by"), "\xfb\xff");
  r.SetEnumValue(m.get(), field("color"), 2);
  r.AddEnumValue(m.get(), field("rep_color"), 42);
  for (std::int32_t key : {10, -3, 2}) {
    pb::Message* entry = r.AddMessage(m.get(), field("map_int32_enum"));
    entry->GetReflection()->SetInt32(entry, entry->GetDescriptor()->map_key(), key);
    entry->GetReflection()->SetEnumValue(entry, entry->GetDescriptor()->map_value(), 1);
  }
  for (const char* key : {"b", "B", "a"}) {
    pb::Message* entry = r.AddMessage(m.get(), field("map_string_string"));
    entry->GetReflection()->SetString(entry, entry->GetDescriptor()->map_key(), key);
    entry->GetReflection()->SetString(entry, entry->GetDescriptor()->map_value(), key);
  }
  {
    pb::Message* entry = r.AddMessage(m.get(), field("map_bool_sink"));
    pb::Message* value = entry->GetReflection()->MutableMessage(entry, entry->GetDescriptor()->map_value());
    value->GetReflection()->SetEnumValue(value, sink->FindFieldByName("opt_color"), 0);
    value->GetReflection()->SetInt64(value, sink->FindFieldByName("one_i"), 0);
  }
  const std::string out = New(*m);
  const json j = json::parse(out);
  REQUIRE(j["mapBoolSink"]["false"]["optColor"] == "COLOR_UNSPECIFIED");  // set, so printed (protojson)
  REQUIRE(j["mapBoolSink"]["false"]["oneI"] == "0");
  REQUIRE_FALSE(j["mapBoolSink"]["false"].contains("optI"));
  REQUIRE(j["i32"] == -5);
  REQUIRE(j["i64"] == "-9007199254740993");
  REQUIRE(j["u64"] == "18446744073709551615");
  REQUIRE(out.find("\"fl\":0.1,") != std::string::npos);
  REQUIRE(out.find("\"db\":1e-7,") != std::string::npos);
  REQUIRE(out.find("\"repDb\":[1e+21,123456789.25,\"NaN\",\"-Infinity\",-0]") != std::string::npos);
  REQUIRE(out.find("\"repFl\":[3.4028235e+38]") != std::string::npos);
  REQUIRE(out.find(R"("s":"q\"b\\s/\n\u0001)"
                   "\x7f"
                   "\xEF\xBF\xBD<&>é\"") != std::string::npos);
  REQUIRE(j["by"] == "+/8=");
  REQUIRE(j["color"] == "BLUE");
  REQUIRE(j["repColor"] == json::array({42}));
  REQUIRE(out.find(R"("mapInt32Enum":{"-3":"RED","2":"RED","10":"RED"})") != std::string::npos);
  REQUIRE(out.find(R"("mapStringString":{"B":"B","a":"a","b":"b"})") != std::string::npos);
  REQUIRE(out.rfind("{\"i32\":-5,\"repI32\":[],\"s32\":0,", 0) == 0);  // declaration order
  REQUIRE(j["childSink"].is_null());
  REQUIRE(j["wktEmpty"].is_null());
  REQUIRE_FALSE(j.contains("oneS"));
  REQUIRE_FALSE(j.contains("optI"));
}

TEST_CASE("writer prints well-known types in canonical form", "[json][writer]") {
  pb::Timestamp ts;
  ts.set_seconds(-62135596800);
  REQUIRE(New(ts) == R"("0001-01-01T00:00:00Z")");
  ts.set_seconds(253402300799);
  ts.set_nanos(999999999);
  REQUIRE(New(ts) == R"("9999-12-31T23:59:59.999999999Z")");
  ts.set_seconds(951782400);  // 2000-02-29
  ts.set_nanos(10000000);
  REQUIRE(New(ts) == R"("2000-02-29T00:00:00.010Z")");
  ts.set_nanos(1000);
  REQUIRE(New(ts) == R"("2000-02-29T00:00:00.000001Z")");
  ts.set_seconds(253402300800);
  REQUIRE_THROWS_AS(New(ts), UnprintableMessage);

  pb::Duration d;
  d.set_seconds(-1);
  d.set_nanos(-500000000);
  REQUIRE(New(d) == R"("-1.500s")");
  d.set_seconds(0);
  d.set_nanos(-1);
  REQUIRE(New(d) == R"("-0.000000001s")");
  d.set_nanos(0);
  REQUIRE(New(d) == R"("0s")");
  d.set_seconds(1);
  d.set_nanos(-1);
  REQUIRE_THROWS_AS(New(d), UnprintableMessage);

  pb::FieldMask mask;
  mask.add_paths("spec.containers_per");
  mask.add_paths("name");
  REQUIRE(New(mask) == R"("spec.containersPer,name")");
  for (const char* refused : {"fooBar", "foo__bar", "foo_1", "a..b", "a.", "1a", "a b", "a\nb", ""}) {
    pb::FieldMask bad;
    bad.add_paths(refused);
    INFO(refused);
    REQUIRE_THROWS_AS(New(bad), UnprintableMessage);  // protojson refuses these paths too
  }

  pb::Struct s;
  (*s.mutable_fields())["z"].set_number_value(1.5);
  (*s.mutable_fields())["a"].mutable_list_value()->add_values()->set_null_value(pb::NULL_VALUE);
  REQUIRE(New(s) == R"({"a":[null],"z":1.5})");
  pb::Value v;
  REQUIRE_THROWS_AS(New(v), UnprintableMessage);  // no kind set: protojson refuses it
  v.set_number_value(std::numeric_limits<double>::infinity());
  REQUIRE_THROWS_AS(New(v), UnprintableMessage);

  pb::Int64Value i64;
  i64.set_value(-2);
  REQUIRE(New(i64) == R"("-2")");
  pb::BytesValue bytes;
  bytes.set_value("hi");
  REQUIRE(New(bytes) == R"("aGk=")");
  REQUIRE(New(pb::Empty()) == "{}");

  pb::Any any;
  nebula::v1::App app;
  app.set_name("web");
  any.PackFrom(app);
  const json j = json::parse(New(any));
  REQUIRE(New(any).rfind(R"({"@type":"type.googleapis.com/nebula.v1.App","name":"web",)", 0) == 0);
  REQUIRE(j["spec"].is_null());  // the packed message gets the EmitUnpopulated shape too
  ts.set_seconds(0);
  ts.set_nanos(0);
  any.PackFrom(ts);
  REQUIRE(New(any) == R"({"@type":"type.googleapis.com/google.protobuf.Timestamp","value":"1970-01-01T00:00:00Z"})");
  any.set_type_url("type.googleapis.com/nope.Unknown");
  REQUIRE_THROWS_AS(New(any), UnprintableMessage);
}

TEST_CASE("status bodies equal the old path and drop unknown details", "[json][writer]") {
  google::rpc::Status status;
  google::rpc::BadRequest bad;
  bad.add_field_violations()->set_field("app.name");
  status.add_details()->PackFrom(bad);
  google::rpc::ErrorInfo info;
  info.set_reason("QUOTA");
  (*info.mutable_metadata())["b"] = "2";
  (*info.mutable_metadata())["a"] = "1";
  status.add_details()->PackFrom(info);
  status.add_details()->set_type_url("type.googleapis.com/nope.Unknown");
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(3);
  status.add_details()->PackFrom(retry);
  const std::string bin = status.SerializeAsString();
  for (const std::string& message : {std::string("plain"), std::string("bad \xff byte \"q\"")}) {
    const json ours = Parse(StatusJson(9, message, bin));
    REQUIRE(ours == Parse(reference::StatusJson(9, message, bin)));
    REQUIRE(ours["details"].size() == 3);
  }
  REQUIRE(Parse(StatusJson(5, "x", "not a status")) == Parse(reference::StatusJson(5, "x", "not a status")));
}

TEST_CASE("writer on mangled wire bytes gives valid JSON or UnprintableMessage", "[json][writer]") {
  const auto types = NebulaMessageTypes();
  RandomFiller filler(99);
  std::mt19937 rng(5);
  int printed = 0;
  for (const pb::Descriptor* type : types) {
    const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(type);
    for (int round = 0; round < 30; ++round) {
      std::unique_ptr<pb::Message> m(prototype->New());
      filler.Fill(*m, 0);
      std::string wire = m->SerializeAsString();
      if (wire.empty()) continue;
      for (int flips = 0; flips < 3; ++flips) {
        wire[std::uniform_int_distribution<std::size_t>(0, wire.size() - 1)(rng)] =
            static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
      }
      std::unique_ptr<pb::Message> mangled(prototype->New());
      if (!mangled->ParseFromString(wire)) continue;
      std::string out;
      try {
        out = New(*mangled);
      } catch (const UnprintableMessage&) {
        continue;
      }
      INFO(type->full_name() << ": " << out);
      REQUIRE(json::accept(out));
      ++printed;
    }
  }
  REQUIRE(printed > static_cast<int>(types.size()));
}
