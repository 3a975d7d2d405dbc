#include "branch/touched_objects.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>

#include "lint/ast_util.h"
#include "lint/statement_facts.h"
#include "sql/pg_parse.h"

namespace strata::branch {
namespace {

std::string Normalise(std::string name) {
  if (name.starts_with("public.")) name.erase(0, 7);
  return name;
}

class Collector {
 public:
  void Add(std::string name, bool changes) {
    if (name.empty()) return;
    bool& c = objects_[Normalise(std::move(name))];
    c = c || changes;
  }
  void AddRelation(const pg::Node* rv, bool changes) {
    if (rv != nullptr) Add(lint::RelationName(rv), changes);
  }
  void AddKind(std::string_view kind, const pg::Node& node, std::string_view field, bool changes) {
    std::string n = lint::JoinNames(node, field);
    if (!n.empty()) Add(fmt::format("{} {}", kind, Normalise(n)), changes);
  }
  std::vector<TouchedObject> Take() const {
    std::vector<TouchedObject> out;
    for (const auto& [name, changes] : objects_) out.push_back({name, changes});
    return out;
  }

 private:
  std::map<std::string, bool> objects_;
};

// "a.b" of a List of String nodes (DROP TYPE / FUNCTION objects).
std::string ListName(const pg::Node& list) {
  std::string out;
  for (const pg::Node* part : list.List("items")) {
    if (!part->Is("String")) continue;
    if (!out.empty()) out += '.';
    out += part->Str("sval");
  }
  return out;
}

void Statement(const pg::Node& stmt, Collector& c) {
  lint::StatementFacts facts = lint::ComputeFacts(stmt, 15);
  for (const lint::TableLock& l : facts.locks) c.Add(l.table, l.role != "referenced");
  std::string_view t = stmt.type();
  if (t == "CreateStmt") {
    c.AddRelation(stmt.Child("relation"), true);
  } else if (t == "IndexStmt") {
    std::string idx(stmt.Str("idxname"));
    if (!idx.empty()) {
      std::string_view schema = stmt.Child("relation") ? stmt.Child("relation")->Str("schemaname") : "";
      c.Add(schema.empty() ? idx : fmt::format("{}.{}", schema, idx), true);
    }
  } else if (t == "ViewStmt") {
    c.AddRelation(stmt.Child("view"), true);
  } else if (t == "CreateTableAsStmt") {
    if (const pg::Node* into = stmt.Child("into")) c.AddRelation(into->Child("rel"), true);
  } else if (t == "CreateSeqStmt" || t == "AlterSeqStmt") {
    c.AddRelation(stmt.Child("sequence"), true);
  } else if (t == "CreateEnumStmt" || t == "AlterEnumStmt") {
    c.AddKind("type", stmt, "typeName", true);
  } else if (t == "CompositeTypeStmt") {
    if (const pg::Node* tv = stmt.Child("typevar")) c.Add("type " + Normalise(lint::RelationName(tv)), true);
  } else if (t == "CreateDomainStmt") {
    c.AddKind("type", stmt, "domainname", true);
  } else if (t == "AlterDomainStmt") {
    c.AddKind("type", stmt, "typeName", true);
  } else if (t == "CreateFunctionStmt") {
    c.AddKind(stmt.Bool("is_procedure") ? "procedure" : "function", stmt, "funcname", true);
  } else if (t == "CreateSchemaStmt") {
    c.Add(fmt::format("schema {}", stmt.Str("schemaname")), true);
  } else if (t == "CreateExtensionStmt") {
    c.Add(fmt::format("extension {}", stmt.Str("extname")), true);
  } else if (t == "CreateTrigStmt") {
    c.Add(fmt::format("trigger {} on {}", stmt.Str("trigname"), Normalise(lint::RelationName(stmt.Child("relation")))), true);
  } else if (t == "RenameStmt") {
    c.AddRelation(stmt.Child("relation"), true);
    std::string_view rt = stmt.Str("renameType");
    if (rt == "OBJECT_TABLE" || rt == "OBJECT_VIEW" || rt == "OBJECT_INDEX" || rt == "OBJECT_SEQUENCE" ||
        rt == "OBJECT_MATVIEW") {
      std::string_view schema = stmt.Child("relation") ? stmt.Child("relation")->Str("schemaname") : "";
      std::string_view newname = stmt.Str("newname");
      c.Add(schema.empty() ? std::string(newname) : fmt::format("{}.{}", schema, newname), true);
    }
  } else if (t == "DropStmt") {
    std::string_view rt = stmt.Str("removeType");
    std::string kind = rt == "OBJECT_TYPE" || rt == "OBJECT_DOMAIN" ? "type"
                       : rt == "OBJECT_FUNCTION"                    ? "function"
                       : rt == "OBJECT_PROCEDURE"                   ? "procedure"
                       : rt == "OBJECT_SCHEMA"                      ? "schema"
                       : rt == "OBJECT_EXTENSION"                   ? "extension"
                                                                    : "";
    if (!kind.empty()) {
      for (const pg::Node* obj : stmt.List("objects")) {
        std::string name;
        if (obj->Is("String")) name = std::string(obj->Str("sval"));
        else if (obj->Is("List")) name = ListName(*obj);
        else if (obj->Is("TypeName")) name = lint::JoinNames(*obj, "names");
        else if (obj->Is("ObjectWithArgs")) name = lint::JoinNames(*obj, "objname");
        if (!name.empty()) c.Add(kind + " " + Normalise(name), true);
      }
    }
  }
  // Everything else the statement names (FROM lists, view queries, subqueries) is read.
  stmt.Walk([&](const pg::Node& n) {
    if (n.Is("RangeVar")) c.AddRelation(&n, false);
    return true;
  });
}

}  // namespace

MigrationObjects TouchedObjects(const Migration& m) {
  MigrationObjects out;
  auto parsed = pg::ParseScript(m.up.sql);
  if (!parsed) {
    int line = m.up.line;
    if (parsed.error().offset > 0) {
      line += static_cast<int>(std::count(m.up.sql.begin(), m.up.sql.begin() + std::min<size_t>(parsed.error().offset, m.up.sql.size()), '\n'));
    }
    out.unparsed = fmt::format("{}:{}: {}", m.up.file, line, parsed.error().message);
    return out;
  }
  Collector c;
  for (const pg::ParsedStatement& s : parsed->statements) Statement(*s.root, c);
  out.objects = c.Take();
  return out;
}

}  // namespace strata::branch
