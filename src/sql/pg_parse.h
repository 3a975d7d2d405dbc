// strata's one door to PostgreSQL's own grammar (libpg_query). Nothing else includes
// pg_query.h: the parse tree is exposed as strata's own read-only Node type.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace strata::pg {

struct Span {
  int offset = 0;  // byte offset of the statement's first token in the script
  int length = 0;  // bytes up to (not including) the terminating semicolon
};

// Splits a PostgreSQL script into statements with PostgreSQL's scanner: quotes, dollar
// quotes, comments and "CREATE RULE … (a; b)" are handled. Leading comments and white space are
// trimmed from each span; empty statements are dropped. kInput with the scanner's message and
// position for unterminated quotes or comments.
Result<std::vector<Span>> SplitScript(std::string_view script);

// One node of PostgreSQL's raw parse tree (the tree libpg_query produces, node and field
// names as in libpg_query's pg_query.proto: "AlterTableStmt", "relation", "cmds", …).
// Fields with their default value (empty string, 0, false, absent child, empty list) are not
// stored: the getters then return that default. Enum fields read as their value's name
// (e.g. Str("subtype") == "AT_AddColumn"). Nodes are owned by the ParsedScript they came from
// and are valid as long as it lives.
class Node {
 public:
  enum class FieldKind : uint8_t { kNode, kList, kString, kInt, kBool };
  struct Field {
    std::string_view name;
    FieldKind kind = FieldKind::kInt;
    uint32_t count = 0;                // kList: number of items
    const Node* node = nullptr;        // kNode
    const Node* const* items = nullptr;  // kList
    std::string_view str;              // kString (strings and enum names)
    int64_t num = 0;                   // kInt, kBool
  };

  // The node's type name, e.g. "IndexStmt", "ColumnDef", "String", "A_Const".
  std::string_view type() const { return type_; }
  bool Is(std::string_view type) const { return type_ == type; }
  // Byte offset in the parsed script of the node's first token, or -1 when the node has none.
  int location() const { return location_; }

  const Node* Child(std::string_view field) const;
  // Items of a repeated field, or of a child that is a "List" node. Empty when absent.
  std::span<const Node* const> List(std::string_view field) const;
  std::string_view Str(std::string_view field) const;
  int64_t Int(std::string_view field) const;
  bool Bool(std::string_view field) const;
  bool Has(std::string_view field) const { return Find(field) != nullptr; }

  // The value of a String ("sval"), Float ("fval"), Integer ("ival"), Boolean node as text;
  // for A_Const the value of its constant; "" otherwise.
  std::string ScalarText() const;

  std::span<const Field> fields() const { return {fields_, fields_count_}; }

  // Calls fn(node) for this node and every descendant, depth first, parents before children.
  // fn returns false to skip the node's children.
  template <class Fn>
  void Walk(Fn&& fn) const {
    if (!fn(*this)) return;
    for (const Field& f : fields()) {
      if (f.kind == FieldKind::kNode) {
        f.node->Walk(fn);
      } else if (f.kind == FieldKind::kList) {
        for (uint32_t i = 0; i < f.count; ++i) f.items[i]->Walk(fn);
      }
    }
  }

  // Internal: built by the parser.
  Node(std::string_view type, int location, const Field* fields, uint32_t count)
      : type_(type), location_(location), fields_(fields), fields_count_(count) {}

 private:
  const Field* Find(std::string_view name) const;

  std::string_view type_;
  int location_ = -1;
  const Field* fields_ = nullptr;
  uint32_t fields_count_ = 0;
};

// One top-level statement of a parsed script.
struct ParsedStatement {
  Span span;          // leading comments and white space trimmed, like SplitScript
  const Node* root;   // the statement node (the RawStmt's "stmt"), never null
};

// A parsed script: its statements and the memory holding their trees. Move-only.
class ParsedScript {
 public:
  ParsedScript();
  ~ParsedScript();
  ParsedScript(ParsedScript&&) noexcept;
  ParsedScript& operator=(ParsedScript&&) noexcept;

  std::vector<ParsedStatement> statements;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// PostgreSQL's parser refused the text.
struct SyntaxError {
  std::string message;  // the parser's message, e.g. "syntax error at or near \"TABLE\""
  int offset = -1;      // byte offset in the parsed text where it stopped, -1 if unknown
};

// Parses a whole script with PostgreSQL 15's grammar. Node locations and spans are byte
// offsets into `script` plus `base_offset`. Never throws; a script the grammar refuses gives
// the parser's message and position. Thread-safe.
std::expected<ParsedScript, SyntaxError> ParseScript(std::string_view script, int base_offset = 0);

}  // namespace strata::pg
