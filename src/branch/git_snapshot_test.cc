#include "branch/git_snapshot.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

#include "util/files.h"
#include "util/process.h"

namespace fs = std::filesystem;

namespace strata::branch {
namespace {

class GitSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = MakeScratchDir("strata-git-test-");
    ASSERT_TRUE(d);
    repo_ = *d;
    Git({"init", "-q", "-b", "trunk"});
    Git({"config", "user.email", "t@example.com"});
    Git({"config", "user.name", "t"});
    fs::create_directories(repo_ + "/db/app/0002_f");
    std::ofstream(repo_ + "/db/app/0001_a.sql") << "one\n";
    std::ofstream(repo_ + "/db/app/0002_f/up.sql") << "two\n";
    Git({"add", "-A"});
    Git({"commit", "-q", "-m", "first"});
  }
  void TearDown() override { fs::remove_all(repo_); }
  void Git(std::vector<std::string> args) {
    args.insert(args.begin(), "git");
    ProcessOptions opt;
    opt.cwd = repo_;
    auto r = RunProcess(args, opt);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->exit_code, 0) << r->output;
  }
  std::string repo_;
};

TEST_F(GitSnapshotTest, ExtractsAFolderAsItIsAtARef) {
  std::ofstream(repo_ + "/db/app/0001_a.sql") << "edited, not committed\n";
  auto snap = GitSnapshot::Extract(repo_ + "/db/app", "trunk");
  ASSERT_TRUE(snap) << snap.error().Describe();
  EXPECT_TRUE((*snap)->exists());
  EXPECT_EQ(*ReadFile((*snap)->path() + "/0001_a.sql"), "one\n");
  EXPECT_EQ(*ReadFile((*snap)->path() + "/0002_f/up.sql"), "two\n");
  EXPECT_EQ((*snap)->label(), "trunk:db/app");
  Error e = (*snap)->Relabel(Error{ErrorKind::kInput, "bad " + (*snap)->path() + "/0001_a.sql", (*snap)->path() + "/0001_a.sql", 2});
  EXPECT_EQ(e.file, "trunk:db/app/0001_a.sql");
  EXPECT_EQ(e.message, "bad trunk:db/app/0001_a.sql");
  std::string tmp = (*snap)->path();
  snap->reset();
  EXPECT_FALSE(fs::exists(tmp));  // deleted with the object
}

TEST_F(GitSnapshotTest, AFolderMissingAtTheRefIsEmpty) {
  fs::create_directories(repo_ + "/db/new");
  auto snap = GitSnapshot::Extract(repo_ + "/db/new", "trunk");
  ASSERT_TRUE(snap) << snap.error().Describe();
  EXPECT_FALSE((*snap)->exists());
  EXPECT_TRUE(fs::is_empty((*snap)->path()));
}

TEST_F(GitSnapshotTest, RefsAndDefaultBase) {
  EXPECT_FALSE(GitSnapshot::ResolveCommit(repo_, "nope"));
  EXPECT_FALSE(GitSnapshot::ResolveCommit(repo_, "--all"));  // never an option for git
  EXPECT_FALSE(GitSnapshot::DefaultBase(repo_));              // no upstream, no main, no master
  Git({"branch", "master"});
  auto base = GitSnapshot::DefaultBase(repo_);
  ASSERT_TRUE(base);
  EXPECT_EQ(*base, "master");
  Git({"branch", "main"});
  EXPECT_EQ(*GitSnapshot::DefaultBase(repo_), "main");
  auto outside = GitSnapshot::WorkTreeOf("/");
  EXPECT_FALSE(outside);
}

}  // namespace
}  // namespace strata::branch
