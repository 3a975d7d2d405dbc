// The control database: where the rollout orchestrator (src/rollout) and governance
// (src/governance) keep state shared by every machine that drives the fleet — rollouts and
// their per-target results, approvals, the audit chain. It is named in strata.toml:
//
//   [control]
//   url = "${STRATA_CONTROL_URL}"      # postgres://… (shared), or sqlite:PATH (one machine)
//
// Layout. PostgreSQL: schema `strata_control`. SQLite: tables prefixed `strata_control_`.
// Write table names as `{schema}name` in DDL and queries and pass them through Sql(): it
// becomes `strata_control.name` or `strata_control_name`.
//
// Versioned bootstrap. Each module owns an append-only list of DDL statements; statement i
// (1-based) is that module's version i. EnsureModule runs, in one transaction per statement,
// the statements above the version recorded in {schema}schema_version(module, version) and
// bumps it with them, under a transaction-level lock so that concurrent bootstraps wait for
// each other. Never edit or reorder a released statement: append a new one (ALTER …).
//
// Advisory locks. TryAdvisoryLock(key) takes a session-level lock (PostgreSQL advisory lock
// keyed by a hash of `key`; SQLite: an exclusive flock beside the file) held until
// UnlockAdvisory or until this ControlDb's session ends — also when the process dies, so a
// killed orchestrator never leaves a stale lock. After taking it, the holder's identity
// (user, host, pid, command) is written to {schema}lock_holder so that LockHolder(key) can
// name who has it.
//
// Secrets: the control database only ever stores redacted URLs and target names; RedactedUrl()
// is the only form of its own URL to print.
//
// Thread-safety: a ControlDb is one database session and is not thread-safe; open one per
// thread (OpenControlDb again) or guard it with a mutex.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "project/project_config.h"
#include "util/database_url.h"
#include "util/error.h"

namespace strata {

// Who holds a control-database advisory lock (as its holder recorded it).
struct ControlLockHolder {
  std::string key;
  std::string holder;   // user@host
  std::string pid;      // OS process id of the holder
  std::string session;  // PostgreSQL backend pid
  std::string since;    // ISO 8601
  std::string command;  // e.g. "rollout run --env prod"

  // "alice@ci-7 (pid 4711, since 2026-11-22T01:02:03Z, rollout run --env prod)"
  std::string Describe() const;
};

class ControlDb {
 public:
  // Takes over an open session (tests and OpenControlDb use this).
  explicit ControlDb(std::unique_ptr<Engine> engine);
  ~ControlDb();
  ControlDb(const ControlDb&) = delete;
  ControlDb& operator=(const ControlDb&) = delete;

  // The session, for queries on the control tables (use Sql() for table names).
  Engine& engine() { return *engine_; }
  EngineKind kind() const { return engine_->kind(); }
  std::string RedactedUrl() const { return engine_->redacted_url(); }

  // `text` with every "{schema}" replaced by "strata_control." (PostgreSQL) or
  // "strata_control_" (SQLite).
  std::string Sql(std::string_view text) const;

  // Creates the core tables (schema_version, lock_holder) and runs every module registered
  // with RegisterControlTables that is not yet at its latest version. Idempotent; cheap when
  // up to date (one query per module).
  Result<void> EnsureSchema();
  // Brings one module's tables to the latest version (see "Versioned bootstrap" above).
  // kDatabase when a statement fails (nothing of that statement's version is kept).
  Result<void> EnsureModule(const std::string& module, const std::vector<std::string>& ddl);
  // The version recorded for `module` (0 when it has never been bootstrapped).
  Result<int> ModuleVersion(const std::string& module);

  // True when this session now holds the lock `key` (re-entrant within the session on
  // PostgreSQL: take it once). `command` and `holder` (who, e.g. the actor; default: the OS
  // user) are recorded for LockHolder; "@host" is appended to the holder.
  Result<bool> TryAdvisoryLock(std::string_view key, std::string_view command = "", std::string_view holder = "");
  Result<void> UnlockAdvisory(std::string_view key);
  // Who holds `key` right now; nullopt when nobody does.
  Result<std::optional<ControlLockHolder>> LockHolder(std::string_view key);

 private:
  Result<void> EnsureCore();
  std::unique_ptr<Engine> engine_;
  bool core_ready_ = false;
};

// Adds `ddl` (the whole, append-only list for `module`) to the registry EnsureSchema runs.
// Registering a module again replaces its list. Thread-safe. Call it explicitly from the
// module's own setup function (no static self-registration: the linker drops it).
void RegisterControlTables(std::string module, std::vector<std::string> ddl);

// Opens the control database named by the project's [control] url (${VARS} expanded) and runs
// EnsureSchema. kInput (naming strata.toml and line) when [control] is missing, a variable is
// unset or the URL is bad; kDatabase when it cannot connect or bootstrap.
Result<std::unique_ptr<ControlDb>> OpenControlDb(const ProjectConfig& project);
// Same, from a URL (tests, --control-url).
Result<std::unique_ptr<ControlDb>> OpenControlDbUrl(const DatabaseUrl& url);

}  // namespace strata
