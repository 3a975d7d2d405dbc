// Faults and concurrency: strata killed with SIGKILL at random points while applying a long
// history, and several strata processes applying the same project at once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <random>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <fcntl.h>
#include <unistd.h>

#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"

namespace strata::testing {
namespace {

// A long history: tables with indexes, every 10th migration a no-transaction one that builds
// two indexes concurrently (idempotently, as docs/migration-files.md advises).
void WriteHistory(const CliProject& p, int count) {
  for (int i = 1; i <= count; ++i) {
    std::string id = fmt::format("{:04d}", i);
    if (i % 10 == 0) {
      p.Migration(id + "_idx_" + id + ".sql",
                  fmt::format("CREATE INDEX CONCURRENTLY IF NOT EXISTS t_{0}_a ON t_{1} (name);\n"
                              "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_{0}_b ON t_{1} (id, name);",
                              id, fmt::format("{:04d}", i - 1)),
                  fmt::format("DROP INDEX CONCURRENTLY IF EXISTS t_{0}_b;\nDROP INDEX CONCURRENTLY IF EXISTS t_{0}_a;", id),
                  "-- strata:no-transaction\n");
    } else {
      p.Migration(id + "_t_" + id + ".sql",
                  fmt::format("CREATE TABLE t_{0} (id bigint PRIMARY KEY, name text);\n"
                              "INSERT INTO t_{0} SELECT g, 'n' || g FROM generate_series(1, 3000) g;\n"
                              "CREATE INDEX t_{0}_name ON t_{0} (name);",
                              id),
                  fmt::format("DROP TABLE t_{0};", id));
    }
  }
}

// Every migration recorded as applied has its objects, and no other migration's objects exist.
void ExpectHistoryMatchesSchema(const CliProject& p, int count) {
  auto db = p.Connect();
  auto history = db->Query("SELECT migration_id, status FROM strata.history ORDER BY migration_id");
  ASSERT_TRUE(history) << history.error().message;
  std::map<std::string, std::string> status;
  for (const auto& row : history->rows) status[*row[0]] = *row[1];
  auto tables = db->Query("SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\\_%'");
  auto valid = db->Query("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                         "WHERE c.relname LIKE 't\\_%' AND NOT i.indisvalid");
  ASSERT_TRUE(tables && valid);
  EXPECT_EQ(*valid->rows[0][0], "0") << "an INVALID index was left behind";
  int expected_tables = 0;
  for (int i = 1; i <= count; ++i) {
    std::string id = fmt::format("{:04d}", i);
    bool applied = status.count(id) && status[id] == "applied";
    EXPECT_TRUE(applied) << id << " is " << (status.count(id) ? status[id] : "missing");
    if (i % 10 == 0) {
      auto n = db->Query(fmt::format("SELECT count(*) FROM pg_indexes WHERE indexname IN ('t_{0}_a', 't_{0}_b')", id));
      ASSERT_TRUE(n);
      EXPECT_EQ(*n->rows[0][0], "2") << id;
    } else {
      ++expected_tables;
      auto rows = db->Query(fmt::format("SELECT count(*) FROM t_{}", id));
      ASSERT_TRUE(rows) << id << ": " << rows.error().message;
      EXPECT_EQ(*rows->rows[0][0], "3000") << id;
    }
  }
  EXPECT_EQ(*tables->rows[0][0], std::to_string(expected_tables));
}

pid_t Spawn(const CliProject& p, const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(p.dir().c_str()) != 0) _exit(127);
    setenv("STRATA_TEST_URL", p.url().c_str(), 1);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::vector<std::string> all{StrataBinary()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

TEST(FaultTest, KillNineAtRandomPointsThenRerunCompletes) {
  const int kCount = 200;
  CliProject p(FreshPgDatabase("fault"));
  WriteHistory(p, kCount);
  ASSERT_EQ(p.Run({"hash", "-q"}).exit_code, 0);
  std::mt19937 rng(20261121);
  std::uniform_int_distribution<int> delay_ms(15, 150);
  int kills = 0;
  bool finished = false;
  for (int round = 0; round < 40 && kills < 10 && !finished; ++round) {
    pid_t pid = Spawn(p, {"apply", "--lock-wait", "30s"});
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ++kills;
    } else {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a run between kills failed: " << status;
      finished = true;
    }
  }
  EXPECT_GE(kills, 8) << "the history finished too early to test kills";
  CliResult r = p.Run({"apply", "--lock-wait", "30s"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ExpectHistoryMatchesSchema(p, kCount);
  nlohmann::json st = p.RunJson({"status"});
  EXPECT_EQ(st["targets"][0]["pending"], nlohmann::json::array());
  EXPECT_EQ(st["targets"][0]["lock"]["held"], false);
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
}

TEST(ConcurrencyTest, SeveralStrataApplyTheSameProjectExactlyOnce) {
  const int kCount = 40;
  CliProject p(FreshPgDatabase("conc"));
  WriteHistory(p, kCount);
  ASSERT_EQ(p.Run({"hash", "-q"}).exit_code, 0);
  std::vector<pid_t> pids;
  for (int i = 0; i < 4; ++i) pids.push_back(Spawn(p, {"apply", "--lock-wait", "60s"}));
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  ExpectHistoryMatchesSchema(p, kCount);
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM strata.audit WHERE action = 'apply'"), std::to_string(kCount));
  EXPECT_EQ(p.Scalar("SELECT count(DISTINCT migration_id) FROM strata.audit WHERE action = 'apply'"), std::to_string(kCount));
}

TEST(ConcurrencyTest, SqliteProcessesApplyExactlyOnce) {
  CliProject p("sqlite:" + FreshSqlitePath());
  for (int i = 1; i <= 30; ++i) {
    std::string id = fmt::format("{:04d}", i);
    p.Migration(id + "_t.sql", fmt::format("CREATE TABLE t_{} (id integer PRIMARY KEY);", id), fmt::format("DROP TABLE t_{};", id));
  }
  ASSERT_EQ(p.Run({"hash", "-q"}).exit_code, 0);
  std::vector<pid_t> pids;
  for (int i = 0; i < 3; ++i) pids.push_back(Spawn(p, {"apply", "--lock-wait", "60s"}));
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM strata_history"), "30");
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM strata_audit WHERE action = 'apply'"), "30");
}

}  // namespace
}  // namespace strata::testing
