#include "completion.h"

#include <map>

namespace nebula::cli {

namespace {

std::string LongFlags(const CLI::App& app) {
  std::string words;
  for (const CLI::Option* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) words += " --" + name;
    for (const auto& name : option->get_snames()) words += " -" + name;
  }
  return words;
}

// " apps create" → words offered after it.
void Collect(const CLI::App& app, const std::string& path, std::map<std::string, std::string>& table) {
  std::string words;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name().empty()) continue;
    words += " " + sub->get_name();
    Collect(*sub, path + " " + sub->get_name(), table);
  }
  table[path] = words + LongFlags(app);
}

}  // namespace

std::string BashCompletion(const CLI::App& root) {
  std::map<std::string, std::string> table;
  Collect(root, "", table);
  const std::string global = LongFlags(root);
  std::string script =
      "# bash completion for nebula: source <(nebula completion bash)\n"
      "_nebula_words() {\n  case \"$1\" in\n";
  for (const auto& [path, words] : table) script += "    \"" + path + "\") echo \"" + words + "\" ;;\n";
  script +=
      "    *) return 1 ;;\n  esac\n}\n"
      "_nebula() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" path=\"\" w i\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    w=\"${COMP_WORDS[i]}\"\n"
      "    case \"$w\" in -*) continue ;; esac\n"
      "    _nebula_words \"$path $w\" >/dev/null && path=\"$path $w\"\n"
      "  done\n"
      "  local words\n"
      "  words=\"$(_nebula_words \"$path\")" +
      global +
      "\"\n"
      "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
      "}\n"
      "complete -o default -F _nebula nebula\n";
  return script;
}

std::string ZshCompletion(const CLI::App& root) {
  return "# zsh completion for nebula: source <(nebula completion zsh)\n"
         "autoload -U +X compinit && compinit\n"
         "autoload -U +X bashcompinit && bashcompinit\n" +
         BashCompletion(root);
}

}  // namespace nebula::cli
