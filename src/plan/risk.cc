#include "plan/risk.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

namespace strata::plan {

std::string_view RiskName(Risk r) {
  switch (r) {
    case Risk::kLow: return "low";
    case Risk::kMedium: return "medium";
    case Risk::kHigh: return "high";
  }
  return "low";
}

std::optional<Risk> ParseRisk(std::string_view text) {
  std::string t(text);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  if (t == "low") return Risk::kLow;
  if (t == "medium") return Risk::kMedium;
  if (t == "high") return Risk::kHigh;
  return std::nullopt;
}

std::string FormatBytes(int64_t bytes) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, kUnits[u]);
}

std::string FormatSeconds(double s) {
  if (s < 1) return fmt::format("{} ms", std::max<long long>(1, std::llround(s * 1000)));
  if (s < 60) return fmt::format("{:.1f} s", s);
  if (s < 3600) return fmt::format("{:.1f} min", s / 60);
  return fmt::format("{:.1f} h", s / 3600);
}

namespace {

std::string Quoted(std::string_view name) { return fmt::format("\"{}\"", name); }

std::string SizeText(const RelationSize& r) {
  std::string s = r.bytes ? FormatBytes(*r.bytes) : "size unknown";
  if (r.rows) s += fmt::format(", ~{} rows", *r.rows);
  return s;
}

}  // namespace

StatementRisk AssessStatement(const lint::StatementFacts& facts, bool parsed,
                              const std::vector<RelationSize>& relations,
                              const std::vector<lint::Finding>& findings, const DurationModel& model) {
  StatementRisk out;
  std::vector<std::pair<Risk, std::string>> reasons;
  auto raise = [&](Risk r, std::string why) {
    out.risk = std::max(out.risk, r);
    reasons.emplace_back(r, std::move(why));
  };
  out.lock = facts.StrongestLock();
  if (const lint::TableLock* t = facts.StrongestTarget(); t != nullptr && out.lock != lint::LockMode::kNone) {
    out.lock_table = t->table;
  }
  out.lock_seconds = model.metadata_seconds;

  // The existing relations whose data the statement reads or writes (indexes are counted in
  // their table's pg_total_relation_size), each once.
  std::set<std::string> seen;
  const RelationSize* biggest = nullptr;
  bool touches_existing = false;
  for (const RelationSize& r : relations) {
    if (!r.exists || r.created_in_plan) continue;
    touches_existing = true;
    if (r.role == "index" || !seen.insert(r.name).second) continue;
    out.work_bytes += r.bytes.value_or(0);
    if (biggest == nullptr || r.bytes.value_or(0) > biggest->bytes.value_or(0)) biggest = &r;
  }
  const bool heavy = facts.rewrite || facts.scan;
  if (!heavy) out.work_bytes = 0;
  const double throughput = facts.rewrite ? model.rewrite_bytes_per_second : model.scan_bytes_per_second;
  if (heavy) out.lock_seconds += static_cast<double>(out.work_bytes) / throughput;

  const std::string lock_name(lint::LockModeName(out.lock));
  const std::string effect(lint::LockEffect(out.lock));
  const std::string what = facts.rewrite ? "rewrites" : "scans";
  if (!parsed) {
    raise(Risk::kMedium, "PostgreSQL cannot parse this statement: its locks and effects are unknown");
  } else if (out.lock == lint::LockMode::kNone || !touches_existing) {
    // Rule 1.
    raise(Risk::kLow, out.lock == lint::LockMode::kNone ? "takes no table lock"
                                                        : "only touches tables that do not exist yet (new tables)");
    out.work_bytes = 0;
    out.lock_seconds = model.metadata_seconds;
  } else if (out.lock < lint::LockMode::kShare) {
    // Rule 2.
    std::string why = fmt::format("{} on {} does not block reads or writes", lock_name, Quoted(out.lock_table));
    if (heavy && biggest != nullptr) {
      why += fmt::format("; {} {} ({}) for ~{}", what, Quoted(biggest->name), SizeText(*biggest),
                         FormatSeconds(out.lock_seconds));
    }
    raise(Risk::kLow, why);
  } else if (heavy) {
    // Rule 3.
    const int64_t size = biggest != nullptr ? biggest->bytes.value_or(0) : 0;
    const std::string table = biggest != nullptr ? biggest->name : out.lock_table;
    std::string why = fmt::format("{} {} ({}) under {}, which {}, for ~{} (at {:.0f} MB/s)", what, Quoted(table),
                                  biggest != nullptr ? SizeText(*biggest) : "size unknown", lock_name, effect,
                                  FormatSeconds(out.lock_seconds), throughput / 1e6);
    if (out.lock_seconds > model.long_lock_seconds) {
      raise(Risk::kHigh, why + fmt::format("; longer than {}", FormatSeconds(model.long_lock_seconds)));
    } else if (size >= model.big_table_bytes) {
      raise(Risk::kHigh, why + fmt::format("; the table is big (≥ {})", FormatBytes(model.big_table_bytes)));
    } else if (size < model.tiny_table_bytes) {
      raise(Risk::kLow, why + fmt::format("; the table is tiny (< {})", FormatBytes(model.tiny_table_bytes)));
    } else if (facts.rewrite && out.lock == lint::LockMode::kAccessExclusive) {
      raise(Risk::kHigh, why + "; the lock time grows with the table");
    } else {
      raise(Risk::kMedium, why);
    }
  } else {
    // Rule 4.
    raise(Risk::kLow, fmt::format("metadata only: a brief {} on {} (taken under lock_timeout with retries)",
                                  lock_name, Quoted(out.lock_table)));
  }
  // Rule 5.
  for (const lint::Finding& f : findings) {
    if (f.severity == lint::Severity::kError) {
      raise(Risk::kMedium, fmt::format("lint error {}: {}", f.rule, f.message));
    }
  }
  std::stable_sort(reasons.begin(), reasons.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (auto& [r, why] : reasons) out.reasons.push_back(std::move(why));
  return out;
}

}  // namespace strata::plan
