#include "sandbox/sqlite_sandbox.h"

#include <filesystem>
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "tests/support/pg_test_env.h"
#include "util/database_url.h"

namespace fs = std::filesystem;

namespace strata {
namespace {

TEST(SqliteSandboxTest, UpUrlDownRoundTripWithARealDatabase) {
  std::string state = testing::TempDir() + "/.strata/sqlite-sandbox";
  auto none = SqliteSandbox::Open(state, false);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  auto sb = SqliteSandbox::Open(state, true);
  ASSERT_TRUE(sb && sb->has_value());
  auto url = (*sb)->CreateDatabase("app");
  ASSERT_TRUE(url) << url.error().Describe();
  EXPECT_EQ(*url, "sqlite:" + (*sb)->dir() + "/app.db");
  // The file is a database SQLite accepts.
  auto parsed = DatabaseUrl::Parse(*url);
  ASSERT_TRUE(parsed);
  auto engine = Connect(*parsed, "test");
  ASSERT_TRUE(engine) << engine.error().Describe();
  ASSERT_TRUE((*engine)->Exec("CREATE TABLE t (id integer)"));
  engine->reset();

  // A second Open finds the same folder.
  auto again = SqliteSandbox::Open(state, false);
  ASSERT_TRUE(again && again->has_value());
  EXPECT_EQ((*again)->dir(), (*sb)->dir());
  EXPECT_FALSE((*again)->Url("bad-name"));

  ASSERT_TRUE((*again)->Remove());
  EXPECT_FALSE(fs::exists((*sb)->dir()));
  EXPECT_FALSE(fs::exists(state));
}

}  // namespace
}  // namespace strata
