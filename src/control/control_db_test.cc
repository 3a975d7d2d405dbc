#include "control/control_db.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/support/pg_test_env.h"

namespace strata {
namespace {

std::unique_ptr<ControlDb> OpenPg(const std::string& url_text) {
  auto url = DatabaseUrl::Parse(url_text);
  EXPECT_TRUE(url.has_value());
  auto db = OpenControlDbUrl(*url);
  EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().message);
  return std::move(*db);
}

TEST(ControlDb, BootstrapsVersionedModulesOnceAndAppendsNewVersions) {
  std::string url = testing::FreshPgDatabase("ctl");
  auto db = OpenPg(url);
  ASSERT_TRUE(db);
  EXPECT_EQ(*db->ModuleVersion("control"), 1);
  std::vector<std::string> v1 = {"CREATE TABLE {schema}widgets (id INT PRIMARY KEY)"};
  ASSERT_TRUE(db->EnsureModule("widgets", v1));
  EXPECT_EQ(*db->ModuleVersion("widgets"), 1);
  // Running it again does nothing (a second CREATE TABLE would fail).
  ASSERT_TRUE(db->EnsureModule("widgets", v1));
  // A second session sees the same version and runs only the appended statement.
  auto other = OpenPg(url);
  std::vector<std::string> v2 = v1;
  v2.push_back("ALTER TABLE {schema}widgets ADD COLUMN name TEXT");
  ASSERT_TRUE(other->EnsureModule("widgets", v2));
  EXPECT_EQ(*db->ModuleVersion("widgets"), 2);
  auto rows = db->engine().Query("SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                                 "'strata_control' AND table_name = 'widgets'");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->rows[0][0], "2");
}

TEST(ControlDb, FailingStatementKeepsTheVersionAndNamesModule) {
  auto db = OpenPg(testing::FreshPgDatabase("ctl"));
  std::vector<std::string> ddl = {"CREATE TABLE {schema}ok (id INT)", "CREATE TABLE {schema}broken (id NOSUCHTYPE)"};
  auto r = db->EnsureModule("m", ddl);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kDatabase);
  EXPECT_NE(r.error().message.find("m version 2"), std::string::npos) << r.error().message;
  EXPECT_EQ(*db->ModuleVersion("m"), 1);
}

TEST(ControlDb, RegisteredModulesRunInEnsureSchema) {
  RegisterControlTables("registered_test", {"CREATE TABLE {schema}registered (id INT)"});
  auto db = OpenPg(testing::FreshPgDatabase("ctl"));
  EXPECT_EQ(*db->ModuleVersion("registered_test"), 1);
  RegisterControlTables("registered_test", {});
}

TEST(ControlDb, AdvisoryLockIsExclusiveNamesItsHolderAndDiesWithTheSession) {
  std::string url = testing::FreshPgDatabase("ctl");
  auto a = OpenPg(url);
  auto b = OpenPg(url);
  ASSERT_TRUE(*a->TryAdvisoryLock("rollout", "rollout run --env prod"));
  EXPECT_FALSE(*b->TryAdvisoryLock("rollout"));
  auto holder = b->LockHolder("rollout");
  ASSERT_TRUE(holder && holder->has_value());
  EXPECT_NE((*holder)->Describe().find("rollout run --env prod"), std::string::npos);
  EXPECT_EQ((*holder)->session, a->engine().SessionId());
  // Other keys are independent.
  EXPECT_TRUE(*b->TryAdvisoryLock("other"));
  a.reset();  // session ends: the server releases the lock once its backend has gone, shortly after
  bool taken = false;
  for (int i = 0; i < 100 && !taken; ++i) {
    taken = *b->TryAdvisoryLock("rollout");
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(taken);
  ASSERT_TRUE(b->UnlockAdvisory("rollout"));
  auto none = b->LockHolder("rollout");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST(ControlDb, SqliteControlDatabase) {
  auto url = DatabaseUrl::Parse("sqlite:" + testing::FreshSqlitePath());
  auto db = OpenControlDbUrl(*url);
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE((*db)->EnsureModule("w", {"CREATE TABLE {schema}w (id INTEGER)"}));
  EXPECT_EQ(*(*db)->ModuleVersion("w"), 1);
  EXPECT_TRUE((*db)->engine().Query("SELECT count(*) FROM strata_control_w"));
  EXPECT_TRUE(*(*db)->TryAdvisoryLock("rollout"));
}

TEST(ControlDb, OpenFromProjectNeedsControlSectionAndKeepsPasswordOut) {
  std::string dir = testing::TempDir();
  {
    std::ofstream f(dir + "/strata.toml");
    f << "[services.users]\nmigrations = \"m\"\n";
  }
  auto p = LoadProjectConfig(dir + "/strata.toml");
  ASSERT_TRUE(p);
  auto r = OpenControlDb(*p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kInput);
  EXPECT_NE(r.error().message.find("[control]"), std::string::npos);
  {
    std::ofstream f(dir + "/strata.toml");
    f << "[control]\nurl = \"${STRATA_TEST_CONTROL_URL_UNSET}\"\n[services.users]\nmigrations = \"m\"\n";
  }
  p = LoadProjectConfig(dir + "/strata.toml");
  ASSERT_TRUE(p);
  r = OpenControlDb(*p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().line, 2);
  // A wrong password: the message shows the URL redacted.
  std::string url = testing::FreshPgDatabase("ctl");
  std::string bad = "postgres://nosuchuser:sekrit-pw@" + url.substr(url.find('@') == std::string::npos
                                                                         ? url.find("//") + 2
                                                                         : url.find('@') + 1);
  setenv("STRATA_TEST_CONTROL_URL_BAD", bad.c_str(), 1);
  {
    std::ofstream f(dir + "/strata.toml");
    f << "[control]\nurl = \"${STRATA_TEST_CONTROL_URL_BAD}\"\n[services.users]\nmigrations = \"m\"\n";
  }
  p = LoadProjectConfig(dir + "/strata.toml");
  r = OpenControlDb(*p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("sekrit-pw"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace strata
