// The stack's image registry: Debian's docker-registry on 127.0.0.1:B+6, storage in the state dir.
#pragma once

#include <memory>

#include "child_process.h"
#include "preflight.h"
#include "stack_plan.h"

namespace nebula::devstack {

std::unique_ptr<ChildProcess> StartRegistry(const UpOptions& options, const StackPaths& paths, const Toolbox& tools);

}  // namespace nebula::devstack
