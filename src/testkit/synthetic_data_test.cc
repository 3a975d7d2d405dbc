// The synthetic data generator and the lock probe against a real PostgreSQL.
#include "testkit/synthetic_data.h"

#include <gtest/gtest.h>

#include "testkit/lock_probe.h"
#include "tests/support/pg_test_env.h"

namespace strata {
namespace {

std::unique_ptr<Engine> NewDb() {
  auto url = DatabaseUrl::Parse(strata::testing::FreshPgDatabase("synth"));
  EXPECT_TRUE(url.has_value());
  auto db = Connect(*url, "synthetic-test");
  EXPECT_TRUE(db.has_value());
  return std::move(*db);
}

std::string Scalar(Engine& db, const std::string& sql) {
  auto r = db.Query(sql);
  EXPECT_TRUE(r.has_value()) << sql << ": " << r.error().message;
  return r && r->size() ? r->rows[0][0].value_or("NULL") : "";
}

TEST(SyntheticData, RespectsTypesUniquenessChecksAndForeignKeys) {
  auto db = NewDb();
  ASSERT_TRUE(db->Exec(
      "CREATE TYPE mood AS ENUM ('happy', 'sad');"
      "CREATE TABLE people (id bigint PRIMARY KEY, email varchar(12) NOT NULL UNIQUE, state text NOT NULL"
      " CHECK (state IN ('new', 'gone')), mood mood NOT NULL, born date, vip boolean NOT NULL, tags text[] NOT NULL);"
      "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES people (id),"
      " amount numeric(6,2) NOT NULL CHECK (amount > 0), placed_at timestamptz NOT NULL, ref uuid UNIQUE, meta jsonb);"
      "CREATE TABLE seeded (id int PRIMARY KEY); INSERT INTO seeded VALUES (1);"));
  auto r = FillEmptyTables(*db, 500);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->problems.empty()) << r->problems.front();
  ASSERT_EQ(r->filled.size(), 2u);
  EXPECT_EQ(r->filled[0], "public.people");  // parents first
  EXPECT_EQ(r->filled[1], "public.orders");
  EXPECT_EQ(Scalar(*db, "SELECT count(*) FROM people"), "500");
  EXPECT_EQ(Scalar(*db, "SELECT count(DISTINCT email) FROM people"), "500");
  EXPECT_EQ(Scalar(*db, "SELECT count(DISTINCT state) FROM people"), "2");
  EXPECT_EQ(Scalar(*db, "SELECT count(*) FROM orders o JOIN people c ON c.id = o.customer_id"), "500");
  EXPECT_EQ(Scalar(*db, "SELECT count(DISTINCT ref) FROM orders"), "500");
  EXPECT_EQ(Scalar(*db, "SELECT count(*) FROM seeded"), "1");  // tables with data are left alone
  // A second run finds nothing empty.
  auto again = FillEmptyTables(*db, 500);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->filled.empty());
}

TEST(SyntheticData, ReportsWhatItCannotFill) {
  auto db = NewDb();
  ASSERT_TRUE(db->Exec("CREATE TABLE odd (id int PRIMARY KEY, p point NOT NULL)"));
  auto r = FillEmptyTables(*db, 10);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_NE(r->problems[0].find("public.odd"), std::string::npos);
}

TEST(LockProbe, StrongestLockPerRelationAndNothingLeftBehind) {
  auto db = NewDb();
  ASSERT_TRUE(db->Exec("CREATE TABLE a (id int); CREATE TABLE b (id int)"));
  auto stmts = db->Split("SELECT count(*) FROM b; ALTER TABLE a ADD COLUMN x int; SELECT pg_sleep(0.05);");
  ASSERT_TRUE(stmts.has_value());
  auto locks = ProbeLocks(*db, *stmts);
  ASSERT_TRUE(locks.has_value()) << locks.error().message;
  ASSERT_EQ(locks->size(), 2u);
  EXPECT_EQ((*locks)[0].relation, "public.a");
  EXPECT_EQ((*locks)[0].mode, "AccessExclusiveLock");
  EXPECT_EQ((*locks)[0].statement, 2);
  EXPECT_GE((*locks)[0].held_ms, 50);
  EXPECT_EQ((*locks)[1].relation, "public.b");
  EXPECT_EQ((*locks)[1].mode, "AccessShareLock");
  // Rolled back: the column is not there.
  EXPECT_EQ(Scalar(*db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'a' AND column_name = 'x'"), "0");
  auto failing = db->Split("ALTER TABLE missing ADD COLUMN y int;");
  EXPECT_FALSE(ProbeLocks(*db, *failing).has_value());
  EXPECT_EQ(Scalar(*db, "SELECT 1"), "1");  // the session is usable again
}

}  // namespace
}  // namespace strata
