#include "signing_keys.h"

#include <fstream>

#include "common/signing/record_signature.h"
#include "child_process.h"

namespace nebula::devstack {
namespace fs = std::filesystem;

namespace {

void WriteFile(const fs::path& path, const std::string& text, fs::perms perms) {
  const fs::path partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    // Permissions before the key is written: the secret is never readable by others, not even briefly.
    fs::permissions(partial, perms, fs::perm_options::replace);
    out << text;
    if (!out.flush()) throw StartupError("cannot write " + partial.string());
  }
  fs::rename(partial, path);
}

}  // namespace

StackSigningKeys EnsureSigningKeys(const fs::path& keys_dir) {
  StackSigningKeys keys{keys_dir / "devstack.key", keys_dir / "devstack.pub"};
  if (fs::exists(keys.secret) && fs::exists(keys.trusted)) return keys;
  fs::create_directories(keys_dir);
  const signing::KeyPair pair = signing::GenerateKeyPair("devstack");
  WriteFile(keys.secret, signing::FormatSigningKey(pair.secret), fs::perms::owner_read | fs::perms::owner_write);
  WriteFile(keys.trusted, signing::FormatPublicKey(pair.public_key),
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  return keys;
}

}  // namespace nebula::devstack
