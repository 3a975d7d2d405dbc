#include "online/operations/create_table.h"

#include <fmt/format.h>

#include "online/sql_text.h"

namespace strata::online {

Result<std::unique_ptr<Operation>> CreateTable::Parse(const YAML::Node& node, const std::string& file) {
  Fields f(node, file, "create_table");
  TRY_VOID(f.Check());
  auto op = std::make_unique<CreateTable>();
  op->file = file;
  op->line = f.line();
  ASSIGN_OR_RETURN(op->name, f.Str("name"));
  ASSIGN_OR_RETURN(auto cols, f.MapList("columns", true));
  for (const auto& c : cols) {
    ASSIGN_OR_RETURN(ColumnSpec spec, ParseColumnSpec(c, file, "create_table.columns[]"));
    op->columns.push_back(std::move(spec));
  }
  TRY_VOID(f.Done());
  return std::unique_ptr<Operation>(std::move(op));
}

Result<void> CreateTable::Apply(SchemaModel& model) const {
  if (model.Find(name)) return Invalid(fmt::format("create_table: table '{}' already exists", name));
  ModelTable t{name, name};
  t.created = true;
  for (const auto& c : columns) {
    if (t.Find(c.name)) return Invalid(fmt::format("create_table: column '{}' given twice", c.name));
    if (c.references && c.references->table != name && !model.Find(c.references->table))
      return Invalid(fmt::format("create_table: referenced table '{}' does not exist", c.references->table));
    t.columns.push_back(ModelColumn{c.name, c.name, c.type, !c.nullable || c.pk, c.default_expr, std::nullopt});
    if (c.pk) t.primary_key.push_back(c.name);
  }
  model.tables.push_back(std::move(t));
  return {};
}

void CreateTable::Start(const OpEnv& env, Plan& plan) const {
  std::vector<std::string> defs;
  std::vector<std::string> pk;
  for (const auto& c : columns) {
    std::string d = Ident(c.name) + " " + c.type;
    if (!c.nullable || c.pk) d += " NOT NULL";
    if (c.default_expr) d += " DEFAULT " + *c.default_expr;
    if (c.unique) d += " UNIQUE";
    if (c.check) d += fmt::format(" CONSTRAINT {} CHECK ({})", Ident(c.check->name), c.check->constraint);
    if (c.references) {
      const ModelTable* rt = env.after->Find(c.references->table);
      d += fmt::format(" CONSTRAINT {} REFERENCES {} ({})", Ident(c.references->name),
                       Qualified(env.schema, rt ? rt->physical : c.references->table), Ident(c.references->column));
      if (!c.references->on_delete.empty()) d += " ON DELETE " + c.references->on_delete;
    }
    if (c.pk) pk.push_back(Ident(c.name));
    defs.push_back(d);
  }
  if (!pk.empty()) defs.push_back(fmt::format("PRIMARY KEY ({})", fmt::join(pk, ", ")));
  plan.steps.push_back({fmt::format("CREATE TABLE IF NOT EXISTS {} ({})", Qualified(env.schema, name),
                                    fmt::join(defs, ", "))});
  for (const auto& c : columns)
    if (c.comment)
      plan.steps.push_back({fmt::format("COMMENT ON COLUMN {}.{} IS {}", Qualified(env.schema, name), Ident(c.name),
                                        Literal(*c.comment))});
}

void CreateTable::Complete(const OpEnv&, Plan&) const {}

void CreateTable::Rollback(const OpEnv& env, Plan& plan) const {
  plan.steps.push_back({fmt::format("DROP TABLE IF EXISTS {}", Qualified(env.schema, name))});
}

std::string CreateTable::Describe() const { return fmt::format("create_table {} ({} columns)", name, columns.size()); }

}  // namespace strata::online
