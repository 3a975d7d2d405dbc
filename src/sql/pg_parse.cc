#include "sql/pg_parse.h"

#include <pg_query.h>

#include <array>
#include <bit>
#include <cctype>
#include <cstring>
#include <memory_resource>
#include <string>

namespace strata::pg {
namespace {

// Skips white space and comments at the start of [begin, end); returns the new begin.
int SkipLeadingNoise(std::string_view s, int begin, int end) {
  int i = begin;
  while (i < end) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (c == '-' && i + 1 < end && s[i + 1] == '-') {
      while (i < end && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < end && s[i + 1] == '*') {
      int depth = 1;
      i += 2;
      while (i < end && depth > 0) {
        if (s[i] == '/' && i + 1 < end && s[i + 1] == '*') { ++depth; i += 2; }
        else if (s[i] == '*' && i + 1 < end && s[i + 1] == '/') { --depth; i += 2; }
        else ++i;
      }
    } else {
      break;
    }
  }
  return i;
}

// Appends the statements in text[begin, end) that libpg_query's scanner split left out: it
// drops statements starting with an identifier instead of a keyword ("SELEC 1;"), which are
// syntax errors that must reach the parser (and the server) instead of vanishing. Splits on
// ';' outside quotes, dollar quotes and comments.
void AddDroppedStatements(std::string_view s, int begin, int end, std::vector<Span>& out) {
  int seg = begin;
  int i = begin;
  auto emit = [&](int stop) {
    int b = SkipLeadingNoise(s, seg, stop);
    int e = stop;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\n' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
    if (e > b) out.push_back(Span{b, e - b});
  };
  while (i < end) {
    char c = s[i];
    if (c == '\'' || c == '"') {
      ++i;
      while (i < end && s[i] != c) ++i;
      ++i;
    } else if (c == '-' && i + 1 < end && s[i + 1] == '-') {
      while (i < end && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < end && s[i + 1] == '*') {
      i += 2;
      while (i + 1 < end && !(s[i] == '*' && s[i + 1] == '/')) ++i;
      i += 2;
    } else if (c == '$') {
      int j = i + 1;
      while (j < end && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      if (j < end && s[j] == '$') {
        std::string_view tag = s.substr(i, j - i + 1);
        size_t close = s.find(tag, j + 1);
        i = close == std::string_view::npos || static_cast<int>(close) >= end
                ? end
                : static_cast<int>(close + tag.size());
      } else {
        ++i;
      }
    } else if (c == ';') {
      emit(i);
      seg = ++i;
    } else {
      ++i;
    }
  }
  emit(std::min(end, static_cast<int>(s.size())));
}

}  // namespace

Result<std::vector<Span>> SplitScript(std::string_view script) {
  std::string text(script);  // libpg_query needs a NUL-terminated string
  PgQuerySplitResult r = pg_query_split_with_scanner(text.c_str());
  if (r.error != nullptr) {
    Error e;
    e.kind = ErrorKind::kInput;
    e.message = r.error->message ? r.error->message : "cannot split SQL";
    if (r.error->cursorpos > 0) {
      int pos = r.error->cursorpos - 1;
      int line = 1;
      for (int i = 0; i < pos && i < static_cast<int>(text.size()); ++i) line += text[i] == '\n';
      e.line = line;
    }
    pg_query_free_split_result(r);
    return std::unexpected(std::move(e));
  }
  std::vector<Span> spans;
  spans.reserve(r.n_stmts);
  for (int i = 0; i < r.n_stmts; ++i) {
    int begin = r.stmts[i]->stmt_location;
    int end = begin + r.stmts[i]->stmt_len;
    int trimmed = SkipLeadingNoise(text, begin, end);
    // Trailing white space is not part of the statement either.
    while (end > trimmed && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\t' ||
                             text[end - 1] == '\r'))
      --end;
    if (end <= trimmed) continue;
    spans.push_back(Span{trimmed, end - trimmed});
  }
  pg_query_free_split_result(r);
  // Fill the gaps the scanner split left (see AddDroppedStatements).
  std::vector<Span> all;
  all.reserve(spans.size());
  int prev_end = 0;
  for (const Span& sp : spans) {
    AddDroppedStatements(text, prev_end, sp.offset, all);
    all.push_back(sp);
    prev_end = sp.offset + sp.length;
  }
  AddDroppedStatements(text, prev_end, static_cast<int>(text.size()), all);
  return all;
}

// ---------------------------------------------------------------------------------------------
// Parse tree.

std::span<const Node* const> Node::ListOfListNode(const Node& n) {
  if (!n.Is("List")) return {};
  const Field* f = n.Find("items");
  return f != nullptr && f->kind == FieldKind::kList ? std::span<const Node* const>(f->items, f->count)
                                                     : std::span<const Node* const>();
}

std::string Node::ScalarText() const {
  // Value nodes appear wrapped ("String") in lists and unwrapped (named after their field,
  // "sval") inside A_Const.
  if (type_ == "String" || type_ == "sval") return std::string(Str("sval"));
  if (type_ == "Float" || type_ == "fval") return std::string(Str("fval"));
  if (type_ == "Integer" || type_ == "ival") return std::to_string(Int("ival"));
  if (type_ == "Boolean" || type_ == "boolval") return Bool("boolval") ? "true" : "false";
  if (type_ == "BitString" || type_ == "bsval") return std::string(Str("bsval"));
  if (type_ == "A_Const") {
    for (const Field& f : fields()) {
      if (f.kind == FieldKind::kNode) return f.node->ScalarText();
    }
  }
  return "";
}

struct ParsedScript::Impl {
  std::pmr::monotonic_buffer_resource arena{1 << 14};
  PgQueryParseResult result{};
  bool has_result = false;
  ~Impl() {
    if (has_result) pg_query_free_parse_result(result);
  }
};

ParsedScript::ParsedScript() : impl_(std::make_unique<Impl>()) {}
ParsedScript::~ParsedScript() = default;
ParsedScript::ParsedScript(ParsedScript&&) noexcept = default;
ParsedScript& ParsedScript::operator=(ParsedScript&&) noexcept = default;

namespace {

// Reads libpg_query's JSON parse tree straight into strata Nodes in one pass, without a JSON
// DOM: measured faster than libpg_query's protobuf output plus protobuf-c unpacking (which
// costs ~3x the JSON path) or a general JSON library. Strings without escapes are not copied:
// they point into the JSON text the ParsedScript keeps. Node objects are JSON objects with one
// key naming their type ({"RangeVar": {...}}); messages in typed fields ("relation": {...})
// have no wrapper, and their type() is the field's name.
// Bytes that end the fast scan of a JSON string: the closing quote, an escape, the end.
constexpr auto kStringStop = [] {
  std::array<bool, 256> t{};
  t['"'] = t['\\'] = t[0] = true;
  return t;
}();

constexpr uint64_t kLocationKey = Node::NameKey("location");

class JsonTreeReader {
 public:
  JsonTreeReader(const char* json, std::pmr::memory_resource* arena, int base_offset)
      : p_(json), json_end_(json + std::strlen(json)), arena_(arena),
        base_offset_(base_offset) {
    stack_.reserve(256);
  }

  bool ok() const { return ok_; }

  // Reads {"version":…, "stmts":[{"stmt":{…}, "stmt_location":…, "stmt_len":…}, …]}.
  template <class Fn>
  void ReadStatements(Fn&& on_statement) {
    SkipWs();
    if (!Expect('{')) return;
    while (ok_) {
      SkipWs();
      if (*p_ == '}') { ++p_; return; }
      std::string_view key = ReadKey();
      if (key == "stmts") {
        SkipWs();
        if (!Expect('[')) return;
        SkipWs();
        if (*p_ == ']') { ++p_; }
        else {
          while (ok_) {
            const Node* raw = ReadObject("RawStmt", Node::NameKey("RawStmt"));
            if (raw != nullptr) on_statement(*raw);
            SkipWs();
            if (*p_ == ',') { ++p_; continue; }
            if (!Expect(']')) return;
            break;
          }
        }
      } else {
        SkipValue();
      }
      SkipWs();
      if (*p_ == ',') ++p_;
    }
  }

 private:
  void SkipWs() {
    // libpg_query writes compact JSON: one test in the common case.
    if (static_cast<unsigned char>(*p_) > ' ') return;
    while (*p_ == ' ' || *p_ == '\n' || *p_ == '\t' || *p_ == '\r') ++p_;
  }
  bool Expect(char c) {
    SkipWs();
    if (*p_ != c) { ok_ = false; return false; }
    ++p_;
    return true;
  }

  // Reads a JSON string at p_ (opening quote included); decodes escapes into the arena.
  std::string_view ReadString() {
    if (*p_ != '"') { ok_ = false; return {}; }
    const char* begin = ++p_;
    // Eight bytes at a time while they lie inside the text: stop at the word holding '"' or
    // '\\' (the classic "has zero byte" test on the word xor each of them).
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    // On little-endian machines the lowest flagged byte is the first '"' or '\\' (the test
    // can only flag bytes above a true match spuriously), so jump straight to it.
    while (json_end_ - p_ >= 8) {
      uint64_t w;
      std::memcpy(&w, p_, 8);
      uint64_t q = w ^ (kOnes * '"'), b = w ^ (kOnes * '\\');
      uint64_t hit = (((q - kOnes) & ~q) | ((b - kOnes) & ~b)) & kHigh;
      if (hit != 0) {
        if constexpr (std::endian::native == std::endian::little) p_ += std::countr_zero(hit) / 8;
        break;
      }
      p_ += 8;
    }
    while (!kStringStop[static_cast<unsigned char>(*p_)]) ++p_;
    if (*p_ == '"') {
      std::string_view s(begin, p_ - begin);
      ++p_;
      last_decoded_ = false;
      return s;
    }
    last_decoded_ = true;
    std::string decoded(begin, p_ - begin);
    while (*p_ != '"') {
      if (*p_ == '\0') { ok_ = false; return {}; }
      if (*p_ != '\\') { decoded += *p_++; continue; }
      ++p_;
      char e = *p_++;
      switch (e) {
        case 'n': decoded += '\n'; break;
        case 't': decoded += '\t'; break;
        case 'r': decoded += '\r'; break;
        case 'b': decoded += '\b'; break;
        case 'f': decoded += '\f'; break;
        case 'u': {
          unsigned cp = 0;
          for (int i = 0; i < 4 && *p_ != '\0'; ++i, ++p_) {
            char h = *p_;
            cp = cp * 16 + (h >= '0' && h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
          }
          if (cp < 0x80) {
            decoded += static_cast<char>(cp);
          } else if (cp < 0x800) {
            decoded += static_cast<char>(0xC0 | (cp >> 6));
            decoded += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            decoded += static_cast<char>(0xE0 | (cp >> 12));
            decoded += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            decoded += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default: decoded += e; break;  // \" \\ \/
      }
    }
    ++p_;
    char* mem = static_cast<char*>(arena_->allocate(decoded.size() + 1, 1));
    std::memcpy(mem, decoded.data(), decoded.size());
    return std::string_view(mem, decoded.size());
  }

  std::string_view ReadKey() {
    SkipWs();
    std::string_view k = ReadString();
    Expect(':');
    SkipWs();
    return k;
  }

  // Node::NameKey(k) for a key just read: when k lies in the JSON text with 8 readable bytes,
  // one unaligned load and a mask instead of a byte loop.
  uint64_t KeyOf(std::string_view k) const {
    if (!last_decoded_ && k.size() > 0 && json_end_ - k.data() >= 8) {
      uint64_t w;
      std::memcpy(&w, k.data() - 1, 8);  // the opening quote, then up to 7 bytes of the name
      if constexpr (std::endian::native == std::endian::little) {
        uint64_t mask = k.size() >= 7 ? ~uint64_t{0xFF} : ((uint64_t{1} << (8 * (k.size() + 1))) - 1) & ~uint64_t{0xFF};
        return (w & mask) | (k.size() & 0xFF);
      }
    }
    return Node::NameKey(k);
  }

  void SkipValue() {
    SkipWs();
    char c = *p_;
    if (c == '"') { ReadString(); return; }
    if (c == '{' || c == '[') {
      int depth = 0;
      do {
        if (*p_ == '"') { ReadString(); continue; }
        if (*p_ == '{' || *p_ == '[') ++depth;
        if (*p_ == '}' || *p_ == ']') --depth;
        if (*p_ == '\0') { ok_ = false; return; }
        ++p_;
      } while (depth > 0);
      return;
    }
    while (*p_ != ',' && *p_ != '}' && *p_ != ']' && *p_ != '\0') ++p_;
  }

  // A value in a list or a Node-typed field: {"Type": {fields}}.
  const Node* ReadWrappedNode() {
    if (!Expect('{')) return nullptr;
    SkipWs();
    if (*p_ == '}') { ++p_; return MakeNode("", 0, -1, 0); }
    std::string_view type = ReadKey();
    const uint64_t type_key = KeyOf(type);
    const Node* n = nullptr;
    if (*p_ == '{') {
      n = ReadObject(type, type_key);
    } else {
      SkipValue();
      n = MakeNode(type, type_key, -1, 0);
    }
    SkipWs();
    while (*p_ == ',') { ++p_; ReadKey(); SkipValue(); SkipWs(); }  // not expected
    Expect('}');
    return n;
  }

  // An object whose keys are fields; `type` is its node type.
  const Node* ReadObject(std::string_view type, uint64_t type_key) {
    if (!Expect('{')) return nullptr;
    size_t start = stack_.size();
    int location = -1;
    SkipWs();
    if (*p_ == '}') { ++p_; return MakeNode(type, type_key, -1, start); }
    while (ok_) {
      std::string_view key = ReadKey();
      Node::Field f;
      f.name = key;
      f.key = KeyOf(key);
      char c = *p_;
      bool keep = true;
      if (c == '"') {
        f.kind = Node::FieldKind::kString;
        f.str = ReadString();
        keep = !f.str.empty();
      } else if (c == '{') {
        // A wrapper ({"Type": …}) has one key starting with an upper-case letter; a typed
        // message field's keys are lower-case field names.
        const char* q = p_ + 1;
        while (*q == ' ' || *q == '\n') ++q;
        bool wrapped = q[0] == '"' && q[1] >= 'A' && q[1] <= 'Z';
        f.kind = Node::FieldKind::kNode;
        f.node = wrapped ? ReadWrappedNode() : ReadObject(key, f.key);
        keep = f.node != nullptr;
      } else if (c == '[') {
        ++p_;
        size_t list_start = items_.size();
        SkipWs();
        while (ok_ && *p_ != ']') {
          if (*p_ == '{') {
            const Node* item = ReadWrappedNode();
            if (item != nullptr) items_.push_back(item);
          } else {
            SkipValue();
          }
          SkipWs();
          if (*p_ == ',') { ++p_; SkipWs(); }
        }
        ++p_;
        size_t n = items_.size() - list_start;
        auto** items = static_cast<const Node**>(
            arena_->allocate(sizeof(const Node*) * (n ? n : 1), alignof(const Node*)));
        for (size_t i = 0; i < n; ++i) items[i] = items_[list_start + i];
        items_.resize(list_start);
        f.kind = Node::FieldKind::kList;
        f.items = items;
        f.count = static_cast<uint32_t>(n);
        keep = n > 0;
      } else if (c == 't' || c == 'f') {
        f.kind = Node::FieldKind::kBool;
        f.num = c == 't';
        p_ += c == 't' ? 4 : 5;
        keep = f.num != 0;
      } else if (c == 'n') {
        p_ += 4;
        keep = false;
      } else {
        bool neg = *p_ == '-';
        if (neg) ++p_;
        int64_t v = 0;
        while (*p_ >= '0' && *p_ <= '9') v = v * 10 + (*p_++ - '0');
        if (*p_ == '.' || *p_ == 'e' || *p_ == 'E') SkipValue();
        v = neg ? -v : v;
        if (f.key == kLocationKey && key == "location") {
          location = v < 0 ? -1 : static_cast<int>(v) + base_offset_;
          keep = false;
        } else {
          f.kind = Node::FieldKind::kInt;
          f.num = v;
          keep = v != 0;
        }
      }
      if (keep) stack_.push_back(f);
      SkipWs();
      if (*p_ == ',') { ++p_; continue; }
      if (*p_ == '}') { ++p_; break; }
      ok_ = false;
    }
    return MakeNode(type, type_key, location, start);
  }

  // Moves the fields above `start` on the stack into the arena as a new node.
  const Node* MakeNode(std::string_view type, uint64_t type_key, int location, size_t start) {
    size_t n = stack_.size() - start;
    Node::Field* fields = nullptr;
    if (n > 0) {
      fields = static_cast<Node::Field*>(
          arena_->allocate(sizeof(Node::Field) * n, alignof(Node::Field)));
      std::uninitialized_copy(stack_.begin() + start, stack_.end(), fields);
      stack_.resize(start);
    }
    void* mem = arena_->allocate(sizeof(Node), alignof(Node));
    return new (mem) Node(type, type_key, location, fields, static_cast<uint32_t>(n));
  }

  const char* p_;
  const char* json_end_;
  bool last_decoded_ = false;  // the last ReadString decoded escapes into the arena
  std::pmr::memory_resource* arena_;
  int base_offset_;
  bool ok_ = true;
  std::vector<Node::Field> stack_;
  std::vector<const Node*> items_;
};

}  // namespace

std::expected<ParsedScript, SyntaxError> ParseScript(std::string_view script, int base_offset) {
  std::string text(script);  // libpg_query needs a NUL-terminated string
  ParsedScript out;
  PgQueryParseResult r = pg_query_parse(text.c_str());
  if (r.error != nullptr) {
    SyntaxError e;
    e.message = r.error->message ? r.error->message : "cannot parse SQL";
    // cursorpos is 1-based and counts bytes.
    e.offset = r.error->cursorpos > 0 ? r.error->cursorpos - 1 : -1;
    pg_query_free_parse_result(r);
    return std::unexpected(std::move(e));
  }
  out.impl_->result = r;
  out.impl_->has_result = true;
  const int size = static_cast<int>(text.size());
  JsonTreeReader reader(r.parse_tree, &out.impl_->arena, base_offset);
  reader.ReadStatements([&](const Node& raw) {
    const Node* stmt = raw.Child("stmt");
    if (stmt == nullptr) return;
    int begin = static_cast<int>(raw.Int("stmt_location"));
    int len = static_cast<int>(raw.Int("stmt_len"));
    int end = len == 0 ? size : begin + len;
    if (end > size) end = size;
    int trimmed = SkipLeadingNoise(text, begin, end);
    while (end > trimmed && (text[end - 1] == ' ' || text[end - 1] == '\n' ||
                             text[end - 1] == '\t' || text[end - 1] == '\r' ||
                             text[end - 1] == ';'))
      --end;
    out.statements.push_back(ParsedStatement{Span{trimmed + base_offset, end - trimmed}, stmt});
  });
  if (!reader.ok()) {
    return std::unexpected(SyntaxError{"cannot read libpg_query's parse tree", -1});
  }
  return out;
}

}  // namespace strata::pg
