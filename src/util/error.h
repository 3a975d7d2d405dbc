// Errors as values. Library code returns Result<T>; only src/cli turns an Error into text and
// an exit code (see ExitCodeFor in src/cli/exit_codes.h and docs/exit-codes.md).
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace strata {

// What went wrong, coarse enough to pick an exit code from.
enum class ErrorKind {
  kUsage,        // bad flags or arguments                          -> exit 2
  kInput,        // malformed project, migration, URL; nothing ran  -> exit 2
  kIo,           // a file could not be read or written             -> exit 2
  kCheck,        // the command ran and found problems              -> exit 1
  kDatabase,     // the database refused a statement or connection -> exit 3
  kLockTimeout,  // a lock was not acquired in time                 -> exit 4
  kInternal,     // a bug in strata                                 -> exit 3
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;
  // Where the problem is, when known. line/column are 1-based; 0 means unknown.
  std::string file;
  int line = 0;
  int column = 0;
  std::string migration_id;
  std::string sqlstate;     // PostgreSQL SQLSTATE or "SQLITE_<code>"
  int statement_index = -1; // index of the failing statement in a batch, -1 if unknown

  // "file:line: message" (or just the message when the place is unknown).
  std::string Describe() const;
};

template <class T>
using Result = std::expected<T, Error>;

// Convenience constructors.
std::unexpected<Error> MakeError(ErrorKind kind, std::string message);
std::unexpected<Error> MakeErrorAt(ErrorKind kind, std::string file, int line, std::string message);

// TRY(expr): evaluates a Result; returns its error from the enclosing function on failure.
#define STRATA_CONCAT_INNER(a, b) a##b
#define STRATA_CONCAT(a, b) STRATA_CONCAT_INNER(a, b)
#define TRY_VOID(expr)                                              \
  do {                                                              \
    auto&& strata_try_r = (expr);                                   \
    if (!strata_try_r) return std::unexpected(std::move(strata_try_r.error())); \
  } while (0)
// ASSIGN_OR_RETURN(lhs, expr): lhs = *expr, or return the error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(STRATA_CONCAT(strata_aor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)          \
  auto tmp = (expr);                                   \
  if (!tmp) return std::unexpected(std::move(tmp.error())); \
  lhs = std::move(*tmp)

}  // namespace strata
