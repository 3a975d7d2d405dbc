#include "online/state_store.h"

namespace strata::online {

StateStore::StateStore(Engine& engine, std::string schema) : engine_(engine), schema_(std::move(schema)) {}

Result<void> StateStore::EnsureSchema() {
  ASSIGN_OR_RETURN(bool exists, Exists());
  if (exists) {
    // Made by an older strata: the column added since.
    ASSIGN_OR_RETURN(Rows r, engine_.Query("SELECT count(*) FROM pg_attribute WHERE attrelid = "
                                           "'strata_online.migrations'::regclass AND attname = 'rewriting_defaults' "
                                           "AND NOT attisdropped"));
    if (r.rows[0][0] != "0") return {};
    return engine_.Exec(
        "ALTER TABLE strata_online.migrations ADD COLUMN IF NOT EXISTS rewriting_defaults integer[] NOT NULL "
        "DEFAULT '{}'");
  }
  return engine_.Exec(R"(
    CREATE SCHEMA IF NOT EXISTS strata_online;
    CREATE TABLE IF NOT EXISTS strata_online.migrations (
      schema_name text NOT NULL,
      name text NOT NULL,
      service text NOT NULL DEFAULT '',
      source text NOT NULL,
      checksum text NOT NULL,
      model jsonb NOT NULL,
      state text NOT NULL CHECK (state IN ('starting', 'started', 'completed', 'rolled_back')),
      version_schema text NOT NULL,
      previous_schema text,
      paused boolean NOT NULL DEFAULT false,
      ops_done integer NOT NULL DEFAULT 0,
      rewriting_defaults integer[] NOT NULL DEFAULT '{}',
      started_by text NOT NULL DEFAULT '',
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      PRIMARY KEY (schema_name, name));
    CREATE UNIQUE INDEX IF NOT EXISTS migrations_one_active ON strata_online.migrations (schema_name)
      WHERE state IN ('starting', 'started');
    CREATE TABLE IF NOT EXISTS strata_online.backfill (
      schema_name text NOT NULL,
      migration text NOT NULL,
      table_name text NOT NULL,
      key_columns text[] NOT NULL,
      cursor text[],
      rows_done bigint NOT NULL DEFAULT 0,
      rows_total bigint NOT NULL DEFAULT 0,
      batches bigint NOT NULL DEFAULT 0,
      throttled bigint NOT NULL DEFAULT 0,
      done boolean NOT NULL DEFAULT false,
      started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (schema_name, migration, table_name));
    CREATE OR REPLACE FUNCTION strata_online.in_version(v text) RETURNS boolean LANGUAGE sql STABLE AS $$
      SELECT v = ANY (string_to_array(replace(replace(current_setting('search_path'), ' ', ''), '"', ''), ','))
          OR coalesce(current_setting('strata.version', true), '') = v $$;
  )");
}

Result<bool> StateStore::Exists() {
  ASSIGN_OR_RETURN(Rows r, engine_.Query("SELECT to_regclass('strata_online.backfill') IS NOT NULL"));
  return r.rows[0][0] == "t";
}

namespace {
constexpr const char* kColumns =
    "schema_name, name, service, source, checksum, model::text, state, version_schema, previous_schema, "
    "paused::text, ops_done::text, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "started_by, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    // Through to_jsonb: a state schema made by an older strata (not yet upgraded by
    // EnsureSchema, e.g. for `status`) has no such column.
    "coalesce(to_jsonb(m) -> 'rewriting_defaults', '[]')::text";

MigrationRow FromRow(const std::vector<std::optional<std::string>>& r) {
  MigrationRow m;
  m.schema = *r[0];
  m.name = *r[1];
  m.service = *r[2];
  m.source = *r[3];
  m.checksum = *r[4];
  m.model = nlohmann::json::parse(*r[5]);
  m.state = *r[6];
  m.version_schema = *r[7];
  m.previous_schema = r[8];
  m.paused = *r[9] == "true";
  m.ops_done = std::stoi(*r[10]);
  m.started_at = *r[11];
  m.started_by = *r[12];
  m.finished_at = r[13];
  for (int op : nlohmann::json::parse(*r[14])) m.rewriting_defaults.insert(op);
  return m;
}
}  // namespace

Result<std::optional<MigrationRow>> StateStore::Active() {
  ASSIGN_OR_RETURN(bool exists, Exists());
  if (!exists) return std::optional<MigrationRow>{};
  std::vector<Param> p = {schema_};
  ASSIGN_OR_RETURN(Rows r, engine_.Query(std::string("SELECT ") + kColumns +
                                             " FROM strata_online.migrations m WHERE schema_name = $1 AND state IN "
                                             "('starting', 'started')",
                                         p));
  if (r.rows.empty()) return std::optional<MigrationRow>{};
  return std::optional<MigrationRow>{FromRow(r.rows[0])};
}

Result<std::optional<MigrationRow>> StateStore::Find(const std::string& name) {
  ASSIGN_OR_RETURN(bool exists, Exists());
  if (!exists) return std::optional<MigrationRow>{};
  std::vector<Param> p = {schema_, name};
  ASSIGN_OR_RETURN(Rows r, engine_.Query(std::string("SELECT ") + kColumns +
                                             " FROM strata_online.migrations m WHERE schema_name = $1 AND name = $2",
                                         p));
  if (r.rows.empty()) return std::optional<MigrationRow>{};
  return std::optional<MigrationRow>{FromRow(r.rows[0])};
}

Result<std::vector<MigrationRow>> StateStore::All() {
  std::vector<MigrationRow> out;
  ASSIGN_OR_RETURN(bool exists, Exists());
  if (!exists) return out;
  std::vector<Param> p = {schema_};
  ASSIGN_OR_RETURN(Rows r, engine_.Query(std::string("SELECT ") + kColumns +
                                             " FROM strata_online.migrations m WHERE schema_name = $1 ORDER BY started_at, name",
                                         p));
  for (const auto& row : r.rows) out.push_back(FromRow(row));
  return out;
}

Result<std::optional<std::string>> StateStore::CurrentVersionSchema() {
  ASSIGN_OR_RETURN(bool exists, Exists());
  if (!exists) return std::optional<std::string>{};
  std::vector<Param> p = {schema_};
  ASSIGN_OR_RETURN(Rows r, engine_.Query(
                               "SELECT version_schema FROM strata_online.migrations m WHERE schema_name = $1 AND state = "
                               "'completed' AND EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = m.version_schema) "
                               "ORDER BY finished_at DESC LIMIT 1",
                               p));
  if (r.rows.empty()) return std::optional<std::string>{};
  return std::optional<std::string>{*r.rows[0][0]};
}

Result<std::vector<BackfillRow>> StateStore::Backfills(const std::string& migration) {
  std::vector<BackfillRow> out;
  ASSIGN_OR_RETURN(bool exists, Exists());
  if (!exists) return out;
  std::vector<Param> p = {schema_, migration};
  ASSIGN_OR_RETURN(Rows r, engine_.Query(
                               "SELECT table_name, rows_done, rows_total, batches, throttled, done::text, "
                               "extract(epoch FROM updated_at - started_at) FROM strata_online.backfill "
                               "WHERE schema_name = $1 AND migration = $2 ORDER BY table_name",
                               p));
  for (const auto& row : r.rows)
    out.push_back(BackfillRow{*row[0], std::stoll(*row[1]), std::stoll(*row[2]), std::stoll(*row[3]),
                              std::stoll(*row[4]), *row[5] == "true", std::stod(*row[6])});
  return out;
}

BoundStatement StateStore::Insert(const MigrationRow& m) const {
  return BoundStatement{
      "INSERT INTO strata_online.migrations (schema_name, name, service, source, checksum, model, state, "
      "version_schema, previous_schema, started_by) VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'starting', $7, $8, $9) "
      "ON CONFLICT (schema_name, name) DO UPDATE SET service = EXCLUDED.service, source = EXCLUDED.source, "
      "checksum = EXCLUDED.checksum, model = EXCLUDED.model, state = 'starting', version_schema = "
      "EXCLUDED.version_schema, previous_schema = EXCLUDED.previous_schema, paused = false, ops_done = 0, "
      "started_by = EXCLUDED.started_by, started_at = now(), finished_at = NULL, rewriting_defaults = '{}' "
      "WHERE strata_online.migrations.state = 'rolled_back'",
      {m.schema, m.name, m.service, m.source, m.checksum, m.model.dump(), m.version_schema, m.previous_schema,
       m.started_by}};
}

BoundStatement StateStore::SetState(const std::string& name, const std::string& state) const {
  return BoundStatement{
      "UPDATE strata_online.migrations SET state = $3, finished_at = CASE WHEN $3 IN ('completed', 'rolled_back') "
      "THEN now() END WHERE schema_name = $1 AND name = $2",
      {schema_, name, state}};
}

BoundStatement StateStore::SetOpsDone(const std::string& name, int ops_done) const {
  return BoundStatement{"UPDATE strata_online.migrations SET ops_done = $3::int WHERE schema_name = $1 AND name = $2",
                        {schema_, name, std::to_string(ops_done)}};
}

BoundStatement StateStore::SetRewritingDefaults(const std::string& name, const std::set<int>& ops) const {
  std::string list;
  for (int op : ops) list += (list.empty() ? "" : ",") + std::to_string(op);
  return BoundStatement{
      "UPDATE strata_online.migrations SET rewriting_defaults = $3::int[] WHERE schema_name = $1 AND name = $2",
      {schema_, name, "{" + list + "}"}};
}

BoundStatement StateStore::DeleteBackfills(const std::string& name) const {
  return BoundStatement{"DELETE FROM strata_online.backfill WHERE schema_name = $1 AND migration = $2", {schema_, name}};
}

Result<void> StateStore::SetPaused(const std::string& name, bool paused) {
  std::vector<Param> p = {schema_, name, paused ? "true" : "false"};
  ASSIGN_OR_RETURN(Rows r, engine_.Query(
                               "UPDATE strata_online.migrations SET paused = $3::boolean WHERE schema_name = $1 AND name "
                               "= $2 RETURNING 1",
                               p));
  (void)r;
  return {};
}

}  // namespace strata::online
