#include "project/project_config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace fs = std::filesystem;

namespace strata {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata-config-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& text) {
    std::string path = dir_ + "/strata.toml";
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(ConfigTest, FullProject) {
  ::setenv("STRATA_T_USERS_URL", "postgres://app:pw@localhost/users", 1);
  auto p = LoadProjectConfig(Write(R"(
[project]
name = "shop"
environments = ["dev", "prod"]
default_environment = "dev"

[defaults]
lock_timeout = "1s"
lock_retries = 3
lock_wait = "10s"

[services.users]
migrations = "services/users"
engine = "postgres"
owner = "identity"
lock_timeout = "500ms"
[services.users.targets]
dev = "${STRATA_T_USERS_URL}"
prod = ["postgres://h1/users", { name = "eu", url = "postgres://h2/users" }]

[services.billing]
[services.billing.targets]
dev = "sqlite:billing.db"
)"));
  ASSERT_TRUE(p.has_value()) << p.error().Describe();
  EXPECT_EQ(p->name, "shop");
  EXPECT_EQ(p->defaults.lock_timeout->count(), 1000);
  EXPECT_EQ(*p->defaults.lock_retries, 3);
  EXPECT_EQ(p->lock_wait.count(), 10000);
  ASSERT_EQ(p->services.size(), 2u);
  const ServiceConfig* users = p->FindService("users");
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(users->migrations_dir, dir_ + "/services/users");
  EXPECT_EQ(users->settings.lock_timeout->count(), 500);
  EXPECT_EQ(p->FindService("billing")->migrations_dir, dir_ + "/migrations/billing");

  auto dev = ResolveTargets(*p, "dev", {});
  ASSERT_TRUE(dev.has_value()) << dev.error().Describe();
  ASSERT_EQ(dev->size(), 2u);
  EXPECT_EQ((*dev)[0].name, "users@dev");
  EXPECT_EQ((*dev)[0].url.Redacted(), "postgres://app:****@localhost/users");
  auto prod = ResolveTargets(*p, "prod", {"users"});
  ASSERT_TRUE(prod.has_value());
  ASSERT_EQ(prod->size(), 2u);
  EXPECT_EQ((*prod)[0].name, "users@prod/1");
  EXPECT_EQ((*prod)[1].name, "users@prod/eu");
}

TEST_F(ConfigTest, ErrorsNameFileAndLine) {
  struct Case {
    const char* toml;
    int line;
    const char* needle;
  } cases[] = {
      {"[project]\nname = \"x\"\ncolour = \"red\"\n[services.a]\n", 3, "unknown key 'colour'"},
      {"[services.a]\nmigrations = 3\n", 2, "must be a string"},
      {"[services.a]\nengine = \"oracle\"\n", 2, "unknown engine"},
      {"[project]\nenvironments = [\"dev\"]\n[services.a.targets]\nprod = \"postgres://h/db\"\n", 4, "prod"},
      {"[defaults]\nlock_timeout = \"soon\"\n[services.a]\n", 2, "duration"},
      {"[services.a]\nlock_retries = -1\n", 2, "lock_retries"},
      {"[servces.a]\n", 1, "unknown section"},
      {"[services.a\n", 1, ""},
      {"[project]\nname = \"x\"\n", 1, "no services"},
  };
  for (const auto& c : cases) {
    auto p = LoadProjectConfig(Write(c.toml));
    ASSERT_FALSE(p.has_value()) << c.toml;
    EXPECT_EQ(p.error().kind, ErrorKind::kInput);
    EXPECT_EQ(p.error().line, c.line) << c.toml << " -> " << p.error().Describe();
    EXPECT_NE(p.error().message.find(c.needle), std::string::npos) << p.error().message;
    EXPECT_NE(p.error().file.find("strata.toml"), std::string::npos);
  }
}

TEST_F(ConfigTest, RiskPolicyPerEnvironment) {
  auto p = LoadProjectConfig(Write(R"([project]
environments = ["dev", "prod"]

[policy.prod]
max_risk = "medium"

[policy.dev]
max_risk = "high"

[services.a]
)"));
  ASSERT_TRUE(p.has_value()) << p.error().Describe();
  ASSERT_EQ(p->policies.size(), 2u);
  EXPECT_EQ(p->policies.at("prod").max_risk, "medium");
  EXPECT_EQ(p->policies.at("prod").line, 4);
  EXPECT_EQ(p->policies.at("dev").max_risk, "high");
  auto none = LoadProjectConfig(Write("[services.a]\n"));
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->policies.empty());
}

TEST_F(ConfigTest, ApprovalRulesPerRiskLevelAndRoles) {
  auto p = LoadProjectConfig(Write(R"([project]
environments = ["dev", "prod"]

[policy.prod]
high = { approvals = 2, roles = ["dba", "owner"] }
medium = [{ approvals = 1, roles = ["owner"] }, { approvals = 1 }]

[roles]
dba = ["alice", "bob"]
owner = ["carol"]

[services.a]
)"));
  ASSERT_TRUE(p.has_value()) << p.error().Describe();
  const RiskPolicy& pol = p->policies.at("prod");
  EXPECT_EQ(pol.max_risk, "");
  ASSERT_EQ(pol.approvals.at("high").size(), 1u);
  EXPECT_EQ(pol.approvals.at("high")[0].approvals, 2);
  EXPECT_EQ(pol.approvals.at("high")[0].roles, (std::vector<std::string>{"dba", "owner"}));
  EXPECT_EQ(pol.approvals.at("high")[0].line, 5);
  ASSERT_EQ(pol.approvals.at("medium").size(), 2u);
  EXPECT_TRUE(pol.approvals.at("medium")[1].roles.empty());
  EXPECT_EQ(pol.approvals.count("low"), 0u);
  EXPECT_EQ(p->roles.at("dba"), (std::vector<std::string>{"alice", "bob"}));
}

TEST_F(ConfigTest, RiskPolicyErrorsNameFileAndLine) {
  struct Case {
    const char* toml;
    int line;
    const char* needle;
  } cases[] = {
      {"[policy.prod]\nmax_risk = \"medium\"\n[services.a]\n", 1, "environment 'prod' is not in"},
      {"[policy.dev]\nmax_risk = \"extreme\"\n[services.a]\n", 2, "use low, medium or high"},
      {"[policy.dev]\nmax_risk = 2\n[services.a]\n", 2, "must be a string"},
      {"[policy.dev]\nmax_risk = \"low\"\nreviewers = 2\n[services.a]\n", 3, "unknown key 'reviewers'"},
      {"[policy.dev]\n[services.a]\n", 1, "needs max_risk"},
      {"policy = 3\n[services.a]\n", 1, "[policy] must hold"},
      {"[policy.dev]\nhigh = { approvals = -1 }\n[services.a]\n", 2, "approvals must be a whole number"},
      {"[policy.dev]\nhigh = { approvals = 1, roles = \"dba\" }\n[services.a]\n", 2, "roles must be a list"},
      {"[policy.dev]\nhigh = { approvals = 1, people = 2 }\n[services.a]\n", 2, "unknown key 'people'"},
      {"[policy.dev]\nhigh = 2\n[services.a]\n", 2, "a rule is"},
      {"[roles]\ndba = \"alice\"\n[services.a]\n", 2, "roles.dba must be a list"},
  };
  for (const auto& c : cases) {
    auto p = LoadProjectConfig(Write(c.toml));
    ASSERT_FALSE(p.has_value()) << c.toml;
    EXPECT_EQ(p.error().kind, ErrorKind::kInput);
    EXPECT_EQ(p.error().line, c.line) << c.toml << " -> " << p.error().Describe();
    EXPECT_NE(p.error().message.find(c.needle), std::string::npos) << p.error().message;
    EXPECT_NE(p.error().file.find("strata.toml"), std::string::npos);
  }
}

TEST_F(ConfigTest, UnsetVariableAndUnknownNames) {
  ::unsetenv("STRATA_T_NOPE");
  auto p = LoadProjectConfig(Write("[services.a.targets]\ndev = \"${STRATA_T_NOPE}\"\n"));
  ASSERT_TRUE(p.has_value()) << p.error().Describe();
  auto t = ResolveTargets(*p, "dev", {});
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().line, 2);
  EXPECT_NE(t.error().message.find("STRATA_T_NOPE"), std::string::npos);
  EXPECT_FALSE(ResolveTargets(*p, "staging", {}).has_value());
  auto svc = ResolveTargets(*p, "dev", {"ghost"});
  ASSERT_FALSE(svc.has_value());
  EXPECT_NE(svc.error().message.find("unknown service 'ghost'"), std::string::npos);
}

TEST_F(ConfigTest, FindsProjectUpward) {
  Write("[services.a]\n");
  fs::create_directories(dir_ + "/x/y");
  EXPECT_EQ(FindProjectFile(dir_ + "/x/y"), dir_ + "/strata.toml");
}

}  // namespace
}  // namespace strata
