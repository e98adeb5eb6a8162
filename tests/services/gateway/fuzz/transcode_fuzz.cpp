// libFuzzer entry point for request transcoding: the input is "METHOD\nPATH?QUERY\nBODY\nHEADER: VALUE…",
// routed against the real route table (all compiled services) and transcoded into the request message;
// the headers go through the metadata mapping and the result back through the response JSON printer.
// Nothing may crash, throw or hang.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/core/json_format.h"
#include "gateway/core/proto_json_writer.h"
#include "gateway/core/metadata.h"
#include "gateway/core/route_table.h"
#include "gateway/core/transcode.h"

namespace {

std::string_view NextLine(std::string_view& rest) {
  const std::size_t nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nebula::gateway;
  namespace pb = google::protobuf;
  static const RouteTable table = RouteTable::FromServices(
      *pb::DescriptorPool::generated_pool(), {"nebula.v1.ApiManager", "nebula.v1.Identity", "nebula.v1.WorkerAgent"});
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view method = NextLine(rest);
  const std::string_view target = NextLine(rest);
  const std::string_view body = NextLine(rest);
  std::vector<Header> headers;
  while (!rest.empty()) {
    const std::string_view line = NextLine(rest);
    const std::size_t colon = line.find(':');
    headers.push_back({std::string(line.substr(0, colon)),
                       colon == std::string_view::npos ? "" : std::string(line.substr(colon + 1))});
  }
  (void)MapIncomingHeaders(headers, "host", "127.0.0.1");
  const std::size_t q = target.find('?');
  RouteLookup lookup = table.Lookup(method, target.substr(0, q));
  if (lookup.status != RouteStatus::kFound) return 0;
  std::unique_ptr<pb::Message> request(
      pb::MessageFactory::generated_factory()->GetPrototype(lookup.route->method->input_type())->New());
  auto error = TranscodeRequest(*lookup.route, lookup.bindings, q == std::string_view::npos ? "" : target.substr(q + 1),
                                body, *request);
  if (!error) {
    try {
      (void)MessageToGatewayJson(*request);
    } catch (const UnprintableMessage&) {
      // What protojson refuses to print too (the gateway answers 500); any other exception is a finding.
    }
  }
  return 0;
}
