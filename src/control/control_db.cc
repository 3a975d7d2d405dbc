#include "control/control_db.h"

#include <fmt/format.h>
#include <unistd.h>

#include <map>
#include <mutex>

#include "history/history_store.h"
#include "util/process.h"
#include "util/text.h"

namespace strata {
namespace {

std::mutex& RegistryMutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, std::vector<std::string>>& Registry() {
  static std::map<std::string, std::vector<std::string>> r;
  return r;
}

// The core module: its own statements are versioned like any other module's.
const std::vector<std::string>& CoreDdl() {
  static const std::vector<std::string> ddl = {
      "CREATE TABLE IF NOT EXISTS {schema}lock_holder (lock_key TEXT PRIMARY KEY, holder TEXT NOT NULL, "
      "pid TEXT NOT NULL, session TEXT NOT NULL, since TEXT NOT NULL, command TEXT NOT NULL)",
  };
  return ddl;
}

}  // namespace

std::string ControlLockHolder::Describe() const {
  return fmt::format("{} (pid {}, since {}{}{})", holder, pid, since, command.empty() ? "" : ", ", command);
}

ControlDb::ControlDb(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}
ControlDb::~ControlDb() = default;

std::string ControlDb::Sql(std::string_view text) const {
  std::string out;
  const std::string_view tag = "{schema}";
  const char* prefix = kind() == EngineKind::kPostgres ? "strata_control." : "strata_control_";
  size_t pos = 0;
  while (true) {
    size_t hit = text.find(tag, pos);
    if (hit == std::string_view::npos) break;
    out.append(text.substr(pos, hit - pos));
    out.append(prefix);
    pos = hit + tag.size();
  }
  out.append(text.substr(pos));
  return out;
}

Result<void> ControlDb::EnsureCore() {
  if (core_ready_) return {};
  if (kind() == EngineKind::kPostgres) {
    // Concurrent first bootstraps: CREATE SCHEMA IF NOT EXISTS can still race, so serialise.
    std::vector<BoundStatement> stmts = {
        {"SELECT pg_advisory_xact_lock(hashtext('strata_control_bootstrap'))", {}, ""},
        {"CREATE SCHEMA IF NOT EXISTS strata_control", {}, ""},
        {"CREATE TABLE IF NOT EXISTS strata_control.schema_version (module TEXT PRIMARY KEY, version INTEGER NOT "
         "NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now())",
         {},
         ""},
    };
    TRY_VOID(engine_->RunTransaction(stmts, Timeouts{}, true));
  } else {
    std::vector<BoundStatement> stmts = {
        {"CREATE TABLE IF NOT EXISTS strata_control_schema_version (module TEXT PRIMARY KEY, version INTEGER NOT "
         "NULL, updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)",
         {},
         ""},
    };
    TRY_VOID(engine_->RunTransaction(stmts, Timeouts{}, true));
  }
  core_ready_ = true;
  return EnsureModule("control", CoreDdl());
}

Result<int> ControlDb::ModuleVersion(const std::string& module) {
  TRY_VOID(EnsureCore());
  Param p = module;
  ASSIGN_OR_RETURN(Rows rows, engine_->Query(Sql("SELECT version FROM {schema}schema_version WHERE module = $1"),
                                             std::span<const Param>(&p, 1)));
  if (rows.size() == 0 || !rows.rows[0][0]) return 0;
  return std::stoi(*rows.rows[0][0]);
}

Result<void> ControlDb::EnsureModule(const std::string& module, const std::vector<std::string>& ddl) {
  TRY_VOID(EnsureCore());
  ASSIGN_OR_RETURN(int have, ModuleVersion(module));
  if (have >= static_cast<int>(ddl.size())) return {};
  const bool pg = kind() == EngineKind::kPostgres;
  for (int v = have + 1; v <= static_cast<int>(ddl.size()); ++v) {
    // One transaction per version, under a transaction-level lock; the version is re-read
    // inside it because another process may have run this statement meanwhile.
    auto step = [&]() -> Result<void> {
      TRY_VOID(engine_->Exec(pg ? "BEGIN" : "BEGIN IMMEDIATE"));
      if (pg) TRY_VOID(engine_->Query("SELECT pg_advisory_xact_lock(hashtext('strata_control_bootstrap'))"));
      Param p = module;
      ASSIGN_OR_RETURN(Rows rows, engine_->Query(Sql("SELECT version FROM {schema}schema_version WHERE module = $1"),
                                                 std::span<const Param>(&p, 1)));
      int now = rows.size() == 1 && rows.rows[0][0] ? std::stoi(*rows.rows[0][0]) : 0;
      if (now < v) {
        TRY_VOID(engine_->Exec(Sql(ddl[v - 1])));
        std::vector<Param> params = {module, std::to_string(v)};
        TRY_VOID(engine_->Query(Sql(pg ? "INSERT INTO {schema}schema_version (module, version) VALUES ($1, $2::int) "
                                         "ON CONFLICT (module) DO UPDATE SET version = EXCLUDED.version, "
                                         "updated_at = now()"
                                       : "INSERT INTO {schema}schema_version (module, version) VALUES ($1, $2) "
                                         "ON CONFLICT (module) DO UPDATE SET version = excluded.version, "
                                         "updated_at = CURRENT_TIMESTAMP"),
                                params));
      }
      return engine_->Exec("COMMIT");
    };
    auto r = step();
    if (!r) {
      (void)engine_->Exec("ROLLBACK");
      Error e = r.error();
      e.message = fmt::format("control database: bootstrapping {} version {}: {}", module, v, e.message);
      return std::unexpected(std::move(e));
    }
  }
  return {};
}

Result<void> ControlDb::EnsureSchema() {
  TRY_VOID(EnsureCore());
  std::map<std::string, std::vector<std::string>> modules;
  {
    std::lock_guard<std::mutex> g(RegistryMutex());
    modules = Registry();
  }
  for (const auto& [module, ddl] : modules) TRY_VOID(EnsureModule(module, ddl));
  return {};
}

Result<bool> ControlDb::TryAdvisoryLock(std::string_view key, std::string_view command, std::string_view holder) {
  TRY_VOID(EnsureCore());
  ASSIGN_OR_RETURN(bool got, engine_->TryLock(std::string("strata_control:") + std::string(key)));
  if (!got) return false;
  std::vector<BoundStatement> stmts = {
      {Sql("INSERT INTO {schema}lock_holder (lock_key, holder, pid, session, since, command) VALUES ($1, $2, $3, "
           "$4, $5, $6) ON CONFLICT (lock_key) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, "
           "session = excluded.session, since = excluded.since, command = excluded.command"),
       {std::string(key), (holder.empty() ? CurrentUser() : RedactSecrets(holder)) + "@" + CurrentHost(), std::to_string(::getpid()), engine_->SessionId(),
        NowIso8601(), RedactSecrets(command)},
       ""}};
  auto w = engine_->RunTransaction(stmts, Timeouts{}, true);
  if (!w) {
    (void)engine_->Unlock(std::string("strata_control:") + std::string(key));
    return std::unexpected(w.error());
  }
  return true;
}

Result<void> ControlDb::UnlockAdvisory(std::string_view key) {
  return engine_->Unlock(std::string("strata_control:") + std::string(key));
}

Result<std::optional<ControlLockHolder>> ControlDb::LockHolder(std::string_view key) {
  TRY_VOID(EnsureCore());
  ASSIGN_OR_RETURN(bool free, engine_->IsLockFree(std::string("strata_control:") + std::string(key)));
  if (free) return std::optional<ControlLockHolder>();
  Param p = std::string(key);
  ASSIGN_OR_RETURN(Rows rows, engine_->Query(Sql("SELECT holder, pid, session, since, command FROM "
                                                 "{schema}lock_holder WHERE lock_key = $1"),
                                             std::span<const Param>(&p, 1)));
  ControlLockHolder h;
  h.key = std::string(key);
  if (rows.size() == 1) {
    h.holder = rows.rows[0][0].value_or("");
    h.pid = rows.rows[0][1].value_or("");
    h.session = rows.rows[0][2].value_or("");
    h.since = rows.rows[0][3].value_or("");
    h.command = rows.rows[0][4].value_or("");
  } else {
    h.holder = "unknown";
  }
  return std::optional<ControlLockHolder>(std::move(h));
}

void RegisterControlTables(std::string module, std::vector<std::string> ddl) {
  std::lock_guard<std::mutex> g(RegistryMutex());
  Registry()[std::move(module)] = std::move(ddl);
}

Result<std::unique_ptr<ControlDb>> OpenControlDbUrl(const DatabaseUrl& url) {
  ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Connect(url, "strata control"));
  auto db = std::make_unique<ControlDb>(std::move(engine));
  TRY_VOID(db->EnsureSchema());
  return db;
}

Result<std::unique_ptr<ControlDb>> OpenControlDb(const ProjectConfig& project) {
  if (project.control.url_template.empty()) {
    return MakeErrorAt(ErrorKind::kInput, project.file, 0,
                       "no control database: add [control] url = \"${STRATA_CONTROL_URL}\" to strata.toml");
  }
  auto expanded = ExpandEnv(project.control.url_template);
  if (!expanded) {
    return MakeErrorAt(ErrorKind::kInput, project.control.file, project.control.line,
                       "[control] url: " + expanded.error().message);
  }
  auto url = DatabaseUrl::Parse(*expanded);
  if (!url) {
    return MakeErrorAt(ErrorKind::kInput, project.control.file, project.control.line,
                       "[control] url: " + url.error().message);
  }
  return OpenControlDbUrl(*url);
}

}  // namespace strata
