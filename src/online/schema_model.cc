#include "online/schema_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "online/session_settings.h"
#include "online/sql_text.h"

namespace strata::online {

ModelColumn* ModelTable::Find(std::string_view column) {
  for (auto& c : columns)
    if (c.name == column) return &c;
  return nullptr;
}
const ModelColumn* ModelTable::Find(std::string_view column) const {
  return const_cast<ModelTable*>(this)->Find(column);
}
ModelTable* SchemaModel::Find(std::string_view table) {
  for (auto& t : tables)
    if (t.name == table) return &t;
  return nullptr;
}
const ModelTable* SchemaModel::Find(std::string_view table) const {
  return const_cast<SchemaModel*>(this)->Find(table);
}
const ModelTable* SchemaModel::FindPhysical(std::string_view physical) const {
  for (const auto& t : tables)
    if (t.physical == physical) return &t;
  return nullptr;
}

std::map<std::string, std::string> NamesIn(const ModelTable& from, const ModelTable& to) {
  std::map<std::string, std::string> names;
  for (const auto& c : from.columns)
    for (const auto& x : to.columns)
      if (x.physical == c.physical && x.name != c.name) names[c.name] = x.name;
  return names;
}

nlohmann::json SchemaModel::ToJson() const {
  nlohmann::json tj = nlohmann::json::array();
  for (const auto& t : tables) {
    nlohmann::json cols = nlohmann::json::array();
    for (const auto& c : t.columns) {
      nlohmann::json cj = {{"name", c.name}, {"physical", c.physical}, {"type", c.type}, {"not_null", c.not_null}};
      if (c.default_expr) cj["default"] = *c.default_expr;
      if (c.view_default) cj["view_default"] = *c.view_default;
      cols.push_back(cj);
    }
    tj.push_back({{"name", t.name},
                  {"physical", t.physical},
                  {"columns", cols},
                  {"primary_key", t.primary_key},
                  {"constraints", t.constraints},
                  {"created", t.created},
                  {"partitioned", t.partitioned}});
  }
  nlohmann::json ij = nlohmann::json::object();
  for (const auto& [name, ix] : index_defs)
    ij[name] = {{"table", ix.table}, {"definition", ix.definition}, {"columns", ix.columns},
                {"constraint", ix.constraint}, {"unique", ix.unique}};
  nlohmann::json kj = nlohmann::json::array();
  for (const auto& k : constraint_defs)
    kj.push_back({{"table", k.table}, {"name", k.name}, {"type", k.type}, {"definition", k.definition},
                  {"columns", k.columns}, {"validated", k.validated}});
  return {{"tables", tj}, {"indexes", indexes}, {"index_defs", ij}, {"constraint_defs", kj}};
}

SchemaModel SchemaModel::FromJson(const nlohmann::json& j) {
  SchemaModel m;
  for (const auto& tj : j.at("tables")) {
    ModelTable t;
    t.name = tj.at("name");
    t.physical = tj.at("physical");
    t.primary_key = tj.at("primary_key").get<std::vector<std::string>>();
    t.constraints = tj.at("constraints").get<std::vector<std::string>>();
    t.created = tj.value("created", false);
    t.partitioned = tj.value("partitioned", false);
    for (const auto& cj : tj.at("columns")) {
      ModelColumn c;
      c.name = cj.at("name");
      c.physical = cj.at("physical");
      c.type = cj.at("type");
      c.not_null = cj.at("not_null");
      if (cj.contains("default")) c.default_expr = cj["default"].get<std::string>();
      if (cj.contains("view_default")) c.view_default = cj["view_default"].get<std::string>();
      t.columns.push_back(std::move(c));
    }
    m.tables.push_back(std::move(t));
  }
  m.indexes = j.at("indexes").get<std::map<std::string, std::string>>();
  if (j.contains("index_defs"))
    for (const auto& [name, ix] : j["index_defs"].items())
      m.index_defs[name] = ModelIndex{ix.at("table"), ix.at("definition"), ix.at("columns").get<std::vector<std::string>>(),
                                      ix.at("constraint"), ix.at("unique")};
  if (j.contains("constraint_defs"))
    for (const auto& kj : j["constraint_defs"])
      m.constraint_defs.push_back(ModelConstraint{kj.at("table"), kj.at("name"), kj.at("type"), kj.at("definition"),
                                                  kj.at("columns").get<std::vector<std::string>>(),
                                                  kj.value("validated", true)});
  return m;
}

Result<SchemaModel> ReadSchemaModel(Engine& engine, const std::string& schema) {
  std::vector<Param> p = {schema};
  ASSIGN_OR_RETURN(Rows cols, engine.Query(R"(
    SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull::text,
           pg_get_expr(d.adbin, d.adrelid), c.relkind::text
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
     ORDER BY c.relname, a.attnum)", p));
  SchemaModel m;
  for (const auto& r : cols.rows) {
    if (m.tables.empty() || m.tables.back().name != *r[0]) {
      m.tables.push_back(ModelTable{*r[0], *r[0]});
      m.tables.back().partitioned = *r[5] == "p";
    }
    if (IsTempColumn(*r[1])) continue;
    m.tables.back().columns.push_back(ModelColumn{*r[1], *r[1], *r[2], *r[3] == "true", r[4], std::nullopt});
  }
  ASSIGN_OR_RETURN(Rows cons, engine.Query(R"(
    SELECT c.relname, k.conname, k.contype::text,
           (SELECT array_to_string(array_agg(a.attname ORDER BY x.ord), ',')
              FROM unnest(k.conkey) WITH ORDINALITY x(num, ord)
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.num)
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 ORDER BY 1, 2)", p));
  for (const auto& r : cons.rows) {
    ModelTable* t = m.Find(*r[0]);
    if (!t) continue;
    t->constraints.push_back(*r[1]);
    if (*r[2] == "p" && r[3]) {
      std::string s = *r[3];
      size_t start = 0;
      while (true) {
        size_t comma = s.find(',', start);
        t->primary_key.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
  }
  ASSIGN_OR_RETURN(Rows idx, engine.Query(R"(
    SELECT i.relname, t.relname, pg_get_indexdef(i.oid), x.indisunique::text,
           coalesce((SELECT conname FROM pg_constraint k WHERE k.conindid = i.oid AND k.contype = 'u'), ''),
           (SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_attribute a
             WHERE a.attrelid = t.oid AND (a.attnum = ANY (x.indkey::int2[]) OR a.attnum IN (
                     -- columns named in the index's expressions or predicate
                     SELECT d.refobjsubid FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = i.oid
                        AND d.refclassid = 'pg_class'::regclass AND d.refobjid = t.oid AND d.refobjsubid > 0)))
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = i.relnamespace
     WHERE n.nspname = $1 AND x.indisvalid)", p));
  for (const auto& r : idx.rows) {
    m.indexes[*r[0]] = *r[1];
    ModelIndex ix{*r[1], *r[2], {}, *r[4], *r[3] == "true"};
    if (r[5]) {
      size_t start = 0;
      while (true) {
        size_t comma = r[5]->find(',', start);
        ix.columns.push_back(r[5]->substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    m.index_defs[*r[0]] = std::move(ix);
  }
  // Check and foreign-key definitions, to be replayed on a copied column: read with only
  // pg_catalog on the search_path so that every table, function and type they name comes out
  // schema-qualified (the stored text must mean the same to any later session).
  {
    SessionSettings settings(engine);
    TRY_VOID(settings.Set("search_path", "pg_catalog"));
    ASSIGN_OR_RETURN(Rows defs, engine.Query(R"(
      SELECT c.relname, k.conname, k.contype::text, pg_get_constraintdef(k.oid), k.convalidated::text,
             to_json(ARRAY(SELECT a.attname FROM unnest(k.conkey) x(num)
                             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.num ORDER BY a.attnum))::text
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND k.contype IN ('c', 'f') AND k.conislocal AND c.relkind IN ('r', 'p')
       ORDER BY 1, 2)", p));
    for (const auto& r : defs.rows) {
      if (!m.Find(*r[0]) || !r[3]) continue;
      ModelConstraint k{*r[0], *r[1], *r[2], *r[3], {}, *r[4] == "true"};
      if (r[5]) k.columns = nlohmann::json::parse(*r[5]).get<std::vector<std::string>>();
      m.constraint_defs.push_back(std::move(k));
    }
  }
  // Views strata made (version schemas) go with their migration; the users' own stay and
  // would stop complete from dropping what they read.
  std::set<std::string> version_schemas;
  ASSIGN_OR_RETURN(Rows has_state, engine.Query("SELECT (to_regclass('strata_online.migrations') IS NOT NULL)::text"));
  if (!has_state.rows.empty() && has_state.rows[0][0] == "true") {
    ASSIGN_OR_RETURN(Rows vs, engine.Query("SELECT version_schema FROM strata_online.migrations"));
    for (const auto& r : vs.rows)
      if (r[0]) version_schemas.insert(*r[0]);
  }
  ASSIGN_OR_RETURN(Rows deps, engine.Query(R"(
    SELECT DISTINCT c.relname, coalesce(a.attname, ''), vn.nspname, v.relname
      FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid JOIN pg_class v ON v.oid = w.ev_class
      JOIN pg_namespace vn ON vn.oid = v.relnamespace
      JOIN pg_class c ON c.oid = d.refobjid JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0
     WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
       AND n.nspname = $1 AND v.oid <> c.oid ORDER BY 1, 2, 3, 4)", p));
  for (const auto& r : deps.rows) {
    ModelTable* t = m.Find(*r[0]);
    if (!t || version_schemas.contains(*r[2])) continue;
    auto& list = t->dependents[*r[1]];
    std::string view = "view " + Ident(*r[2]) + "." + Ident(*r[3]);
    if (std::find(list.begin(), list.end(), view) == list.end()) list.push_back(view);
  }
  ASSIGN_OR_RETURN(Rows fks, engine.Query(R"(
    SELECT c.relname, a.attname, k.conname, fn.nspname, f.relname, (k.conrelid = k.confrelid)::text
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_class f ON f.oid = k.conrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace
      CROSS JOIN LATERAL unnest(k.confkey) x(num)
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.num
     WHERE k.contype = 'f' AND n.nspname = $1 ORDER BY 1, 2, 3)", p));
  for (const auto& r : fks.rows) {
    ModelTable* t = m.Find(*r[0]);
    if (!t) continue;
    std::string fk = fmt::format("foreign key {} of {}.{}", *r[2], Ident(*r[3]), Ident(*r[4]));
    if (*r[5] == "true") {
      t->own_references[*r[1]].push_back(fk);
      continue;
    }
    t->dependents[*r[1]].push_back(fk);
    t->dependents[""].push_back(fk);
  }
  return m;
}

}  // namespace strata::online
