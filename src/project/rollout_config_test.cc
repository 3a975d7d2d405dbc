// strata.toml's rollout parts ([control], [rollout], [environments.*], command targets) and
// the `requires` directive of migrations.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "project/migration_loader.h"
#include "project/project_config.h"

namespace fs = std::filesystem;

namespace strata {
namespace {

class RolloutConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata-rollout-config-XXXXXX";
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

constexpr const char* kHead = R"([project]
environments = ["dev", "staging", "prod"]
)";

TEST_F(RolloutConfigTest, EnvironmentsRolloutAndControl) {
  auto p = LoadProjectConfig(Write(std::string(kHead) + R"(
[control]
url = "${STRATA_CONTROL_URL}"
[rollout]
promotion = ["dev", "staging", "prod"]
parallelism = 8
[environments.prod]
canary = "10%"
batch_size = 5
on_failure = "rollback_all"
[[environments.prod.gates]]
name = "probe"
sql = "SELECT true"
timeout = "5s"
[[environments.prod.gates]]
http = "http://127.0.0.1:1/health"
[environments.staging]
promote_after = "dev"
canary = 2
[services.users]
owner = "team-a"
[services.users.targets]
prod = { command = "printf 'a postgres://h/a\nb postgres://h/b\n'" }
)"));
  ASSERT_TRUE(p) << p.error().Describe();
  EXPECT_EQ(p->control.url_template, "${STRATA_CONTROL_URL}");
  EXPECT_EQ(p->control.line, 5);
  EXPECT_EQ(p->rollout.parallelism, 8);
  const auto& prod = p->environment_rollouts.at("prod");
  EXPECT_EQ(prod.canary_percent, 10);
  EXPECT_EQ(prod.batch_size, 5);
  EXPECT_EQ(prod.on_failure, OnFailure::kRollbackAll);
  ASSERT_EQ(prod.gates.size(), 2u);
  EXPECT_EQ(prod.gates[0].timeout, std::chrono::seconds(5));
  EXPECT_EQ(prod.gates[1].name, "gate 2");
  EXPECT_EQ(p->environment_rollouts.at("staging").canary_count, 2);
  EXPECT_EQ(p->PromoteAfter("prod"), "staging");
  EXPECT_EQ(p->PromoteAfter("staging"), "dev");
  EXPECT_EQ(p->PromoteAfter("dev"), "");
  auto targets = ResolveTargets(*p, "prod", {});
  ASSERT_TRUE(targets) << targets.error().Describe();
  ASSERT_EQ(targets->size(), 2u);
  EXPECT_EQ((*targets)[0].name, "users@prod/a");
  EXPECT_EQ((*targets)[1].url.raw(), "postgres://h/b");
}

TEST_F(RolloutConfigTest, BadValuesNameTheLine) {
  struct Case {
    std::string text;
    int line;
    std::string words;
  };
  std::vector<Case> cases = {
      {"[environments.prod]\ncanary = \"abc\"\n", 4, "canary 'abc'"},
      {"[environments.prod]\non_failure = \"retry\"\n", 4, "on_failure 'retry'"},
      {"[environments.qa]\ncanary = 1\n", 3, "'qa' is not in [project] environments"},
      {"[environments.prod]\n[[environments.prod.gates]]\nsql = \"SELECT 1\"\ncommand = \"true\"\n", 4,
       "exactly one of sql, command, http"},
      {"[rollout]\npromotion = [\"dev\", \"nope\"]\n", 4, "promotion: 'nope'"},
      {"[environments.prod]\npromote_after = \"staging\"\n[environments.staging]\npromote_after = \"prod\"\n", 3,
       "loops"},
      {"[environments.prod]\ncanary = [\"users@prod/9\"]\n", 3, "canary 'users@prod/9' is not a target"},
      {"[control]\nurl = 5\n", 4, "url must be a string"},
  };
  for (const auto& c : cases) {
    auto p = LoadProjectConfig(Write(std::string(kHead) + c.text +
                                     "[services.users]\n[services.users.targets]\nprod = \"postgres://h/u\"\n"));
    ASSERT_FALSE(p) << c.text;
    EXPECT_EQ(p.error().kind, ErrorKind::kInput);
    EXPECT_EQ(p.error().line, c.line) << c.text << p.error().Describe();
    EXPECT_NE(p.error().message.find(c.words), std::string::npos) << p.error().message;
  }
}

TEST_F(RolloutConfigTest, FailingTargetCommandIsInputErrorWithoutSecrets) {
  auto p = LoadProjectConfig(Write(std::string(kHead) + R"(
[services.users]
[services.users.targets]
prod = { command = "echo postgres://u:topsecret@h/db; exit 7" }
dev = { command = "echo not-a-url" }
)"));
  ASSERT_TRUE(p) << p.error().Describe();
  auto t = ResolveTargets(*p, "prod", {});
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, ErrorKind::kInput);
  EXPECT_EQ(t.error().line, 6);
  EXPECT_NE(t.error().message.find("exited with 7"), std::string::npos) << t.error().message;
  EXPECT_EQ(t.error().message.find("topsecret"), std::string::npos) << t.error().message;
  t = ResolveTargets(*p, "dev", {});
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("output line 1"), std::string::npos) << t.error().message;
}

TEST(RequiresDirective, FileAndFolderForms) {
  auto m = ParseMigrationFile("0003_check.sql",
                              "-- strata:requires users/0002_add_birthdate billing/0001\n-- +strata up\nSELECT 1;\n"
                              "-- +strata down\nSELECT 1;\n");
  ASSERT_TRUE(m) << m.error().Describe();
  EXPECT_EQ(m->requires_migrations, (std::vector<std::string>{"users/0002_add_birthdate", "billing/0001"}));
  EXPECT_EQ(m->requires_line, 1);
  auto bad = ParseMigrationFile("0003_check.sql", "-- strata:requires 0002\n-- +strata up\nSELECT 1;\n-- +strata down\nSELECT 1;\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().line, 1);
  EXPECT_NE(bad.error().message.find("service/migration"), std::string::npos);
  // The checksum does not cover requires (metadata, not what runs).
  auto plain = ParseMigrationFile("0003_check.sql", "-- +strata up\nSELECT 1;\n-- +strata down\nSELECT 1;\n");
  EXPECT_EQ(plain->checksum, m->checksum);

  char tmpl[] = "/tmp/strata-requires-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  fs::create_directories(dir + "/0001_x");
  std::ofstream(dir + "/0001_x/up.sql") << "SELECT 1;\n";
  std::ofstream(dir + "/0001_x/down.sql") << "SELECT 1;\n";
  std::ofstream(dir + "/0001_x/strata.yaml") << "requires:\n  - users/0002\n";
  auto loaded = LoadMigrations(dir, "orders");
  ASSERT_TRUE(loaded) << loaded.error().Describe();
  EXPECT_EQ(loaded->migrations.at(0).requires_migrations, std::vector<std::string>{"users/0002"});
  EXPECT_EQ(loaded->migrations.at(0).requires_line, 1);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace strata
