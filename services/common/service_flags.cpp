#include "common/service_flags.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace nebula {
namespace {

// CLI11 applies a config file before the environment, so a file value would beat the variable. This
// reader drops the file's value of every option whose environment variable is set (flag > env > file >
// default) and names an unknown key and its file instead of CLI11's "INI was not able to parse".
class EnvFirstConfig : public CLI::ConfigTOML {
 public:
  explicit EnvFirstConfig(const CLI::App& app) : app_(app) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    std::vector<CLI::ConfigItem> kept;
    for (CLI::ConfigItem& item : CLI::ConfigTOML::from_config(input)) {
      if (item.name == "++" || item.name == "--") continue;  // section markers: we have no subcommands
      const CLI::Option* option = app_.get_option_no_throw("--" + item.name);
      const bool unknown = option == nullptr || option == app_.get_config_ptr() || option == app_.get_help_ptr() ||
                           !option->get_configurable() || !item.parents.empty();
      if (unknown)
        throw CLI::ConfigError("unknown key \"" + item.fullname() + "\" in config file " + FileName() +
                               " (keys are the long flag names without --, e.g. listen)");
      std::string env = option->get_envname();
      if (!env.empty() && std::getenv(env.c_str()) != nullptr) continue;
      kept.push_back(std::move(item));
    }
    return kept;
  }

 private:
  // CLI11 hands over only the stream; the file is the --config value (or its env default).
  std::string FileName() const {
    const CLI::Option* config = app_.get_config_ptr();
    if (config == nullptr) return "(unknown)";
    auto files = config->as<std::vector<std::string>>();
    return files.size() == 1 ? files.front() : "(one of " + CLI::detail::join(files, ", ") + ")";
  }

  const CLI::App& app_;
};

}  // namespace

void AddConfigFileFlag(CLI::App& app, const std::string& env_name, const std::string& example) {
  // CLI11 reads the config option before the environment, so the variable becomes its default here.
  const char* env_file = std::getenv(env_name.c_str());
  app.set_config("--config", env_file ? env_file : "",
                 "TOML (or INI) file of flags: one `name = value` per line with the long flag name, e.g. " + example +
                     "; a flag or its environment variable beats the file",
                 env_file != nullptr)
      ->envname(env_name);
  app.config_formatter(std::make_shared<EnvFirstConfig>(app));
  app.allow_config_extras(CLI::config_extras_mode::error);
}

std::string DescribeConfigFile(const CLI::App& app) {
  const CLI::Option* config = app.get_config_ptr();
  if (config == nullptr) return "no config file (this service has no --config)";
  const std::string env = config->get_envname();
  std::string files;
  for (const auto& file : config->as<std::vector<std::string>>()) {
    if (!file.empty()) files += (files.empty() ? "" : ", ") + file;
  }
  if (files.empty()) return "no config file (neither --config nor " + env + " is set)";
  // parse_order() lists what the command line gave; a file from the variable is added later.
  const auto& given = app.parse_order();
  const bool from_flag = std::find(given.begin(), given.end(), config) != given.end();
  return "config file " + files + " (from " + (from_flag ? std::string("--config") : env) + ")";
}

void AddLoggingFlags(CLI::App& app, std::string& level, std::string& format) {
  app.add_option("--log-level", level, "trace, debug, info, warn, error, critical or off")
      ->envname("NEBULA_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  app.add_option("--log-format", format,
                 "text: logfmt-style lines; json: one JSON object per line (time, level, service, message)")
      ->envname("NEBULA_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

}  // namespace nebula
