#include "testkit/seed_data.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/pg_test_env.h"

namespace strata {
namespace {

TEST(ParseCsv, QuotesNullsAndNewlines) {
  auto r = ParseCsv("a,b,c\n1,,\"x, \"\"y\"\"\"\n2,\"\",\"two\nlines\"\r\n", "f.csv");
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[1][0], "1");
  EXPECT_EQ((*r)[1][1], std::nullopt);  // empty unquoted: NULL
  EXPECT_EQ((*r)[1][2], "x, \"y\"");
  EXPECT_EQ((*r)[2][1], "");            // empty quoted: empty string
  EXPECT_EQ((*r)[2][2], "two\nlines");
}

TEST(ParseCsv, UnterminatedQuoteNamesFileAndLine) {
  auto r = ParseCsv("a\n1\n\"open\n", "seeds/t.csv");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kInput);
  EXPECT_EQ(r.error().file, "seeds/t.csv");
  EXPECT_EQ(r.error().line, 3);
}

TEST(LoadSeeds, OrderAndMigrationPrefixes) {
  std::string dir = strata::testing::TempDir();
  for (const char* name : {"0002_fix.sql", "public.users.csv", "notes.txt", "0009_unknown.sql"}) {
    std::ofstream(std::filesystem::path(dir) / name) << "x";
  }
  auto seeds = LoadSeeds(dir, {"0001", "0002"});
  ASSERT_TRUE(seeds.has_value());
  ASSERT_EQ(seeds->size(), 3u);  // .txt ignored
  EXPECT_EQ((*seeds)[0].after_id, "0002");
  EXPECT_EQ((*seeds)[1].after_id, "");  // 0009 is no migration id here: runs after the last
  EXPECT_TRUE((*seeds)[2].csv);
  EXPECT_EQ((*seeds)[2].table, "\"public\".\"users\"");
  auto none = LoadSeeds(dir + "/missing", {});
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST(RunSeed, CsvRowsGoInOneTransactionAndABadRowIsNamed) {
  auto url = DatabaseUrl::Parse(strata::testing::FreshPgDatabase("seed"));
  ASSERT_TRUE(url.has_value());
  auto db = Connect(*url, "seed-test");
  ASSERT_TRUE(db.has_value());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t (id int PRIMARY KEY, name text)"));
  SeedFile ok{"t.csv", "", true, "\"t\"", "id,name\n1,a\n2,\n"};
  auto n = RunSeed(**db, ok);
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(*n, 2);
  auto rows = (*db)->Query("SELECT count(*), count(name) FROM t");
  EXPECT_EQ(rows->rows[0][0], "2");
  EXPECT_EQ(rows->rows[0][1], "1");
  SeedFile dup{"t.csv", "", true, "\"t\"", "id,name\n3,c\n1,again\n"};
  auto bad = RunSeed(**db, dup);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().line, 3);
  rows = (*db)->Query("SELECT count(*) FROM t");
  EXPECT_EQ(rows->rows[0][0], "2");  // all or nothing
}

}  // namespace
}  // namespace strata
