#include "util/database_url.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(DatabaseUrlTest, PostgresUrlIsRedacted) {
  auto u = DatabaseUrl::Parse("postgres://alice:s3cret@db.example:5432/app?sslmode=disable");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->engine(), EngineKind::kPostgres);
  EXPECT_EQ(u->Redacted(), "postgres://alice:****@db.example:5432/app?sslmode=disable");
  EXPECT_EQ(u->Redacted().find("s3cret"), std::string::npos);
}

TEST(DatabaseUrlTest, PasswordInQueryAndConninfoIsRedacted) {
  EXPECT_EQ(RedactSecrets("postgresql://h/db?password=hunter2&x=1"), "postgresql://h/db?password=****&x=1");
  EXPECT_EQ(RedactSecrets("host=h password='a b' dbname=x"), "host=h password=**** dbname=x");
  EXPECT_EQ(RedactSecrets("no secrets here"), "no secrets here");
  EXPECT_EQ(RedactSecrets("PASSWORD = x1 host=h"), "PASSWORD = **** host=h");
  EXPECT_EQ(RedactSecrets("mypassword=keep"), "mypassword=keep");
  EXPECT_EQ(RedactSecrets("a postgres://u:p@h/x and sqlite:/tmp/a:b@c"), "a postgres://u:****@h/x and sqlite:/tmp/a:b@c");
  EXPECT_EQ(RedactSecrets("postgres://h:5432/db"), "postgres://h:5432/db");
  EXPECT_EQ(RedactSecrets("postgres://u@h/db"), "postgres://u@h/db");
  EXPECT_EQ(RedactSecrets("cannot connect to postgres://alice:pw@h:1/x: refused"), "cannot connect to postgres://alice:****@h:1/x: refused");
}

TEST(DatabaseUrlTest, Sqlite) {
  auto a = DatabaseUrl::Parse("sqlite:/tmp/x.db");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->engine(), EngineKind::kSqlite);
  EXPECT_EQ(a->sqlite_path(), "/tmp/x.db");
  auto b = DatabaseUrl::Parse("sqlite::memory:");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->sqlite_path(), ":memory:");
  auto c = DatabaseUrl::Parse("sqlite://rel/x.db");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->sqlite_path(), "rel/x.db");
}

TEST(DatabaseUrlTest, RejectsUnknownSchemeWithoutLeakingPassword) {
  auto u = DatabaseUrl::Parse("mysql://root:topsecret@h/db");
  ASSERT_FALSE(u.has_value());
  EXPECT_EQ(u.error().kind, ErrorKind::kInput);
  EXPECT_EQ(u.error().message.find("topsecret"), std::string::npos);
  EXPECT_NE(u.error().message.find("mysql://root:****@h/db"), std::string::npos);
}

TEST(DatabaseUrlTest, RejectsBadPort) {
  auto u = DatabaseUrl::Parse("postgres://u:pw@host:abc/db");
  ASSERT_FALSE(u.has_value());
  EXPECT_NE(u.error().message.find("not a number"), std::string::npos);
  EXPECT_EQ(u.error().message.find(":pw@"), std::string::npos);
  EXPECT_FALSE(DatabaseUrl::Parse("").has_value());
  EXPECT_FALSE(DatabaseUrl::Parse("sqlite:").has_value());
}

}  // namespace
}  // namespace strata
