#include "online/ddl.h"

#include <fmt/format.h>

#include <algorithm>

#include "online/sql_text.h"

namespace strata::online {

Result<std::optional<CheckSpec>> ParseCheck(Fields& f, const std::string& key) {
  ASSIGN_OR_RETURN(YAML::Node n, f.Map(key));
  if (!n.IsDefined()) return std::optional<CheckSpec>{};
  Fields c(n, f.file(), key);
  CheckSpec s;
  ASSIGN_OR_RETURN(s.name, c.Str("name"));
  ASSIGN_OR_RETURN(s.constraint, c.Str("constraint"));
  TRY_VOID(c.Done());
  return std::optional<CheckSpec>{s};
}

Result<std::optional<ReferencesSpec>> ParseReferences(Fields& f, const std::string& key) {
  ASSIGN_OR_RETURN(YAML::Node n, f.Map(key));
  if (!n.IsDefined()) return std::optional<ReferencesSpec>{};
  Fields r(n, f.file(), key);
  ReferencesSpec s;
  ASSIGN_OR_RETURN(s.name, r.Str("name"));
  ASSIGN_OR_RETURN(s.table, r.Str("table"));
  ASSIGN_OR_RETURN(s.column, r.Str("column"));
  ASSIGN_OR_RETURN(auto od, r.OptStr("on_delete"));
  if (od) {
    std::string u = *od;
    std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return std::toupper(c); });
    static const char* kAllowed[] = {"NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"};
    if (std::find(std::begin(kAllowed), std::end(kAllowed), u) == std::end(kAllowed))
      return r.Fail(n["on_delete"], fmt::format("{}.on_delete: expected NO ACTION, RESTRICT, CASCADE, SET NULL or SET DEFAULT, got '{}'", key, *od));
    s.on_delete = u;
  }
  TRY_VOID(r.Done());
  return std::optional<ReferencesSpec>{s};
}

Result<ColumnSpec> ParseColumnSpec(const YAML::Node& node, const std::string& file, const std::string& what) {
  Fields f(node, file, what);
  TRY_VOID(f.Check());
  ColumnSpec c;
  ASSIGN_OR_RETURN(c.name, f.Str("name"));
  ASSIGN_OR_RETURN(c.type, f.Str("type"));
  ASSIGN_OR_RETURN(auto nullable, f.OptBool("nullable"));
  ASSIGN_OR_RETURN(auto pk, f.OptBool("pk"));
  ASSIGN_OR_RETURN(auto unique, f.OptBool("unique"));
  c.nullable = nullable.value_or(false);
  c.pk = pk.value_or(false);
  c.unique = unique.value_or(false);
  ASSIGN_OR_RETURN(c.default_expr, f.OptStr("default"));
  ASSIGN_OR_RETURN(c.check, ParseCheck(f, "check"));
  ASSIGN_OR_RETURN(c.references, ParseReferences(f, "references"));
  ASSIGN_OR_RETURN(c.comment, f.OptStr("comment"));
  TRY_VOID(f.Done());
  return c;
}

std::string NotNullCheckName(const std::string& table, const std::string& column) {
  return ShortName(fmt::format("_strata_nn_{}_{}", table, column));
}

std::string AddConstraintIfMissing(const std::string& schema, const std::string& table, const std::string& name,
                                   const std::string& body) {
  return fmt::format(
      "DO $strata$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {}::regclass AND conname = {}) "
      "THEN ALTER TABLE {} ADD CONSTRAINT {} {}; END IF; END $strata$",
      Literal(Qualified(schema, table)), Literal(name), Qualified(schema, table), Ident(name), body);
}

std::string ValidateConstraintIfNeeded(const std::string& schema, const std::string& table, const std::string& name) {
  return fmt::format(
      "DO $strata$ BEGIN IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {}::regclass AND conname = {} "
      "AND NOT convalidated) THEN ALTER TABLE {} VALIDATE CONSTRAINT {}; END IF; END $strata$",
      Literal(Qualified(schema, table)), Literal(name), Qualified(schema, table), Ident(name));
}

std::string ForeignKeyBody(const std::string& schema, const std::string& column, const std::string& ref_table,
                           const std::string& ref_column, const std::string& on_delete) {
  std::string s = fmt::format("FOREIGN KEY ({}) REFERENCES {} ({})", Ident(column), Qualified(schema, ref_table),
                              Ident(ref_column));
  if (!on_delete.empty()) s += " ON DELETE " + on_delete;
  return s;
}

}  // namespace strata::online
