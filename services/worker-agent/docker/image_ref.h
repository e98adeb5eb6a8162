// Splits an image reference the way the docker CLI does for POST /images/create: dockerd pulls
// every tag when none is given, so an untagged reference means ":latest".
#pragma once

#include <string>
#include <string_view>

namespace nebula::agent {

struct ImageRef {
  std::string repository;  // [registry[:port]/]path
  std::string tag;         // empty when a digest is given
  std::string digest;      // "sha256:…" or empty

  // The `tag` query parameter of a pull: the digest, the tag, or "latest".
  std::string PullTag() const;
};

ImageRef ParseImageRef(std::string_view reference);

}  // namespace nebula::agent
