#include "engine/engine.h"

#include "engine/postgres/postgres_engine.h"
#include "engine/sqlite/sqlite_engine.h"

namespace strata {

Result<std::unique_ptr<Engine>> Connect(const DatabaseUrl& url, std::string_view application_name) {
  switch (url.engine()) {
    case EngineKind::kPostgres: {
      ASSIGN_OR_RETURN(auto engine, PostgresEngine::Open(url, application_name));
      return std::unique_ptr<Engine>(std::move(engine));
    }
    case EngineKind::kSqlite: {
      ASSIGN_OR_RETURN(auto engine, SqliteEngine::Open(url));
      return std::unique_ptr<Engine>(std::move(engine));
    }
  }
  return MakeError(ErrorKind::kInternal, "unknown database engine");
}

std::string StatementText(const BoundStatement& statement) {
  std::string out = statement.sql + ";";
  for (size_t i = 0; i < statement.params.size(); ++i) {
    out += i == 0 ? "  -- " : ", ";
    out += "$" + std::to_string(i + 1) + " = ";
    if (!statement.params[i]) {
      out += "NULL";
      continue;
    }
    out += "'";
    for (char c : *statement.params[i]) {
      if (c == '\'') out += "''";
      else if (c == '\n') out += "\\n";
      else out += c;
    }
    out += "'";
  }
  return out + "\n";
}

}  // namespace strata
