#include "util/process.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

namespace strata {
namespace {

using std::chrono::milliseconds;

ProcessOptions Timeout(milliseconds ms) {
  ProcessOptions o;
  o.timeout = ms;
  return o;
}
ProcessOptions Cwd(std::string dir) {
  ProcessOptions o;
  o.cwd = std::move(dir);
  return o;
}
ProcessOptions AsUser(std::string user) {
  ProcessOptions o;
  o.run_as_user = std::move(user);
  return o;
}

TEST(RunProcessTest, CapturesStdoutAndStderrInterleavedInOrder) {
  auto r = RunProcess({"sh", "-c", "echo one; echo two >&2; echo three"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->output, "one\ntwo\nthree\n");
}

TEST(RunProcessTest, ArgumentsAreNotInterpretedByAShell) {
  auto r = RunProcess({"printf", "%s|", "a b", "$HOME", "*", "'q'"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->output, "a b|$HOME|*|'q'|");
}

TEST(RunProcessTest, ReportsNonZeroExitAndSignals) {
  auto r = RunProcess({"sh", "-c", "exit 7"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 7);
  auto killed = RunProcess({"sh", "-c", "kill -TERM $$"});
  ASSERT_TRUE(killed) << killed.error().message;
  EXPECT_EQ(killed->exit_code, 128 + 15);
}

TEST(RunProcessTest, MissingProgramIsAnError) {
  auto r = RunProcess({"strata-no-such-program-xyz"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kIo);
  EXPECT_NE(r.error().message.find("strata-no-such-program-xyz"), std::string::npos);
  auto bad_dir = RunProcess({"true"}, Cwd("/nonexistent/strata"));
  ASSERT_FALSE(bad_dir);
  EXPECT_NE(bad_dir.error().message.find("/nonexistent/strata"), std::string::npos);
}

TEST(RunProcessTest, TimeoutKillsTheWholeProcessGroup) {
  auto t0 = std::chrono::steady_clock::now();
  // The grandchild (sleep) holds the pipe too; the timeout must not wait for it.
  auto r = RunProcess({"sh", "-c", "echo started; sleep 30 & sleep 30"}, Timeout(milliseconds(300)));
  auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("timed out"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("started"), std::string::npos) << r.error().message;
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(RunProcessTest, ReturnsWhenChildExitsEvenIfADaemonKeepsThePipe) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = RunProcess({"sh", "-c", "(sleep 3 &) ; echo done"});
  auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->output, "done\n");
  EXPECT_LT(elapsed, std::chrono::milliseconds(2500));
}

TEST(RunProcessTest, WorkingDirectoryAndEnvironment) {
  ProcessOptions opts;
  opts.cwd = "/usr";
  opts.env = {{"STRATA_TEST_VAR", "hello world"}, {"HOME", "/custom-home"}};
  auto r = RunProcess({"sh", "-c", "pwd; echo \"$STRATA_TEST_VAR\"; echo \"$HOME\""}, opts);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->output, "/usr\nhello world\n/custom-home\n");
}

TEST(RunProcessTest, PathOverrideIsUsedForLookup) {
  ProcessOptions opts;
  opts.env = {{"PATH", "/nonexistent"}};
  auto r = RunProcess({"sh", "-c", "true"}, opts);
  EXPECT_FALSE(r);
}

TEST(RunProcessTest, LargeOutputIsCapturedWhole) {
  auto r = RunProcess({"sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->output.size(), 1000000u);
}

TEST(RunProcessTest, RunAsUser) {
  if (::geteuid() != 0) {
    // Not root: switching users must fail cleanly rather than run as ourselves.
    auto r = RunProcess({"id", "-un"}, AsUser("nobody"));
    ASSERT_FALSE(r);
    return;
  }
  auto r = RunProcess({"sh", "-c", "id -un; id -u; echo $HOME"}, AsUser("nobody"));
  ASSERT_TRUE(r) << r.error().message;
  struct passwd* pw = ::getpwnam("nobody");
  ASSERT_NE(pw, nullptr);
  EXPECT_EQ(r->output, "nobody\n" + std::to_string(pw->pw_uid) + "\n" + pw->pw_dir + "\n");
  auto missing = RunProcess({"true"}, AsUser("strata-no-such-user"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("strata-no-such-user"), std::string::npos);
}

TEST(CurrentUserTest, EnvironmentOverrideThenPasswd) {
  ::setenv("STRATA_USER", "alice", 1);
  EXPECT_EQ(CurrentUser(), "alice");
  ::unsetenv("STRATA_USER");
  struct passwd* pw = ::getpwuid(::geteuid());
  ASSERT_NE(pw, nullptr);
  EXPECT_EQ(CurrentUser(), pw->pw_name);
}

TEST(CurrentHostTest, MatchesGethostname) {
  char name[256] = {};
  ASSERT_EQ(::gethostname(name, sizeof name - 1), 0);
  EXPECT_EQ(CurrentHost(), name);
  EXPECT_FALSE(CurrentHost().empty());
}

}  // namespace
}  // namespace strata
