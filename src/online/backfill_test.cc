// The backfill computes the new columns itself (and the dual-write trigger returns at once for
// its session): its values must equal what the trigger computes for a row an old-version
// writer touches — for a table with several rules (two add_columns and a type change) and for
// a table without a primary key (page ranges), with and without session_replication_role =
// replica. Against a real PostgreSQL.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "online/migration_file.h"
#include "online/online_runner.h"
#include "tests/support/pg_test_env.h"
#include "util/database_url.h"

namespace strata::online {
namespace {

const char* kSetup = R"(
  CREATE TABLE people (id bigint PRIMARY KEY, name text NOT NULL, age int, note text);
  INSERT INTO people SELECT g, 'p' || g, CASE WHEN g % 4 = 0 THEN NULL ELSE g * 3 END,
                            CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' || g END
    FROM generate_series(1, 57) g;
  CREATE TABLE events (msg text, at int);
  INSERT INTO events SELECT 'e' || g, CASE WHEN g % 6 = 0 THEN NULL ELSE g END FROM generate_series(1, 41) g;
  -- an application trigger: fires for application writes, not for a replica-mode backfill
  CREATE TABLE touches (n int);
  CREATE FUNCTION count_touch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO touches VALUES (1); RETURN NEW; END $$;
  CREATE TRIGGER people_touch AFTER UPDATE ON people FOR EACH ROW EXECUTE FUNCTION count_touch();
)";

const char* kMigration = R"JSON({
  "name": "m1",
  "operations": [
    {"add_column": {"table": "people", "up": "coalesce(age, 0) * 2 + length(name)",
      "column": {"name": "score", "type": "integer", "nullable": true}}},
    {"add_column": {"table": "people", "up": "upper(name) || '-' || coalesce(note, 'none')",
      "column": {"name": "label", "type": "text", "nullable": true}}},
    {"alter_column": {"table": "people", "column": "age", "type": "bigint", "up": "age::bigint * 10",
      "down": "(age / 10)::int"}},
    {"add_column": {"table": "events", "up": "coalesce(at, -1) + 100",
      "column": {"name": "seq", "type": "bigint", "nullable": true}}}
  ]
})JSON";

class BackfillTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    url_ = strata::testing::FreshPgDatabase("backfill");
    engine_ = Open();
    auto r = engine_->Exec(kSetup);
    ASSERT_TRUE(r.has_value()) << r.error().message;
  }
  std::unique_ptr<Engine> Open() {
    auto url = DatabaseUrl::Parse(url_);
    EXPECT_TRUE(url.has_value());
    auto e = Connect(*url, "backfill-test");
    EXPECT_TRUE(e.has_value()) << e.error().message;
    return std::move(*e);
  }
  std::string Scalar(Engine& on, const std::string& sql) {
    auto r = on.Query(sql);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message) << "\n" << sql;
    if (!r || r->rows.empty()) return "";
    return r->rows[0][0].value_or("NULL");
  }
  // The new version's columns of every row, as the new version reads them.
  std::string NewRows(Engine& on) {
    return Scalar(on,
                  "SELECT string_agg(format('%s|%s|%s|%s', id, score, label, age), E'\\n' ORDER BY id) FROM "
                  "public_m1.people") +
           "\n" + Scalar(on, "SELECT string_agg(format('%s|%s|%s', msg, at, seq), E'\\n' ORDER BY msg) FROM public_m1.events");
  }
  OnlineOptions Options(bool backfill) {
    OnlineOptions o;
    o.service = "app";
    o.actor = {"tester", "host", "online start"};
    o.backfill = backfill;
    o.backfill_options.batch_size = 7;  // several batches, the last one partial
    o.backfill_options.replica_role = GetParam();
    return o;
  }

  // Expand without backfill, record what the trigger computes, backfill, compare, complete.
  void Check(Engine& engine, bool expect_replica);

  std::string url_;
  std::unique_ptr<Engine> engine_;
};

TEST_P(BackfillTest, ComputedValuesEqualWhatTheTriggerComputes) { Check(*engine_, GetParam()); }

// A role that may not set session_replication_role (the database's and tables' owner, not a
// superuser): the backfill silently runs with the flag only, with the same values.
TEST_P(BackfillTest, WithoutPermissionFallsBackSilently) {
  const std::string db = Scalar(*engine_, "SELECT current_database()");
  const std::string role = "owner_" + db;
  for (const std::string& sql :
       {"CREATE ROLE " + role + " LOGIN", "ALTER DATABASE " + db + " OWNER TO " + role,
        "ALTER TABLE people OWNER TO " + role, "ALTER TABLE events OWNER TO " + role,
        "ALTER TABLE touches OWNER TO " + role}) {
    auto r = engine_->Exec(sql);
    ASSERT_TRUE(r.has_value()) << r.error().message << "\n" << sql;
  }
  const std::string prefix = "postgres://postgres@";
  ASSERT_EQ(url_.rfind(prefix, 0), 0u) << url_;
  url_ = "postgres://" + role + "@" + url_.substr(prefix.size());
  auto owner = Open();
  ASSERT_EQ(Scalar(*owner, "SELECT current_user"), role);
  Check(*owner, false);
}

void BackfillTest::Check(Engine& engine, bool expect_replica) {
  auto m = ParseOnlineMigration(kMigration, "test.json", "m1");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();

  // Expand only: the trigger is in place, nothing backfilled yet.
  {
    OnlineRunner runner(engine, Options(false));
    auto started = runner.Start(*m);
    ASSERT_TRUE(started.has_value()) << started.error().Describe();
    ASSERT_FALSE(started->backfill_done);
  }
  // What the trigger computes: an old-version writer touches every row (another session,
  // rolled back).
  auto writer = Open();
  ASSERT_TRUE(writer->Exec("BEGIN").has_value());
  ASSERT_TRUE(writer->Exec("UPDATE people SET id = id; UPDATE events SET msg = msg").has_value());
  const std::string by_trigger = NewRows(*writer);
  ASSERT_TRUE(writer->Exec("ROLLBACK").has_value());
  EXPECT_NE(by_trigger.find("1|8|P1-n1|30"), std::string::npos) << by_trigger;
  ASSERT_EQ(Scalar(engine, "SELECT count(*) FROM people WHERE _strata_new_score IS NOT NULL"), "0");
  ASSERT_TRUE(engine.Exec("TRUNCATE touches").has_value());

  // The backfill.
  OnlineRunner runner(engine, Options(true));
  auto started = runner.Start(*m);
  ASSERT_TRUE(started.has_value()) << started.error().Describe();
  ASSERT_TRUE(started->backfill_done);
  ASSERT_EQ(started->backfill.size(), 2u);
  for (const auto& p : started->backfill) {
    EXPECT_EQ(p.replica, expect_replica) << p.table;
    EXPECT_EQ(p.rows_done, p.table == "people" ? 57 : 41) << p.table;
  }
  EXPECT_EQ(NewRows(engine), by_trigger);
  // Application triggers fire for the batches only without replica mode.
  EXPECT_EQ(Scalar(engine, "SELECT count(*) FROM touches"), expect_replica ? "0" : "57");
  // The session is left as it was: the runner's later writes go through every trigger.
  EXPECT_EQ(Scalar(engine, "SELECT current_setting('session_replication_role')"), "origin");
  EXPECT_EQ(Scalar(engine, "SELECT coalesce(current_setting('strata.backfill', true), '')"), "");

  // Writers after the backfill still go through the trigger.
  ASSERT_TRUE(writer->Exec("UPDATE people SET name = 'zed', age = 1 WHERE id = 2").has_value());
  EXPECT_EQ(Scalar(engine, "SELECT format('%s|%s|%s', score, label, age) FROM public_m1.people WHERE id = 2"),
            "5|ZED-n2|10");

  // And the migration completes (constraints validated, columns swapped).
  auto done = runner.Complete(false);
  ASSERT_TRUE(done.has_value()) << done.error().Describe();
  EXPECT_EQ(Scalar(engine, "SELECT format('%s|%s|%s', score, label, age) FROM people WHERE id = 3"), "20|P3-n3|90");
}

// One statement per batch finds the batch's last key itself (an index walk past the cursor,
// the table's last key for the final batch): composite and text keys with gaps, a batch size
// that does not divide the row count, rows with keys below and above every existing one
// inserted during the expand (they go through the trigger), and an empty table. Every row is
// backfilled exactly once and the session's settings are restored.
TEST_P(BackfillTest, CompositeAndTextKeysEveryRowOnce) {
  auto r = engine_->Exec(R"(
    CREATE TABLE lines (region text, n int, qty int NOT NULL, PRIMARY KEY (region, n));
    INSERT INTO lines SELECT chr(97 + g % 5) || '-' || (g % 3), g * 7 % 101, g FROM generate_series(1, 90) g
      ON CONFLICT DO NOTHING;
    CREATE TABLE tags (name text PRIMARY KEY, w int);
    INSERT INTO tags SELECT 'tag ' || g, g FROM generate_series(1, 23) g WHERE g % 4 <> 0;
    CREATE TABLE empty_t (id uuid PRIMARY KEY, v int);
  )");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const std::string n_lines = Scalar(*engine_, "SELECT count(*) FROM lines");
  auto m = ParseOnlineMigration(R"JSON({"name": "k1", "operations": [
      {"add_column": {"table": "lines", "up": "qty * 2", "column": {"name": "dbl", "type": "int", "nullable": false}}},
      {"add_column": {"table": "tags", "up": "w + 1000", "column": {"name": "w2", "type": "int", "nullable": false}}},
      {"add_column": {"table": "empty_t", "up": "v", "column": {"name": "v2", "type": "int"}}}
    ]})JSON", "k1.json", "k1");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  {
    OnlineRunner runner(*engine_, Options(false));
    auto started = runner.Start(*m);
    ASSERT_TRUE(started.has_value()) << started.error().Describe();
  }
  // Old-version writes after the expand, below and above every key: through the trigger.
  auto writer = Open();
  ASSERT_TRUE(writer->Exec("INSERT INTO lines VALUES ('0', 0, 5), ('zzz', 999, 6); INSERT INTO tags VALUES ('a', 1), ('zz', 2)")
                  .has_value());
  ASSERT_TRUE(engine_->Exec("SET enable_seqscan = on").has_value());  // must survive the backfill
  const std::string sync_before = Scalar(*engine_, "SHOW synchronous_commit");
  OnlineRunner runner(*engine_, Options(true));
  auto started = runner.Start(*m);
  ASSERT_TRUE(started.has_value()) << started.error().Describe();
  ASSERT_TRUE(started->backfill_done);
  std::map<std::string, long long> done;
  for (const auto& p : started->backfill) done[p.table] = p.rows_done;
  EXPECT_EQ(done["lines"], std::stoll(n_lines) + 2);  // the last batch reaches the table's last key
  EXPECT_EQ(done["tags"], 20);
  EXPECT_EQ(done["empty_t"], 0);
  EXPECT_EQ(Scalar(*engine_, "SELECT count(*) FROM lines WHERE _strata_new_dbl IS DISTINCT FROM qty * 2"), "0");
  EXPECT_EQ(Scalar(*engine_, "SELECT count(*) FROM tags WHERE _strata_new_w2 IS DISTINCT FROM w + 1000"), "0");
  EXPECT_EQ(Scalar(*engine_, "SELECT string_agg(done::text, ',' ORDER BY table_name) FROM strata_online.backfill "
                             "WHERE migration = 'k1'"),
            "true,true,true");
  EXPECT_EQ(Scalar(*engine_, "SHOW enable_seqscan"), "on");
  EXPECT_EQ(Scalar(*engine_, "SHOW synchronous_commit"), sync_before);
  auto complete = runner.Complete(false);
  ASSERT_TRUE(complete.has_value()) << complete.error().Describe();
  EXPECT_EQ(Scalar(*engine_, "SELECT sum(dbl) = 2 * sum(qty) FROM lines"), "t");
}

// The new version may write while the backfill has not reached a row yet: what it wrote stays
// (`up` of the old columns would turn age 123 into (123 / 10) * 10 = 120 and overwrite an added
// column's own value); the columns it did not write are computed from the old ones (row 7's
// score from the age 12 that `down` gave the old column), rows nobody wrote as usual.
TEST_P(BackfillTest, NewVersionWritesBeforeTheBackfillAreKept) {
  auto m = ParseOnlineMigration(kMigration, "test.json", "m1");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  {
    OnlineRunner runner(*engine_, Options(false));
    auto started = runner.Start(*m);
    ASSERT_TRUE(started.has_value()) << started.error().Describe();
  }
  auto nw = Open();
  ASSERT_TRUE(nw->Exec("SET search_path = public_m1, public; UPDATE people SET age = 123 WHERE id = 7; "
                       "UPDATE people SET score = 999, label = 'mine' WHERE id = 8; "
                       "INSERT INTO events (msg, at, seq) VALUES ('new', 1, 42)")
                  .has_value());
  OnlineRunner runner(*engine_, Options(true));
  auto started = runner.Start(*m);
  ASSERT_TRUE(started.has_value()) << started.error().Describe();
  ASSERT_TRUE(started->backfill_done);
  EXPECT_EQ(Scalar(*nw, "SELECT format('%s|%s|%s', score, label, age) FROM people WHERE id = 7"), "26|P7-n7|123");
  EXPECT_EQ(Scalar(*nw, "SELECT format('%s|%s|%s', score, label, age) FROM people WHERE id = 8"), "999|mine|");
  EXPECT_EQ(Scalar(*nw, "SELECT seq FROM events WHERE msg = 'new'"), "42");
  EXPECT_EQ(Scalar(*nw, "SELECT format('%s|%s|%s', score, label, age) FROM people WHERE id = 9"), "56|P9-n9|270");
}

INSTANTIATE_TEST_SUITE_P(ReplicaRole, BackfillTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Replica" : "Origin"; });

}  // namespace
}  // namespace strata::online
