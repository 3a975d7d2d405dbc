#include "history/audit_log.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>

#include "util/database_url.h"
#include "util/hash.h"

namespace strata {
namespace {

constexpr const char* kCanonicalTag = "strata-audit-v1|";
// The first key of the two-key advisory lock space strata uses for the audit chain ("stra").
constexpr const char* kChainLockClass = "1937011297";

std::string Text(const std::optional<std::string>& v) { return v ? *v : std::string(); }

void Field(std::string& out, std::string_view v) {
  out += std::to_string(v.size());
  out += ':';
  out += v;
  out += '|';
}

// The SQL of one canonical field: length in bytes, ':', the text, '|'.
std::string SqlField(EngineKind kind, const std::string& expr) {
  if (kind == EngineKind::kPostgres) return fmt::format("octet_length({0})::text || ':' || {0} || '|'", expr);
  return fmt::format("length(CAST({0} AS BLOB)) || ':' || {0} || '|'", expr);
}

// The canonical serialisation as one SQL expression over the given column expressions.
std::string SqlCanonical(EngineKind kind, const std::vector<std::string>& fields) {
  std::string out = fmt::format("'{}'", kCanonicalTag);
  for (const std::string& f : fields) out += " || " + SqlField(kind, f);
  return out;
}

// A UTC date or time as the stored text compares: "T" between date and time, no trailing "Z"
// (PostgreSQL reads it as a timestamp in UTC; SQLite compares ISO 8601 text).
std::string UtcText(std::string t) {
  if (t.size() > 10 && t[10] == ' ') t[10] = 'T';
  if (!t.empty() && (t.back() == 'Z' || t.back() == 'z')) t.pop_back();
  return t;
}

std::string WithActorSource(const std::string& details, const Actor& actor) {
  std::string text = details.empty() ? "{}" : details;
  if (!actor.source.empty()) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_object() && !j.contains("actor_source")) {
      j["actor_source"] = actor.source;
      text = j.dump();
    }
  }
  return RedactSecrets(text);
}

}  // namespace

std::string AuditCanonical(const AuditRecord& r) {
  std::string out = kCanonicalTag;
  Field(out, std::to_string(r.seq));
  Field(out, r.at);
  Field(out, r.actor);
  Field(out, r.host);
  Field(out, r.action);
  Field(out, r.service);
  Field(out, r.migration_id);
  Field(out, r.details);
  Field(out, r.prev_hash);
  return out;
}

std::string AuditHash(const AuditRecord& r) { return Sha256Hex(AuditCanonical(r)); }

AuditLog::AuditLog(EngineKind kind, std::string table) : kind_(kind), table_(std::move(table)) {
  name_ = table_;
  for (char& c : name_) {
    if (c == '.') c = '_';
  }
}

std::string AuditLog::AtText(std::string_view column) const {
  if (kind_ == EngineKind::kPostgres) {
    return fmt::format("to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')", column);
  }
  return std::string(column);
}

std::string AuditLog::CreateSql() const {
  if (kind_ == EngineKind::kPostgres) {
    // Function and trigger names of the first release are kept ("strata.audit_append_only").
    size_t dot = table_.find('.');
    std::string schema = dot == std::string::npos ? "public" : table_.substr(0, dot);
    std::string bare = dot == std::string::npos ? table_ : table_.substr(dot + 1);
    return fmt::format(R"sql(
CREATE TABLE IF NOT EXISTS {0} (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  action text NOT NULL,
  service text NOT NULL,
  migration_id text,
  actor text NOT NULL,
  host text NOT NULL,
  details jsonb NOT NULL DEFAULT '{{}}',
  prev_hash text NOT NULL UNIQUE,
  hash text NOT NULL
);
CREATE OR REPLACE FUNCTION {1}.{2}_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$BEGIN RAISE EXCEPTION '{0} is append-only'; END$$;
DO $$BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '{2}_append_only' AND tgrelid = '{0}'::regclass) THEN
    CREATE TRIGGER {2}_append_only BEFORE UPDATE OR DELETE ON {0}
      FOR EACH ROW EXECUTE FUNCTION {1}.{2}_append_only();
    CREATE TRIGGER {2}_no_truncate BEFORE TRUNCATE ON {0}
      FOR EACH STATEMENT EXECUTE FUNCTION {1}.{2}_append_only();
  END IF;
END$$;
)sql",
                       table_, schema, bare);
  }
  return fmt::format(R"sql(
CREATE TABLE IF NOT EXISTS {0} (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  service TEXT NOT NULL,
  migration_id TEXT,
  actor TEXT NOT NULL,
  host TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{{}}',
  prev_hash TEXT NOT NULL UNIQUE,
  hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS {1}_no_update BEFORE UPDATE ON {0}
  BEGIN SELECT RAISE(ABORT, '{0} is append-only'); END;
CREATE TRIGGER IF NOT EXISTS {1}_no_delete BEFORE DELETE ON {0}
  BEGIN SELECT RAISE(ABORT, '{0} is append-only'); END;
)sql",
                     table_, name_);
}

std::vector<BoundStatement> AuditLog::AppendStatements(const std::string& action, const std::string& service,
                                                       const std::string& migration_id, const Actor& actor,
                                                       const std::string& details) const {
  std::vector<BoundStatement> out;
  std::vector<Param> params = {action, service, migration_id.empty() ? Param() : Param(migration_id), actor.user,
                               actor.host, WithActorSource(details, actor)};
  if (kind_ == EngineKind::kPostgres) {
    // Serialise appenders before the head is read: the INSERT's snapshot is taken after the
    // lock is granted, so it sees the record of whoever held it before.
    BoundStatement lock{fmt::format("SELECT pg_advisory_xact_lock({}, hashtext($1))", kChainLockClass), {table_}};
    lock.prepared_name = "strata_audit_lock_" + name_;
    out.push_back(std::move(lock));
    std::string canonical = SqlCanonical(
        kind_, {"n.seq::text", "n.at_text", "$4::text", "$5::text", "$1::text", "$2::text", "coalesce($3::text, '')",
                "n.details::text", "n.prev"});
    BoundStatement ins;
    ins.sql = fmt::format(
        "INSERT INTO {0} (seq, at, action, service, migration_id, actor, host, details, prev_hash, hash) "
        "SELECT n.seq, n.at, $1::text, $2::text, $3::text, $4::text, $5::text, n.details, n.prev, "
        "encode(sha256(convert_to({1}, 'UTF8')), 'hex') "
        "FROM (SELECT h.seq, h.prev, c.at, {2} AS at_text, $6::jsonb AS details FROM "
        "(SELECT coalesce(max(seq), 0) + 1 AS seq, coalesce((SELECT hash FROM {0} ORDER BY seq DESC LIMIT 1), '') "
        "AS prev FROM {0}) h, (SELECT clock_timestamp() AS at) c) n",
        table_, canonical, AtText("c.at"));
    ins.params = std::move(params);
    ins.prepared_name = "strata_audit_append_" + name_;
    out.push_back(std::move(ins));
    return out;
  }
  std::string canonical = SqlCanonical(
      kind_, {"CAST(n.seq AS TEXT)", "n.at", "$4", "$5", "$1", "$2", "coalesce($3, '')", "n.details", "n.prev"});
  BoundStatement ins;
  ins.sql = fmt::format(
      "INSERT INTO {0} (seq, at, action, service, migration_id, actor, host, details, prev_hash, hash) "
      "SELECT n.seq, n.at, $1, $2, $3, $4, $5, n.details, n.prev, strata_sha256({1}) "
      "FROM (SELECT (SELECT coalesce(max(seq), 0) + 1 FROM {0}) AS seq, "
      "coalesce((SELECT hash FROM {0} ORDER BY seq DESC LIMIT 1), '') AS prev, "
      "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS at, $6 AS details) n",
      table_, canonical);
  ins.params = std::move(params);
  out.push_back(std::move(ins));
  return out;
}

Result<void> AuditLog::Append(Engine& engine, const std::string& action, const std::string& service,
                              const std::string& migration_id, const Actor& actor, const std::string& details) const {
  std::vector<BoundStatement> stmts = AppendStatements(action, service, migration_id, actor, details);
  return engine.RunTransaction(stmts, Timeouts{}, true);
}

Result<bool> AuditLog::IsChained(Engine& engine) const {
  Param p = table_;
  std::string sql =
      kind_ == EngineKind::kPostgres
          ? "SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'hash' AND NOT attisdropped"
          : "SELECT count(*) FROM pragma_table_info($1) WHERE name = 'hash'";
  ASSIGN_OR_RETURN(Rows r, engine.Query(sql, std::span<const Param>(&p, 1)));
  return r.size() == 1 && Text(r.rows[0][0]) != "0";
}

Result<std::vector<AuditRecord>> AuditLog::Read(Engine& engine, const AuditFilter& f) const {
  ASSIGN_OR_RETURN(bool chained, IsChained(engine));
  std::vector<Param> params;
  std::string where;
  auto add = [&](const std::string& cond, const std::string& value) {
    if (value.empty()) return;
    params.push_back(value);
    where += fmt::format("{} {}", where.empty() ? " WHERE" : " AND", fmt::format(fmt::runtime(cond), params.size()));
  };
  add("service = ${}", f.service);
  add("action = ${}", f.action);
  add("actor = ${}", f.actor);
  add("migration_id = ${}", f.migration_id);
  // Timestamps compare as instants in PostgreSQL and as ISO 8601 text in SQLite (both UTC).
  add(kind_ == EngineKind::kPostgres ? "at >= (${}::timestamp AT TIME ZONE 'UTC')" : "at >= ${}", UtcText(f.since));
  add(kind_ == EngineKind::kPostgres ? "at < (${}::timestamp AT TIME ZONE 'UTC')" : "at < ${}", UtcText(f.until));
  std::string sql = fmt::format(
      "SELECT seq, {}, action, service, migration_id, actor, host, {}, {} FROM {}{} ORDER BY seq DESC{}", AtText("at"),
      kind_ == EngineKind::kPostgres ? "details::text" : "details",
      chained ? "coalesce(prev_hash, ''), coalesce(hash, '')" : "'', ''", table_, where,
      f.limit > 0 ? fmt::format(" LIMIT {}", f.limit) : "");
  ASSIGN_OR_RETURN(Rows r, engine.Query(sql, params));
  std::vector<AuditRecord> out;
  out.reserve(r.size());
  for (const auto& row : r.rows) {
    out.push_back(AuditRecord{std::stoll(Text(row[0])), Text(row[1]), Text(row[2]), Text(row[3]), Text(row[4]),
                              Text(row[5]), Text(row[6]), Text(row[7]), Text(row[8]), Text(row[9])});
  }
  return out;
}

Result<AuditVerifyReport> AuditLog::Verify(Engine& engine) const {
  AuditVerifyReport rep;
  ASSIGN_OR_RETURN(bool chained, IsChained(engine));
  ASSIGN_OR_RETURN(std::vector<AuditRecord> rows, Read(engine, AuditFilter{}));
  std::reverse(rows.begin(), rows.end());  // oldest first
  rep.records = static_cast<long long>(rows.size());
  if (!chained) {
    rep.unchained = rep.records;
    if (rows.empty()) return rep;
    rep.ok = false;
    rep.bad_seq = rows.front().seq;
    rep.problem = "unchained";
    rep.message = fmt::format("{} has no hash chain yet (a store of schema version 1): run `strata audit verify` "
                              "with write access, or any apply, to chain it",
                              table_);
    return rep;
  }
  std::map<std::string, long long> seq_of_hash;
  for (const AuditRecord& r : rows) seq_of_hash[r.hash] = r.seq;
  auto fail = [&](const AuditRecord& r, std::string problem, std::string message) {
    rep.ok = false;
    rep.bad_seq = r.seq;
    rep.problem = std::move(problem);
    rep.message = fmt::format("{} record {}: {}", table_, r.seq, message);
    return rep;
  };
  std::string prev;
  long long prev_seq = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const AuditRecord& r = rows[i];
    if (r.hash.empty()) return fail(r, "unchained", "has no hash (written around the chain)");
    if (AuditHash(r) != r.hash) {
      return fail(r, "edited",
                  fmt::format("its contents do not match its hash (edited after it was written: {} {} by {} at {})",
                              r.action, r.migration_id.empty() ? "-" : r.migration_id, r.actor, r.at));
    }
    if (r.prev_hash != prev) {
      auto it = seq_of_hash.find(r.prev_hash);
      if (it != seq_of_hash.end()) {
        return fail(r, "reordered",
                    fmt::format("follows record {} in the chain but comes after record {}", it->second, prev_seq));
      }
      if (i == 0 && r.seq > 1) {
        return fail(r, "missing", fmt::format("records 1 to {} are missing (deleted)", r.seq - 1));
      }
      if (r.seq != prev_seq + 1) {
        return fail(r, "missing", fmt::format("records {} to {} are missing (deleted)", prev_seq + 1, r.seq - 1));
      }
      return fail(r, "broken link", "its prev_hash is not the hash of the record before it");
    }
    if (r.seq != prev_seq + 1) {
      return fail(r, "renumbered", fmt::format("its sequence number follows {} (expected {})", prev_seq, prev_seq + 1));
    }
    prev = r.hash;
    prev_seq = r.seq;
  }
  rep.head_hash = prev;
  return rep;
}

Result<long long> AuditLog::UpgradeToChain(Engine& engine, const std::vector<std::string>& extra_sql) const {
  bool pg = kind_ == EngineKind::kPostgres;
  size_t dot = table_.find('.');
  std::string bare = dot == std::string::npos ? table_ : table_.substr(dot + 1);
  TRY_VOID(engine.Exec(pg ? "BEGIN" : "BEGIN IMMEDIATE"));
  auto body = [&]() -> Result<long long> {
    if (pg) TRY_VOID(engine.Exec(fmt::format("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE", table_)));
    ASSIGN_OR_RETURN(bool chained, IsChained(engine));
    if (chained) return 0;
    if (pg) {
      TRY_VOID(engine.Exec(fmt::format("ALTER TABLE {0} ADD COLUMN prev_hash text, ADD COLUMN hash text; "
                                       "ALTER TABLE {0} DISABLE TRIGGER {1}_append_only",
                                       table_, bare)));
    } else {
      TRY_VOID(engine.Exec(fmt::format("ALTER TABLE {0} ADD COLUMN prev_hash TEXT; ALTER TABLE {0} ADD COLUMN hash TEXT; "
                                       "DROP TRIGGER IF EXISTS {1}_no_update",
                                       table_, name_)));
    }
    ASSIGN_OR_RETURN(std::vector<AuditRecord> rows, Read(engine, AuditFilter{}));
    std::reverse(rows.begin(), rows.end());
    std::string prev;
    std::vector<std::string> seqs, prevs, hashes;
    for (AuditRecord& r : rows) {
      r.prev_hash = prev;
      r.hash = AuditHash(r);
      prev = r.hash;
      seqs.push_back(std::to_string(r.seq));
      prevs.push_back(r.prev_hash.empty() ? "\"\"" : r.prev_hash);
      hashes.push_back(r.hash);
    }
    if (pg) {
      // One statement: the arrays hold only digits and hex, so no quoting is needed.
      if (!rows.empty()) {
        std::vector<Param> p = {fmt::format("{{{}}}", fmt::join(seqs, ",")), fmt::format("{{{}}}", fmt::join(prevs, ",")),
                                fmt::format("{{{}}}", fmt::join(hashes, ","))};
        TRY_VOID(engine.Query(fmt::format("UPDATE {} t SET prev_hash = v.p, hash = v.h FROM (SELECT unnest($1::bigint[]) "
                                          "AS s, unnest($2::text[]) AS p, unnest($3::text[]) AS h) v WHERE t.seq = v.s",
                                          table_),
                              p));
      }
      TRY_VOID(engine.Exec(fmt::format(
          "ALTER TABLE {0} ENABLE TRIGGER {1}_append_only; ALTER TABLE {0} ALTER COLUMN prev_hash SET NOT NULL, "
          "ALTER COLUMN hash SET NOT NULL, ADD CONSTRAINT {1}_prev_hash_key UNIQUE (prev_hash)",
          table_, bare)));
    } else {
      for (const AuditRecord& r : rows) {
        std::vector<Param> p = {r.prev_hash, r.hash, std::to_string(r.seq)};
        TRY_VOID(engine.Query(fmt::format("UPDATE {} SET prev_hash = $1, hash = $2 WHERE seq = $3", table_), p));
      }
      TRY_VOID(engine.Exec(fmt::format(
          "CREATE TRIGGER {1}_no_update BEFORE UPDATE ON {0} BEGIN SELECT RAISE(ABORT, '{0} is append-only'); END; "
          "CREATE UNIQUE INDEX {1}_prev_hash ON {0} (prev_hash)",
          table_, name_)));
    }
    for (const std::string& sql : extra_sql) TRY_VOID(engine.Exec(sql));
    return static_cast<long long>(rows.size());
  };
  Result<long long> r = body();
  if (!r) {
    (void)engine.Exec("ROLLBACK");
    return r;
  }
  TRY_VOID(engine.Exec("COMMIT"));
  return r;
}

}  // namespace strata
