// The audit chain end to end with the real strata binary: `audit verify` passes on an intact
// trail and names the first edited or deleted record (exit 1) on PostgreSQL (tampered as a
// superuser with the trigger disabled) and SQLite (the row edited in the file); `audit`
// filters; the actor's source is recorded; a schema-version-1 store is upgraded in place.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"

namespace strata::testing {
namespace {

using ::testing::HasSubstr;

void ThreeMigrations(const CliProject& p) {
  p.Migration("0001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
  p.Migration("0002_b.sql", "CREATE TABLE b (id int);", "DROP TABLE b;");
  p.Migration("0003_c.sql", "CREATE TABLE c (id int);", "DROP TABLE c;");
}

TEST(GovernanceAuditTest, TamperedAndDeletedRecordsAreDetectedOnPostgres) {
  CliProject p(FreshPgDatabase("gov_audit"));
  ThreeMigrations(p);
  ASSERT_EQ(p.HashAndApply().exit_code, 0);
  ASSERT_EQ(p.Run({"rollback"}).exit_code, 0);
  int code = -1;
  nlohmann::json j = p.RunJson({"audit", "verify"}, &code);
  EXPECT_EQ(code, 0) << j.dump();
  EXPECT_EQ(j["ok"], true);
  long long records = j["chains"][0]["records"].get<long long>();
  EXPECT_GE(records, 4);  // 3 applies and a rollback (and the hash record)
  std::string head = j["chains"][0]["head_hash"];
  EXPECT_EQ(p.Scalar("SELECT hash FROM strata.audit ORDER BY seq DESC LIMIT 1"), head);

  // Deleting the newest record leaves a valid chain; the head hash noted earlier catches it.
  EXPECT_EQ(p.Run({"audit", "verify", "--head", head}).exit_code, 0);
  // The text output prints the head's first 16 digits: noting those is enough (no false alarm);
  // fewer than 12 digits could match by chance: usage error.
  CliResult text = p.Run({"audit", "verify"});
  EXPECT_THAT(text.out, HasSubstr("head " + head.substr(0, 16)));
  CliResult prefix = p.Run({"audit", "verify", "--head", head.substr(0, 16)});
  EXPECT_EQ(prefix.exit_code, 0) << prefix.out;
  EXPECT_EQ(p.Run({"audit", "verify", "--head", head.substr(0, 8)}).exit_code, 2);
  {
    auto e = p.Connect();
    ASSERT_TRUE(e->Exec("ALTER TABLE strata.audit DISABLE TRIGGER audit_append_only; "
                        "DELETE FROM strata.audit WHERE seq = (SELECT max(seq) FROM strata.audit); "
                        "ALTER TABLE strata.audit ENABLE TRIGGER audit_append_only")
                    .has_value());
  }
  EXPECT_EQ(p.Run({"audit", "verify"}).exit_code, 0);
  CliResult t = p.Run({"audit", "verify", "--head", head});
  EXPECT_EQ(t.exit_code, 1) << t.out;
  EXPECT_THAT(t.out, HasSubstr("app@dev: BROKEN (truncated)"));

  // The trigger refuses edits; a superuser who disables it can edit, and verify sees it.
  auto e = p.Connect();
  EXPECT_FALSE(e->Exec("UPDATE strata.audit SET actor = 'mallory' WHERE seq = 2").has_value());
  ASSERT_TRUE(e->Exec("ALTER TABLE strata.audit DISABLE TRIGGER audit_append_only; "
                      "UPDATE strata.audit SET actor = 'mallory' WHERE seq = 2; "
                      "ALTER TABLE strata.audit ENABLE TRIGGER audit_append_only")
                  .has_value());
  CliResult r = p.Run({"audit", "verify"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("app@dev: BROKEN at record 2 (edited)"));
  j = p.RunJson({"audit", "verify"}, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["chains"][0]["first_bad"]["seq"], 2);
  EXPECT_EQ(j["chains"][0]["first_bad"]["problem"], "edited");

  // Put it back, then delete a record instead.
  ASSERT_TRUE(e->Exec("ALTER TABLE strata.audit DISABLE TRIGGER audit_append_only; "
                      "UPDATE strata.audit SET actor = 'tester' WHERE seq = 2; "
                      "DELETE FROM strata.audit WHERE seq = 2; "
                      "ALTER TABLE strata.audit ENABLE TRIGGER audit_append_only")
                  .has_value());
  j = p.RunJson({"audit", "verify"}, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(j["chains"][0]["first_bad"]["seq"], 3);
  EXPECT_EQ(j["chains"][0]["first_bad"]["problem"], "missing");
  EXPECT_THAT(j["chains"][0]["first_bad"].value("message", ""), HasSubstr("records 2 to 2 are missing"));
}

TEST(GovernanceAuditTest, EditedRowDetectedOnSqlite) {
  CliProject p("sqlite:" + FreshSqlitePath());
  ThreeMigrations(p);
  ASSERT_EQ(p.HashAndApply().exit_code, 0);
  EXPECT_EQ(p.Run({"audit", "verify"}).exit_code, 0);
  auto e = p.Connect();
  EXPECT_FALSE(e->Exec("UPDATE strata_audit SET details = '{}' WHERE seq = 1").has_value());
  ASSERT_TRUE(e->Exec("DROP TRIGGER strata_audit_no_update; UPDATE strata_audit SET migration_id = '0009' WHERE "
                      "action = 'apply' AND migration_id = '0002'")
                  .has_value());
  CliResult r = p.Run({"audit", "verify"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("(edited)"));
  EXPECT_THAT(r.out, HasSubstr("apply 0009"));
}

TEST(GovernanceAuditTest, FiltersAndActorSource) {
  CliProject p(FreshPgDatabase("gov_filter"));
  ThreeMigrations(p);
  ASSERT_EQ(p.Run({"hash", "-q"}).exit_code, 0);
  ASSERT_EQ(p.Run({"--actor", "carol", "apply", "--to", "0002"}).exit_code, 0);
  ASSERT_EQ(p.Run({"apply"}).exit_code, 0);  // STRATA_ACTOR=tester from the harness
  int code = -1;
  nlohmann::json j = p.RunJson({"audit", "--action", "apply", "--actor", "carol"}, &code);
  EXPECT_EQ(code, 0);
  const auto& recs = j["targets"][0]["records"];
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0]["migration"], "0002");
  EXPECT_EQ(recs[0]["details"]["actor_source"], "flag");
  EXPECT_EQ(recs[0]["prev_hash"].get<std::string>().size(), 64u);
  j = p.RunJson({"audit", "--migration", "0003"}, &code);
  ASSERT_EQ(j["targets"][0]["records"].size(), 1u);
  EXPECT_EQ(j["targets"][0]["records"][0]["actor"], "tester");
  EXPECT_EQ(j["targets"][0]["records"][0]["details"]["actor_source"], "STRATA_ACTOR");
  j = p.RunJson({"audit", "--since", "2000-01-01", "--until", "2000-01-02"}, &code);
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(j["targets"][0]["records"].empty());
  j = p.RunJson({"audit", "--since", "2000-01-01", "--limit", "2"}, &code);
  EXPECT_EQ(j["targets"][0]["records"].size(), 2u);
  CliResult r = p.Run({"audit", "--since", "yesterday"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("--since 'yesterday'"));
  EXPECT_EQ(p.Run({"audit", "--control"}).exit_code, 2);  // no [control] in strata.toml
}

// A store written by the first release: history schema version 1, audit without a chain.
TEST(GovernanceAuditTest, UpgradesAVersion1HistoryStore) {
  CliProject p(FreshPgDatabase("gov_v1"));
  ThreeMigrations(p);
  ASSERT_EQ(p.Run({"hash", "-q"}).exit_code, 0);
  auto e = p.Connect();
  // 0001 applied by the old release: its table, history row and audit record.
  ASSERT_EQ(p.Run({"apply", "--to", "0001"}).exit_code, 0);
  std::string sum = p.Scalar("SELECT checksum FROM strata.history WHERE migration_id = '0001'");
  ASSERT_TRUE(e->Exec("DROP SCHEMA strata CASCADE").has_value());
  ASSERT_TRUE(e->Exec(R"sql(
CREATE SCHEMA strata;
CREATE TABLE strata.meta (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO strata.meta VALUES ('schema_version', '1');
CREATE TABLE strata.history (service text NOT NULL, migration_id text NOT NULL, name text NOT NULL,
  checksum text NOT NULL, status text NOT NULL CHECK (status IN ('applied', 'partial')),
  statements_done integer NOT NULL DEFAULT 0, statements_total integer NOT NULL DEFAULT 0,
  done_checksum text NOT NULL DEFAULT '', applied_by text NOT NULL, applied_host text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(), duration_ms bigint NOT NULL DEFAULT 0,
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
)sql")
                  .has_value());
  std::vector<Param> params = {sum};
  ASSERT_TRUE(e->Query("INSERT INTO strata.history (service, migration_id, name, checksum, status, applied_by, "
                       "applied_host) VALUES ('app', '0001', 'a', $1, 'applied', 'olduser', 'oldhost')",
                       params)
                  .has_value());
  ASSERT_TRUE(e->Exec("INSERT INTO strata.audit (action, service, migration_id, actor, host, details) VALUES "
                      "('apply', 'app', '0001', 'olduser', 'oldhost', '{\"command\": \"apply\"}'), "
                      "('hash', 'app', NULL, 'olduser', 'oldhost', '{}')")
                  .has_value());

  // Reading works on the old store; the list shows the old records without hashes.
  int code = -1;
  nlohmann::json st = p.RunJson({"status"}, &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(st["targets"][0]["applied"], nlohmann::json({"0001"}));
  nlohmann::json j = p.RunJson({"audit"}, &code);
  EXPECT_EQ(code, 0);
  ASSERT_EQ(j["targets"][0]["records"].size(), 2u);
  EXPECT_EQ(j["targets"][0]["records"][0]["hash"], "");

  // apply takes the lock, upgrades (chaining the old records once) and continues the chain.
  CliResult r = p.Run({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(p.Scalar("SELECT value FROM strata.meta WHERE key = 'schema_version'"), "2");
  EXPECT_THAT(p.Scalar("SELECT value FROM strata.meta WHERE key = 'audit_chain'"), HasSubstr("schema version 1"));
  j = p.RunJson({"audit", "verify"}, &code);
  EXPECT_EQ(code, 0) << j.dump();
  EXPECT_EQ(j["chains"][0]["records"], 4);
  EXPECT_EQ(p.Scalar("SELECT actor FROM strata.audit WHERE seq = 1"), "olduser");
  EXPECT_EQ(p.Scalar("SELECT prev_hash FROM strata.audit WHERE seq = 1"), "");
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM strata.audit a JOIN strata.audit b ON b.seq = a.seq + 1 "
                     "WHERE b.prev_hash = a.hash"),
            "3");
  EXPECT_TRUE(p.HasTable("c"));
}

}  // namespace
}  // namespace strata::testing
