#include "testkit/query_plans.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace strata {
namespace {

void Walk(const nlohmann::json& node, PlanSummary& s) {
  if (!node.is_object()) return;
  const std::string type = node.value("Node Type", "");
  if (type == "Seq Scan" && node.contains("Relation Name")) {
    s.seq_scans.insert(node.value("Schema", "") .empty() ? node.value("Relation Name", "")
                                                         : node.value("Schema", "") + "." + node.value("Relation Name", ""));
  }
  if (node.contains("Index Name")) s.indexes.insert(node.value("Index Name", ""));
  if (auto it = node.find("Plans"); it != node.end() && it->is_array()) {
    for (const auto& child : *it) Walk(child, s);
  }
}

}  // namespace

Result<std::vector<RegisteredQuery>> LoadQueries(Engine& engine, const std::string& file) {
  std::vector<RegisteredQuery> out;
  std::error_code ec;
  if (file.empty() || !std::filesystem::is_regular_file(file, ec)) return out;
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  auto stmts = engine.Split(text);
  if (!stmts) {
    Error e = stmts.error();
    e.file = file;
    e.kind = ErrorKind::kInput;
    return std::unexpected(e);
  }
  size_t prev_end = 0;
  for (const auto& st : *stmts) {
    RegisteredQuery q;
    q.sql = st.sql;
    q.name = fmt::format("line {}", st.line);
    // A "-- name: X" comment between the previous statement and the end of this one.
    const size_t end = std::min(text.size(), static_cast<size_t>(st.offset) + st.sql.size());
    std::string window = prev_end < end ? text.substr(prev_end, end - prev_end) : "";
    prev_end = end;
    if (size_t p = window.find("-- name:"); p != std::string::npos) {
      size_t eol = window.find('\n', p);
      std::string name = window.substr(p + 8, eol == std::string::npos ? std::string::npos : eol - p - 8);
      while (!name.empty() && name.front() == ' ') name.erase(name.begin());
      while (!name.empty() && (name.back() == ' ' || name.back() == '\r')) name.pop_back();
      if (!name.empty()) q.name = name;
    }
    out.push_back(std::move(q));
  }
  return out;
}

PlanSummary SummarisePlan(std::string_view explain_json) {
  PlanSummary s;
  auto doc = nlohmann::json::parse(explain_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_array() || doc.empty() || !doc[0].contains("Plan")) {
    s.error = "unreadable EXPLAIN output";
    return s;
  }
  s.ok = true;
  Walk(doc[0]["Plan"], s);
  s.total_cost = doc[0]["Plan"].value("Total Cost", 0.0);
  return s;
}

PlanSummary ExplainQuery(Engine& engine, const RegisteredQuery& query) {
  PlanSummary s;
  if (engine.kind() != EngineKind::kPostgres) {
    s.error = "EXPLAIN is read on PostgreSQL only";
    return s;
  }
  auto rows = engine.Query("EXPLAIN (FORMAT JSON, VERBOSE) " + query.sql);
  if (!rows) {
    s.error = rows.error().message;
    return s;
  }
  if (rows->size() == 0 || !rows->rows[0][0]) {
    s.error = "no plan";
    return s;
  }
  return SummarisePlan(*rows->rows[0][0]);
}

std::vector<PlanChange> ComparePlans(const std::string& query, const PlanSummary& before, const PlanSummary& after) {
  std::vector<PlanChange> out;
  if (!before.ok) return out;
  if (!after.ok) {
    out.push_back({query, "no longer plans", after.error});
    return out;
  }
  for (const auto& t : after.seq_scans) {
    if (!before.seq_scans.count(t)) out.push_back({query, "new seq scan", t});
  }
  for (const auto& i : before.indexes) {
    if (!after.indexes.count(i)) out.push_back({query, "index no longer used", i});
  }
  return out;
}

}  // namespace strata
