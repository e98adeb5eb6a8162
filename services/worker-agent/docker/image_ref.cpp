#include "worker-agent/docker/image_ref.h"

namespace nebula::agent {

std::string ImageRef::PullTag() const {
  if (!digest.empty()) return digest;
  return tag.empty() ? "latest" : tag;
}

ImageRef ParseImageRef(std::string_view reference) {
  ImageRef ref;
  if (const auto at = reference.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(reference.substr(at + 1));
    reference = reference.substr(0, at);
  }
  const auto slash = reference.rfind('/');
  const auto colon = reference.rfind(':');
  // A colon before the last slash belongs to a registry port ("localhost:5000/app").
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.tag = std::string(reference.substr(colon + 1));
    reference = reference.substr(0, colon);
  }
  ref.repository = std::string(reference);
  return ref;
}

}  // namespace nebula::agent
