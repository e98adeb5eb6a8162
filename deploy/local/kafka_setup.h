// The stack's Kafka 3.9.1: one KRaft broker+controller from the Maven Central jars in --kafka-libs.
#pragma once

#include <memory>

#include "child_process.h"
#include "preflight.h"
#include "stack_plan.h"

namespace nebula::devstack {

// Writes the configs, formats the storage once (with a cluster id kept in the state dir), starts the
// broker and returns once it serves metadata.
std::unique_ptr<ChildProcess> StartKafka(const UpOptions& options, const StackPaths& paths, const Toolbox& tools);

}  // namespace nebula::devstack
