// The sample image, built offline: a static busybox in an otherwise empty rootfs, `docker import`ed and
// pushed to the stack's registry as 127.0.0.1:B+6/nebula/hello:1.
#pragma once

#include <string>

#include "preflight.h"
#include "stack_plan.h"

namespace nebula::devstack {

enum class SampleImageResult { kAlreadyInRegistry, kPushed };

SampleImageResult EnsureSampleImage(const UpOptions& options, const StackPaths& paths, const Toolbox& tools,
                                    const std::string& docker_host);

}  // namespace nebula::devstack
