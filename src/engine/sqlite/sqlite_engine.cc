#include "engine/sqlite/sqlite_engine.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "util/hash.h"

namespace strata {
namespace {

std::string CodeName(int rc) {
  switch (rc & 0xff) {
    case SQLITE_ERROR: return "SQLITE_ERROR";
    case SQLITE_INTERNAL: return "SQLITE_INTERNAL";
    case SQLITE_PERM: return "SQLITE_PERM";
    case SQLITE_ABORT: return "SQLITE_ABORT";
    case SQLITE_BUSY: return "SQLITE_BUSY";
    case SQLITE_LOCKED: return "SQLITE_LOCKED";
    case SQLITE_NOMEM: return "SQLITE_NOMEM";
    case SQLITE_READONLY: return "SQLITE_READONLY";
    case SQLITE_INTERRUPT: return "SQLITE_INTERRUPT";
    case SQLITE_IOERR: return "SQLITE_IOERR";
    case SQLITE_CORRUPT: return "SQLITE_CORRUPT";
    case SQLITE_FULL: return "SQLITE_FULL";
    case SQLITE_CANTOPEN: return "SQLITE_CANTOPEN";
    case SQLITE_SCHEMA: return "SQLITE_SCHEMA";
    case SQLITE_TOOBIG: return "SQLITE_TOOBIG";
    case SQLITE_CONSTRAINT: return "SQLITE_CONSTRAINT";
    case SQLITE_MISMATCH: return "SQLITE_MISMATCH";
    case SQLITE_MISUSE: return "SQLITE_MISUSE";
    case SQLITE_RANGE: return "SQLITE_RANGE";
    case SQLITE_NOTADB: return "SQLITE_NOTADB";
    default: return "SQLITE_" + std::to_string(rc & 0xff);
  }
}

void OffsetToLineColumn(std::string_view sql, int offset, int* line, int* column) {
  int l = 1;
  int c = 1;
  for (int i = 0; i < offset && i < static_cast<int>(sql.size()); ++i) {
    unsigned char b = static_cast<unsigned char>(sql[i]);
    if ((b & 0xC0) == 0x80) continue;
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

int ProgressHandler(void* arg) {
  auto* d = static_cast<SqliteEngine::Deadline*>(arg);
  if (!d->active) return 0;
  if (std::chrono::steady_clock::now() < d->at) return 0;
  d->fired = true;
  return 1;
}

// strata_sha256(text): lower-case hex SHA-256 of the text's UTF-8 bytes (NULL for NULL). The
// audit chain (history/audit_log.h) hashes each record in its INSERT with it.
void Sha256Function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  const unsigned char* text = sqlite3_value_text(argv[0]);
  int bytes = sqlite3_value_bytes(argv[0]);
  std::string hex = Sha256Hex(std::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(bytes)));
  sqlite3_result_text(ctx, hex.c_str(), static_cast<int>(hex.size()), SQLITE_TRANSIENT);
}

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

// Skips white space and comments; returns the new position.
size_t SkipNoise(std::string_view s, size_t i, size_t end) {
  while (i < end) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (c == '-' && i + 1 < end && s[i + 1] == '-') {
      while (i < end && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < end && s[i + 1] == '*') {
      size_t close = s.find("*/", i + 2);
      i = (close == std::string_view::npos || close + 2 > end) ? end : close + 2;
    } else {
      break;
    }
  }
  return i;
}

}  // namespace

Result<std::unique_ptr<SqliteEngine>> SqliteEngine::Open(const DatabaseUrl& url) {
  std::unique_ptr<SqliteEngine> engine(new SqliteEngine());
  engine->path_ = url.sqlite_path();
  engine->redacted_url_ = url.Redacted();
  if (engine->path_.empty()) return MakeError(ErrorKind::kInput, "no SQLite database path in " + engine->redacted_url_);
  int rc = sqlite3_open_v2(engine->path_.c_str(), &engine->db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = engine->db_ ? sqlite3_errmsg(engine->db_) : sqlite3_errstr(rc);
    return MakeError(ErrorKind::kDatabase, "cannot open " + engine->redacted_url_ + ": " + msg);
  }
  sqlite3_extended_result_codes(engine->db_, 1);
  engine->SetBusyTimeout(kDefaultBusyTimeout);
  sqlite3_progress_handler(engine->db_, 1000, ProgressHandler, &engine->deadline_);
  sqlite3_create_function_v2(engine->db_, "strata_sha256", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                             Sha256Function, nullptr, nullptr, nullptr);
  auto prefix = [&](Error e) {
    e.message = "cannot open " + engine->redacted_url_ + ": " + e.message;
    return std::unexpected(std::move(e));
  };
  if (auto r = engine->Exec("PRAGMA foreign_keys = ON"); !r) return prefix(std::move(r.error()));
  if (engine->path_ != ":memory:") {
    if (auto r = engine->Exec("PRAGMA journal_mode = WAL"); !r) return prefix(std::move(r.error()));
  }
  auto sync = engine->Query("PRAGMA synchronous");
  if (!sync) return prefix(std::move(sync.error()));
  if (sync->size() == 1 && sync->rows[0][0]) engine->default_synchronous_ = std::atoi(sync->rows[0][0]->c_str());
  return engine;
}

SqliteEngine::~SqliteEngine() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

int SqliteEngine::server_version() const { return sqlite3_libversion_number(); }

void SqliteEngine::SetBusyTimeout(std::chrono::milliseconds ms) {
  long long v = ms.count();
  sqlite3_busy_timeout(db_, v > INT_MAX ? INT_MAX : static_cast<int>(v));
}

Error SqliteEngine::ErrorFromDb(int rc, std::string_view sql, int error_offset, int index) const {
  Error e;
  e.kind = (rc & 0xff) == SQLITE_BUSY ? ErrorKind::kLockTimeout : ErrorKind::kDatabase;
  e.sqlstate = CodeName(rc);
  e.statement_index = index;
  e.message = sqlite3_errmsg(db_);
  if ((rc & 0xff) == SQLITE_INTERRUPT && deadline_.fired) e.message = "canceling statement due to statement timeout";
  if (error_offset >= 0) OffsetToLineColumn(sql, error_offset, &e.line, &e.column);
  return e;
}

Result<void> SqliteEngine::BindParams(sqlite3_stmt* stmt, std::span<const Param> params, std::string_view sql,
                                      int index) {
  int n = sqlite3_bind_parameter_count(stmt);
  for (int i = 1; i <= n; ++i) {
    const char* name = sqlite3_bind_parameter_name(stmt, i);
    long k = i;
    if (name != nullptr) {
      char* stop = nullptr;
      k = (name[0] == '$' || name[0] == '?') ? std::strtol(name + 1, &stop, 10) : 0;
      if (stop == nullptr || stop == name + 1 || *stop != '\0') {
        Error e;
        e.kind = ErrorKind::kInput;
        e.statement_index = index;
        e.message = std::string("unsupported parameter ") + name + " (use $1, $2, …)";
        return std::unexpected(std::move(e));
      }
    }
    if (k < 1 || k > static_cast<long>(params.size())) {
      Error e;
      e.kind = ErrorKind::kInput;
      e.statement_index = index;
      e.message = "the statement uses parameter $" + std::to_string(k) + " but " + std::to_string(params.size()) +
                  " parameter(s) were given";
      return std::unexpected(std::move(e));
    }
    const Param& p = params[k - 1];
    int rc = p ? sqlite3_bind_text(stmt, i, p->data(), static_cast<int>(p->size()), SQLITE_TRANSIENT)
               : sqlite3_bind_null(stmt, i);
    if (rc != SQLITE_OK) return std::unexpected(ErrorFromDb(rc, sql, -1, index));
  }
  return {};
}

Result<void> SqliteEngine::RunBound(std::string_view sql, std::span<const Param> params, int index,
                                    std::chrono::milliseconds statement_timeout) {
  const char* begin = sql.data();
  const char* end = begin + sql.size();
  const char* tail = begin;
  while (tail < end) {
    sqlite3_stmt* raw = nullptr;
    const char* next = nullptr;
    int rc = sqlite3_prepare_v2(db_, tail, static_cast<int>(end - tail), &raw, &next);
    StmtPtr stmt(raw);
    if (rc != SQLITE_OK) {
      int off = sqlite3_error_offset(db_);
      return std::unexpected(ErrorFromDb(rc, sql, off >= 0 ? static_cast<int>(tail - begin) + off : -1, index));
    }
    if (next == nullptr || next <= tail) next = end;
    if (!stmt) {  // only white space or comments
      tail = next;
      continue;
    }
    TRY_VOID(BindParams(stmt.get(), params, sql, index));
    deadline_.fired = false;
    deadline_.active = statement_timeout.count() > 0;
    deadline_.at = std::chrono::steady_clock::now() + statement_timeout;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    }
    deadline_.active = false;
    if (rc != SQLITE_DONE) {
      Error e = ErrorFromDb(rc, sql, -1, index);
      if (e.line == 0) OffsetToLineColumn(sql, static_cast<int>(SkipNoise(sql, tail - begin, sql.size())), &e.line, &e.column);
      return std::unexpected(std::move(e));
    }
    tail = next;
  }
  return {};
}

Result<void> SqliteEngine::Exec(std::string_view sql) { return RunBound(sql, {}, -1, std::chrono::milliseconds(0)); }

Result<Rows> SqliteEngine::Query(std::string_view sql, std::span<const Param> params) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return std::unexpected(ErrorFromDb(rc, sql, sqlite3_error_offset(db_), -1));
  if (!stmt) return Rows{};
  if (tail != nullptr) {
    size_t rest = static_cast<size_t>(tail - sql.data());
    if (SkipNoise(sql, rest, sql.size()) < sql.size()) {
      return MakeError(ErrorKind::kInput, "Query takes one statement; found more after byte " + std::to_string(rest));
    }
  }
  TRY_VOID(BindParams(stmt.get(), params, sql, -1));
  Rows rows;
  int ncols = sqlite3_column_count(stmt.get());
  for (int c = 0; c < ncols; ++c) {
    const char* name = sqlite3_column_name(stmt.get(), c);
    rows.columns.emplace_back(name ? name : "");
  }
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    std::vector<std::optional<std::string>> row;
    row.reserve(ncols);
    for (int c = 0; c < ncols; ++c) {
      if (sqlite3_column_type(stmt.get(), c) == SQLITE_NULL) {
        row.emplace_back(std::nullopt);
      } else {
        const unsigned char* text = sqlite3_column_text(stmt.get(), c);
        int len = sqlite3_column_bytes(stmt.get(), c);
        row.emplace_back(std::string(reinterpret_cast<const char*>(text), len));
      }
    }
    rows.rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return std::unexpected(ErrorFromDb(rc, sql, -1, -1));
  return rows;
}

std::string SqliteEngine::DescribeTransaction(std::span<const BoundStatement> statements, const Timeouts& timeouts,
                                              bool durable) const {
  bool relaxed = !durable && default_synchronous_ >= 2;
  std::string out;
  if (timeouts.lock_timeout.count() > 0) {
    out += "-- busy timeout " + std::to_string(timeouts.lock_timeout.count()) + " ms\n";
  }
  if (relaxed) out += "PRAGMA synchronous = NORMAL;\n";
  out += "BEGIN IMMEDIATE;\n";
  for (const auto& s : statements) out += StatementText(s);
  out += "COMMIT;\n";
  if (relaxed) out += "PRAGMA synchronous = " + std::to_string(default_synchronous_) + ";\n";
  return out;
}

std::string SqliteEngine::DescribeAutocommit(const BoundStatement& statement, const Timeouts& timeouts) const {
  std::string out;
  if (timeouts.lock_timeout.count() > 0) {
    out += "-- busy timeout " + std::to_string(timeouts.lock_timeout.count()) + " ms\n";
  }
  return out + StatementText(statement);
}

Result<void> SqliteEngine::RunTransaction(std::span<const BoundStatement> statements, const Timeouts& timeouts,
                                          bool durable) {
  if (!sqlite3_get_autocommit(db_)) {
    return MakeError(ErrorKind::kInternal, "RunTransaction: the session is already inside a transaction");
  }
  // Zero means no limit, as in PostgreSQL.
  SetBusyTimeout(timeouts.lock_timeout.count() > 0 ? timeouts.lock_timeout : std::chrono::milliseconds(INT_MAX));
  bool relaxed = !durable && default_synchronous_ >= 2;
  auto restore = [&] {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    if (relaxed) {
      std::string pragma = "PRAGMA synchronous = " + std::to_string(default_synchronous_);
      sqlite3_exec(db_, pragma.c_str(), nullptr, nullptr, nullptr);
    }
    SetBusyTimeout(kDefaultBusyTimeout);
  };
  if (relaxed) sqlite3_exec(db_, "PRAGMA synchronous = NORMAL", nullptr, nullptr, nullptr);

  int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    Error e = ErrorFromDb(rc, "", -1, -1);
    e.message = "cannot begin a write transaction: " + e.message;
    restore();
    return std::unexpected(std::move(e));
  }
  for (size_t i = 0; i < statements.size(); ++i) {
    auto r = RunBound(statements[i].sql, statements[i].params, static_cast<int>(i), timeouts.statement_timeout);
    if (!r) {
      restore();
      return r;
    }
  }
  rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    Error e = ErrorFromDb(rc, "", -1, -1);
    e.message = "COMMIT: " + e.message;
    restore();
    return std::unexpected(std::move(e));
  }
  restore();
  return {};
}

Result<void> SqliteEngine::RunAutocommit(const BoundStatement& statement, const Timeouts& timeouts) {
  if (!sqlite3_get_autocommit(db_)) {
    return MakeError(ErrorKind::kInternal, "RunAutocommit: the session is inside a transaction");
  }
  SetBusyTimeout(timeouts.lock_timeout.count() > 0 ? timeouts.lock_timeout : std::chrono::milliseconds(INT_MAX));
  auto r = RunBound(statement.sql, statement.params, 0, timeouts.statement_timeout);
  SetBusyTimeout(kDefaultBusyTimeout);
  return r;
}

Result<std::vector<SqlStatement>> SqliteEngine::Split(std::string_view script) const {
  std::vector<SqlStatement> out;
  int line = 1;
  size_t counted = 0;
  auto add = [&](size_t begin, size_t end) {
    begin = SkipNoise(script, begin, end);
    while (end > begin && std::strchr(" \t\r\n\f\v", script[end - 1]) != nullptr) --end;
    if (end <= begin) return;
    for (; counted < begin; ++counted) line += script[counted] == '\n';
    out.push_back(SqlStatement{std::string(script.substr(begin, end - begin)), line, static_cast<int>(begin)});
  };
  size_t start = 0;
  std::string buf;
  for (size_t i = 0; i < script.size(); ++i) {
    if (script[i] != ';') continue;
    buf.assign(script.substr(start, i + 1 - start));
    if (!sqlite3_complete(buf.c_str())) continue;
    add(start, i);
    start = i + 1;
  }
  if (SkipNoise(script, start, script.size()) < script.size()) {
    buf.assign(script.substr(start));
    buf += "\n;";
    if (!sqlite3_complete(buf.c_str())) {
      size_t begin = SkipNoise(script, start, script.size());
      int l = 1;
      for (size_t i = 0; i < begin; ++i) l += script[i] == '\n';
      Error e;
      e.kind = ErrorKind::kInput;
      e.line = l;
      e.message = "unterminated statement (an open quote, comment or CREATE TRIGGER without END?)";
      return std::unexpected(std::move(e));
    }
    add(start, script.size());
  } else if (start < script.size()) {
    // Only white space and comments remain; an unterminated block comment is still an error.
    size_t open = script.find("/*", start);
    if (open != std::string_view::npos && script.find("*/", open + 2) == std::string_view::npos) {
      // SkipNoise consumed it to the end: make sure it was closed.
      buf.assign(script.substr(start));
      buf += "\nSELECT 1;";
      if (!sqlite3_complete(buf.c_str())) {
        int l = 1;
        for (size_t i = 0; i < open; ++i) l += script[i] == '\n';
        Error e;
        e.kind = ErrorKind::kInput;
        e.line = l;
        e.message = "unterminated /* comment";
        return std::unexpected(std::move(e));
      }
    }
  }
  return out;
}

Result<bool> SqliteEngine::TryLock(std::string_view name) {
  if (path_ == ":memory:" || lock_fd_ >= 0) {
    ++lock_depth_;
    return true;
  }
  std::string lock_path = path_ + "-strata.lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return MakeError(ErrorKind::kIo, "cannot open lock file " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return false;
    return MakeError(ErrorKind::kIo, "cannot lock " + lock_path + ": " + std::strerror(err));
  }
  lock_fd_ = fd;
  lock_depth_ = 1;
  return true;
}

Result<void> SqliteEngine::Unlock(std::string_view name) {
  if (lock_depth_ == 0) {
    return MakeError(ErrorKind::kInternal, "migration lock \"" + std::string(name) + "\" is not held by this session");
  }
  if (--lock_depth_ == 0 && lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
  return {};
}

std::string SqliteEngine::SessionId() const { return std::to_string(::getpid()); }

}  // namespace strata
