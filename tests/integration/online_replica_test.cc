// strata online's replica-lag throttle against a real streaming replica: a private primary
// cluster, a hot standby made with `pg_basebackup -R` streaming from it, replay paused on the
// standby so pg_stat_replication.replay_lag grows while the primary writes. The backfill must
// throttle (and not finish) while replay is paused, and finish with the right rows once replay
// resumes. The pair comes from tests/support/pg_replica.h: both servers stop when each test
// ends, their folders go at exit.
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/cli_harness.h"
#include "tests/support/pg_replica.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

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

// A primary with a streaming hot standby, a table `items` of kRows rows replayed on the
// standby, and an online migration adding `total = qty * 3` with a backfill.
class OnlineReplicaTest : public ::testing::Test {
 protected:
  static constexpr int kRows = 30000;

  void SetUp() override {
    pair_ = StartPrimaryWithStandby();
    auto app = pair_.primary->CreateDatabase("app");
    ASSERT_TRUE(app.has_value()) << app.error().message;
    p_ = std::make_unique<CliProject>(*app);
    standby_ = std::make_unique<CliProject>(pair_.standby->Url("app"));
    auto e = p_->Connect();
    ASSERT_TRUE(e->Exec("CREATE TABLE items (id bigint PRIMARY KEY, qty int NOT NULL);"
                        "INSERT INTO items SELECT g, g % 100 FROM generate_series(1, " +
                        std::to_string(kRows) + ") g; CREATE TABLE ticks (at timestamptz);")
                    .has_value());
    p_->Write("online/01_total.yaml", R"(operations:
  - add_column:
      table: items
      column: {name: total, type: bigint, nullable: false}
      up: qty * 3
)");
    ASSERT_TRUE(CaughtUp());
    ASSERT_EQ(standby_->Scalar("SELECT pg_is_in_recovery()"), "t");
    ASSERT_EQ(standby_->Scalar("SELECT count(*) FROM items"), std::to_string(kRows));
  }

  // Waits until the standby has replayed everything the primary wrote.
  bool CaughtUp() const {
    return WaitFor(*p_, "SELECT bool_and(replay_lsn >= pg_current_wal_lsn()) FROM pg_stat_replication", 20s);
  }
  void PauseReplay() const {
    standby_->Scalar("SELECT pg_wal_replay_pause()");  // throws on error
    ASSERT_TRUE(WaitFor(*standby_, "SELECT pg_get_wal_replay_pause_state() = 'paused'", 10s));
  }
  std::string Backfill(const std::string& column) const {
    return p_->Scalar("SELECT " + column + " FROM strata_online.backfill WHERE table_name = 'items'");
  }
  // The backfilled rows are right on the primary and, once replayed, on the standby.
  void ExpectRowsRight() const {
    EXPECT_EQ(p_->Scalar("SELECT count(*) FROM public_01_total.items WHERE total = qty * 3"), std::to_string(kRows));
    EXPECT_EQ(Backfill("rows_done = " + std::to_string(kRows) + " AND done"), "t");
    ASSERT_TRUE(CaughtUp());
    EXPECT_EQ(standby_->Scalar("SELECT count(*) FROM public_01_total.items WHERE total = qty * 3"),
              std::to_string(kRows));
  }

  PgReplicaPair pair_;
  std::unique_ptr<CliProject> p_;
  std::unique_ptr<CliProject> standby_;
};

// Runs `online start` in the background; resumes replay before waiting for it (the future's
// destructor blocks), whatever the test asserted.
struct BackgroundStart {
  BackgroundStart(const CliProject& p, const CliProject& standby, std::vector<std::string> args) : standby(standby) {
    run = std::async(std::launch::async, [&p, args] { return p.Run(args); });
  }
  ~BackgroundStart() {
    try {
      standby.Scalar("SELECT pg_wal_replay_resume()");
    } catch (...) {
    }
  }
  const CliProject& standby;
  std::future<CliResult> run;
};

// Replay paused and already behind by more than the limit: the backfill throttles from its first
// batch, makes no progress and does not return; after resume it finishes promptly.
TEST_F(OnlineReplicaTest, BackfillThrottlesWhileReplayIsPausedAndFinishesAfterResume) {
  CliProject& p = *p_;
  PauseReplay();
  // Writes on the primary while replay is paused: replay_lag grows past the limit (500ms).
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

  BackgroundStart bg(p, *standby_,
                     {"online", "start", "online/01_total.yaml", "--batch-size", "500", "--max-replica-lag", "500ms"});
  ASSERT_TRUE(WaitFor(p, "SELECT coalesce((SELECT throttled >= 3 FROM strata_online.backfill), false)", 20s));
  const std::string rows_before = Backfill("rows_done");
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(Backfill("rows_done"), rows_before) << "batches ran while the replica lagged";
  EXPECT_EQ(bg.run.wait_for(0s), std::future_status::timeout) << "online start returned while replay was paused";
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
  standby_->Scalar("SELECT pg_wal_replay_resume()");
  ASSERT_EQ(bg.run.wait_for(30s), std::future_status::ready) << "backfill did not finish after replay resumed";
  double finish_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - resumed_at).count();
  RecordProperty("finish_after_resume_ms", static_cast<int>(finish_s * 1000));
  CliResult started = bg.run.get();
  ASSERT_EQ(started.exit_code, 0) << started.out;
  EXPECT_THAT(started.out, HasSubstr("backfill done"));
  EXPECT_LT(finish_s, 8.0) << "the throttle held on a caught-up standby";
  ExpectRowsRight();
}

// Replay paused with no lag yet: the backfill's own writes build the lag; it must stop advancing
// once replay_lag passes the limit (well before the table is done), then finish after resume.
TEST_F(OnlineReplicaTest, BackfillStopsOnceItsOwnWritesOutrunAPausedReplay) {
  CliProject& p = *p_;
  PauseReplay();
  // 60 batches of 500 rows, 100 ms apart: at least 6 s unthrottled; the limit is 500 ms.
  BackgroundStart bg(p, *standby_,
                     {"online", "start", "online/01_total.yaml", "--batch-size", "500", "--batch-delay", "100ms",
                      "--max-replica-lag", "500ms"});
  ASSERT_TRUE(WaitFor(p, "SELECT coalesce((SELECT throttled >= 3 FROM strata_online.backfill), false)", 20s))
      << "no throttling while the backfill outran a paused replay";
  const std::string rows_before = Backfill("rows_done");
  EXPECT_GT(std::stoll(rows_before), 0) << "the lag should build from the backfill's own batches";
  EXPECT_LT(std::stoll(rows_before), kRows / 2);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(Backfill("rows_done"), rows_before) << "batches ran while the replica lagged";
  EXPECT_EQ(bg.run.wait_for(0s), std::future_status::timeout);

  standby_->Scalar("SELECT pg_wal_replay_resume()");
  ASSERT_EQ(bg.run.wait_for(30s), std::future_status::ready) << "backfill did not finish after replay resumed";
  CliResult started = bg.run.get();
  ASSERT_EQ(started.exit_code, 0) << started.out;
  ExpectRowsRight();
}

// No lag: a streaming standby that keeps up never throttles the backfill.
TEST_F(OnlineReplicaTest, CaughtUpStandbyDoesNotThrottle) {
  CliResult started = p_->Run({"online", "start", "online/01_total.yaml", "--batch-size", "500", "--max-replica-lag",
                               "2s"});
  ASSERT_EQ(started.exit_code, 0) << started.out;
  EXPECT_EQ(Backfill("throttled"), "0");
  ExpectRowsRight();
}

}  // namespace
}  // namespace strata::testing
