#include "key_commands.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "common/error.h"
#include "common/signing/record_signature.h"
#include "output.h"

namespace nebula::cli {
namespace {

// O_EXCL: never overwrites a key (a lost secret cannot be recovered, a replaced one breaks every agent
// that trusts the old one). The mode is set at creation, so the secret is never readable by others.
void WriteNewFile(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    throw Error(ErrorCode::kInvalidArgument, "cannot create " + path.string() + ": " + std::strerror(errno) +
                                                 (errno == EEXIST ? " (keys are never overwritten)" : ""));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written) throw Error(ErrorCode::kInternal, "cannot write " + path.string());
}

}  // namespace

void AddKeyCommands(CLI::App& root, Action* action) {
  struct KeyState {
    std::string id, out_dir = ".";
  };
  auto state = std::make_shared<KeyState>();
  auto* keys =
      root.add_subcommand("keys", "Signing keys for nebula.desired records (api-manager signs, agents verify)");
  keys->require_subcommand(1);
  auto* generate = keys->add_subcommand(
      "generate", "Make an Ed25519 key pair: <id>.key for nebula-api-manager, <id>.pub for the agents");
  generate->add_option("--id", state->id, "Key id, named in every record it signs (1-64 of A-Z a-z 0-9 . _ -)")
      ->required();
  generate->add_option("--out-dir", state->out_dir, "Directory to write <id>.key (mode 0600) and <id>.pub into")
      ->capture_default_str();
  Examples(generate,
           "  nebula keys generate --id prod-2026 --out-dir /etc/nebula\n"
           "  nebula-api-manager --signing-key-file /etc/nebula/prod-2026.key ...\n"
           "  nebula-worker-agent --trusted-keys /etc/nebula/prod-2026.pub ...   (copy the .pub to every host)");
  generate->final_callback([state, action] {
    *action = [state] {
      const signing::KeyPair pair = signing::GenerateKeyPair(state->id);
      const std::filesystem::path dir(state->out_dir);
      const auto secret = dir / (state->id + ".key"), pub = dir / (state->id + ".pub");
      WriteNewFile(secret, signing::FormatSigningKey(pair.secret), 0600);
      WriteNewFile(pub, signing::FormatPublicKey(pair.public_key), 0644);
      std::cout << "wrote " << secret.string() << " (secret: --signing-key-file of nebula-api-manager; keep it there)\n"
                << "wrote " << pub.string() << " (public: --trusted-keys of every nebula-worker-agent)\n"
                << signing::FormatPublicKey(pair.public_key);
      return 0;
    };
  });
}

}  // namespace nebula::cli
