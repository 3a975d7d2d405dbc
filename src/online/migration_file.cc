#include "online/migration_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <map>

#include "online/operations/add_column.h"
#include "online/operations/alter_column.h"
#include "online/operations/create_constraint.h"
#include "online/operations/create_index.h"
#include "online/operations/create_table.h"
#include "online/operations/drop_column.h"
#include "online/operations/drop_constraint.h"
#include "online/operations/drop_index.h"
#include "online/operations/drop_table.h"
#include "online/operations/rename_column.h"
#include "online/operations/rename_table.h"
#include "online/operations/sql.h"
#include "online/sql_text.h"
#include "online/yaml_fields.h"
#include "util/files.h"
#include "util/hash.h"

namespace strata::online {

namespace {
using Parser = std::function<Result<std::unique_ptr<Operation>>(const YAML::Node&, const std::string&)>;

// The one registration list of operations.
const std::vector<std::pair<std::string, Parser>>& Registry() {
  static const std::vector<std::pair<std::string, Parser>> kOps = {
      {"create_table", CreateTable::Parse},       {"drop_table", DropTable::Parse},
      {"rename_table", RenameTable::Parse},       {"add_column", AddColumn::Parse},
      {"drop_column", DropColumn::Parse},         {"rename_column", RenameColumn::Parse},
      {"alter_column", AlterColumn::Parse},       {"create_index", CreateIndex::Parse},
      {"drop_index", DropIndex::Parse},           {"create_constraint", CreateConstraint::Parse},
      {"drop_constraint", DropConstraint::Parse}, {"sql", RawSql::Parse},
  };
  return kOps;
}

bool ValidName(const std::string& s) {
  if (s.empty() || s.size() > 40) return false;
  for (char c : s)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  return true;
}
}  // namespace

bool OnlineMigration::unsafe() const {
  for (const auto& op : operations)
    if (op->unsafe()) return true;
  return false;
}

const std::vector<std::string>& OperationKinds() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> k;
    for (const auto& [name, p] : Registry()) k.push_back(name);
    return k;
  }();
  return kinds;
}

Result<OnlineMigration> ParseOnlineMigration(std::string_view text, const std::string& file,
                                             const std::string& default_name) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& ex) {
    return MakeErrorAt(ErrorKind::kInput, file, ex.mark.line >= 0 ? ex.mark.line + 1 : 0,
                       fmt::format("not valid YAML/JSON: {}", ex.msg));
  }
  Fields f(doc, file, "migration");
  TRY_VOID(f.Check());
  OnlineMigration m;
  m.file = file;
  m.source = std::string(text);
  m.checksum = Sha256Hex(text);
  ASSIGN_OR_RETURN(auto name, f.OptStr("name"));
  m.name = name.value_or(default_name);
  if (!ValidName(m.name))
    return f.Fail(name ? doc["name"] : doc,
                  fmt::format("migration name '{}' must be 1 to 40 characters of a-z, 0-9 and _ (it names the version "
                              "schema and role)",
                              m.name));
  ASSIGN_OR_RETURN(auto ops, f.MapList("operations", true));
  TRY_VOID(f.Done());
  for (const auto& node : ops) {
    if (node.size() != 1)
      return f.Fail(node, "each operation is a mapping with exactly one key, the operation's kind");
    auto kv = node.begin();
    std::string kind = kv->first.Scalar();
    const Parser* parser = nullptr;
    for (const auto& [k, p] : Registry())
      if (k == kind) parser = &p;
    if (!parser)
      return f.Fail(kv->first, fmt::format("unknown operation '{}' (known: {})", kind, fmt::join(OperationKinds(), ", ")));
    YAML::Node body = kv->second;
    ASSIGN_OR_RETURN(auto op, (*parser)(body, file));
    m.operations.push_back(std::move(op));
  }
  return m;
}

Result<OnlineMigration> LoadOnlineMigration(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::string stem = std::filesystem::path(path).stem().string();
  return ParseOnlineMigration(text, path, stem);
}

namespace {
// Partitioned tables take neither CREATE INDEX CONCURRENTLY nor a NOT VALID foreign key, and
// have no heap pages of their own to walk: an operation that copies or adds a column or an
// index on one is refused before anything runs (not supported; use an `sql` operation).
Result<void> RefusePartitioned(const Operation& op, const SchemaModel& before, const SchemaModel& after) {
  for (const auto& t : after.tables) {
    if (!t.partitioned) continue;
    bool changed = false;
    for (const auto& c : t.columns) changed = changed || IsTempColumn(c.physical);
    for (const auto& [name, table] : after.indexes)
      changed = changed || (table == t.physical && !before.indexes.contains(name));
    if (changed)
      return MakeErrorAt(ErrorKind::kInput, op.file, op.line,
                         fmt::format("{}: table '{}' is partitioned: online operations that add or copy columns or "
                                     "build indexes on partitioned tables are not supported (use an sql operation)",
                                     op.kind(), t.name));
  }
  return {};
}

// complete drops the columns an operation replaces or drops and the tables it drops; a user's
// view or another table's foreign key on one would make that last transaction fail after the
// whole expand: refused here.
Result<void> RefuseDependentViews(const Operation& op, const SchemaModel& before, const SchemaModel& after) {
  for (const auto& t : before.tables) {
    if (t.dependents.empty() && t.own_references.empty()) continue;
    const ModelTable* now = after.FindPhysical(t.physical);
    auto fail = [&](const std::string& what, const std::vector<std::string>& views) {
      return MakeErrorAt(ErrorKind::kInput, op.file, op.line,
                         fmt::format("{}: {} depends on {}, which complete drops: drop or change it first (or "
                                     "use an sql operation)",
                                     op.kind(), fmt::join(views, ", "), what));
    };
    if (!now) {
      if (t.dependents.empty()) continue;  // only its own foreign keys: they go with it
      return fail(fmt::format("table '{}'", t.name), t.dependents.begin()->second);
    }
    for (const auto& c : t.columns) {
      std::vector<std::string> on;
      for (const auto* deps : {&t.dependents, &t.own_references})
        if (auto v = deps->find(c.physical); v != deps->end()) on.insert(on.end(), v->second.begin(), v->second.end());
      if (on.empty()) continue;
      bool kept = false;
      for (const auto& x : now->columns) kept = kept || x.physical == c.physical;
      if (!kept) return fail(fmt::format("column '{}.{}'", t.name, c.name), on);
    }
  }
  return {};
}
}  // namespace

// Two columns of one table under one physical name: a column copied or added as
// `_strata_new_<name>` while a column copied earlier in the migration (and renamed away from
// <name> since) already lives there — ADD COLUMN IF NOT EXISTS would skip the second.
Result<void> RefuseSharedPhysicalNames(const Operation& op, const SchemaModel& after) {
  for (const auto& t : after.tables) {
    std::map<std::string, const ModelColumn*> seen;
    for (const auto& c : t.columns) {
      auto [it, fresh] = seen.emplace(c.physical, &c);
      if (!fresh)
        return MakeErrorAt(ErrorKind::kInput, op.file, op.line,
                           fmt::format("{}: columns '{}.{}' and '{}.{}' would both live in '{}' while the migration is in "
                                       "flight (a column changed and renamed earlier in it): split the migration in two",
                                       op.kind(), t.name, it->second->name, t.name, c.name, c.physical));
    }
  }
  return {};
}

Result<std::vector<SchemaModel>> ApplyOperations(const OnlineMigration& m, const SchemaModel& base) {
  std::vector<SchemaModel> shapes = {base};
  for (const auto& op : m.operations) {
    SchemaModel next = shapes.back();
    TRY_VOID(op->Apply(next));
    TRY_VOID(RefusePartitioned(*op, shapes.back(), next));
    TRY_VOID(RefuseDependentViews(*op, shapes.back(), next));
    TRY_VOID(RefuseSharedPhysicalNames(*op, next));
    shapes.push_back(std::move(next));
  }
  return shapes;
}

}  // namespace strata::online
