// Completion scripts come from the command tree.
#include <catch2/catch.hpp>

#include "completion.h"

using namespace nebula::cli;

TEST_CASE("Bash completion lists subcommands and flags per command path") {
  CLI::App root("t", "nebula");
  root.add_option("--endpoint");
  auto* apps = root.add_subcommand("apps");
  auto* create = apps->add_subcommand("create");
  create->add_option("--image");
  create->add_flag("--wait");
  const std::string script = BashCompletion(root);
  CHECK_THAT(script, Catch::Contains("\" apps\") echo \" create"));
  CHECK_THAT(script, Catch::Contains("\" apps create\") echo \" --help -h --image --wait\""));
  CHECK_THAT(script, Catch::Contains("complete -o default -F _nebula nebula"));
  CHECK_THAT(ZshCompletion(root), Catch::Contains("bashcompinit"));
}
