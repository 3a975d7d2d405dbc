// strata online's replica-lag throttle against a real streaming replica: a private primary
// cluster, a hot standby made with `pg_basebackup -R` streaming from it, replay paused on the
// standby so pg_stat_replication.replay_lag grows while the primary writes. The backfill must
// throttle (and not finish) while replay is paused, and finish with the right rows once replay
// resumes. Both clusters are stopped by their PgCluster objects; their folders live under the
// test's temp root, deleted at exit.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sandbox/pg_cluster.h"
#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"
#include "util/process.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// The folder holding pg_basebackup (the server binaries' folder on Debian).
std::string PgBindir() {
  ProcessOptions opts;
  opts.timeout = 10s;
  auto r = RunProcess({"pg_config", "--bindir"}, opts);
  if (r && r->exit_code == 0) {
    std::string dir = r->output;
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == ' ')) dir.pop_back();
    if (::access((dir + "/pg_basebackup").c_str(), X_OK) == 0) return dir;
  }
  return "/usr/lib/postgresql/15/bin";
}

// A primary with one hot standby streaming from it.
struct ReplicaPair {
  std::unique_ptr<PgCluster> primary;
  std::unique_ptr<PgCluster> standby;
};

ReplicaPair StartReplicaPair() {
  ReplicaPair pair;
  const std::string root = TempDir();
  PgClusterOptions po;
  po.dir = root + "/primary";
  auto primary = PgCluster::Start(po);  // PG 15 defaults: wal_level=replica, max_wal_senders=10
  if (!primary) throw std::runtime_error("primary: " + primary.error().message);
  pair.primary = std::move(*primary);

  // pg_basebackup needs an empty folder the server's user owns.
  const std::string sdir = root + "/standby";
  if (::mkdir(sdir.c_str(), 0700) != 0) throw std::runtime_error("mkdir " + sdir);
  ProcessOptions opts;
  opts.cwd = "/";
  opts.timeout = 60s;
  if (::geteuid() == 0) {
    ProcessResult own = *RunProcess({"chown", "postgres:postgres", sdir}, opts);
    if (own.exit_code != 0) throw std::runtime_error("chown " + sdir + ": " + own.output);
    opts.run_as_user = "postgres";
  }
  auto bb = RunProcess({PgBindir() + "/pg_basebackup", "-h", "127.0.0.1", "-p", std::to_string(pair.primary->port()),
                        "-U", "postgres", "-D", sdir, "-R", "-X", "stream", "--no-sync"},
                       opts);
  if (!bb || bb->exit_code != 0) throw std::runtime_error("pg_basebackup: " + (bb ? bb->output : bb.error().message));

  PgClusterOptions so;
  so.dir = sdir;  // holds a cluster (not initdb'd again) with standby.signal: starts as a hot standby
  auto standby = PgCluster::Start(so);
  if (!standby) throw std::runtime_error("standby: " + standby.error().message);
  pair.standby = std::move(*standby);
  return pair;
}

// Polls `sql` on the project's target until it returns "t" or `limit` passes (errors, e.g. a
// table not created yet, count as "not yet").
bool WaitFor(const CliProject& p, const std::string& sql, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    try {
      if (p.Scalar(sql) == "t") return true;
    } catch (const std::runtime_error&) {
    }
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

TEST(OnlineReplicaTest, BackfillThrottlesWhileReplayIsPausedAndFinishesAfterResume) {
  ReplicaPair pair = StartReplicaPair();
  auto app = pair.primary->CreateDatabase("app");
  ASSERT_TRUE(app.has_value()) << app.error().message;
  CliProject p(*app);
  CliProject standby(pair.standby->Url("app"));
  ASSERT_TRUE(WaitFor(p, "SELECT count(*) = 1 FROM pg_stat_replication WHERE state = 'streaming'", 20s));

  const int kRows = 30000;
  {
    auto e = p.Connect();
    ASSERT_TRUE(e->Exec("CREATE TABLE items (id bigint PRIMARY KEY, qty int NOT NULL);"
                        "INSERT INTO items SELECT g, g % 100 FROM generate_series(1, " +
                        std::to_string(kRows) + ") g; CREATE TABLE ticks (at timestamptz);")
                    .has_value());
  }
  p.Write("online/01_total.yaml", R"(operations:
  - add_column:
      table: items
      column: {name: total, type: bigint, nullable: false}
      up: qty * 3
)");
  // The standby has replayed everything so far, then stops replaying.
  ASSERT_TRUE(WaitFor(p, "SELECT bool_and(replay_lsn >= pg_current_wal_lsn()) FROM pg_stat_replication", 20s));
  ASSERT_EQ(standby.Scalar("SELECT pg_is_in_recovery()"), "t");
  ASSERT_EQ(standby.Scalar("SELECT count(*) FROM items"), std::to_string(kRows));
  standby.Scalar("SELECT pg_wal_replay_pause()");  // throws on error
  ASSERT_TRUE(WaitFor(standby, "SELECT pg_get_wal_replay_pause_state() = 'paused'", 10s));
  // Writes on the primary while replay is paused: replay_lag grows past the threshold (500ms).
  {
    auto e = p.Connect();
    auto until = std::chrono::steady_clock::now() + 10s;
    bool lagging = false;
    while (!lagging && std::chrono::steady_clock::now() < until) {
      ASSERT_TRUE(e->Exec("INSERT INTO ticks VALUES (now())").has_value());
      std::this_thread::sleep_for(50ms);
      lagging = p.Scalar("SELECT coalesce(max(replay_lag) > interval '1 second', false) FROM pg_stat_replication") == "t";
    }
    ASSERT_TRUE(lagging) << "replay_lag did not grow while replay was paused";
  }

  auto run = std::async(std::launch::async, [&p] {
    return p.Run({"online", "start", "online/01_total.yaml", "--batch-size", "500", "--max-replica-lag", "500ms"});
  });
  // Whatever happens below, replay resumes before `run` is waited for (its destructor blocks).
  struct ResumeReplay {
    const CliProject& standby;
    ~ResumeReplay() {
      try {
        standby.Scalar("SELECT pg_wal_replay_resume()");
      } catch (...) {
      }
    }
  } resume_on_exit{standby};
  // While replay is paused the backfill is throttled and does not finish.
  ASSERT_TRUE(WaitFor(p,
                      "SELECT coalesce((SELECT throttled >= 3 FROM strata_online.backfill WHERE table_name = 'items'), "
                      "false)",
                      20s));
  const std::string rows_sql = "SELECT rows_done FROM strata_online.backfill WHERE table_name = 'items'";
  const std::string rows_before = p.Scalar(rows_sql);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(p.Scalar(rows_sql), rows_before) << "batches ran while the replica lagged";
  EXPECT_EQ(run.wait_for(0s), std::future_status::timeout) << "online start returned while replay was paused";
  int code = -1;
  nlohmann::json st = p.RunJson({"online", "status"}, &code);
  ASSERT_EQ(code, 0) << st.dump(2);
  const nlohmann::json& bf = st["targets"][0]["backfill"];
  ASSERT_EQ(bf.size(), 1u) << st.dump(2);
  EXPECT_EQ(bf[0]["done"], false);
  EXPECT_GE(bf[0]["throttled"].get<long long>(), 3);
  EXPECT_LT(bf[0]["rows_done"].get<long long>(), kRows);

  // Replay resumes: the standby catches up and the backfill finishes promptly.
  auto resumed_at = std::chrono::steady_clock::now();
  standby.Scalar("SELECT pg_wal_replay_resume()");
  ASSERT_EQ(run.wait_for(30s), std::future_status::ready) << "backfill did not finish after replay resumed";
  double finish_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - resumed_at).count();
  RecordProperty("finish_after_resume_ms", static_cast<int>(finish_s * 1000));
  std::printf("backfill finished %.2f s after replay resumed\n", finish_s);
  CliResult started = run.get();
  ASSERT_EQ(started.exit_code, 0) << started.out;
  EXPECT_THAT(started.out, HasSubstr("backfill done"));
  EXPECT_LT(finish_s, 8.0) << "the throttle held on a caught-up standby (stale replay_lag)";
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM public_01_total.items WHERE total = qty * 3"), std::to_string(kRows));
  EXPECT_EQ(p.Scalar("SELECT rows_done = " + std::to_string(kRows) +
                     " AND done AND throttled >= 3 FROM strata_online.backfill WHERE table_name = 'items'"),
            "t");
  // The standby received it all.
  ASSERT_TRUE(WaitFor(p, "SELECT bool_and(replay_lsn >= pg_current_wal_lsn()) FROM pg_stat_replication", 20s));
  EXPECT_EQ(standby.Scalar("SELECT count(*) FROM items"), std::to_string(kRows));
}

}  // namespace
}  // namespace strata::testing
