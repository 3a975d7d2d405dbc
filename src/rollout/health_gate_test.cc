#include "rollout/health_gate.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include <httplib.h>

#include "engine/engine.h"
#include "tests/support/pg_test_env.h"

namespace strata::rollout {
namespace {

HealthGateSpec Gate() {
  HealthGateSpec g;
  g.name = "g";
  g.timeout = std::chrono::seconds(5);
  return g;
}

TEST(HealthGate, HttpPassesOn2xxOnly) {
  httplib::Server server;
  server.Get("/ok", [](const httplib::Request&, httplib::Response& res) { res.set_content("fine", "text/plain"); });
  server.Get("/bad", [](const httplib::Request&, httplib::Response& res) { res.status = 503; });
  int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread t([&] { server.listen_after_bind(); });
  HealthGateSpec g = Gate();
  g.http = "http://127.0.0.1:" + std::to_string(port) + "/ok";
  GateResult ok = RunGate(g, {});
  EXPECT_TRUE(ok.passed) << ok.detail;
  EXPECT_EQ(ok.detail, "HTTP 200");
  g.http = "http://127.0.0.1:" + std::to_string(port) + "/bad";
  GateResult bad = RunGate(g, {});
  EXPECT_FALSE(bad.passed);
  EXPECT_EQ(bad.detail, "HTTP 503");
  server.stop();
  t.join();
  // Nobody listening: fails with the reason.
  GateResult down = RunGate(g, {});
  EXPECT_FALSE(down.passed);
  EXPECT_FALSE(down.detail.empty());
}

// Credentials in the gate's URL (https://user:password@host/healthz) are sent as HTTP basic
// auth to that host, and never appear in the result.
TEST(HealthGate, HttpSendsUrlCredentialsAsBasicAuth) {
  httplib::Server server;
  server.Get("/secure", [](const httplib::Request& req, httplib::Response& res) {
    // base64("monitor:pa ss@1") = bW9uaXRvcjpwYSBzc0Ax
    res.status = req.get_header_value("Authorization") == "Basic bW9uaXRvcjpwYSBzc0Ax" ? 200 : 401;
  });
  int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread t([&] { server.listen_after_bind(); });
  HealthGateSpec g = Gate();
  g.http = "http://monitor:pa%20ss%401@127.0.0.1:" + std::to_string(port) + "/secure";
  GateResult ok = RunGate(g, {});
  EXPECT_TRUE(ok.passed) << ok.detail;
  g.http = "http://monitor:wrong@127.0.0.1:" + std::to_string(port) + "/secure";
  GateResult denied = RunGate(g, {});
  EXPECT_FALSE(denied.passed);
  EXPECT_EQ(denied.detail, "HTTP 401");
  server.stop();
  t.join();
  GateResult down = RunGate(g, {});
  EXPECT_FALSE(down.passed);
  EXPECT_EQ(down.detail.find("wrong"), std::string::npos) << down.detail;
}

TEST(HealthGate, CommandSeesTheStageAndItsExitCodeDecides) {
  std::string dir = testing::TempDir();
  GateContext ctx;
  ctx.rollout_id = 42;
  ctx.env = "prod";
  ctx.stage = "canary";
  ctx.project_root = dir;
  ctx.targets.push_back(ResolvedTarget{"users", "users@prod/a", *DatabaseUrl::Parse("postgres://h/a")});
  HealthGateSpec g = Gate();
  g.command = "echo \"$STRATA_ROLLOUT_ID $STRATA_ENV $STRATA_STAGE $STRATA_TARGETS\" > seen.txt";
  EXPECT_TRUE(RunGate(g, ctx).passed);
  std::ifstream f(dir + "/seen.txt");
  std::string line;
  std::getline(f, line);
  EXPECT_EQ(line, "42 prod canary users@prod/a");
  g.command = "echo 'postgres://u:hunter2@h/db down'; exit 2";
  GateResult r = RunGate(g, ctx);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.detail.find("exit 2"), std::string::npos);
  EXPECT_EQ(r.detail.find("hunter2"), std::string::npos) << r.detail;
  g.command = "sleep 5";
  g.timeout = std::chrono::milliseconds(200);
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(RunGate(g, ctx).passed);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(HealthGate, SqlMustBeTrueOnEveryTarget) {
  GateContext ctx;
  ctx.parallelism = 2;
  for (int i = 0; i < 3; ++i) {
    std::string url = testing::FreshPgDatabase("gate");
    ctx.targets.push_back(ResolvedTarget{"app", "app@dev/" + std::to_string(i), *DatabaseUrl::Parse(url)});
  }
  HealthGateSpec g = Gate();
  g.sql = "SELECT to_regclass('flag') IS NOT NULL";
  GateResult none = RunGate(g, ctx);
  EXPECT_FALSE(none.passed);
  EXPECT_NE(none.detail.find("not true on 3 of 3"), std::string::npos) << none.detail;
  for (const auto& t : ctx.targets) {
    auto e = Connect(t.url, "test");
    ASSERT_TRUE(e);
    ASSERT_TRUE((*e)->Exec("CREATE TABLE flag (x int)"));
  }
  GateResult all = RunGate(g, ctx);
  EXPECT_TRUE(all.passed) << all.detail;
  g.sql = "SELECT nonsense FROM nowhere";
  GateResult err = RunGate(g, ctx);
  EXPECT_FALSE(err.passed);
  EXPECT_NE(err.detail.find("nowhere"), std::string::npos) << err.detail;
}

}  // namespace
}  // namespace strata::rollout
