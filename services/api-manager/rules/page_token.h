// Page tokens of the list RPCs: opaque to clients (base64url), so the paging scheme can change without
// breaking them. Today a token carries the name (or id) of the last item of the previous page.
#pragma once

#include <string>
#include <string_view>

namespace nebula::api_manager {

std::string EncodePageToken(std::string_view last_name);

// Empty token: the first page (returns ""). Throws nebula::Error(kInvalidArgument, field
// "page_token") for anything this server did not issue; the message names list (the RPC, e.g.
// "ListUsers") so the client knows which response's next_page_token to pass.
std::string DecodePageToken(std::string_view token, std::string_view list);
// The same for lists keyed by ids that are not DNS labels (worker ids are hostnames such as
// "node-1.example.com"): any 1-253 bytes without control characters.
std::string DecodeIdPageToken(std::string_view token, std::string_view list);

}  // namespace nebula::api_manager
