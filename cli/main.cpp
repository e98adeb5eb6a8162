// nebula: the command-line client of the Nebula API (cli/README.md).
#include <CLI/CLI.hpp>
#include <grpc/support/log.h>

#include <cstdlib>
#include <iostream>

#include "app_commands.h"
#include "apply_command.h"
#include "exit_codes.h"
#include "identity_commands.h"
#include "key_commands.h"
#include "resource_commands.h"

int main(int argc, char** argv) {
  using namespace nebula::cli;
  // Errors reach the user as one line each (ErrorLine); gRPC core's own log would add lines of its own
  // (e.g. "Handshake failed" before the CLI's "cannot reach" line). GRPC_VERBOSITY brings them back.
  if (std::getenv("GRPC_VERBOSITY") == nullptr) gpr_set_log_function([](gpr_log_func_args*) {});
  CLI::App root("nebula: manage the apps, device groups, cron jobs and users of a Nebula cluster", "nebula");
  root.require_subcommand(1);
  root.fallthrough();

  GlobalOptions global;
  AddGlobalFlags(root, &global);
  root.footer(std::string(kExitCodeHelp) +
              "\n\nEnvironment (a flag wins over its variable, both win over the config context):\n"
              "  NEBULA_ENDPOINT NEBULA_TOKEN NEBULA_USER NEBULA_PASSWORD NEBULA_CONTEXT NEBULA_CONFIG\n"
              "  NEBULA_CA_CERT NEBULA_CLIENT_CERT NEBULA_CLIENT_KEY\n\n"
              "Examples:\n"
              "  nebula login --endpoint 10.0.0.5:50051 --token \"$TOKEN\"\n"
              "  nebula apps create web --image nginx:1.27 --port 8080:80 --wait\n"
              "  nebula apply -f cluster.yaml --dry-run\n"
              "Run `nebula <command> --help` for each command's flags and examples.");

  Action action;
  AddAppsCommands(root, global, &action);
  AddResourceCommands(root, global, &action);
  AddIdentityCommands(root, global, &action);
  AddApplyCommand(root, global, &action);
  AddLocalCommands(root, global, &action);
  AddKeyCommands(root, &action);

  try {
    root.parse(argc, argv);
    return action ? action() : kExitUsage;
  } catch (const CLI::CallForHelp& e) {
    return root.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return root.exit(e);
  } catch (const CLI::Error& e) {
    std::cerr << "error: " << e.what() << " (usage; see --help)\n";
    return kExitUsage;
  } catch (const nebula::Error& e) {
    std::cerr << ErrorLine(e) << '\n';
    return ExitCodeFor(e.code());
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << " (INTERNAL)\n";
    return kExitInternal;
  }
}
