#include "testkit/test_report.h"

#include <fmt/format.h>

namespace strata {
namespace {

std::string Xml(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') out += ' ';
        else out += c;
    }
  }
  return out;
}

std::string Seconds(long long ms) { return fmt::format("{:.3f}", static_cast<double>(ms) / 1000.0); }

std::string DiffText(const std::vector<ObjectChange>& diffs) {
  SchemaDiff d;
  d.changes = diffs;
  return ToText(d);
}

}  // namespace

nlohmann::json ToJson(const ServiceTestReport& r) {
  using nlohmann::json;
  json steps = json::array();
  for (const auto& s : r.steps) {
    json j = {{"migration", s.migration}, {"step", s.step}, {"status", s.status}, {"duration_ms", s.duration_ms}};
    if (!s.message.empty()) j["message"] = s.message;
    if (!s.differences.empty()) {
      SchemaDiff d;
      d.changes = s.differences;
      j["differences"] = ToJson(d)["changes"];
    }
    steps.push_back(std::move(j));
  }
  json migrations = json::array();
  for (const auto& m : r.migrations) {
    json locks = json::array();
    for (const auto& l : m.locks) {
      locks.push_back({{"relation", l.relation}, {"mode", l.mode}, {"held_ms", l.held_ms}, {"statement", l.statement}});
    }
    json plans = json::array();
    for (const auto& p : m.plan_changes) plans.push_back({{"query", p.query}, {"change", p.change}, {"object", p.object}});
    json j = {{"id", m.id}, {"migration", m.label}, {"up_ms", m.up_ms}, {"locks_measured", m.locks_measured},
              {"locks", locks}, {"plan_changes", plans}};
    if (!m.locks_note.empty()) j["locks_note"] = m.locks_note;
    migrations.push_back(std::move(j));
  }
  return {{"service", r.service},       {"engine", r.engine},        {"passed", r.Failures() == 0},
          {"failures", r.Failures()},   {"plan_changes", r.PlanChanges()}, {"duration_ms", r.duration_ms},
          {"synthetic_rows", r.synthetic_rows}, {"seed_rows", r.seed_rows}, {"warnings", r.warnings},
          {"steps", steps},             {"migrations", migrations}};
}

std::string ToText(const ServiceTestReport& r) {
  std::string out = fmt::format("service {} ({})\n", r.service, r.engine);
  for (const auto& s : r.steps) {
    if (s.status != "failed") continue;
    out += fmt::format("  FAIL {}{}: {}\n", s.migration.empty() ? "whole chain" : s.migration,
                       " / " + s.step, s.message);
    if (!s.differences.empty()) {
      std::string diff = DiffText(s.differences);
      size_t start = 0;
      while (start < diff.size()) {
        size_t end = diff.find('\n', start);
        if (end == std::string::npos) end = diff.size();
        out += "       " + diff.substr(start, end - start) + "\n";
        start = end + 1;
      }
    }
  }
  for (const auto& m : r.migrations) {
    std::string lock = m.locks_measured ? (m.locks.empty() ? "no table locks"
                                                           : fmt::format("{} on {} for {} ms", m.locks.front().mode,
                                                                         m.locks.front().relation, m.locks.front().held_ms))
                                        : "locks not measured (" + m.locks_note + ")";
    out += fmt::format("  {:<44} up {:>5} ms   {}\n", m.label, m.up_ms, lock);
    for (const auto& p : m.plan_changes) out += fmt::format("      plan: query {}: {} {}\n", p.query, p.change, p.object);
  }
  for (const auto& w : r.warnings) out += "  warning: " + w + "\n";
  int passed = 0, skipped = 0;
  for (const auto& s : r.steps) {
    passed += s.status == "passed";
    skipped += s.status == "skipped";
  }
  out += fmt::format("  {}: {} steps passed, {} failed, {} skipped; {} migrations in {} ms{}\n",
                     r.Failures() ? "FAILED" : "ok", passed, r.Failures(), skipped, r.migrations.size(), r.duration_ms,
                     r.synthetic_rows ? fmt::format("; {} synthetic rows", r.synthetic_rows) : "");
  return out;
}

std::string ToJUnit(const std::vector<ServiceTestReport>& reports) {
  int tests = 0, failures = 0;
  for (const auto& r : reports) {
    tests += static_cast<int>(r.steps.size());
    failures += r.Failures();
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"strata test\" tests=\"{}\" failures=\"{}\">\n", tests, failures);
  for (const auto& r : reports) {
    int skipped = 0;
    for (const auto& s : r.steps) skipped += s.status == "skipped";
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{}\">\n", Xml(r.service),
                       r.steps.size(), r.Failures(), skipped, Seconds(r.duration_ms));
    for (const auto& s : r.steps) {
      out += fmt::format("    <testcase classname=\"{}.{}\" name=\"{}\" time=\"{}\"", Xml(r.service),
                         Xml(s.migration.empty() ? "chain" : s.migration), Xml(s.step), Seconds(s.duration_ms));
      if (s.status == "passed") {
        out += "/>\n";
        continue;
      }
      out += ">\n";
      if (s.status == "skipped") {
        out += fmt::format("      <skipped message=\"{}\"/>\n", Xml(s.message));
      } else {
        out += fmt::format("      <failure message=\"{}\">{}</failure>\n", Xml(s.message), Xml(DiffText(s.differences)));
      }
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace strata
