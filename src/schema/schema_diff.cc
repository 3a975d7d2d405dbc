#include "schema/schema_diff.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

namespace strata {
namespace {

using nlohmann::json;

std::string Str(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

// Attributes that name the object (compared through the key) or that are compared on their own.
bool IsKeyOrNested(const std::string& key) {
  return key == "schema" || key == "name" || key == "table" || key == "arguments" || key == "columns" ||
         key == "constraints";
}

// The attributes of `a` and `b` that differ (owner and grants only when both sides have them).
std::vector<AttributeChange> Attributes(const json& a, const json& b) {
  std::set<std::string> keys;
  for (const auto& [k, v] : a.items()) keys.insert(k);
  for (const auto& [k, v] : b.items()) keys.insert(k);
  std::vector<AttributeChange> out;
  for (const auto& k : keys) {
    if (IsKeyOrNested(k)) continue;
    const bool in_a = a.contains(k), in_b = b.contains(k);
    if ((k == "owner" || k == "grants") && !(in_a && in_b)) continue;
    json va = in_a ? a.at(k) : json(nullptr), vb = in_b ? b.at(k) : json(nullptr);
    if (va != vb) out.push_back({k, va, vb});
  }
  return out;
}

using KeyFn = std::string (*)(const json&);

// Diffs two arrays of objects keyed by `key`, appending to `out`. `nested` is called for pairs
// present on both sides (after their own attribute change, if any, was appended).
template <typename Nested>
void DiffList(const json& a, const json& b, const std::string& kind, KeyFn key, std::vector<ObjectChange>& out,
              Nested nested) {
  std::map<std::string, const json*> in_a, in_b;
  if (a.is_array()) for (const auto& x : a) in_a[key(x)] = &x;
  if (b.is_array()) for (const auto& x : b) in_b[key(x)] = &x;
  std::set<std::string> names;
  for (const auto& [k, v] : in_a) names.insert(k);
  for (const auto& [k, v] : in_b) names.insert(k);
  for (const auto& name : names) {
    auto ia = in_a.find(name), ib = in_b.find(name);
    if (ib == in_b.end()) {
      out.push_back({kind, name, "removed", {}});
    } else if (ia == in_a.end()) {
      out.push_back({kind, name, "added", {}});
    } else {
      std::vector<AttributeChange> attrs = Attributes(*ia->second, *ib->second);
      const size_t pos = out.size();
      nested(name, *ia->second, *ib->second, attrs);
      if (!attrs.empty()) out.insert(out.begin() + static_cast<long>(pos), ObjectChange{kind, name, "changed", attrs});
    }
  }
}

void NoNested(const std::string&, const json&, const json&, std::vector<AttributeChange>&) {}

std::string KeyName(const json& x) { return Str(x, "name"); }
std::string KeySchemaName(const json& x) { return Str(x, "schema") + "." + Str(x, "name"); }
std::string KeyFunction(const json& x) { return Str(x, "schema") + "." + Str(x, "name") + "(" + Str(x, "arguments") + ")"; }
std::string KeyTrigger(const json& x) { return Str(x, "schema") + "." + Str(x, "table") + "." + Str(x, "name"); }

const json& Member(const json& obj, const char* key) {
  static const json kEmpty = json::array();
  auto it = obj.find(key);
  return it == obj.end() ? kEmpty : *it;
}

std::string Render(const json& v) {
  if (v.is_null()) return "(none)";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

int SchemaDiff::Count(std::string_view change) const {
  return static_cast<int>(std::count_if(changes.begin(), changes.end(),
                                        [&](const ObjectChange& c) { return c.change == change; }));
}

SchemaDiff DiffSnapshots(const json& a, const json& b, const DiffOptions& options) {
  SchemaDiff diff;
  auto& out = diff.changes;
  DiffList(Member(a, "schemas"), Member(b, "schemas"), "schema", KeyName, out, NoNested);
  DiffList(Member(a, "extensions"), Member(b, "extensions"), "extension", KeyName, out, NoNested);
  DiffList(Member(a, "types"), Member(b, "types"), "type", KeySchemaName, out, NoNested);
  DiffList(Member(a, "sequences"), Member(b, "sequences"), "sequence", KeySchemaName, out, NoNested);
  DiffList(Member(a, "tables"), Member(b, "tables"), "table", KeySchemaName, out,
           [&](const std::string& table, const json& ta, const json& tb, std::vector<AttributeChange>& attrs) {
             const json& ca = Member(ta, "columns");
             const json& cb = Member(tb, "columns");
             if (!options.ignore_column_order) {
               std::set<std::string> na, nb;
               for (const auto& c : ca) na.insert(Str(c, "name"));
               for (const auto& c : cb) nb.insert(Str(c, "name"));
               json order_a = json::array(), order_b = json::array();
               for (const auto& c : ca) if (nb.count(Str(c, "name"))) order_a.push_back(Str(c, "name"));
               for (const auto& c : cb) if (na.count(Str(c, "name"))) order_b.push_back(Str(c, "name"));
               if (order_a != order_b) attrs.push_back({"column order", order_a, order_b});
             }
             std::vector<ObjectChange> inner;
             DiffList(ca, cb, "column", KeyName, inner, NoNested);
             DiffList(Member(ta, "constraints"), Member(tb, "constraints"), "constraint", KeyName, inner, NoNested);
             for (auto& c : inner) {
               c.name = table + "." + c.name;
               out.push_back(std::move(c));
             }
           });
  DiffList(Member(a, "indexes"), Member(b, "indexes"), "index", KeySchemaName, out, NoNested);
  DiffList(Member(a, "views"), Member(b, "views"), "view", KeySchemaName, out, NoNested);
  DiffList(Member(a, "functions"), Member(b, "functions"), "function", KeyFunction, out, NoNested);
  DiffList(Member(a, "triggers"), Member(b, "triggers"), "trigger", KeyTrigger, out, NoNested);
  return diff;
}

Result<json> SnapshotFromDocument(const json& doc, const std::string& service, const std::string& source) {
  if (!doc.is_object()) return MakeError(ErrorKind::kInput, source + ": not a schema snapshot (expected a JSON object)");
  if (doc.contains("tables") || doc.contains("schemas")) return doc;
  auto targets = doc.find("targets");
  if (targets == doc.end() || !targets->is_array() || targets->empty()) {
    return MakeError(ErrorKind::kInput,
                     source + ": not a schema snapshot (expected the output of `strata schema dump --json`)");
  }
  const json* chosen = nullptr;
  for (const auto& t : *targets) {
    if (!t.is_object() || !t.contains("schema")) {
      return MakeError(ErrorKind::kInput, source + ": a target without \"schema\"");
    }
    if (targets->size() == 1 || (!service.empty() && Str(t, "service") == service)) {
      if (chosen) return MakeError(ErrorKind::kInput, source + ": several targets of service " + service + "; keep one");
      chosen = &t;
    }
  }
  if (!chosen) {
    return MakeError(ErrorKind::kInput, fmt::format("{}: holds {} targets; choose one with --service", source,
                                                    targets->size()));
  }
  return chosen->at("schema");
}

json ToJson(const SchemaDiff& diff) {
  json changes = json::array();
  for (const auto& c : diff.changes) {
    json item = {{"kind", c.kind}, {"name", c.name}, {"change", c.change}};
    if (c.change == "changed") {
      json attrs = json::array();
      for (const auto& a : c.attributes) attrs.push_back({{"attribute", a.attribute}, {"a", a.before}, {"b", a.after}});
      item["attributes"] = attrs;
    }
    changes.push_back(std::move(item));
  }
  return {{"equal", diff.empty()},
          {"added", diff.Count("added")},
          {"removed", diff.Count("removed")},
          {"changed", diff.Count("changed")},
          {"changes", changes}};
}

std::string ToText(const SchemaDiff& diff) {
  std::string out;
  for (const auto& c : diff.changes) {
    const char* sign = c.change == "added" ? "+" : c.change == "removed" ? "-" : "~";
    out += fmt::format("{} {} {}", sign, c.kind, c.name);
    for (size_t i = 0; i < c.attributes.size(); ++i) {
      const auto& a = c.attributes[i];
      const std::string before = Render(a.before), after = Render(a.after);
      if (before.find('\n') != std::string::npos || after.find('\n') != std::string::npos || before.size() + after.size() > 100) {
        out += fmt::format("\n    {}:\n      a: {}\n      b: {}", a.attribute, before, after);
      } else {
        out += fmt::format("{} {}: {} → {}", i ? ";" : ":", a.attribute, before, after);
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace strata
