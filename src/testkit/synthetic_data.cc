#include "testkit/synthetic_data.h"

#include <functional>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>

namespace strata {
namespace {

struct Column {
  std::string name, type, typtype, category, base;
  bool not_null = false;
  bool has_default = false;
  int typmod = -1;
};

struct ForeignKey {
  std::string column, parent, parent_column;  // parent: quoted schema.table
};

struct Table {
  std::string name;  // quoted schema.table
  std::vector<Column> columns;
  std::vector<ForeignKey> fks;
  std::set<std::string> unique;                          // single-column unique / primary key columns
  std::map<std::string, std::vector<std::string>> in_lists;  // column → allowed literals from CHECK
};

std::string Quote(const std::string& id) {
  std::string out = "\"";
  for (char c : id) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// The expression for one column of row g, or "" when the column should take its default.
std::string ValueFor(const Table& t, const Column& c, const std::map<std::string, int>& fk_index, bool* unsupported) {
  auto fk = fk_index.find(c.name);
  if (fk != fk_index.end()) return fmt::format("fk{0}.a[1 + (g % greatest(cardinality(fk{0}.a), 1))]", fk->second);
  if (c.has_default) return "";
  const bool unique = t.unique.count(c.name) > 0;
  auto in = t.in_lists.find(c.name);
  if (in != t.in_lists.end() && !in->second.empty()) {
    std::string arr;
    for (size_t i = 0; i < in->second.size(); ++i) arr += (i ? ", " : "") + in->second[i];
    return fmt::format("(ARRAY[{}])[1 + (g % {})]::{}", arr, in->second.size(), c.type);
  }
  if (c.typtype == "e") return fmt::format("(enum_range(NULL::{0}))[1 + (g % cardinality(enum_range(NULL::{0})))]", c.type);
  const std::string& b = c.base;
  if (b == "smallint") return unique ? "g::smallint" : "(g % 30000)::smallint";
  if (b == "integer" || b == "bigint" || b == "real" || b == "double precision" || b == "oid" || b == "money") {
    return fmt::format("g::{}", c.type);
  }
  if (b == "numeric") return c.typmod > 0 && !unique ? fmt::format("((g % 9) + 1)::{}", c.type) : fmt::format("g::{}", c.type);
  if (c.category == "S") {
    std::string literal;
    for (char ch : c.name) literal += ch == '\'' ? std::string("''") : std::string(1, ch);
    std::string v = fmt::format("(g::text || '_{}')", literal);
    if (c.typmod > 4) v = fmt::format("left({}, {})", v, c.typmod - 4);
    return v + "::" + c.type;
  }
  if (b == "boolean") return "(g % 2 = 0)";
  if (b == "date") return "(date '2020-01-01' + (g % 3650))";
  if (b.starts_with("timestamp")) return fmt::format("(timestamp '2020-01-01' + g * interval '1 second')::{}", c.type);
  if (b.starts_with("time")) return fmt::format("(time '00:00' + g * interval '1 second')::{}", c.type);
  if (b == "interval") return "g * interval '1 second'";
  if (b == "uuid") return "md5(g::text)::uuid";
  if (b == "json" || b == "jsonb") return fmt::format("jsonb_build_object('n', g)::{}", c.type);
  if (b == "bytea") return "decode(md5(g::text), 'hex')";
  if (b == "inet" || b == "cidr") return fmt::format("('10.0.0.0'::inet + g)::{}", c.type);
  if (c.category == "A") return c.not_null ? fmt::format("'{{}}'::{}", c.type) : "NULL";
  if (c.not_null) *unsupported = true;
  return "NULL";
}

// 'a'::text, 'b'::text from "CHECK ((status = ANY (ARRAY['a'::text, 'b'::text])))".
std::vector<std::string> InList(const std::string& def, std::string* column) {
  static const std::regex kAny(R"(\(\(?([A-Za-z_][A-Za-z0-9_]*)\)?(?:::[a-z ]+)? = ANY \(\(?ARRAY\[(.*)\]\)?)");
  std::smatch m;
  if (!std::regex_search(def, m, kAny)) return {};
  *column = m[1];
  std::vector<std::string> out;
  static const std::regex kLiteral(R"('((?:[^']|'')*)')");
  std::string list = m[2];
  for (auto it = std::sregex_iterator(list.begin(), list.end(), kLiteral); it != std::sregex_iterator(); ++it) {
    out.push_back("'" + (*it)[1].str() + "'");
  }
  return out;
}

}  // namespace

Result<SyntheticResult> FillEmptyTables(Engine& engine, int rows) {
  SyntheticResult result;
  if (rows <= 0 || engine.kind() != EngineKind::kPostgres) return result;
  constexpr const char* kUser =
      "n.nspname NOT IN ('pg_catalog', 'information_schema', 'strata') AND n.nspname NOT LIKE 'pg\\_%'";
  ASSIGN_OR_RETURN(Rows cols, engine.Query(fmt::format(R"(SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname),
  a.attname, format_type(a.atttypid, a.atttypmod), t.typtype, t.typcategory,
  format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, NULL),
  a.attnotnull OR (t.typtype = 'd' AND t.typnotnull), a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '', a.atttypmod
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
JOIN pg_type t ON t.oid = a.atttypid
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped AND {}
ORDER BY 1, a.attnum)", kUser)));
  std::map<std::string, Table> tables;
  std::vector<std::string> order;
  for (const auto& r : cols.rows) {
    const std::string name = r[0].value_or("");
    if (!tables.count(name)) {
      tables[name].name = name;
      order.push_back(name);
    }
    Column c;
    c.name = r[1].value_or("");
    c.type = r[2].value_or("");
    c.typtype = r[3].value_or("");
    c.category = r[4].value_or("");
    c.base = r[5].value_or("");
    c.not_null = r[6].value_or("f") == "t";
    c.has_default = r[7].value_or("f") == "t";
    c.typmod = std::stoi(r[8].value_or("-1"));
    tables[name].columns.push_back(c);
  }
  ASSIGN_OR_RETURN(Rows cons, engine.Query(fmt::format(R"(SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname),
  k.contype, (SELECT attname FROM pg_attribute WHERE attrelid = k.conrelid AND attnum = k.conkey[1]),
  (SELECT quote_ident(fn.nspname) || '.' || quote_ident(fc.relname) FROM pg_class fc JOIN pg_namespace fn ON fn.oid = fc.relnamespace WHERE fc.oid = k.confrelid),
  (SELECT attname FROM pg_attribute WHERE attrelid = k.confrelid AND attnum = k.confkey[1]),
  pg_get_constraintdef(k.oid)
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE k.contype IN ('f', 'p', 'u', 'c') AND cardinality(k.conkey) = 1 AND {})", kUser)));
  for (const auto& r : cons.rows) {
    auto it = tables.find(r[0].value_or(""));
    if (it == tables.end()) continue;
    const std::string type = r[1].value_or(""), col = r[2].value_or("");
    if (type == "f") it->second.fks.push_back({col, r[3].value_or(""), r[4].value_or("")});
    if (type == "p" || type == "u") it->second.unique.insert(col);
    if (type == "c") {
      std::string in_col;
      auto values = InList(r[5].value_or(""), &in_col);
      if (!values.empty() && in_col == col) it->second.in_lists[col] = values;
    }
  }
  // Parents first (depth-first over foreign keys; cycles broken where met).
  std::vector<std::string> sorted;
  std::set<std::string> done, visiting;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (done.count(name) || visiting.count(name) || !tables.count(name)) return;
    visiting.insert(name);
    for (const auto& fk : tables[name].fks) visit(fk.parent);
    visiting.erase(name);
    done.insert(name);
    sorted.push_back(name);
  };
  for (const auto& name : order) visit(name);

  for (const auto& name : sorted) {
    const Table& t = tables[name];
    ASSIGN_OR_RETURN(Rows any, engine.Query(fmt::format("SELECT EXISTS (SELECT 1 FROM {})", name)));
    if (any.size() && any.rows[0][0].value_or("f") == "t") continue;  // has data already
    std::map<std::string, int> fk_index;
    std::string with;
    std::string from = fmt::format("generate_series(1, {}) g", rows);
    for (size_t i = 0; i < t.fks.size(); ++i) {
      const auto& fk = t.fks[i];
      if (fk.parent == name) continue;  // self-reference: default or NULL
      fk_index[fk.column] = static_cast<int>(i);
      with += fmt::format("{}fk{} AS (SELECT array_agg({}) AS a FROM (SELECT {} FROM {} LIMIT 100000) p)",
                          with.empty() ? "WITH " : ", ", i, Quote(fk.parent_column), Quote(fk.parent_column), fk.parent);
      from += fmt::format(", fk{}", i);
    }
    std::vector<std::string> names, values;
    bool unsupported = false;
    for (const auto& c : t.columns) {
      std::string v = ValueFor(t, c, fk_index, &unsupported);
      if (v.empty()) continue;
      if (v == "NULL" && !c.not_null) continue;
      names.push_back(Quote(c.name));
      values.push_back(v);
    }
    if (unsupported) {
      result.problems.push_back(name + ": a NOT NULL column of a type the generator does not know");
      continue;
    }
    std::string sql;
    if (names.empty()) {
      sql = fmt::format("DO $strata$BEGIN FOR i IN 1..{} LOOP INSERT INTO {} DEFAULT VALUES; END LOOP; END$strata$", rows, name);
    } else {
      std::string cols_list, vals_list;
      for (size_t i = 0; i < names.size(); ++i) {
        cols_list += (i ? ", " : "") + names[i];
        vals_list += (i ? ", " : "") + values[i];
      }
      sql = fmt::format("{} INSERT INTO {} ({}) SELECT {} FROM {}", with, name, cols_list, vals_list, from);
    }
    if (auto r = engine.Exec(sql); !r) {
      result.problems.push_back(fmt::format("{}: {}", name, r.error().message));
      continue;
    }
    (void)engine.Exec("ANALYZE " + name);
    result.filled.push_back(name);
    result.rows += rows;
  }
  return result;
}

}  // namespace strata
