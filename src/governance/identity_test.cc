// Identity precedence: --actor > STRATA_ACTOR > CI variables > OS user, with its source.
#include "governance/identity.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace strata::governance {
namespace {

class IdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string& v : ActorVariables()) unsetenv(v.c_str());
  }
  void TearDown() override { SetUp(); }
};

TEST_F(IdentityTest, FlagWins) {
  setenv("STRATA_ACTOR", "env-user", 1);
  setenv("GITHUB_ACTOR", "gh-user", 1);
  Actor a = ResolveActor("flag-user", "apply");
  EXPECT_EQ(a.user, "flag-user");
  EXPECT_EQ(a.source, "flag");
}

TEST_F(IdentityTest, StrataActorBeforeCi) {
  setenv("GITLAB_USER_LOGIN", "gl-user", 1);
  setenv("STRATA_ACTOR", "env-user", 1);
  Actor a = ResolveActor("", "apply");
  EXPECT_EQ(a.user, "env-user");
  EXPECT_EQ(a.source, "STRATA_ACTOR");
}

TEST_F(IdentityTest, CiVariablesInOrder) {
  setenv("BUILDKITE_BUILD_CREATOR", "bk-user", 1);
  setenv("GITHUB_ACTOR", "gh-user", 1);
  Actor a = ResolveActor("", "apply");
  EXPECT_EQ(a.user, "gh-user");
  EXPECT_EQ(a.source, "GITHUB_ACTOR");
  unsetenv("GITHUB_ACTOR");
  a = ResolveActor("", "apply");
  EXPECT_EQ(a.user, "bk-user");
  EXPECT_EQ(a.source, "BUILDKITE_BUILD_CREATOR");
}

TEST_F(IdentityTest, OsUserLast) {
  Actor a = ResolveActor("", "apply");
  EXPECT_FALSE(a.user.empty());
  EXPECT_EQ(a.source, "os");
  EXPECT_FALSE(a.host.empty());
}

TEST_F(IdentityTest, CommandIsRedacted) {
  Actor a = ResolveActor("x", "apply --url postgres://app:Sup3rSecret@db/app");
  EXPECT_EQ(a.command.find("Sup3rSecret"), std::string::npos) << a.command;
}

}  // namespace
}  // namespace strata::governance
