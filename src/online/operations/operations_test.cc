// One test per operation against a real PostgreSQL: start -> (both versions read and write) ->
// rollback (schema and rows exactly as before) -> start -> complete (the final shape).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "online/migration_file.h"
#include "online/online_runner.h"
#include "online/temp_column.h"
#include "schema/catalog_snapshot.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/slow_autovacuum.h"
#include "util/database_url.h"

namespace strata::online {
namespace {

class OperationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = strata::testing::FreshPgDatabase("op");
    db_ = Open();
    Exec(*db_,
         "CREATE TABLE t (id int PRIMARY KEY, a text NOT NULL, b int);"
         "CREATE TABLE p (id int PRIMARY KEY);"
         "INSERT INTO p SELECT generate_series(1, 5);"
         "INSERT INTO t SELECT g, 'a' || g, CASE WHEN g % 2 = 0 THEN g END FROM generate_series(1, 10) g;");
  }
  std::unique_ptr<Engine> Open() {
    auto e = Connect(*DatabaseUrl::Parse(url_), "op-test");
    EXPECT_TRUE(e.has_value());
    return std::move(*e);
  }
  static void Exec(Engine& e, const std::string& sql) {
    auto r = e.Exec(sql);
    ASSERT_TRUE(r.has_value()) << r.error().message << "\n" << sql;
  }
  std::string Q(const std::string& sql, Engine* e = nullptr) {
    auto r = (e ? e : db_.get())->Query(sql);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message) << "\n" << sql;
    if (!r || r->rows.empty()) return "";
    return r->rows[0][0].value_or("NULL");
  }
  std::string State() {
    auto s = ReadPostgresSnapshot(*db_);
    EXPECT_TRUE(s.has_value());
    return ToText(*s) + Q("SELECT string_agg(row_to_json(t)::text, ';' ORDER BY id) FROM t") +
           Q("SELECT string_agg(id::text, ',' ORDER BY id) FROM p");
  }
  // Options of the runner in these tests (service "app").
  static OnlineOptions Options() {
    OnlineOptions o;
    o.service = "app";
    return o;
  }
  // The old version's session (base schema) and the new version's.
  std::unique_ptr<Engine> OldClient() {
    auto e = Open();
    Exec(*e, "SET search_path = public");
    return e;
  }
  std::unique_ptr<Engine> NewClient() {
    auto e = Open();
    Exec(*e, "SET search_path = public_op, public");
    return e;
  }
  // start -> check(started) -> rollback (exactly as before) -> start -> check -> complete.
  template <class Check>
  void Lifecycle(const std::string& ops, Check while_started) {
    auto m = ParseOnlineMigration("name: op\noperations:\n" + ops, "op.yaml", "op");
    ASSERT_TRUE(m.has_value()) << m.error().Describe();
    OnlineOptions o = Options();
    o.backfill_options.batch_size = 3;
    OnlineRunner runner(*db_, o);
    const std::string before = State();
    auto s = runner.Start(*m);
    ASSERT_TRUE(s.has_value()) << s.error().Describe();
    auto r = runner.Rollback();
    ASSERT_TRUE(r.has_value()) << r.error().Describe();
    EXPECT_EQ(State(), before);
    s = runner.Start(*m);
    ASSERT_TRUE(s.has_value()) << s.error().Describe();
    while_started();
    auto c = runner.Complete(false);
    ASSERT_TRUE(c.has_value()) << c.error().Describe();
    ASSERT_TRUE(c->completed);
    EXPECT_EQ(Q("SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relkind = 'r' AND "
                "attname LIKE '\\_strata\\_new\\_%' AND NOT attisdropped"),
              "0");
  }

  // `start` of the one-operation migration `op` fails as bad input at its line (op.yaml:3),
  // naming `reason`, with the schema and rows exactly as before.
  void ExpectRefusedAtStart(const std::string& op, const std::string& reason) {
    auto m = ParseOnlineMigration("name: op\noperations:\n" + op, "op.yaml", "op");
    ASSERT_TRUE(m.has_value()) << m.error().Describe();
    OnlineOptions o = Options();
    OnlineRunner runner(*db_, o);
    const std::string before = State();
    auto s = runner.Start(*m);
    ASSERT_FALSE(s.has_value()) << op;
    EXPECT_EQ(s.error().kind, ErrorKind::kInput) << s.error().Describe();
    EXPECT_THAT(s.error().Describe(), ::testing::HasSubstr("op.yaml:3"));
    EXPECT_THAT(s.error().Describe(), ::testing::HasSubstr(reason));
    EXPECT_EQ(State(), before);
  }

  std::string url_;
  std::unique_ptr<Engine> db_;
};

TEST_F(OperationTest, CreateTable) {
  Lifecycle("  - create_table: {name: n, columns: [{name: id, type: int, pk: true}, {name: v, type: text, nullable: "
            "true, default: \"'d'\"}]}\n",
            [&] {
              auto nw = NewClient();
              Exec(*nw, "INSERT INTO n (id) VALUES (1)");
              EXPECT_EQ(Q("SELECT v FROM public.n"), "d");
            });
  EXPECT_EQ(Q("SELECT v FROM n WHERE id = 1"), "d");
}

TEST_F(OperationTest, DropTable) {
  Lifecycle("  - drop_table: {name: p}\n", [&] {
    EXPECT_EQ(Q("SELECT to_regclass('public_op.p') IS NULL"), "t");
    EXPECT_EQ(Q("SELECT count(*) FROM p"), "5");
  });
  EXPECT_EQ(Q("SELECT to_regclass('public.p') IS NULL"), "t");
}

TEST_F(OperationTest, RenameTable) {
  Lifecycle("  - rename_table: {from: p, to: q}\n", [&] {
    auto nw = NewClient();
    Exec(*nw, "INSERT INTO q VALUES (6)");
    EXPECT_EQ(Q("SELECT count(*) FROM p"), "6");
  });
  EXPECT_EQ(Q("SELECT count(*) FROM q"), "6");
}

// Two tables swap names in one migration (through a third name).
TEST_F(OperationTest, RenameTablesSwapped) {
  Lifecycle("  - rename_table: {from: p, to: tmp}\n"
            "  - rename_table: {from: t, to: p}\n"
            "  - rename_table: {from: tmp, to: t}\n",
            [&] {
              auto nw = NewClient();
              EXPECT_EQ(Q("SELECT (SELECT count(*) FROM p) || ' ' || (SELECT count(*) FROM t)", nw.get()), "10 5");
            });
  EXPECT_EQ(Q("SELECT (SELECT count(*) FROM p) || ' ' || (SELECT count(*) FROM t)"), "10 5");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_class WHERE relname LIKE '\\_strata\\_mv\\_%'"), "0");
}

TEST_F(OperationTest, AddColumnNotNullWithUpAndUnique) {
  Lifecycle("  - add_column: {table: t, column: {name: c, type: text, unique: true}, up: \"a || '-c'\"}\n", [&] {
    auto old = OldClient();
    auto nw = NewClient();
    Exec(*old, "INSERT INTO t (id, a) VALUES (11, 'x')");
    EXPECT_EQ(Q("SELECT c FROM t WHERE id = 11", nw.get()), "x-c");
    EXPECT_EQ(Q("SELECT count(*) FROM t WHERE c = a || '-c'", nw.get()), "11");
    EXPECT_FALSE(nw->Exec("INSERT INTO t (id, a, c) VALUES (12, 'y', NULL)").has_value());
    EXPECT_FALSE(nw->Exec("INSERT INTO t (id, a, c) VALUES (12, 'y', 'x-c')").has_value());
  });
  EXPECT_EQ(Q("SELECT attnotnull FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'c'"), "t");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_constraint WHERE conrelid = 't'::regclass AND conname = 't_c_key'"), "1");
}

// The new version may update rows the backfill has not reached yet (here: no backfill at all
// until the second start): the new columns it does not write are filled from the old ones at
// once — NOT NULL copies would refuse the row otherwise — and what it writes stays.
TEST_F(OperationTest, NewVersionUpdatesRowsTheBackfillHasNotReached) {
  auto m = ParseOnlineMigration("name: op\noperations:\n"
                                "  - add_column: {table: t, column: {name: c, type: text}, up: \"a || '-c'\"}\n"
                                "  - alter_column: {table: t, column: a, type: varchar(20), up: \"a || '!'\"}\n",
                                "op.yaml", "op");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  OnlineOptions o = Options();
  o.backfill = false;
  {
    OnlineRunner runner(*db_, o);
    auto s = runner.Start(*m);
    ASSERT_TRUE(s.has_value()) << s.error().Describe();
  }
  ASSERT_EQ(Q("SELECT count(*) FROM t WHERE _strata_new_c IS NULL AND _strata_new_a IS NULL"), "10");
  auto nw = NewClient();
  Exec(*nw, "UPDATE t SET b = 30 WHERE id = 3");
  EXPECT_EQ(Q("SELECT c || ' ' || a || ' ' || b FROM t WHERE id = 3", nw.get()), "a3-c a3! 30");
  Exec(*nw, "UPDATE t SET c = 'mine', a = 'new' WHERE id = 4");
  EXPECT_EQ(Q("SELECT c || ' ' || a FROM t WHERE id = 4", nw.get()), "mine new");
  EXPECT_EQ(Q("SELECT a FROM t WHERE id = 4"), "new");  // the old version's column, through `down`
  o.backfill = true;
  OnlineRunner runner(*db_, o);
  auto s = runner.Start(*m);
  ASSERT_TRUE(s.has_value()) << s.error().Describe();
  EXPECT_EQ(Q("SELECT string_agg(c || ' ' || a, ',' ORDER BY id) FROM t WHERE id BETWEEN 2 AND 5", nw.get()),
            "a2-c a2!,a3-c a3!,mine new,a5-c a5!");
  auto c = runner.Complete(false);
  ASSERT_TRUE(c.has_value()) << c.error().Describe();
  EXPECT_EQ(Q("SELECT count(*) FROM t WHERE c IS NULL OR a IS NULL"), "0");
}

// The trigger evaluates `up` again on an old version's UPDATE only when a column it reads changed
// (or the row has no value yet): a volatile `up` keeps the value it drew, a deterministic one
// follows its inputs.
TEST_F(OperationTest, UpIsEvaluatedAgainOnlyWhenItsInputsChange) {
  Lifecycle("  - add_column: {table: t, column: {name: u, type: uuid, nullable: true}, up: \"gen_random_uuid()\"}\n"
            "  - add_column: {table: t, column: {name: n, type: int, nullable: true}, up: \"length(a)\"}\n",
            [&] {
              auto old = OldClient();
              auto nw = NewClient();
              const std::string u1 = Q("SELECT u::text FROM t WHERE id = 1", nw.get());
              ASSERT_EQ(u1.size(), 36u);
              EXPECT_EQ(Q("SELECT count(DISTINCT u) FROM t", nw.get()), "10");
              Exec(*old, "UPDATE t SET b = 5 WHERE id = 1");
              EXPECT_EQ(Q("SELECT u::text FROM t WHERE id = 1", nw.get()), u1);
              Exec(*old, "UPDATE t SET a = 'longer' WHERE id = 1");
              EXPECT_EQ(Q("SELECT u::text || ' ' || n FROM t WHERE id = 1", nw.get()), u1 + " 6");
              Exec(*old, "INSERT INTO t (id, a) VALUES (11, 'x')");
              EXPECT_EQ(Q("SELECT (u IS NOT NULL AND u <> '" + u1 + "')::text || ' ' || n FROM t WHERE id = 11", nw.get()),
                        "true 1");
              // A row the backfill has not reached (no value yet) gets one from the next write.
              Exec(*db_, "SET strata.backfill = on; UPDATE t SET _strata_new_u = NULL, _strata_new_n = NULL WHERE id = 2; "
                         "RESET strata.backfill");
              Exec(*old, "UPDATE t SET b = 7 WHERE id = 2");
              EXPECT_EQ(Q("SELECT (u IS NOT NULL)::text || ' ' || n FROM t WHERE id = 2", nw.get()), "true 2");
            });
}

// The backfill touches rows by setting a column to itself: never the key when it is an identity
// GENERATED ALWAYS (PostgreSQL refuses `SET id = id` there), nor a generated column.
TEST_F(OperationTest, AddColumnBackfillsIdentityAndGeneratedTables) {
  Exec(*db_,
       "CREATE TABLE g (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int NOT NULL);"
       "CREATE TABLE h (n int GENERATED ALWAYS AS (m * 2) STORED, m int);"
       "INSERT INTO g (n) SELECT generate_series(1, 10);"
       "INSERT INTO h (m) SELECT generate_series(1, 10);");
  auto m = ParseOnlineMigration(
      "name: op\noperations:\n"
      "  - add_column: {table: g, column: {name: c, type: text}, up: \"'v' || n\"}\n"
      "  - add_column: {table: h, column: {name: c, type: int}, up: \"m + 1\"}\n",
      "op.yaml", "op");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  OnlineOptions o = Options();
  o.backfill_options.batch_size = 3;
  OnlineRunner runner(*db_, o);
  auto s = runner.Start(*m);
  ASSERT_TRUE(s.has_value()) << s.error().Describe();
  auto c = runner.Complete(false);
  ASSERT_TRUE(c.has_value()) << c.error().Describe();
  EXPECT_EQ(Q("SELECT count(*) FROM g WHERE c = 'v' || n"), "10");
  EXPECT_EQ(Q("SELECT count(*) FROM h WHERE c = m + 1 AND n = m * 2"), "10");
}

// Partitioned tables cannot take CREATE INDEX CONCURRENTLY nor a copied column's constraints:
// refused at start (file:line), before anything runs — not half-applied in "starting".
TEST_F(OperationTest, PartitionedTablesAreRefusedBeforeAnythingRuns) {
  Exec(*db_,
       "CREATE TABLE pt (id int, d date, v int, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);"
       "CREATE TABLE pt_2024 PARTITION OF pt FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
       "INSERT INTO pt SELECT g, '2024-03-01' FROM generate_series(1, 5) g;");
  for (const char* op : {"  - add_column: {table: pt, column: {name: w, type: int}, up: \"id * 10\"}\n",
                         "  - create_index: {name: pt_id_idx, table: pt, columns: [id]}\n",
                         "  - alter_column: {table: pt, column: v, type: bigint}\n"}) {
    ExpectRefusedAtStart(op, "partitioned");
    EXPECT_EQ(Q("SELECT count(*) FROM pg_namespace WHERE nspname = 'public_op'"), "0");
  }
}

// A user's view on a column that complete drops (alter_column copies it, drop_column) or on a
// table drop_table drops made complete fail at its last transaction, after the whole expand:
// refused at start instead (file:line, naming the view), before anything runs.
TEST_F(OperationTest, ViewsOnReplacedColumnsAreRefusedBeforeAnythingRuns) {
  Exec(*db_, "CREATE VIEW t_b AS SELECT id, b FROM t; CREATE VIEW p_all AS SELECT * FROM p;");
  for (const char* op : {"  - alter_column: {table: t, column: b, type: bigint}\n",
                         "  - drop_column: {table: t, column: b}\n",
                         "  - drop_table: {name: p}\n"}) {
    ExpectRefusedAtStart(op, "view");
  }
  // Columns the view does not use stay free to change.
  Lifecycle("  - alter_column: {table: t, column: a, type: varchar(20)}\n", [] {});
}

// Same for a foreign key of another table that references the column complete would drop.
TEST_F(OperationTest, ReferencedColumnsAreRefusedBeforeAnythingRuns) {
  Exec(*db_, "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);"
             "CREATE TABLE r (id int PRIMARY KEY, t_a text REFERENCES t (a));"
             "INSERT INTO r VALUES (1, 'a1');");
  for (const char* op : {"  - alter_column: {table: t, column: a, type: varchar(20)}\n",
                         "  - drop_column: {table: t, column: a, down: \"'x'\"}\n"}) {
    ExpectRefusedAtStart(op, "foreign key r_t_a_fkey");
  }
}

// The same for a table's own foreign key (a tree: parent -> code): the referenced column cannot
// be copied or dropped online; the referencing one can, and the table can be dropped.
TEST_F(OperationTest, SelfReferencedColumnsAreRefusedBeforeAnythingRuns) {
  Exec(*db_, "CREATE TABLE nodes (id int PRIMARY KEY, code text UNIQUE, parent text REFERENCES nodes (code));"
             "INSERT INTO nodes VALUES (1, 'root', NULL), (2, 'leaf', 'root');");
  ExpectRefusedAtStart("  - alter_column: {table: nodes, column: code, type: varchar(20)}\n",
                       "foreign key nodes_parent_fkey");
  Lifecycle("  - alter_column: {table: nodes, column: parent, type: varchar(20)}\n", [] {});
  EXPECT_EQ(Q("SELECT count(*) FROM pg_constraint WHERE conname = 'nodes_parent_fkey' AND convalidated"), "1");
}

TEST_F(OperationTest, SelfReferencingTableCanBeDropped) {
  Exec(*db_, "CREATE TABLE nodes (id int PRIMARY KEY, code text UNIQUE, parent text REFERENCES nodes (code));");
  Lifecycle("  - drop_table: {name: nodes}\n", [] {});
  EXPECT_EQ(Q("SELECT to_regclass('public.nodes') IS NULL"), "t");
}

TEST_F(OperationTest, AddColumnWithForeignKeyAndCheck) {
  Lifecycle("  - add_column: {table: t, column: {name: pid, type: int, nullable: true, references: {name: t_pid_fk, "
            "table: p, column: id}, check: {name: pid_small, constraint: \"pid < 100\"}}, up: \"CASE WHEN id <= 5 "
            "THEN id END\"}\n",
            [&] {
              auto nw = NewClient();
              EXPECT_EQ(Q("SELECT count(pid) FROM t", nw.get()), "5");
              EXPECT_FALSE(nw->Exec("UPDATE t SET pid = 42 WHERE id = 1").has_value());
            });
  EXPECT_EQ(Q("SELECT count(*) FROM pg_constraint WHERE conrelid = 't'::regclass AND conname IN ('t_pid_fk', "
              "'pid_small') AND convalidated"),
            "2");
}

TEST_F(OperationTest, DropColumnWithDown) {
  Lifecycle("  - drop_column: {table: t, column: a, down: \"'from new ' || id\"}\n", [&] {
    auto nw = NewClient();
    Exec(*nw, "INSERT INTO t (id, b) VALUES (20, 1)");
    EXPECT_EQ(Q("SELECT a FROM t WHERE id = 20"), "from new 20");
  });
  EXPECT_EQ(Q("SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'a' AND NOT attisdropped"),
            "0");
}

TEST_F(OperationTest, RenameColumn) {
  Lifecycle("  - rename_column: {table: t, from: b, to: bee}\n", [&] {
    auto nw = NewClient();
    Exec(*nw, "UPDATE t SET bee = 99 WHERE id = 1");
    EXPECT_EQ(Q("SELECT b FROM t WHERE id = 1"), "99");
  });
  EXPECT_EQ(Q("SELECT bee FROM t WHERE id = 1"), "99");
}

// Two columns swap names in one migration (through a third name): the views show the swap at
// once and complete's renames must not collide.
TEST_F(OperationTest, RenameColumnsSwapped) {
  Exec(*db_, "ALTER TABLE t ADD COLUMN c int; UPDATE t SET c = id * 100");
  Lifecycle("  - rename_column: {table: t, from: b, to: tmp}\n"
            "  - rename_column: {table: t, from: c, to: b}\n"
            "  - rename_column: {table: t, from: tmp, to: c}\n",
            [&] {
              auto nw = NewClient();
              EXPECT_EQ(Q("SELECT b || ' ' || c FROM t WHERE id = 2", nw.get()), "200 2");
              Exec(*nw, "UPDATE t SET b = 7, c = 8 WHERE id = 2");
              EXPECT_EQ(Q("SELECT b || ' ' || c FROM t WHERE id = 2"), "8 7");
            });
  EXPECT_EQ(Q("SELECT b || ' ' || c FROM t WHERE id = 2"), "7 8");
  EXPECT_EQ(Q("SELECT b || ' ' || c FROM t WHERE id = 4"), "400 4");
}

TEST_F(OperationTest, AlterColumnTypeBothWays) {
  Exec(*db_, "CREATE INDEX t_b_idx ON t (b) WHERE b IS NOT NULL; ALTER TABLE t ADD CONSTRAINT t_b_key UNIQUE (b)");
  Lifecycle("  - alter_column: {table: t, column: b, type: text, up: \"'#' || b\", down: \"substr(b, 2)::int\"}\n",
            [&] {
              auto old = OldClient();
              auto nw = NewClient();
              EXPECT_EQ(Q("SELECT b FROM t WHERE id = 2", nw.get()), "#2");
              Exec(*old, "UPDATE t SET b = 7 WHERE id = 3");
              EXPECT_EQ(Q("SELECT b FROM t WHERE id = 3", nw.get()), "#7");
              Exec(*nw, "UPDATE t SET b = '#9' WHERE id = 4");
              EXPECT_EQ(Q("SELECT b FROM t WHERE id = 4", old.get()), "9");
            });
  EXPECT_EQ(Q("SELECT b FROM t WHERE id = 4"), "#9");
  // The column's index and unique constraint were rebuilt on the new column under their names.
  EXPECT_EQ(Q("SELECT pg_get_indexdef('t_b_idx'::regclass)"), "CREATE INDEX t_b_idx ON public.t USING btree (b) WHERE (b IS NOT NULL)");
  EXPECT_EQ(Q("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 't_b_key'"), "UNIQUE (b)");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_class WHERE relname LIKE '\\_strata%'"), "0");
  EXPECT_EQ(Q("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname "
              "= 'b'"),
            "text");
}

// A copied column keeps the old column's CHECK and FOREIGN KEY constraints: carried to the copy
// at start (so new-version writes are held to them), validated at complete and renamed to their
// original names once the old column (and the originals with it) is dropped. The foreign key's
// referenced column shares the replaced column's name and is left alone.
TEST_F(OperationTest, AlterColumnTypeKeepsCheckAndForeignKey) {
  Exec(*db_, "CREATE TABLE r (b int PRIMARY KEY); INSERT INTO r SELECT generate_series(1, 20);"
             "ALTER TABLE t ADD CONSTRAINT b_small CHECK (b < 100);"
             "ALTER TABLE t ADD CONSTRAINT t_b_fk FOREIGN KEY (b) REFERENCES r (b) ON DELETE CASCADE");
  Lifecycle("  - alter_column: {table: t, column: b, type: bigint}\n", [&] {
    // The copy carries both, under temporary names, over the copy alone.
    EXPECT_EQ(Q("SELECT string_agg(pg_get_constraintdef(oid), '; ' ORDER BY conname) FROM pg_constraint WHERE "
                "conrelid = 't'::regclass AND conname LIKE '\\_strata\\_new\\_%'"),
              "CHECK ((_strata_new_b < 100)) NOT VALID; FOREIGN KEY (_strata_new_b) REFERENCES r(b) ON DELETE CASCADE NOT VALID");
    auto nw = NewClient();
    EXPECT_FALSE(nw->Exec("UPDATE t SET b = 500 WHERE id = 2").has_value());
    EXPECT_FALSE(nw->Exec("UPDATE t SET b = 50 WHERE id = 2").has_value());
    Exec(*nw, "UPDATE t SET b = 20 WHERE id = 2");
  });
  EXPECT_EQ(Q("SELECT string_agg(conname || ' ' || convalidated || ' ' || pg_get_constraintdef(oid), '; ' ORDER BY "
              "conname) FROM pg_constraint WHERE conrelid = 't'::regclass AND contype IN ('c', 'f')"),
            "b_small true CHECK ((b < 100)); t_b_fk true FOREIGN KEY (b) REFERENCES r(b) ON DELETE CASCADE");
  EXPECT_EQ(Q("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname "
              "= 'b'"),
            "bigint");
  auto r = db_->Exec("INSERT INTO t (id, a, b) VALUES (100, 'x', 500)");
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("b_small"));
  r = db_->Exec("INSERT INTO t (id, a, b) VALUES (101, 'x', 50)");
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("t_b_fk"));
  Exec(*db_, "DELETE FROM r WHERE b = 20");  // ON DELETE CASCADE was carried too
  EXPECT_EQ(Q("SELECT count(*) FROM t WHERE id = 2"), "0");
}

// A CHECK over several columns is carried with only the replaced one renamed; one added NOT
// VALID stays NOT VALID (complete does not validate what the original did not promise).
TEST_F(OperationTest, AlterColumnTypeKeepsMultiColumnCheck) {
  Exec(*db_, "ALTER TABLE t ADD CONSTRAINT a_b_short CHECK (b IS NULL OR length(a) + b < 50);"
             "ALTER TABLE t ADD CONSTRAINT b_even CHECK (b % 2 = 0) NOT VALID");
  Lifecycle("  - alter_column: {table: t, column: b, type: bigint}\n", [&] {
    EXPECT_EQ(Q("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = '_strata_new_a_b_short'"),
              "CHECK (((_strata_new_b IS NULL) OR ((length(a) + _strata_new_b) < 50))) NOT VALID");
    auto nw = NewClient();
    EXPECT_FALSE(nw->Exec("UPDATE t SET b = 48 WHERE id = 2").has_value());
    EXPECT_FALSE(nw->Exec("UPDATE t SET b = 3 WHERE id = 2").has_value());
  });
  EXPECT_EQ(Q("SELECT string_agg(conname || ' ' || convalidated || ' ' || pg_get_constraintdef(oid), '; ' ORDER BY "
              "conname) FROM pg_constraint WHERE conrelid = 't'::regclass AND contype = 'c'"),
            "a_b_short true CHECK (((b IS NULL) OR ((length(a) + b) < 50))); b_even false CHECK (((b % (2)::bigint) = 0)) NOT VALID");
  EXPECT_FALSE(db_->Exec("UPDATE t SET b = 48 WHERE id = 2").has_value());
  EXPECT_FALSE(db_->Exec("UPDATE t SET b = 3 WHERE id = 2").has_value());
}

// create_constraint copies its columns too: the old columns' other constraints are carried.
TEST_F(OperationTest, CreateConstraintKeepsTheColumnsOtherChecks) {
  Exec(*db_, "ALTER TABLE t ADD CONSTRAINT b_small CHECK (b < 100)");
  Lifecycle("  - create_constraint: {table: t, name: b_positive, type: check, columns: [b], check: \"b > 0\"}\n",
            [&] {});
  EXPECT_EQ(Q("SELECT string_agg(conname || ' ' || convalidated, '; ' ORDER BY conname) FROM pg_constraint WHERE "
              "conrelid = 't'::regclass AND contype = 'c'"),
            "b_positive true; b_small true");
}

// An operation's `check` under the name of the old column's constraint replaces it (the old
// one is not carried; the new one takes the name at complete).
TEST_F(OperationTest, AlterColumnRestatedCheckReplacesTheOldOne) {
  Exec(*db_, "ALTER TABLE t ADD CONSTRAINT b_small CHECK (b < 100)");
  Lifecycle("  - alter_column: {table: t, column: b, type: bigint, check: {name: b_small, constraint: \"b < 50\"}}\n",
            [&] {
              auto nw = NewClient();
              EXPECT_FALSE(nw->Exec("UPDATE t SET b = 60 WHERE id = 2").has_value());
            });
  EXPECT_EQ(Q("SELECT string_agg(conname || ' ' || convalidated || ' ' || pg_get_constraintdef(oid), '; ' ORDER BY "
              "conname) FROM pg_constraint WHERE conrelid = 't'::regclass AND contype = 'c'"),
            "b_small true CHECK ((b < 50))");
  EXPECT_FALSE(db_->Exec("UPDATE t SET b = 60 WHERE id = 2").has_value());
}

// A constraint that cannot hold for the new type: the server refuses it at start, which fails
// with its message and a hint naming the constraint, and leaves the table as it was.
TEST_F(OperationTest, AlterColumnCarriedCheckThatDoesNotFitTheNewTypeFailsStart) {
  Exec(*db_, "ALTER TABLE t ADD CONSTRAINT b_positive CHECK (b > 0)");
  auto shape = [&] {
    return Q("SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) FROM "
             "pg_attribute WHERE attrelid = 't'::regclass AND attnum > 0 AND NOT attisdropped") +
           " | " +
           Q("SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), '; ' ORDER BY conname) FROM pg_constraint "
             "WHERE conrelid = 't'::regclass") +
           " | " + Q("SELECT count(*) FROM pg_trigger WHERE tgrelid = 't'::regclass") + " | " +
           Q("SELECT string_agg(row_to_json(t)::text, ';' ORDER BY id) FROM t");
  };
  const std::string before = shape();
  auto m = ParseOnlineMigration("name: op\noperations:\n  - alter_column: {table: t, column: b, type: text}\n", "op.yaml",
                                "op");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  OnlineOptions o = Options();
  OnlineRunner runner(*db_, o);
  auto s = runner.Start(*m);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().kind, ErrorKind::kDatabase) << s.error().Describe();
  EXPECT_THAT(s.error().message, ::testing::HasSubstr("operator does not exist: text > integer"));
  EXPECT_THAT(s.error().message, ::testing::HasSubstr("hint: constraint \"b_positive\" of t.b"));
  EXPECT_THAT(s.error().message, ::testing::HasSubstr("restate it in the operation under the same name"));
  EXPECT_THAT(s.error().message, ::testing::HasSubstr("drop_constraint"));
  EXPECT_EQ(shape(), before);
  EXPECT_EQ(Q("SELECT to_regnamespace('public_op') IS NULL"), "t");
  auto r = runner.Rollback();
  ASSERT_TRUE(r.has_value()) << r.error().Describe();
  EXPECT_EQ(shape(), before);
  // Restated in the operation under the same name, it starts and completes.
  m = ParseOnlineMigration("name: op\noperations:\n  - alter_column: {table: t, column: b, type: text, up: \"b::text\", "
                           "down: \"b::int\", check: {name: b_positive, constraint: \"b <> '0'\"}}\n",
                           "op.yaml", "op");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  s = runner.Start(*m);
  ASSERT_TRUE(s.has_value()) << s.error().Describe();
  auto c = runner.Complete(false);
  ASSERT_TRUE(c.has_value() && c->completed);
  EXPECT_EQ(Q("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'b_positive'"),
            "CHECK ((b <> '0'::text))");
}

// Only the local column lists of a foreign key are renamed (also ON DELETE SET NULL (cols)),
// never the referenced ones; a check keeps NO INHERIT and loses NOT VALID (added by the caller).
TEST(CarriedConstraintText, RenamesTheLocalColumnsOnly) {
  std::map<std::string, std::string> ren = {{"b", "_strata_new_b"}};
  ModelConstraint fk{"t", "fk", "f", "FOREIGN KEY (a, b) REFERENCES public.r(a, b) ON DELETE SET NULL (b)", {"a", "b"}};
  EXPECT_EQ(RenamedConstraintDefinition(fk, ren),
            "FOREIGN KEY (a, \"_strata_new_b\") REFERENCES public.r(a, b) ON DELETE SET NULL (\"_strata_new_b\")");
  ModelConstraint ck{"t", "ck", "c", "CHECK ((b > a)) NO INHERIT NOT VALID", {"a", "b"}, false};
  EXPECT_EQ(RenamedConstraintDefinition(ck, ren), "CHECK ((\"_strata_new_b\" > a)) NO INHERIT");
}

// json has no `=`: the trigger's "did its inputs change" test must not need one (json -> jsonb,
// the old version writing through both INSERT and UPDATE).
TEST_F(OperationTest, AlterColumnJsonToJsonb) {
  Exec(*db_, "ALTER TABLE t ADD COLUMN j json; UPDATE t SET j = json_build_object('id', id)");
  Lifecycle("  - alter_column: {table: t, column: j, type: jsonb}\n", [&] {
    auto old = OldClient();
    auto nw = NewClient();
    Exec(*old, "UPDATE t SET j = '{\"x\": 1}' WHERE id = 1");
    Exec(*old, "UPDATE t SET b = 5 WHERE id = 2");
    Exec(*old, "INSERT INTO t (id, a, j) VALUES (11, 'x', '{\"y\": 2}')");
    EXPECT_EQ(Q("SELECT string_agg(j::text, ' ' ORDER BY id) FROM t WHERE id IN (1, 2, 11)", nw.get()),
              "{\"x\": 1} {\"id\": 2} {\"y\": 2}");
    EXPECT_EQ(Q("SELECT pg_typeof(j)::text FROM t LIMIT 1", nw.get()), "jsonb");
  });
}

// Without `up` the copy gets the old column's value converted to the new type (int -> text,
// text -> varchar(2)); a value that does not fit the new length fails the backfill as a plain
// assignment would, instead of being cut to fit.
TEST_F(OperationTest, AlterColumnTypeWithoutUpConvertsAndNeverTruncates) {
  Lifecycle("  - alter_column: {table: t, column: b, type: text}\n", [&] {
    auto nw = NewClient();
    EXPECT_EQ(Q("SELECT string_agg(coalesce(b, '-'), ',' ORDER BY id) FROM t", nw.get()), "-,2,-,4,-,6,-,8,-,10");
    EXPECT_EQ(Q("SELECT pg_typeof(b)::text FROM t LIMIT 1", nw.get()), "text");
  });
  EXPECT_EQ(Q("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND "
              "attname = 'b'"),
            "text");

  auto m = ParseOnlineMigration("name: op2\noperations:\n  - alter_column: {table: t, column: a, type: varchar(2)}\n",
                                "op2.yaml", "op2");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  OnlineOptions o = Options();
  OnlineRunner runner(*db_, o);
  auto s = runner.Start(*m);
  ASSERT_FALSE(s.has_value());
  EXPECT_THAT(s.error().Describe(), ::testing::HasSubstr("too long"));
  EXPECT_EQ(Q("SELECT count(*) FROM t WHERE _strata_new_a = 'a1'"), "0");  // 'a10' was not cut to 'a1'
  ASSERT_TRUE(runner.Rollback().has_value());
  EXPECT_EQ(Q("SELECT string_agg(a, ',' ORDER BY id) FROM t WHERE id >= 9"), "a9,a10");
}

// Indexes that name the changed column in an expression or in a predicate (even one on another
// column) are rebuilt on the copy and keep their names; complete's DROP COLUMN would take them
// away unseen otherwise.
// Two operations copy the two columns of one check, one unique constraint and two indexes:
// each is carried once, by the second operation, over both copies (carried by the first, the
// second DROP COLUMN would take it away at complete). The same within one create_constraint.
TEST_F(OperationTest, IndexesAndConstraintsOverTwoCopiedColumnsAreCarriedOnce) {
  Exec(*db_, "CREATE TABLE ev (id int PRIMARY KEY, s int, e int, CONSTRAINT ev_order CHECK (s < e), "
             "CONSTRAINT ev_span UNIQUE (s, e));"
             "CREATE INDEX ev_len ON ev ((e - s)); CREATE INDEX ev_e_part ON ev (e) WHERE s > 0;"
             "INSERT INTO ev SELECT g, g, g + 10 FROM generate_series(1, 5) g;");
  const std::string defs =
      "SELECT string_agg(x, '; ' ORDER BY x) FROM (SELECT conname || ' ' || pg_get_constraintdef(oid) || ' ' || "
      "convalidated AS x FROM pg_constraint WHERE conrelid = 'ev'::regclass AND contype IN ('c', 'u') UNION ALL "
      "SELECT indexdef FROM pg_indexes WHERE tablename = 'ev' AND indexname <> 'ev_pkey') d";
  Lifecycle("  - alter_column: {table: ev, column: s, type: bigint}\n"
            "  - alter_column: {table: ev, column: e, type: bigint}\n",
            [&] {
              auto nw = NewClient();
              EXPECT_FALSE(nw->Exec("INSERT INTO ev VALUES (6, 9, 3)").has_value());   // order
              EXPECT_FALSE(nw->Exec("INSERT INTO ev VALUES (6, 1, 11)").has_value());  // span
              EXPECT_EQ(Q("SELECT count(*) FROM pg_indexes WHERE tablename = 'ev' AND indexdef LIKE "
                          "'%\\_strata\\_new\\_s%\\_strata\\_new\\_e%'"),
                        "1");  // the unique index's copy, over both copies
            });
  EXPECT_EQ(Q(defs),
            "CREATE INDEX ev_e_part ON public.ev USING btree (e) WHERE (s > 0); "
            "CREATE INDEX ev_len ON public.ev USING btree (((e - s))); "
            "CREATE UNIQUE INDEX ev_span ON public.ev USING btree (s, e); "
            "ev_order CHECK ((s < e)) true; ev_span UNIQUE (s, e) true");
  EXPECT_EQ(Q("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'ev'::regclass AND attname = 'e'"),
            "bigint");
}

TEST_F(OperationTest, CreateConstraintOverTwoColumnsCarriesTheirIndexOnce) {
  Exec(*db_, "CREATE TABLE ev (id int PRIMARY KEY, s int, e int); CREATE INDEX ev_se ON ev (s, e);"
             "INSERT INTO ev SELECT g, g, g + 10 FROM generate_series(1, 5) g;");
  Lifecycle("  - create_constraint: {table: ev, name: ev_order, type: check, columns: [s, e], check: \"s < e\"}\n",
            [] {});
  EXPECT_EQ(Q("SELECT string_agg(indexdef, '; ') FROM pg_indexes WHERE tablename = 'ev' AND indexname <> 'ev_pkey'"),
            "CREATE INDEX ev_se ON public.ev USING btree (s, e)");
}

// A carried index whose definition does not hold for the new type (a predicate `b > 0` after
// int -> text) fails start with the server's message and what to do; rollback leaves the table
// as it was.
TEST_F(OperationTest, CarriedIndexThatDoesNotFitTheNewTypeFailsStartWithAHint) {
  Exec(*db_, "CREATE INDEX t_a_pos ON t (a) WHERE b > 0");
  const std::string before = State();
  auto m = ParseOnlineMigration("name: op\noperations:\n  - alter_column: {table: t, column: b, type: text}\n", "op.yaml",
                                "op");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  OnlineOptions o = Options();
  OnlineRunner runner(*db_, o);
  auto s = runner.Start(*m);
  ASSERT_FALSE(s.has_value());
  EXPECT_THAT(s.error().Describe(), ::testing::HasSubstr("operator does not exist"));
  EXPECT_THAT(s.error().Describe(), ::testing::HasSubstr("hint: index \"t_a_pos\" of t names the changed column"));
  ASSERT_TRUE(runner.Rollback().has_value());
  EXPECT_EQ(State(), before);
}

TEST_F(OperationTest, AlterColumnTypeKeepsExpressionAndPartialIndexes) {
  Exec(*db_, "CREATE INDEX t_lower_a ON t (lower(a)); CREATE INDEX t_b_part ON t (b) WHERE a <> 'x'");
  Lifecycle("  - alter_column: {table: t, column: a, type: varchar(20)}\n", [&] {
    EXPECT_EQ(Q("SELECT count(*) FROM pg_indexes WHERE tablename = 't' AND indexdef LIKE '%\\_strata\\_new\\_a%'"),
              "2");
  });
  EXPECT_EQ(Q("SELECT string_agg(indexdef, '; ' ORDER BY indexname) FROM pg_indexes WHERE indexname IN "
              "('t_lower_a', 't_b_part')"),
            "CREATE INDEX t_b_part ON public.t USING btree (b) WHERE ((a)::text <> 'x'::text); "
            "CREATE INDEX t_lower_a ON public.t USING btree (lower((a)::text))");
  EXPECT_EQ(Q("SELECT bool_and(indisvalid)::text FROM pg_index WHERE indexrelid IN ('t_lower_a'::regclass, "
              "'t_b_part'::regclass)"),
            "true");
}

// A type change keeps the column's DEFAULT: rows inserted without the column (by either
// version, and after complete) still get it, not NULL.
TEST_F(OperationTest, AlterColumnTypeKeepsTheDefault) {
  Exec(*db_, "ALTER TABLE t ALTER COLUMN b SET DEFAULT 7");
  Lifecycle("  - alter_column: {table: t, column: b, type: bigint}\n", [&] {
    auto old = OldClient();
    auto nw = NewClient();
    Exec(*old, "INSERT INTO t (id, a) VALUES (11, 'x')");
    Exec(*nw, "INSERT INTO t (id, a) VALUES (12, 'y')");
    EXPECT_EQ(Q("SELECT string_agg(b::text, ',' ORDER BY id) FROM t WHERE id > 10", nw.get()), "7,7");
    EXPECT_EQ(Q("SELECT string_agg(b::text, ',' ORDER BY id) FROM t WHERE id > 10", old.get()), "7,7");
  });
  EXPECT_EQ(Q("SELECT format_type(atttypid, atttypmod) || ' ' || pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
              "JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
              "WHERE attrelid = 't'::regclass AND attname = 'b'"),
            "bigint 7");
}

// A volatile default (gen_random_uuid(), nextval) in ADD COLUMN rewrites the whole table under
// an ACCESS EXCLUSIVE lock. A copy that the backfill fills anyway (alter_column, add_column
// with `up`) gets its default after the ADD COLUMN: no rewrite, same rows.
TEST_F(OperationTest, VolatileDefaultsOnBackfilledColumnsDoNotRewriteTheTable) {
  Exec(*db_, "CREATE SEQUENCE s; ALTER TABLE t ALTER COLUMN b SET DEFAULT nextval('s')");
  const std::string file = Q("SELECT relfilenode FROM pg_class WHERE relname = 't'");
  auto m = ParseOnlineMigration(
      "name: op\noperations:\n"
      "  - alter_column: {table: t, column: b, type: bigint}\n"
      "  - add_column: {table: t, column: {name: u, type: uuid, default: \"gen_random_uuid()\"}, up: \"md5(a)::uuid\"}\n",
      "op.yaml", "op");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  OnlineOptions o = Options();
  OnlineRunner runner(*db_, o);
  auto s = runner.Start(*m);
  ASSERT_TRUE(s.has_value()) << s.error().Describe();
  EXPECT_EQ(Q("SELECT relfilenode FROM pg_class WHERE relname = 't'"), file);
  auto nw = NewClient();
  Exec(*nw, "INSERT INTO t (id, a) VALUES (11, 'x')");
  EXPECT_EQ(Q("SELECT (b IS NOT NULL AND u IS NOT NULL)::text FROM t WHERE id = 11", nw.get()), "true");
  EXPECT_EQ(Q("SELECT count(*) FROM t WHERE u = md5(a)::uuid", nw.get()), "10");
  auto c = runner.Complete(false);
  ASSERT_TRUE(c.has_value()) << c.error().Describe();
  EXPECT_EQ(Q("SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid "
              "AND a.attnum = d.adnum WHERE d.adrelid = 't'::regclass AND a.attname = 'u'"),
            "gen_random_uuid()");
}

// add_column with a volatile default and no `up`: PostgreSQL (asked before the expand, on an
// empty temporary table) says the default would rewrite the table, so it is set after the
// ADD COLUMN and the backfill fills the existing rows — each its own value, once.
TEST_F(OperationTest, AddColumnVolatileDefaultWithoutUpIsBackfilledNotRewritten) {
  const std::string file = Q("SELECT relfilenode FROM pg_class WHERE relname = 't'");
  auto m = ParseOnlineMigration(
      "name: op\noperations:\n"
      "  - add_column: {table: t, column: {name: u, type: uuid, nullable: false, default: \"gen_random_uuid()\"}}\n",
      "op.yaml", "op");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  OnlineOptions o = Options();
  o.backfill = false;  // expand only: the old version writes before the backfill
  o.backfill_options.batch_size = 3;
  OnlineRunner runner(*db_, o);
  auto dry = runner.DescribeStart(*m);
  ASSERT_TRUE(dry.has_value()) << dry.error().Describe();
  EXPECT_THAT(*dry, ::testing::HasSubstr("ADD COLUMN IF NOT EXISTS \"_strata_new_u\" uuid;"));
  EXPECT_THAT(*dry, ::testing::HasSubstr("ALTER COLUMN \"_strata_new_u\" SET DEFAULT gen_random_uuid();"));
  EXPECT_THAT(*dry, ::testing::HasSubstr("-- backfill public.t in batches"));
  auto s = runner.Start(*m);
  ASSERT_TRUE(s.has_value()) << s.error().Describe();
  EXPECT_EQ(Q("SELECT relfilenode FROM pg_class WHERE relname = 't'"), file);
  EXPECT_EQ(Q("SELECT rewriting_defaults::text FROM strata_online.migrations WHERE name = 'op'"), "{0}");
  EXPECT_EQ(Q("SELECT count(*) FROM t WHERE _strata_new_u IS NULL"), "10");
  // The old version, before the backfill: an insert gets the default, an update of an existing
  // row gets a value (the NOT NULL check holds), which the backfill then keeps.
  auto old = OldClient();
  Exec(*old, "INSERT INTO t (id, a) VALUES (11, 'x')");
  Exec(*old, "UPDATE t SET b = 100 WHERE id = 1");
  const std::string u1 = Q("SELECT _strata_new_u FROM t WHERE id = 1");
  const std::string u11 = Q("SELECT _strata_new_u FROM t WHERE id = 11");
  EXPECT_NE(u1, "NULL");
  EXPECT_NE(u11, "NULL");
  OnlineOptions ob = o;
  ob.backfill = true;
  OnlineRunner resumer(*db_, ob);
  auto r = resumer.Start(*m);  // a rerun resumes: the backfill
  ASSERT_TRUE(r.has_value()) << r.error().Describe();
  EXPECT_TRUE(r->backfill_done);
  auto nw = NewClient();
  EXPECT_EQ(Q("SELECT count(DISTINCT u) FILTER (WHERE u IS NOT NULL) FROM t", nw.get()), "11");
  EXPECT_EQ(Q("SELECT u FROM t WHERE id = 1", nw.get()), u1);
  EXPECT_EQ(Q("SELECT u FROM t WHERE id = 11", nw.get()), u11);
  Exec(*old, "UPDATE t SET b = 101 WHERE id = 1");  // a value once per row, like a default
  EXPECT_EQ(Q("SELECT u FROM t WHERE id = 1", nw.get()), u1);
  Exec(*nw, "INSERT INTO t (id, a) VALUES (12, 'y')");
  EXPECT_EQ(Q("SELECT count(DISTINCT u) FROM t", nw.get()), "12");
  auto c = runner.Complete(false);
  ASSERT_TRUE(c.has_value()) << c.error().Describe();
  ASSERT_TRUE(c->completed);
  EXPECT_EQ(Q("SELECT relfilenode FROM pg_class WHERE relname = 't'"), file);
  EXPECT_EQ(Q("SELECT count(DISTINCT u) FROM t WHERE u IS NOT NULL"), "12");
  EXPECT_EQ(Q("SELECT attnotnull::text || ' ' || pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a JOIN pg_attrdef d "
              "ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE attrelid = 't'::regclass AND attname = 'u'"),
            "true gen_random_uuid()");
}

// A constant default stays where PostgreSQL keeps it for free: in the ADD COLUMN (catalog
// only), with no backfill.
TEST_F(OperationTest, AddColumnConstantDefaultStaysAFastDefault) {
  const std::string file = Q("SELECT relfilenode FROM pg_class WHERE relname = 't'");
  auto m = ParseOnlineMigration(
      "name: op\noperations:\n  - add_column: {table: t, column: {name: k, type: int, default: \"7\"}}\n", "op.yaml",
      "op");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  OnlineOptions o = Options();
  OnlineRunner runner(*db_, o);
  auto dry = runner.DescribeStart(*m);
  ASSERT_TRUE(dry.has_value()) << dry.error().Describe();
  EXPECT_THAT(*dry, ::testing::HasSubstr("ADD COLUMN IF NOT EXISTS \"_strata_new_k\" int DEFAULT 7;"));
  EXPECT_THAT(*dry, ::testing::Not(::testing::HasSubstr("SET DEFAULT")));
  EXPECT_THAT(*dry, ::testing::Not(::testing::HasSubstr("-- backfill")));
  auto s = runner.Start(*m);
  ASSERT_TRUE(s.has_value()) << s.error().Describe();
  EXPECT_EQ(Q("SELECT relfilenode FROM pg_class WHERE relname = 't'"), file);
  EXPECT_EQ(Q("SELECT rewriting_defaults::text FROM strata_online.migrations WHERE name = 'op'"), "{}");
  EXPECT_EQ(Q("SELECT count(*) FROM strata_online.backfill WHERE migration = 'op'"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM t WHERE _strata_new_k = 7"), "10");
  auto c = runner.Complete(false);
  ASSERT_TRUE(c.has_value()) << c.error().Describe();
  EXPECT_EQ(Q("SELECT count(*) FROM t WHERE k = 7"), "10");
}

// Asking PostgreSQL evaluates the default on no row: nextval consumes nothing (neither the
// dry run nor start), so the existing rows get exactly the sequence's first values.
TEST_F(OperationTest, AddColumnNextvalDefaultIsNotConsumedByTheQuestion) {
  Exec(*db_, "CREATE SEQUENCE s");
  const std::string file = Q("SELECT relfilenode FROM pg_class WHERE relname = 't'");
  auto m = ParseOnlineMigration(
      "name: op\noperations:\n  - add_column: {table: t, column: {name: n, type: bigint, default: \"nextval('s')\"}}\n",
      "op.yaml", "op");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  OnlineOptions o = Options();
  o.backfill = false;
  OnlineRunner runner(*db_, o);
  auto dry = runner.DescribeStart(*m);
  ASSERT_TRUE(dry.has_value()) << dry.error().Describe();
  EXPECT_THAT(*dry, ::testing::HasSubstr("SET DEFAULT nextval('s')"));
  EXPECT_EQ(Q("SELECT last_value || ' ' || is_called FROM s"), "1 false");
  auto s = runner.Start(*m);
  ASSERT_TRUE(s.has_value()) << s.error().Describe();
  EXPECT_EQ(Q("SELECT last_value || ' ' || is_called FROM s"), "1 false");
  EXPECT_EQ(Q("SELECT relfilenode FROM pg_class WHERE relname = 't'"), file);
  OnlineOptions ob = o;
  ob.backfill = true;
  OnlineRunner resumer(*db_, ob);
  ASSERT_TRUE(resumer.Start(*m).has_value());
  EXPECT_EQ(Q("SELECT string_agg(_strata_new_n::text, ',' ORDER BY _strata_new_n) FROM t"), "1,2,3,4,5,6,7,8,9,10");
  ASSERT_TRUE(runner.Complete(false).has_value());
}

// The answer is kept with the migration: a function that stops being volatile while the
// migration is in flight does not change the plan the expand ran with (the backfill still
// fills the rows the old plan left NULL).
TEST_F(OperationTest, AddColumnVolatileDefaultAnswerIsKeptAcrossResume) {
  Exec(*db_, "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql VOLATILE AS $$ BEGIN RETURN 5; END $$");
  auto m = ParseOnlineMigration(
      "name: op\noperations:\n  - add_column: {table: t, column: {name: v, type: int, default: \"f()\"}}\n", "op.yaml",
      "op");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  OnlineOptions o = Options();
  o.backfill = false;
  OnlineRunner runner(*db_, o);
  ASSERT_TRUE(runner.Start(*m).has_value());
  EXPECT_EQ(Q("SELECT count(*) FROM t WHERE _strata_new_v IS NULL"), "10");
  Exec(*db_, "ALTER FUNCTION f() IMMUTABLE");
  auto r = runner.Resume();
  ASSERT_TRUE(r.has_value()) << r.error().Describe();
  EXPECT_TRUE(r->backfill_done);
  EXPECT_EQ(Q("SELECT count(*) FROM t WHERE _strata_new_v = 5"), "10");
  ASSERT_TRUE(runner.Complete(false).has_value());
  EXPECT_EQ(Q("SELECT count(*) FROM t WHERE v = 5"), "10");
}

// After raw SQL the question is asked once that SQL ran: here it creates the sequence the
// default names.
TEST_F(OperationTest, AddColumnVolatileDefaultOnASequenceRawSqlCreates) {
  const std::string file = Q("SELECT relfilenode FROM pg_class WHERE relname = 't'");
  auto m = ParseOnlineMigration(
      "name: op\noperations:\n"
      "  - sql: {up: \"CREATE SEQUENCE s2\", down: \"DROP SEQUENCE s2\"}\n"
      "  - add_column: {table: t, column: {name: n, type: bigint, default: \"nextval('s2')\"}}\n",
      "op.yaml", "op");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  OnlineOptions o = Options();
  OnlineRunner runner(*db_, o);
  auto dry = runner.DescribeStart(*m);
  ASSERT_TRUE(dry.has_value()) << dry.error().Describe();
  EXPECT_THAT(*dry, ::testing::HasSubstr("once the raw SQL before it ran"));
  auto s = runner.Start(*m);
  ASSERT_TRUE(s.has_value()) << s.error().Describe();
  EXPECT_EQ(Q("SELECT relfilenode FROM pg_class WHERE relname = 't'"), file);
  EXPECT_EQ(Q("SELECT rewriting_defaults::text FROM strata_online.migrations WHERE name = 'op'"), "{1}");
  EXPECT_EQ(Q("SELECT string_agg(_strata_new_n::text, ',' ORDER BY _strata_new_n) FROM t"), "1,2,3,4,5,6,7,8,9,10");
  ASSERT_TRUE(runner.Complete(false).has_value());
}

// A default PostgreSQL refuses fails start with PostgreSQL's error at the operation, before
// anything is written.
TEST_F(OperationTest, AddColumnDefaultPostgresRefusesIsItsError) {
  auto m = ParseOnlineMigration(
      "name: op\noperations:\n  - add_column: {table: t, column: {name: u, type: uuid, default: \"gen_random_uid()\"}}\n",
      "op.yaml", "op");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  OnlineOptions o = Options();
  OnlineRunner runner(*db_, o);
  auto dry = runner.DescribeStart(*m);
  ASSERT_FALSE(dry.has_value());
  EXPECT_EQ(dry.error().kind, ErrorKind::kDatabase);
  auto s = runner.Start(*m);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().kind, ErrorKind::kDatabase) << s.error().Describe();
  EXPECT_THAT(s.error().Describe(), ::testing::HasSubstr("op.yaml:3"));
  EXPECT_THAT(s.error().Describe(), ::testing::HasSubstr("gen_random_uid() does not exist"));
  EXPECT_EQ(Q("SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname LIKE '%u' AND NOT "
              "attisdropped"),
            "0");
  EXPECT_EQ(Q("SELECT (to_regclass('strata_online.migrations') IS NULL)::text"), "true");  // nothing written
}

// A role without the TEMPORARY privilege cannot have PostgreSQL asked: its defaults are set
// after the ADD COLUMN and backfilled (never a rewrite), and start works.
TEST_F(OperationTest, WithoutTemporaryPrivilegeDefaultsAreBackfilled) {
  const std::string db = Q("SELECT current_database()");
  const std::string role = "owner_" + db;
  Exec(*db_, "CREATE ROLE " + role + " LOGIN; ALTER DATABASE " + db + " OWNER TO " + role + "; ALTER TABLE t OWNER TO " +
                 role + "; REVOKE TEMPORARY ON DATABASE " + db + " FROM PUBLIC, " + role);
  const std::string file = Q("SELECT relfilenode FROM pg_class WHERE relname = 't'");
  const std::string prefix = "postgres://postgres@";
  ASSERT_EQ(url_.rfind(prefix, 0), 0u) << url_;
  url_ = "postgres://" + role + "@" + url_.substr(prefix.size());
  auto owner = Open();
  EXPECT_FALSE(owner->Exec("CREATE TEMP TABLE x ()").has_value());
  auto m = ParseOnlineMigration(
      "name: op\noperations:\n"
      "  - add_column: {table: t, column: {name: u, type: uuid, default: \"gen_random_uuid()\"}}\n"
      "  - add_column: {table: t, column: {name: k, type: int, default: \"7\"}}\n",
      "op.yaml", "op");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  OnlineOptions o = Options();
  OnlineRunner runner(*owner, o);
  auto s = runner.Start(*m);
  ASSERT_TRUE(s.has_value()) << s.error().Describe();
  EXPECT_EQ(Q("SELECT relfilenode FROM pg_class WHERE relname = 't'"), file);
  ASSERT_TRUE(runner.Complete(false).has_value());
  EXPECT_EQ(Q("SELECT count(DISTINCT u) || ' ' || sum(k) FROM t"), "10 70");
}

// A type whose ADD COLUMN rewrites the table whatever the default (serial: its own nextval
// default; a domain with constraints) is refused at the operation's line, the table untouched,
// with the way around it; plain types and domains without constraints are not.
TEST_F(OperationTest, AddColumnOfATypeThatRewritesIsRefused) {
  const std::string file = Q("SELECT relfilenode FROM pg_class WHERE relname = 't'");
  ExpectRefusedAtStart("  - add_column: {table: t, column: {name: n, type: bigserial, nullable: true}}\n",
                       "rewrites the whole table under ACCESS EXCLUSIVE to add a column of type bigserial");
  Exec(*db_, "CREATE DOMAIN posint AS int CHECK (VALUE > 0); CREATE DOMAIN anyint AS int");
  ExpectRefusedAtStart("  - add_column: {table: t, column: {name: n, type: posint, nullable: true}}\n",
                       "of type posint");
  // Refused before anything was written: not even strata's state.
  EXPECT_EQ(Q("SELECT (to_regclass('strata_online.migrations') IS NULL)::text"), "true");
  EXPECT_EQ(Q("SELECT relfilenode FROM pg_class WHERE relname = 't'"), file);
  Lifecycle("  - add_column: {table: t, column: {name: n, type: anyint, nullable: true}}\n", [] {});
  EXPECT_EQ(Q("SELECT relfilenode FROM pg_class WHERE relname = 't'"), file);
}

// A state schema made before `rewriting_defaults` existed: read as none, and the column is
// added by the next start.
TEST_F(OperationTest, StateWithoutRewritingDefaultsIsUpgradedByStart) {
  OnlineOptions o = Options();
  OnlineRunner runner(*db_, o);
  auto first = ParseOnlineMigration("name: op\noperations:\n  - add_column: {table: t, column: {name: k, type: int, "
                                    "nullable: true}}\n",
                                    "op.yaml", "op");
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(runner.Start(*first).has_value());
  Exec(*db_, "ALTER TABLE strata_online.migrations DROP COLUMN rewriting_defaults");
  auto st = runner.Status();
  ASSERT_TRUE(st.has_value()) << st.error().Describe();
  ASSERT_TRUE(st->active.has_value());
  EXPECT_TRUE(st->active->rewriting_defaults.empty());
  auto c = runner.Complete(false);
  ASSERT_TRUE(c.has_value()) << c.error().Describe();
  auto second = ParseOnlineMigration("name: op2\noperations:\n  - add_column: {table: t, column: {name: u, type: uuid, "
                                     "default: \"gen_random_uuid()\"}}\n",
                                     "op2.yaml", "op2");
  ASSERT_TRUE(second.has_value());
  auto s = runner.Start(*second);
  ASSERT_TRUE(s.has_value()) << s.error().Describe();
  EXPECT_EQ(Q("SELECT rewriting_defaults::text FROM strata_online.migrations WHERE name = 'op2'"), "{0}");
  EXPECT_EQ(Q("SELECT count(DISTINCT _strata_new_u) FROM t"), "10");
}

// Two operations on one table: an `up` names columns as the operations before it left them
// (here the renamed one); the old version's trigger branch still knows them by the old names.
TEST_F(OperationTest, UpAfterARenameOnTheSameTable) {
  Lifecycle("  - rename_column: {table: t, from: a, to: \"fullName\"}\n"
            "  - add_column: {table: t, column: {name: n, type: int, nullable: true}, up: 'length(\"fullName\")'}\n"
            "  - alter_column: {table: t, column: fullName, type: varchar(20), up: '\"fullName\" || ''!'''}\n",
            [&] {
              auto old = OldClient();
              auto nw = NewClient();
              Exec(*old, "INSERT INTO t (id, a) VALUES (11, 'abc')");
              EXPECT_EQ(Q("SELECT \"fullName\" || ' ' || n FROM t WHERE id = 11", nw.get()), "abc! 3");
              EXPECT_EQ(Q("SELECT count(*) FROM t WHERE \"fullName\" LIKE '%!' AND n IS NOT NULL", nw.get()), "11");
            });
}

// `down` names columns as its operation leaves them; the trigger evaluates it over the new
// A column changed, renamed away and its old name added again would share `_strata_new_b`
// with the copy: refused at the line that would add the second.
TEST_F(OperationTest, TwoColumnsUnderOneTemporaryNameAreRefused) {
  auto m = ParseOnlineMigration("name: op\noperations:\n"
                                "  - alter_column: {table: t, column: b, type: bigint}\n"
                                "  - rename_column: {table: t, from: b, to: c}\n"
                                "  - add_column: {table: t, column: {name: b, type: int, nullable: true}}\n",
                                "op.yaml", "op");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  OnlineOptions o = Options();
  const std::string before = State();
  auto s = OnlineRunner(*db_, o).Start(*m);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().kind, ErrorKind::kInput);
  EXPECT_THAT(s.error().Describe(), ::testing::HasSubstr("op.yaml:5: add_column: columns 't.c' and 't.b' would both "
                                                         "live in '_strata_new_b'"));
  EXPECT_EQ(State(), before);
}

// version's row, where a later rename_column (and a later rename_table) gave them other names.
TEST_F(OperationTest, DownBeforeALaterRename) {
  Lifecycle("  - alter_column: {table: t, column: b, type: bigint, up: \"b * 10\", down: \"(b / 10)::int\"}\n"
            "  - alter_column: {table: t, column: a, type: varchar(20)}\n"
            "  - rename_column: {table: t, from: b, to: score}\n"
            "  - rename_column: {table: t, from: a, to: label}\n"
            "  - rename_table: {from: t, to: items}\n",
            [&] {
              auto old = OldClient();
              auto nw = NewClient();
              Exec(*nw, "INSERT INTO items (id, label, score) VALUES (11, 'x', 70)");
              EXPECT_EQ(Q("SELECT a || ' ' || b FROM t WHERE id = 11", old.get()), "x 7");
              Exec(*nw, "UPDATE items SET score = 90, label = 'y' WHERE id = 2");
              EXPECT_EQ(Q("SELECT a || ' ' || b FROM t WHERE id = 2", old.get()), "y 9");
              Exec(*old, "UPDATE t SET b = 4 WHERE id = 4");
              EXPECT_EQ(Q("SELECT label || ' ' || score FROM items WHERE id = 4", nw.get()), "a4 40");
            });
  EXPECT_EQ(Q("SELECT label || ' ' || score FROM items WHERE id = 11"), "x 70");
}

TEST_F(OperationTest, AlterColumnSetNotNullAndDefault) {
  Lifecycle("  - alter_column: {table: t, column: b, nullable: false, default: \"0\", up: \"coalesce(b, 0)\", down: "
            "b}\n",
            [&] {
              auto nw = NewClient();
              Exec(*nw, "INSERT INTO t (id, a) VALUES (30, 'z')");
              EXPECT_EQ(Q("SELECT b FROM t WHERE id = 30"), "0");
              EXPECT_EQ(Q("SELECT count(*) FROM t WHERE b IS NULL"), "5");  // the old shape keeps its NULLs
            });
  EXPECT_EQ(Q("SELECT count(*) FROM t WHERE b IS NULL"), "0");
  EXPECT_EQ(Q("SELECT attnotnull FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'b'"), "t");
}

TEST_F(OperationTest, CreateIndex) {
  Lifecycle("  - create_index: {name: t_a_idx, table: t, columns: [a], unique: true, method: btree, predicate: \"b IS "
            "NOT NULL\"}\n",
            [&] { EXPECT_EQ(Q("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_a_idx'::regclass"), "t"); });
  EXPECT_THAT(Q("SELECT pg_get_indexdef('t_a_idx'::regclass)"),
              ::testing::HasSubstr("UNIQUE INDEX t_a_idx ON public.t USING btree (a) WHERE (b IS NOT NULL)"));
}

TEST_F(OperationTest, CreateIndexDropsAnInvalidLeftoverFirst) {
  // An INVALID index of the same name, as a failed or killed CREATE INDEX CONCURRENTLY leaves it.
  Exec(*db_, "INSERT INTO t VALUES (100, 'dup', 1), (101, 'dup', 1)");
  EXPECT_FALSE(db_->Exec("CREATE UNIQUE INDEX CONCURRENTLY t_a_idx ON t (a)").has_value());
  EXPECT_EQ(Q("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_a_idx'::regclass"), "f");
  Exec(*db_, "DELETE FROM t WHERE id = 101");
  auto m = ParseOnlineMigration("operations:\n  - create_index: {name: t_a_idx, table: t, columns: [a], unique: true}\n",
                                "i.yaml", "i");
  ASSERT_TRUE(m.has_value());
  OnlineRunner runner(*db_, OnlineOptions{});
  auto s = runner.Start(*m);
  ASSERT_TRUE(s.has_value()) << s.error().Describe();
  EXPECT_EQ(Q("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_a_idx'::regclass"), "t");
  ASSERT_TRUE(runner.Complete(false).has_value());
}

// --index-workers: the build runs with max_parallel_maintenance_workers as asked (seen by an
// event trigger at the CREATE INDEX), and the session's setting is back afterwards.
TEST_F(OperationTest, CreateIndexWithIndexWorkers) {
  Exec(*db_, R"(
    CREATE TABLE seen (workers text);
    CREATE FUNCTION record_workers() RETURNS event_trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO seen SELECT current_setting('max_parallel_maintenance_workers')
          FROM pg_event_trigger_ddl_commands() WHERE object_identity = 'public.t_b_idx';
      END $$;
    CREATE EVENT TRIGGER record_workers ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
      EXECUTE FUNCTION record_workers();
    SET max_parallel_maintenance_workers = 3;
  )");
  auto m = ParseOnlineMigration("operations:\n  - create_index: {name: t_b_idx, table: t, columns: [b]}\n", "i.yaml", "i");
  ASSERT_TRUE(m.has_value());
  OnlineOptions o;
  o.index_workers = 0;
  OnlineRunner runner(*db_, o);
  auto s = runner.Start(*m);
  ASSERT_TRUE(s.has_value()) << s.error().Describe();
  EXPECT_EQ(Q("SELECT string_agg(workers, ',') FROM seen"), "0");
  EXPECT_EQ(Q("SHOW max_parallel_maintenance_workers"), "3");
  ASSERT_TRUE(runner.Complete(false).has_value());
}

// An autovacuum worker holds SHARE UPDATE EXCLUSIVE on the table for as long as it vacuums (made
// slow here with a cost delay). It would be cancelled by a waiter after deadlock_timeout (1 s),
// but strata's lock_timeout is shorter, so strata cancels it itself after a lock timeout: the
// retry gets the lock instead of timing out until the vacuum ends.
TEST_F(OperationTest, LockTimeoutCancelsABlockingAutovacuum) {
  strata::testing::SlowAutovacuum vacuum(*db_, "slow");
  const std::string pid = vacuum.pid();
  ASSERT_FALSE(pid.empty()) << "no autovacuum worker started on the table";
  auto m = ParseOnlineMigration(
      "operations:\n  - add_column: {table: slow, column: {name: c, type: int, nullable: true}}\n", "v.yaml", "v");
  ASSERT_TRUE(m.has_value());
  OnlineOptions o;
  o.lock_timeout = std::chrono::milliseconds(200);
  o.lock_retries = 2;
  o.retry_delay = std::chrono::milliseconds(50);
  std::vector<std::string> notes;
  o.on_note = [&](const std::string& n) { notes.push_back(n); };
  OnlineRunner runner(*db_, o);
  auto s = runner.Start(*m);
  ASSERT_TRUE(s.has_value()) << s.error().Describe();
  std::string all;
  for (const auto& n : notes) all += n + "\n";
  EXPECT_THAT(all, ::testing::HasSubstr("cancelled the autovacuum of public.slow (pid " + pid + ")")) << all;
  ASSERT_TRUE(runner.Complete(false).has_value());
}

TEST_F(OperationTest, DropIndex) {
  Exec(*db_, "CREATE INDEX t_b_idx ON t (b)");
  Lifecycle("  - drop_index: {name: t_b_idx}\n", [&] { EXPECT_EQ(Q("SELECT to_regclass('t_b_idx') IS NOT NULL"), "t"); });
  EXPECT_EQ(Q("SELECT to_regclass('t_b_idx') IS NULL"), "t");
}

TEST_F(OperationTest, CreateConstraintCheckOnCopies) {
  Lifecycle("  - create_constraint: {table: t, name: b_positive, type: check, columns: [b], check: \"b > 0\", up: {b: "
            "\"greatest(coalesce(b, 1), 1)\"}}\n",
            [&] {
              auto old = OldClient();
              auto nw = NewClient();
              Exec(*old, "UPDATE t SET b = -5 WHERE id = 1");  // the old version is not held to it
              EXPECT_EQ(Q("SELECT b FROM t WHERE id = 1", nw.get()), "1");
              EXPECT_FALSE(nw->Exec("UPDATE t SET b = -1 WHERE id = 2").has_value());
            });
  EXPECT_EQ(Q("SELECT convalidated FROM pg_constraint WHERE conname = 'b_positive'"), "t");
}

TEST_F(OperationTest, CreateConstraintUnique) {
  Lifecycle("  - create_constraint: {table: t, name: t_a_key, type: unique, columns: [a]}\n", [&] {
    auto nw = NewClient();
    EXPECT_FALSE(nw->Exec("INSERT INTO t (id, a) VALUES (50, 'a1')").has_value());
  });
  EXPECT_EQ(Q("SELECT contype FROM pg_constraint WHERE conname = 't_a_key'"), "u");
}

TEST_F(OperationTest, DropConstraint) {
  Exec(*db_, "ALTER TABLE t ADD CONSTRAINT b_small CHECK (b < 1000)");
  Lifecycle("  - drop_constraint: {table: t, name: b_small}\n",
            [&] { EXPECT_EQ(Q("SELECT count(*) FROM pg_constraint WHERE conname = 'b_small'"), "1"); });
  EXPECT_EQ(Q("SELECT count(*) FROM pg_constraint WHERE conname = 'b_small'"), "0");
}

// pgroll's form: with up/down the new version is free of the constraint at once (its column is
// a copy without it, keeping the column's other constraints and indexes), the old version keeps
// it and reads what `down` makes of the new version's writes.
TEST_F(OperationTest, DropConstraintWithUpDownCopiesTheColumn) {
  Exec(*db_,
       "ALTER TABLE t ADD CONSTRAINT b_small CHECK (b < 1000); ALTER TABLE t ADD CONSTRAINT b_even CHECK (b % 2 = 0);"
       "CREATE INDEX t_b_idx ON t (b)");
  Lifecycle("  - drop_constraint: {table: t, name: b_small, column: b, up: b, down: \"least(b, 998)\"}\n", [&] {
    auto old = OldClient();
    auto nw = NewClient();
    Exec(*nw, "INSERT INTO t (id, a, b) VALUES (11, 'x', 5000)");
    EXPECT_EQ(Q("SELECT b FROM t WHERE id = 11", old.get()), "998");
    EXPECT_FALSE(old->Exec("INSERT INTO t (id, a, b) VALUES (12, 'y', 2000)").has_value());
    EXPECT_FALSE(nw->Exec("INSERT INTO t (id, a, b) VALUES (12, 'y', 2001)").has_value());  // b_even stays
    EXPECT_EQ(Q("SELECT string_agg(coalesce(b::text, '-'), ',' ORDER BY id) FROM t", nw.get()),
              "-,2,-,4,-,6,-,8,-,10,5000");
  });
  EXPECT_EQ(Q("SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = 't'::regclass "
              "AND contype = 'c'"),
            "b_even");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_indexes WHERE indexname = 't_b_idx' AND indexdef LIKE '%(b)'"), "1");
  Exec(*db_, "INSERT INTO t (id, a, b) VALUES (12, 'y', 4000)");
  EXPECT_EQ(Q("SELECT b FROM t WHERE id = 11"), "5000");
}

// up/down copy one column: a constraint over several, or naming a different column, is refused
// at its line before anything runs.
TEST_F(OperationTest, DropConstraintWithUpDownNeedsItsOneColumn) {
  Exec(*db_, "ALTER TABLE t ADD CONSTRAINT ab CHECK (b IS NULL OR length(a) < b + 5)");
  ExpectRefusedAtStart("  - drop_constraint: {table: t, name: ab, up: b, down: b}\n", "several columns");
  ExpectRefusedAtStart("  - drop_constraint: {table: t, name: ab, column: a, down: b}\n", "several columns");
  Exec(*db_, "ALTER TABLE t ADD CONSTRAINT b_small CHECK (b < 1000)");
  ExpectRefusedAtStart("  - drop_constraint: {table: t, name: b_small, column: a, down: b}\n", "is on column 'b'");
}

TEST_F(OperationTest, RawSql) {
  Lifecycle("  - sql: {up: \"CREATE TABLE side (x int)\", down: \"DROP TABLE side\"}\n",
            [&] { EXPECT_EQ(Q("SELECT to_regclass('public.side') IS NOT NULL"), "t"); });
  EXPECT_EQ(Q("SELECT to_regclass('public.side') IS NOT NULL"), "t");
}

TEST_F(OperationTest, RawSqlOnComplete) {
  Lifecycle("  - sql: {up: \"CREATE TABLE later (x int)\", onComplete: true}\n",
            [&] { EXPECT_EQ(Q("SELECT to_regclass('public.later') IS NULL"), "t"); });
  EXPECT_EQ(Q("SELECT to_regclass('public.later') IS NOT NULL"), "t");
}

}  // namespace
}  // namespace strata::online
