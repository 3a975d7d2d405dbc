#include "branch/rebase.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

#include "branch/test_util.h"
#include "core/integrity.h"
#include "project/migration_loader.h"
#include "util/files.h"

namespace fs = std::filesystem;

namespace strata::branch {
namespace {

class RebaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("strata_rebase_test_" + std::to_string(::getpid()))).string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories((fs::path(dir_) / rel).parent_path());
    std::ofstream(fs::path(dir_) / rel) << text;
  }
  void File(const std::string& label, const std::string& up, const std::string& header = "") {
    Write(label + ".sql", header + "-- +strata up\n" + up + "\n-- +strata down\nSELECT 1;\n");
  }
  std::vector<Migration> Load() {
    auto l = LoadMigrations(dir_, "svc");
    if (!l) throw std::runtime_error(l.error().Describe());
    return l->migrations;
  }
  std::string dir_;
};

TEST_F(RebaseTest, MovesFileAndFolderMigrationsOnTopOfTheBaseHead) {
  // Base: 20250101000000 -> 20250301000000. The branch forked after the first and added a file
  // and a folder migration with ids older than the base's newest.
  File("20250101000000_users", "CREATE TABLE users (id int);");
  File("20250301000000_email", "ALTER TABLE users ADD COLUMN email text;");
  File("20250201000000_phone", "ALTER TABLE users ADD COLUMN phone text;");
  Write("20250202000000_orders/up.sql", "CREATE TABLE orders (id int);\n");
  Write("20250202000000_orders/down.sql", "DROP TABLE orders;\n");
  Write("20250202000000_orders/strata.yaml", "parents: [20250201000000]\nlock_timeout: 1s\n");
  auto base = testing::G({testing::M("20250101000000_users", "CREATE TABLE users (id int);"),
                          testing::M("20250301000000_email", "ALTER TABLE users ADD COLUMN email text;")});
  std::vector<Migration> work = Load();
  auto plan = PlanRebase(dir_, "svc", work, base, "main", 1767225600);  // 2026-01-01
  ASSERT_TRUE(plan) << plan.error().Describe();
  ASSERT_EQ(plan->moves.size(), 2u);
  EXPECT_EQ(plan->moves[0].old_id, "20250201000000");
  EXPECT_EQ(plan->moves[0].new_id, "20260101000000");
  EXPECT_FALSE(plan->moves[0].explicit_parents);  // the previous id is the base head
  EXPECT_EQ(plan->moves[1].new_id, "20260101000001");
  EXPECT_EQ(plan->moves[1].parents, std::vector<std::string>{"20260101000000"});
  // Nothing changed yet.
  EXPECT_TRUE(fs::exists(dir_ + "/20250201000000_phone.sql"));
  ASSERT_TRUE(ApplyRebase(dir_, *plan));
  EXPECT_TRUE(fs::exists(dir_ + "/20260101000000_phone.sql"));
  EXPECT_TRUE(fs::exists(dir_ + "/20260101000001_orders/up.sql"));
  EXPECT_FALSE(fs::exists(dir_ + "/20250202000000_orders"));
  auto yaml = ReadFile(dir_ + "/20260101000001_orders/strata.yaml");
  EXPECT_EQ(*yaml, "parents: [20260101000000]\nlock_timeout: 1s\n");
  auto loaded = LoadMigrations(dir_, "svc");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*ReadFile(dir_ + "/strata.sum"), IntegrityFile::Compute(loaded->files).Render());
  auto graph = MigrationGraph::Build(loaded->migrations);
  ASSERT_TRUE(graph);
  EXPECT_EQ(graph->Heads(), std::vector<std::string>{"20260101000001"});
  EXPECT_TRUE(graph->IsAncestor("20250301000000", "20260101000000"));
  // A second rebase has nothing to move.
  auto again = PlanRebase(dir_, "svc", loaded->migrations, base, "main", 1767225600);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->moves.empty());
}

TEST_F(RebaseTest, CollidingIdIsRenamedAndExplicitParentsRelinked) {
  File("0001_users", "CREATE TABLE users (id int);");
  File("0002_email", "ALTER TABLE users ADD COLUMN email text;");   // the base's 0002
  File("0002_phone", "ALTER TABLE users ADD COLUMN phone text;", "-- strata:parents 0001\n");  // the branch's
  auto base = testing::G({testing::M("0001_users", "CREATE TABLE users (id int);"),
                          testing::M("0002_email", "ALTER TABLE users ADD COLUMN email text;")});
  auto plan = PlanRebase(dir_, "svc", Load(), base, "main");
  ASSERT_TRUE(plan) << plan.error().Describe();
  ASSERT_EQ(plan->moves.size(), 1u);
  EXPECT_EQ(plan->moves[0].new_id, "0003");
  EXPECT_TRUE(plan->moves[0].explicit_parents);  // it was explicit: it stays explicit
  ASSERT_TRUE(ApplyRebase(dir_, *plan));
  auto text = ReadFile(dir_ + "/0003_phone.sql");
  EXPECT_EQ(text->substr(0, 22), "-- strata:parents 0002");
}

TEST_F(RebaseTest, RefusesWhenTheBaseIsNotMergedIn) {
  File("0001_users", "CREATE TABLE users (id int);");
  File("0002_phone", "ALTER TABLE users ADD COLUMN phone text;");
  auto base = testing::G({testing::M("0001_users", "CREATE TABLE users (id int);"),
                          testing::M("0002_email", "ALTER TABLE users ADD COLUMN email text;")});
  auto plan = PlanRebase(dir_, "svc", Load(), base, "origin/main");
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("0002_email are not in this working tree"), std::string::npos) << plan.error().message;
  EXPECT_TRUE(fs::exists(dir_ + "/0002_phone.sql"));
}

}  // namespace
}  // namespace strata::branch
