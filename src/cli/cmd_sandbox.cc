// strata sandbox: a throwaway PostgreSQL cluster started from the installed server binaries, or
// for SQLite services a temporary folder of SQLite databases.
#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>

#include "cli/commands.h"
#include "engine/engine.h"
#include "sandbox/pg_cluster.h"
#include "sandbox/sqlite_sandbox.h"
#include "util/files.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace strata::cli {
namespace {

struct SandboxFlags {
  std::string dir;
  std::vector<std::string> databases;
  int port = 0;
  std::string engine;  // "postgres", "sqlite" or "" (from the chosen services)
};

// Whether the chosen services are all SQLite ones (their engine, or else their targets' URLs).
bool ServicesUseSqlite(Context& ctx) {
  auto project = ctx.Project();
  if (!project) return false;
  bool any = false;
  for (const auto& s : (*project)->services) {
    if (!ctx.g.services.empty() &&
        std::find(ctx.g.services.begin(), ctx.g.services.end(), s.name) == ctx.g.services.end()) {
      continue;
    }
    bool sqlite = s.engine ? *s.engine == EngineKind::kSqlite : !s.targets.empty();
    if (!s.engine) {
      for (const auto& t : s.targets) {
        auto url = ExpandEnv(t.url_template);  // "${DATABASE_URL}" and the like
        sqlite = sqlite && (url ? *url : t.url_template).starts_with("sqlite:");
      }
    }
    if (!sqlite) return false;
    any = true;
  }
  return any;
}

// "sqlite" or "postgres" for --engine (checked) or the services.
Result<std::string> SandboxEngine(Context& ctx, const SandboxFlags& f) {
  if (f.engine == "postgres" || f.engine == "postgresql" || f.engine == "pg") return std::string("postgres");
  if (f.engine == "sqlite") {
    if (!f.dir.empty()) {
      return MakeError(ErrorKind::kUsage, "--sandbox-dir is for PostgreSQL sandboxes: SQLite sandboxes live in a temporary folder");
    }
    return std::string("sqlite");
  }
  if (!f.engine.empty()) return MakeError(ErrorKind::kUsage, fmt::format("--engine '{}': use postgres or sqlite", f.engine));
  return std::string(f.dir.empty() && ServicesUseSqlite(ctx) ? "sqlite" : "postgres");
}

// Where the SQLite sandbox's folder is recorded.
std::string SqliteStateFile(Context& ctx) {
  auto project = ctx.Project();
  std::string root = project && !(*project)->root.empty() ? (*project)->root : fs::current_path().string();
  return (fs::path(root) / ".strata" / "sqlite-sandbox").string();
}

std::string SandboxDir(Context& ctx, const SandboxFlags& f) {
  if (!f.dir.empty()) return fs::absolute(f.dir).lexically_normal().string();
  auto project = ctx.Project();
  std::string root = project && !(*project)->root.empty() ? (*project)->root : fs::current_path().string();
  return (fs::path(root) / ".strata" / "sandbox").string();
}

// Creates the databases that do not exist yet (never drops one).
Result<void> EnsureDatabases(const PgCluster& cluster, const std::vector<std::string>& names) {
  if (names.empty()) return {};
  ASSIGN_OR_RETURN(DatabaseUrl url, DatabaseUrl::Parse(cluster.Url("postgres")));
  ASSIGN_OR_RETURN(auto engine, Connect(url, "strata sandbox"));
  for (const auto& name : names) {
    for (char c : name) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
        return MakeError(ErrorKind::kUsage, fmt::format("--db '{}': use letters, digits and _", name));
      }
    }
    Param p = name;
    ASSIGN_OR_RETURN(Rows r, engine->Query("SELECT 1 FROM pg_database WHERE datname = $1", std::span<const Param>(&p, 1)));
    if (r.size() == 0) TRY_VOID(engine->Exec(fmt::format("CREATE DATABASE \"{}\"", name)));
  }
  return {};
}

}  // namespace

void AddSandbox(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<SandboxFlags>();
  CLI::App* cmd = app.add_subcommand("sandbox", "A throwaway local PostgreSQL (or SQLite) for tests, demos and plans");
  cmd->require_subcommand(1);
  cmd->footer(
      "The cluster lives in .strata/sandbox of the project (or --sandbox-dir), listens on 127.0.0.1 only, trusts\n"
      "local connections and runs with fsync off: never put data you want to keep there. For SQLite services\n"
      "(or --engine sqlite) the sandbox is a temporary folder of SQLite databases instead; `down` deletes it.\n"
      "Examples:\n"
      "  strata sandbox up --db users --db orders\n"
      "  export DATABASE_URL=$(strata sandbox url --db users)\n"
      "  strata sandbox down\n"
      "  strata sandbox url --engine sqlite --db users      # sqlite:/tmp/strata-sqlite-…/users.db\n");
  auto add_dir = [&](CLI::App* sub) {
    sub->add_option("--sandbox-dir", f->dir, "Cluster folder (default <project>/.strata/sandbox)");
    sub->add_option("--engine", f->engine,
                    "postgres or sqlite (default: sqlite when every chosen service uses SQLite, else postgres)");
  };
  CLI::App* up = cmd->add_subcommand("up", "Start the sandbox (initdb on first use) and create databases");
  add_dir(up);
  up->add_option("--db", f->databases, "Create this database if missing (repeatable)");
  up->add_option("--port", f->port, "Port (default: a free one)");
  up->callback([&ctx, f] {
    auto engine = SandboxEngine(ctx, *f);
    if (!engine) return void(ctx.Fail(engine.error()));
    if (*engine == "sqlite") {
      auto sb = SqliteSandbox::Open(SqliteStateFile(ctx), true);
      if (!sb) return void(ctx.Fail(sb.error()));
      nlohmann::json dbs = nlohmann::json::object();
      for (const auto& d : f->databases) {
        auto url = (*sb)->CreateDatabase(d);
        if (!url) return void(ctx.Fail(url.error()));
        dbs[d] = *url;
      }
      ctx.Say(fmt::format("sandbox: SQLite databases in {}", (*sb)->dir()));
      for (const auto& [name, url] : dbs.items()) ctx.Say(fmt::format("  {}", url.get<std::string>()));
      if (ctx.g.json) ctx.PrintJson({{"engine", "sqlite"}, {"dir", (*sb)->dir()}, {"databases", dbs}});
      return;
    }
    if (!PgCluster::BinariesAvailable()) {
      return void(ctx.Fail(Error{ErrorKind::kIo, "no PostgreSQL server binaries (initdb, pg_ctl) found: install Debian's "
                                                 "postgresql package (scripts/setup does), or use sqlite: URLs"}));
    }
    PgClusterOptions opt;
    opt.dir = SandboxDir(ctx, *f);
    opt.port = f->port;
    opt.stop_on_destroy = false;
    std::error_code ec;
    fs::create_directories(fs::path(opt.dir).parent_path(), ec);
    auto cluster = PgCluster::Start(opt);
    if (!cluster) return void(ctx.Fail(cluster.error()));
    if (auto r = EnsureDatabases(**cluster, f->databases); !r) return void(ctx.Fail(r.error()));
    nlohmann::json dbs = nlohmann::json::object();
    for (const auto& d : f->databases) dbs[d] = (*cluster)->Url(d);
    ctx.Say(fmt::format("sandbox: PostgreSQL running on 127.0.0.1:{} (data in {})", (*cluster)->port(), opt.dir));
    ctx.Say(fmt::format("  {}", (*cluster)->Url()));
    for (const auto& d : f->databases) ctx.Say(fmt::format("  {}", (*cluster)->Url(d)));
    if (ctx.g.json) {
      ctx.PrintJson({{"engine", "postgres"}, {"dir", opt.dir}, {"port", (*cluster)->port()}, {"url", (*cluster)->Url()},
                     {"databases", dbs}});
    }
  });
  CLI::App* url = cmd->add_subcommand("url", "Print the sandbox URL (starting it if needed)");
  add_dir(url);
  auto db = std::make_shared<std::string>("postgres");
  CLI::Option* db_opt = url->add_option("--db", *db, "Database name in the URL (created if missing; default postgres, or sandbox for SQLite)");
  url->callback([&ctx, f, db, db_opt] {
    auto engine = SandboxEngine(ctx, *f);
    if (!engine) return void(ctx.Fail(engine.error()));
    if (*engine == "sqlite") {
      auto sb = SqliteSandbox::Open(SqliteStateFile(ctx), true);
      if (!sb) return void(ctx.Fail(sb.error()));
      auto u = (*sb)->CreateDatabase(db_opt->count() > 0 ? *db : std::string("sandbox"));
      if (!u) return void(ctx.Fail(u.error()));
      if (ctx.g.json) ctx.PrintJson({{"url", *u}});
      else std::cout << *u << "\n";
      return;
    }
    PgClusterOptions opt;
    opt.dir = SandboxDir(ctx, *f);
    opt.stop_on_destroy = false;
    auto cluster = PgCluster::Start(opt);
    if (!cluster) return void(ctx.Fail(cluster.error()));
    if (auto r = EnsureDatabases(**cluster, {*db}); !r) return void(ctx.Fail(r.error()));
    if (ctx.g.json) ctx.PrintJson({{"url", (*cluster)->Url(*db)}});
    else std::cout << (*cluster)->Url(*db) << "\n";
  });
  CLI::App* down = cmd->add_subcommand("down", "Stop the sandbox (its data stays until --purge)");
  add_dir(down);
  auto purge = std::make_shared<bool>(false);
  down->add_flag("--purge", *purge, "Also delete the cluster folder");
  down->callback([&ctx, f, purge] {
    auto engine = SandboxEngine(ctx, *f);
    if (!engine) return void(ctx.Fail(engine.error()));
    // Without --engine, a SQLite sandbox of the project is removed too (it has no server).
    if (*engine == "sqlite" || f->engine.empty()) {
      auto sb = SqliteSandbox::Open(SqliteStateFile(ctx), false);
      if (!sb) return void(ctx.Fail(sb.error()));
      if (sb->has_value()) {
        if (auto r = (*sb)->Remove(); !r) return void(ctx.Fail(r.error()));
        ctx.Say(fmt::format("sandbox: deleted the SQLite databases in {}", (*sb)->dir()));
        if (*engine == "sqlite") {
          if (ctx.g.json) ctx.PrintJson({{"engine", "sqlite"}, {"dir", (*sb)->dir()}, {"removed", true}});
          return;
        }
      } else if (*engine == "sqlite") {
        ctx.Say("sandbox: no SQLite sandbox to remove");
        if (ctx.g.json) ctx.PrintJson({{"engine", "sqlite"}, {"removed", false}});
        return;
      }
    }
    std::string dir = SandboxDir(ctx, *f);
    std::error_code ec;
    if (!fs::exists(fs::path(dir) / "PG_VERSION", ec)) {
      ctx.Say("sandbox: nothing to stop in " + dir);
      if (ctx.g.json) ctx.PrintJson({{"dir", dir}, {"stopped", false}});
      return;
    }
    PgClusterOptions opt;
    opt.dir = dir;
    opt.stop_on_destroy = false;
    auto cluster = PgCluster::Start(opt);  // adopts the running server
    if (!cluster) return void(ctx.Fail(cluster.error()));
    if (auto r = (*cluster)->Stop(); !r) return void(ctx.Fail(r.error()));
    if (*purge) fs::remove_all(dir, ec);
    ctx.Say(fmt::format("sandbox: stopped{} ({})", *purge ? " and deleted" : "", dir));
    if (ctx.g.json) ctx.PrintJson({{"dir", dir}, {"stopped", true}, {"purged", *purge}});
  });
}

}  // namespace strata::cli
