// strata schema dump end to end: text and JSON of a migrated target, strata's own schema left
// out, and SQLite targets refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"

namespace strata::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CliSchemaTest, DumpsTheMigratedSchemaAsTextAndJson) {
  CliProject p(FreshPgDatabase("clischema"));
  p.Migration("0001_items.sql",
              "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);"
              "CREATE INDEX items_name ON items (name);",
              "DROP TABLE items;");
  CliResult applied = p.HashAndApply();
  ASSERT_EQ(applied.exit_code, 0) << applied.out;

  CliResult text = p.Run({"schema", "dump"});
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_THAT(text.out, HasSubstr("table public.items\n  id bigint NOT NULL GENERATED ALWAYS AS IDENTITY\n"));
  EXPECT_THAT(text.out, HasSubstr("CREATE INDEX items_name ON public.items USING btree (name)"));
  EXPECT_THAT(text.out, Not(HasSubstr("strata.history")));
  EXPECT_THAT(text.out, Not(HasSubstr("schema strata")));

  int code = -1;
  nlohmann::json doc = p.RunJson({"schema", "dump"}, &code);
  ASSERT_EQ(code, 0) << doc.dump(2);
  ASSERT_EQ(doc["targets"].size(), 1u);
  EXPECT_EQ(doc["targets"][0]["service"], "app");
  const auto& tables = doc["targets"][0]["schema"]["tables"];
  ASSERT_EQ(tables.size(), 1u) << tables.dump(2);
  EXPECT_EQ(tables[0]["name"], "items");
  EXPECT_EQ(tables[0]["columns"][1]["nullable"], false);

  CliResult as_json = p.Run({"schema", "dump", "--format", "json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.out;
  EXPECT_EQ(nlohmann::json::parse(as_json.out), doc);
}

TEST(CliSchemaTest, SqliteTargetsAreRefused) {
  CliProject p("sqlite:" + FreshSqlitePath());
  CliResult r = p.Run({"schema", "dump"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("schema dump supports PostgreSQL targets"));
}

}  // namespace
}  // namespace strata::testing
