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

}  // namespace strata
