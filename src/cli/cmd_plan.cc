// strata plan: what apply would do to each target — locks, sizes, rewrites, lint findings,
// risk and lock time per statement — and whether the environment's policy lets it through.
#include <fmt/format.h>
#include <iostream>
#include <set>

#include "cli/commands.h"
#include "cli/target_session.h"
#include "control/control_db.h"
#include "governance/approvals.h"
#include "governance/control_tables.h"
#include "plan/planner.h"
#include "plan/policy.h"

namespace strata::cli {
namespace {

struct PlanFlags {
  std::string to;
  std::vector<std::string> approve;
};

std::string LockText(lint::LockMode mode) { return std::string(lint::LockModeName(mode)); }

nlohmann::json FindingJson(const lint::Finding& f) {
  return {{"rule", f.rule},   {"severity", lint::SeverityName(f.severity)}, {"file", f.file}, {"line", f.line},
          {"column", f.column}, {"message", f.message}, {"help", f.help}};
}

nlohmann::json OptionalInt(const std::optional<int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

nlohmann::json PlanJson(const plan::Plan& p, const RiskPolicy* policy,
                        const std::vector<plan::PolicyVerdict>& verdicts) {
  const bool pg = p.engine == EngineKind::kPostgres;
  nlohmann::json migrations = nlohmann::json::array();
  for (const plan::PlannedMigration& m : p.migrations) {
    nlohmann::json stmts = nlohmann::json::array();
    for (const plan::PlannedStatement& s : m.statements) {
      nlohmann::json locks = nlohmann::json::array();
      for (const plan::RelationSize& r : s.relations) {
        locks.push_back({{"table", r.name}, {"mode", LockText(r.mode)}, {"role", r.role}, {"exists", r.exists},
                         {"created_in_plan", r.created_in_plan}, {"bytes", OptionalInt(r.bytes)},
                         {"rows", OptionalInt(r.rows)}});
      }
      nlohmann::json findings = nlohmann::json::array();
      for (const auto& f : s.findings) findings.push_back(FindingJson(f));
      stmts.push_back({{"sql", s.text},
                       {"file", s.file},
                       {"line", s.line},
                       {"kind", s.kind},
                       {"locks", pg ? locks : nlohmann::json()},
                       {"rewrite", s.rewrite},
                       {"scan", s.scan},
                       {"transactional", s.transactional},
                       {"risk", plan::RiskName(s.risk.risk)},
                       {"reasons", s.risk.reasons},
                       {"lock_seconds", s.risk.lock_seconds},
                       {"findings", findings}});
    }
    nlohmann::json other = nlohmann::json::array();
    for (const auto& f : m.other_findings) other.push_back(FindingJson(f));
    nlohmann::json lock;
    if (pg && m.lock != lint::LockMode::kNone) {
      lock = {{"mode", LockText(m.lock)}, {"table", m.lock_table}, {"seconds", m.lock_seconds}};
    } else if (!pg) {
      lock = {{"mode", "database write lock"}, {"table", nullptr}, {"seconds", m.lock_seconds}};
    }
    migrations.push_back({{"id", m.id},
                          {"name", m.name},
                          {"file", m.file},
                          {"transactional", !m.no_transaction},
                          {"reversible", m.reversible},
                          {"irreversible_reason", m.reversible ? nlohmann::json() : nlohmann::json(m.irreversible_reason)},
                          {"risk", plan::RiskName(m.risk)},
                          {"reasons", m.reasons},
                          {"lock", lock},
                          {"statements", stmts},
                          {"findings", other}});
  }
  nlohmann::json pol;
  if (policy != nullptr) {
    nlohmann::json refused = nlohmann::json::array(), approved = nlohmann::json::array();
    for (const auto& v : verdicts) (v.approved ? approved : refused).push_back(v.migration_id);
    pol = {{"environment", policy->env}, {"max_risk", policy->max_risk}, {"refused", refused}, {"approved", approved}};
  }
  return {{"service", p.service},
          {"target", p.target},
          {"url", p.url},
          {"engine", pg ? "postgres" : "sqlite"},
          {"server_version", p.server_version},
          {"pg_major", pg ? nlohmann::json(p.pg_major) : nlohmann::json()},
          {"max_risk", plan::RiskName(p.MaxRisk())},
          {"policy", pol},
          {"migrations", migrations}};
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string SizeText(const plan::RelationSize& r) {
  if (r.created_in_plan) return "new in this plan";
  if (!r.exists) return "not in the catalog";
  std::string s = r.bytes ? plan::FormatBytes(*r.bytes) : "size unknown";
  s += r.rows ? fmt::format(", ~{} rows", *r.rows) : ", rows unknown (never analyzed)";
  return s;
}

std::string PlanText(const plan::Plan& p, const RiskPolicy* policy,
                     const std::vector<plan::PolicyVerdict>& verdicts) {
  const bool pg = p.engine == EngineKind::kPostgres;
  std::string out = fmt::format("{} ({}, {}): ", p.target, p.url,
                                pg ? fmt::format("PostgreSQL {}", p.pg_major) : std::string("SQLite"));
  if (p.migrations.empty()) return out + "nothing pending\n";
  out += fmt::format("{} pending, highest risk {}\n", p.migrations.size(), plan::RiskName(p.MaxRisk()));
  for (const plan::PlannedMigration& m : p.migrations) {
    out += fmt::format("\n  {}_{}  [{} risk]  {}, {}\n", m.id, m.name, Upper(plan::RiskName(m.risk)),
                       m.no_transaction ? "no transaction" : "one transaction",
                       m.reversible ? "reversible"
                                    : (m.irreversible_reason.empty() ? "irreversible"
                                                                     : "irreversible: " + m.irreversible_reason));
    if (!pg) {
      out += fmt::format("    lock: the database write lock (n/a per table) for ~{}\n",
                         plan::FormatSeconds(m.lock_seconds));
    } else if (m.lock != lint::LockMode::kNone) {
      out += fmt::format("    strongest lock: {} on \"{}\" held ~{}{}\n", LockText(m.lock), m.lock_table,
                         plan::FormatSeconds(m.lock_seconds), m.no_transaction ? "" : " (until commit)");
    } else {
      out += "    strongest lock: none\n";
    }
    for (const std::string& r : m.reasons) out += fmt::format("    why: {}\n", r);
    for (const plan::PlannedStatement& s : m.statements) {
      out += fmt::format("    {}:{}  {}\n", s.file, s.line, s.text);
      if (!pg) {
        out += "      lock n/a (SQLite)\n";
        continue;
      }
      std::string traits = s.kind.empty() ? "unknown statement" : s.kind;
      if (s.rewrite) traits += ", rewrites";
      if (s.scan) traits += ", scans";
      if (!s.transactional) traits += ", cannot run in a transaction";
      out += fmt::format("      {}; risk {}, lock ~{}\n", traits, plan::RiskName(s.risk.risk),
                         plan::FormatSeconds(s.risk.lock_seconds));
      for (const plan::RelationSize& r : s.relations) {
        out += fmt::format("      {} on \"{}\" ({})\n", LockText(r.mode), r.name, SizeText(r));
      }
      if (s.risk.risk != plan::Risk::kLow || s.relations.empty()) {
        out += fmt::format("      why: {}\n", s.risk.reasons.front());
      }
      for (const lint::Finding& f : s.findings) {
        out += fmt::format("      {} {}: {}\n", lint::SeverityName(f.severity), f.rule, f.message);
      }
    }
    for (const lint::Finding& f : m.other_findings) {
      out += fmt::format("    {} {}: {}\n", lint::SeverityName(f.severity), f.rule, f.message);
    }
  }
  if (policy != nullptr && !policy->max_risk.empty()) {
    out += fmt::format("\n  policy [policy.{}] max_risk = \"{}\": ", policy->env, policy->max_risk);
    if (verdicts.empty()) {
      out += "every migration is within it\n";
    } else {
      std::vector<std::string> parts;
      for (const auto& v : verdicts) {
        parts.push_back(fmt::format("{} {} ({})", v.migration_id, v.approved ? "approved" : "REFUSED",
                                    plan::RiskName(v.risk)));
      }
      out += fmt::format("{}\n", fmt::join(parts, ", "));
    }
  }
  return out;
}

}  // namespace

void AddPlan(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<PlanFlags>();
  CLI::App* cmd = app.add_subcommand(
      "plan", "Show what apply would do: locks, table sizes, rewrites, lint findings, risk and lock time");
  cmd->add_option("--to", f->to, "Plan only up to this migration id (and its ancestors)");
  cmd->add_option("--approve-risk", f->approve,
                  "Approve a migration rated above the environment's [policy] max_risk (repeatable)");
  cmd->footer(
      "Reads the target's catalog (sizes, row estimates); changes nothing. Exit 1 when the environment's\n"
      "[policy.<env>] max_risk refuses a migration that --approve-risk does not approve, or when a\n"
      "migration lacks the approvals its risk level asks for (strata approve).\n"
      "Examples:\n"
      "  strata plan                                  # every service, default environment\n"
      "  strata --env prod --service users plan --to 20250801120000\n"
      "  strata --env prod plan --json | jq '.targets[].migrations[] | {id, risk, reasons}'\n");
  cmd->callback([&ctx, f] {
    nlohmann::json out = {{"targets", nlohmann::json::array()}};
    auto project = ctx.Project();
    if (!project) return void(ctx.Fail(project.error()));
    auto env = ctx.Env();
    if (!env) return void(ctx.Fail(env.error()));
    auto targets = ctx.Targets();
    if (!targets) return void(ctx.Fail(targets.error()));
    auto lint_options = plan::PlanLintOptions(**project);
    if (!lint_options) return void(ctx.Fail(lint_options.error()));
    const RiskPolicy* policy = plan::PolicyFor(**project, *env);
    std::set<std::string> approved(f->approve.begin(), f->approve.end());
    std::vector<std::string> refusals;
    std::unique_ptr<ControlDb> control;  // opened once, when approvals live there
    bool first = true;
    for (const auto& t : *targets) {
      auto session = OpenTarget(ctx, t, "plan");
      if (!session) return void(ctx.Fail(session.error(), out));
      plan::PlanOptions opt;
      if (!f->to.empty()) opt.to = f->to;
      opt.lint = *lint_options;
      auto p = plan::PlanTarget(session->service->graph, *session->migrator, *session->engine, t.service, t.name,
                                opt);
      if (!p) return void(ctx.Fail(p.error(), out));
      std::vector<plan::PolicyVerdict> verdicts;
      if (policy != nullptr) {
        verdicts = plan::CheckPolicy(*p, plan::MaxRiskOf(*policy), approved);
        for (const auto& v : verdicts) {
          if (!v.approved) refusals.push_back(plan::RefusalMessage(*p, v, *policy));
        }
      }
      nlohmann::json tj = PlanJson(*p, policy, verdicts);
      std::string approvals_text;
      if (policy != nullptr && !policy->approvals.empty()) {
        // The approvals each migration's risk level asks for, from where apply would read them.
        if (!control && !(*project)->control.url_template.empty()) {
          auto db = OpenControlDb(**project);
          if (!db) return void(ctx.Fail(db.error(), out));
          control = std::move(*db);
          if (auto r = governance::EnsureGovernanceTables(*control); !r) return void(ctx.Fail(r.error(), out));
        }
        governance::ApprovalStore store = control ? governance::ApprovalStore::ForControl(control->engine())
                                                  : governance::ApprovalStore::ForTarget(*session->engine);
        tj["approvals"] = nlohmann::json::array();
        for (const plan::PlannedMigration& pm : p->migrations) {
          const Migration* m = session->service->graph.Find(pm.id);
          if (m == nullptr) continue;
          auto statuses = governance::CheckApprovalsIn(store, **project, *env, t.service, *m, pm.risk);
          if (!statuses) return void(ctx.Fail(statuses.error(), out));
          for (const governance::ApprovalStatus& st : *statuses) {
            std::vector<std::string> people;
            for (const auto& a : st.counted) people.push_back(a.actor + " as " + a.role);
            tj["approvals"].push_back({{"migration", pm.id},
                                       {"risk", plan::RiskName(pm.risk)},
                                       {"required", st.required},
                                       {"roles", st.roles},
                                       {"approved_by", people},
                                       {"voided", st.voided.size()},
                                       {"missing", st.missing()}});
            approvals_text += fmt::format("    {}: {}\n", st.satisfied() ? "approved" : "MISSING", st.Describe());
            if (!st.satisfied()) refusals.push_back(fmt::format("{}: {}", t.name, st.Describe()));
          }
        }
      }
      out["targets"].push_back(std::move(tj));
      if (!ctx.g.json) {
        std::cout << (first ? "" : "\n") << PlanText(*p, policy, verdicts);
        if (!approvals_text.empty()) std::cout << fmt::format("\n  approvals [policy.{}]:\n{}", *env, approvals_text);
        first = false;
      }
    }
    out["refused"] = refusals.size();
    for (const std::string& r : refusals) std::cerr << "strata: refused: " << r << "\n";
    if (!refusals.empty()) ctx.exit_code = kExitFindings;
    if (ctx.g.json) ctx.PrintJson(out);
  });
}

}  // namespace strata::cli
