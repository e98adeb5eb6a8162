// ListApps page tokens: opaque to clients (base64url), so the paging scheme can change without
// breaking them. Today a token carries the name of the last app of the previous page.
#pragma once

#include <string>
#include <string_view>

namespace nebula::api_manager {

std::string EncodePageToken(std::string_view last_name);

// Empty token: the first page (returns ""). Throws nebula::Error(kInvalidArgument, field
// "page_token") for anything this server did not issue.
std::string DecodePageToken(std::string_view token);

}  // namespace nebula::api_manager
