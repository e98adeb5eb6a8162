#include "api-manager/access/bootstrap_admin.h"

#include "api-manager/access/credentials.h"
#include "api-manager/access/identity_rules.h"
#include "api-manager/access/secrets.h"
#include "common/error.h"
#include "common/validation.h"

namespace nebula::api_manager {

void CheckBootstrapFlags(const std::string& token, const std::string& password) {
  std::vector<FieldViolation> violations;
  if (!token.empty()) {
    auto parsed = ParseTokenText(token);
    // The id is also a ListTokens page position, and those are DNS labels.
    if (!parsed || parsed->secret.size() < kMinBootstrapSecretLength || DnsLabelProblem(parsed->id))
      violations.push_back(
          {"--bootstrap-admin-token",
           "must be <id>.<secret>: an id of lowercase letters, digits and '-' (a DNS label) and a secret of " +
               std::to_string(kMinBootstrapSecretLength) +
               "-256 letters, digits, '-' or '_' (e.g. admin.$(openssl rand -hex 32))"});
  }
  if (!password.empty()) {
    auto problems = ValidatePassword(password, "--bootstrap-admin-password");
    violations.insert(violations.end(), problems.begin(), problems.end());
  }
  if (!violations.empty()) throw InvalidArgument(std::move(violations));
}

void EnsureBootstrapAdmin(IdentityStore& store, const std::string& token, const std::string& password) {
  if (token.empty() && password.empty()) return;
  CheckBootstrapFlags(token, password);
  BootstrapAdmin admin;
  if (!password.empty()) {
    auto current = store.PasswordHash(admin.user);
    if (!current || !VerifyPassword(*current, password)) admin.new_password_hash = HashPassword(password);
  }
  if (!token.empty()) {
    auto parsed = ParseTokenText(token);
    admin.token_id = parsed->id;
    admin.token_secret_hash = HashTokenSecret(parsed->secret);
  }
  store.EnsureBootstrapAdmin(admin);
}

}  // namespace nebula::api_manager
