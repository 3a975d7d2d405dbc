// Parsing online migration files: strata's YAML and pgroll's JSON, and every bad field
// rejected with its file and line.
#include "online/migration_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace strata::online {
namespace {

using ::testing::HasSubstr;

TEST(MigrationFileTest, ReadsPgrollJson) {
  auto m = ParseOnlineMigration(R"({
  "name": "02_add_rating",
  "operations": [
    {"add_column": {"table": "reviews", "up": "0",
      "column": {"name": "rating", "type": "integer", "nullable": false, "default": "0",
                 "check": {"name": "rating_range", "constraint": "rating BETWEEN 0 AND 5"}}}},
    {"create_index": {"name": "reviews_rating", "table": "reviews", "columns": ["rating"]}}
  ]
})", "02_add_rating.json", "ignored");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  EXPECT_EQ(m->name, "02_add_rating");
  ASSERT_EQ(m->operations.size(), 2u);
  EXPECT_EQ(m->operations[0]->kind(), "add_column");
  EXPECT_EQ(m->operations[0]->line, 4);
  EXPECT_EQ(m->operations[1]->Describe(), "create_index reviews_rating on reviews (rating)");
  EXPECT_FALSE(m->unsafe());
}

TEST(MigrationFileTest, NameDefaultsToTheFileStem) {
  auto m = ParseOnlineMigration("operations:\n  - sql: {up: 'SELECT 1'}\n", "x/03_raw.yaml", "03_raw");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->name, "03_raw");
  EXPECT_TRUE(m->unsafe());
}

struct BadCase {
  const char* text;
  int line;
  const char* message;
};

TEST(MigrationFileTest, RejectsBadInputWithFileAndLine) {
  const BadCase cases[] = {
      {"operations:\n  - add_colum: {table: t}\n", 2, "unknown operation 'add_colum'"},
      {"operations:\n  - add_column:\n      table: t\n      column: {name: c, type: int}\n      colour: red\n", 5,
       "unknown field 'colour'"},
      {"operations:\n  - add_column:\n      table: t\n", 3, "missing required field 'column'"},
      {"operations:\n  - add_column:\n      table: t\n      column: {name: c}\n", 4, "missing required field 'type'"},
      {"operations:\n  - add_column:\n      table: t\n      column: {name: c, type: int, nullable: maybe}\n", 4,
       "expected true or false"},
      {"operations:\n  - create_index: {name: i, table: t, columns: [a], method: bogus}\n", 2, "method"},
      {"operations:\n  - create_constraint: {table: t, name: c, type: primary, columns: [a]}\n", 2, "expected unique"},
      {"operations:\n  - alter_column: {table: t, column: c}\n", 2, "nothing to change"},
      {"operations:\n  - alter_column: {table: t, column: c, name: d, up: x}\n", 2, "up/down only apply"},
      {"name: Bad-Name\noperations:\n  - drop_table: {name: t}\n", 1, "must be 1 to 40 characters"},
      {"operations: [\n", 2, "not valid YAML/JSON"},
      {"operations: []\n", 1, "must not be empty"},
      {"operations:\n  - {drop_table: {name: t}, drop_index: {name: i}}\n", 2, "exactly one key"},
  };
  for (const auto& c : cases) {
    auto m = ParseOnlineMigration(c.text, "bad.yaml", "bad");
    ASSERT_FALSE(m.has_value()) << c.text;
    EXPECT_EQ(m.error().kind, ErrorKind::kInput) << c.text;
    EXPECT_EQ(m.error().file, "bad.yaml");
    EXPECT_EQ(m.error().line, c.line) << c.text << m.error().message;
    EXPECT_THAT(m.error().message, HasSubstr(c.message)) << c.text;
  }
}

TEST(MigrationFileTest, ValidatesAgainstTheShapeOperationByOperation) {
  SchemaModel base;
  ModelTable users{"users", "users"};
  users.columns.push_back({"id", "id", "bigint", true, std::nullopt, std::nullopt});
  users.columns.push_back({"name", "name", "text", true, std::nullopt, std::nullopt});
  users.primary_key = {"id"};
  base.tables.push_back(users);
  auto m = ParseOnlineMigration(R"(operations:
  - rename_table: {from: users, to: people}
  - add_column: {table: people, column: {name: age, type: int}, up: "0"}
  - alter_column: {table: people, column: name, type: varchar(10)}
  - add_column: {table: users, column: {name: x, type: int, nullable: true}}
)", "m.yaml", "m");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  auto shapes = ApplyOperations(*m, base);
  ASSERT_FALSE(shapes.has_value());
  EXPECT_EQ(shapes.error().line, 5);
  EXPECT_THAT(shapes.error().message, HasSubstr("table 'users' does not exist"));

  m->operations.pop_back();
  shapes = ApplyOperations(*m, base);
  ASSERT_TRUE(shapes.has_value()) << shapes.error().Describe();
  const ModelTable* people = shapes->back().Find("people");
  ASSERT_NE(people, nullptr);
  EXPECT_EQ(people->physical, "users");
  EXPECT_EQ(people->Find("age")->physical, "_strata_new_age");
  EXPECT_EQ(people->Find("name")->physical, "_strata_new_name");
  EXPECT_EQ(people->Find("name")->type, "varchar(10)");

  // NOT NULL without default needs `up`.
  auto nn = ParseOnlineMigration("operations:\n  - add_column: {table: users, column: {name: z, type: int}}\n", "n.yaml", "n");
  ASSERT_TRUE(nn.has_value());
  auto r = ApplyOperations(*nn, base);
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("give it an `up` expression"));
}

}  // namespace
}  // namespace strata::online
