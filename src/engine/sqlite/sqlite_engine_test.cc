#include "engine/sqlite/sqlite_engine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "tests/support/pg_test_env.h"
#include "util/database_url.h"

namespace strata {
namespace {

using std::chrono::milliseconds;

std::unique_ptr<Engine> Open(const std::string& path) {
  auto url = DatabaseUrl::Parse("sqlite:" + path);
  EXPECT_TRUE(url) << url.error().message;
  if (!url) return nullptr;
  auto engine = Connect(*url, "strata-test");
  EXPECT_TRUE(engine) << engine.error().message;
  if (!engine) return nullptr;
  return std::move(*engine);
}

std::string Scalar(Engine& e, std::string_view sql) {
  auto rows = e.Query(sql);
  EXPECT_TRUE(rows) << rows.error().message;
  if (!rows || rows->size() != 1 || !rows->rows[0][0]) return "<none>";
  return *rows->rows[0][0];
}

class SqliteEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::FreshSqlitePath();
    db_ = Open(path_);
    ASSERT_NE(db_, nullptr);
  }
  std::string path_;
  std::unique_ptr<Engine> db_;
};

TEST_F(SqliteEngineTest, OpensFileWithWalAndForeignKeys) {
  EXPECT_EQ(db_->kind(), EngineKind::kSqlite);
  EXPECT_GE(db_->server_version(), 3000000);
  EXPECT_EQ(db_->SessionId(), std::to_string(::getpid()));
  EXPECT_TRUE(std::filesystem::exists(path_));
  EXPECT_EQ(Scalar(*db_, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(Scalar(*db_, "PRAGMA foreign_keys"), "1");
  ASSERT_TRUE(db_->Exec("CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (pid INTEGER REFERENCES p(id))"));
  auto r = db_->Exec("INSERT INTO c VALUES (7)");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sqlstate, "SQLITE_CONSTRAINT");
}

TEST(SqliteOpenTest, MemoryDatabaseAndOpenErrors) {
  auto mem = Open(":memory:");
  ASSERT_NE(mem, nullptr);
  EXPECT_EQ(Scalar(*mem, "SELECT 1 + 1"), "2");
  auto url = DatabaseUrl::Parse("sqlite:/nonexistent-strata-dir/sub/x.db");
  ASSERT_TRUE(url);
  auto bad = Connect(*url, "strata-test");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kDatabase);
  EXPECT_NE(bad.error().message.find("/nonexistent-strata-dir/sub/x.db"), std::string::npos) << bad.error().message;
}

TEST_F(SqliteEngineTest, QueryWithDollarParamsAndNulls) {
  std::vector<Param> params = {"ab", std::nullopt, "it's; fine"};
  auto rows = db_->Query("SELECT $1 || 'x' AS a, $2 AS b, $1 AS again, $3 AS c, NULL AS d", params);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->columns, (std::vector<std::string>{"a", "b", "again", "c", "d"}));
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->rows[0][0], "abx");
  EXPECT_EQ(rows->rows[0][1], std::nullopt);
  EXPECT_EQ(rows->rows[0][2], "ab");
  EXPECT_EQ(rows->rows[0][3], "it's; fine");
  EXPECT_EQ(rows->rows[0][4], std::nullopt);

  // Text parameters compare and store by column affinity; numbers come back as text.
  ASSERT_TRUE(db_->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, n REAL)"));
  std::vector<BoundStatement> ins = {{"INSERT INTO t VALUES ($1, $2)", {"2", "1.5"}},
                                     {"INSERT INTO t VALUES ($1, $2)", {"10", std::nullopt}}};
  ASSERT_TRUE(db_->RunTransaction(ins, Timeouts{}, true));
  std::vector<Param> key = {"2"};
  auto found = db_->Query("SELECT id, n, typeof(id) FROM t WHERE id = $1", key);
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->rows[0][0], "2");
  EXPECT_EQ(found->rows[0][1], "1.5");
  EXPECT_EQ(found->rows[0][2], "integer");
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM t WHERE n IS NULL"), "1");

  // Too few parameters, and unsupported parameter styles, are input errors.
  auto missing = db_->Query("SELECT $2", key);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kInput);
  auto named = db_->Query("SELECT :name", key);
  ASSERT_FALSE(named);
  EXPECT_EQ(named.error().kind, ErrorKind::kInput);
  auto two = db_->Query("SELECT 1; SELECT 2");
  ASSERT_FALSE(two);
}

TEST_F(SqliteEngineTest, ExecReportsTheLineOfAFailure) {
  auto r = db_->Exec("CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);\nSELECT nosuch FROM a;");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kDatabase);
  EXPECT_EQ(r.error().line, 3);
  EXPECT_NE(r.error().message.find("nosuch"), std::string::npos);
}

TEST_F(SqliteEngineTest, RunTransactionCommitsAll) {
  std::vector<BoundStatement> stmts = {
      {"CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT)", {}},
      {"INSERT INTO t VALUES (1, 'one')", {}},
      {"INSERT INTO t VALUES ($1, $2)", {"2", std::nullopt}},
  };
  ASSERT_TRUE(db_->RunTransaction(stmts, Timeouts{milliseconds(500), milliseconds(5000)}, true));
  auto other = Open(path_);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(Scalar(*other, "SELECT count(*) FROM t"), "2");
}

TEST_F(SqliteEngineTest, FailingThirdStatementRollsBackAndIsNamed) {
  std::vector<BoundStatement> stmts = {
      {"CREATE TABLE a (x int)", {}},
      {"INSERT INTO a VALUES ($1)", {"1"}},
      {"UPDATE a\n   SET x = 2\n WHERE nosuchcol = 1", {}},
      {"INSERT INTO a VALUES (3)", {}},
  };
  auto r = db_->RunTransaction(stmts, Timeouts{milliseconds(500), milliseconds(5000)}, false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kDatabase);
  EXPECT_EQ(r.error().statement_index, 2);
  EXPECT_EQ(r.error().sqlstate, "SQLITE_ERROR");
  EXPECT_EQ(r.error().line, 3);
  EXPECT_NE(r.error().message.find("nosuchcol"), std::string::npos) << r.error().message;
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM sqlite_master WHERE name = 'a'"), "0");

  // A run-time failure (constraint) is named the same way, and the session stays usable.
  std::vector<BoundStatement> dup = {
      {"CREATE TABLE u (id INTEGER PRIMARY KEY)", {}},
      {"INSERT INTO u VALUES (1)", {}},
      {"INSERT INTO u VALUES (1)", {}},
  };
  auto d = db_->RunTransaction(dup, Timeouts{}, true);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().statement_index, 2);
  EXPECT_EQ(d.error().sqlstate, "SQLITE_CONSTRAINT");
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM sqlite_master WHERE name = 'u'"), "0");
  ASSERT_TRUE(db_->RunTransaction(std::span(dup).first(2), Timeouts{}, true));
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM u"), "1");
}

TEST_F(SqliteEngineTest, BusyDatabaseIsALockTimeout) {
  ASSERT_TRUE(db_->Exec("CREATE TABLE t (id int)"));
  auto holder = Open(path_);
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(holder->Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (1)"));

  std::vector<BoundStatement> stmts = {{"INSERT INTO t VALUES (2)", {}}};
  auto t0 = std::chrono::steady_clock::now();
  auto r = db_->RunTransaction(stmts, Timeouts{milliseconds(100), milliseconds(0)}, true);
  auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLockTimeout);
  EXPECT_EQ(r.error().sqlstate, "SQLITE_BUSY");
  EXPECT_GE(elapsed, milliseconds(80));
  EXPECT_LT(elapsed, milliseconds(2000));

  auto ac = db_->RunAutocommit(stmts[0], Timeouts{milliseconds(100), milliseconds(0)});
  ASSERT_FALSE(ac);
  EXPECT_EQ(ac.error().kind, ErrorKind::kLockTimeout);

  ASSERT_TRUE(holder->Exec("COMMIT"));
  ASSERT_TRUE(db_->RunTransaction(stmts, Timeouts{milliseconds(100), milliseconds(0)}, true));
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM t"), "2");
}

TEST_F(SqliteEngineTest, StatementTimeoutInterrupts) {
  std::vector<BoundStatement> stmts = {
      {"CREATE TABLE t (x int)", {}},
      {"WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1000000000) "
       "SELECT count(*) FROM c",
       {}},
  };
  auto t0 = std::chrono::steady_clock::now();
  auto r = db_->RunTransaction(stmts, Timeouts{milliseconds(0), milliseconds(100)}, true);
  ASSERT_FALSE(r);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(3000));
  EXPECT_EQ(r.error().kind, ErrorKind::kDatabase);
  EXPECT_EQ(r.error().sqlstate, "SQLITE_INTERRUPT");
  EXPECT_EQ(r.error().statement_index, 1);
  EXPECT_NE(r.error().message.find("timeout"), std::string::npos) << r.error().message;
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM sqlite_master WHERE name = 't'"), "0");
  // The deadline is gone afterwards: a long-ish query without a timeout completes.
  EXPECT_EQ(Scalar(*db_, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200000) "
                         "SELECT count(*) FROM c"),
            "200000");
}

TEST_F(SqliteEngineTest, NonDurableStillCommitsAndRestoresSynchronous) {
  std::string before = Scalar(*db_, "PRAGMA synchronous");
  std::vector<BoundStatement> stmts = {{"CREATE TABLE t (x int)", {}}, {"INSERT INTO t VALUES (1)", {}}};
  ASSERT_TRUE(db_->RunTransaction(stmts, Timeouts{}, /*durable=*/false));
  EXPECT_EQ(Scalar(*db_, "PRAGMA synchronous"), before);
  auto other = Open(path_);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(Scalar(*other, "SELECT count(*) FROM t"), "1");
}

TEST_F(SqliteEngineTest, RunAutocommitRunsWhatCannotRunInATransaction) {
  ASSERT_TRUE(db_->Exec("CREATE TABLE t (x int); INSERT INTO t VALUES (1)"));
  BoundStatement vacuum{"VACUUM", {}};
  auto in_tx = db_->RunTransaction(std::span(&vacuum, 1), Timeouts{}, true);
  ASSERT_FALSE(in_tx);
  EXPECT_EQ(in_tx.error().statement_index, 0);
  ASSERT_TRUE(db_->RunAutocommit(vacuum, Timeouts{milliseconds(100), milliseconds(5000)}));
  ASSERT_TRUE(db_->RunAutocommit(BoundStatement{"INSERT INTO t VALUES ($1)", {"2"}}, Timeouts{}));
  EXPECT_EQ(Scalar(*db_, "SELECT sum(x) FROM t"), "3");
}

TEST_F(SqliteEngineTest, SplitHandlesQuotesCommentsTriggersAndLines) {
  std::string script =
      "-- leading; comment\n"                                       // 1
      "CREATE TABLE a (s TEXT DEFAULT 'x;y', \"we;ird\" int);\n"    // 2
      "/* block;\n comment */\n"                                    // 3-4
      "CREATE TRIGGER tr AFTER INSERT ON a BEGIN\n"                 // 5
      "  UPDATE a SET \"we;ird\" = 1;\n"                            // 6
      "  SELECT 'end;';\n"                                          // 7
      "END;\n"                                                      // 8
      ";\n"                                                         // 9
      "INSERT INTO a (s) VALUES ('it''s;')";                        // 10, no semicolon
  auto stmts = db_->Split(script);
  ASSERT_TRUE(stmts) << stmts.error().message;
  ASSERT_EQ(stmts->size(), 3u);
  EXPECT_EQ((*stmts)[0].sql, "CREATE TABLE a (s TEXT DEFAULT 'x;y', \"we;ird\" int)");
  EXPECT_EQ((*stmts)[0].line, 2);
  EXPECT_TRUE((*stmts)[1].sql.starts_with("CREATE TRIGGER tr"));
  EXPECT_TRUE((*stmts)[1].sql.ends_with("END"));
  EXPECT_EQ((*stmts)[1].line, 5);
  EXPECT_EQ((*stmts)[2].sql, "INSERT INTO a (s) VALUES ('it''s;')");
  EXPECT_EQ((*stmts)[2].line, 10);
  for (const auto& s : *stmts) EXPECT_EQ(script.substr(s.offset, s.sql.size()), s.sql);

  std::vector<BoundStatement> bound;
  for (const auto& s : *stmts) bound.push_back({s.sql, {}});
  auto ran = db_->RunTransaction(bound, Timeouts{}, true);
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(Scalar(*db_, "SELECT \"we;ird\" FROM a"), "1");

  auto bad = db_->Split("SELECT 1;\n\nSELECT 'unterminated");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kInput);
  EXPECT_EQ(bad.error().line, 3);
  auto comment = db_->Split("SELECT 1; /* never closed");
  EXPECT_FALSE(comment);
  auto empty = db_->Split("  -- nothing\n;;\n");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST_F(SqliteEngineTest, TryLockIsExclusiveAcrossEngines) {
  auto other = Open(path_);
  ASSERT_NE(other, nullptr);
  auto got = db_->TryLock("strata");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(*got);
  EXPECT_TRUE(std::filesystem::exists(path_ + "-strata.lock"));
  auto denied = other->TryLock("strata");
  ASSERT_TRUE(denied);
  EXPECT_FALSE(*denied);

  ASSERT_TRUE(db_->Unlock("strata"));
  EXPECT_FALSE(db_->Unlock("strata"));
  auto now_ok = other->TryLock("strata");
  ASSERT_TRUE(now_ok);
  EXPECT_TRUE(*now_ok);
  auto denied_again = db_->TryLock("strata");
  ASSERT_TRUE(denied_again);
  EXPECT_FALSE(*denied_again);

  // Destroying the holder releases the lock.
  other.reset();
  auto after_close = db_->TryLock("strata");
  ASSERT_TRUE(after_close);
  EXPECT_TRUE(*after_close);
}

TEST(SqliteMemoryTest, TryLockAlwaysGrantedInMemory) {
  auto a = Open(":memory:");
  auto b = Open(":memory:");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(*a->TryLock("x"));
  EXPECT_TRUE(*b->TryLock("x"));
  EXPECT_TRUE(a->Unlock("x"));
}

}  // namespace
}  // namespace strata
