#include "sql/pg_parse.h"

#include <gtest/gtest.h>

namespace strata::pg {
namespace {

std::vector<std::string> Texts(std::string_view script) {
  auto spans = SplitScript(script);
  EXPECT_TRUE(spans.has_value());
  std::vector<std::string> out;
  for (const Span& s : *spans) out.emplace_back(script.substr(s.offset, s.length));
  return out;
}

TEST(SplitScriptTest, SplitsAndTrims) {
  EXPECT_EQ(Texts("-- c\nSELECT 1;\n/* x */ SELECT ';';\n$$a;b$$;"),
            (std::vector<std::string>{"SELECT 1", "SELECT ';'", "$$a;b$$"}));
}

TEST(SplitScriptTest, KeepsStatementsThatStartWithAnIdentifier) {
  // libpg_query's scanner split drops these; they must reach the parser or the server.
  EXPECT_EQ(Texts("SELEC 1;\nDROP INDEX x;"), (std::vector<std::string>{"SELEC 1", "DROP INDEX x"}));
  EXPECT_EQ(Texts("SELECT 1; foo 'a;b'; bar"),
            (std::vector<std::string>{"SELECT 1", "foo 'a;b'", "bar"}));
  EXPECT_EQ(Texts("SELECT 1; -- only a comment\n;"), (std::vector<std::string>{"SELECT 1"}));
}

TEST(SplitScriptTest, UnterminatedQuoteIsAnInputError) {
  auto r = SplitScript("SELECT 1;\nSELECT 'abc");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kInput);
}

TEST(ParseScriptTest, TreeWithLocationsAndSpans) {
  std::string sql = "SELECT 1;\n  ALTER TABLE app.users ADD COLUMN n int DEFAULT 0;";
  auto r = ParseScript(sql, 100);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->statements.size(), 2u);
  const ParsedStatement& s = r->statements[1];
  EXPECT_EQ(s.span.offset, 112);
  EXPECT_EQ(sql.substr(s.span.offset - 100, s.span.length),
            "ALTER TABLE app.users ADD COLUMN n int DEFAULT 0");
  const Node& root = *s.root;
  EXPECT_EQ(root.type(), "AlterTableStmt");
  const Node* rel = root.Child("relation");
  ASSERT_NE(rel, nullptr);
  EXPECT_EQ(rel->Str("schemaname"), "app");
  EXPECT_EQ(rel->Str("relname"), "users");
  EXPECT_EQ(rel->location(), 112 + 12);
  ASSERT_EQ(root.List("cmds").size(), 1u);
  const Node* cmd = root.List("cmds")[0];
  EXPECT_EQ(cmd->Str("subtype"), "AT_AddColumn");
  const Node* def = cmd->Child("def");
  EXPECT_EQ(def->Str("colname"), "n");
  int constants = 0;
  def->Walk([&](const Node& n) {
    if (n.Is("A_Const")) {
      ++constants;
      EXPECT_EQ(n.ScalarText(), "0");
    }
    return true;
  });
  EXPECT_EQ(constants, 1);
}

TEST(ParseScriptTest, SyntaxErrorHasMessageAndOffset) {
  auto r = ParseScript("SELECT 1;\nSELECT * FRM t;");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "syntax error at or near \"FRM\"");
  EXPECT_EQ(r.error().offset, 19);
}

TEST(ParseScriptTest, EscapedStringsAreDecoded) {
  auto r = ParseScript("SELECT 'a\"b\\\\c', E'tab\\there';");
  ASSERT_TRUE(r.has_value());
  std::vector<std::string> values;
  r->statements[0].root->Walk([&](const Node& n) {
    if (n.Is("A_Const")) values.push_back(n.ScalarText());
    return true;
  });
  EXPECT_EQ(values, (std::vector<std::string>{"a\"b\\\\c", "tab\there"}));
}

}  // namespace
}  // namespace strata::pg
