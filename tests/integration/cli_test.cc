// The core commands end to end, on PostgreSQL and SQLite.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/slow_autovacuum.h"
#include "util/process.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace strata::testing {
namespace {

using ::testing::HasSubstr;

enum class Db { kPostgres, kSqlite };

std::string FreshUrl(Db db) {
  return db == Db::kPostgres ? FreshPgDatabase("cli") : "sqlite:" + FreshSqlitePath();
}

class CliBothEngines : public ::testing::TestWithParam<Db> {};

TEST_P(CliBothEngines, ApplyStatusRollbackRoundTrip) {
  CliProject p(FreshUrl(GetParam()));
  p.Migration("0001_users.sql", "CREATE TABLE users (id integer PRIMARY KEY, name text);", "DROP TABLE users;");
  p.Migration("0002_email.sql", "ALTER TABLE users ADD COLUMN email text;\nCREATE INDEX users_email ON users (email);",
              "DROP INDEX users_email;\nALTER TABLE users DROP COLUMN email;");
  p.Migration("0003_orders.sql", "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id));",
              "DROP TABLE orders;");
  CliResult r = p.HashAndApply({"--to", "0002"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(p.HasTable("users"));
  EXPECT_FALSE(p.HasTable("orders"));

  nlohmann::json st = p.RunJson({"status"});
  ASSERT_EQ(st["targets"].size(), 1u);
  const auto& t = st["targets"][0];
  EXPECT_EQ(t["service"], "app");
  EXPECT_EQ(t["target"], "app@dev");
  EXPECT_EQ(t["applied"], nlohmann::json({"0001", "0002"}));
  EXPECT_EQ(t["pending"], nlohmann::json({"0003"}));
  EXPECT_EQ(t["edited"], nlohmann::json::array());
  EXPECT_EQ(t["unknown"], nlohmann::json::array());
  EXPECT_EQ(t["heads"], nlohmann::json({"0003"}));
  EXPECT_EQ(t["history"][0]["applied_by"], "tester");
  EXPECT_EQ(t["lock"]["held"], false);

  r = p.Run({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(p.HasTable("orders"));
  r = p.Run({"apply"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("up to date"));

  r = p.Run({"rollback", "--steps", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_FALSE(p.HasTable("orders"));
  EXPECT_EQ(p.RunJson({"status"})["targets"][0]["applied"], nlohmann::json({"0001"}));
  r = p.Run({"rollback", "--to", "0001"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("nothing to roll back"));
  r = p.Run({"rollback"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_FALSE(p.HasTable("users"));

  // The audit keeps every action, newest first.
  nlohmann::json audit = p.RunJson({"audit", "--limit", "0"});
  std::vector<std::string> actions;
  for (const auto& rec : audit["targets"][0]["records"]) actions.push_back(rec["action"]);
  EXPECT_EQ(actions, (std::vector<std::string>{"rollback", "rollback", "rollback", "apply", "apply", "apply"}));
}

TEST_P(CliBothEngines, DryRunPrintsTheSqlAndChangesNothing) {
  CliProject p(FreshUrl(GetParam()));
  p.Migration("0001_users.sql", "CREATE TABLE users (id integer PRIMARY KEY);\nCREATE INDEX users_id ON users (id);",
              "DROP TABLE users;");
  ASSERT_EQ(p.Run({"hash"}).exit_code, 0);
  CliResult r = p.Run({"apply", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("CREATE TABLE users (id integer PRIMARY KEY);\nCREATE INDEX users_id ON users (id);\n"));
  if (GetParam() == Db::kPostgres) {
    EXPECT_THAT(r.out, HasSubstr("SELECT set_config('lock_timeout', '500ms', true);\n"));
    EXPECT_THAT(r.out, HasSubstr("INSERT INTO strata.history"));
    EXPECT_THAT(r.out, HasSubstr("$2 = '0001'"));
  } else {
    EXPECT_THAT(r.out, HasSubstr("BEGIN IMMEDIATE;\nCREATE TABLE users"));
    EXPECT_THAT(r.out, HasSubstr("INSERT INTO strata_history"));
    EXPECT_THAT(r.out, HasSubstr("COMMIT;"));
  }
  EXPECT_FALSE(p.HasTable("users"));
  EXPECT_EQ(p.RunJson({"status"})["targets"][0]["pending"], nlohmann::json({"0001"}));
}

TEST_P(CliBothEngines, EditedMigrationIsReportedAndRefusedUntilRepair) {
  CliProject p(FreshUrl(GetParam()));
  p.Migration("0001_users.sql", "CREATE TABLE users (id integer);", "DROP TABLE users;");
  ASSERT_EQ(p.HashAndApply().exit_code, 0);
  p.Migration("0001_users.sql", "CREATE TABLE users (id bigint);", "DROP TABLE users;");
  p.Migration("0002_more.sql", "CREATE TABLE more (id integer);", "DROP TABLE more;");
  ASSERT_EQ(p.Run({"hash"}).exit_code, 0);
  EXPECT_EQ(p.RunJson({"status"})["targets"][0]["edited"], nlohmann::json({"0001"}));
  CliResult v = p.Run({"validate"});
  EXPECT_EQ(v.exit_code, 1) << v.out;
  EXPECT_THAT(v.out, HasSubstr("0001_users was edited"));
  CliResult r = p.Run({"apply"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("strata repair"));
  EXPECT_FALSE(p.HasTable("more"));
  r = p.Run({"repair"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("repaired 0001"));
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
  ASSERT_EQ(p.Run({"apply"}).exit_code, 0);
  EXPECT_TRUE(p.HasTable("more"));
  nlohmann::json audit = p.RunJson({"audit"});
  bool repaired = false;
  for (const auto& rec : audit["targets"][0]["records"]) repaired |= rec["action"] == "repair";
  EXPECT_TRUE(repaired);
}

TEST_P(CliBothEngines, OutOfOrderRefusedThenAllowedAndAudited) {
  CliProject p(FreshUrl(GetParam()));
  p.Migration("0001_a.sql", "CREATE TABLE a (id integer);", "DROP TABLE a;");
  p.Migration("0003_c.sql", "CREATE TABLE c (id integer);", "DROP TABLE c;");
  ASSERT_EQ(p.HashAndApply().exit_code, 0);
  p.Migration("0002_b.sql", "CREATE TABLE b (id integer);", "DROP TABLE b;");  // merged late
  ASSERT_EQ(p.Run({"hash"}).exit_code, 0);
  EXPECT_EQ(p.RunJson({"status"})["targets"][0]["out_of_order"], nlohmann::json({"0002"}));
  CliResult r = p.Run({"apply"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("--allow-out-of-order"));
  EXPECT_FALSE(p.HasTable("b"));
  r = p.Run({"apply", "--allow-out-of-order"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(p.HasTable("b"));
  nlohmann::json st = p.RunJson({"status"});
  bool flagged = false;
  for (const auto& h : st["targets"][0]["history"]) flagged |= h["id"] == "0002" && h["out_of_order"] == true;
  EXPECT_TRUE(flagged);
  bool audited = false;
  nlohmann::json audit = p.RunJson({"audit"});
  for (const auto& rec : audit["targets"][0]["records"]) audited |= rec["action"] == "force-out-of-order";
  EXPECT_TRUE(audited);
}

TEST_P(CliBothEngines, IrreversibleStopsRollbackBeforeAnythingRuns) {
  CliProject p(FreshUrl(GetParam()));
  p.Migration("0001_a.sql", "CREATE TABLE a (id integer);", "DROP TABLE a;");
  p.Write("migrations/app/0002_drop.sql", "-- strata:irreversible the data of table a is dropped\n-- +strata up\nCREATE TABLE b (id integer);\n");
  p.Migration("0003_c.sql", "CREATE TABLE c (id integer);", "DROP TABLE c;");
  ASSERT_EQ(p.HashAndApply().exit_code, 0);
  CliResult r = p.Run({"rollback", "--steps", "3"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("irreversible (the data of table a is dropped)"));
  EXPECT_TRUE(p.HasTable("c"));  // nothing rolled back, not even the reversible newest one
  EXPECT_EQ(p.RunJson({"status"})["targets"][0]["applied"].size(), 3u);
  EXPECT_EQ(p.Run({"rollback"}).exit_code, 0);
  EXPECT_FALSE(p.HasTable("c"));
}

TEST_P(CliBothEngines, BranchesNeedAMergeMigration) {
  CliProject p(FreshUrl(GetParam()));
  p.Migration("0001_base.sql", "CREATE TABLE base (id integer);", "DROP TABLE base;");
  p.Migration("0002_left.sql", "CREATE TABLE l (id integer);", "DROP TABLE l;", "-- strata:parents 0001\n");
  p.Migration("0003_right.sql", "CREATE TABLE r (id integer);", "DROP TABLE r;", "-- strata:parents 0001\n");
  ASSERT_EQ(p.Run({"hash"}).exit_code, 0);
  CliResult r = p.Run({"apply"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("2 heads (0002, 0003)"));
  EXPECT_EQ(p.Run({"validate", "--offline"}).exit_code, 1);
  r = p.Run({"new", "--merge", "join branches"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  nlohmann::json g = p.RunJson({"graph"});
  const auto& nodes = g["services"][0]["migrations"];
  ASSERT_EQ(nodes.size(), 4u);
  EXPECT_EQ(nodes[3]["id"], "0004");
  EXPECT_EQ(nodes[3]["parents"], nlohmann::json({"0002", "0003"}));
  EXPECT_EQ(g["services"][0]["heads"], nlohmann::json({"0004"}));
  r = p.Run({"apply"});  // `new` rewrote strata.sum
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(p.HasTable("l"));
  EXPECT_TRUE(p.HasTable("r"));
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
}

TEST_P(CliBothEngines, RuntimeErrorMidwayKeepsEarlierMigrationsAndNamesTheLine) {
  CliProject p(FreshUrl(GetParam()));
  p.Migration("0001_a.sql", "CREATE TABLE a (id integer);", "DROP TABLE a;");
  p.Migration("0002_b.sql", "CREATE TABLE b (id integer);\n\nINSERT INTO missing_table VALUES (1);\nCREATE TABLE b2 (id integer);",
              "DROP TABLE b;");
  p.Migration("0003_c.sql", "CREATE TABLE c (id integer);", "DROP TABLE c;");
  CliResult r = p.HashAndApply();
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_THAT(r.out, HasSubstr("0002_b.sql:4"));  // the INSERT is on line 4 of the file
  EXPECT_THAT(r.out, HasSubstr("missing_table"));
  EXPECT_TRUE(p.HasTable("a"));
  EXPECT_FALSE(p.HasTable("b"));  // the failing migration rolled back whole
  EXPECT_FALSE(p.HasTable("c"));
  nlohmann::json st = p.RunJson({"status"});
  EXPECT_EQ(st["targets"][0]["applied"], nlohmann::json({"0001"}));
  bool failure_audited = false;
  nlohmann::json audit = p.RunJson({"audit"});
  for (const auto& rec : audit["targets"][0]["records"]) failure_audited |= rec["action"] == "apply-failed";
  EXPECT_TRUE(failure_audited);
}

TEST_P(CliBothEngines, NewNumbersAndRehashes) {
  CliProject p(FreshUrl(GetParam()));
  p.Migration("0007_a.sql", "CREATE TABLE a (id integer);", "DROP TABLE a;");
  CliResult r = p.Run({"new", "Add Birthdate!"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(fs::exists(p.migrations() + "/0008_add_birthdate.sql"));
  r = p.Run({"new", "--folder", "second"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(fs::exists(p.migrations() + "/0009_second/up.sql"));
  EXPECT_TRUE(fs::exists(p.migrations() + "/0009_second/down.sql"));
  EXPECT_EQ(p.Run({"validate", "--offline"}).exit_code, 0);  // strata.sum was rewritten
  EXPECT_EQ(p.Run({"apply"}).exit_code, 0);
}

TEST_P(CliBothEngines, ZeroConfigUrlAndDatabaseUrl) {
  std::string url = FreshUrl(GetParam());
  CliProject p(url);
  fs::remove(p.dir() + "/strata.toml");
  p.Write("db/0001_a.sql", "-- +strata up\nCREATE TABLE a (id integer);\n-- +strata down\nDROP TABLE a;\n");
  CliResult r = p.Run({"--url", url, "--dir", "db", "apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("no strata.sum"));  // a warning, not a refusal
  EXPECT_TRUE(p.HasTable("a"));
  r = p.Run({"--dir", "db", "status"}, {{"DATABASE_URL", url}});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("applied       1"));
}

TEST_P(CliBothEngines, HashIsRecordedInTheAudit) {
  CliProject p(FreshUrl(GetParam()));
  p.Migration("0001_a.sql", "CREATE TABLE a (id integer);", "DROP TABLE a;");
  ASSERT_EQ(p.HashAndApply().exit_code, 0);
  p.Migration("0002_b.sql", "CREATE TABLE b (id integer);", "DROP TABLE b;");
  ASSERT_EQ(p.Run({"hash", "--offline"}).exit_code, 0);
  nlohmann::json audit = p.RunJson({"audit"});
  EXPECT_EQ(audit["targets"][0]["records"][0]["action"], "apply");  // --offline: not recorded
  ASSERT_EQ(p.Run({"hash"}).exit_code, 0);
  audit = p.RunJson({"audit"});
  const auto& rec = audit["targets"][0]["records"][0];
  EXPECT_EQ(rec["action"], "hash");
  EXPECT_EQ(rec["actor"], "tester");
  EXPECT_EQ(rec["details"]["files"], 2);
  EXPECT_THAT(rec["details"]["total"].get<std::string>(), HasSubstr("h1:"));
}

INSTANTIATE_TEST_SUITE_P(Engines, CliBothEngines, ::testing::Values(Db::kPostgres, Db::kSqlite),
                         [](const auto& info) { return info.param == Db::kPostgres ? "postgres" : "sqlite"; });

TEST(CliPostgres, LockTimeoutRetriesThenSucceeds) {
  CliProject p(FreshPgDatabase("lock"));
  p.Migration("0001_a.sql", "CREATE TABLE a (id integer);", "DROP TABLE a;");
  ASSERT_EQ(p.HashAndApply().exit_code, 0);
  p.Migration("0002_b.sql", "ALTER TABLE a ADD COLUMN b integer;", "ALTER TABLE a DROP COLUMN b;",
              "-- strata:lock-timeout 100ms\n-- strata:lock-retries 1\n-- strata:retry-delay 50ms\n");
  ASSERT_EQ(p.Run({"hash"}).exit_code, 0);
  // A long transaction holds a lock on the table: strata must give up quickly, not queue.
  auto blocker = p.Connect();
  ASSERT_TRUE(blocker->Exec("BEGIN; LOCK TABLE a IN ACCESS SHARE MODE;"));
  auto t0 = std::chrono::steady_clock::now();
  CliResult r = p.Run({"apply"});
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_THAT(r.out, HasSubstr("retry 1"));
  EXPECT_THAT(r.out, HasSubstr("lock_timeout 100ms after 2 attempts"));
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'a' AND column_name = 'b'"), "0");
  // The blocker goes away during the retries: the migration then goes through.
  p.Migration("0002_b.sql", "ALTER TABLE a ADD COLUMN b integer;", "ALTER TABLE a DROP COLUMN b;",
              "-- strata:lock-timeout 100ms\n-- strata:lock-retries 20\n-- strata:retry-delay 100ms\n");
  ASSERT_EQ(p.Run({"hash"}).exit_code, 0);
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    (void)blocker->Exec("COMMIT");
  });
  r = p.Run({"apply"});
  release.join();
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("retry"));
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'a' AND column_name = 'b'"), "1");
}

// An autovacuum worker (slowed by a cost delay) holds SHARE UPDATE EXCLUSIVE on the table; a
// waiter would get it cancelled only after deadlock_timeout (1 s), longer than the migration's
// lock_timeout, so strata cancels it after the first timeout and the retry goes through.
TEST(CliPostgres, LockTimeoutCancelsABlockingAutovacuum) {
  CliProject p(FreshPgDatabase("autovac"));
  auto admin = p.Connect();
  strata::testing::SlowAutovacuum vacuum(*admin, "slow");
  const std::string pid = vacuum.pid();
  ASSERT_FALSE(pid.empty()) << "no autovacuum worker started on the table";
  p.Migration("0001_b.sql", "ALTER TABLE slow ADD COLUMN b integer;", "ALTER TABLE slow DROP COLUMN b;",
              "-- strata:lock-timeout 200ms\n-- strata:lock-retries 2\n-- strata:retry-delay 50ms\n");
  ASSERT_EQ(p.Run({"hash"}).exit_code, 0);
  CliResult r = p.Run({"apply"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("cancelled the autovacuum of public.slow (pid " + pid + ")"));
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'slow' AND column_name = 'b'"),
            "1");
}

TEST(CliPostgres, NoTransactionMigrationResumesAfterTheFailingStatementIsFixed) {
  CliProject p(FreshPgDatabase("notx"));
  p.Migration("0001_t.sql", "CREATE TABLE t (id integer, v integer, w integer);\nINSERT INTO t VALUES (1, 1, 1), (2, 1, 2);",
              "DROP TABLE t;");
  // The unique index fails on duplicate data; the first index is built and recorded.
  p.Migration("0002_idx.sql",
              "CREATE INDEX CONCURRENTLY t_id ON t (id);\nCREATE UNIQUE INDEX CONCURRENTLY t_v ON t (v);\n"
              "CREATE INDEX CONCURRENTLY t_w ON t (w);",
              "DROP INDEX CONCURRENTLY t_w;\nDROP INDEX CONCURRENTLY t_v;\nDROP INDEX CONCURRENTLY t_id;",
              "-- strata:no-transaction\n");
  CliResult r = p.HashAndApply();
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_THAT(r.out, HasSubstr("statement 2 of 3"));
  EXPECT_THAT(r.out, HasSubstr("0002_idx.sql:4"));  // line 1 is the directive, 2 the marker
  EXPECT_THAT(r.out, HasSubstr("dropped the invalid index t_v"));
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 't_v'"), "0");
  nlohmann::json st = p.RunJson({"status"});
  EXPECT_EQ(st["targets"][0]["partial"], nlohmann::json({"0002"}));
  EXPECT_EQ(st["targets"][0]["history"][1]["statements_done"], 1);
  // Fix the data and rerun: resumes at statement 2 (statement 1 would fail: t_id exists).
  auto db = p.Connect();
  ASSERT_TRUE(db->Exec("UPDATE t SET v = id"));
  r = p.Run({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 't'"), "3");
  st = p.RunJson({"status"});
  EXPECT_EQ(st["targets"][0]["partial"], nlohmann::json::array());
  EXPECT_EQ(st["targets"][0]["pending"], nlohmann::json::array());
  // Editing a statement that already ran is refused.
  ASSERT_EQ(p.Run({"rollback"}).exit_code, 0);
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 't'"), "0");
}

TEST(CliPostgres, FixingTheFailedStatementIsAllowedEditingADoneOneIsNot) {
  CliProject p(FreshPgDatabase("notx2"));
  p.Migration("0001_t.sql", "CREATE TABLE t (id integer, v integer);", "DROP TABLE t;");
  std::string header = "-- strata:no-transaction\n";
  p.Migration("0002_idx.sql", "CREATE INDEX CONCURRENTLY t_id ON t (id);\nCREATE INDEX CONCURRENTLY t_x ON t (nope);",
              "SELECT 1;", header);
  EXPECT_EQ(p.HashAndApply().exit_code, 3);
  p.Migration("0002_idx.sql", "CREATE INDEX CONCURRENTLY t_id ON t (id, v);\nCREATE INDEX CONCURRENTLY t_x ON t (v);",
              "SELECT 1;", header);
  ASSERT_EQ(p.Run({"hash"}).exit_code, 0);
  CliResult r = p.Run({"apply"});
  EXPECT_EQ(r.exit_code, 2) << r.out;  // statement 1 already ran: editing it is an edit
  EXPECT_THAT(r.out, HasSubstr("edited"));
  p.Migration("0002_idx.sql", "CREATE INDEX CONCURRENTLY t_id ON t (id);\nCREATE INDEX CONCURRENTLY t_x ON t (v);",
              "SELECT 1;", header);
  ASSERT_EQ(p.Run({"hash"}).exit_code, 0);
  r = p.Run({"apply"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 't'"), "2");
  EXPECT_EQ(p.RunJson({"validate"})["ok"], true);
}

TEST(CliPostgres, SecondStrataWaitsForTheLockAndStatusShowsTheHolder) {
  CliProject p(FreshPgDatabase("holder"));
  p.Migration("0001_slow.sql", "SELECT pg_sleep(3);\nCREATE TABLE a (id integer);", "DROP TABLE a;");
  ASSERT_EQ(p.Run({"hash"}).exit_code, 0);
  std::thread first([&] { (void)p.Run({"apply", "--actor", "alice"}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  nlohmann::json st = p.RunJson({"status"});
  EXPECT_EQ(st["targets"][0]["lock"]["held"], true);
  EXPECT_EQ(st["targets"][0]["lock"]["actor"], "alice");
  CliResult r = p.Run({"apply", "--lock-wait", "300ms"});
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_THAT(r.out, HasSubstr("held by alice@"));
  first.join();
  EXPECT_TRUE(p.HasTable("a"));
  EXPECT_EQ(p.RunJson({"status"})["targets"][0]["lock"]["held"], false);
}

TEST(CliPostgres, LibpqEnvironmentVariablesFillTheUrl) {
  std::string url = FreshPgDatabase("pgenv");  // postgres://postgres@127.0.0.1:PORT/NAME
  std::string hostport = url.substr(url.find('@') + 1);
  std::string host = hostport.substr(0, hostport.find(':'));
  std::string port = hostport.substr(hostport.find(':') + 1, hostport.find('/') - hostport.find(':') - 1);
  std::string db = hostport.substr(hostport.find('/') + 1);
  CliProject p("postgres:///" + db);  // host, port and user from PGHOST, PGPORT, PGUSER
  p.Migration("0001_a.sql", "CREATE TABLE a (id integer);", "DROP TABLE a;");
  ASSERT_EQ(p.Run({"hash"}).exit_code, 0);
  std::map<std::string, std::string> env{{"PGHOST", host}, {"PGPORT", port}, {"PGUSER", "postgres"}};
  CliResult r = p.Run({"apply"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  CliProject check(url);
  EXPECT_TRUE(check.HasTable("a"));
  // DATABASE_URL with no project file, the same way.
  fs::remove(p.dir() + "/strata.toml");
  r = p.Run({"--dir", "migrations/app", "status"}, {{"DATABASE_URL", "postgres:///" + db}, {"PGHOST", host},
                                                    {"PGPORT", port}, {"PGUSER", "postgres"}});
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST(CliPostgres, PasswordsNeverAppear) {
  std::string url = FreshPgDatabase("pw");
  std::string with_pw = url;
  with_pw.replace(with_pw.find("postgres@"), 9, "postgres:Sup3rS3cret@");
  CliProject p(with_pw);  // trust authentication ignores the password, so this works
  p.Migration("0001_a.sql", "CREATE TABLE a (id integer);", "DROP TABLE a;");
  CliResult r = p.HashAndApply();
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::string all = r.out + p.Run({"status", "-v"}).out + p.Run({"status", "--json"}).out + p.Run({"apply", "--dry-run"}).out +
                    p.Run({"audit", "--json"}).out;
  EXPECT_THAT(all, HasSubstr("postgres:****@"));
  EXPECT_EQ(all.find("Sup3rS3cret"), std::string::npos);
  // An unreachable server: the error names the URL without its password.
  CliProject down("postgres://admin:Sup3rS3cret@127.0.0.1:1/nope");
  down.Migration("0001_a.sql", "SELECT 1;");
  CliResult bad = down.Run({"status"});
  EXPECT_EQ(bad.exit_code, 3) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("admin:****@127.0.0.1:1"));
  EXPECT_EQ(bad.out.find("Sup3rS3cret"), std::string::npos);
  // Nor in the history tables.
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM strata.audit WHERE details::text LIKE '%Sup3r%'"), "0");
}

// graph --format dot quotes what it prints: an owner or a migration name holding a double quote
// or a backslash must not end the DOT string early (the output must stay valid DOT).
TEST(CliGraph, DotEscapesQuotesAndBackslashes) {
  CliProject p("sqlite:" + FreshSqlitePath());
  p.Toml("[project]\nname = \"t\"\nenvironments = [\"dev\"]\n\n[services.app]\nowner = 'team \"core\" \\ ops'\n"
         "migrations = \"migrations/app\"\n[services.app.targets]\ndev = \"${STRATA_TEST_URL}\"\n");
  p.Migration("0001_users.sql", "CREATE TABLE users (id int);", "DROP TABLE users;");
  for (const char* all : {"--all", ""}) {
    std::vector<std::string> args = {"graph", "--format", "dot"};
    if (*all) args.push_back(all);
    CliResult r = p.Run(args);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    if (*all) {
      EXPECT_THAT(r.out, HasSubstr(R"x(label="app (team \"core\" \\ ops)";)x")) << r.out;
    }
    // Every line's quotes pair up once the escaped ones are dropped.
    std::string unescaped;
    for (size_t i = 0; i < r.out.size(); ++i) {
      if (r.out[i] == '\\') { ++i; continue; }
      unescaped += r.out[i];
    }
    for (const auto& line : SplitLines(unescaped)) {
      EXPECT_EQ(std::count(line.begin(), line.end(), '"') % 2, 0) << line;
    }
  }
}

}  // namespace
}  // namespace strata::testing
