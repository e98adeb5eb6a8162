// libFuzzer entry point for the path-template parser: parse the input as a template, match it against
// paths derived from itself, and use the input as a request path against fixed templates. Nothing
// may crash, throw or hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "gateway/core/path_template.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nebula::gateway;
  const std::string input(reinterpret_cast<const char*>(data), size);
  ParseOutcome parsed = PathTemplate::Parse(input);
  if (auto* tmpl = std::get_if<PathTemplate>(&parsed)) {
    (void)tmpl->Match(input);
    (void)tmpl->Match("/v1/a/b%2Fc:verb");
    (void)tmpl->Match("/");
  } else {
    (void)std::get<TemplateParseError>(parsed).Message();
  }
  for (const char* text : {"/v1/{name}", "/v1/{name=**}:x", "/v1/**/t/{a.b=*}"}) {
    (void)std::get<PathTemplate>(PathTemplate::Parse(text)).Match(input);
  }
  return 0;
}
