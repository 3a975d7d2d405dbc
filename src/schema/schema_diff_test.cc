#include "schema/schema_diff.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

using nlohmann::json;

json Table(const std::string& name, json columns, json constraints = json::array()) {
  return {{"schema", "public"}, {"name", name}, {"partitioned", false}, {"comment", nullptr},
          {"columns", columns}, {"constraints", constraints}};
}
json Col(const std::string& name, const std::string& type, bool nullable = true) {
  return {{"name", name}, {"type", type}, {"nullable", nullable}, {"default", nullptr}};
}

TEST(SchemaDiff, EqualSnapshotsHaveNoChanges) {
  json s = {{"tables", {Table("t", {Col("id", "integer"), Col("x", "text")})}}};
  SchemaDiff d = DiffSnapshots(s, s);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(ToJson(d)["equal"], true);
  EXPECT_EQ(ToText(d), "");
}

TEST(SchemaDiff, AddedRemovedAndChangedObjectsWithAttributes) {
  json a = {{"tables", {Table("t", {Col("id", "integer"), Col("x", "text")}), Table("gone", {Col("id", "integer")})}},
            {"indexes", {{{"schema", "public"}, {"table", "t"}, {"name", "t_x"}, {"definition", "CREATE INDEX t_x ON t (x)"}}}}};
  json b = {{"tables", {Table("t", {Col("id", "bigint", false), Col("y", "text")}), Table("new", {Col("id", "integer")})}},
            {"indexes", json::array()}};
  SchemaDiff d = DiffSnapshots(a, b);
  std::map<std::string, const ObjectChange*> by;
  for (const auto& c : d.changes) by[c.kind + " " + c.name] = &c;
  ASSERT_TRUE(by.count("table public.gone"));
  EXPECT_EQ(by["table public.gone"]->change, "removed");
  ASSERT_TRUE(by.count("table public.new"));
  EXPECT_EQ(by["table public.new"]->change, "added");
  ASSERT_TRUE(by.count("column public.t.x"));
  EXPECT_EQ(by["column public.t.x"]->change, "removed");
  ASSERT_TRUE(by.count("column public.t.y"));
  EXPECT_EQ(by["column public.t.y"]->change, "added");
  ASSERT_TRUE(by.count("column public.t.id"));
  const ObjectChange& id = *by["column public.t.id"];
  EXPECT_EQ(id.change, "changed");
  ASSERT_EQ(id.attributes.size(), 2u);  // nullable and type, in key order
  EXPECT_EQ(id.attributes[0].attribute, "nullable");
  EXPECT_EQ(id.attributes[1].attribute, "type");
  EXPECT_EQ(id.attributes[1].before, "integer");
  EXPECT_EQ(id.attributes[1].after, "bigint");
  ASSERT_TRUE(by.count("index public.t_x"));
  EXPECT_EQ(by["index public.t_x"]->change, "removed");
  EXPECT_EQ(d.Count("added"), 2);
  EXPECT_EQ(d.Count("removed"), 3);
  EXPECT_EQ(d.Count("changed"), 1);
  EXPECT_NE(ToText(d).find("~ column public.t.id: nullable: true → false; type: integer → bigint"), std::string::npos)
      << ToText(d);
}

TEST(SchemaDiff, ColumnOrderIsAChangeUnlessIgnored) {
  json a = {{"tables", {Table("t", {Col("a", "integer"), Col("b", "integer")})}}};
  json b = {{"tables", {Table("t", {Col("b", "integer"), Col("a", "integer")})}}};
  SchemaDiff d = DiffSnapshots(a, b);
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_EQ(d.changes[0].kind, "table");
  EXPECT_EQ(d.changes[0].attributes.at(0).attribute, "column order");
  DiffOptions ignore;
  ignore.ignore_column_order = true;
  EXPECT_TRUE(DiffSnapshots(a, b, ignore).empty());
}

TEST(SchemaDiff, OwnersComparedOnlyWhenBothSidesHaveThem) {
  json a = {{"tables", {Table("t", json::array())}}};
  json b = a;
  b["tables"][0]["owner"] = "alice";
  EXPECT_TRUE(DiffSnapshots(a, b).empty());
  a["tables"][0]["owner"] = "bob";
  SchemaDiff d = DiffSnapshots(a, b);
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_EQ(d.changes[0].attributes.at(0).attribute, "owner");
}

TEST(SchemaDiff, FunctionsAreKeyedByArguments) {
  json f1 = {{"schema", "public"}, {"name", "f"}, {"arguments", "integer"}, {"definition", "x"}};
  json f2 = {{"schema", "public"}, {"name", "f"}, {"arguments", "text"}, {"definition", "x"}};
  SchemaDiff d = DiffSnapshots({{"functions", {f1}}}, {{"functions", {f1, f2}}});
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_EQ(d.changes[0].name, "public.f(text)");
  EXPECT_EQ(d.changes[0].change, "added");
}

TEST(SchemaDiff, SnapshotFromDumpDocument) {
  json snap = {{"tables", json::array()}};
  auto bare = SnapshotFromDocument(snap, "", "a.json");
  ASSERT_TRUE(bare);
  json dump = {{"targets", {{{"service", "users"}, {"target", "users@dev"}, {"schema", snap}},
                            {{"service", "orders"}, {"target", "orders@dev"}, {"schema", {{"tables", {Table("o", json::array())}}}}}}}};
  auto picked = SnapshotFromDocument(dump, "orders", "dump.json");
  ASSERT_TRUE(picked);
  EXPECT_EQ((*picked)["tables"].size(), 1u);
  auto ambiguous = SnapshotFromDocument(dump, "", "dump.json");
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().kind, ErrorKind::kInput);
  EXPECT_NE(ambiguous.error().message.find("dump.json"), std::string::npos);
  EXPECT_FALSE(SnapshotFromDocument(json::array(), "", "x.json"));
  EXPECT_FALSE(SnapshotFromDocument({{"foo", 1}}, "", "x.json"));
}

}  // namespace
}  // namespace strata
