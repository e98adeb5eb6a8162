#include "identity_commands.h"

#include <google/protobuf/util/time_util.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "completion.h"
#include "spec_flags.h"

namespace nebula::cli {

namespace {

std::string Grants(const google::protobuf::Map<std::string, v1::Access>& grants) {
  std::vector<std::string> items;
  for (const auto& [pattern, access] : grants) items.push_back(pattern + "=" + (access == v1::ACCESS_RW ? "rw" : "ro"));
  std::sort(items.begin(), items.end());
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string UserTable(const std::vector<v1::User>& users) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "CREATED", "UPDATED"}};
  const auto now = std::chrono::system_clock::now();
  for (const auto& u : users)
    rows.push_back(
        {u.name(), AgeOf(u.create_time(), u.has_create_time(), now), AgeOf(u.update_time(), u.has_update_time(), now)});
  return Table(rows);
}

std::string GroupTable(const std::vector<v1::UserGroup>& groups) {
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "GENERATION", "MEMBERS", "ADMIN", "PRUNING", "APPS", "DEVICE-GROUPS", "CRON-JOBS"}};
  for (const auto& g : groups)
    rows.push_back({g.name(), std::to_string(g.generation()), Joined(g.members()), g.admin() ? "yes" : "no",
                    g.pruning_allowed() ? "yes" : "no", Grants(g.apps()), Grants(g.device_groups()),
                    Grants(g.cron_jobs())});
  return Table(rows);
}

std::string TokenTable(const std::vector<v1::Token>& tokens) {
  std::vector<std::vector<std::string>> rows = {{"ID", "USER", "DESCRIPTION", "CREATED", "EXPIRES", "LAST-USED"}};
  const auto now = std::chrono::system_clock::now();
  for (const auto& t : tokens) {
    std::string expires = "never";
    if (t.has_expire_time()) expires = google::protobuf::util::TimeUtil::ToString(t.expire_time());
    rows.push_back({t.id(), t.user(), t.description(), AgeOf(t.create_time(), t.has_create_time(), now), expires,
                    AgeOf(t.last_used_time(), t.has_last_used_time(), now)});
  }
  return Table(rows);
}

// A password from --password-stdin (first line) or the flag; never echoed.
std::string PasswordFrom(bool from_stdin, const std::string& flag_value) {
  if (!from_stdin) return flag_value;
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

struct IdentityState {
  std::string name, password, description, user;
  bool password_stdin = false;
  int64_t ttl_seconds = 0, expected_generation = 0;
  std::vector<std::string> members, apps, device_groups, cron_jobs;
  bool admin = false, no_admin = false, pruning = false, no_pruning = false;
  std::map<std::string, CLI::Option*> options;
  bool Given(const std::string& n) const { return options.count(n) && options.at(n)->count() > 0; }
};

void AddUsers(CLI::App& root, const GlobalOptions& global, Action* action) {
  auto state = std::make_shared<IdentityState>();
  auto* users = root.add_subcommand("users", "API users (admin only, except your own password)");
  users->require_subcommand(1);
  auto name = [&](CLI::App* cmd) { cmd->add_option("NAME", state->name, "User name (DNS label)")->required(); };
  auto password = [&](CLI::App* cmd) {
    auto* flag = cmd->add_option("--new-password", state->password, "The password (at least 8 characters)");
    cmd->add_flag("--password-stdin", state->password_stdin, "Read the password from the first line of stdin")
        ->excludes(flag);
  };

  auto* create = users->add_subcommand("create", "Create a user");
  name(create);
  password(create);
  Examples(create, "  printf '%s\\n' \"$PW\" | nebula users create alice --password-stdin");
  On(create, global, action, [state, &global](sdk::Client& client) {
    const std::string pw = PasswordFrom(state->password_stdin, state->password);
    if (pw.empty()) Usage("give the password with --new-password or --password-stdin");
    const auto user = Call(client, [&] { return client.CreateUser(state->name, pw); });
    PrintChanged(user, "user \"" + user.name() + "\"", 0, "created", global);
    return 0;
  });

  auto* get = users->add_subcommand("get", "Show one user");
  name(get);
  Examples(get, "  nebula users get alice");
  On(get, global, action, [state, &global](sdk::Client& client) {
    const auto user = Call(client, [&] { return client.GetUser(state->name); });
    PrintView(user, UserTable({user}), global);
    return 0;
  });

  auto* list = users->add_subcommand("list", "List users");
  Examples(list, "  nebula users list -o json");
  On(list, global, action, [&global](sdk::Client& client) {
    const auto found = Call(client, [&] { return client.ListAllUsers(); });
    v1::ListUsersResponse all;
    for (const auto& u : found) *all.add_users() = u;
    PrintView(all, UserTable(found), global);
    return 0;
  });

  auto* update = users->add_subcommand("update", "Set a user's password");
  name(update);
  password(update);
  Examples(update, "  nebula users update alice --password-stdin < pw.txt");
  On(update, global, action, [state, &global](sdk::Client& client) {
    const std::string pw = PasswordFrom(state->password_stdin, state->password);
    if (pw.empty()) Usage("give the new password with --new-password or --password-stdin");
    const auto user = Call(client, [&] { return client.UpdateUser(state->name, pw); });
    PrintChanged(user, "user \"" + user.name() + "\"", 0, "updated", global);
    return 0;
  });

  auto* del = users->add_subcommand("delete", "Delete a user (revokes their tokens, leaves their groups)");
  name(del);
  Examples(del, "  nebula users delete alice");
  On(del, global, action, [state, &global](sdk::Client& client) {
    Call(client, [&] {
      client.DeleteUser(state->name);
      return 0;
    });
    PrintChanged(v1::DeleteUserResponse(), "user \"" + state->name + "\"", 0, "deleted", global);
    return 0;
  });
}

void AddUserGroups(CLI::App& root, const GlobalOptions& global, Action* action) {
  auto state = std::make_shared<IdentityState>();
  auto* groups = root.add_subcommand("user-groups", "User groups: members and their permissions (admin only)");
  groups->require_subcommand(1);
  auto name = [&](CLI::App* cmd) { cmd->add_option("NAME", state->name, "User group name (DNS label)")->required(); };
  // Options are keyed by "<verb>:<flag>": create and update have their own.
  auto grant_flags = [&](CLI::App* cmd, const std::string& verb) {
    std::map<std::string, CLI::Option*> o;
    o["member"] = cmd->add_option("--member", state->members, "User name. Repeatable; replaces the list");
    o["admin"] = cmd->add_flag("--admin", state->admin, "Members may do everything");
    o["no-admin"] = cmd->add_flag("--no-admin", state->no_admin, "Members are not admins")->excludes(o["admin"]);
    o["pruning-allowed"] = cmd->add_flag("--pruning-allowed", state->pruning, "Members may prune");
    o["no-pruning-allowed"] = cmd->add_flag("--no-pruning-allowed", state->no_pruning, "Members may not prune")
                                  ->excludes(o["pruning-allowed"]);
    o["app"] = cmd->add_option("--app", state->apps, "PATTERN=ro|rw on apps (glob). Repeatable; replaces the map");
    o["device-group"] =
        cmd->add_option("--device-group", state->device_groups, "PATTERN=ro|rw on device groups. Repeatable");
    o["cron-job"] = cmd->add_option("--cron-job", state->cron_jobs, "PATTERN=ro|rw on cron jobs. Repeatable");
    for (const auto& [flag, option] : o) state->options[verb + ":" + flag] = option;
  };
  // The group and the update_mask paths of the flags given.
  auto build = [state](const std::string& verb) {
    auto given = [&](const std::string& flag) { return state->Given(verb + ":" + flag); };
    v1::UserGroup group;
    std::vector<std::string> mask;
    group.set_name(state->name);
    try {
      if (given("member")) {
        for (const auto& m : state->members) group.add_members(m);
        mask.push_back("members");
      }
      if (given("admin") || given("no-admin")) {
        group.set_admin(given("admin"));
        mask.push_back("admin");
      }
      if (given("pruning-allowed") || given("no-pruning-allowed")) {
        group.set_pruning_allowed(given("pruning-allowed"));
        mask.push_back("pruning_allowed");
      }
      auto grants = [&](const char* flag, const char* path, const std::vector<std::string>& values,
                        google::protobuf::Map<std::string, v1::Access>* map) {
        if (!given(flag)) return;
        for (const auto& v : values) {
          const auto [pattern, access] = ParseGrant(std::string("--") + flag, v);
          (*map)[pattern] = access;
        }
        mask.push_back(path);
      };
      grants("app", "apps", state->apps, group.mutable_apps());
      grants("device-group", "device_groups", state->device_groups, group.mutable_device_groups());
      grants("cron-job", "cron_jobs", state->cron_jobs, group.mutable_cron_jobs());
    } catch (const Error& e) {
      Usage(e.what());
    }
    return std::make_pair(group, mask);
  };

  auto* create = groups->add_subcommand("create", "Create a user group");
  name(create);
  grant_flags(create, "create");
  Examples(create, "  nebula user-groups create web-team --member alice --app 'web-*=rw' --app '*=ro'");
  On(create, global, action, [state, &global, build](sdk::Client& client) {
    const auto group = Call(client, [&] { return client.CreateUserGroup(build("create").first); });
    PrintChanged(group, "user group \"" + group.name() + "\"", group.generation(), "created", global);
    return 0;
  });

  auto* get = groups->add_subcommand("get", "Show one user group");
  name(get);
  Examples(get, "  nebula user-groups get web-team -o yaml");
  On(get, global, action, [state, &global](sdk::Client& client) {
    const auto group = Call(client, [&] { return client.GetUserGroup(state->name); });
    PrintView(group, GroupTable({group}), global);
    return 0;
  });

  auto* list = groups->add_subcommand("list", "List user groups");
  Examples(list, "  nebula user-groups list");
  On(list, global, action, [&global](sdk::Client& client) {
    const auto found = Call(client, [&] { return client.ListAllUserGroups(); });
    v1::ListUserGroupsResponse all;
    for (const auto& g : found) *all.add_user_groups() = g;
    PrintView(all, GroupTable(found), global);
    return 0;
  });

  auto* update = groups->add_subcommand("update", "Change a user group: the fields whose flags are given are replaced");
  name(update);
  grant_flags(update, "update");
  update
      ->add_option("--expected-generation", state->expected_generation,
                   "Fail with exit code 3 unless at this generation")
      ->check(CLI::NonNegativeNumber);
  Examples(update, "  nebula user-groups update web-team --member alice --member bob");
  On(update, global, action, [state, &global, build](sdk::Client& client) {
    const auto [group, mask] = build("update");
    if (mask.empty()) Usage("nothing to update: give at least one flag");
    const auto updated = Call(client, [&] { return client.UpdateUserGroup(group, mask, state->expected_generation); });
    PrintChanged(updated, "user group \"" + updated.name() + "\"", updated.generation(), "updated", global);
    return 0;
  });

  auto* del = groups->add_subcommand("delete", "Delete a user group");
  name(del);
  Examples(del, "  nebula user-groups delete web-team");
  On(del, global, action, [state, &global](sdk::Client& client) {
    Call(client, [&] {
      client.DeleteUserGroup(state->name);
      return 0;
    });
    PrintChanged(v1::DeleteUserGroupResponse(), "user group \"" + state->name + "\"", 0, "deleted", global);
    return 0;
  });
}

void AddTokens(CLI::App& root, const GlobalOptions& global, Action* action) {
  auto state = std::make_shared<IdentityState>();
  auto* tokens = root.add_subcommand("tokens", "API tokens (bearer credentials)");
  tokens->require_subcommand(1);

  auto* create = tokens->add_subcommand("create", "Create a token; its secret is printed ONCE");
  create->add_option("--for-user", state->user, "Whose token (admin only; default: you)");
  create->add_option("--description", state->description, "What the token is for");
  create->add_option("--ttl", state->ttl_seconds, "Seconds until it expires (0 = never)")
      ->check(CLI::NonNegativeNumber);
  Examples(create,
           "  nebula tokens create --description ci --ttl 86400\n"
           "  export NEBULA_TOKEN=$(nebula tokens create -o json | jq -r .secret)");
  On(create, global, action, [state, &global](sdk::Client& client) {
    const auto created =
        Call(client, [&] { return client.CreateToken(state->user, state->description, state->ttl_seconds); });
    if (global.output == OutputFormat::kTable) {
      std::cout << "token " << created.token().id() << " created for user \"" << created.token().user() << "\"\n"
                << "secret (shown only now; send as authorization: Bearer <secret>):\n"
                << created.secret() << '\n';
    } else {
      std::cout << Render(created, global.output);
    }
    return 0;
  });

  auto* list = tokens->add_subcommand("list", "List tokens (yours; every user's for an admin); never the secrets");
  list->add_option("--for-user", state->user, "Only this user's tokens (admin only)");
  Examples(list, "  nebula tokens list");
  On(list, global, action, [state, &global](sdk::Client& client) {
    const auto found = Call(client, [&] { return client.ListAllTokens(state->user); });
    v1::ListTokensResponse all;
    for (const auto& t : found) *all.add_tokens() = t;
    PrintView(all, TokenTable(found), global);
    return 0;
  });

  auto* revoke = tokens->add_subcommand("revoke", "Revoke a token");
  revoke->add_option("ID", state->name, "Token id (the part before the '.')")->required();
  Examples(revoke, "  nebula tokens revoke 7f3a9c");
  On(revoke, global, action, [state, &global](sdk::Client& client) {
    Call(client, [&] {
      client.RevokeToken(state->name);
      return 0;
    });
    PrintChanged(v1::RevokeTokenResponse(), "token " + state->name, 0, "revoked", global);
    return 0;
  });

  auto* whoami = root.add_subcommand("whoami", "Who the API thinks you are, and your permissions");
  Examples(whoami, "  nebula whoami\n  nebula --context prod whoami -o json");
  On(whoami, global, action, [&global](sdk::Client& client) {
    const auto me = Call(client, [&] { return client.WhoAmI(); });
    std::vector<std::vector<std::string>> rows = {
        {"USER", "ADMIN", "PRUNING", "GROUPS", "APPS", "DEVICE-GROUPS", "CRON-JOBS"},
        {me.user(), me.admin() ? "yes" : "no", me.pruning_allowed() ? "yes" : "no", Joined(me.user_groups()),
         Grants(me.apps()), Grants(me.device_groups()), Grants(me.cron_jobs())}};
    PrintView(me, Table(rows), global);
    return 0;
  });
}

}  // namespace

void AddIdentityCommands(CLI::App& root, const GlobalOptions& global, Action* action) {
  AddUsers(root, global, action);
  AddUserGroups(root, global, action);
  AddTokens(root, global, action);
}

void AddLocalCommands(CLI::App& root, GlobalOptions& global, Action* action) {
  struct LocalState {
    std::string name, shell;
    bool password_stdin = false;
  };
  auto state = std::make_shared<LocalState>();

  auto* login = root.add_subcommand("login", "Check credentials against the API and save them as a config context");
  login->add_option("--save-as", state->name, "Context name to save (default: --context, else \"default\")");
  login->add_flag("--password-stdin", state->password_stdin, "Read the password from the first line of stdin");
  login->footer(
      "Saves the endpoint and the credential given by the global flags (or NEBULA_* env vars) as a context\n"
      "in the config file (mode 0600) and makes it current, after WhoAmI accepted them.\n"
      "Examples:\n"
      "  nebula login --endpoint 10.0.0.5:50051 --token \"$TOKEN\"\n"
      "  printf '%s\\n' \"$PW\" | nebula login --endpoint api:50051 --user alice --password-stdin --save-as prod\n"
      "Global flags: --endpoint, --context, --token, --user/--password, --tls, --ca-cert, --config.");
  login->final_callback([state, &global, action] {
    *action = [state, &global] {
      if (state->password_stdin) {
        std::string pw;
        std::getline(std::cin, pw);
        if (!pw.empty() && pw.back() == '\r') pw.pop_back();
        global.overrides.password = pw;
      }
      Config config = LoadConfig(global);
      // Start from the named context if it exists; the flags given override it.
      ConnectionOverrides overrides = global.overrides;
      if (overrides.context && !FindContext(config, *overrides.context)) overrides.context.reset();
      const Connection connection = Resolve(config, overrides);
      if (connection.token.empty() && connection.user.empty())
        Usage("give a credential: --token (NEBULA_TOKEN) or --user and --password (NEBULA_USER, NEBULA_PASSWORD)");
      sdk::Client client(ClientOptionsFor(connection, global));
      v1::WhoAmIResponse me;
      try {
        me = Call(client, [&] { return client.WhoAmI(); });
      } catch (const Error& e) {
        // An api-manager without the Identity service answers UNIMPLEMENTED (kInternal here): check
        // the credential with a read instead.
        if (e.code() != ErrorCode::kInternal) throw;
        Call(client, [&] { return client.ListApps(1); });
        me.set_user(connection.token.empty() ? connection.user : "(token)");
      }
      Context context;
      context.name = !state->name.empty() ? state->name : global.overrides.context.value_or("default");
      context.endpoint = connection.endpoint;
      context.token = connection.token;
      context.user = connection.user;
      context.password = connection.password;
      context.tls = connection.tls;
      context.ca_cert = connection.ca_cert;
      context.client_cert = connection.client_cert;
      context.client_key = connection.client_key;
      UpsertContext(config, context);
      config.current_context = context.name;
      SaveConfig(global, config);
      if (global.output == OutputFormat::kTable)
        std::cout << "logged in to " << context.endpoint << " as \"" << me.user() << "\" (context \"" << context.name
                  << "\")\n";
      else
        std::cout << Render(me, global.output);
      return 0;
    };
  });

  auto* config = root.add_subcommand("config", "Show and switch the config file's contexts");
  config->require_subcommand(1);
  auto* get_contexts = config->add_subcommand("get-contexts", "List contexts (* marks the current one)");
  Examples(get_contexts, "  nebula config get-contexts");
  get_contexts->final_callback([&global, action] {
    *action = [&global] {
      const Config c = LoadConfig(global);
      if (global.output == OutputFormat::kTable) {
        std::vector<std::vector<std::string>> rows = {{"CURRENT", "NAME", "ENDPOINT", "AUTH", "TLS"}};
        for (const auto& ctx : c.contexts)
          rows.push_back({ctx.name == c.current_context ? "*" : " ", ctx.name, ctx.endpoint,
                          !ctx.token.empty()  ? "token"
                          : !ctx.user.empty() ? "user " + ctx.user
                                              : "none",
                          ctx.tls ? "yes" : "no"});
        std::cout << Table(rows);
      } else {
        // Never print secrets: names, endpoints and the kind of credential only.
        nlohmann::ordered_json doc = {{"currentContext", c.current_context},
                                      {"contexts", nlohmann::ordered_json::array()}};
        for (const auto& ctx : c.contexts)
          doc["contexts"].push_back({{"name", ctx.name},
                                     {"endpoint", ctx.endpoint},
                                     {"auth", !ctx.token.empty()  ? "token"
                                              : !ctx.user.empty() ? "basic"
                                                                  : "none"},
                                     {"user", ctx.user},
                                     {"tls", ctx.tls}});
        std::cout << (global.output == OutputFormat::kJson ? doc.dump(2) + "\n" : JsonToYaml(doc.dump()));
      }
      return 0;
    };
  });
  auto* use = config->add_subcommand("use-context", "Make a context the current one");
  use->add_option("NAME", state->name, "Context name")->required();
  Examples(use, "  nebula config use-context prod");
  use->final_callback([state, &global, action] {
    *action = [state, &global] {
      Config c = LoadConfig(global);
      if (!FindContext(c, state->name))
        throw Error(ErrorCode::kNotFound,
                    "context \"" + state->name + "\" is not in the config file (nebula config get-contexts)");
      c.current_context = state->name;
      SaveConfig(global, c);
      std::cout << "switched to context \"" << state->name << "\"\n";
      return 0;
    };
  });
  auto* current = config->add_subcommand("current-context", "Print the current context's name");
  Examples(current, "  nebula config current-context");
  current->final_callback([&global, action] {
    *action = [&global] {
      const Config c = LoadConfig(global);
      if (c.current_context.empty()) throw Error(ErrorCode::kNotFound, "no current context (nebula login)");
      std::cout << c.current_context << '\n';
      return 0;
    };
  });
  auto* remove = config->add_subcommand("delete-context", "Remove a context from the config file");
  remove->add_option("NAME", state->name, "Context name")->required();
  Examples(remove, "  nebula config delete-context old");
  remove->final_callback([state, &global, action] {
    *action = [state, &global] {
      Config c = LoadConfig(global);
      const auto before = c.contexts.size();
      std::erase_if(c.contexts, [&](const Context& ctx) { return ctx.name == state->name; });
      if (c.contexts.size() == before)
        throw Error(ErrorCode::kNotFound, "context \"" + state->name + "\" is not in the config file");
      if (c.current_context == state->name) c.current_context.clear();
      SaveConfig(global, c);
      std::cout << "deleted context \"" << state->name << "\"\n";
      return 0;
    };
  });

  auto* completion = root.add_subcommand("completion", "Print a shell completion script");
  completion->add_option("SHELL", state->shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  completion->footer(
      "Examples:\n"
      "  source <(nebula completion bash)                 # or add it to ~/.bashrc\n"
      "  nebula completion zsh > \"${fpath[1]}/_nebula\"");
  completion->final_callback([state, &root, action] {
    *action = [state, &root] {
      std::cout << (state->shell == "bash" ? BashCompletion(root) : ZshCompletion(root));
      return 0;
    };
  });
}

}  // namespace nebula::cli
