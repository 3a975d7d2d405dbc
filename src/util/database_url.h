// A database URL as given on the command line, in DATABASE_URL or in strata.toml.
// The raw text may hold a password: print Redacted(), never raw().
#pragma once

#include <string>
#include <string_view>

#include "util/error.h"

namespace strata {

enum class EngineKind { kPostgres, kSqlite };

class DatabaseUrl {
 public:
  // Accepts postgres://…, postgresql://… (libpq fills what is missing from PG* variables and
  // .pgpass), sqlite:PATH, sqlite://PATH and sqlite::memory:. Fails with kInput on anything
  // else; the message never contains the password.
  static Result<DatabaseUrl> Parse(std::string_view text);

  EngineKind engine() const { return engine_; }
  // The text to hand to libpq (PostgreSQL) — contains the password if one was given.
  const std::string& raw() const { return raw_; }
  // SQLite only: the file path, or ":memory:".
  const std::string& sqlite_path() const { return sqlite_path_; }
  // The URL with any password replaced by ****; safe to print, log and store.
  std::string Redacted() const;

 private:
  EngineKind engine_ = EngineKind::kPostgres;
  std::string raw_;
  std::string sqlite_path_;
};

// Replaces passwords in any text that may hold URLs or conninfo strings
// (user:secret@host, password=secret) with ****.
std::string RedactSecrets(std::string_view text);

}  // namespace strata
