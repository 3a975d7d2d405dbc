// strata's one door to PostgreSQL's own grammar (libpg_query). Nothing else includes
// pg_query.h: the parse tree is exposed as strata's own read-only Node type.
#pragma once

#include <concepts>
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

  // A name's length and first 7 bytes packed in one word: field and type lookups compare one
  // integer per field, and only names longer than 7 bytes compare their remaining bytes.
  // constexpr so that lookups by a literal name fold the key at compile time.
  static constexpr uint64_t NameKey(std::string_view s) {
    uint64_t k = s.size() & 0xFF;
    for (size_t i = 0; i < s.size() && i < 7; ++i) {
      k |= static_cast<uint64_t>(static_cast<unsigned char>(s[i])) << (8 * (i + 1));
    }
    return k;
  }

  // A field or type name with its NameKey. Lookups by a literal name compute the key at
  // compile time; other names (string_view, string) compute it at run time.
  class Name {
   public:
    template <size_t N>
    consteval Name(const char (&literal)[N])  // NOLINT: implicit by design
        : view_(literal, N - 1), key_(NameKey(std::string_view(literal, N - 1))) {}
    Name(std::string_view s) : view_(s), key_(NameKey(s)) {}  // NOLINT
    Name(const std::string& s) : Name(std::string_view(s)) {}  // NOLINT
    // A template so that a string literal picks the consteval constructor above: with a plain
    // `Name(const char*)` overload, literals decay and take it instead (a non-template wins a
    // tie), which computed every literal's key at run time.
    template <class T>
      requires std::same_as<T, const char*> || std::same_as<T, char*>
    Name(T s) : Name(std::string_view(s)) {}  // NOLINT
    std::string_view view() const { return view_; }
    uint64_t key() const { return key_; }

   private:
    std::string_view view_;
    uint64_t key_;
  };

  // One stored field. The value members share storage: read only the one(s) `kind` names.
  struct Field {
    std::string_view name;
    uint64_t key = 0;                  // NameKey(name)
    FieldKind kind = FieldKind::kInt;
    uint32_t count = 0;                // kList: number of items
    union {
      const Node* node = nullptr;      // kNode
      const Node* const* items;        // kList
    };
    union {
      std::string_view str{};          // kString (strings and enum names)
      int64_t num;                     // kInt, kBool
    };
  };

  // The node's type name, e.g. "IndexStmt", "ColumnDef", "String", "A_Const".
  std::string_view type() const { return type_; }
  bool Is(Name type) const { return type_key_ == type.key() && SameTail(type_, type.view()); }
  // Byte offset in the parsed script of the node's first token, or -1 when the node has none.
  int location() const { return location_; }

  const Node* Child(Name field) const {
    const Field* f = Find(field);
    return f != nullptr && f->kind == FieldKind::kNode ? f->node : nullptr;
  }
  // Items of a repeated field, or of a child that is a "List" node. Empty when absent.
  std::span<const Node* const> List(Name field) const {
    const Field* f = Find(field);
    if (f == nullptr) return {};
    if (f->kind == FieldKind::kList) return {f->items, f->count};
    return f->kind == FieldKind::kNode ? ListOfListNode(*f->node) : std::span<const Node* const>();
  }
  std::string_view Str(Name field) const {
    const Field* f = Find(field);
    return f != nullptr && f->kind == FieldKind::kString ? f->str : std::string_view();
  }
  int64_t Int(Name field) const {
    const Field* f = Find(field);
    return f != nullptr && (f->kind == FieldKind::kInt || f->kind == FieldKind::kBool) ? f->num
                                                                                         : 0;
  }
  bool Bool(Name field) const { return Int(field) != 0; }
  bool Has(Name field) const { return Find(field) != nullptr; }

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
      : type_(type), type_key_(NameKey(type)), location_(location), fields_(fields),
        fields_count_(count) {}
  Node(std::string_view type, uint64_t type_key, int location, const Field* fields,
       uint32_t count)
      : type_(type), type_key_(type_key), location_(location), fields_(fields),
        fields_count_(count) {}

 private:
  // Bytes after the first 7 of two names of equal length (the key compared the rest).
  static bool SameTail(std::string_view a, std::string_view b) {
    for (size_t i = 7; i < a.size(); ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  const Field* Find(Name name) const {
    const uint64_t key = name.key();
    for (uint32_t i = 0; i < fields_count_; ++i) {
      if (fields_[i].key == key && SameTail(fields_[i].name, name.view())) return &fields_[i];
    }
    return nullptr;
  }
  // The items of a "List" node, empty for any other node.
  static std::span<const Node* const> ListOfListNode(const Node& n);

  std::string_view type_;
  uint64_t type_key_ = 0;
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
