// The planner against a real PostgreSQL: sizes and row estimates from the catalog, facts and
// risk per statement, lock time growing with the table.
#include "plan/planner.h"

#include <gtest/gtest.h>

#include <memory>

#include "core/graph.h"
#include "engine/engine.h"
#include "migrate/migrator.h"
#include "tests/support/pg_test_env.h"
#include "util/database_url.h"

namespace strata::plan {
namespace {

class PlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = DatabaseUrl::Parse(testing::FreshPgDatabase("plan"));
    ASSERT_TRUE(url.has_value());
    auto engine = Connect(*url, "strata-plan-test");
    ASSERT_TRUE(engine.has_value()) << engine.error().message;
    engine_ = std::move(*engine);
  }

  void Exec(const std::string& sql) {
    auto r = engine_->Exec(sql);
    ASSERT_TRUE(r.has_value()) << r.error().message;
  }

  // A table with `rows` rows, analyzed.
  void MakeTable(const std::string& name, int rows) {
    Exec("CREATE TABLE " + name + " (id integer PRIMARY KEY, v integer NOT NULL, note text)");
    Exec("INSERT INTO " + name + " SELECT g, g % 1000, 'row ' || g FROM generate_series(1, " + std::to_string(rows) +
         ") g");
    Exec("ANALYZE " + name);
  }

  static Migration Mig(const std::string& id, const std::string& up, bool no_transaction = false,
                       bool reversible = true) {
    Migration m;
    m.id = id;
    m.name = "m" + id;
    m.up = Section{true, up, id + "_m.sql", 2};
    if (reversible) {
      m.down = Section{true, "SELECT 1;", id + "_m.sql", 10};
    } else {
      m.irreversible = "data is dropped";
    }
    m.no_transaction = no_transaction;
    return m;
  }

  Plan PlanOf(const std::vector<Migration>& ms) {
    std::vector<const Migration*> todo;
    for (const auto& m : ms) todo.push_back(&m);
    auto p = BuildPlan(todo, *engine_, PlanOptions{});
    EXPECT_TRUE(p.has_value()) << p.error().message;
    return p ? std::move(*p) : Plan{};
  }

  std::string Scalar(const std::string& sql) {
    auto r = engine_->Query(sql);
    EXPECT_TRUE(r.has_value());
    return r && r->size() ? r->rows[0][0].value_or("NULL") : "";
  }

  std::unique_ptr<Engine> engine_;
};

TEST_F(PlannerTest, SizesAndRowEstimatesComeFromTheCatalog) {
  MakeTable("items", 50000);
  Plan p = PlanOf({Mig("0001", "ALTER TABLE items ADD COLUMN c text;")});
  ASSERT_EQ(p.tables.count("items"), 1u);
  const TableInfo& t = p.tables.at("items");
  EXPECT_TRUE(t.exists);
  EXPECT_EQ(t.bytes, std::stoll(Scalar("SELECT pg_total_relation_size('items')")));
  ASSERT_TRUE(t.rows.has_value());
  EXPECT_NEAR(static_cast<double>(*t.rows), 50000.0, 500.0);
  EXPECT_EQ(p.pg_major, engine_->server_version() / 10000);
  ASSERT_EQ(p.migrations.size(), 1u);
  const PlannedMigration& m = p.migrations[0];
  ASSERT_EQ(m.statements.size(), 1u);
  const PlannedStatement& s = m.statements[0];
  EXPECT_EQ(s.line, 2);
  EXPECT_EQ(s.file, "0001_m.sql");
  EXPECT_EQ(s.text, "ALTER TABLE items ADD COLUMN c text");
  EXPECT_EQ(s.kind, "ALTER TABLE ADD COLUMN");
  ASSERT_EQ(s.relations.size(), 1u);
  EXPECT_EQ(s.relations[0].bytes, t.bytes);
  // ADD COLUMN (nullable, no default): metadata only under a brief ACCESS EXCLUSIVE.
  EXPECT_EQ(s.risk.risk, Risk::kLow);
  EXPECT_EQ(s.risk.lock, lint::LockMode::kAccessExclusive);
  EXPECT_FALSE(s.rewrite);
  EXPECT_FALSE(s.scan);
  EXPECT_LT(m.lock_seconds, 0.1);
  EXPECT_EQ(m.risk, Risk::kLow);
  EXPECT_TRUE(m.reversible);
}

TEST_F(PlannerTest, UnanalyzedTableHasUnknownRowsNotAScan) {
  Exec("CREATE TABLE raw (id integer)");
  Plan p = PlanOf({Mig("0001", "ALTER TABLE raw ADD COLUMN c text;")});
  EXPECT_TRUE(p.tables.at("raw").exists);
  EXPECT_FALSE(p.tables.at("raw").rows.has_value());
}

TEST_F(PlannerTest, ColumnTypeChangeIsHighWithALockTimeGrowingWithSize) {
  MakeTable("small_t", 20000);
  MakeTable("large_t", 200000);
  Plan p = PlanOf({Mig("0001", "ALTER TABLE small_t ALTER COLUMN v TYPE bigint;"),
                   Mig("0002", "ALTER TABLE large_t ALTER COLUMN v TYPE bigint;")});
  ASSERT_EQ(p.migrations.size(), 2u);
  const PlannedStatement& small = p.migrations[0].statements.at(0);
  const PlannedStatement& large = p.migrations[1].statements.at(0);
  for (const PlannedStatement* s : {&small, &large}) {
    EXPECT_TRUE(s->rewrite);
    EXPECT_EQ(s->risk.lock, lint::LockMode::kAccessExclusive);
    EXPECT_EQ(s->risk.risk, Risk::kHigh) << s->risk.reasons.front();
    EXPECT_FALSE(s->findings.empty());
  }
  EXPECT_GT(large.risk.lock_seconds, small.risk.lock_seconds * 5);
  EXPECT_GT(p.migrations[1].lock_seconds, p.migrations[0].lock_seconds);
  EXPECT_EQ(p.migrations[1].risk, Risk::kHigh);
  EXPECT_NE(p.migrations[1].reasons.front().find("large_t"), std::string::npos) << p.migrations[1].reasons.front();
  EXPECT_EQ(p.MaxRisk(), Risk::kHigh);
}

TEST_F(PlannerTest, IndexBuildsShareVersusConcurrently) {
  MakeTable("orders", 100000);
  Plan p = PlanOf({Mig("0001", "CREATE INDEX orders_v ON orders (v);"),
                   Mig("0002", "CREATE INDEX CONCURRENTLY orders_note ON orders (note);", true)});
  const PlannedStatement& plain = p.migrations.at(0).statements.at(0);
  EXPECT_EQ(plain.risk.lock, lint::LockMode::kShare);
  EXPECT_TRUE(plain.scan);
  EXPECT_GE(plain.risk.risk, Risk::kMedium);
  EXPECT_GT(plain.risk.lock_seconds, 0.005);
  const PlannedStatement& concurrent = p.migrations.at(1).statements.at(0);
  EXPECT_EQ(concurrent.risk.lock, lint::LockMode::kShareUpdateExclusive);
  EXPECT_FALSE(concurrent.transactional);
  EXPECT_EQ(concurrent.risk.risk, Risk::kLow);
  EXPECT_EQ(p.migrations.at(1).risk, Risk::kLow);
}

TEST_F(PlannerTest, NewTablesLowIrreversibleMediumAndTransactionHoldsToCommit) {
  MakeTable("accounts", 30000);
  Plan p = PlanOf({Mig("0001",
                       "CREATE TABLE fresh (id integer PRIMARY KEY, v integer);\n"
                       "ALTER TABLE fresh ALTER COLUMN v TYPE bigint;"),
                   Mig("0002", "ALTER TABLE accounts DROP COLUMN note;", false, false),
                   Mig("0003",
                       "ALTER TABLE accounts ADD COLUMN flag boolean;\n"
                       "ALTER TABLE accounts ALTER COLUMN v TYPE bigint;\n"
                       "UPDATE accounts SET flag = true WHERE id < 10;")});
  const PlannedMigration& fresh = p.migrations.at(0);
  EXPECT_EQ(fresh.risk, Risk::kLow) << fresh.reasons.front();
  ASSERT_EQ(fresh.statements.size(), 2u);
  EXPECT_EQ(fresh.statements[1].line, 3);
  EXPECT_TRUE(fresh.statements[1].relations.at(0).created_in_plan);
  const PlannedMigration& drop = p.migrations.at(1);
  EXPECT_FALSE(drop.reversible);
  EXPECT_EQ(drop.irreversible_reason, "data is dropped");
  EXPECT_GE(drop.risk, Risk::kMedium);
  bool names_irreversible = false;
  for (const auto& r : drop.reasons) names_irreversible |= r.find("irreversible") != std::string::npos;
  EXPECT_TRUE(names_irreversible);
  // ACCESS EXCLUSIVE from the first ALTER until COMMIT: all three statements' time.
  const PlannedMigration& tx = p.migrations.at(2);
  EXPECT_EQ(tx.lock, lint::LockMode::kAccessExclusive);
  EXPECT_EQ(tx.lock_table, "accounts");
  double sum = 0;
  for (const auto& s : tx.statements) sum += s.risk.lock_seconds;
  EXPECT_DOUBLE_EQ(tx.lock_seconds, sum);
  EXPECT_EQ(tx.risk, Risk::kHigh);
}

TEST_F(PlannerTest, PlanTargetFollowsApplyOrderAndTo) {
  std::vector<Migration> ms = {Mig("0001", "CREATE TABLE a (id integer);"), Mig("0002", "CREATE TABLE b (id integer);"),
                               Mig("0003", "CREATE TABLE c (id integer);")};
  for (auto& m : ms) m.checksum = ComputeChecksum(m);
  auto graph = MigrationGraph::Build(ms);
  ASSERT_TRUE(graph.has_value()) << graph.error().message;
  Migrator migrator(*graph, ExecSettings{}, *engine_, "app", "app@test", Actor{"t", "h", "plan"});
  auto all = PlanTarget(*graph, migrator, *engine_, "app", "app@test", PlanOptions{});
  ASSERT_TRUE(all.has_value()) << all.error().message;
  ASSERT_EQ(all->migrations.size(), 3u);
  EXPECT_EQ(all->migrations[0].id, "0001");
  EXPECT_EQ(all->migrations[2].id, "0003");
  EXPECT_EQ(all->service, "app");
  PlanOptions to;
  to.to = "0002";
  auto some = PlanTarget(*graph, migrator, *engine_, "app", "app@test", to);
  ASSERT_TRUE(some.has_value());
  ASSERT_EQ(some->migrations.size(), 2u);
  EXPECT_EQ(some->migrations[1].id, "0002");
  to.to = "9999";
  EXPECT_FALSE(PlanTarget(*graph, migrator, *engine_, "app", "app@test", to).has_value());
}

TEST_F(PlannerTest, PolicyRefusesAboveMaxUnlessApproved) {
  MakeTable("p", 30000);
  Plan p = PlanOf({Mig("0001", "ALTER TABLE p ADD COLUMN c text;"),
                   Mig("0002", "ALTER TABLE p ALTER COLUMN v TYPE bigint;")});
  auto v = CheckPolicy(p, Risk::kMedium, {});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].migration_id, "0002");
  EXPECT_EQ(v[0].risk, Risk::kHigh);
  EXPECT_FALSE(v[0].approved);
  EXPECT_TRUE(CheckPolicy(p, Risk::kHigh, {}).empty());
  auto ok = CheckPolicy(p, Risk::kLow, {"0002"});
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_TRUE(ok[0].approved);
}

}  // namespace
}  // namespace strata::plan
