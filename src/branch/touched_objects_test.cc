#include "branch/touched_objects.h"

#include <gtest/gtest.h>

#include "branch/test_util.h"

namespace strata::branch {
namespace {

using testing::M;

std::string Render(const MigrationObjects& o) {
  std::string out;
  for (const auto& t : o.objects) out += t.name + (t.changes ? "!" : "") + " ";
  return out;
}

TEST(TouchedObjectsTest, ChangedAndReadObjects) {
  auto o = TouchedObjects(M("0001_a",
                            "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n"
                            "CREATE INDEX CONCURRENTLY orders_user ON public.orders (user_id);\n"
                            "CREATE VIEW recent AS SELECT * FROM orders o JOIN accounts a ON a.id = o.user_id;\n"
                            "ALTER TABLE billing.invoices ADD COLUMN note text;\n"
                            "CREATE TYPE mood AS ENUM ('ok');\n"
                            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
                            "ALTER TABLE people RENAME TO persons;\n"
                            "DROP TYPE old_type;\n"));
  EXPECT_TRUE(o.unparsed.empty());
  EXPECT_EQ(Render(o),
            "accounts billing.invoices! function f! orders! orders_user! people! persons! recent! type mood! "
            "type old_type! users ");
}

TEST(TouchedObjectsTest, UnparsableSqlIsReportedWithItsLine) {
  auto o = TouchedObjects(M("0002_b", "CREATE TABLE t (id int);\nCREATE TABLE ( oops;\n"));
  EXPECT_TRUE(o.objects.empty());
  EXPECT_NE(o.unparsed.find("/m/0002_b.sql:3:"), std::string::npos) << o.unparsed;
}

}  // namespace
}  // namespace strata::branch
