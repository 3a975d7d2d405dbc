#include "sandbox/pg_cluster.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "tests/support/pg_test_env.h"
#include "util/database_url.h"

namespace strata {
namespace {

std::unique_ptr<Engine> Open(const std::string& url_text) {
  auto url = DatabaseUrl::Parse(url_text);
  if (!url) return nullptr;
  auto engine = Connect(*url, "strata-test");
  if (!engine) return nullptr;
  return std::move(*engine);
}

std::string Scalar(Engine& e, std::string_view sql) {
  auto rows = e.Query(sql);
  EXPECT_TRUE(rows) << rows.error().message;
  if (!rows || rows->size() != 1 || !rows->rows[0][0]) return "<none>";
  return *rows->rows[0][0];
}

TEST(PgClusterTest, BinariesAreInstalled) {
  // Tests never skip for want of PostgreSQL: a machine without it fails here, loudly.
  EXPECT_TRUE(PgCluster::BinariesAvailable()) << "install the postgresql package (scripts/setup)";
}

TEST(PgClusterTest, StartsQuicklyCreatesDatabasesAndStops) {
  PgClusterOptions options;
  options.dir = testing::TempDir() + "/cluster";
  auto t0 = std::chrono::steady_clock::now();
  auto cluster = PgCluster::Start(options);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(cluster) << cluster.error().message;
  std::fprintf(stderr, "[strata test] initdb + start took %lld ms\n", static_cast<long long>(ms));
  EXPECT_LT(ms, 10000);
  PgCluster& c = **cluster;
  EXPECT_GT(c.port(), 0);
  EXPECT_EQ(c.Url("db1"), "postgres://postgres@127.0.0.1:" + std::to_string(c.port()) + "/db1");
  if (::geteuid() == 0) {
    struct stat st;
    ASSERT_EQ(::stat(c.dir().c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, ::getpwnam("postgres")->pw_uid);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
  }

  auto admin = Open(c.Url());
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(Scalar(*admin, "SHOW fsync"), "off");
  EXPECT_EQ(Scalar(*admin, "SHOW listen_addresses"), "127.0.0.1");
  EXPECT_EQ(Scalar(*admin, "SHOW server_encoding"), "UTF8");

  auto url = c.CreateDatabase("strata_db1");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(*url, c.Url("strata_db1"));
  {
    auto db = Open(*url);
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->Exec("CREATE TABLE t (x int)"));
  }
  // Creating it again starts from scratch, even with a session still connected.
  auto keep = Open(*url);
  ASSERT_NE(keep, nullptr);
  ASSERT_TRUE(c.CreateDatabase("strata_db1"));
  {
    auto db = Open(*url);
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(Scalar(*db, "SELECT to_regclass('t') IS NULL"), "t");
  }
  ASSERT_TRUE(c.DropDatabase("strata_db1"));
  EXPECT_EQ(Open(*url), nullptr);
  EXPECT_TRUE(c.DropDatabase("strata_db1"));  // dropping what is not there is fine

  admin.reset();
  ASSERT_TRUE(c.Stop());
  EXPECT_TRUE(c.Stop());  // idempotent
  EXPECT_EQ(Open(c.Url()), nullptr);
  EXPECT_FALSE(std::filesystem::exists(c.dir() + "/postmaster.pid"));
}

TEST(PgClusterTest, AdoptsARunningServerAndRestartsAfterACrash) {
  PgClusterOptions options;
  options.dir = testing::TempDir() + "/cluster";
  auto first = PgCluster::Start(options);
  ASSERT_TRUE(first) << first.error().message;

  // A second Start on the same folder adopts the running server.
  PgClusterOptions adopt = options;
  adopt.stop_on_destroy = false;
  auto second = PgCluster::Start(adopt);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ((*second)->port(), (*first)->port());
  second->reset();  // does not stop the server
  auto db = Open((*first)->Url());
  ASSERT_NE(db, nullptr);

  ASSERT_TRUE(db->Exec("SET synchronous_commit = on; CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)"));
  std::string pid_before = db->SessionId();
  ASSERT_TRUE((*first)->Restart());
  // The old session died with the crash; a new one sees the committed data.
  auto lost = db->Query("SELECT 1");
  EXPECT_FALSE(lost);
  auto again = Open((*first)->Url());
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(Scalar(*again, "SELECT x FROM kept"), "42");
  std::ifstream log((*first)->dir() + "/server.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("database system was interrupted"), std::string::npos) << "no crash recovery in the log";

  // Destroying the owner stops the server.
  std::string url = (*first)->Url();
  again.reset();
  first->reset();
  EXPECT_EQ(Open(url), nullptr);
}

TEST(PgClusterTest, FsyncOptionAndExplicitPort) {
  PgClusterOptions options;
  options.dir = testing::TempDir() + "/cluster";
  options.fsync = true;
  auto cluster = PgCluster::Start(options);
  ASSERT_TRUE(cluster) << cluster.error().message;
  int port = (*cluster)->port();
  auto db = Open((*cluster)->Url());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Scalar(*db, "SHOW fsync"), "on");
  db.reset();
  ASSERT_TRUE((*cluster)->Stop());

  // Start the existing cluster again (no initdb) on a port we choose.
  options.port = port;
  auto restarted = PgCluster::Start(options);
  ASSERT_TRUE(restarted) << restarted.error().message;
  EXPECT_EQ((*restarted)->port(), port);
  EXPECT_NE(Open((*restarted)->Url()), nullptr);
}

TEST(PgClusterTest, FolderHoldingSomethingElseIsAnError) {
  PgClusterOptions options;
  options.dir = testing::TempDir() + "/cluster";
  std::filesystem::create_directories(options.dir);
  std::ofstream(options.dir + "/precious.txt") << "not a cluster";
  auto cluster = PgCluster::Start(options);
  ASSERT_FALSE(cluster);
  EXPECT_EQ(cluster.error().kind, ErrorKind::kIo);
  EXPECT_NE(cluster.error().message.find("initdb"), std::string::npos) << cluster.error().message;
  EXPECT_TRUE(std::filesystem::exists(options.dir + "/precious.txt"));
}

TEST(PgClusterTest, RootNeedsAFolderPostgresCanReach) {
  if (::geteuid() != 0) GTEST_SKIP() << "only meaningful as root";
  std::string parent = testing::TempDir() + "/private";
  std::filesystem::create_directories(parent);
  ::chmod(parent.c_str(), 0700);
  PgClusterOptions options;
  options.dir = parent + "/cluster";
  auto cluster = PgCluster::Start(options);
  ASSERT_FALSE(cluster);
  EXPECT_NE(cluster.error().message.find("cannot enter " + parent), std::string::npos) << cluster.error().message;
}

TEST(PgTestEnvTest, SharedClusterAndFreshDatabases) {
  PgCluster& a = testing::SharedCluster();
  PgCluster& b = testing::SharedCluster();
  EXPECT_EQ(&a, &b);
  std::string u1 = testing::FreshPgDatabase("Some-Test.Name");
  std::string u2 = testing::FreshPgDatabase("Some-Test.Name");
  EXPECT_NE(u1, u2);
  EXPECT_NE(u1.find("/some_test_name_"), std::string::npos) << u1;
  auto db = Open(u1);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Scalar(*db, "SELECT current_database()"), u1.substr(u1.rfind('/') + 1));

  std::string d1 = testing::TempDir();
  std::string d2 = testing::TempDir();
  EXPECT_NE(d1, d2);
  EXPECT_TRUE(std::filesystem::is_directory(d1));
  EXPECT_TRUE(std::filesystem::is_empty(d1));
  std::string s1 = testing::FreshSqlitePath();
  EXPECT_FALSE(std::filesystem::exists(s1));
  EXPECT_NE(s1, testing::FreshSqlitePath());
}

}  // namespace
}  // namespace strata
