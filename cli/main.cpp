// nebula: the command-line client of the Nebula API (cli/README.md).
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

#include "app_commands.h"
#include "exit_codes.h"

int main(int argc, char** argv) {
  using namespace nebula::cli;
  CLI::App root("nebula: manage the apps of a Nebula cluster", "nebula");
  root.require_subcommand(1);
  root.fallthrough();

  GlobalOptions global;
  root.add_option("--endpoint", global.endpoint, "api-manager address")
      ->type_name("HOST:PORT")
      ->envname("NEBULA_ENDPOINT")
      ->capture_default_str();
  const std::map<std::string, OutputFormat> formats = {
      {"table", OutputFormat::kTable}, {"json", OutputFormat::kJson}, {"yaml", OutputFormat::kYaml}};
  std::string output = "table";
  root.add_option("-o,--output", output, "Output format: table|json|yaml (json: proto3 JSON, as the REST API)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"table", "json", "yaml"}))
      ->capture_default_str();
  root.add_option("--timeout", global.timeout_seconds, "Seconds one command may take, retries included")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  root.footer(std::string(kExitCodeHelp) +
              "\n\nEnvironment:\n  NEBULA_ENDPOINT  default for --endpoint\n\n"
              "Example:\n  nebula --endpoint 10.0.0.5:50051 apps get web -o json\n"
              "Run `nebula apps <verb> --help` for each verb's flags.");

  Action action;
  AddAppsCommands(root, global, &action);

  try {
    root.parse(argc, argv);
    global.output = formats.at(output);
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
