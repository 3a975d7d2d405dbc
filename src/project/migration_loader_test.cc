#include "project/migration_loader.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace fs = std::filesystem;

namespace strata {
namespace {

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata-loader-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) {
    fs::path p = fs::path(dir_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  std::string dir_;
};

TEST(ParseMigrationFileTest, SectionsAndDirectives) {
  auto m = ParseMigrationFile("m/0002_add_birthdate.sql",
                              "-- a comment\n"
                              "-- strata:parents 0001\n"
                              "-- strata:lock-timeout 5s\n"
                              "-- +strata up\n"
                              "ALTER TABLE users ADD COLUMN birthdate date;\n"
                              "-- +strata down\n"
                              "ALTER TABLE users DROP COLUMN birthdate;\n"
                              "-- +strata verify\n"
                              "SELECT birthdate FROM users LIMIT 0;\n");
  ASSERT_TRUE(m.has_value()) << m.error().Describe();
  EXPECT_EQ(m->id, "0002");
  EXPECT_EQ(m->name, "add_birthdate");
  EXPECT_EQ(m->parents, (std::vector<std::string>{"0001"}));
  EXPECT_TRUE(m->parents_explicit);
  EXPECT_EQ(m->up.sql, "ALTER TABLE users ADD COLUMN birthdate date;\n");
  EXPECT_EQ(m->up.line, 5);
  EXPECT_EQ(m->down.sql, "ALTER TABLE users DROP COLUMN birthdate;\n");
  EXPECT_EQ(m->down.line, 7);
  EXPECT_EQ(m->verify.line, 9);
  EXPECT_EQ(m->settings.lock_timeout->count(), 5000);
  EXPECT_FALSE(m->checksum.empty());
}

TEST(ParseMigrationFileTest, ChecksumCoversUpOnly) {
  auto a = ParseMigrationFile("0001_a.sql", "-- +strata up\nSELECT 1;\n-- +strata down\nSELECT 2;\n");
  auto b = ParseMigrationFile("0001_a.sql", "-- +strata up\nSELECT 1;\n-- +strata down\nSELECT 3;\n");
  auto c = ParseMigrationFile("0001_a.sql", "-- +strata up\nSELECT 9;\n-- +strata down\nSELECT 2;\n");
  auto d = ParseMigrationFile("0001_a.sql", "-- +strata up\r\nSELECT 1;\r\n-- +strata down\r\nSELECT 2;\r\n");
  ASSERT_TRUE(a && b && c && d);
  EXPECT_EQ(a->checksum, b->checksum);
  EXPECT_NE(a->checksum, c->checksum);
  EXPECT_EQ(a->checksum, d->checksum);
}

struct BadCase {
  const char* name;
  const char* text;
  int line;
  const char* needle;
};

TEST(ParseMigrationFileTest, BadInputNamesFileAndLine) {
  const BadCase cases[] = {
      {"0001_x.sql", "-- +strata up\nSELECT 1;\n-- +strata sideways\n", 3, "unknown section"},
      {"0001_x.sql", "-- strata:frobnicate yes\n-- +strata up\nSELECT 1;\n", 1, "unknown directive"},
      {"0001_x.sql", "-- +strata up\nSELECT 1;\n-- +strata up\nSELECT 2;\n-- +strata down\n", 3, "second 'up'"},
      {"0001_x.sql", "SELECT 1;\n-- +strata up\n", 1, "before the first section"},
      {"0001_x.sql", "-- +strata down\nSELECT 1;\n", 0, "no '-- +strata up'"},
      {"0001_x.sql", "-- +strata up\nSELECT 1;\n", 0, "no '-- +strata down'"},
      {"0001_x.sql", "-- strata:irreversible\n-- +strata up\nSELECT 1;\n", 1, "needs a reason"},
      {"0001_x.sql", "-- strata:irreversible drops\n-- +strata up\nSELECT 1;\n-- +strata down\nSELECT 1;\n", 1, "keep one"},
      {"0001_x.sql", "-- strata:parents\n-- +strata up\n-- +strata down\n", 1, "at least one"},
      {"0001_x.sql", "-- strata:lock-timeout soon\n-- +strata up\n-- +strata down\n", 1, "duration"},
      {"0001_x.sql", "-- strata:lock-retries -3\n-- +strata up\n-- +strata down\n", 1, "whole number"},
      {"0001_x.sql", "-- strata:no-transaction please\n-- +strata up\n-- +strata down\n", 1, "no value"},
      {"nounderscore.sql", "-- +strata up\n-- +strata down\n", 0, "cannot tell id"},
      {"00 1_x.sql", "-- +strata up\n-- +strata down\n", 0, "may hold only"},
  };
  for (const auto& c : cases) {
    auto m = ParseMigrationFile(c.name, c.text);
    ASSERT_FALSE(m.has_value()) << c.text;
    EXPECT_EQ(m.error().kind, ErrorKind::kInput) << c.text;
    EXPECT_EQ(m.error().file, c.name);
    EXPECT_EQ(m.error().line, c.line) << c.text << " -> " << m.error().Describe();
    EXPECT_NE(m.error().message.find(c.needle), std::string::npos) << m.error().message;
  }
}

TEST_F(LoaderTest, LoadsFilesAndFolders) {
  Write("0001_users.sql", "-- +strata up\nCREATE TABLE users(id int);\n-- +strata down\nDROP TABLE users;\n");
  Write("0002_index/up.sql", "CREATE INDEX CONCURRENTLY users_id ON users(id);\n");
  Write("0002_index/down.sql", "DROP INDEX CONCURRENTLY users_id;\n");
  Write("0002_index/strata.yaml", "no_transaction: true\nparents: [\"0001\"]\nlock_timeout: 1s\n");
  Write("0003_drop/up.sql", "DROP TABLE users;\n");
  Write("0003_drop/strata.yaml", "irreversible: data is gone\n");
  Write("README.md", "notes\n");
  Write("strata.sum", "h1:x\n");
  auto loaded = LoadMigrations(dir_, "users");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().Describe();
  ASSERT_EQ(loaded->migrations.size(), 3u);
  const Migration& idx = loaded->migrations[1];
  EXPECT_EQ(idx.id, "0002");
  EXPECT_TRUE(idx.no_transaction);
  EXPECT_TRUE(idx.parents_explicit);
  EXPECT_EQ(idx.settings.lock_timeout->count(), 1000);
  EXPECT_EQ(idx.service, "users");
  EXPECT_EQ(*loaded->migrations[2].irreversible, "data is gone");
  // strata.sum covers every migration file, not README.md or strata.sum itself.
  EXPECT_EQ(loaded->files.size(), 6u);
}

TEST_F(LoaderTest, FolderErrors) {
  Write("0001_a/up.sql", "SELECT 1;\n");
  Write("0001_a/strata.yaml", "no_transaction: true\nbogus: 1\n");
  Write("0001_a/down.sql", "SELECT 1;\n");
  auto loaded = LoadMigrations(dir_, "s");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().line, 2);
  EXPECT_NE(loaded.error().file.find("strata.yaml"), std::string::npos);
  fs::remove_all(fs::path(dir_) / "0001_a");
  Write("0001_b/up.sql", "SELECT 1;\n");
  Write("0001_b/strata.yaml", "parents: [0000\n");
  auto bad_yaml = LoadMigrations(dir_, "s");
  ASSERT_FALSE(bad_yaml.has_value());
  EXPECT_GT(bad_yaml.error().line, 0);
  fs::remove_all(fs::path(dir_) / "0001_b");
  Write("0001_c/up.sql", "SELECT 1;\n");
  Write("0001_c/notes.txt", "x");
  auto stray = LoadMigrations(dir_, "s");
  ASSERT_FALSE(stray.has_value());
  EXPECT_NE(stray.error().message.find("unexpected file"), std::string::npos);
}

TEST_F(LoaderTest, MissingFolder) {
  auto loaded = LoadMigrations(dir_ + "/nope", "s");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().kind, ErrorKind::kInput);
}

TEST_F(LoaderTest, UnreadableFileIsAnIoError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  Write("0001_a.sql", "-- +strata up\n-- +strata down\n");
  fs::permissions(fs::path(dir_) / "0001_a.sql", fs::perms::none);
  auto loaded = LoadMigrations(dir_, "s");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().kind, ErrorKind::kIo);
}

}  // namespace
}  // namespace strata
