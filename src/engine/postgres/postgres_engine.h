// The PostgreSQL engine: one libpq session. See engine.h for the contract of each method.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "engine/engine.h"

struct pg_conn;

namespace strata {

class PostgresEngine final : public Engine {
 public:
  // Connects with PQconnectdbParams(expand_dbname) so a postgres:// URI works and libpq's PG*
  // variables and ~/.pgpass fill what it leaves out. Sets client_min_messages=warning and
  // swallows server notices (library code prints nothing).
  static Result<std::unique_ptr<PostgresEngine>> Open(const DatabaseUrl& url, std::string_view application_name);
  ~PostgresEngine() override;

  EngineKind kind() const override { return EngineKind::kPostgres; }
  int server_version() const override;
  std::string redacted_url() const override { return redacted_url_; }

  Result<void> Exec(std::string_view sql) override;
  Result<Rows> Query(std::string_view sql, std::span<const Param> params = {}) override;
  Result<Rows> QueryPrepared(const std::string& name, std::string_view sql, std::span<const Param> params) override;
  Result<void> RunTransaction(std::span<const BoundStatement> statements, const Timeouts& timeouts,
                              bool durable) override;
  Result<void> RunAutocommit(const BoundStatement& statement, const Timeouts& timeouts) override;
  std::string DescribeTransaction(std::span<const BoundStatement> statements, const Timeouts& timeouts,
                                  bool durable) const override;
  std::string DescribeAutocommit(const BoundStatement& statement, const Timeouts& timeouts) const override;
  Result<std::vector<SqlStatement>> Split(std::string_view script) const override;
  Result<bool> TryLock(std::string_view name) override;
  Result<void> Unlock(std::string_view name) override;
  Result<bool> IsLockFree(std::string_view name) override;
  std::string SessionId() const override;

  // The 64-bit advisory lock key TryLock uses for `name` (FNV-1a 64), exposed for tests and
  // for tools that want to find the holder in pg_locks (classid = key >> 32, objid = key & 0xffffffff).
  static int64_t LockKey(std::string_view name);

 private:
  PostgresEngine() = default;
  pg_conn* conn_ = nullptr;
  std::string redacted_url_;
  std::set<std::string> prepared_;  // statements prepared in this session (BoundStatement::prepared_name)
};

}  // namespace strata
