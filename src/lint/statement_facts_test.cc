// Facts per statement kind, from the measured PostgreSQL 15 table.
#include "lint/statement_facts.h"

#include <gtest/gtest.h>

namespace strata::lint {
namespace {

StatementFacts Facts(std::string_view sql, int pg = 15) {
  auto parsed = pg::ParseScript(sql);
  EXPECT_TRUE(parsed.has_value()) << sql;
  EXPECT_EQ(parsed->statements.size(), 1u);
  return ComputeFacts(*parsed->statements[0].root, pg);
}

struct Case {
  const char* sql;
  LockMode lock;
  bool rewrite;
  bool scan;
  bool transactional;
};

TEST(StatementFactsTest, LockRewriteScanPerKind) {
  const Case cases[] = {
      {"ALTER TABLE t ADD COLUMN c int", LockMode::kAccessExclusive, false, false, true},
      {"ALTER TABLE t ADD COLUMN c timestamptz NOT NULL DEFAULT now()", LockMode::kAccessExclusive, false, false, true},
      {"ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()", LockMode::kAccessExclusive, true, true, true},
      {"ALTER TABLE t ADD COLUMN c bigserial", LockMode::kAccessExclusive, true, true, true},
      {"ALTER TABLE t ADD COLUMN c bigint GENERATED ALWAYS AS IDENTITY", LockMode::kAccessExclusive, true, true, true},
      {"ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a + 1) STORED", LockMode::kAccessExclusive, true, true, true},
      {"ALTER TABLE t DROP COLUMN c", LockMode::kAccessExclusive, false, false, true},
      {"ALTER TABLE t ALTER COLUMN c TYPE bigint", LockMode::kAccessExclusive, true, true, true},
      {"ALTER TABLE t ALTER COLUMN c SET NOT NULL", LockMode::kAccessExclusive, false, true, true},
      {"ALTER TABLE t ALTER COLUMN c SET STATISTICS 500", LockMode::kShareUpdateExclusive, false, false, true},
      {"ALTER TABLE t ADD CONSTRAINT k CHECK (c > 0)", LockMode::kAccessExclusive, false, true, true},
      {"ALTER TABLE t ADD CONSTRAINT k CHECK (c > 0) NOT VALID", LockMode::kAccessExclusive, false, false, true},
      {"ALTER TABLE t VALIDATE CONSTRAINT k", LockMode::kShareUpdateExclusive, false, true, true},
      {"ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (c) REFERENCES p (id)", LockMode::kShareRowExclusive, false, true, true},
      {"ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (c) REFERENCES p (id) NOT VALID", LockMode::kShareRowExclusive, false, false, true},
      {"ALTER TABLE t ADD CONSTRAINT u UNIQUE (c)", LockMode::kAccessExclusive, false, true, true},
      {"ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i", LockMode::kAccessExclusive, false, false, true},
      {"CREATE INDEX i ON t (c)", LockMode::kShare, false, true, true},
      {"CREATE INDEX CONCURRENTLY i ON t (c)", LockMode::kShareUpdateExclusive, false, true, false},
      {"DROP INDEX i", LockMode::kAccessExclusive, false, false, true},
      {"DROP INDEX CONCURRENTLY i", LockMode::kShareUpdateExclusive, false, false, false},
      {"REINDEX TABLE t", LockMode::kShare, true, true, true},
      {"REINDEX INDEX CONCURRENTLY i", LockMode::kShareUpdateExclusive, true, true, false},
      {"TRUNCATE t", LockMode::kAccessExclusive, true, false, true},
      {"VACUUM FULL t", LockMode::kAccessExclusive, true, true, false},
      {"VACUUM t", LockMode::kShareUpdateExclusive, false, true, false},
      {"CLUSTER t USING i", LockMode::kAccessExclusive, true, true, true},
      {"LOCK TABLE t", LockMode::kAccessExclusive, false, false, true},
      {"LOCK TABLE t IN ROW EXCLUSIVE MODE", LockMode::kRowExclusive, false, false, true},
      {"REFRESH MATERIALIZED VIEW m", LockMode::kAccessExclusive, true, true, true},
      {"REFRESH MATERIALIZED VIEW CONCURRENTLY m", LockMode::kExclusive, false, true, true},
      {"CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", LockMode::kShareRowExclusive, false, false, true},
      {"ALTER TABLE t SET (fillfactor = 70)", LockMode::kShareUpdateExclusive, false, false, true},
      {"ALTER TABLE t SET UNLOGGED", LockMode::kAccessExclusive, true, true, true},
      {"ALTER TABLE p ATTACH PARTITION c FOR VALUES FROM (1) TO (2)", LockMode::kAccessExclusive, false, true, true},
      {"ALTER TABLE p DETACH PARTITION c CONCURRENTLY", LockMode::kAccessExclusive, false, false, false},
      {"ALTER TABLE t RENAME COLUMN a TO b", LockMode::kAccessExclusive, false, false, true},
      {"UPDATE t SET a = 1", LockMode::kRowExclusive, false, true, true},
      {"UPDATE t SET a = 1 WHERE id = 3", LockMode::kRowExclusive, false, false, true},
      {"ALTER TYPE e ADD VALUE 'x'", LockMode::kNone, false, false, true},
  };
  for (const Case& c : cases) {
    StatementFacts f = Facts(c.sql);
    EXPECT_EQ(LockModeName(f.StrongestLock()), LockModeName(c.lock)) << c.sql;
    EXPECT_EQ(f.rewrite, c.rewrite) << c.sql;
    EXPECT_EQ(f.scan, c.scan) << c.sql;
    EXPECT_EQ(f.transactional, c.transactional) << c.sql;
  }
}

TEST(StatementFactsTest, OtherRelationsAndKinds) {
  StatementFacts fk = Facts("ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES app.users (id)");
  ASSERT_EQ(fk.locks.size(), 2u);
  EXPECT_EQ(fk.locks[0].table, "orders");
  EXPECT_EQ(fk.locks[1].table, "app.users");
  EXPECT_EQ(fk.locks[1].role, "referenced");
  EXPECT_EQ(fk.locks[1].mode, LockMode::kShareRowExclusive);
  EXPECT_EQ(fk.kind, "ALTER TABLE ADD FOREIGN KEY");

  StatementFacts attach = Facts("ALTER TABLE p ATTACH PARTITION c FOR VALUES FROM (1) TO (2)");
  ASSERT_EQ(attach.locks.size(), 2u);
  EXPECT_EQ(attach.locks[0].mode, LockMode::kShareUpdateExclusive);  // the parent
  EXPECT_EQ(attach.locks[1].table, "c");
  EXPECT_EQ(attach.locks[1].mode, LockMode::kAccessExclusive);

  StatementFacts multi = Facts("ALTER TABLE t ALTER COLUMN c SET STATISTICS 100, ADD COLUMN d int");
  EXPECT_EQ(multi.StrongestLock(), LockMode::kAccessExclusive);  // the strongest subcommand
  EXPECT_EQ(multi.kind, "ALTER TABLE ALTER COLUMN SET STATISTICS, ADD COLUMN");
}

TEST(StatementFactsTest, VersionDifferences) {
  EXPECT_FALSE(Facts("ALTER TABLE t ADD COLUMN c int DEFAULT 0", 15).rewrite);
  StatementFacts old = Facts("ALTER TABLE t ADD COLUMN c int DEFAULT 0", 10);
  EXPECT_TRUE(old.rewrite);
  EXPECT_FALSE(old.version_notes.empty());
  EXPECT_FALSE(Facts("ALTER TYPE e ADD VALUE 'x'", 11).transactional);
  EXPECT_TRUE(Facts("ALTER TYPE e ADD VALUE 'x'", 12).transactional);
  EXPECT_EQ(Facts("ALTER TABLE p ATTACH PARTITION c FOR VALUES IN (1)", 11).locks[0].mode,
            LockMode::kAccessExclusive);
  EXPECT_FALSE(Facts("ALTER TABLE t ALTER COLUMN c SET NOT NULL").version_notes.empty());
}

TEST(StatementFactsTest, LockNamesAndEffects) {
  EXPECT_EQ(LockModeName(LockMode::kShareRowExclusive), "SHARE ROW EXCLUSIVE");
  EXPECT_EQ(LockModePgName(LockMode::kAccessExclusive), "AccessExclusiveLock");
  EXPECT_NE(LockEffect(LockMode::kAccessExclusive).find("reads and writes"), std::string::npos);
  EXPECT_NE(LockEffect(LockMode::kShare).find("writes"), std::string::npos);
}

}  // namespace
}  // namespace strata::lint
