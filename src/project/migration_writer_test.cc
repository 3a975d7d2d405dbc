#include "project/migration_writer.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

#include "project/migration_loader.h"
#include "util/files.h"

namespace strata {
namespace {

TEST(MigrationWriterTest, NextIdContinuesNumbersAndTimestamps) {
  EXPECT_EQ(NextMigrationId({"0001", "0003", "0002"}), "0004");
  // 2026-01-01T00:00:00Z
  EXPECT_EQ(NextMigrationId({}, 1767225600), "20260101000000");
  EXPECT_EQ(NextMigrationId({"20250101000000"}, 1767225600), "20260101000000");
  EXPECT_EQ(NextMigrationId({"20270101000000", "20260101000000"}, 1767225600), "20270101000001");
  // 10000 does not fit 4 digits, and every timestamp sorts before "9999" as text.
  EXPECT_EQ(NextMigrationId({"9999"}, 1767225600), "9999-1");
}

TEST(MigrationWriterTest, SlugAndIdRules) {
  EXPECT_EQ(MigrationSlug("Add birthdate to Users!"), "add_birthdate_to_users");
  EXPECT_EQ(MigrationSlug("--"), "");
  EXPECT_TRUE(ValidMigrationId("2025.1-a"));
  EXPECT_FALSE(ValidMigrationId("a_b"));
  EXPECT_FALSE(ValidMigrationId(""));
}

TEST(MigrationWriterTest, SetFileParentsReplacesAddsAndRemoves) {
  std::string with = "-- strata:parents 0001\n-- +strata up\nSELECT 1;\n-- +strata down\nSELECT 2;\n";
  EXPECT_EQ(SetFileParents(with, {"0005", "0006"}),
            "-- strata:parents 0005 0006\n-- +strata up\nSELECT 1;\n-- +strata down\nSELECT 2;\n");
  EXPECT_EQ(SetFileParents(with, {}), "-- +strata up\nSELECT 1;\n-- +strata down\nSELECT 2;\n");
  std::string without = "-- +strata up\nSELECT 1;\n-- +strata down\nSELECT 2;";
  EXPECT_EQ(SetFileParents(without, {"0009"}), "-- strata:parents 0009\n" + without);
  auto parsed = ParseMigrationFile("0010_x.sql", SetFileParents(with, {"0005", "0006"}));
  ASSERT_TRUE(parsed) << parsed.error().Describe();
  EXPECT_EQ(parsed->parents, (std::vector<std::string>{"0005", "0006"}));
}

TEST(MigrationWriterTest, SetYamlParentsHandlesFlowBlockAndMissing) {
  EXPECT_EQ(SetYamlParents("no_transaction: true\nparents: [1, 2]\nlock_timeout: 1s\n", {"7"}),
            "no_transaction: true\nparents: [7]\nlock_timeout: 1s\n");
  EXPECT_EQ(SetYamlParents("parents:\n  - 1\n  - 2\nlock_timeout: 1s\n", {"7", "8"}), "parents: [7, 8]\nlock_timeout: 1s\n");
  EXPECT_EQ(SetYamlParents("parents:\n- 1\nowner: me\n", {}), "owner: me\n");
  EXPECT_EQ(SetYamlParents("owner: me", {"3"}), "owner: me\nparents: [3]\n");
}

TEST(MigrationWriterTest, WritesFileAndFolderMigrationsAndTheSum) {
  std::string dir = std::filesystem::temp_directory_path() / ("strata_writer_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  NewMigration a{dir, "0001", "create_t", "create t", {}, false};
  auto pa = WriteNewMigration(a, "svc");
  ASSERT_TRUE(pa) << pa.error().Describe();
  NewMigration b{dir, "0002", "branch", "branch", {"0001"}, true};
  auto pb = WriteNewMigration(b, "svc");
  ASSERT_TRUE(pb) << pb.error().Describe();
  auto loaded = LoadMigrations(dir, "svc");
  ASSERT_TRUE(loaded) << loaded.error().Describe();
  ASSERT_EQ(loaded->migrations.size(), 2u);
  auto sum = ReadFile(dir + "/strata.sum");
  ASSERT_TRUE(sum);
  EXPECT_EQ(*sum, IntegrityFile::Compute(loaded->files).Render());
  // The same name again is refused and leaves the folder as it was.
  auto again = WriteNewMigration(a, "svc");
  EXPECT_FALSE(again);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata
