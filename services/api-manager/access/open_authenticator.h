// --auth none: ACLs off, like Nomad/Consul's default. Every caller, with or without a credential, is
// an admin named "anonymous" (allowed everything, pruning included). For a trusted network or a dev
// stack only; --auth required checks credentials against the identity tables.
#pragma once

#include "api-manager/access/caller.h"

namespace nebula::api_manager {

class OpenAuthenticator final : public Authenticator {
 public:
  Caller Authenticate(std::string_view) override {
    Caller caller;
    caller.user = "anonymous";
    caller.admin = true;
    caller.pruning_allowed = true;
    return caller;
  }
  bool NeverBlocks() const override { return true; }
};

}  // namespace nebula::api_manager
