// The audit chain on real PostgreSQL and SQLite: appends chain, Verify finds edited, deleted
// and reordered records, concurrent appenders never fork the chain, and a store of schema
// version 1 is upgraded in place with its old records chained once.
#include "history/audit_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "history/history_store.h"
#include "tests/support/pg_test_env.h"
#include "util/database_url.h"

namespace strata {
namespace {

using strata::testing::FreshPgDatabase;
using strata::testing::FreshSqlitePath;

std::unique_ptr<Engine> Open(const std::string& url) {
  auto u = DatabaseUrl::Parse(url);
  EXPECT_TRUE(u.has_value());
  auto e = Connect(*u, "audit_log_test");
  EXPECT_TRUE(e.has_value()) << (e ? "" : e.error().message);
  return std::move(*e);
}

Actor Alice() { return Actor{"alice", "box-1", "apply", "flag"}; }

class AuditLogTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    url_ = GetParam() ? FreshPgDatabase("audit") : "sqlite:" + FreshSqlitePath();
    engine_ = Open(url_);
    HistoryStore store(*engine_, "users");
    ASSERT_TRUE(store.EnsureSchema().has_value());
  }
  bool pg() const { return GetParam(); }
  std::string table() const { return pg() ? "strata.audit" : "strata_audit"; }
  AuditLog log() const { return AuditLog(engine_->kind(), table()); }
  void AppendN(int n) {
    for (int i = 0; i < n; ++i) {
      auto r = log().Append(*engine_, "apply", "users", "000" + std::to_string(i), Alice(),
                            R"({"checksum":"abc","n":)" + std::to_string(i) + "}");
      ASSERT_TRUE(r.has_value()) << r.error().message;
    }
  }
  // Runs `sql` with the append-only triggers out of the way, as a superuser or a file editor would.
  void Tamper(const std::string& sql) {
    if (pg()) {
      ASSERT_TRUE(engine_->Exec("BEGIN; ALTER TABLE strata.audit DISABLE TRIGGER USER; " + sql +
                                "; ALTER TABLE strata.audit ENABLE TRIGGER USER; COMMIT")
                      .has_value());
    } else {
      ASSERT_TRUE(engine_->Exec("DROP TRIGGER strata_audit_no_update; DROP TRIGGER strata_audit_no_delete; " + sql)
                      .has_value());
    }
  }
  std::string url_;
  std::unique_ptr<Engine> engine_;
};

TEST_P(AuditLogTest, AppendsChainAndVerify) {
  AppendN(5);
  auto records = log().Read(*engine_, AuditFilter{});
  ASSERT_TRUE(records.has_value());
  ASSERT_EQ(records->size(), 5u);
  // Newest first; each links to the one before; the database's hash equals the C++ one.
  EXPECT_EQ((*records)[4].seq, 1);
  EXPECT_EQ((*records)[4].prev_hash, "");
  for (size_t i = 0; i + 1 < records->size(); ++i) EXPECT_EQ((*records)[i].prev_hash, (*records)[i + 1].hash);
  for (const auto& r : *records) EXPECT_EQ(AuditHash(r), r.hash) << AuditCanonical(r);
  EXPECT_NE((*records)[0].details.find("\"actor_source\""), std::string::npos);
  auto rep = log().Verify(*engine_);
  ASSERT_TRUE(rep.has_value());
  EXPECT_TRUE(rep->ok) << rep->message;
  EXPECT_EQ(rep->records, 5);
  EXPECT_EQ(rep->head_hash, (*records)[0].hash);
}

TEST_P(AuditLogTest, TriggersRefuseUpdateAndDelete) {
  AppendN(1);
  EXPECT_FALSE(engine_->Exec("UPDATE " + table() + " SET actor = 'mallory'").has_value());
  EXPECT_FALSE(engine_->Exec("DELETE FROM " + table()).has_value());
}

TEST_P(AuditLogTest, VerifyFindsAnEditedRecord) {
  AppendN(4);
  Tamper("UPDATE " + table() + " SET actor = 'mallory' WHERE seq = 2");
  auto rep = log().Verify(*engine_);
  ASSERT_TRUE(rep.has_value());
  EXPECT_FALSE(rep->ok);
  EXPECT_EQ(rep->bad_seq, 2);
  EXPECT_EQ(rep->problem, "edited");
}

TEST_P(AuditLogTest, VerifyFindsAnEditedDetailsText) {
  AppendN(3);
  Tamper(pg() ? "UPDATE strata.audit SET details = '{\"checksum\": \"xyz\", \"n\": 0}' WHERE seq = 1"
              : "UPDATE strata_audit SET details = '{\"checksum\":\"xyz\",\"n\":0}' WHERE seq = 1");
  auto rep = log().Verify(*engine_);
  ASSERT_TRUE(rep.has_value());
  EXPECT_FALSE(rep->ok);
  EXPECT_EQ(rep->bad_seq, 1);
}

TEST_P(AuditLogTest, VerifyFindsADeletedRecord) {
  AppendN(5);
  Tamper("DELETE FROM " + table() + " WHERE seq = 3");
  auto rep = log().Verify(*engine_);
  ASSERT_TRUE(rep.has_value());
  EXPECT_FALSE(rep->ok);
  EXPECT_EQ(rep->bad_seq, 4);
  EXPECT_EQ(rep->problem, "missing");
  EXPECT_NE(rep->message.find("3 to 3"), std::string::npos) << rep->message;
}

TEST_P(AuditLogTest, VerifyFindsADeletedFirstRecord) {
  AppendN(3);
  Tamper("DELETE FROM " + table() + " WHERE seq = 1");
  auto rep = log().Verify(*engine_);
  ASSERT_TRUE(rep.has_value());
  EXPECT_FALSE(rep->ok);
  EXPECT_EQ(rep->bad_seq, 2);
  EXPECT_EQ(rep->problem, "missing");
}

TEST_P(AuditLogTest, VerifyFindsSwappedRecords) {
  AppendN(4);
  // Swap records 2 and 3 including their sequence numbers: every hash is still right, but the
  // links are not.
  Tamper("UPDATE " + table() + " SET seq = -2 WHERE seq = 2; UPDATE " + table() +
         " SET seq = 2 WHERE seq = 3; UPDATE " + table() + " SET seq = 3 WHERE seq = -2");
  auto rep = log().Verify(*engine_);
  ASSERT_TRUE(rep.has_value());
  EXPECT_FALSE(rep->ok);
  EXPECT_EQ(rep->bad_seq, 2);
}

TEST_P(AuditLogTest, SecretsAreRedacted) {
  ASSERT_TRUE(log().Append(*engine_, "hash", "users", "", Alice(),
                           R"({"url":"postgres://app:Sup3rSecret@db/app"})")
                  .has_value());
  auto records = log().Read(*engine_, AuditFilter{});
  ASSERT_TRUE(records.has_value());
  EXPECT_EQ((*records)[0].details.find("Sup3rSecret"), std::string::npos) << (*records)[0].details;
}

TEST_P(AuditLogTest, FiltersRecords) {
  AppendN(3);
  ASSERT_TRUE(log().Append(*engine_, "rollback", "orders", "0002", Actor{"bob", "h", "rollback", "os"}, "{}").has_value());
  AuditFilter f;
  f.action = "rollback";
  auto r = log().Read(*engine_, f);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].actor, "bob");
  f = AuditFilter{};
  f.actor = "alice";
  f.limit = 2;
  r = log().Read(*engine_, f);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].seq, 3);
  f = AuditFilter{};
  f.since = "2000-01-01";
  f.until = "2000-01-02";
  r = log().Read(*engine_, f);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->empty());
  // Times are UTC whatever the session's time zone, with or without a "Z".
  if (pg()) {
    ASSERT_TRUE(engine_->Exec("SET TimeZone = 'Pacific/Kiritimati'").has_value());  // UTC+14
  }
  auto all = log().Read(*engine_, AuditFilter{});
  ASSERT_TRUE(all.has_value());
  std::string newest = (*all)[0].at;  // e.g. 2026-11-22T01:02:03.456789Z
  f = AuditFilter{};
  f.since = newest.substr(0, 19) + "Z";  // the newest record's second: includes it
  r = log().Read(*engine_, f);
  ASSERT_TRUE(r.has_value());
  EXPECT_GE(r->size(), 1u);
  EXPECT_EQ((*r)[0].seq, (*all)[0].seq);
  f.since = "";
  f.until = newest.substr(0, 10) + " " + newest.substr(11, 8);  // space form, that second: excludes it
  r = log().Read(*engine_, f);
  ASSERT_TRUE(r.has_value());
  for (const auto& rec : *r) EXPECT_LT(rec.at, newest.substr(0, 19));
}

TEST_P(AuditLogTest, ConcurrentAppendersNeverFork) {
  // PostgreSQL: the advisory lock; SQLite: BEGIN IMMEDIATE (writers wait on busy_timeout).
  constexpr int kThreads = 4, kEach = 15;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto e = Open(url_);
      for (int i = 0; i < kEach; ++i) {
        if (!log().Append(*e, "apply", "svc" + std::to_string(t), std::to_string(i), Alice(), "{}")) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto rep = log().Verify(*engine_);
  ASSERT_TRUE(rep.has_value());
  EXPECT_TRUE(rep->ok) << rep->message;
  EXPECT_EQ(rep->records, kThreads * kEach);
}

INSTANTIATE_TEST_SUITE_P(Engines, AuditLogTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Postgres" : "Sqlite"; });

// A store created by the first release (schema_version 1, audit without chain columns).
constexpr const char* kV1Postgres = R"sql(
CREATE SCHEMA strata;
CREATE TABLE strata.meta (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO strata.meta VALUES ('schema_version', '1');
CREATE TABLE strata.history (service text NOT NULL, migration_id text NOT NULL, name text NOT NULL,
  checksum text NOT NULL, status text NOT NULL, statements_done integer NOT NULL DEFAULT 0,
  statements_total integer NOT NULL DEFAULT 0, done_checksum text NOT NULL DEFAULT '', applied_by text NOT NULL,
  applied_host text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), duration_ms bigint NOT NULL DEFAULT 0,
  out_of_order boolean NOT NULL DEFAULT false, PRIMARY KEY (service, migration_id));
CREATE TABLE strata.audit (seq bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(),
  action text NOT NULL, service text NOT NULL, migration_id text, actor text NOT NULL, host text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}');
CREATE TABLE strata.lock_holder (service text PRIMARY KEY, actor text NOT NULL, host text NOT NULL,
  since timestamptz NOT NULL DEFAULT now(), session text NOT NULL, command text NOT NULL);
CREATE FUNCTION strata.audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$BEGIN RAISE EXCEPTION 'strata.audit is append-only'; END$$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON strata.audit
  FOR EACH ROW EXECUTE FUNCTION strata.audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON strata.audit
  FOR EACH STATEMENT EXECUTE FUNCTION strata.audit_append_only();
INSERT INTO strata.audit (action, service, migration_id, actor, host, details) VALUES
  ('apply', 'users', '0001', 'olduser', 'oldhost', '{"checksum": "c1"}'),
  ('hash', 'users', NULL, 'olduser', 'oldhost', '{}'),
  ('apply', 'users', '0002', 'olduser', 'oldhost', '{"checksum": "c2"}');
)sql";

constexpr const char* kV1Sqlite = R"sql(
CREATE TABLE strata_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO strata_meta VALUES ('schema_version', '1');
CREATE TABLE strata_history (service TEXT NOT NULL, migration_id TEXT NOT NULL, name TEXT NOT NULL,
  checksum TEXT NOT NULL, status TEXT NOT NULL, statements_done INTEGER NOT NULL DEFAULT 0,
  statements_total INTEGER NOT NULL DEFAULT 0, done_checksum TEXT NOT NULL DEFAULT '', applied_by TEXT NOT NULL,
  applied_host TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  duration_ms INTEGER NOT NULL DEFAULT 0, out_of_order INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (service, migration_id));
CREATE TABLE strata_audit (seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), action TEXT NOT NULL, service TEXT NOT NULL,
  migration_id TEXT, actor TEXT NOT NULL, host TEXT NOT NULL, details TEXT NOT NULL DEFAULT '{}');
CREATE TABLE strata_lock_holder (service TEXT PRIMARY KEY, actor TEXT NOT NULL, host TEXT NOT NULL,
  since TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), session TEXT NOT NULL, command TEXT NOT NULL);
CREATE TRIGGER strata_audit_no_update BEFORE UPDATE ON strata_audit
  BEGIN SELECT RAISE(ABORT, 'strata_audit is append-only'); END;
CREATE TRIGGER strata_audit_no_delete BEFORE DELETE ON strata_audit
  BEGIN SELECT RAISE(ABORT, 'strata_audit is append-only'); END;
INSERT INTO strata_audit (action, service, migration_id, actor, host, details) VALUES
  ('apply', 'users', '0001', 'olduser', 'oldhost', '{"checksum":"c1"}'),
  ('hash', 'users', NULL, 'olduser', 'oldhost', '{}'),
  ('apply', 'users', '0002', 'olduser', 'oldhost', '{"checksum":"c2"}');
)sql";

class AuditUpgradeTest : public ::testing::TestWithParam<bool> {};

TEST_P(AuditUpgradeTest, UpgradesAVersion1StoreInPlace) {
  bool pg = GetParam();
  auto engine = Open(pg ? FreshPgDatabase("auditv1") : "sqlite:" + FreshSqlitePath());
  ASSERT_TRUE(engine->Exec(pg ? kV1Postgres : kV1Sqlite).has_value());
  HistoryStore store(*engine, "users");
  AuditLog log = store.audit();
  ASSERT_EQ(store.SchemaVersion().value(), 1);
  // Before the upgrade the records can be listed (without hashes) and verify says why not.
  auto before = store.ReadAudit(0);
  ASSERT_TRUE(before.has_value()) << before.error().message;
  EXPECT_EQ(before->size(), 3u);
  auto rep = log.Verify(*engine);
  ASSERT_TRUE(rep.has_value());
  EXPECT_FALSE(rep->ok);
  EXPECT_EQ(rep->problem, "unchained");

  auto up = store.EnsureSchema();
  ASSERT_TRUE(up.has_value()) << up.error().message;
  EXPECT_EQ(store.SchemaVersion().value(), 2);
  auto note = engine->Query(pg ? "SELECT value FROM strata.meta WHERE key = 'audit_chain'"
                               : "SELECT value FROM strata_meta WHERE key = 'audit_chain'");
  ASSERT_TRUE(note.has_value());
  ASSERT_EQ(note->size(), 1u);
  EXPECT_NE(note->rows[0][0]->find("schema version 1"), std::string::npos);
  // Old records chained, in order, contents untouched; new records continue the chain.
  rep = log.Verify(*engine);
  ASSERT_TRUE(rep.has_value());
  EXPECT_TRUE(rep->ok) << rep->message;
  EXPECT_EQ(rep->records, 3);
  ASSERT_TRUE(store.Audit("apply", "0003", Alice(), "{}").has_value());
  rep = log.Verify(*engine);
  EXPECT_TRUE(rep->ok) << rep->message;
  EXPECT_EQ(rep->records, 4);
  auto after = store.ReadAudit(0);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ((*after)[3].actor, "olduser");
  EXPECT_EQ((*after)[0].prev_hash, (*after)[1].hash);
  // Still append-only, and a second EnsureSchema is a no-op.
  EXPECT_FALSE(engine->Exec(pg ? "UPDATE strata.audit SET actor = 'x'" : "UPDATE strata_audit SET actor = 'x'")
                   .has_value());
  ASSERT_TRUE(store.EnsureSchema().has_value());
  EXPECT_TRUE(log.Verify(*engine)->ok);
  // The chain guard holds on the upgraded table: a second record after the same predecessor is refused.
  EXPECT_FALSE(engine
                   ->Exec(std::string("INSERT INTO ") + log.table() +
                          " (seq, at, action, service, actor, host, details, prev_hash, hash) VALUES (99, '2026-01-01', "
                          "'x', 'users', 'a', 'h', '{}', '" +
                          (*after)[1].hash + "', 'f')")
                   .has_value());
}

TEST_P(AuditUpgradeTest, RefusesAStoreFromANewerStrata) {
  bool pg = GetParam();
  auto engine = Open(pg ? FreshPgDatabase("auditv9") : "sqlite:" + FreshSqlitePath());
  HistoryStore store(*engine, "users");
  ASSERT_TRUE(store.EnsureSchema().has_value());
  ASSERT_TRUE(engine->Exec(pg ? "UPDATE strata.meta SET value = '9' WHERE key = 'schema_version'"
                              : "UPDATE strata_meta SET value = '9' WHERE key = 'schema_version'")
                  .has_value());
  auto r = store.EnsureSchema();
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("newer strata"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Engines, AuditUpgradeTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Postgres" : "Sqlite"; });

}  // namespace
}  // namespace strata
