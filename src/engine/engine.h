// One interface over the database engines strata drives (PostgreSQL through libpq, SQLite).
// An Engine is one database session; it is not thread-safe: use one per thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/database_url.h"
#include "util/error.h"

namespace strata {

// A parameter value: text, or NULL.
using Param = std::optional<std::string>;

// Result rows, every value as text (NULL as nullopt).
struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  size_t size() const { return rows.size(); }
};

// One statement of a script, as the engine's splitter found it.
struct SqlStatement {
  std::string sql;  // the statement text, without the trailing semicolon
  int line = 1;     // 1-based line in the script where the statement starts
  int offset = 0;   // 0-based byte offset in the script where the statement starts
};

// A statement with its parameters. Placeholders are $1, $2, … in both engines.
struct BoundStatement {
  std::string sql;
  std::vector<Param> params;
  // When set, engines that can keep a prepared statement per session do so under this name
  // and reuse it (PostgreSQL), saving the parse and plan of a statement run many times.
  std::string prepared_name;
};

// Per-transaction (or per-statement) limits. Zero means "no limit".
struct Timeouts {
  std::chrono::milliseconds lock_timeout{0};
  std::chrono::milliseconds statement_timeout{0};
};

class Engine {
 public:
  virtual ~Engine() = default;

  virtual EngineKind kind() const = 0;
  // PostgreSQL: server_version_num (e.g. 150018). SQLite: sqlite3_libversion_number().
  virtual int server_version() const = 0;
  // The URL this session was opened with, password hidden.
  virtual std::string redacted_url() const = 0;

  // Runs a script of one or more statements with no parameters and no result (autocommit
  // unless the script itself opens a transaction).
  virtual Result<void> Exec(std::string_view sql) = 0;

  // Runs one statement and returns its rows.
  virtual Result<Rows> Query(std::string_view sql, std::span<const Param> params = {}) = 0;

  // Query for a statement run many times in this session: PostgreSQL prepares `sql` under
  // `name` the first time (the same name must always carry the same sql) and then only binds
  // and executes it, sparing the parse (and, with a generic plan, the planning) each time.
  // Others just run Query.
  virtual Result<Rows> QueryPrepared(const std::string& name, std::string_view sql, std::span<const Param> params) {
    (void)name;
    return Query(sql, params);
  }

  // Runs `statements` in one transaction, all or nothing, with `timeouts` applied to this
  // transaction only. On failure the transaction is rolled back and the error names the failing
  // statement (Error::statement_index) with its SQLSTATE; the kind is kLockTimeout when a lock
  // was not granted within timeouts.lock_timeout (PostgreSQL 55P03, SQLite SQLITE_BUSY),
  // otherwise kDatabase. With durable=false PostgreSQL may acknowledge the commit before its
  // WAL is flushed (synchronous_commit=off): a crash may lose the transaction whole, never
  // half of it, and any later durable commit flushes it. PostgreSQL sends the whole
  // transaction in one round trip (pipeline mode).
  virtual Result<void> RunTransaction(std::span<const BoundStatement> statements,
                                      const Timeouts& timeouts, bool durable) = 0;

  // Runs one statement outside any transaction (e.g. CREATE INDEX CONCURRENTLY), with the
  // timeouts applied to it alone. Errors as for RunTransaction (statement_index 0).
  virtual Result<void> RunAutocommit(const BoundStatement& statement, const Timeouts& timeouts) = 0;

  // Exactly what RunTransaction / RunAutocommit would send, as SQL text (parameters shown in a
  // comment after their statement): what `apply --dry-run` prints.
  virtual std::string DescribeTransaction(std::span<const BoundStatement> statements, const Timeouts& timeouts,
                                          bool durable) const = 0;
  virtual std::string DescribeAutocommit(const BoundStatement& statement, const Timeouts& timeouts) const = 0;

  // Splits a script into statements in this engine's dialect (strings, quoted identifiers,
  // dollar quotes, comments and semicolons inside them handled). Empty statements dropped.
  virtual Result<std::vector<SqlStatement>> Split(std::string_view script) const = 0;

  // The per-database migration lock, held by this session until Unlock or until the session
  // ends (also when the process dies). Returns false when another session holds it.
  // PostgreSQL: a session-level advisory lock keyed by `name`. SQLite: an exclusive flock on
  // "<database file>-strata.lock" (always granted for :memory:).
  virtual Result<bool> TryLock(std::string_view name) = 0;
  virtual Result<void> Unlock(std::string_view name) = 0;
  // True when nobody holds the lock right now (takes and releases it; PostgreSQL in one
  // round trip). Does not change whether this session holds it.
  virtual Result<bool> IsLockFree(std::string_view name) {
    ASSIGN_OR_RETURN(bool got, TryLock(name));
    if (got) TRY_VOID(Unlock(name));
    return got;
  }

  // An identifier of this session for others to see (PostgreSQL backend pid, SQLite process id).
  virtual std::string SessionId() const = 0;
};

// "stmt;" plus, when it has parameters, "  -- $1 = 'a', $2 = NULL" (quotes doubled).
std::string StatementText(const BoundStatement& statement);

// Opens a session. application_name is shown in pg_stat_activity. Connection failures are
// kDatabase errors whose message names the redacted URL, never the password.
Result<std::unique_ptr<Engine>> Connect(const DatabaseUrl& url, std::string_view application_name);

}  // namespace strata
