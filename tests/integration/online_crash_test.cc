// Crash tests of `strata online`: the real strata binary killed with SIGKILL during the
// backfill and during complete, the PostgreSQL server crashed (pg_ctl restart -m immediate)
// during the backfill, and start held up by a lock while the old version writes. Afterwards `start` (or `complete`) again must resume, and the
// table must hold exactly what it should, compared row by row with a reference table that got
// the same writes: every old column intact, every new column computed by `up` for every row,
// no INVALID index, no trigger or trigger function left behind after complete.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>

#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kRows = 50000;

// items(qty int) becomes qty bigint; score bigint NOT NULL = qty * 3 + 7 for existing rows and
// for rows the old version writes; an index on label is built concurrently.
const char* kMigration = R"JSON({
  "name": "widen",
  "operations": [
    {"alter_column": {"table": "items", "column": "qty", "type": "bigint", "up": "qty::bigint", "down": "qty::int"}},
    {"add_column": {"table": "items", "up": "qty * 3 + 7",
      "column": {"name": "score", "type": "bigint", "nullable": false}}},
    {"create_index": {"name": "items_label_idx", "table": "items", "columns": ["label"]}}
  ]
})JSON";

// The table, and `truth.items`: a reference copy outside the migrated schema that receives the
// same old-version writes, so the expected content is known row by row.
std::string SetupSql() {
  return fmt::format(R"(
    CREATE TABLE items (id bigint PRIMARY KEY, qty int NOT NULL, label text);
    INSERT INTO items SELECT g, (g * 7919) % 100000, 'label ' || g FROM generate_series(1, {0}) g;
    CREATE SCHEMA truth;
    CREATE TABLE truth.items AS SELECT * FROM items;
    ANALYZE items;)",
                     kRows);
}

pid_t Spawn(const CliProject& p, const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(p.dir().c_str()) != 0) _exit(127);
    setenv("STRATA_TEST_URL", p.url().c_str(), 1);
    setenv("STRATA_ACTOR", "tester", 1);
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

// Exit code of a finished child, or -signal.
int Wait(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

// Polls `ready` every 10 ms until true or the timeout; false on timeout.
bool WaitUntil(const std::function<bool()>& ready, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

class OnlineCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = std::make_unique<CliProject>(FreshPgDatabase("online_crash"));
    project_->Write("widen.json", kMigration);
    Exec(SetupSql());
  }

  CliProject& p() { return *project_; }

  void Exec(const std::string& sql) {
    auto db = p().Connect();
    auto r = db->Exec(sql);
    ASSERT_TRUE(r.has_value()) << r.error().message << "\n" << sql;
  }
  // The scalar, or "" when the query fails (the server may be restarting).
  std::string TryScalar(const std::string& sql) {
    try {
      return p().Scalar(sql);
    } catch (const std::exception&) {
      return "";
    }
  }
  // Waits until no strata session is left on the server: a killed strata's backend finishes
  // its statement (and commits it) before it notices the client is gone.
  void WaitStrataGone() {
    ASSERT_TRUE(WaitUntil([&] {
      return TryScalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'strata' AND datname = "
                       "current_database()") == "0";
    }, 30s));
  }
  long long RowsDone() {
    std::string s = TryScalar(
        "SELECT CASE WHEN done THEN -1 ELSE rows_done END FROM strata_online.backfill WHERE migration = 'widen'");
    return s.empty() ? 0 : std::stoll(s);
  }

  // The start arguments: small batches with a delay, so a kill lands mid-backfill (~2-4 s).
  std::vector<std::string> SlowStart() {
    return {"online", "start", "widen.json", "--batch-size", "250", "--batch-delay", "8ms"};
  }

  // Old-version writes (search_path public), applied to the reference table as well: updates,
  // inserts and deletes on both sides of the backfill cursor.
  void OldVersionWrites(int round) {
    std::string writes = fmt::format(R"(
      UPDATE {{t}} SET qty = qty + {0} WHERE id % 997 = {0};
      INSERT INTO {{t}} SELECT {1} + g, g * {0}, 'late ' || g FROM generate_series(1, 50) g;
      DELETE FROM {{t}} WHERE id % 1009 = {0};
      UPDATE {{t}} SET label = 'relabelled' WHERE id BETWEEN {2} AND {2} + 20;)",
                                     round, 1000000 + round * 1000, 100 + round * 9000);
    std::string mine = fmt::format(fmt::runtime(writes), fmt::arg("t", "items"));
    std::string truth = fmt::format(fmt::runtime(writes), fmt::arg("t", "truth.items"));
    Exec("SET search_path = public;" + mine + truth);
  }

  // Through the new version: rows inserted and updated there, mirrored in the reference table
  // by their old-version shape (qty fits an int; score is what the client wrote).
  void NewVersionWrites() {
    Exec(R"(
      SET search_path = public_widen;
      INSERT INTO items (id, qty, label, score) VALUES (2000001, 41, 'new one', 130), (2000002, 42, 'new two', 133);
      UPDATE items SET qty = 5, score = 22 WHERE id = 3;
      SET search_path = public;
      INSERT INTO truth.items VALUES (2000001, 41, 'new one'), (2000002, 42, 'new two');
      UPDATE truth.items SET qty = 5 WHERE id = 3;)");
  }

  // Rows of `relation` (the new shape: id, qty, label, score) that differ from the reference,
  // in either direction; score must be qty * 3 + 7 for every row.
  std::string Mismatches(const std::string& relation) {
    return p().Scalar(fmt::format(R"(
      SELECT count(*) FROM {} n FULL JOIN
        (SELECT id, qty::bigint AS qty, label, qty::bigint * 3 + 7 AS score FROM truth.items) e USING (id)
       WHERE n.id IS NULL OR e.id IS NULL OR (n.qty, n.label, n.score) IS DISTINCT FROM (e.qty, e.label, e.score))",
                                  relation));
  }

  void ExpectNewVersionExact() {
    EXPECT_EQ(Mismatches("public_widen.items"), "0");
    // The old version still shows the old shape with the old values.
    EXPECT_EQ(p().Scalar("SELECT count(*) FROM public.items i FULL JOIN truth.items t USING (id) "
                         "WHERE (i.qty, i.label) IS DISTINCT FROM (t.qty, t.label)"),
              "0");
    EXPECT_EQ(p().Scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                         "'public_widen.items'::regclass AND attname = 'qty'"),
              "bigint");
  }

  // After complete: one table in the new shape, exact content, nothing of the migration left.
  void ExpectCompletedExact() {
    EXPECT_EQ(Mismatches("public.items"), "0");
    EXPECT_EQ(p().Scalar("SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || "
                         "CASE WHEN attnotnull THEN ' not null' ELSE '' END, ', ' ORDER BY attnum) FROM pg_attribute "
                         "WHERE attrelid = 'public.items'::regclass AND attnum > 0 AND NOT attisdropped"),
              "id bigint not null, label text, qty bigint not null, score bigint not null");
    EXPECT_EQ(p().Scalar("SELECT count(*) FROM pg_index WHERE NOT indisvalid"), "0") << "an INVALID index was left";
    EXPECT_EQ(p().Scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'items_label_idx'"), "1");
    EXPECT_EQ(p().Scalar("SELECT coalesce(string_agg(tgname || ' on ' || tgrelid::regclass::text, ', '), '') FROM "
                       "pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text NOT LIKE 'strata.%'"),
            "")
      << "a trigger was left";
    EXPECT_EQ(p().Scalar("SELECT count(*) FROM pg_proc WHERE pronamespace = 'strata_online'::regnamespace AND "
                         "proname <> 'in_version'"),
              "0");
    EXPECT_EQ(p().Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'public_widen'"), "1");
    EXPECT_EQ(p().Scalar("SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.items'::regclass AND contype = "
                         "'c'"),
              "0") << "the NOT NULL helper check should be gone";
    EXPECT_EQ(p().Scalar("SELECT state FROM strata_online.migrations WHERE name = 'widen'"), "completed");
  }

  // The committed cursor and the committed data agree: every row up to the cursor is backfilled
  // (its new columns are set), rows_done counts exactly those, and no row past it is touched
  // except through the trigger (none are written here before this check).
  void ExpectCursorMatchesData() {
    std::string cursor = p().Scalar("SELECT cursor[1] FROM strata_online.backfill WHERE migration = 'widen'");
    ASSERT_NE(cursor, "NULL") << "no batch committed before the crash";
    EXPECT_EQ(p().Scalar(fmt::format("SELECT count(*) FROM public_widen.items WHERE id <= {} AND "
                                     "(score IS DISTINCT FROM qty * 3 + 7)",
                                     cursor)),
              "0");
    EXPECT_EQ(p().Scalar(fmt::format("SELECT count(*) FROM public_widen.items WHERE id > {} AND score IS NOT NULL",
                                     cursor)),
              "0");
    EXPECT_EQ(p().Scalar("SELECT rows_done FROM strata_online.backfill WHERE migration = 'widen'"),
              p().Scalar(fmt::format("SELECT count(*) FROM items WHERE id <= {}", cursor)));
  }

  std::unique_ptr<CliProject> project_;
};

TEST_F(OnlineCrashTest, KillNineDuringBackfillThenStartResumesExactly) {
  pid_t pid = Spawn(p(), SlowStart());
  ASSERT_TRUE(WaitUntil([&] { return RowsDone() >= 5000; }, 60s)) << "the backfill did not get going";
  long long at_kill = RowsDone();
  std::fprintf(stderr, "[online crash] killing start at about %lld of %d rows\n", at_kill, kRows);
  ASSERT_GT(at_kill, 0) << "the backfill finished before the kill";
  kill(pid, SIGKILL);
  EXPECT_EQ(Wait(pid), -SIGKILL);
  WaitStrataGone();
  ASSERT_LT(RowsDone(), kRows) << "the kill landed after the backfill";
  ASSERT_GE(RowsDone(), 0);
  ExpectCursorMatchesData();
  EXPECT_EQ(p().Scalar("SELECT state FROM strata_online.migrations WHERE name = 'widen'"), "started");

  // Both versions keep working while nobody runs strata; then a second kill, later on.
  OldVersionWrites(1);
  NewVersionWrites();
  pid = Spawn(p(), SlowStart());
  ASSERT_TRUE(WaitUntil([&] { long long d = RowsDone(); return d < 0 || d >= at_kill + 5000; }, 60s));
  kill(pid, SIGKILL);
  Wait(pid);
  OldVersionWrites(2);

  CliResult r = p().Run({"online", "start", "widen.json", "--batch-size", "2000"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, ::testing::HasSubstr("resumed"));
  nlohmann::json st = p().RunJson({"online", "status"});
  ASSERT_EQ(st["targets"][0]["backfill"].size(), 1u) << st.dump();
  EXPECT_EQ(st["targets"][0]["backfill"][0]["done"], true);
  ExpectNewVersionExact();
  OldVersionWrites(3);

  r = p().Run({"online", "complete"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ExpectCompletedExact();
}

TEST_F(OnlineCrashTest, KillNineDuringCompleteThenCompleteFinishesExactly) {
  CliResult r = p().Run({"online", "start", "widen.json", "--batch-size", "5000"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  OldVersionWrites(1);

  // 1. Deterministic: a reader holds a lock on the table, so complete's contract transaction
  //    waits (lock_timeout + retries); the kill lands while it is in flight.
  auto reader = p().Connect();
  ASSERT_TRUE(reader->Exec("BEGIN; SELECT count(*) FROM items WHERE id = 1;").has_value());
  pid_t pid = Spawn(p(), {"online", "complete", "--lock-timeout", "200ms", "--lock-retries", "50"});
  ASSERT_TRUE(WaitUntil([&] {
    return TryScalar("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%items%' "
                     "AND pid <> pg_backend_pid()") != "0";
  }, 30s)) << "complete never waited for the table lock";
  kill(pid, SIGKILL);
  EXPECT_EQ(Wait(pid), -SIGKILL);
  // The server runs a transaction it has received to its end even when the client is gone, so
  // the reader keeps its lock until the dead strata's session has timed out and left.
  WaitStrataGone();
  ASSERT_TRUE(reader->Exec("COMMIT").has_value());
  reader.reset();
  EXPECT_EQ(p().Scalar("SELECT state FROM strata_online.migrations WHERE name = 'widen'"), "started");
  ExpectNewVersionExact();  // nothing half-contracted: both versions intact
  OldVersionWrites(2);

  // 2. Kills at later and later moments of complete (start-up, validation, the contract
  //    transaction) until one run gets to the end.
  const int kDelaysMs[] = {3, 8, 15, 25, 35, 45, 60, 80, 100, 130, 170, 220};
  int kills = 0;
  bool finished = false;
  for (int delay : kDelaysMs) {
    if (finished) break;
    pid = Spawn(p(), {"online", "complete"});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ++kills;
      WaitStrataGone();
      std::string state = p().Scalar("SELECT state FROM strata_online.migrations WHERE name = 'widen'");
      ASSERT_THAT(state, ::testing::AnyOf("started", "completed"));
      if (state == "started") ExpectNewVersionExact();
      else finished = true;  // the server ran the whole contract transaction it had received
    } else {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a complete between kills failed: " << status;
      finished = true;
    }
  }
  std::fprintf(stderr, "[online crash] complete killed %d time(s) before a run finished\n", kills);
  EXPECT_GE(kills, 1);
  if (!finished) {
    r = p().Run({"online", "complete"});
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  ExpectCompletedExact();
  // A second complete has nothing to do and says so (exit 1 per the contract's "check" errors).
  r = p().Run({"online", "complete"});
  EXPECT_NE(r.exit_code, 0) << r.out;
}

TEST_F(OnlineCrashTest, PostgresCrashDuringBackfillThenStartResumesExactly) {
  pid_t pid = Spawn(p(), SlowStart());
  ASSERT_TRUE(WaitUntil([&] { return RowsDone() >= 5000; }, 60s)) << "the backfill did not get going";
  ASSERT_GT(RowsDone(), 0) << "the backfill finished before the crash";
  // This binary's own cluster; its tests run one after another, so nothing else uses it now.
  auto restarted = SharedCluster().Restart();
  ASSERT_TRUE(restarted.has_value()) << restarted.error().message;
  int code = Wait(pid);
  EXPECT_NE(code, 0) << "strata lost its server mid-backfill yet reported success";
  WaitStrataGone();
  ASSERT_GE(RowsDone(), 0);
  ASSERT_LT(RowsDone(), kRows);
  ExpectCursorMatchesData();
  OldVersionWrites(1);
  NewVersionWrites();

  CliResult r = p().Run({"online", "start", "widen.json", "--batch-size", "2000"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ExpectNewVersionExact();
  EXPECT_EQ(p().Scalar("SELECT count(*) FROM pg_index WHERE NOT indisvalid"), "0");
  r = p().Run({"online", "complete"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ExpectCompletedExact();
}

// start adds the new column with its NOT NULL check (NOT VALID: it applies to new writes) and
// the dual-write trigger in one transaction. Here that transaction is held up (a session has
// an uncommitted function of the trigger function's name, so strata's CREATE waits, times out
// and retries) while the old version keeps writing: no write may fail, and none may be lost.
TEST_F(OnlineCrashTest, OldVersionWritesSucceedWhileStartWaitsForALock) {
  Exec("CREATE SCHEMA strata_online");
  auto blocker = p().Connect();
  ASSERT_TRUE(blocker
                  ->Exec("BEGIN; CREATE FUNCTION strata_online._strata_widen_items() RETURNS trigger LANGUAGE plpgsql "
                         "AS 'BEGIN RETURN NEW; END';")
                  .has_value());
  pid_t pid = Spawn(p(), {"online", "start", "widen.json", "--lock-timeout", "100ms", "--lock-retries", "50"});
  ASSERT_TRUE(WaitUntil([&] {
    return TryScalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'strata' AND wait_event_type = "
                     "'Lock'") != "0";
  }, 30s)) << "start never waited for the blocker";
  OldVersionWrites(1);  // asserts that every statement succeeds
  ASSERT_TRUE(blocker->Exec("ROLLBACK").has_value());
  EXPECT_EQ(Wait(pid), 0);
  ExpectNewVersionExact();
  CliResult r = p().Run({"online", "complete"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ExpectCompletedExact();
}

}  // namespace
}  // namespace strata::testing
