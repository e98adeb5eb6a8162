// The gateway's previous JSON path (protobuf's printer, parsed, re-shaped to protojson's EmitUnpopulated
// shape, printed again), kept as the oracle of the one-pass writer's differential test.
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/message.h>

namespace nebula::gateway::reference {

std::string MessageToGatewayJson(const google::protobuf::Message& message);
std::string FieldToGatewayJson(const google::protobuf::Message& message, const std::string& field_name);
std::string StatusJson(int grpc_code, std::string_view message, std::string_view status_details_bin = {});

}  // namespace nebula::gateway::reference
