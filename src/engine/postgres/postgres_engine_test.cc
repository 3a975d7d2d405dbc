#include "engine/postgres/postgres_engine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "tests/support/pg_test_env.h"
#include "util/database_url.h"

namespace strata {
namespace {

using std::chrono::milliseconds;
using testing::FreshPgDatabase;

std::unique_ptr<Engine> Open(const std::string& url_text, std::string_view app = "strata-test") {
  auto url = DatabaseUrl::Parse(url_text);
  EXPECT_TRUE(url) << url.error().message;
  if (!url) return nullptr;
  auto engine = Connect(*url, app);
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

class PostgresEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshPgDatabase(::testing::UnitTest::GetInstance()->current_test_info()->name());
    db_ = Open(url_);
    ASSERT_NE(db_, nullptr);
  }
  std::string url_;
  std::unique_ptr<Engine> db_;
};

TEST_F(PostgresEngineTest, ConnectReportsKindVersionSessionAndApplicationName) {
  EXPECT_EQ(db_->kind(), EngineKind::kPostgres);
  EXPECT_GE(db_->server_version(), 100000);
  EXPECT_EQ(db_->SessionId(), Scalar(*db_, "SELECT pg_backend_pid()::text"));
  EXPECT_EQ(Scalar(*db_, "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()"),
            "strata-test");
  EXPECT_EQ(Scalar(*db_, "SHOW client_min_messages"), "warning");
}

TEST_F(PostgresEngineTest, PgoptionsFromTheEnvironmentApplyAfterStrataDefaults) {
  ::setenv("PGOPTIONS", "-c work_mem=7MB -c statement_timeout=1234", 1);
  auto e = Open(url_);
  ::unsetenv("PGOPTIONS");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(Scalar(*e, "SHOW work_mem"), "7MB");
  EXPECT_EQ(Scalar(*e, "SHOW statement_timeout"), "1234ms");
  EXPECT_EQ(Scalar(*e, "SHOW client_min_messages"), "warning");
  // Without it, the session has the server's defaults.
  EXPECT_EQ(Scalar(*db_, "SHOW statement_timeout"), "0");
}

TEST_F(PostgresEngineTest, QueryWithParamsAndNulls) {
  std::vector<Param> params = {"41", std::nullopt, "it's; \"quoted\""};
  auto rows = db_->Query("SELECT $1::int + 1 AS a, $2::text AS b, $3::text AS c, NULL::int AS d", params);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->columns, (std::vector<std::string>{"a", "b", "c", "d"}));
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->rows[0][0], "42");
  EXPECT_EQ(rows->rows[0][1], std::nullopt);
  EXPECT_EQ(rows->rows[0][2], "it's; \"quoted\"");
  EXPECT_EQ(rows->rows[0][3], std::nullopt);

  auto many = db_->Query("SELECT g FROM generate_series(1, 5) g ORDER BY g");
  ASSERT_TRUE(many);
  ASSERT_EQ(many->size(), 5u);
  EXPECT_EQ(many->rows[4][0], "5");
}

TEST_F(PostgresEngineTest, QueryErrorCarriesSqlstateAndLine) {
  auto rows = db_->Query("SELECT 1,\n  2,\n  nosuchcolumn");
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().kind, ErrorKind::kDatabase);
  EXPECT_EQ(rows.error().sqlstate, "42703");
  EXPECT_EQ(rows.error().line, 3);
  EXPECT_NE(rows.error().message.find("nosuchcolumn"), std::string::npos);
}

TEST_F(PostgresEngineTest, ExecRunsScriptsAndReportsTheLineOfAFailure) {
  ASSERT_TRUE(db_->Exec("CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);"));
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM a"), "1");
  auto r = db_->Exec("INSERT INTO a VALUES (2);\n\nSELECT nosuch FROM a;");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sqlstate, "42703");
  EXPECT_EQ(r.error().line, 3);
}

TEST_F(PostgresEngineTest, RunTransactionCommitsAll) {
  ASSERT_TRUE(db_->Exec("CREATE TABLE t (id int PRIMARY KEY, note text)"));
  std::vector<BoundStatement> stmts = {
      {"INSERT INTO t VALUES (1, 'one')", {}},
      {"INSERT INTO t VALUES ($1, $2)", {"2", std::nullopt}},
      {"CREATE TABLE t2 (id int)", {}},
      {"INSERT INTO t2 SELECT id FROM t", {}},
  };
  auto r = db_->RunTransaction(stmts, Timeouts{milliseconds(1000), milliseconds(5000)}, true);
  ASSERT_TRUE(r) << r.error().message;
  auto other = Open(url_);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(Scalar(*other, "SELECT count(*) FROM t WHERE note IS NULL"), "1");
  EXPECT_EQ(Scalar(*other, "SELECT count(*) FROM t2"), "2");
  // The SET LOCALs did not leak into the session.
  EXPECT_EQ(Scalar(*db_, "SHOW lock_timeout"), "0");
  EXPECT_EQ(Scalar(*db_, "SHOW statement_timeout"), "0");
}

TEST_F(PostgresEngineTest, FailingThirdStatementRollsBackAndIsNamed) {
  std::vector<BoundStatement> stmts = {
      {"CREATE TABLE a (x int)", {}},
      {"INSERT INTO a VALUES ($1)", {"1"}},
      {"UPDATE a\n   SET x = 2\n WHERE nosuchcol = 1", {}},
      {"INSERT INTO a VALUES (3)", {}},
  };
  // Timeouts and durable=false add control statements to the pipeline: the index must still
  // point into the caller's span.
  auto r = db_->RunTransaction(stmts, Timeouts{milliseconds(500), milliseconds(5000)}, false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kDatabase);
  EXPECT_EQ(r.error().statement_index, 2);
  EXPECT_EQ(r.error().sqlstate, "42703");
  EXPECT_EQ(r.error().line, 3);
  EXPECT_NE(r.error().message.find("nosuchcol"), std::string::npos) << r.error().message;
  // Statements 0 and 1 were rolled back, and the session is usable (idle) again.
  EXPECT_EQ(Scalar(*db_, "SELECT to_regclass('a') IS NULL"), "t");
  EXPECT_EQ(Scalar(*db_, "SELECT 1"), "1");
  ASSERT_TRUE(db_->RunTransaction(std::span(stmts).first(2), Timeouts{}, true));
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM a"), "1");
}

TEST_F(PostgresEngineTest, ErrorOnFirstStatementAndWithHintAndDetail) {
  ASSERT_TRUE(db_->Exec("CREATE TABLE u (id int PRIMARY KEY); INSERT INTO u VALUES (1)"));
  std::vector<BoundStatement> stmts = {{"INSERT INTO u VALUES (1)", {}}};
  auto r = db_->RunTransaction(stmts, Timeouts{}, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().statement_index, 0);
  EXPECT_EQ(r.error().sqlstate, "23505");
  EXPECT_NE(r.error().message.find("DETAIL: Key (id)=(1) already exists."), std::string::npos) << r.error().message;
}

TEST_F(PostgresEngineTest, DeferredConstraintFailsAtCommit) {
  ASSERT_TRUE(db_->Exec("CREATE TABLE p (id int PRIMARY KEY);"
                        "CREATE TABLE c (pid int REFERENCES p DEFERRABLE INITIALLY DEFERRED)"));
  std::vector<BoundStatement> stmts = {{"INSERT INTO c VALUES (5)", {}}};
  auto r = db_->RunTransaction(stmts, Timeouts{}, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sqlstate, "23503");
  EXPECT_EQ(r.error().statement_index, -1);
  EXPECT_NE(r.error().message.find("COMMIT"), std::string::npos) << r.error().message;
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM c"), "0");
}

TEST_F(PostgresEngineTest, LockTimeoutIsReportedQuickly) {
  ASSERT_TRUE(db_->Exec("CREATE TABLE t (id int)"));
  auto holder = Open(url_);
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(holder->Exec("BEGIN"));
  ASSERT_TRUE(holder->Exec("LOCK TABLE t IN ACCESS EXCLUSIVE MODE"));

  std::vector<BoundStatement> stmts = {{"INSERT INTO t VALUES (1)", {}}};
  auto t0 = std::chrono::steady_clock::now();
  auto r = db_->RunTransaction(stmts, Timeouts{milliseconds(100), milliseconds(0)}, true);
  auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLockTimeout);
  EXPECT_EQ(r.error().sqlstate, "55P03");
  EXPECT_EQ(r.error().statement_index, 0);
  EXPECT_LT(elapsed, milliseconds(2000));

  ASSERT_TRUE(holder->Exec("ROLLBACK"));
  ASSERT_TRUE(db_->RunTransaction(stmts, Timeouts{milliseconds(100), milliseconds(0)}, true));
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM t"), "1");
}

TEST_F(PostgresEngineTest, StatementTimeoutStaysADatabaseError) {
  std::vector<BoundStatement> stmts = {{"SELECT 1", {}}, {"SELECT pg_sleep(10)", {}}};
  auto t0 = std::chrono::steady_clock::now();
  auto r = db_->RunTransaction(stmts, Timeouts{milliseconds(0), milliseconds(200)}, true);
  ASSERT_FALSE(r);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(5000));
  EXPECT_EQ(r.error().kind, ErrorKind::kDatabase);
  EXPECT_EQ(r.error().sqlstate, "57014");
  EXPECT_EQ(r.error().statement_index, 1);
}

TEST_F(PostgresEngineTest, NonDurableTransactionStillCommits) {
  ASSERT_TRUE(db_->Exec("CREATE TABLE t (id int)"));
  std::vector<BoundStatement> stmts = {{"INSERT INTO t VALUES (1)", {}}, {"INSERT INTO t VALUES (2)", {}}};
  ASSERT_TRUE(db_->RunTransaction(stmts, Timeouts{}, /*durable=*/false));
  auto other = Open(url_);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(Scalar(*other, "SELECT sum(id) FROM t"), "3");
}

TEST_F(PostgresEngineTest, LargeBatchInOnePipeline) {
  ASSERT_TRUE(db_->Exec("CREATE TABLE t (id int, pad text)"));
  std::vector<BoundStatement> stmts;
  std::string pad(200, 'x');
  for (int i = 0; i < 5000; ++i) stmts.push_back({"INSERT INTO t VALUES ($1, $2)", {std::to_string(i), pad}});
  auto r = db_->RunTransaction(stmts, Timeouts{milliseconds(1000), milliseconds(0)}, true);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM t"), "5000");
}

TEST_F(PostgresEngineTest, RunTransactionRefusesWhenATransactionIsOpen) {
  ASSERT_TRUE(db_->Exec("BEGIN"));
  std::vector<BoundStatement> stmts = {{"SELECT 1", {}}};
  auto r = db_->RunTransaction(stmts, Timeouts{}, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kInternal);
  ASSERT_TRUE(db_->Exec("ROLLBACK"));
}

TEST_F(PostgresEngineTest, LostConnectionIsAnErrorNotAHang) {
  auto killer = Open(url_);
  ASSERT_NE(killer, nullptr);
  Param pid = db_->SessionId();
  ASSERT_TRUE(killer->Query("SELECT pg_terminate_backend($1::int)", std::span<const Param>(&pid, 1)));
  std::vector<BoundStatement> stmts = {{"SELECT 1", {}}};
  auto r = db_->RunTransaction(stmts, Timeouts{}, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kDatabase);
}

TEST_F(PostgresEngineTest, RunAutocommitRunsCreateIndexConcurrently) {
  ASSERT_TRUE(db_->Exec("CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 1000)"));
  BoundStatement cic{"CREATE INDEX CONCURRENTLY t_id_idx ON t (id)", {}};
  // Inside a transaction it cannot run...
  auto in_tx = db_->RunTransaction(std::span(&cic, 1), Timeouts{}, true);
  ASSERT_FALSE(in_tx);
  EXPECT_EQ(in_tx.error().sqlstate, "25001");
  // ...outside it can, with the timeouts applied to it alone.
  auto r = db_->RunAutocommit(cic, Timeouts{milliseconds(150), milliseconds(10000)});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM pg_indexes WHERE indexname = 't_id_idx'"), "1");
  EXPECT_EQ(Scalar(*db_, "SHOW lock_timeout"), "0");
  EXPECT_EQ(Scalar(*db_, "SHOW statement_timeout"), "0");

  // With parameters, and a failure reported as statement 0.
  ASSERT_TRUE(db_->RunAutocommit(BoundStatement{"INSERT INTO t VALUES ($1)", {"5000"}}, Timeouts{}));
  EXPECT_EQ(Scalar(*db_, "SELECT max(id) FROM t"), "5000");
  auto bad = db_->RunAutocommit(BoundStatement{"CREATE INDEX CONCURRENTLY t_id_idx ON t (id)", {}},
                                Timeouts{milliseconds(150), milliseconds(0)});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().statement_index, 0);
  EXPECT_EQ(bad.error().sqlstate, "42P07");
  EXPECT_EQ(Scalar(*db_, "SHOW lock_timeout"), "0");
}

TEST_F(PostgresEngineTest, RunAutocommitLockTimeout) {
  ASSERT_TRUE(db_->Exec("CREATE TABLE t (id int)"));
  auto holder = Open(url_);
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(holder->Exec("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE"));
  auto r = db_->RunAutocommit(BoundStatement{"ALTER TABLE t ADD COLUMN x int", {}},
                              Timeouts{milliseconds(100), milliseconds(0)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kLockTimeout);
  EXPECT_EQ(Scalar(*db_, "SHOW lock_timeout"), "0");
}

TEST_F(PostgresEngineTest, SplitHandlesQuotesCommentsAndLines) {
  std::string script =
      "-- leading comment; with a semicolon\n"            // line 1
      "CREATE TABLE a (s text DEFAULT 'x;y');\n"          // line 2
      "\n"                                                // line 3
      "CREATE FUNCTION f() RETURNS int AS $body$\n"       // line 4
      "BEGIN\n"                                           // 5
      "  RETURN 1; -- inner ;\n"                          // 6
      "END;\n"                                            // 7
      "$body$ LANGUAGE plpgsql;\n"                        // 8
      "/* block; comment */ INSERT INTO a VALUES ('a'';b');\n"  // 9
      ";;\n"                                              // 10
      "SELECT s AS \"we;ird\" FROM a";                    // 11 (no final semicolon)
  auto stmts = db_->Split(script);
  ASSERT_TRUE(stmts) << stmts.error().message;
  ASSERT_EQ(stmts->size(), 4u);
  EXPECT_EQ((*stmts)[0].sql, "CREATE TABLE a (s text DEFAULT 'x;y')");
  EXPECT_EQ((*stmts)[0].line, 2);
  EXPECT_EQ((*stmts)[1].line, 4);
  EXPECT_TRUE((*stmts)[1].sql.starts_with("CREATE FUNCTION f()"));
  EXPECT_TRUE((*stmts)[1].sql.ends_with("$body$ LANGUAGE plpgsql"));
  EXPECT_EQ((*stmts)[2].sql, "INSERT INTO a VALUES ('a'';b')");
  EXPECT_EQ((*stmts)[2].line, 9);
  EXPECT_EQ((*stmts)[3].sql, "SELECT s AS \"we;ird\" FROM a");
  EXPECT_EQ((*stmts)[3].line, 11);
  for (const auto& s : *stmts) EXPECT_EQ(script.substr(s.offset, s.sql.size()), s.sql);

  // The pieces run as they are.
  std::vector<BoundStatement> bound;
  for (const auto& s : *stmts) bound.push_back({s.sql, {}});
  auto ran = db_->RunTransaction(bound, Timeouts{}, true);
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(Scalar(*db_, "SELECT f()"), "1");

  auto bad = db_->Split("SELECT 1;\nSELECT 'unterminated");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kInput);
}

TEST_F(PostgresEngineTest, TryLockIsExclusiveAndReleasedWithTheSession) {
  auto other = Open(url_);
  ASSERT_NE(other, nullptr);
  auto got = db_->TryLock("strata:migrate");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(*got);
  auto denied = other->TryLock("strata:migrate");
  ASSERT_TRUE(denied);
  EXPECT_FALSE(*denied);
  // A different name is a different lock.
  auto different = other->TryLock("strata:other");
  ASSERT_TRUE(different);
  EXPECT_TRUE(*different);
  ASSERT_TRUE(other->Unlock("strata:other"));

  // Unlock releases it.
  ASSERT_TRUE(db_->Unlock("strata:migrate"));
  EXPECT_FALSE(db_->Unlock("strata:migrate"));  // not held any more
  auto now_ok = other->TryLock("strata:migrate");
  ASSERT_TRUE(now_ok);
  EXPECT_TRUE(*now_ok);

  // Closing the holding session releases it too.
  auto denied_again = db_->TryLock("strata:migrate");
  ASSERT_TRUE(denied_again);
  EXPECT_FALSE(*denied_again);
  other.reset();
  bool acquired = false;
  for (int i = 0; i < 100 && !acquired; ++i) {  // the backend exits asynchronously
    auto r = db_->TryLock("strata:migrate");
    ASSERT_TRUE(r);
    acquired = *r;
    if (!acquired) std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(acquired);
}

TEST_F(PostgresEngineTest, LockKeyIsStable) {
  EXPECT_EQ(PostgresEngine::LockKey("strata"), PostgresEngine::LockKey("strata"));
  EXPECT_NE(PostgresEngine::LockKey("strata"), PostgresEngine::LockKey("strata2"));
  // FNV-1a 64 of the empty string is the offset basis.
  EXPECT_EQ(static_cast<uint64_t>(PostgresEngine::LockKey("")), 14695981039346656037ull);
}

TEST(PostgresConnectTest, ConnectionErrorsNeverContainThePassword) {
  PgCluster& cluster = testing::SharedCluster();
  const std::string secret = "sup3rSecretPw";
  std::vector<std::string> urls = {
      // A database that does not exist on a running server.
      "postgres://postgres:" + secret + "@127.0.0.1:" + std::to_string(cluster.port()) + "/strata_no_such_db",
      // Nothing listens on port 1.
      "postgresql://bob:" + secret + "@127.0.0.1:1/db",
      // Password as a query parameter.
      "postgres://127.0.0.1:1/db?user=bob&password=" + secret,
  };
  for (const auto& text : urls) {
    auto url = DatabaseUrl::Parse(text);
    ASSERT_TRUE(url) << url.error().message;
    auto engine = Connect(*url, "strata-test");
    ASSERT_FALSE(engine) << text;
    EXPECT_EQ(engine.error().kind, ErrorKind::kDatabase);
    EXPECT_EQ(engine.error().message.find(secret), std::string::npos) << engine.error().message;
    EXPECT_NE(engine.error().message.find("127.0.0.1"), std::string::npos) << engine.error().message;
  }
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

// RunTransaction sends no BEGIN/COMMIT (the pipeline's implicit transaction): statements that
// refuse transaction blocks must still be refused wherever they stand, and nothing before them
// may stay committed.
TEST(PostgresEnginePipelineTest, StatementsThatRefuseTransactionsAreRefusedAnywhere) {
  auto url = DatabaseUrl::Parse(strata::testing::FreshPgDatabase("pipe"));
  ASSERT_TRUE(url);
  auto db = Connect(*url, "test");
  ASSERT_TRUE(db);
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t (id int)"));
  std::vector<BoundStatement> first{{"CREATE INDEX CONCURRENTLY t_a ON t (id)", {}}, {"INSERT INTO t VALUES (1)", {}}};
  std::vector<BoundStatement> second{{"INSERT INTO t VALUES (2)", {}}, {"CREATE INDEX CONCURRENTLY t_b ON t (id)", {}}};
  for (auto* stmts : {&first, &second}) {
    auto r = (*db)->RunTransaction(*stmts, Timeouts{}, false);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "25001");
  }
  auto rows = (*db)->Query("SELECT (SELECT count(*) FROM t) || '/' || (SELECT count(*) FROM pg_indexes WHERE tablename = 't')");
  ASSERT_TRUE(rows);
  EXPECT_EQ(*rows->rows[0][0], "0/0");
}

}  // namespace
}  // namespace strata
