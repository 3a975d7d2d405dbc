// The SQL of dual-write triggers and version schemas (no database: the lifecycle tests run it).
#include "online/trigger_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "online/version_schema.h"

namespace strata::online {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ModelTable Users(bool with_copy) {
  ModelTable t{"users", "users"};
  t.columns.push_back({"id", "id", "bigint", true, std::nullopt, std::nullopt});
  t.columns.push_back({"age", with_copy ? "_strata_new_age" : "age", "bigint", false, std::nullopt, std::nullopt});
  t.columns.push_back({"name", "name", "text", true, std::nullopt, std::nullopt});
  return t;
}

TEST(TriggerBuilderTest, EachBranchDeclaresTheColumnsItsExpressionsName) {
  ModelTable old_shape = Users(false), new_shape = Users(true);
  std::vector<TriggerRule> rules = {{"users", "_strata_new_age", "age::bigint", false},
                                    {"users", "age", "age::int", true},
                                    {"orders", "x", "1", false}};
  auto sql = CreateTriggerSql("public", "m1", "public_m1", "users", &old_shape, new_shape, rules);
  ASSERT_EQ(sql.size(), 3u);
  const std::string& fn = sql[0];
  EXPECT_THAT(fn, HasSubstr("', ',public_m1,') > 0"));
  EXPECT_THAT(fn, HasSubstr("OR current_setting('strata.version', true) = 'public_m1' THEN"));
  // New version wrote: `age` is the copy; old version wrote: `age` is the original.
  EXPECT_THAT(fn, HasSubstr("\"age\" \"public\".\"users\".\"_strata_new_age\"%TYPE := NEW.\"_strata_new_age\";"));
  EXPECT_THAT(fn, HasSubstr("NEW.\"age\" := (age::int);"));
  EXPECT_THAT(fn, HasSubstr("\"age\" \"public\".\"users\".\"age\"%TYPE := NEW.\"age\";"));
  EXPECT_THAT(fn, HasSubstr("NEW.\"_strata_new_age\" := (age::bigint);"));
  EXPECT_THAT(fn, Not(HasSubstr("\"name\" \"public\"")));  // not named by any expression
  EXPECT_THAT(fn, Not(HasSubstr("NEW.\"x\"")));           // another table's rule
  EXPECT_THAT(sql[2], HasSubstr("BEFORE INSERT OR UPDATE ON \"public\".\"users\" FOR EACH ROW"));
}

TEST(TriggerBuilderTest, CreatedTablesHaveNoOldBranch) {
  ModelTable t = Users(true);
  auto sql = CreateTriggerSql("public", "m1", "public_m1", "users", nullptr, t, {{"users", "_strata_new_age", "1", false}});
  EXPECT_THAT(sql[0], HasSubstr("ELSE\n    NULL;"));
}

TEST(VersionSchemaTest, ViewsMapLogicalToPhysicalNames) {
  SchemaModel m;
  ModelTable t = Users(true);
  t.name = "people";
  t.columns[2].view_default = "'anon'";
  m.tables.push_back(t);
  auto sql = CreateVersionSchemaSql("public", VersionSchemaName("public", "m1"), m);
  ASSERT_EQ(sql.size(), 3u);
  EXPECT_EQ(sql[0], "CREATE SCHEMA IF NOT EXISTS \"public_m1\"");
  EXPECT_EQ(sql[1], "CREATE OR REPLACE VIEW \"public_m1\".\"people\" AS SELECT \"id\", \"_strata_new_age\" AS \"age\", "
                    "\"name\" FROM \"public\".\"users\"");
  EXPECT_EQ(sql[2], "ALTER VIEW \"public_m1\".\"people\" ALTER COLUMN \"name\" SET DEFAULT 'anon'");
  auto role = CreateRoleSql("public", "public_m1");
  EXPECT_THAT(role[0], HasSubstr("ALTER ROLE %I IN DATABASE %I SET search_path TO %I, %I"));
}

}  // namespace
}  // namespace strata::online
