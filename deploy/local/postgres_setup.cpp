#include "postgres_setup.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <optional>

#include "readiness.h"

namespace nebula::devstack {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::optional<RunAs> PostgresUser() {
  if (::geteuid() != 0) return std::nullopt;  // a non-root user runs the cluster as itself
  const passwd* user = ::getpwnam("postgres");
  if (!user) {
    throw StartupError(
        "running as root, but there is no `postgres` user to run PostgreSQL as; install it: "
        "apt-get install postgresql-15");
  }
  return RunAs{user->pw_uid, user->pw_gid, "postgres"};
}

void ChownTo(const fs::path& path, const std::optional<RunAs>& owner) {
  if (owner && ::chown(path.c_str(), owner->uid, owner->gid) != 0) {
    throw StartupError("cannot hand " + path.string() + " to the postgres user");
  }
}

ProcessSpec AsUser(const std::optional<RunAs>& user, const Toolbox& tools, ProcessSpec spec) {
  if (!user) return spec;
  // initdb is a one-shot command, so runuser's extra process does no harm here.
  spec.args.insert(spec.args.begin(), {"-u", user->name, "--", spec.program.string()});
  spec.program = tools.runuser;
  return spec;
}

bool PostgresCanReach(const fs::path& dir, const std::optional<RunAs>& user, const Toolbox& tools,
                      const fs::path& log) {
  if (!user) return true;
  const ProcessSpec probe =
      AsUser(user, tools, {"reach-probe", "/usr/bin/test", {"-x", dir.string()}, {}, SIGTERM, "/"});
  return RunToCompletion(probe, log, 10s) == 0;
}

// The directory holding data/ and run/ (the socket dir), created and owned by the postgres user.
fs::path PrepareClusterDir(const StackPaths& paths, const std::optional<RunAs>& user, const Toolbox& tools,
                           const fs::path& log) {
  if (fs::is_symlink(paths.postgres)) return fs::read_symlink(paths.postgres);
  if (user) {
    // A state dir from mktemp is 0700; letting others traverse (not list) it is enough for postgres.
    fs::permissions(paths.state, fs::perms::others_exec, fs::perm_options::add);
  }
  if (fs::exists(paths.postgres) || PostgresCanReach(paths.state, user, tools, log)) {
    fs::create_directories(paths.postgres);
    ChownTo(paths.postgres, user);
    return paths.postgres;
  }
  const fs::path home = FallbackClusterDir(paths.state);
  fs::create_directories(home);
  ChownTo(home.parent_path(), user);
  ChownTo(home, user);
  fs::create_directory_symlink(home, paths.postgres);
  return home;
}

}  // namespace

fs::path FallbackClusterDir(const fs::path& state_dir) {
  std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a: stable across builds, unlike std::hash
  for (unsigned char c : state_dir.string()) hash = (hash ^ c) * 1099511628211ULL;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return fs::path("/var/lib/postgresql/nebula-devstack") / hex;
}

std::unique_ptr<ChildProcess> StartPostgres(const UpOptions& options, const StackPaths& paths, const Toolbox& tools) {
  const auto user = PostgresUser();
  const fs::path setup_log = paths.Log("postgres-setup");
  AppendRunHeader(setup_log);
  const fs::path cluster = PrepareClusterDir(paths, user, tools, setup_log);
  const fs::path data = cluster / "data";
  const fs::path socket_dir = cluster / "run";
  fs::create_directories(socket_dir);
  ChownTo(socket_dir, user);

  if (!fs::exists(data / "PG_VERSION")) {
    // initdb into a scratch dir, then rename: an interrupted initdb never leaves a half cluster behind.
    const fs::path scratch = cluster / "data.initdb";
    fs::remove_all(scratch);
    const ProcessSpec initdb{"initdb",
                             tools.postgres_bin / "initdb",
                             {"-D", scratch.string(), "-U", "postgres", "--auth-local=trust", "--auth-host=trust", "-E",
                              "UTF8", "--locale=C.UTF-8"},
                             {},
                             SIGTERM,
                             cluster};
    RunOrThrow("initdb", AsUser(user, tools, initdb), setup_log, 120s);
    fs::rename(scratch, data);
  }

  const StackPorts ports{options.port_base};
  const fs::path log = paths.Log("postgres");
  AppendRunHeader(log);
  auto server = ChildProcess::Start(PostgresSpec(tools.postgres_bin, data, socket_dir, ports), log, user);
  const ProcessSpec ready{
      "pg_isready",
      tools.postgres_bin / "pg_isready",
      {"-h", "127.0.0.1", "-p", std::to_string(ports.Postgres()), "-U", "postgres", "-d", "postgres", "-t", "2"}};
  WaitUntilReady(*server,
                 {"pg_isready on " + Loopback(ports.Postgres()), [&] { return CommandSucceeds(ready, 5s); }, 90s});

  const auto psql = [&](const std::string& sql) {
    return ProcessSpec{"psql",
                       tools.postgres_bin / "psql",
                       {"-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", std::to_string(ports.Postgres()),
                        "-U", "postgres", "-d", "postgres", "-tAc", sql}};
  };
  const std::string exists =
      RunAndCapture("checking for database nebula", psql("SELECT count(*) FROM pg_database WHERE datname = 'nebula'"),
                    paths.logs / "psql.out", 30s);
  if (exists.rfind("0", 0) == 0) {
    RunOrThrow("CREATE DATABASE nebula", psql("CREATE DATABASE nebula"), setup_log, 30s);
  }
  return server;
}

}  // namespace nebula::devstack
