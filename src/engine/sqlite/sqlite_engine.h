// The SQLite engine: one sqlite3 connection. See engine.h for the contract of each method.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "engine/engine.h"

struct sqlite3;
struct sqlite3_stmt;

namespace strata {

class SqliteEngine final : public Engine {
 public:
  // Busy timeout of Exec, Query and of RunTransaction/RunAutocommit without a lock_timeout.
  static constexpr std::chrono::milliseconds kDefaultBusyTimeout{5000};

  // Opens (creating if missing) url.sqlite_path(), or an in-memory database for ":memory:".
  // Turns on foreign keys, and WAL journaling for files.
  static Result<std::unique_ptr<SqliteEngine>> Open(const DatabaseUrl& url);
  ~SqliteEngine() override;

  EngineKind kind() const override { return EngineKind::kSqlite; }
  int server_version() const override;
  std::string redacted_url() const override { return redacted_url_; }

  Result<void> Exec(std::string_view sql) override;
  Result<Rows> Query(std::string_view sql, std::span<const Param> params = {}) override;
  // BEGIN IMMEDIATE, so the write lock is taken (or SQLITE_BUSY -> kLockTimeout after
  // timeouts.lock_timeout) before the first statement runs. statement_timeout interrupts a
  // statement that runs longer (kDatabase, sqlstate SQLITE_INTERRUPT). durable=false runs the
  // transaction with PRAGMA synchronous=NORMAL.
  Result<void> RunTransaction(std::span<const BoundStatement> statements, const Timeouts& timeouts,
                              bool durable) override;
  Result<void> RunAutocommit(const BoundStatement& statement, const Timeouts& timeouts) override;
  // Splits with sqlite3_complete (strings, quoted identifiers, comments, CREATE TRIGGER … END).
  std::string DescribeTransaction(std::span<const BoundStatement> statements, const Timeouts& timeouts,
                                  bool durable) const override;
  std::string DescribeAutocommit(const BoundStatement& statement, const Timeouts& timeouts) const override;
  Result<std::vector<SqlStatement>> Split(std::string_view script) const override;
  Result<bool> TryLock(std::string_view name) override;
  Result<void> Unlock(std::string_view name) override;
  std::string SessionId() const override;

  // Used by the progress handler; public only so the C callback can reach it.
  struct Deadline {
    bool active = false;
    std::chrono::steady_clock::time_point at;
    bool fired = false;
  };

 private:
  SqliteEngine() = default;
  // Runs every statement in `sql` with `params`; `index` is reported in errors.
  // Binds $1, $2, … (by number, so a parameter may appear twice) from `params`; kInput for
  // other parameter styles or a number without a value. `index` goes into errors.
  Result<void> BindParams(sqlite3_stmt* stmt, std::span<const Param> params, std::string_view sql, int index);
  Result<void> RunBound(std::string_view sql, std::span<const Param> params, int index,
                        std::chrono::milliseconds statement_timeout);
  Error ErrorFromDb(int rc, std::string_view sql, int error_offset, int index) const;
  void SetBusyTimeout(std::chrono::milliseconds ms);

  sqlite3* db_ = nullptr;
  std::string path_;
  std::string redacted_url_;
  int default_synchronous_ = 2;
  int lock_fd_ = -1;
  int lock_depth_ = 0;
  Deadline deadline_;
};

}  // namespace strata
