#include "schema/catalog_snapshot.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

namespace strata {
namespace {

using Row = std::vector<std::optional<std::string>>;

std::string S(const Row& r, size_t i) { return r[i].value_or(""); }
std::optional<std::string> O(const Row& r, size_t i) { return r[i]; }
bool B(const Row& r, size_t i) { return r[i] && *r[i] == "t"; }

// $1: the schemas to skip, as a text[] literal. Every query filters namespaces `n` with this.
constexpr const char* kSchemaFilter =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
    "AND n.nspname NOT LIKE 'pg\\_temp%' AND n.nspname <> ALL($1::text[])";

// Leaves out objects created by an extension.
std::string NotExtensionMember(std::string_view catalog, std::string_view oid) {
  return fmt::format(
      "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '{}'::regclass AND e.objid = {} AND e.deptype = 'e')",
      catalog, oid);
}

std::string TextArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// One query per object kind, each in one place.
std::string SchemasSql() {
  return fmt::format(
      "SELECT n.nspname, obj_description(n.oid, 'pg_namespace') FROM pg_namespace n WHERE {} AND {} ORDER BY 1",
      kSchemaFilter, NotExtensionMember("pg_namespace", "n.oid"));
}

std::string ExtensionsSql() {
  return "SELECT x.extname, n.nspname, x.extversion FROM pg_extension x "
         "JOIN pg_namespace n ON n.oid = x.extnamespace ORDER BY 1";
}

std::string TypesSql() {
  return fmt::format(R"(SELECT n.nspname, t.typname,
  CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite' ELSE 'range' END,
  CASE t.typtype
    WHEN 'e' THEN (SELECT coalesce(string_agg(quote_literal(l.enumlabel), ', ' ORDER BY l.enumsortorder), '')
                   FROM pg_enum l WHERE l.enumtypid = t.oid)
    WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod)
                  || coalesce(' DEFAULT ' || t.typdefault, '')
                  || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
                  || coalesce((SELECT string_agg(' CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid, true), '' ORDER BY k.conname)
                               FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype <> 'n'), '')
    WHEN 'c' THEN (SELECT coalesce(string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum), '')
                   FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
    ELSE (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid)
  END,
  obj_description(t.oid, 'pg_type')
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE {} AND {} AND t.typtype IN ('e', 'd', 'c', 'r')
  AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
ORDER BY 1, 2)",
                     kSchemaFilter, NotExtensionMember("pg_type", "t.oid"));
}

std::string SequencesSql() {
  return fmt::format(R"(SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart::text,
  s.seqincrement::text, s.seqmin::text, s.seqmax::text, s.seqcache::text, s.seqcycle,
  (SELECT quote_ident(dn.nspname) || '.' || quote_ident(dc.relname) || '.' || quote_ident(a.attname)
     FROM pg_depend d JOIN pg_class dc ON dc.oid = d.refobjid JOIN pg_namespace dn ON dn.oid = dc.relnamespace
     JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
      AND d.deptype = 'a' LIMIT 1),
  obj_description(c.oid, 'pg_class')
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {} AND {}
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')
ORDER BY 1, 2)",
                     kSchemaFilter, NotExtensionMember("pg_class", "c.oid"));
}

std::string TablesSql() {
  return fmt::format(
      "SELECT n.nspname, c.relname, c.relkind = 'p', obj_description(c.oid, 'pg_class') "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p') AND {} AND {} ORDER BY 1, 2",
      kSchemaFilter, NotExtensionMember("pg_class", "c.oid"));
}

std::string ColumnsSql() {
  return fmt::format(R"(SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
  CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
  CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' ELSE '' END,
  CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END,
  col_description(c.oid, a.attnum)
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND {}
ORDER BY 1, 2, a.attnum)",
                     kSchemaFilter);
}

std::string ConstraintsSql() {
  return fmt::format(R"(SELECT n.nspname, c.relname, k.conname,
  CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'f' THEN 'foreign key' WHEN 'u' THEN 'unique'
    WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclusion' WHEN 'n' THEN 'not null' ELSE 'trigger' END,
  pg_get_constraintdef(k.oid, true), obj_description(k.oid, 'pg_constraint')
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND {}
ORDER BY 1, 2, 3)",
                     kSchemaFilter);
}

std::string IndexesSql() {
  // A join, not a correlated subquery: pg_constraint has no index on conindid, and a subquery
  // per index made this the slowest query of a snapshot (quadratic in the number of indexes).
  return fmt::format(R"(SELECT n.nspname, t.relname, i.relname, pg_get_indexdef(i.oid), k.conname,
  obj_description(i.oid, 'pg_class')
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = i.relnamespace
LEFT JOIN pg_constraint k ON k.conindid = i.oid AND k.conrelid = t.oid AND k.contype IN ('p', 'u', 'x')
WHERE {} AND {}
ORDER BY 1, 2, 3)",
                     kSchemaFilter, NotExtensionMember("pg_class", "t.oid"));
}

std::string ViewsSql() {
  return fmt::format(
      "SELECT n.nspname, c.relname, c.relkind = 'm', pg_get_viewdef(c.oid, true), obj_description(c.oid, 'pg_class') "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('v', 'm') AND {} AND {} ORDER BY 1, 2",
      kSchemaFilter, NotExtensionMember("pg_class", "c.oid"));
}

std::string FunctionsSql() {
  return fmt::format(R"(SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
  CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window' ELSE 'function' END,
  CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END,
  obj_description(p.oid, 'pg_proc')
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE {} AND {}
ORDER BY 1, 2, 3)",
                     kSchemaFilter, NotExtensionMember("pg_proc", "p.oid"));
}

std::string TriggersSql() {
  return fmt::format(
      "SELECT n.nspname, c.relname, g.tgname, pg_get_triggerdef(g.oid, true), g.tgenabled <> 'D' "
      "FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE NOT g.tgisinternal AND {} ORDER BY 1, 2, 3",
      kSchemaFilter);
}

// Owner and grants of every object kind that has them: kind, schema, name (functions: name(args)), owner, grants.
std::string AccessSql() {
  constexpr const char* kGrants =
      "(SELECT coalesce(string_agg(g, E'\\n' ORDER BY g), '') FROM (SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
      "ELSE pg_get_userbyid(a.grantee) END || ' ' || a.privilege_type || CASE WHEN a.is_grantable THEN ' WITH GRANT "
      "OPTION' ELSE '' END AS g FROM aclexplode({}) a) q)";
  return fmt::format(R"(SELECT 'schema', n.nspname, n.nspname, pg_get_userbyid(n.nspowner), {}
FROM pg_namespace n WHERE {}
UNION ALL
SELECT CASE WHEN c.relkind IN ('r', 'p') THEN 'table' WHEN c.relkind = 'S' THEN 'sequence' ELSE 'view' END,
  n.nspname, c.relname, pg_get_userbyid(c.relowner), {}
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm') AND {}
UNION ALL
SELECT 'function', n.nspname, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
  pg_get_userbyid(p.proowner), {}
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {}
UNION ALL
SELECT 'type', n.nspname, t.typname, pg_get_userbyid(t.typowner), {}
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype IN ('e', 'd', 'c', 'r') AND {})",
                     fmt::format(fmt::runtime(kGrants), "n.nspacl"), kSchemaFilter,
                     fmt::format(fmt::runtime(kGrants), "c.relacl"), kSchemaFilter,
                     fmt::format(fmt::runtime(kGrants), "p.proacl"), kSchemaFilter,
                     fmt::format(fmt::runtime(kGrants), "t.typacl"), kSchemaFilter);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

nlohmann::json Opt(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

std::vector<std::string> DefaultSkippedSchemas() { return {"strata", "strata_online"}; }

Result<CatalogSnapshot> ReadPostgresSnapshot(Engine& engine, const std::vector<std::string>& schemas_to_skip) {
  SnapshotOptions options;
  options.schemas_to_skip = schemas_to_skip;
  return ReadPostgresSnapshot(engine, options);
}

Result<CatalogSnapshot> ReadSnapshot(Engine& engine, const SnapshotOptions& options) {
  if (engine.kind() == EngineKind::kSqlite) return ReadSqliteSnapshot(engine);
  return ReadPostgresSnapshot(engine, options);
}

Result<CatalogSnapshot> ReadSqliteSnapshot(Engine& engine) {
  if (engine.kind() != EngineKind::kSqlite) return MakeError(ErrorKind::kInput, "not a SQLite database");
  CatalogSnapshot snap;
  ASSIGN_OR_RETURN(Rows objects, engine.Query(
      "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
      "AND name NOT LIKE 'strata\\_%' ESCAPE '\\' ORDER BY type, name"));
  for (const auto& r : objects.rows) {
    const std::string type = S(r, 0), name = S(r, 1), table = S(r, 2), sql = S(r, 3);
    if (type == "table") {
      TableInfo t;
      t.schema = "main";
      t.name = name;
      Param p = name;
      ASSIGN_OR_RETURN(Rows cols, engine.Query(
          "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1) ORDER BY cid",
          std::span<const Param>(&p, 1)));
      for (const auto& c : cols.rows) {
        ColumnInfo col;
        col.name = S(c, 0);
        col.type = S(c, 1);
        col.nullable = S(c, 2) != "1" && S(c, 4) == "0";
        col.default_expr = O(c, 3);
        t.columns.push_back(std::move(col));
      }
      // SQLite keeps constraints only inside the CREATE TABLE text: compare that text whole.
      t.constraints.push_back({"definition", "table", sql, std::nullopt});
      snap.tables.push_back(std::move(t));
    } else if (type == "index") {
      if (sql.empty()) continue;  // automatic indexes of PRIMARY KEY / UNIQUE: part of the table text
      snap.indexes.push_back({"main", table, name, sql, std::nullopt, std::nullopt});
    } else if (type == "view") {
      snap.views.push_back({"main", name, false, sql, std::nullopt});
    } else if (type == "trigger") {
      snap.triggers.push_back({"main", table, name, sql, true});
    }
  }
  return snap;
}

Result<CatalogSnapshot> ReadPostgresSnapshot(Engine& engine, const SnapshotOptions& options) {
  if (engine.kind() != EngineKind::kPostgres) {
    return MakeError(ErrorKind::kInput, "schema dump supports PostgreSQL targets");
  }
  const std::vector<std::string>& schemas_to_skip = options.schemas_to_skip;
  const std::vector<Param> params = {TextArrayLiteral(schemas_to_skip)};
  auto run = [&](const std::string& sql, bool with_filter = true) -> Result<Rows> {
    if (!with_filter) return engine.Query(sql);
    return engine.Query(sql, params);
  };
  CatalogSnapshot snap;

  ASSIGN_OR_RETURN(Rows schemas, run(SchemasSql()));
  for (const auto& r : schemas.rows) snap.schemas.push_back({S(r, 0), O(r, 1)});

  ASSIGN_OR_RETURN(Rows extensions, run(ExtensionsSql(), false));
  for (const auto& r : extensions.rows) snap.extensions.push_back({S(r, 0), S(r, 1), S(r, 2)});

  ASSIGN_OR_RETURN(Rows types, run(TypesSql()));
  for (const auto& r : types.rows) snap.types.push_back({S(r, 0), S(r, 1), S(r, 2), S(r, 3), O(r, 4)});

  ASSIGN_OR_RETURN(Rows sequences, run(SequencesSql()));
  for (const auto& r : sequences.rows) {
    snap.sequences.push_back(
        {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), S(r, 5), S(r, 6), S(r, 7), B(r, 8), O(r, 9), O(r, 10)});
  }

  ASSIGN_OR_RETURN(Rows tables, run(TablesSql()));
  for (const auto& r : tables.rows) {
    TableInfo t;
    t.schema = S(r, 0);
    t.name = S(r, 1);
    t.partitioned = B(r, 2);
    t.comment = O(r, 3);
    snap.tables.push_back(std::move(t));
  }
  auto find_table = [&](const std::string& schema, const std::string& name) -> TableInfo* {
    auto it = std::lower_bound(snap.tables.begin(), snap.tables.end(), std::tie(schema, name),
                               [](const TableInfo& t, const auto& key) {
                                 return std::tie(t.schema, t.name) < key;
                               });
    if (it == snap.tables.end() || it->schema != schema || it->name != name) return nullptr;
    return &*it;
  };
  // ORDER BY uses the database's collation; lookups need byte order.
  std::sort(snap.tables.begin(), snap.tables.end(),
            [](const TableInfo& a, const TableInfo& b) { return std::tie(a.schema, a.name) < std::tie(b.schema, b.name); });

  ASSIGN_OR_RETURN(Rows columns, run(ColumnsSql()));
  for (const auto& r : columns.rows) {
    if (TableInfo* t = find_table(S(r, 0), S(r, 1))) {
      t->columns.push_back({S(r, 2), S(r, 3), B(r, 4), O(r, 5), S(r, 6), O(r, 7), O(r, 8)});
    }
  }
  ASSIGN_OR_RETURN(Rows constraints, run(ConstraintsSql()));
  for (const auto& r : constraints.rows) {
    if (TableInfo* t = find_table(S(r, 0), S(r, 1))) t->constraints.push_back({S(r, 2), S(r, 3), S(r, 4), O(r, 5)});
  }

  ASSIGN_OR_RETURN(Rows indexes, run(IndexesSql()));
  for (const auto& r : indexes.rows) snap.indexes.push_back({S(r, 0), S(r, 1), S(r, 2), S(r, 3), O(r, 4), O(r, 5)});

  ASSIGN_OR_RETURN(Rows views, run(ViewsSql()));
  for (const auto& r : views.rows) snap.views.push_back({S(r, 0), S(r, 1), B(r, 2), S(r, 3), O(r, 4)});

  ASSIGN_OR_RETURN(Rows functions, run(FunctionsSql()));
  for (const auto& r : functions.rows) snap.functions.push_back({S(r, 0), S(r, 1), S(r, 2), S(r, 3), O(r, 4), O(r, 5)});

  ASSIGN_OR_RETURN(Rows triggers, run(TriggersSql()));
  for (const auto& r : triggers.rows) snap.triggers.push_back({S(r, 0), S(r, 1), S(r, 2), S(r, 3), B(r, 4)});

  if (options.with_owners || options.with_grants) {
    ASSIGN_OR_RETURN(Rows access, run(AccessSql()));
    std::map<std::tuple<std::string, std::string, std::string>, Access> by_object;
    for (const auto& r : access.rows) {
      Access a;
      if (options.with_owners) a.owner = O(r, 3);
      if (options.with_grants) a.grants = Lines(S(r, 4));
      by_object[{S(r, 0), S(r, 1), S(r, 2)}] = std::move(a);
    }
    auto fill = [&](const char* kind, const std::string& schema, const std::string& name, Access& into) {
      auto it = by_object.find({kind, schema, name});
      if (it != by_object.end()) into = it->second;
    };
    for (auto& x : snap.schemas) fill("schema", x.name, x.name, x.access);
    for (auto& x : snap.tables) fill("table", x.schema, x.name, x.access);
    for (auto& x : snap.views) fill("view", x.schema, x.name, x.access);
    for (auto& x : snap.sequences) fill("sequence", x.schema, x.name, x.access);
    for (auto& x : snap.functions) fill("function", x.schema, x.name + "(" + x.arguments + ")", x.access);
    for (auto& x : snap.types) fill("type", x.schema, x.name, x.access);
    snap.grants_read = options.with_grants;
  }

  // Byte order everywhere, whatever the database's collation.
  auto by_key = [](auto key) {
    return [key](const auto& a, const auto& b) { return key(a) < key(b); };
  };
  std::sort(snap.schemas.begin(), snap.schemas.end(), by_key([](const SchemaInfo& x) { return x.name; }));
  std::sort(snap.extensions.begin(), snap.extensions.end(), by_key([](const ExtensionInfo& x) { return x.name; }));
  std::sort(snap.types.begin(), snap.types.end(),
            by_key([](const TypeInfo& x) { return std::tie(x.schema, x.name); }));
  std::sort(snap.sequences.begin(), snap.sequences.end(),
            by_key([](const SequenceInfo& x) { return std::tie(x.schema, x.name); }));
  for (auto& t : snap.tables) {
    std::sort(t.constraints.begin(), t.constraints.end(),
              by_key([](const ConstraintInfo& x) { return x.name; }));
  }
  std::sort(snap.indexes.begin(), snap.indexes.end(),
            by_key([](const IndexInfo& x) { return std::tie(x.schema, x.table, x.name); }));
  std::sort(snap.views.begin(), snap.views.end(),
            by_key([](const ViewInfo& x) { return std::tie(x.schema, x.name); }));
  std::sort(snap.functions.begin(), snap.functions.end(),
            by_key([](const FunctionInfo& x) { return std::tie(x.schema, x.name, x.arguments); }));
  std::sort(snap.triggers.begin(), snap.triggers.end(),
            by_key([](const TriggerInfo& x) { return std::tie(x.schema, x.table, x.name); }));
  return snap;
}

namespace {
// Adds "owner" and "grants" to an object's JSON when they were read.
nlohmann::json WithAccess(nlohmann::json obj, const Access& a, bool grants_read) {
  if (a.owner) obj["owner"] = *a.owner;
  if (grants_read) obj["grants"] = a.grants;
  return obj;
}
std::string AccessText(const Access& a, bool grants_read) {
  std::string out;
  if (a.owner) out += " owner " + *a.owner;
  if (grants_read) {
    out += " grants [";
    for (size_t i = 0; i < a.grants.size(); ++i) out += (i ? ", " : "") + a.grants[i];
    out += "]";
  }
  return out;
}
}  // namespace

nlohmann::json ToJson(const CatalogSnapshot& s) {
  using nlohmann::json;
  const bool g = s.grants_read;
  json out = json::object();
  out["schemas"] = json::array();
  for (const auto& x : s.schemas) out["schemas"].push_back(WithAccess(json({{"name", x.name}, {"comment", Opt(x.comment)}}), x.access, g));
  out["extensions"] = json::array();
  for (const auto& x : s.extensions) {
    out["extensions"].push_back({{"name", x.name}, {"schema", x.schema}, {"version", x.version}});
  }
  out["types"] = json::array();
  for (const auto& x : s.types) {
    out["types"].push_back(WithAccess(json({{"schema", x.schema}, {"name", x.name}, {"kind", x.kind}, {"definition", x.definition},
                            {"comment", Opt(x.comment)}}), x.access, g));
  }
  out["sequences"] = json::array();
  for (const auto& x : s.sequences) {
    out["sequences"].push_back(WithAccess(json({{"schema", x.schema}, {"name", x.name}, {"type", x.type}, {"start", x.start},
                                {"increment", x.increment}, {"min", x.min}, {"max", x.max}, {"cache", x.cache},
                                {"cycle", x.cycle}, {"owned_by", Opt(x.owned_by)}, {"comment", Opt(x.comment)}}), x.access, g));
  }
  out["tables"] = json::array();
  for (const auto& t : s.tables) {
    json cols = json::array();
    for (const auto& c : t.columns) {
      cols.push_back({{"name", c.name}, {"type", c.type}, {"nullable", c.nullable}, {"default", Opt(c.default_expr)},
                      {"identity", c.identity.empty() ? json(nullptr) : json(c.identity)},
                      {"generated", Opt(c.generated)}, {"comment", Opt(c.comment)}});
    }
    json cons = json::array();
    for (const auto& c : t.constraints) {
      cons.push_back({{"name", c.name}, {"type", c.type}, {"definition", c.definition}, {"comment", Opt(c.comment)}});
    }
    out["tables"].push_back(WithAccess(json({{"schema", t.schema}, {"name", t.name}, {"partitioned", t.partitioned},
                             {"columns", cols}, {"constraints", cons}, {"comment", Opt(t.comment)}}), t.access, g));
  }
  out["indexes"] = json::array();
  for (const auto& x : s.indexes) {
    out["indexes"].push_back({{"schema", x.schema}, {"table", x.table}, {"name", x.name},
                              {"definition", x.definition}, {"constraint", Opt(x.constraint)},
                              {"comment", Opt(x.comment)}});
  }
  out["views"] = json::array();
  for (const auto& x : s.views) {
    out["views"].push_back(WithAccess(json({{"schema", x.schema}, {"name", x.name}, {"materialized", x.materialized},
                            {"definition", x.definition}, {"comment", Opt(x.comment)}}), x.access, g));
  }
  out["functions"] = json::array();
  for (const auto& x : s.functions) {
    out["functions"].push_back(WithAccess(json({{"schema", x.schema}, {"name", x.name}, {"arguments", x.arguments},
                                {"kind", x.kind}, {"definition", Opt(x.definition)}, {"comment", Opt(x.comment)}}), x.access, g));
  }
  out["triggers"] = json::array();
  for (const auto& x : s.triggers) {
    out["triggers"].push_back({{"schema", x.schema}, {"table", x.table}, {"name", x.name},
                               {"definition", x.definition}, {"enabled", x.enabled}});
  }
  return out;
}

namespace {
void Comment(std::string& out, const std::optional<std::string>& c, std::string_view indent) {
  if (c) out += fmt::format("{}-- {}\n", indent, *c);
}
std::string Indent(std::string_view text, std::string_view indent) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out += fmt::format("{}{}\n", indent, text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}
}  // namespace

std::string ToText(const CatalogSnapshot& s) {
  std::string out;
  for (const auto& x : s.schemas) {
    out += fmt::format("schema {}{}\n", x.name, AccessText(x.access, s.grants_read));
    Comment(out, x.comment, "  ");
  }
  for (const auto& x : s.extensions) out += fmt::format("extension {} {} (schema {})\n", x.name, x.version, x.schema);
  for (const auto& x : s.types) {
    out += fmt::format("type {}.{} {}: {}{}\n", x.schema, x.name, x.kind, x.definition, AccessText(x.access, s.grants_read));
    Comment(out, x.comment, "  ");
  }
  for (const auto& x : s.sequences) {
    out += fmt::format("sequence {}.{} {} start {} increment {} min {} max {} cache {}{}{}\n", x.schema, x.name,
                       x.type, x.start, x.increment, x.min, x.max, x.cache, x.cycle ? " cycle" : "",
                       (x.owned_by ? " owned by " + *x.owned_by : "") + AccessText(x.access, s.grants_read));
    Comment(out, x.comment, "  ");
  }
  for (const auto& t : s.tables) {
    out += fmt::format("{}table {}.{}{}\n", t.partitioned ? "partitioned " : "", t.schema, t.name,
                       AccessText(t.access, s.grants_read));
    Comment(out, t.comment, "  ");
    for (const auto& c : t.columns) {
      std::string line = fmt::format("  {} {}", c.name, c.type);
      if (!c.nullable) line += " NOT NULL";
      if (c.default_expr) line += " DEFAULT " + *c.default_expr;
      if (!c.identity.empty()) line += " GENERATED " + std::string(c.identity == "always" ? "ALWAYS" : "BY DEFAULT") +
                                       " AS IDENTITY";
      if (c.generated) line += " GENERATED ALWAYS AS (" + *c.generated + ") STORED";
      if (c.comment) line += "  -- " + *c.comment;
      out += line + "\n";
    }
    for (const auto& c : t.constraints) {
      out += fmt::format("  constraint {} {}{}\n", c.name, c.definition, c.comment ? "  -- " + *c.comment : "");
    }
  }
  for (const auto& x : s.indexes) {
    out += fmt::format("index {}.{} on {}{}: {}\n", x.schema, x.name, x.table,
                       x.constraint ? " (constraint " + *x.constraint + ")" : "", x.definition);
    Comment(out, x.comment, "  ");
  }
  for (const auto& x : s.views) {
    out += fmt::format("{}view {}.{}{}\n", x.materialized ? "materialized " : "", x.schema, x.name,
                       AccessText(x.access, s.grants_read));
    Comment(out, x.comment, "  ");
    out += Indent(x.definition, "  ");
  }
  for (const auto& x : s.functions) {
    out += fmt::format("{} {}.{}({}){}\n", x.kind, x.schema, x.name, x.arguments, AccessText(x.access, s.grants_read));
    Comment(out, x.comment, "  ");
    if (x.definition) out += Indent(*x.definition, "  ");
  }
  for (const auto& x : s.triggers) {
    out += fmt::format("trigger {} on {}.{}{}: {}\n", x.name, x.schema, x.table, x.enabled ? "" : " (disabled)",
                       x.definition);
  }
  return out;
}

}  // namespace strata
