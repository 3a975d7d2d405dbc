// strata check --base, strata rebase and strata merge end to end, on real git repositories made
// here (two branches of one project), with strata validate and strata apply on real PostgreSQL.
// Also strata sandbox for SQLite services.
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"
#include "util/process.h"

namespace fs = std::filesystem;

namespace strata::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A project in a git repository: `main` holds 0001_users and 0002_orders.
class BranchRepo {
 public:
  explicit BranchRepo(std::string url) : p(std::move(url)) {
    Git({"init", "-q", "-b", "main"});
    Git({"config", "user.email", "tester@example.com"});
    Git({"config", "user.name", "tester"});
    p.Migration("0001_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);", "DROP TABLE users;");
    p.Migration("0002_orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);", "DROP TABLE orders;");
    Commit("base");
  }

  // Runs git in the project; returns its output; fails the test on a non-zero exit unless allowed.
  std::string Git(const std::vector<std::string>& args, bool may_fail = false) const {
    std::vector<std::string> argv{"git"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions opt;
    opt.cwd = p.dir();
    auto r = RunProcess(argv, opt);
    EXPECT_TRUE(r) << "cannot run git";
    if (!r) return "";
    if (!may_fail) {
      EXPECT_EQ(r->exit_code, 0) << "git " << args[0] << ": " << r->output;
    }
    return r->output;
  }
  // strata hash, then commits everything.
  void Commit(const std::string& message) const {
    CliResult h = p.Run({"hash", "-q"});
    ASSERT_EQ(h.exit_code, 0) << h.out;
    Git({"add", "-A"});
    Git({"commit", "-q", "-m", message});
  }
  void Write(const std::string& rel, const std::string& text) const { p.Write(rel, text); }
  nlohmann::json CheckJson(int* code) const { return p.RunJson({"check", "--base", "main"}, code); }
  static std::vector<std::string> Kinds(const nlohmann::json& doc) {
    std::vector<std::string> k;
    for (const auto& pr : doc["problems"]) k.push_back(pr["kind"]);
    return k;
  }

  CliProject p;
};

TEST(CliBranchTest, OverlappingBranchesAreFlaggedAndRebased) {
  BranchRepo repo(FreshPgDatabase("clibranch_overlap"));
  repo.Git({"checkout", "-q", "-b", "feature"});
  repo.p.Migration("0003_phone.sql", "ALTER TABLE users ADD COLUMN phone text;", "ALTER TABLE users DROP COLUMN phone;");
  repo.Commit("phone");
  repo.Git({"checkout", "-q", "main"});
  repo.p.Migration("0004_email.sql", "ALTER TABLE users ADD COLUMN email text;", "ALTER TABLE users DROP COLUMN email;");
  repo.Commit("email");
  repo.Git({"checkout", "-q", "feature"});

  CliResult text = repo.p.Run({"check", "--base", "main"});
  EXPECT_EQ(text.exit_code, 1) << text.out;
  EXPECT_THAT(text.out, HasSubstr("0003_phone follows 0002 but main's head is 0004: the branch is behind main"));
  EXPECT_THAT(text.out, HasSubstr("users is touched on both lines: by 0003_phone on this branch and by 0004_email on main"));
  int code = -1;
  nlohmann::json doc = repo.CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(BranchRepo::Kinds(doc), (std::vector<std::string>{"overlap", "behind"}));
  EXPECT_EQ(doc["services"][0]["suggestion"], "rebase");
  EXPECT_EQ(doc["services"][0]["shared_objects"][0]["object"], "users");
  EXPECT_EQ(doc["services"][0]["added"], nlohmann::json::array({"0003_phone"}));

  // Rebase before the base is merged in: refused, nothing changed.
  CliResult early = repo.p.Run({"rebase", "--onto", "main", "--offline"});
  EXPECT_EQ(early.exit_code, 2) << early.out;
  EXPECT_THAT(early.out, HasSubstr("main's migrations 0004_email are not in this working tree"));
  EXPECT_TRUE(fs::exists(repo.p.migrations() + "/0003_phone.sql"));

  // git merge conflicts on strata.sum (by design); strata rebase resolves it.
  std::string merged = repo.Git({"merge", "-q", "main", "-m", "merge main"}, true);
  EXPECT_THAT(merged, HasSubstr("strata.sum"));
  CliResult dry = repo.p.Run({"rebase", "--onto", "main", "--dry-run", "--offline"});
  ASSERT_EQ(dry.exit_code, 0) << dry.out;
  EXPECT_THAT(dry.out, HasSubstr("would move 0003_phone -> 0005_phone (parents 0004)"));
  EXPECT_TRUE(fs::exists(repo.p.migrations() + "/0003_phone.sql"));
  CliResult rebased = repo.p.Run({"rebase", "--onto", "main"});
  ASSERT_EQ(rebased.exit_code, 0) << rebased.out;
  // The project's ids are fixed-width numbers: the next one after the base's newest.
  EXPECT_FALSE(fs::exists(repo.p.migrations() + "/0003_phone.sql"));
  EXPECT_TRUE(fs::exists(repo.p.migrations() + "/0005_phone.sql")) << rebased.out;
  CliResult valid = repo.p.Run({"validate", "--offline"});
  EXPECT_EQ(valid.exit_code, 0) << valid.out;
  repo.Git({"add", "-A"});
  repo.Git({"commit", "-q", "-m", "rebased"});
  CliResult again = repo.p.Run({"check", "--base", "main"});
  EXPECT_EQ(again.exit_code, 0) << again.out;

  // The rebased history applies on real PostgreSQL, in the order that production would see.
  CliResult applied = repo.p.Run({"apply"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out;
  EXPECT_EQ(repo.p.Scalar("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns "
                          "WHERE table_name = 'users'"),
            "id,email,phone");
  EXPECT_EQ(repo.p.Scalar("SELECT count(*) FROM strata.history"), "4");
}

TEST(CliBranchTest, DisjointBranchesAreJoinedWithAMergeMigration) {
  BranchRepo repo(FreshPgDatabase("clibranch_disjoint"));
  repo.Git({"checkout", "-q", "-b", "feature"});
  // A branch off 0002 (as `strata new --parents 0002` writes it), touching only orders.
  repo.p.Migration("0004_total.sql", "ALTER TABLE orders ADD COLUMN total numeric;", "ALTER TABLE orders DROP COLUMN total;",
                   "-- strata:parents 0002\n");
  repo.Commit("total");
  repo.Git({"checkout", "-q", "main"});
  repo.p.Migration("0003_email.sql", "ALTER TABLE users ADD COLUMN email text;", "ALTER TABLE users DROP COLUMN email;");
  repo.Commit("email");
  // Production has main's migrations.
  CliResult prod = repo.p.Run({"apply"});
  ASSERT_EQ(prod.exit_code, 0) << prod.out;
  repo.Git({"checkout", "-q", "feature"});

  int code = -1;
  nlohmann::json doc = repo.CheckJson(&code);
  EXPECT_EQ(code, 1) << doc.dump(2);
  EXPECT_EQ(BranchRepo::Kinds(doc), std::vector<std::string>{"behind"});
  EXPECT_EQ(doc["services"][0]["suggestion"], "merge");
  EXPECT_TRUE(doc["services"][0]["shared_objects"].empty());
  EXPECT_THAT(doc["problems"][0]["message"].get<std::string>(), HasSubstr("then `strata merge`"));

  repo.Git({"merge", "-q", "main", "-m", "merge main"}, true);
  CliResult conflicted = repo.p.Run({"validate", "--offline"});
  EXPECT_EQ(conflicted.exit_code, 2) << conflicted.out;
  EXPECT_THAT(conflicted.out, HasSubstr("unresolved git conflict"));
  CliResult merge = repo.p.Run({"merge", "join_email_and_total"});
  ASSERT_EQ(merge.exit_code, 0) << merge.out;
  EXPECT_THAT(merge.out, HasSubstr("0005_join_email_and_total.sql with parents 0003, 0004"));
  CliResult valid = repo.p.Run({"validate", "--offline"});
  EXPECT_EQ(valid.exit_code, 0) << valid.out;
  CliResult nothing = repo.p.Run({"merge"});
  EXPECT_EQ(nothing.exit_code, 0) << nothing.out;
  EXPECT_THAT(nothing.out, HasSubstr("one head (0005), nothing to merge"));
  repo.Git({"add", "-A"});
  repo.Git({"commit", "-q", "-m", "merged"});
  CliResult check = repo.p.Run({"check", "--base", "main"});
  EXPECT_EQ(check.exit_code, 0) << check.out;

  CliResult applied = repo.p.Run({"apply"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out;
  EXPECT_EQ(repo.p.Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'total'"),
            "1");
  EXPECT_EQ(repo.p.Scalar("SELECT count(*) FROM strata.history"), "5");
}

TEST(CliBranchTest, StaleSumAndIdCollisionAreReportedWithFiles) {
  BranchRepo repo(FreshPgDatabase("clibranch_collide"));
  repo.Git({"checkout", "-q", "-b", "feature"});
  repo.p.Migration("0003_phone.sql", "ALTER TABLE users ADD COLUMN phone text;", "ALTER TABLE users DROP COLUMN phone;");
  repo.Commit("phone");
  repo.Git({"checkout", "-q", "main"});
  repo.p.Migration("0003_email.sql", "ALTER TABLE users ADD COLUMN email text;", "ALTER TABLE users DROP COLUMN email;");
  repo.Commit("email");
  repo.Git({"checkout", "-q", "feature"});
  // An edit after the last `strata hash`.
  repo.p.Migration("0003_phone.sql", "ALTER TABLE users ADD COLUMN phone varchar(20);", "ALTER TABLE users DROP COLUMN phone;");

  CliResult text = repo.p.Run({"check", "--base", "main"});
  EXPECT_EQ(text.exit_code, 1) << text.out;
  EXPECT_THAT(text.out, HasSubstr("strata.sum:4: app: integrity: 0003_phone.sql changed without `strata hash`"));
  EXPECT_THAT(text.out, HasSubstr("0003_phone.sql: app: collision: id 0003 is 0003_phone on this branch but 0003_email on main"));
  int code = -1;
  nlohmann::json doc = repo.CheckJson(&code);
  std::vector<std::string> kinds = BranchRepo::Kinds(doc);
  EXPECT_EQ(kinds.front(), "integrity");
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "collision"), kinds.end());

  // An unknown base is bad input.
  CliResult bad = repo.p.Run({"check", "--base", "no-such-branch"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("git does not know 'no-such-branch'"));
}

TEST(CliBranchTest, RebaseRefusesToRenameAMigrationATargetHasApplied) {
  BranchRepo repo(FreshPgDatabase("clibranch_applied"));
  repo.Git({"checkout", "-q", "-b", "feature"});
  repo.p.Migration("0003_phone.sql", "ALTER TABLE users ADD COLUMN phone text;", "ALTER TABLE users DROP COLUMN phone;");
  repo.Commit("phone");
  CliResult dev = repo.p.Run({"apply"});  // the developer's database has the branch's migration
  ASSERT_EQ(dev.exit_code, 0) << dev.out;
  repo.Git({"checkout", "-q", "main"});
  repo.p.Migration("0003_email.sql", "ALTER TABLE users ADD COLUMN email text;", "ALTER TABLE users DROP COLUMN email;");
  repo.Commit("email");
  repo.Git({"checkout", "-q", "feature"});
  repo.Git({"merge", "-q", "main", "-m", "merge main"}, true);

  CliResult refused = repo.p.Run({"rebase", "--onto", "main"});
  EXPECT_EQ(refused.exit_code, 2) << refused.out;
  EXPECT_THAT(refused.out, HasSubstr("app@dev has applied 0003 already"));
  EXPECT_TRUE(fs::exists(repo.p.migrations() + "/0003_phone.sql"));
  // --offline does not ask the targets.
  CliResult forced = repo.p.Run({"rebase", "--onto", "main", "--offline"});
  EXPECT_EQ(forced.exit_code, 0) << forced.out;
  EXPECT_TRUE(fs::exists(repo.p.migrations() + "/0004_phone.sql"));
  EXPECT_FALSE(fs::exists(repo.p.migrations() + "/0003_phone.sql"));
}

// The branch moved the service's migrations folder (strata.toml names the new one): the base's
// migrations are read from the folder the base's strata.toml names, so a base migration added
// meanwhile is still seen (a collision), and the moved files do not count as the branch's own.
TEST(CliBranchTest, CheckFollowsAMigrationsFolderTheBranchMoved) {
  BranchRepo repo(FreshPgDatabase("clibranch_moved"));
  repo.Git({"checkout", "-q", "-b", "feature"});
  repo.Git({"mv", "migrations", "db"});
  std::ifstream in(repo.p.dir() + "/strata.toml");
  std::string toml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  toml.replace(toml.find("migrations/app"), 14, "db/app");
  repo.p.Toml(toml);
  repo.Write("db/app/0003_phone.sql", "-- +strata up\nALTER TABLE users ADD COLUMN phone text;\n-- +strata down\n"
             "ALTER TABLE users DROP COLUMN phone;\n");
  repo.Commit("moved, and phone");

  int code = -1;
  nlohmann::json doc = repo.CheckJson(&code);
  EXPECT_EQ(code, 0) << doc.dump(2);
  EXPECT_EQ(doc["services"][0]["added"], nlohmann::json::array({"0003_phone"})) << doc.dump(2);

  repo.Git({"checkout", "-q", "main"});
  repo.p.Migration("0003_email.sql", "ALTER TABLE users ADD COLUMN email text;", "ALTER TABLE users DROP COLUMN email;");
  repo.Commit("email");
  repo.Git({"checkout", "-q", "feature"});
  doc = repo.CheckJson(&code);
  EXPECT_EQ(code, 1) << doc.dump(2);
  EXPECT_THAT(BranchRepo::Kinds(doc), ::testing::Contains("collision")) << doc.dump(2);
}

// Messages about the base's files name them "REF:path", never the temporary folder they were
// unpacked into (it is gone when the user reads the message).
TEST(CliBranchTest, CheckNamesBaseFilesByRefNotByScratchPath) {
  BranchRepo repo(FreshPgDatabase("clibranch_label"));
  repo.Git({"checkout", "-q", "-b", "feature"});
  repo.p.Migration("0003_phones.sql", "CREATE TABLE phones (id int);", "DROP TABLE phones;");
  repo.Commit("phones");
  repo.Git({"checkout", "-q", "main"});
  repo.p.Migration("0003_emails.sql", "CREATE TABLE emails (id int);", "DROP TABLE emails;");
  repo.Commit("emails");
  repo.Git({"checkout", "-q", "feature"});
  int code = -1;
  nlohmann::json doc = repo.CheckJson(&code);
  EXPECT_EQ(code, 1) << doc.dump(2);
  bool named = false;
  for (const auto& pr : doc["problems"]) {
    std::string msg = pr["message"];
    EXPECT_THAT(msg, Not(HasSubstr("strata-git-"))) << msg;
    named = named || msg.find("main:migrations/app/0003_emails.sql") != std::string::npos;
  }
  EXPECT_TRUE(named) << doc.dump(2);
}

TEST(CliBranchTest, BadInputIsRejectedWithFileAndLine) {
  // Not a git work tree.
  CliProject plain(FreshPgDatabase("clibranch_nogit"));
  plain.Migration("0001_users.sql", "CREATE TABLE users (id int);", "DROP TABLE users;");
  CliResult nogit = plain.Run({"check", "--base", "main"});
  EXPECT_EQ(nogit.exit_code, 2) << nogit.out;
  EXPECT_THAT(nogit.out, HasSubstr("not inside a git work tree"));

  // A malformed migration on the base is named by ref and path, with its line.
  BranchRepo repo(FreshPgDatabase("clibranch_badbase"));
  repo.Write("migrations/app/0003_bad.sql", "-- +strata up\nSELECT 1;\n-- +strata sideways\n");
  repo.Git({"add", "-A"});
  repo.Git({"commit", "-q", "-m", "bad"});
  repo.Git({"checkout", "-q", "-b", "feature", "HEAD~1"});
  int code = -1;
  nlohmann::json doc = repo.p.RunJson({"check", "--base", "main"}, &code);
  EXPECT_EQ(code, 2) << doc.dump(2);
  EXPECT_EQ(doc["error"]["file"], "main:migrations/app/0003_bad.sql");
  EXPECT_EQ(doc["error"]["line"], 3);
  CliResult rebase = repo.p.Run({"rebase", "--onto", "main", "--offline"});
  EXPECT_EQ(rebase.exit_code, 2) << rebase.out;
  EXPECT_THAT(rebase.out, HasSubstr("main:migrations/app/0003_bad.sql:3: unknown section 'sideways'"));

  // merge: a bad --id changes nothing.
  CliResult badid = repo.p.Run({"merge", "--id", "a_b"});
  EXPECT_EQ(badid.exit_code, 2) << badid.out;
}

TEST(CliBranchTest, SqliteSandboxUpUrlDown) {
  CliProject p("sqlite:dev.db");
  CliResult up = p.Run({"sandbox", "up", "--db", "app"});
  ASSERT_EQ(up.exit_code, 0) << up.out;
  EXPECT_THAT(up.out, HasSubstr("sandbox: SQLite databases in "));
  int code = -1;
  nlohmann::json url = p.RunJson({"sandbox", "url", "--db", "app"}, &code);
  ASSERT_EQ(code, 0);
  std::string u = url["url"];
  ASSERT_THAT(u, HasSubstr("sqlite:"));
  std::string file = u.substr(7);
  EXPECT_TRUE(fs::exists(file));
  p.Migration("0001_t.sql", "CREATE TABLE t (id integer);", "DROP TABLE t;");
  ASSERT_EQ(p.Run({"hash", "-q"}).exit_code, 0);
  CliResult applied = p.Run({"--url", u, "--dir", "migrations/app", "apply"});
  EXPECT_EQ(applied.exit_code, 0) << applied.out;
  CliResult down = p.Run({"sandbox", "down"});
  EXPECT_EQ(down.exit_code, 0) << down.out;
  EXPECT_FALSE(fs::exists(file));
  EXPECT_FALSE(fs::exists(fs::path(file).parent_path()));
  CliResult bad = p.Run({"sandbox", "up", "--engine", "mysql"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
}

}  // namespace
}  // namespace strata::testing
