// Rollouts that go wrong: a canary failing its health gate (halt, rollback_all), a target
// failing (rollback_stage), an orchestrator killed with SIGKILL mid-rollout that resumes
// without applying anything twice, a second orchestrator refused with exit 4, pause/resume.
#include <chrono>
#include <thread>

#include "tests/integration/rollout_support.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

// One service "app", one environment "dev", `shards` shards; every shard counts applies in
// apply_counter so that a second apply of the same migration would show.
std::unique_ptr<Fleet> MakeFleet(int shards, const std::string& env_table) {
  auto f = std::make_unique<Fleet>(std::vector<std::string>{"app"}, std::vector<std::string>{"dev"}, shards);
  f->Toml(env_table);
  for (int i = 0; i < shards; ++i) {
    Exec(f->Url("app", "dev", i), "CREATE TABLE apply_counter (migration text)");
  }
  f->Migration("app", "0001_widgets.sql",
               "CREATE TABLE widgets (id int);\nINSERT INTO apply_counter VALUES ('0001');",
               "DROP TABLE widgets;");
  return f;
}

int Counter(const Fleet& f, int shard) {
  return std::stoi(Scalar(f.Url("app", "dev", shard), "SELECT count(*) FROM apply_counter"));
}

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds limit = 20s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

TEST(RolloutFailure, CanaryFailingItsCommandGateHaltsTheRollout) {
  auto f = MakeFleet(3, "[environments.dev]\ncanary = 1\non_failure = \"halt\"\n"
                        "[[environments.dev.gates]]\nname = \"smoke\"\ncommand = \"echo smoke test failed; exit 3\"\n");
  RunOut r = f->Run({"--json", "rollout", "run"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.json["rollout"]["state"], "failed");
  EXPECT_EQ(r.json["gates"][0]["passed"], false);
  EXPECT_NE(r.json["gates"][0]["detail"].get<std::string>().find("exit 3: smoke test failed"), std::string::npos);
  EXPECT_EQ(Counter(*f, 0), 1);  // the canary keeps its change (halt)
  EXPECT_FALSE(HasTable(f->Url("app", "dev", 1), "widgets"));
  EXPECT_FALSE(HasTable(f->Url("app", "dev", 2), "widgets"));
  RunOut s = f->Run({"--json", "rollout", "status"});
  EXPECT_EQ(s.json["rollout"]["state"], "failed");
  EXPECT_NE(s.json["rollout"]["message"].get<std::string>().find("health gate smoke failed after stage canary"),
            std::string::npos);
}

TEST(RolloutFailure, CanaryFailingItsSqlGateRollsEverythingBack) {
  auto f = MakeFleet(3, "[environments.dev]\ncanary = [\"app@dev/shard-1\"]\non_failure = \"rollback_all\"\n"
                        "[[environments.dev.gates]]\nname = \"has-widgets\"\nsql = \"SELECT count(*) > 0 FROM widgets\"\n");
  RunOut r = f->Run({"--json", "rollout", "run"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.json["rollout"]["state"], "rolled_back");
  EXPECT_EQ(r.json["rolled_back"], 1);
  EXPECT_NE(r.json["gates"][0]["detail"].get<std::string>().find("app@dev/shard-1: returned f"), std::string::npos)
      << r.json.dump();
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(HasTable(f->Url("app", "dev", i), "widgets")) << i;
  EXPECT_EQ(Scalar(f->Url("app", "dev", 1), "SELECT count(*) FROM strata.history"), "0");
  EXPECT_EQ(Scalar(f->control(), "SELECT count(*) FROM strata_control.audit WHERE action = 'rollout-rollback'"), "1");
}

TEST(RolloutFailure, FailingTargetRollsBackItsStage) {
  auto f = MakeFleet(3, "[environments.dev]\non_failure = \"rollback_stage\"\n");
  Exec(f->Url("app", "dev", 2), "CREATE TABLE widgets (x int)");  // apply fails there
  RunOut r = f->Run({"--json", "rollout", "run"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(r.json["rollout"]["state"], "failed");
  EXPECT_EQ(r.json["failed"], 1);
  EXPECT_EQ(r.json["rolled_back"], 2);
  EXPECT_NE(r.json["failures"][0].get<std::string>().find("app@dev/shard-2"), std::string::npos);
  EXPECT_FALSE(HasTable(f->Url("app", "dev", 0), "widgets"));
  EXPECT_FALSE(HasTable(f->Url("app", "dev", 1), "widgets"));
  EXPECT_EQ(Scalar(f->control(), "SELECT string_agg(state, ',' ORDER BY target) FROM strata_control.rollout_targets"),
            "rolled_back,rolled_back,failed");
}

TEST(RolloutFailure, KilledOrchestratorResumesWithoutApplyingTwice) {
  auto f = MakeFleet(4, "[environments.dev]\ncanary = 1\nparallelism = 4\n");
  // shard-3 is slow: the orchestrator is killed while its migration runs.
  Exec(f->Url("app", "dev", 3), "CREATE TABLE slow_marker (x int)");
  f->Migration("app", "0001_widgets.sql",
               "CREATE TABLE widgets (id int);\nINSERT INTO apply_counter VALUES ('0001');\n"
               "SELECT pg_sleep(CASE WHEN to_regclass('slow_marker') IS NULL THEN 0 ELSE 3 END);",
               "DROP TABLE widgets;");
  pid_t pid = f->Start({"rollout", "run", "--progress"});
  bool in_flight = WaitFor([&] {
    return Scalar(f->control(), "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE "
                                "'%pg_sleep(CASE%' AND pid <> pg_backend_pid()") == "1";
  });
  ASSERT_TRUE(in_flight) << Fleet::Slurp(f->dir() + "/.bg.err");
  // A second orchestrator is refused while the first one drives the environment.
  RunOut second = f->Run({"rollout", "run"});
  EXPECT_EQ(second.exit_code, 4) << second.out << second.err;
  EXPECT_NE(second.err.find("another orchestrator drives rollouts of dev: tester@"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("rollout run --env dev"), std::string::npos) << second.err;
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(WIFSIGNALED(wstatus));
  RunOut before = f->Run({"--json", "rollout", "status"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  long long id = before.json["rollout"]["id"];
  EXPECT_EQ(before.json["rollout"]["state"], "running");
  // The canary, and maybe shards 1 and 2 of the batch (recorded while shard-3 slept); never shard-3.
  EXPECT_GE(before.json["targets"]["done"].get<int>(), 1);
  EXPECT_LE(before.json["targets"]["done"].get<int>(), 3);
  EXPECT_EQ(Scalar(f->control(), "SELECT state FROM strata_control.rollout_targets WHERE target = 'app@dev/shard-3'"),
            "running");
  // The dead orchestrator's lock went with its session.
  ASSERT_TRUE(WaitFor([&] { return f->Run({"--json", "rollout", "status"}).json["orchestrator"].is_null(); }));
  // The killed transaction on shard-3 ends one way or the other; wait for it to finish.
  ASSERT_TRUE(WaitFor([&] {
    return Scalar(f->control(), "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(CASE%' AND pid "
                                "<> pg_backend_pid()") == "0";
  }));
  RunOut resumed = f->Run({"--json", "rollout", "run"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(resumed.json["rollout"]["id"], id);
  EXPECT_EQ(resumed.json["rollout"]["resumed"], true);
  EXPECT_EQ(resumed.json["rollout"]["state"], "succeeded");
  EXPECT_EQ(resumed.json["done"], 4);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Counter(*f, i), 1) << "shard " << i;
    EXPECT_EQ(Scalar(f->Url("app", "dev", i), "SELECT count(*) FROM strata.history"), "1");
  }
  // The control database's counts: every target done once, and each lists the migration as
  // applied by this rollout (also the one whose commit raced the kill).
  EXPECT_EQ(Scalar(f->control(), fmt::format("SELECT count(*) FROM strata_control.rollout_targets WHERE rollout_id = "
                                             "{} AND state = 'done' AND applied = '0001'", id)),
            "4");
  EXPECT_EQ(Scalar(f->control(), "SELECT count(*) FROM strata_control.rollouts"), "1");
}

TEST(RolloutFailure, PauseStopsBetweenStagesAndResumeFinishes) {
  auto f = MakeFleet(3, "[environments.dev]\ncanary = 1\nbatch_size = 1\n"
                        "[[environments.dev.gates]]\nname = \"slow\"\ncommand = \"touch gate-ran; sleep 2\"\n");
  pid_t pid = f->Start({"--json", "rollout", "run"});
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(f->dir() + "/gate-ran"); }));
  RunOut p = f->Run({"rollout", "pause"});
  EXPECT_EQ(p.exit_code, 0) << p.out << p.err;
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 0);
  auto out = nlohmann::json::parse(Fleet::Slurp(f->dir() + "/.bg.out"));
  EXPECT_EQ(out["rollout"]["state"], "paused");
  EXPECT_LT(out["done"].get<int>(), 3);
  RunOut s = f->Run({"--json", "rollout", "status"});
  EXPECT_EQ(s.json["rollout"]["state"], "paused");
  RunOut r = f->Run({"--json", "rollout", "resume"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.json["rollout"]["state"], "succeeded");
  EXPECT_EQ(r.json["done"], 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Counter(*f, i), 1);
  EXPECT_EQ(Scalar(f->control(), "SELECT count(*) FROM strata_control.audit WHERE action IN ('rollout-pause', "
                                 "'rollout-resume')"),
            "2");
}

TEST(RolloutFailure, MissingApprovalRefusesUntilApproved) {
  auto f = MakeFleet(2, "[policy.dev]\nlow = { approvals = 1, roles = [\"dba\"] }\n");
  RunOut plan = f->Run({"--json", "rollout", "plan"});
  EXPECT_EQ(plan.exit_code, 1) << plan.err;
  EXPECT_EQ(plan.json["migrations"][0]["risk"], "low");
  ASSERT_EQ(plan.json["migrations"][0]["approvals_missing"].size(), 1u) << plan.json.dump();
  // The refusal is in `refusals` too (what `run` would refuse), not only beside the migration.
  ASSERT_EQ(plan.json["refusals"].size(), 1u) << plan.json.dump();
  EXPECT_EQ(plan.json["refusals"][0]["kind"], "approval");
  EXPECT_EQ(plan.json["refusals"][0]["migration"], "app/0001");
  RunOut dry = f->Run({"--json", "rollout", "run", "--dry-run"});
  EXPECT_EQ(dry.json["refusals"].size(), 1u) << dry.out;
  RunOut refused = f->Run({"rollout", "run"});
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("refused: approval: app/0001"), std::string::npos) << refused.err;
  EXPECT_FALSE(HasTable(f->Url("app", "dev", 0), "widgets"));
  RunOut approve = f->Run({"--actor", "dana", "approve", "app/0001", "--role", "dba"});
  ASSERT_EQ(approve.exit_code, 0) << approve.out << approve.err;
  RunOut run = f->Run({"--json", "rollout", "run"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.json["done"], 2);
}

TEST(RolloutFailure, SqliteControlDatabaseAndTargetsRollBackAll) {
  // One machine: the control database and the targets are SQLite files.
  Fleet f({}, {"dev"}, 0);
  f.Write("strata.toml",
          "[project]\nenvironments = [\"dev\"]\n[control]\nurl = \"sqlite:control.db\"\n"
          "[environments.dev]\ncanary = 1\non_failure = \"rollback_all\"\n"
          "[services.app]\n[services.app.targets]\ndev = [\"sqlite:a.db\", \"sqlite:b.db\", \"sqlite:c.db\"]\n");
  f.Migration("app", "0001_u.sql", "CREATE TABLE u (id int);", "DROP TABLE u;");
  // c.db already has the table: its apply fails after a.db (canary) and b.db succeeded.
  auto c = strata::Connect(*DatabaseUrl::Parse("sqlite:" + f.dir() + "/c.db"), "test");
  ASSERT_TRUE(c);
  ASSERT_TRUE((*c)->Exec("CREATE TABLE u (x int)"));
  RunOut r = f.Run({"--json", "rollout", "run"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(r.json["rollout"]["state"], "rolled_back");
  EXPECT_EQ(r.json["rolled_back"], 2);
  for (std::string db : {"a.db", "b.db"}) {
    auto e = strata::Connect(*DatabaseUrl::Parse("sqlite:" + f.dir() + "/" + db), "test");
    ASSERT_TRUE(e);
    auto rows = (*e)->Query("SELECT count(*) FROM sqlite_master WHERE name = 'u'");
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->rows[0][0], "0") << db;
  }
  RunOut s = f.Run({"--json", "rollout", "status"});
  EXPECT_EQ(s.json["targets"]["rolled_back"], 2);
  EXPECT_EQ(s.json["targets"]["failed"], 1);
}

RunOut ResumeWithoutRollout(const Fleet& f) { return f.Run({"rollout", "resume"}); }

TEST(RolloutFailure, ResumeWithNothingUnfinishedIsBadInput) {
  auto f = MakeFleet(1, "");
  RunOut r = ResumeWithoutRollout(*f);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("no unfinished rollout in dev"), std::string::npos) << r.err;
}

// A paused rollout and a changed project: run and resume refuse before anything runs, with the
// contract's exit code for a refusal (2, not 1, which means a health gate failed); after a
// cancel the new plan runs.
TEST(RolloutFailure, ChangedPlanWhileARolloutIsPausedIsRefusedWithExit2) {
  auto f = MakeFleet(2, "[environments.dev]\ncanary = 1\nbatch_size = 1\n"
                        "[[environments.dev.gates]]\nname = \"slow\"\ncommand = \"touch gate-ran; sleep 1\"\n");
  pid_t pid = f->Start({"rollout", "run"});
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(f->dir() + "/gate-ran"); }));
  EXPECT_EQ(f->Run({"rollout", "pause"}).exit_code, 0);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_EQ(WEXITSTATUS(wstatus), 0);
  f->Migration("app", "0002_gadgets.sql", "CREATE TABLE gadgets (id int);", "DROP TABLE gadgets;");
  for (const char* verb : {"run", "resume"}) {
    RunOut r = f->Run({"rollout", verb});
    EXPECT_EQ(r.exit_code, 2) << verb << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("is paused with a different plan"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(HasTable(f->Url("app", "dev", 0), "gadgets"));
  RunOut s = f->Run({"--json", "rollout", "status"});
  ASSERT_EQ(f->Run({"rollout", "cancel", s.json["rollout"]["id"].dump()}).exit_code, 0);
  RunOut again = f->Run({"rollout", "run"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(HasTable(f->Url("app", "dev", i), "gadgets"));
  for (int i = 0; i < 2; ++i) EXPECT_EQ(Counter(*f, i), 1);
}

}  // namespace
}  // namespace strata::testing
