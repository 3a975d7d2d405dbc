// The facts table (statement_facts.cc) against a real PostgreSQL: each statement kind runs
// inside BEGIN … ROLLBACK on a throwaway server; the locks this session holds are read from
// pg_locks and the relfilenode before/after tells whether the table was rewritten.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "lint/statement_facts.h"
#include "sql/pg_parse.h"
#include "tests/support/pg_test_env.h"
#include "util/database_url.h"

namespace strata::lint {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE p (id bigint PRIMARY KEY);
INSERT INTO p SELECT g FROM generate_series(1, 50) g;
CREATE TABLE t (id bigint PRIMARY KEY, p_id bigint, a int NOT NULL DEFAULT 0, email varchar(10), note text, n int);
INSERT INTO t SELECT g, g % 50 + 1, g, 'e' || g, NULL FROM generate_series(1, 200) g;
CREATE INDEX t_a ON t (a);
CREATE UNIQUE INDEX t_email_key ON t (email);
ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a >= 0) NOT VALID;
ALTER TABLE t ADD CONSTRAINT t_p_fk FOREIGN KEY (p_id) REFERENCES p (id) NOT VALID;
CREATE MATERIALIZED VIEW m AS SELECT a, count(*) AS n FROM t GROUP BY a;
CREATE UNIQUE INDEX m_a ON m (a);
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE parted (id bigint, at int) PARTITION BY RANGE (at);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
CREATE TABLE parted_2 (id bigint, at int);
CREATE OR REPLACE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
)sql";

class PgLocksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto url = DatabaseUrl::Parse(testing::FreshPgDatabase("lint_locks"));
    ASSERT_TRUE(url.has_value());
    auto engine = Connect(*url, "strata-lint-test");
    ASSERT_TRUE(engine.has_value()) << engine.error().Describe();
    engine_ = std::move(*engine);
    auto r = engine_->Exec(kSchema);
    ASSERT_TRUE(r.has_value()) << r.error().Describe();
  }
  static void TearDownTestSuite() { engine_.reset(); }

  std::string Relfilenode(const std::string& rel) {
    auto r = engine_->Query("SELECT pg_relation_filenode('" + rel + "'::regclass)::text");
    EXPECT_TRUE(r.has_value());
    return r && r->size() == 1 && r->rows[0][0] ? *r->rows[0][0] : "";
  }

  // Runs `sql` in BEGIN … ROLLBACK; returns relation -> strongest lock mode held by this
  // session, and whether `rewrite_rel` got a new relfilenode.
  std::map<std::string, std::string> LocksOf(const std::string& sql, const std::string& rewrite_rel,
                                             bool* rewritten) {
    std::map<std::string, std::string> out;
    std::string before = Relfilenode(rewrite_rel);
    EXPECT_TRUE(engine_->Exec("BEGIN").has_value());
    auto run = engine_->Exec(sql);
    EXPECT_TRUE(run.has_value()) << sql << ": " << (run ? "" : run.error().Describe());
    auto rows = engine_->Query(
        "SELECT c.relname::text, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE l.locktype = 'relation' AND l.pid = pg_backend_pid() AND l.granted "
        "AND c.relnamespace = 'public'::regnamespace");
    EXPECT_TRUE(rows.has_value());
    if (rows) {
      for (const auto& row : rows->rows) {
        std::string rel = *row[0], mode = *row[1];
        auto rank = [](const std::string& m) {
          for (int i = 1; i <= 8; ++i) {
            if (LockModePgName(static_cast<LockMode>(i)) == m) return i;
          }
          return 0;
        };
        if (!out.contains(rel) || rank(mode) > rank(out[rel])) out[rel] = mode;
      }
    }
    *rewritten = Relfilenode(rewrite_rel) != before;
    EXPECT_TRUE(engine_->Exec("ROLLBACK").has_value());
    return out;
  }

  static std::unique_ptr<Engine> engine_;
};

std::unique_ptr<Engine> PgLocksTest::engine_;

struct Case {
  const char* sql;
  const char* table;  // the relation whose lock the facts name as strongest target
  const char* rewritten = nullptr;  // the relation whose files a rewrite replaces (default: table)
};

TEST_F(PgLocksTest, FactsMatchPgLocksAndRelfilenode) {
  const Case cases[] = {
      {"ALTER TABLE t ADD COLUMN c1 int", "t"},
      {"ALTER TABLE t ADD COLUMN c2 timestamptz NOT NULL DEFAULT now()", "t"},
      {"ALTER TABLE t ADD COLUMN c3 float8 DEFAULT random()", "t"},
      {"ALTER TABLE t ADD COLUMN c4 bigserial", "t"},
      {"ALTER TABLE t ADD COLUMN c5 bigint GENERATED ALWAYS AS IDENTITY", "t"},
      {"ALTER TABLE t ADD COLUMN c6 int GENERATED ALWAYS AS (a + 1) STORED", "t"},
      {"ALTER TABLE t DROP COLUMN note", "t"},
      {"ALTER TABLE t RENAME COLUMN note TO remark", "t"},
      {"ALTER TABLE t ALTER COLUMN n TYPE bigint", "t"},
      {"ALTER TABLE t ALTER COLUMN p_id SET NOT NULL", "t"},
      {"ALTER TABLE t ALTER COLUMN note SET DEFAULT 'x'", "t"},
      {"ALTER TABLE t ALTER COLUMN a SET STATISTICS 500", "t"},
      {"ALTER TABLE t ADD CONSTRAINT k1 CHECK (a < 1000000)", "t"},
      {"ALTER TABLE t ADD CONSTRAINT k2 CHECK (a < 1000000) NOT VALID", "t"},
      {"ALTER TABLE t VALIDATE CONSTRAINT t_a_pos", "t"},
      {"ALTER TABLE t ADD CONSTRAINT f1 FOREIGN KEY (p_id) REFERENCES p (id)", "t"},
      {"ALTER TABLE t ADD CONSTRAINT f2 FOREIGN KEY (p_id) REFERENCES p (id) NOT VALID", "t"},
      {"ALTER TABLE t ADD CONSTRAINT u1 UNIQUE (a)", "t"},
      {"ALTER TABLE t ADD CONSTRAINT u2 UNIQUE USING INDEX t_email_key", "t"},
      {"ALTER TABLE t SET (fillfactor = 70)", "t"},
      {"ALTER TABLE t SET UNLOGGED", "t"},
      {"CREATE INDEX t_note ON t (note)", "t"},
      {"REINDEX TABLE t", "t", "t_a"},  // rewrites the indexes, not the table
      {"TRUNCATE t CASCADE", "t"},
      {"CLUSTER t USING t_pkey", "t"},
      {"LOCK TABLE t", "t"},
      {"LOCK TABLE t IN SHARE MODE", "t"},
      {"CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION noop()", "t"},
      {"REFRESH MATERIALIZED VIEW m", "m"},
      {"REFRESH MATERIALIZED VIEW CONCURRENTLY m", "m"},
      {"ALTER TABLE parted ATTACH PARTITION parted_2 FOR VALUES FROM (10) TO (20)", "parted"},
      {"ALTER TABLE parted DETACH PARTITION parted_1", "parted"},
      {"UPDATE t SET a = a + 1", "t"},
  };
  for (const Case& c : cases) {
    auto parsed = pg::ParseScript(c.sql);
    ASSERT_TRUE(parsed.has_value()) << c.sql;
    StatementFacts facts = ComputeFacts(*parsed->statements[0].root, 15);
    bool rewritten = false;
    auto locks = LocksOf(c.sql, c.rewritten ? c.rewritten : c.table, &rewritten);
    SCOPED_TRACE(c.sql);
    const TableLock* target = facts.StrongestTarget();
    ASSERT_NE(target, nullptr);
    std::string want(LockModePgName(facts.StrongestLock()));
    // The strongest lock the facts predict is the one the server holds on that relation.
    std::string bare = target->table.substr(target->table.rfind('.') + 1);
    EXPECT_EQ(locks[bare], want) << "relation " << bare;
    // Every other relation the facts name is locked at least that strongly… exactly as said.
    for (const TableLock& l : facts.locks) {
      std::string name = l.table.substr(l.table.rfind('.') + 1);
      if (l.role == "index" || name == bare) continue;
      EXPECT_EQ(locks[name], LockModePgName(l.mode)) << "relation " << name;
    }
    // TRUNCATE gets new empty files: a "rewrite" in the facts and a new relfilenode.
    EXPECT_EQ(rewritten, facts.rewrite) << "rewrite of " << c.table;
  }
}

TEST_F(PgLocksTest, ConcurrentFormsRefuseTransactionsAsTheFactsSay) {
  for (const char* sql : {"CREATE INDEX CONCURRENTLY t_n2 ON t (note)", "DROP INDEX CONCURRENTLY t_a",
                          "REINDEX INDEX CONCURRENTLY t_a", "VACUUM t",
                          "ALTER TABLE parted DETACH PARTITION parted_1 CONCURRENTLY"}) {
    auto parsed = pg::ParseScript(sql);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_FALSE(ComputeFacts(*parsed->statements[0].root, 15).transactional) << sql;
    ASSERT_TRUE(engine_->Exec("BEGIN").has_value());
    auto r = engine_->Exec(sql);
    ASSERT_FALSE(r.has_value()) << sql;
    EXPECT_EQ(r.error().sqlstate, "25001") << sql << ": " << r.error().Describe();
    ASSERT_TRUE(engine_->Exec("ROLLBACK").has_value());
  }
}

}  // namespace
}  // namespace strata::lint
