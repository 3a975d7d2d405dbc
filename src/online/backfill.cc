#include "online/backfill.h"

#include <fmt/format.h>

#include <functional>
#include <map>
#include <thread>
#include <vector>

#include "migrate/migrator.h"
#include "online/session_settings.h"
#include "online/sql_text.h"

namespace strata::online {

using std::chrono::milliseconds;

namespace {
std::string TypeOf(const ModelTable& t, const std::string& physical) {
  for (const auto& c : t.columns)
    if (c.physical == physical) return c.type;
  return "text";
}

// A batch is ONE statement that finds the key ending the batch (an index-only walk of
// `$2` keys past the cursor `$1`; the table's last key when fewer are left), touches the rows up
// to it and advances the cursor with them, so the cursor commits with its batch — one round
// trip per batch. `first` starts at the table's first key (cursor NULL), `next` after the
// cursor; neither has an OR, so one generic plan (prepared once per session) reads a key range
// through the primary key index. Page ranges (tables without a primary key): `$2` is the batch
// size in rows, turned into a number of pages, and first = next. `$3`-`$5` name the state row.
struct BatchSql {
  std::string first;
  std::string next;
};

// The column a batch sets to itself to fire the dual-write trigger: one strata added
// (`_strata_new_…`), which is never an identity GENERATED ALWAYS or a generated column (those
// refuse `SET c = c`); else the first key column, else the first column.
std::string TouchColumn(const ModelTable& t) {
  for (const auto& c : t.columns)
    if (c.physical.starts_with("_strata_new_")) return c.physical;
  return t.primary_key.empty() ? t.columns.front().physical : t.primary_key.front();
}

// The SET list of a batch that computes the new columns itself: `target = coalesce(target, (up
// expression with the old version's column names rewritten to physical ones))` for every old->new rule of the
// table — what the trigger's `up` branch assigns, evaluated on the same row values (each
// expression sees the row as it was before the statement, like the trigger's variables).
// Empty: no rule (fire the trigger instead).
// `types`: each column's type without its modifier (format_type(atttypid, NULL)), see below.
std::string ComputedSet(const ModelTable& t, const BackfillCompute& compute,
                        const std::map<std::string, std::string>& types) {
  if (!compute.old_shape) return "";
  std::map<std::string, std::string> names;
  for (const auto& c : compute.old_shape->columns) names[c.name] = c.physical;
  // Two rules for one column: the trigger assigns both and the last one stays (its expression
  // reads the row's values, not the first assignment); an UPDATE may set a column only once.
  std::vector<std::pair<std::string, std::string>> sets;
  for (const auto& r : compute.rules) {
    if (r.table != t.physical || r.from_new) continue;
    std::erase_if(sets, [&](const auto& s) { return s.first == r.target; });
    sets.emplace_back(r.target, RewriteColumns(r.expr, names));
  }
  std::vector<std::string> out;
  // A row whose new column already has a value was written since the expand — by the new
  // version (its own value, which `up` of the old columns would overwrite: lossy for a type
  // change, wrong for an added column), or by the old one through the trigger (the same value):
  // keep it. Untouched rows have NULL there (the copy is added without a default). coalesce
  // needs one type for both: the expression is cast to the column's type WITHOUT its modifier
  // (an explicit cast to varchar(20) or char(3) would truncate silently), so the assignment
  // still applies the modifier as a plain `SET c = (up)` does (too long: an error, not a cut).
  for (const auto& [target, expr] : sets) {
    auto type = types.find(target);
    if (type == types.end()) {
      out.push_back(fmt::format("{0} = coalesce(x.{0}, ({1}))", Ident(target), expr));
    } else {
      out.push_back(fmt::format("{0} = coalesce(x.{0}, ({1})::{2})", Ident(target), expr, type->second));
    }
  }
  return fmt::format("{}", fmt::join(out, ", "));
}

BatchSql MakeBatchSql(const std::string& schema, const ModelTable& t, const std::string& computed) {
  std::string table = Qualified(schema, t.physical);
  const std::string set =
      computed.empty() ? fmt::format("{0} = x.{0}", Ident(TouchColumn(t))) : computed;
  const std::string state_row =
      "WHERE schema_name = $3 AND migration = $4 AND table_name = $5 RETURNING rows_done, done::text, cursor::text";
  if (t.primary_key.empty()) {
    // Page ranges: cursor[1] = the next page, cursor[2] = the last page that existed at the
    // start (rows inserted later went through the trigger already).
    const std::string next = "least(($1::text[])[1]::bigint + greatest($2::int / 50, 1), ($1::text[])[2]::bigint + 1)";
    std::string sql = fmt::format(
        "WITH touched AS (UPDATE {0} x SET {1} WHERE ctid >= format('(%s,0)', ($1::text[])[1])::tid "
        "AND ctid < format('(%s,0)', {2})::tid RETURNING 1) "
        "UPDATE strata_online.backfill SET cursor = ARRAY[({2})::text, ($1::text[])[2]], "
        "rows_done = rows_done + (SELECT count(*) FROM touched), batches = batches + 1, "
        "done = ({2}) > ($1::text[])[2]::bigint, updated_at = clock_timestamp() {3}",
        table, set, next, state_row);
    return {sql, sql};
  }
  std::vector<std::string> keys, xkeys, as_text, lower, desc;
  for (size_t i = 0; i < t.primary_key.size(); ++i) {
    const std::string& k = t.primary_key[i];
    keys.push_back(Ident(k));
    xkeys.push_back("x." + Ident(k));
    as_text.push_back(fmt::format("{}::text", Ident(k)));
    lower.push_back(fmt::format("($1::text[])[{}]::{}", i + 1, TypeOf(t, k)));
    desc.push_back(Ident(k) + " DESC");
  }
  // nxt: the key `$2` rows past the cursor (NULL: this is the last batch); lst: the last key,
  // read only when nxt is NULL (a CTE is evaluated on demand). The upper bound is an initplan
  // parameter, which the planner cannot see: RunBackfill turns seq scans off for its session so
  // the range is always read through the primary key index, whatever the table's size.
  std::vector<std::string> ub;
  for (size_t i = 0; i < t.primary_key.size(); ++i)
    ub.push_back(fmt::format("((SELECT b FROM ub))[{}]::{}", i + 1, TypeOf(t, t.primary_key[i])));
  // {0} nxt's filter ({1} the cursor's key as the key's types), {2} touched's lower bound.
  const std::string body =
      "WITH nxt AS MATERIALIZED (SELECT ARRAY[{3}] AS b FROM {4} WHERE {0} "
      "ORDER BY {5} LIMIT 1 OFFSET $2::int - 1), "
      "lst AS MATERIALIZED (SELECT ARRAY[{3}] AS b FROM {4} ORDER BY {6} LIMIT 1), "
      "ub AS MATERIALIZED (SELECT coalesce((SELECT b FROM nxt), (SELECT b FROM lst)) AS b), "
      "touched AS (UPDATE {4} x SET {7} WHERE {2}({8}) <= ({9}) RETURNING 1) "
      "UPDATE strata_online.backfill SET cursor = coalesce((SELECT b FROM nxt), cursor), "
      "rows_done = rows_done + (SELECT count(*) FROM touched), batches = batches + 1, "
      "done = NOT EXISTS (SELECT 1 FROM nxt), updated_at = clock_timestamp() {10}";
  const std::string lower_of = fmt::format("{}", fmt::join(lower, ", "));
  auto make = [&](const std::string& nxt_filter, const std::string& touched_lower) {
    return fmt::format(fmt::runtime(body), nxt_filter, lower_of, touched_lower, fmt::join(as_text, ", "), table,
                       fmt::join(keys, ", "), fmt::join(desc, ", "), set, fmt::join(xkeys, ", "), fmt::join(ub, ", "),
                       state_row);
  };
  BatchSql b;
  // `$1::text[] IS NULL`: the first batch still names the cursor parameter (a one-time filter).
  b.first = make("$1::text[] IS NULL", "");
  b.next = make(fmt::format("({}) > ({})", fmt::join(keys, ", "), lower_of),
                fmt::format("({}) > ({}) AND ", fmt::join(xkeys, ", "), lower_of));
  return b;
}
}  // namespace

Result<void> RegisterBackfill(Engine& engine, const std::string& schema, const std::string& migration,
                              const ModelTable& t) {
  std::string table = Qualified(schema, t.physical);
  std::string keys = "ARRAY[]::text[]";
  std::string cursor = "NULL";
  if (!t.primary_key.empty()) {
    std::vector<std::string> k;
    for (const auto& c : t.primary_key) k.push_back(Literal(c));
    keys = fmt::format("ARRAY[{}]", fmt::join(k, ", "));
  } else {
    keys = "ARRAY['ctid']";
    cursor = fmt::format("ARRAY['0', (pg_relation_size({}) / current_setting('block_size')::bigint)::text]", Literal(table));
  }
  std::string sql = fmt::format(
      "INSERT INTO strata_online.backfill (schema_name, migration, table_name, key_columns, cursor, rows_total) "
      "SELECT $1, $2, $3, {}, {}, (SELECT count(*) FROM {}) ON CONFLICT DO NOTHING",
      keys, cursor, table);
  std::vector<Param> p = {schema, migration, t.physical};
  ASSIGN_OR_RETURN(Rows r, engine.Query(sql, p));
  (void)r;
  return {};
}

Result<BackfillOutcome> RunBackfill(Engine& engine, const std::string& schema, const std::string& migration,
                                    const ModelTable& t, const BackfillOptions& opt, const BackfillCompute& compute) {
  std::vector<Param> key = {schema, migration, t.physical};
  ASSIGN_OR_RETURN(Rows state, engine.Query(
                                   "SELECT cursor::text, rows_done, rows_total, batches, throttled, done::text FROM "
                                   "strata_online.backfill WHERE schema_name = $1 AND migration = $2 AND table_name = $3",
                                   key));
  if (state.rows.empty()) return MakeError(ErrorKind::kInternal, "backfill of " + t.physical + " is not registered");
  BackfillProgress pr;
  pr.table = t.physical;
  pr.rows_done = std::stoll(*state.rows[0][1]);
  pr.rows_total = std::stoll(*state.rows[0][2]);
  pr.batches = std::stoll(*state.rows[0][3]);
  pr.throttled = std::stoll(*state.rows[0][4]);
  pr.done = *state.rows[0][5] == "true";
  if (pr.done) return BackfillOutcome::kDone;

  TRY_VOID(engine.Exec(fmt::format("SET lock_timeout = {}", opt.lock_timeout.count())));
  // Each column's type without its modifier (format_type(…, NULL): `character varying`,
  // `bpchar`, `"bit"`: no length, so the cast in ComputedSet never truncates).
  std::map<std::string, std::string> types;
  {
    std::vector<Param> rel = {Qualified(schema, t.physical)};
    ASSIGN_OR_RETURN(Rows cols, engine.Query("SELECT attname, format_type(atttypid, NULL) FROM pg_attribute WHERE "
                                             "attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped",
                                             rel));
    for (const auto& row : cols.rows)
      if (row[0] && row[1]) types[*row[0]] = *row[1];
  }
  const std::string computed = ComputedSet(t, compute, types);
  const BatchSql sql = MakeBatchSql(schema, t, computed);
  const std::string next_name = fmt::format("strata_backfill_{:016x}", std::hash<std::string>{}(sql.next));
  // Session settings for the batches, put back on every way out.
  SessionSettings settings(engine);
  // One generic plan for every batch (no planning per batch), and seq scans off: a batch's
  // upper key is an initplan parameter the planner cannot estimate (see MakeBatchSql). Commits
  // stay synchronous on purpose: measured under load, a backfill that leaves its WAL to the WAL
  // writer makes the application's commits flush it instead (their p50 +50%, p99 up to 3x), so
  // each batch flushes its own WAL.
  TRY_VOID(settings.Set("enable_seqscan", "off"));
  TRY_VOID(settings.Set("plan_cache_mode", "force_generic_plan"));
  if (!computed.empty()) {
    TRY_VOID(settings.Set("strata.backfill", "on"));
    // Not permitted: silently without it.
    pr.replica = opt.replica_role && settings.Set("session_replication_role", "replica").has_value();
  }
  const std::string table = Qualified(schema, t.physical);
  const auto started = std::chrono::steady_clock::now();
  const long long done_at_start = pr.rows_done;
  int throttle_round = 0;
  Param cursor = state.rows[0][0];  // kept here after the first read: each batch returns the next
  std::chrono::steady_clock::time_point last_signals{};
  while (true) {
    // Pause flag and throttling signals, in one round trip, at most every 100 ms (while
    // throttled: before every retry).
    auto now = std::chrono::steady_clock::now();
    if (throttle_round > 0 || now - last_signals >= milliseconds(100)) {
      last_signals = now;
      std::vector<Param> tp = {schema, migration, table};
      ASSIGN_OR_RETURN(Rows sig, engine.Query(
                                     "SELECT (SELECT paused::text FROM strata_online.migrations WHERE schema_name = $1 AND "
                                     "name = $2), coalesce((SELECT max(extract(epoch FROM replay_lag)) FROM "
                                     "pg_stat_replication), 0), (SELECT count(*) FROM pg_locks WHERE relation = "
                                     "to_regclass($3) AND NOT granted)",
                                     tp));
      if (sig.rows[0][0] == "true") return BackfillOutcome::kPaused;
      double lag = std::stod(*sig.rows[0][1]);
      long long waiters = std::stoll(*sig.rows[0][2]);
      bool over = (opt.max_replica_lag_s > 0 && lag > opt.max_replica_lag_s) ||
                  (opt.max_lock_waiters >= 0 && waiters > opt.max_lock_waiters);
      if (over) {
        ++pr.throttled;
        TRY_VOID(engine.Query(
            "UPDATE strata_online.backfill SET throttled = throttled + 1 WHERE schema_name = $1 AND migration = $2 AND "
            "table_name = $3",
            key));
        std::this_thread::sleep_for(milliseconds(std::min(5000, 50 << std::min(throttle_round++, 6))));
        continue;
      }
      throttle_round = 0;
    }
    std::vector<Param> bp = {cursor, std::to_string(opt.batch_size), schema, migration, t.physical};
    Result<Rows> r;
    for (int attempt = 0;; ++attempt) {
      r = cursor ? engine.QueryPrepared(next_name, sql.next, bp) : engine.Query(sql.first, bp);
      if (r || r.error().kind != ErrorKind::kLockTimeout || attempt >= opt.lock_retries) break;
      std::this_thread::sleep_for(RetryDelay(attempt, opt.retry_delay));
    }
    if (!r) {
      Error e = r.error();
      e.message = fmt::format("backfill of {}: {}", t.physical, e.message);
      return std::unexpected(e);
    }
    pr.rows_done = std::stoll(*r->rows[0][0]);
    pr.done = *r->rows[0][1] == "true";
    cursor = r->rows[0][2];
    ++pr.batches;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    pr.rate = secs > 0 ? static_cast<double>(pr.rows_done - done_at_start) / secs : 0;
    long long left = std::max(0LL, pr.rows_total - pr.rows_done);
    pr.eta_s = pr.rate > 0 ? static_cast<double>(left) / pr.rate : 0;
    if (opt.on_progress) opt.on_progress(pr);
    if (pr.done) return BackfillOutcome::kDone;
    if (opt.batch_delay.count() > 0) std::this_thread::sleep_for(opt.batch_delay);
  }
}

}  // namespace strata::online
