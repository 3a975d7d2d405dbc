#include <nlohmann/json.hpp>

#include "lint/report.h"
#include "lint/rule_registry.h"

namespace strata::lint {

using ojson = nlohmann::ordered_json;

std::string FormatJson(const std::vector<Finding>& findings, const ReportOptions& options) {
  ojson out;
  out["version"] = 1;
  ojson list = ojson::array();
  int counts[3] = {0, 0, 0};
  for (const Finding& f : findings) {
    ++counts[static_cast<int>(f.severity)];
    list.push_back(ojson{{"rule", f.rule},
                         {"severity", SeverityName(f.severity)},
                         {"file", f.file},
                         {"line", f.line},
                         {"column", f.column},
                         {"end_column", f.column + f.length},
                         {"message", f.message},
                         {"help", f.help}});
  }
  out["findings"] = std::move(list);
  out["summary"] = ojson{{"files", options.files},
                         {"statements", options.statements},
                         {"errors", counts[2]},
                         {"warnings", counts[1]},
                         {"infos", counts[0]}};
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string ListRulesJson() {
  ojson list = ojson::array();
  for (const RuleInfo* r : AllRuleInfos()) {
    ojson squawk = ojson::array(), sm = ojson::array();
    for (auto s : r->squawk) squawk.push_back(s);
    for (auto s : r->strong_migrations) sm.push_back(s);
    list.push_back(ojson{{"id", r->id},
                         {"severity", SeverityName(r->severity)},
                         {"summary", r->summary},
                         {"squawk", std::move(squawk)},
                         {"strong_migrations", std::move(sm)}});
  }
  return list.dump(2) + "\n";
}

std::string FormatSarif(const std::vector<Finding>& findings, const ReportOptions& options) {
  auto level = [](Severity s) {
    return s == Severity::kError ? "error" : s == Severity::kWarning ? "warning" : "note";
  };
  ojson rules = ojson::array();
  std::vector<std::string_view> ids;
  for (const RuleInfo* r : AllRuleInfos()) {
    ids.push_back(r->id);
    rules.push_back(ojson{
        {"id", r->id},
        {"name", r->id},
        {"shortDescription", {{"text", r->summary}}},
        {"fullDescription", {{"text", r->explain}}},
        {"helpUri", "https://github.com/strata-db/strata/blob/main/docs/rules/" +
                        std::string(r->id) + ".md"},
        {"defaultConfiguration", {{"level", level(r->severity)}}},
    });
  }
  ojson results = ojson::array();
  for (const Finding& f : findings) {
    int index = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] == f.rule) index = static_cast<int>(i);
    }
    results.push_back(ojson{
        {"ruleId", f.rule},
        {"ruleIndex", index},
        {"level", level(f.severity)},
        {"message", {{"text", f.message + " Help: " + f.help}}},
        {"locations",
         ojson::array({ojson{{"physicalLocation",
                              {{"artifactLocation", {{"uri", f.file}}},
                               {"region",
                                {{"startLine", f.line},
                                 {"startColumn", f.column},
                                 {"endColumn", f.column + f.length}}}}}}})},
    });
  }
  ojson out{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", ojson::array({ojson{
                   {"tool",
                    {{"driver",
                      {{"name", "strata"},
                       {"informationUri", "https://github.com/strata-db/strata"},
                       {"version", options.tool_version},
                       {"rules", std::move(rules)}}}}},
                   {"columnKind", "unicodeCodePoints"},
                   {"results", std::move(results)},
               }})},
  };
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace strata::lint
