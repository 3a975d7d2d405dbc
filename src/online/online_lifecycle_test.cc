// The lifecycle harness: every operation against a real PostgreSQL, start -> rollback ->
// start -> complete. While started, rows written through the old version read correctly
// through the new one and the other way round; after rollback the schema (catalog snapshot)
// and the rows are exactly as before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "online/migration_file.h"
#include "online/online_runner.h"
#include "schema/catalog_snapshot.h"
#include "tests/support/pg_test_env.h"
#include "util/database_url.h"

namespace strata::online {
namespace {

using ::testing::HasSubstr;

const char* kSetup = R"(
  CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text, age int,
                      legacy text NOT NULL DEFAULT 'x', nick text);
  CREATE TABLE items (id serial PRIMARY KEY, user_id bigint, price int NOT NULL, sku text);
  ALTER TABLE items ADD CONSTRAINT items_price_positive CHECK (price >= 0);
  CREATE INDEX items_sku_idx ON items (sku);
  CREATE TABLE logs (msg text, at int);
  CREATE TABLE things (id int PRIMARY KEY, label text);
  CREATE TABLE old_stuff (id int PRIMARY KEY);
  INSERT INTO users SELECT g, 'user' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'u' || g || '@x' END,
                           CASE WHEN g % 4 = 0 THEN NULL ELSE g END, 'legacy' || g, 'n' || g
    FROM generate_series(1, 25) g;
  INSERT INTO items (user_id, price, sku) SELECT CASE WHEN g % 5 = 0 THEN 999 ELSE g END, g, 'sku' || g
    FROM generate_series(1, 20) g;
  INSERT INTO logs SELECT 'log' || g, g FROM generate_series(1, 30) g;
  INSERT INTO things VALUES (1, 'one'), (2, 'two');
  INSERT INTO old_stuff VALUES (1);
)";

// Every operation kind, in pgroll's JSON format (strata's own format is the same shape).
const char* kEveryOperation = R"JSON({
  "name": "m1",
  "operations": [
    {"create_table": {"name": "orders", "columns": [
      {"name": "id", "type": "bigserial", "pk": true},
      {"name": "user_id", "type": "bigint", "nullable": true,
       "references": {"name": "orders_user_fk", "table": "users", "column": "id"}},
      {"name": "note", "type": "text", "nullable": true, "comment": "free text"}]}},
    {"add_column": {"table": "users", "up": "coalesce(age, 0) * 2",
      "column": {"name": "score", "type": "integer", "check": {"name": "score_nonneg", "constraint": "score >= 0"}}}},
    {"add_column": {"table": "users", "up": "'c' || id",
      "column": {"name": "code", "type": "text", "nullable": true, "unique": true}}},
    {"alter_column": {"table": "users", "column": "age", "type": "bigint", "up": "age::bigint", "down": "age::int"}},
    {"alter_column": {"table": "users", "column": "email", "nullable": false,
      "up": "coalesce(email, 'none')", "down": "email"}},
    {"rename_column": {"table": "users", "from": "nick", "to": "nickname"}},
    {"drop_column": {"table": "users", "column": "legacy", "down": "'from-new'"}},
    {"create_index": {"name": "users_name_idx", "table": "users", "columns": ["name"], "method": "btree",
      "predicate": "name <> ''"}},
    {"drop_index": {"name": "items_sku_idx"}},
    {"create_constraint": {"table": "items", "name": "items_user_fk", "type": "foreign_key", "columns": ["user_id"],
      "references": {"table": "users", "columns": ["id"]},
      "up": {"user_id": "CASE WHEN user_id <= 25 THEN user_id END"}}},
    {"create_constraint": {"table": "items", "name": "items_sku_key", "type": "unique", "columns": ["sku"]}},
    {"drop_constraint": {"table": "items", "name": "items_price_positive"}},
    {"alter_column": {"table": "items", "column": "price", "default": "5", "comment": "in cents"}},
    {"rename_table": {"from": "things", "to": "stuff"}},
    {"drop_table": {"name": "old_stuff"}},
    {"alter_column": {"table": "logs", "column": "at", "type": "bigint"}},
    {"sql": {"up": "CREATE TABLE extra (x int); INSERT INTO extra VALUES (1)", "down": "DROP TABLE extra"}}
  ]
})JSON";

class OnlineLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = strata::testing::FreshPgDatabase("online");
    engine_ = Open();
    Exec(kSetup);
  }
  std::unique_ptr<Engine> Open() {
    auto url = DatabaseUrl::Parse(url_);
    EXPECT_TRUE(url.has_value());
    auto e = Connect(*url, "online-test");
    EXPECT_TRUE(e.has_value()) << e.error().message;
    return std::move(*e);
  }
  void Exec(const std::string& sql, Engine* on = nullptr) {
    auto r = (on ? on : engine_.get())->Exec(sql);
    ASSERT_TRUE(r.has_value()) << r.error().message << "\n" << sql;
  }
  std::string Scalar(const std::string& sql, Engine* on = nullptr) {
    auto r = (on ? on : engine_.get())->Query(sql);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message) << "\n" << sql;
    if (!r || r->rows.empty()) return "";
    return r->rows[0][0].value_or("NULL");
  }
  std::string Snapshot() {
    auto s = ReadPostgresSnapshot(*engine_);
    EXPECT_TRUE(s.has_value()) << s.error().message;
    return ToText(*s);
  }
  // Every row of every table of schema public, as JSON text, in a stable order.
  std::string Rows() {
    std::string out;
    auto tables = engine_->Query(
        "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace WHERE nspname = 'public' AND "
        "relkind = 'r' ORDER BY 1");
    EXPECT_TRUE(tables.has_value());
    for (const auto& t : tables->rows)
      out += *t[0] + ": " + Scalar("SELECT string_agg(row_to_json(t)::text, E'\\n' ORDER BY row_to_json(t)::text) FROM " +
                                   *t[0] + " t") + "\n";
    return out;
  }
  OnlineOptions Options() {
    OnlineOptions o;
    o.service = "app";
    o.actor = {"tester", "host", "online start"};
    o.backfill_options.batch_size = 4;  // several batches even on small tables
    return o;
  }
  OnlineMigration Parse(const std::string& text, const std::string& name = "m") {
    auto m = ParseOnlineMigration(text, "test.json", name);
    EXPECT_TRUE(m.has_value()) << m.error().Describe();
    return std::move(*m);
  }

  std::string url_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(OnlineLifecycleTest, EveryOperationStartRollbackStartComplete) {
  const std::string schema_before = Snapshot();
  const std::string rows_before = Rows();
  OnlineMigration m = Parse(kEveryOperation);
  ASSERT_EQ(m.operations.size(), 17u);
  OnlineRunner runner(*engine_, Options());

  // 1. start: the new version shows the new shape, backfilled; the old one is untouched.
  auto started = runner.Start(m);
  ASSERT_TRUE(started.has_value()) << started.error().Describe();
  EXPECT_EQ(started->version_schema, "public_m1");
  EXPECT_TRUE(started->backfill_done);
  EXPECT_EQ(Scalar("SELECT count(*) FROM public_m1.users WHERE score = coalesce(age, 0) * 2 AND code = 'c' || id"), "25");
  EXPECT_EQ(Scalar("SELECT count(*) FROM public_m1.users WHERE email = 'none'"), "8");
  EXPECT_EQ(Scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'public_m1.users'::regclass "
                   "AND attname = 'age'"),
            "bigint");
  EXPECT_EQ(Scalar("SELECT count(*) FROM public_m1.items WHERE user_id IS NULL"), "4");
  EXPECT_EQ(Scalar("SELECT count(*) FROM public_m1.logs"), "30");
  EXPECT_EQ(Scalar("SELECT label FROM public_m1.stuff WHERE id = 2"), "two");
  EXPECT_EQ(Scalar("SELECT to_regclass('public_m1.old_stuff') IS NULL"), "t");
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE legacy LIKE 'legacy%'"), "25");
  EXPECT_EQ(Scalar("SELECT count(*) FROM extra"), "1");
  auto status = runner.Status();
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(status->active.has_value());
  EXPECT_EQ(status->active->state, "started");
  ASSERT_EQ(status->backfill.size(), 3u);  // users, items, logs (no primary key: by ctid)
  for (const auto& b : status->backfill) EXPECT_TRUE(b.done) << b.table;

  // 2. rollback: exactly the schema and rows of before.
  auto rolled = runner.Rollback();
  ASSERT_TRUE(rolled.has_value()) << rolled.error().Describe();
  EXPECT_EQ(Snapshot(), schema_before);
  EXPECT_EQ(Rows(), rows_before);
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_proc WHERE pronamespace = 'strata_online'::regnamespace AND proname <> "
                   "'in_version'"),
            "0");

  // 3. start again, and write through both versions.
  started = runner.Start(m);
  ASSERT_TRUE(started.has_value()) << started.error().Describe();
  auto old_client = Open();
  auto new_client = Open();
  Exec("SET search_path = public", old_client.get());
  Exec("SET search_path = public_m1", new_client.get());
  // Old version writes; the new version reads them.
  Exec("INSERT INTO users (id, name, email, age, legacy, nick) VALUES (100, 'old', NULL, 7, 'L', 'nk')", old_client.get());
  Exec("UPDATE users SET age = 11 WHERE id = 1", old_client.get());
  Exec("INSERT INTO items (user_id, price, sku) VALUES (12345, 1, 'skuX')", old_client.get());
  Exec("INSERT INTO logs VALUES ('late', 42)", old_client.get());
  EXPECT_EQ(Scalar("SELECT score || '/' || email || '/' || nickname || '/' || code || '/' || age FROM users WHERE id = 100",
                   new_client.get()),
            "14/none/nk/c100/7");
  EXPECT_EQ(Scalar("SELECT score || '/' || age FROM users WHERE id = 1", new_client.get()), "22/11");
  EXPECT_EQ(Scalar("SELECT coalesce(user_id::text, 'null') FROM items WHERE sku = 'skuX'", new_client.get()), "null");
  EXPECT_EQ(Scalar("SELECT at FROM logs WHERE msg = 'late'", new_client.get()), "42");
  // New version writes; the old version reads them.
  Exec("INSERT INTO users (id, name, email, age, score, nickname) VALUES (200, 'new', 'e@x', 5, 10, 'nn')",
       new_client.get());
  Exec("UPDATE users SET age = 9, email = 'f@x' WHERE id = 200", new_client.get());
  Exec("INSERT INTO items (user_id, price, sku) VALUES (200, 3, 'skuY')", new_client.get());
  Exec("INSERT INTO items (user_id, sku) VALUES (200, 'skuZ')", new_client.get());
  Exec("INSERT INTO stuff VALUES (3, 'three')", new_client.get());
  EXPECT_EQ(Scalar("SELECT age || '/' || email || '/' || legacy || '/' || nick FROM users WHERE id = 200", old_client.get()),
            "9/f@x/from-new/nn");
  EXPECT_EQ(Scalar("SELECT user_id FROM items WHERE sku = 'skuY'", old_client.get()), "200");
  EXPECT_EQ(Scalar("SELECT price FROM items WHERE sku = 'skuZ'", old_client.get()), "5");
  EXPECT_EQ(Scalar("SELECT label FROM things WHERE id = 3", old_client.get()), "three");
  // The new version's constraints hold for its own writes.
  EXPECT_FALSE(new_client->Exec("INSERT INTO users (id, name, email, age, score) VALUES (300, 'x', 'e', 1, -1)").has_value());
  EXPECT_FALSE(new_client->Exec("INSERT INTO users (id, name, email, age, score) VALUES (301, 'x', NULL, 1, 1)").has_value());
  EXPECT_FALSE(new_client->Exec("INSERT INTO items (user_id, price, sku) VALUES (777, 1, 'q')").has_value());
  old_client.reset();
  new_client.reset();

  // 4. complete: the physical tables now have the new shape; the version schema still works.
  auto done = runner.Complete(false);
  ASSERT_TRUE(done.has_value()) << done.error().Describe();
  EXPECT_TRUE(done->completed) << (done->blockers.empty() ? "" : done->blockers[0].reason);
  EXPECT_EQ(Scalar("SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod) || ':' || attnotnull, ',' ORDER "
                   "BY attname) FROM pg_attribute WHERE attrelid = 'public.users'::regclass AND attnum > 0 AND NOT "
                   "attisdropped"),
            "age:bigint:false,code:text:false,email:text:true,id:bigint:true,name:text:true,nickname:text:false,"
            "score:integer:true");
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.users'::regclass AND NOT convalidated"), "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.users'::regclass AND conname IN "
                   "('score_nonneg', 'users_code_key')"),
            "2");
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.items'::regclass AND conname IN "
                   "('items_user_fk', 'items_sku_key') AND convalidated"),
            "2");
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_constraint WHERE conname = 'items_price_positive'"), "0");
  EXPECT_EQ(Scalar("SELECT to_regclass('public.items_sku_idx') IS NULL AND to_regclass('public.users_name_idx') IS NOT "
                   "NULL"),
            "t");
  EXPECT_EQ(Scalar("SELECT to_regclass('public.old_stuff') IS NULL AND to_regclass('public.stuff') IS NOT NULL"), "t");
  EXPECT_EQ(Scalar("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'public.items'::regclass AND "
                   "adnum = (SELECT attnum FROM pg_attribute WHERE attrelid = 'public.items'::regclass AND attname = "
                   "'price')"),
            "5");
  EXPECT_EQ(Scalar("SELECT col_description('public.items'::regclass, (SELECT attnum FROM pg_attribute WHERE attrelid = "
                   "'public.items'::regclass AND attname = 'price'))"), "in cents");
  EXPECT_EQ(Scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'public.logs'::regclass "
                   "AND attname = 'at'"),
            "bigint");
  EXPECT_EQ(Scalar("SELECT score || '/' || email || '/' || nickname FROM public_m1.users WHERE id = 100"),
            "14/none/nk");
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '_strata%'"), "0");
  // Every row but the one the new version wrote with its own score.
  EXPECT_EQ(Scalar("SELECT count(*) FROM public.users WHERE score = coalesce(age, 0) * 2"), "26");
  EXPECT_EQ(Scalar("SELECT score FROM public.users WHERE id = 200"), "10");
}

TEST_F(OnlineLifecycleTest, SecondMigrationKeepsPreviousVersionAndGuardsTheContract) {
  OnlineRunner runner(*engine_, Options());
  auto m1 = Parse(R"(name: v1
operations:
  - add_column: {table: things, column: {name: color, type: text, nullable: true}}
)");
  ASSERT_TRUE(runner.Start(m1).has_value());
  auto c1 = runner.Complete(false);
  ASSERT_TRUE(c1.has_value() && c1->completed);
  auto m2 = Parse(R"(name: v2
operations:
  - rename_column: {table: things, from: label, to: title}
  - add_column: {table: things, column: {name: shout, type: text, nullable: true}, up: upper(label)}
)");
  auto s2 = runner.Start(m2);
  ASSERT_TRUE(s2.has_value()) << s2.error().Describe();
  EXPECT_EQ(s2->previous_schema.value_or(""), "public_v1");
  EXPECT_EQ(Scalar("SELECT label FROM public_v1.things WHERE id = 1"), "one");
  EXPECT_EQ(Scalar("SELECT title FROM public_v2.things WHERE id = 1"), "one");
  EXPECT_EQ(Scalar("SELECT shout FROM public_v2.things WHERE id = 2"), "TWO");
  {
    // A client of the previous version schema writes; the new version reads it, and back.
    auto v1 = Open();
    auto v2 = Open();
    Exec("SET search_path = public_v1", v1.get());
    Exec("SET search_path = public_v2", v2.get());
    Exec("INSERT INTO things (id, label, color) VALUES (9, 'nine', 'red')", v1.get());
    EXPECT_EQ(Scalar("SELECT title || '/' || shout FROM things WHERE id = 9", v2.get()), "nine/NINE");
    Exec("UPDATE things SET title = 'neuf' WHERE id = 9", v2.get());
    EXPECT_EQ(Scalar("SELECT label || '/' || color FROM things WHERE id = 9", v1.get()), "neuf/red");
  }

  // A third cannot start while v2 is active; the error names v2.
  auto s3 = runner.Start(Parse("name: v3\noperations:\n  - drop_table: {name: old_stuff}\n"));
  ASSERT_FALSE(s3.has_value());
  EXPECT_EQ(s3.error().kind, ErrorKind::kCheck);
  EXPECT_THAT(s3.error().message, HasSubstr("'v2' is active"));

  // A client on the old version (tagged) blocks complete; --force overrides and is audited.
  auto client = Open();
  Exec("SET application_name = 'shop strata_version=public_v1'", client.get());
  auto blocked = runner.Complete(false);
  ASSERT_TRUE(blocked.has_value()) << blocked.error().Describe();
  EXPECT_FALSE(blocked->completed);
  ASSERT_EQ(blocked->blockers.size(), 1u);
  EXPECT_EQ(blocked->blockers[0].pid, std::stoll(client->SessionId()));
  EXPECT_EQ(Scalar("SELECT to_regnamespace('public_v1') IS NOT NULL"), "t");
  auto forced = runner.Complete(true);
  ASSERT_TRUE(forced.has_value() && forced->completed && forced->forced);
  EXPECT_EQ(Scalar("SELECT to_regnamespace('public_v1') IS NULL"), "t");
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata.audit WHERE action = 'online-complete-forced' AND migration_id = 'v2'"), "1");
  EXPECT_EQ(Scalar("SELECT title FROM things WHERE id = 1"), "one");
  // The per-version role has its search_path preset in this database.
  EXPECT_THAT(Scalar("SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = "
                     "s.setrole WHERE r.rolname = 'public_v2' AND s.setdatabase = (SELECT oid FROM pg_database WHERE "
                     "datname = current_database())"),
              HasSubstr("search_path=public_v2"));
}

TEST_F(OnlineLifecycleTest, RoleClientWritesAsTheNewVersion) {
  OnlineRunner runner(*engine_, Options());
  auto m = Parse(R"YAML(name: r1
operations:
  - alter_column: {table: users, column: name, type: varchar(100), up: "upper(name)", down: "lower(name)"}
)YAML");
  ASSERT_TRUE(runner.Start(m).has_value());
  // A client that logs in as the version's role (as through PgBouncer in transaction mode)
  // gets the version's search_path from the role's setting, without running SET.
  Exec("ALTER ROLE public_r1 LOGIN");
  std::string role_url = url_;
  role_url.replace(role_url.find("postgres@"), 9, "public_r1@");
  auto parsed = DatabaseUrl::Parse(role_url);
  ASSERT_TRUE(parsed.has_value());
  auto connected = Connect(*parsed, "role-client");
  ASSERT_TRUE(connected.has_value()) << connected.error().message;
  auto client = std::move(*connected);
  EXPECT_EQ(Scalar("SHOW search_path", client.get()), "public_r1, public");
  Exec("INSERT INTO users (id, name) VALUES (500, 'NEWNAME')", client.get());
  EXPECT_EQ(Scalar("SELECT name FROM public.users WHERE id = 500"), "newname");
  EXPECT_EQ(Scalar("SELECT name FROM public_r1.users WHERE id = 1"), "USER1");
  ASSERT_TRUE(runner.Rollback().has_value());
  EXPECT_EQ(Scalar("SELECT name FROM users WHERE id = 500"), "newname");
}

TEST_F(OnlineLifecycleTest, BackfillPausesAndResumesFromItsCursor) {
  OnlineOptions o = Options();
  o.backfill = false;
  OnlineRunner expand_only(*engine_, o);
  auto m = Parse(R"(name: b1
operations:
  - add_column: {table: logs, column: {name: doubled, type: int}, up: "at * 2"}
)");
  ASSERT_TRUE(expand_only.Start(m).has_value());
  EXPECT_EQ(Scalar("SELECT count(*) FROM public_b1.logs WHERE doubled IS NULL"), "30");
  auto early = expand_only.Complete(false);
  ASSERT_FALSE(early.has_value());
  EXPECT_THAT(early.error().message, HasSubstr("backfill of logs is not finished"));

  // Paused before the first batch: start stops at once and reports it.
  ASSERT_TRUE(expand_only.Pause().has_value());
  OnlineRunner runner(*engine_, Options());
  auto paused = runner.Start(m);
  ASSERT_FALSE(paused.has_value());
  EXPECT_THAT(paused.error().message, HasSubstr("paused"));
  int batches = 0;
  OnlineOptions counting = Options();
  counting.backfill_options.on_progress = [&](const BackfillProgress&) { ++batches; };
  OnlineRunner resumer(*engine_, counting);
  auto resumed = resumer.Resume();
  ASSERT_TRUE(resumed.has_value()) << resumed.error().Describe();
  EXPECT_TRUE(resumed->backfill_done);
  EXPECT_GE(batches, 2);
  EXPECT_EQ(Scalar("SELECT count(*) FROM public_b1.logs WHERE doubled = at * 2"), "30");
  ASSERT_TRUE(runner.Complete(false).has_value());
  EXPECT_EQ(Scalar("SELECT count(*) FROM logs WHERE doubled = at * 2"), "30");
}

TEST_F(OnlineLifecycleTest, BackfillThrottlesWhileSessionsWaitForLocksOnTheTable) {
  OnlineOptions o = Options();
  o.backfill = false;
  OnlineRunner expand_only(*engine_, o);
  auto m = Parse("name: th\noperations:\n  - add_column: {table: logs, column: {name: z, type: int}, up: \"at + 1\"}\n");
  ASSERT_TRUE(expand_only.Start(m).has_value());
  // A holds a lock on logs; B queues behind it for ACCESS EXCLUSIVE: one waiter on the table.
  auto a = Open();
  auto b = Open();
  Exec("BEGIN; LOCK TABLE logs IN ROW EXCLUSIVE MODE", a.get());
  std::thread waiter([&] { (void)b->Exec("BEGIN; LOCK TABLE logs IN ACCESS EXCLUSIVE MODE; COMMIT"); });
  for (int i = 0; i < 100 && Scalar("SELECT count(*) FROM pg_locks WHERE relation = 'logs'::regclass AND NOT granted") == "0"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  OnlineRunner runner(*engine_, Options());
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    (void)a->Exec("COMMIT");
  });
  auto r = runner.Resume();
  release.join();
  waiter.join();
  ASSERT_TRUE(r.has_value()) << r.error().Describe();
  EXPECT_TRUE(r->backfill_done);
  auto status = runner.Status();
  ASSERT_TRUE(status.has_value());
  ASSERT_EQ(status->backfill.size(), 1u);
  EXPECT_GE(status->backfill[0].throttled, 1);
  EXPECT_EQ(Scalar("SELECT count(*) FROM public_th.logs WHERE z = at + 1"), "30");
}

TEST_F(OnlineLifecycleTest, QueuedMigrationStartsWhenTheActiveOneCompletes) {
  OnlineRunner runner(*engine_, Options());
  ASSERT_TRUE(runner.Start(Parse("name: q1\noperations:\n  - drop_table: {name: old_stuff}\n")).has_value());
  auto other = Open();
  OnlineOptions waiting = Options();
  waiting.active_wait = std::chrono::seconds(30);
  OnlineRunner queued(*other, waiting);
  auto q2 = Parse("name: q2\noperations:\n  - rename_table: {from: things, to: stuff}\n");
  Result<StartResult> started = MakeError(ErrorKind::kInternal, "not run");
  std::thread t([&] { started = queued.Start(q2); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto done = runner.Complete(false);
  t.join();
  ASSERT_TRUE(done.has_value() && done->completed);
  ASSERT_TRUE(started.has_value()) << started.error().Describe();
  EXPECT_EQ(started->previous_schema.value_or(""), "public_q1");
  EXPECT_EQ(Scalar("SELECT label FROM public_q2.stuff WHERE id = 1"), "one");
}

TEST_F(OnlineLifecycleTest, BadOperationsAreRejectedBeforeAnythingRuns) {
  OnlineRunner runner(*engine_, Options());
  const std::string before = Snapshot();
  auto m = Parse(R"(name: bad
operations:
  - add_column: {table: users, column: {name: fine, type: int, nullable: true}}
  - drop_column: {table: users, column: nope}
)");
  auto r = runner.Start(m);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kInput);
  EXPECT_EQ(r.error().line, 4);
  EXPECT_THAT(r.error().message, HasSubstr("'users.nope' does not exist"));
  EXPECT_EQ(Snapshot(), before);
}

}  // namespace
}  // namespace strata::online
