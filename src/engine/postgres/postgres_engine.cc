#include "engine/postgres/postgres_engine.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "sql/pg_parse.h"

namespace strata {
namespace {

constexpr std::string_view kLockNotAvailable = "55P03";

std::string TrimRight(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// PostgreSQL reports positions in characters; strata reads scripts as UTF-8.
void PositionToLineColumn(std::string_view sql, int char_position, int* line, int* column) {
  int l = 1;
  int c = 1;
  int chars = 0;
  for (size_t i = 0; i < sql.size() && chars < char_position - 1; ++i) {
    unsigned char b = static_cast<unsigned char>(sql[i]);
    if ((b & 0xC0) == 0x80) continue;  // UTF-8 continuation byte
    ++chars;
    if (b == '\n') {
      ++l;
      c = 1;
    } else {
      ++c;
    }
  }
  *line = l;
  *column = c;
}

// Builds an Error from a failed result; `sql` is the text the position refers to.
Error ErrorFromResult(const PGresult* res, PGconn* conn, std::string_view sql, int statement_index) {
  Error e;
  e.kind = ErrorKind::kDatabase;
  e.statement_index = statement_index;
  const char* sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  if (sqlstate != nullptr) e.sqlstate = sqlstate;
  if (e.sqlstate == kLockNotAvailable) e.kind = ErrorKind::kLockTimeout;
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message;
  if (primary != nullptr) {
    message = primary;
    if (const char* detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL)) message += "\nDETAIL: " + std::string(detail);
    if (const char* hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT)) message += "\nHINT: " + std::string(hint);
  } else if (res != nullptr && *PQresultErrorMessage(res) != '\0') {
    message = TrimRight(PQresultErrorMessage(res));
  } else {
    message = TrimRight(PQerrorMessage(conn));
  }
  if (message.empty()) message = "unknown PostgreSQL error";
  e.message = RedactSecrets(message);
  if (res != nullptr) {
    if (const char* pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION)) {
      int p = std::atoi(pos);
      if (p > 0) PositionToLineColumn(sql, p, &e.line, &e.column);
    }
  }
  return e;
}

std::unexpected<Error> ConnectionError(PGconn* conn, std::string_view what) {
  return MakeError(ErrorKind::kDatabase,
                   std::string(what) + ": " + RedactSecrets(TrimRight(PQerrorMessage(conn))));
}

bool ResultOk(const PGresult* res) {
  if (res == nullptr) return false;
  switch (PQresultStatus(res)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
      return true;
    default:
      return false;
  }
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// Parameter values as libpq wants them (NULL for SQL NULL); views into `params`.
std::vector<const char*> ParamValues(std::span<const Param> params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

std::string MsLiteral(std::chrono::milliseconds ms) { return "'" + std::to_string(ms.count()) + "ms'"; }

void IgnoreNotice(void*, const char*) {}

}  // namespace

Result<std::unique_ptr<PostgresEngine>> PostgresEngine::Open(const DatabaseUrl& url,
                                                             std::string_view application_name) {
  std::string app(application_name);
  std::vector<const char*> keywords;
  std::vector<const char*> values;
  // Defaults first: the URL (dbname, expanded in place) overrides them.
  keywords.push_back("client_encoding");
  values.push_back("UTF8");
  if (!app.empty()) {
    keywords.push_back("application_name");
    values.push_back(app.c_str());
  }
  const char* env_timeout = std::getenv("PGCONNECT_TIMEOUT");
  if (env_timeout == nullptr || *env_timeout == '\0') {
    keywords.push_back("connect_timeout");
    values.push_back("10");
  }
  // Set at connection start instead of one more round trip (a URL's own options= wins);
  // PGOPTIONS, which an explicit options= would hide from libpq, is kept after strata's own.
  std::string options = "-c client_min_messages=warning";
  if (const char* env = std::getenv("PGOPTIONS"); env != nullptr && *env != '\0') options += std::string(" ") + env;
  keywords.push_back("options");
  values.push_back(options.c_str());
  keywords.push_back("dbname");
  values.push_back(url.raw().c_str());
  keywords.push_back(nullptr);
  values.push_back(nullptr);

  std::unique_ptr<PostgresEngine> engine(new PostgresEngine());
  engine->redacted_url_ = url.Redacted();
  engine->conn_ = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
  if (engine->conn_ == nullptr) return MakeError(ErrorKind::kDatabase, "cannot connect to " + engine->redacted_url_ + ": out of memory");
  if (PQstatus(engine->conn_) != CONNECTION_OK) {
    return ConnectionError(engine->conn_, "cannot connect to " + engine->redacted_url_);
  }
  PQsetNoticeProcessor(engine->conn_, IgnoreNotice, nullptr);
  return engine;
}

PostgresEngine::~PostgresEngine() {
  if (conn_ != nullptr) PQfinish(conn_);
}

int PostgresEngine::server_version() const { return PQserverVersion(conn_); }

Result<void> PostgresEngine::Exec(std::string_view sql) {
  std::string text(sql);
  ResultPtr res(PQexec(conn_, text.c_str()));
  if (!ResultOk(res.get())) return std::unexpected(ErrorFromResult(res.get(), conn_, text, -1));
  return {};
}

namespace {
Rows RowsOf(PGresult* res) {
  Rows rows;
  int ncols = PQnfields(res);
  int nrows = PQntuples(res);
  rows.columns.reserve(ncols);
  for (int c = 0; c < ncols; ++c) rows.columns.emplace_back(PQfname(res, c));
  rows.rows.reserve(nrows);
  for (int r = 0; r < nrows; ++r) {
    std::vector<std::optional<std::string>> row;
    row.reserve(ncols);
    for (int c = 0; c < ncols; ++c) {
      if (PQgetisnull(res, r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
      }
    }
    rows.rows.push_back(std::move(row));
  }
  return rows;
}
}  // namespace

Result<Rows> PostgresEngine::Query(std::string_view sql, std::span<const Param> params) {
  if (params.size() > 65535) return MakeError(ErrorKind::kInput, "too many parameters (at most 65535)");
  std::string text(sql);
  std::vector<const char*> values = ParamValues(params);
  ResultPtr res(PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                             nullptr, nullptr, 0));
  if (!ResultOk(res.get())) return std::unexpected(ErrorFromResult(res.get(), conn_, text, -1));
  return RowsOf(res.get());
}

Result<Rows> PostgresEngine::QueryPrepared(const std::string& name, std::string_view sql,
                                           std::span<const Param> params) {
  if (params.size() > 65535) return MakeError(ErrorKind::kInput, "too many parameters (at most 65535)");
  std::string text(sql);
  if (!prepared_.count(name)) {
    ResultPtr prep(PQprepare(conn_, name.c_str(), text.c_str(), static_cast<int>(params.size()), nullptr));
    if (!ResultOk(prep.get())) return std::unexpected(ErrorFromResult(prep.get(), conn_, text, -1));
    prepared_.insert(name);
  }
  std::vector<const char*> values = ParamValues(params);
  ResultPtr res(PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                               nullptr, 0));
  if (!ResultOk(res.get())) return std::unexpected(ErrorFromResult(res.get(), conn_, text, -1));
  return RowsOf(res.get());
}

namespace {

// All transaction-local settings in one statement (set_config(…, true) is SET LOCAL). Always
// sent, and first: a statement that refuses transaction blocks (CREATE INDEX CONCURRENTLY,
// VACUUM) is accepted as the *first* command of a pipeline, so no caller statement may be first.
std::string SettingsStatement(const Timeouts& timeouts, bool durable) {
  std::string settings;
  auto add_setting = [&settings](const char* name, const std::string& value) {
    settings += settings.empty() ? "SELECT " : ", ";
    settings += std::string("set_config('") + name + "', " + value + ", true)";
  };
  if (timeouts.lock_timeout.count() > 0) add_setting("lock_timeout", MsLiteral(timeouts.lock_timeout));
  if (timeouts.statement_timeout.count() > 0) add_setting("statement_timeout", MsLiteral(timeouts.statement_timeout));
  if (!durable) add_setting("synchronous_commit", "'off'");
  if (settings.empty()) add_setting("lock_timeout", "current_setting('lock_timeout')");
  return settings;
}

}  // namespace

std::string PostgresEngine::DescribeTransaction(std::span<const BoundStatement> statements, const Timeouts& timeouts,
                                                bool durable) const {
  std::string out = "-- one transaction, sent in one round trip (libpq pipeline) and committed at its end\n";
  out += SettingsStatement(timeouts, durable) + ";\n";
  for (const auto& s : statements) out += StatementText(s);
  return out + "-- commit\n";
}

std::string PostgresEngine::DescribeAutocommit(const BoundStatement& statement, const Timeouts& timeouts) const {
  std::string set;
  if (timeouts.lock_timeout.count() > 0) set += "SET lock_timeout = " + MsLiteral(timeouts.lock_timeout) + ";\n";
  if (timeouts.statement_timeout.count() > 0) {
    set += "SET statement_timeout = " + MsLiteral(timeouts.statement_timeout) + ";\n";
  }
  std::string out = set + StatementText(statement);
  if (!set.empty()) out += "RESET lock_timeout;\nRESET statement_timeout;\n";
  return out;
}

Result<void> PostgresEngine::RunTransaction(std::span<const BoundStatement> statements, const Timeouts& timeouts,
                                            bool durable) {
  if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    if (PQstatus(conn_) == CONNECTION_BAD) return ConnectionError(conn_, "connection to " + redacted_url_ + " lost");
    return MakeError(ErrorKind::kInternal, "RunTransaction: the session is already inside a transaction");
  }
  for (const auto& s : statements) {
    if (s.params.size() > 65535) return MakeError(ErrorKind::kInput, "too many parameters (at most 65535)");
  }

  // What was sent, in order; index -1 marks strata's own control statements.
  struct Sent {
    int index;
    std::string_view sql;
    const std::string* prepares = nullptr;  // a Prepare: its name, marked prepared on success
  };
  std::vector<Sent> sent;
  std::vector<std::string> control;  // storage for control statements' text
  control.reserve(5);
  // No BEGIN/COMMIT: everything sent before the pipeline's Sync is one implicit transaction,
  // committed at the Sync (rolled back whole if any statement fails), and PostgreSQL still treats
  // it as a transaction block for CREATE INDEX CONCURRENTLY and the like. Two statements fewer
  // per migration.
  control.push_back(SettingsStatement(timeouts, durable));

  if (PQenterPipelineMode(conn_) != 1) return ConnectionError(conn_, "cannot enter pipeline mode");
  // Non-blocking while sending so a long batch cannot deadlock against the server's replies.
  PQsetnonblocking(conn_, 1);

  std::optional<Error> failure;
  auto send = [&](int index, const std::string& sql, std::span<const Param> params,
                  const std::string& prepared_name = std::string()) {
    if (failure) return;
    std::vector<const char*> values = ParamValues(params);
    int ok;
    if (prepared_name.empty()) {
      ok = PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                             nullptr, 0);
    } else {
      ok = 1;
      if (!prepared_.count(prepared_name)) {
        ok = PQsendPrepare(conn_, prepared_name.c_str(), sql.c_str(), static_cast<int>(values.size()), nullptr);
        if (ok == 1) sent.push_back(Sent{-1, sql, &prepared_name});
      }
      if (ok == 1) {
        ok = PQsendQueryPrepared(conn_, prepared_name.c_str(), static_cast<int>(values.size()), values.data(),
                                 nullptr, nullptr, 0);
      }
    }
    if (ok != 1) {
      Error e;
      e.kind = ErrorKind::kDatabase;
      e.statement_index = index;
      e.message = RedactSecrets(TrimRight(PQerrorMessage(conn_)));
      failure = std::move(e);
      return;
    }
    sent.push_back(Sent{index, sql});
  };
  for (const std::string& c : control) send(-1, c, {});
  for (size_t i = 0; i < statements.size(); ++i) {
    send(static_cast<int>(i), statements[i].sql, statements[i].params, statements[i].prepared_name);
  }

  bool connection_lost = false;
  if (PQpipelineSync(conn_) != 1) {
    connection_lost = true;
  } else {
    // Flush everything, reading replies into libpq's buffer meanwhile.
    while (true) {
      int r = PQflush(conn_);
      if (r == 0) break;
      if (r < 0) {
        connection_lost = true;
        break;
      }
      struct pollfd pfd = {PQsocket(conn_), POLLIN | POLLOUT, 0};
      if (::poll(&pfd, 1, -1) < 0 && errno != EINTR) {
        connection_lost = true;
        break;
      }
      if ((pfd.revents & POLLIN) && PQconsumeInput(conn_) != 1) {
        connection_lost = true;
        break;
      }
    }
  }
  PQsetnonblocking(conn_, 0);

  if (!connection_lost) {
    for (const Sent& q : sent) {
      PGresult* raw = PQgetResult(conn_);
      if (raw == nullptr) {
        connection_lost = PQstatus(conn_) == CONNECTION_BAD;
        if (connection_lost) break;
        continue;
      }
      ResultPtr res(raw);
      ExecStatusType st = PQresultStatus(res.get());
      if (q.prepares && st == PGRES_COMMAND_OK) prepared_.insert(*q.prepares);
      if (st == PGRES_FATAL_ERROR && !failure) {
        failure = ErrorFromResult(res.get(), conn_, q.sql, q.index);
        if (q.index < 0) failure->message = std::string(q.sql) + ": " + failure->message;
      }
      // Each query's results end with a NULL.
      while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
      if (PQstatus(conn_) == CONNECTION_BAD) {
        connection_lost = true;
        break;
      }
    }
  }
  if (!connection_lost) {
    // Then the Sync's own result.
    for (int guard = 0; guard < 1000; ++guard) {
      PGresult* raw = PQgetResult(conn_);
      if (raw == nullptr) {
        if (PQstatus(conn_) == CONNECTION_BAD) {
          connection_lost = true;
          break;
        }
        continue;
      }
      ResultPtr res(raw);
      ExecStatusType st = PQresultStatus(res.get());
      if (st == PGRES_PIPELINE_SYNC) break;
      // The implicit transaction commits at the Sync: deferred constraints fail here.
      if (st == PGRES_FATAL_ERROR && !failure) {
        failure = ErrorFromResult(res.get(), conn_, "COMMIT", -1);
        failure->message = "COMMIT: " + failure->message;
      }
    }
  }
  if (connection_lost || PQexitPipelineMode(conn_) != 1) {
    Error e;
    e.kind = ErrorKind::kDatabase;
    e.message = "connection to " + redacted_url_ + " lost during the transaction (it was rolled back or "
                "committed whole; check the history): " + RedactSecrets(TrimRight(PQerrorMessage(conn_)));
    if (failure) e = std::move(*failure);
    return std::unexpected(std::move(e));
  }
  if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    ResultPtr res(PQexec(conn_, "ROLLBACK"));
  }
  if (failure) return std::unexpected(std::move(*failure));
  return {};
}

Result<void> PostgresEngine::RunAutocommit(const BoundStatement& statement, const Timeouts& timeouts) {
  if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    if (PQstatus(conn_) == CONNECTION_BAD) return ConnectionError(conn_, "connection to " + redacted_url_ + " lost");
    return MakeError(ErrorKind::kInternal, "RunAutocommit: the session is inside a transaction");
  }
  if (statement.params.size() > 65535) return MakeError(ErrorKind::kInput, "too many parameters (at most 65535)");
  std::string set;
  if (timeouts.lock_timeout.count() > 0) set += "SET lock_timeout = " + MsLiteral(timeouts.lock_timeout) + ";";
  if (timeouts.statement_timeout.count() > 0)
    set += "SET statement_timeout = " + MsLiteral(timeouts.statement_timeout) + ";";
  if (!set.empty()) {
    ResultPtr res(PQexec(conn_, set.c_str()));
    if (!ResultOk(res.get())) return std::unexpected(ErrorFromResult(res.get(), conn_, set, -1));
  }
  ResultPtr res;
  if (statement.params.empty()) {
    res.reset(PQexec(conn_, statement.sql.c_str()));
  } else {
    std::vector<const char*> values = ParamValues(statement.params);
    res.reset(PQexecParams(conn_, statement.sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                           nullptr, nullptr, 0));
  }
  std::optional<Error> failure;
  if (!ResultOk(res.get())) failure = ErrorFromResult(res.get(), conn_, statement.sql, 0);
  if (!set.empty() && PQstatus(conn_) == CONNECTION_OK) {
    if (PQtransactionStatus(conn_) == PQTRANS_INERROR) ResultPtr rollback(PQexec(conn_, "ROLLBACK"));
    ResultPtr reset(PQexec(conn_, "RESET lock_timeout; RESET statement_timeout"));
  }
  if (failure) return std::unexpected(std::move(*failure));
  return {};
}

Result<std::vector<SqlStatement>> PostgresEngine::Split(std::string_view script) const {
  ASSIGN_OR_RETURN(std::vector<pg::Span> spans, pg::SplitScript(script));
  std::vector<SqlStatement> out;
  out.reserve(spans.size());
  int line = 1;
  size_t counted = 0;  // newlines counted in script[0, counted)
  for (const pg::Span& s : spans) {
    for (; counted < static_cast<size_t>(s.offset) && counted < script.size(); ++counted) line += script[counted] == '\n';
    out.push_back(SqlStatement{std::string(script.substr(s.offset, s.length)), line, s.offset});
  }
  return out;
}

int64_t PostgresEngine::LockKey(std::string_view name) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int64_t>(h);
}

Result<bool> PostgresEngine::TryLock(std::string_view name) {
  Param key = std::to_string(LockKey(name));
  ASSIGN_OR_RETURN(Rows rows, Query("SELECT pg_try_advisory_lock($1::bigint)", std::span<const Param>(&key, 1)));
  return rows.size() == 1 && rows.rows[0][0] == "t";
}

Result<bool> PostgresEngine::IsLockFree(std::string_view name) {
  Param key = std::to_string(LockKey(name));
  ASSIGN_OR_RETURN(Rows rows, Query("SELECT CASE WHEN pg_try_advisory_lock($1::bigint) THEN "
                                    "pg_advisory_unlock($1::bigint) ELSE false END",
                                    std::span<const Param>(&key, 1)));
  return rows.size() == 1 && rows.rows[0][0] == "t";
}

Result<void> PostgresEngine::Unlock(std::string_view name) {
  Param key = std::to_string(LockKey(name));
  ASSIGN_OR_RETURN(Rows rows, Query("SELECT pg_advisory_unlock($1::bigint)", std::span<const Param>(&key, 1)));
  if (rows.size() != 1 || rows.rows[0][0] != "t") {
    return MakeError(ErrorKind::kInternal, "migration lock \"" + std::string(name) + "\" is not held by this session");
  }
  return {};
}

std::string PostgresEngine::SessionId() const { return std::to_string(PQbackendPID(conn_)); }

}  // namespace strata
