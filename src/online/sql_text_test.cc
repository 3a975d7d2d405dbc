#include "online/sql_text.h"

#include <gtest/gtest.h>

namespace strata::online {
namespace {

TEST(SqlTextTest, QuotesIdentifiersAndLiterals) {
  EXPECT_EQ(Ident("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(Literal("it's"), "'it''s'");
  EXPECT_EQ(Qualified("public", "Users"), "\"public\".\"Users\"");
}

TEST(SqlTextTest, RewritesColumnReferencesOnly) {
  std::map<std::string, std::string> r = {{"score", "_strata_new_score"}, {"Name", "n2"}};
  EXPECT_EQ(RewriteColumns("score >= 0", r), "\"_strata_new_score\" >= 0");
  // Literals, qualified names, function calls and other words stay.
  EXPECT_EQ(RewriteColumns("t.score > 'score' AND score(1) = SCORE", r), "t.score > 'score' AND score(1) = \"_strata_new_score\"");
  // Quoted identifiers match exactly; unquoted ones fold to lower case.
  EXPECT_EQ(RewriteColumns("\"Name\" <> name", r), "\"n2\" <> name");
  EXPECT_EQ(RewriteColumns("$$score$$ || score -- score\n", r), "$$score$$ || \"_strata_new_score\" -- score\n");
}

TEST(SqlTextTest, ShortNamesStayDistinct) {
  std::string a(70, 'a'), b = std::string(69, 'a') + "b";
  EXPECT_EQ(ShortName("short"), "short");
  EXPECT_EQ(ShortName(a).size(), 63u);
  EXPECT_NE(ShortName(a), ShortName(b));
  EXPECT_TRUE(IsTempColumn(TempColumn("x")));
}

}  // namespace
}  // namespace strata::online
