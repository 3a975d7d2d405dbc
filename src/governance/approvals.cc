#include "governance/approvals.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <set>

#include "control/control_db.h"
#include "governance/control_tables.h"
#include "util/hash.h"

namespace strata::governance {
namespace {

std::string Normalised(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  for (char c : sql) {
    if (c != '\r') out += c;
  }
  return out;
}

bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::string Names(const std::vector<Approval>& list, bool with_role) {
  std::vector<std::string> out;
  for (const Approval& a : list) out.push_back(with_role ? a.actor + " as " + a.role : a.actor);
  return fmt::format("{}", fmt::join(out, ", "));
}

}  // namespace

std::string ApprovalChecksum(const Migration& m) {
  std::string material = "strata-approval-v1\n";
  auto section = [&](const char* name, const Section& s) {
    std::string sql = s.present ? Normalised(s.sql) : std::string();
    material += fmt::format("{} {} {}\n{}\n", name, s.present ? "present" : "absent", sql.size(), sql);
  };
  section("up", m.up);
  section("down", m.down);
  section("verify", m.verify);
  material += fmt::format("no-transaction {}\n", m.no_transaction ? 1 : 0);
  material += fmt::format("irreversible {}\n", m.irreversible ? *m.irreversible : std::string("-"));
  return Sha256Hex(material);
}

std::string ApprovalStatus::Describe() const {
  std::string roles_text = roles.empty() ? "anyone" : fmt::format("{}", fmt::join(roles, " or "));
  std::string out = fmt::format("{}/{} ({} risk) in {}: needs {} approval{} from {}, has {}", service, migration_id,
                                plan::RiskName(risk), env, required, required == 1 ? "" : "s", roles_text,
                                counted.size());
  if (!counted.empty()) out += fmt::format(" ({})", Names(counted, true));
  if (!voided.empty()) {
    out += fmt::format("; {} approval{} voided because the migration was edited since ({})", voided.size(),
                       voided.size() == 1 ? "" : "s", Names(voided, true));
  }
  if (!ignored.empty()) out += fmt::format("; not counted: {}", Names(ignored, true));
  if (!satisfied()) {
    out += fmt::format(" — approve with: strata --env {} approve {}/{} --role {}", env, service, migration_id,
                       roles.empty() ? std::string("ROLE") : roles.front());
  }
  if (!policy_file.empty()) out += fmt::format(" [{}:{}]", policy_file, policy_line);
  return out;
}

std::vector<ApprovalStatus> EvaluateApprovals(const ProjectConfig& project, const std::string& env,
                                              const std::string& service, const Migration& m, plan::Risk risk,
                                              const std::vector<Approval>& recorded) {
  std::vector<ApprovalStatus> out;
  auto pit = project.policies.find(env);
  if (pit == project.policies.end()) return out;
  auto rit = pit->second.approvals.find(std::string(plan::RiskName(risk)));
  if (rit == pit->second.approvals.end()) return out;
  std::string checksum = ApprovalChecksum(m);
  std::vector<Approval> current, voided;
  for (const Approval& a : recorded) {
    if (a.service != service || a.migration_id != m.id || a.env != env) continue;
    (a.checksum == checksum ? current : voided).push_back(a);
  }
  std::set<std::string> used;  // people already counted for an earlier rule of this migration
  for (const ApprovalRule& rule : rit->second) {
    ApprovalStatus st;
    st.service = service;
    st.migration_id = m.id;
    st.env = env;
    st.risk = risk;
    st.checksum = checksum;
    st.required = rule.approvals;
    st.roles = rule.roles;
    st.voided = voided;
    st.policy_file = pit->second.file;
    st.policy_line = rule.line;
    std::set<std::string> here;
    for (const Approval& a : current) {
      bool role_ok = rule.roles.empty() || Contains(rule.roles, a.role);
      if (!role_ok) continue;  // another rule's business, not worth listing
      bool member = true;
      if (!project.roles.empty()) {
        auto members = project.roles.find(a.role);
        member = members != project.roles.end() && Contains(members->second, a.actor);
      }
      if (!member || used.count(a.actor) || here.count(a.actor)) {
        if (!here.count(a.actor)) st.ignored.push_back(a);
        continue;
      }
      if (static_cast<int>(st.counted.size()) >= rule.approvals) continue;
      st.counted.push_back(a);
      here.insert(a.actor);
    }
    used.insert(here.begin(), here.end());
    out.push_back(std::move(st));
  }
  return out;
}

bool AllSatisfied(const std::vector<ApprovalStatus>& statuses) {
  return std::all_of(statuses.begin(), statuses.end(), [](const ApprovalStatus& s) { return s.satisfied(); });
}

Result<std::vector<ApprovalStatus>> CheckApprovalsIn(ApprovalStore& store, const ProjectConfig& project,
                                                     const std::string& env, const std::string& service,
                                                     const Migration& m, plan::Risk risk) {
  if (EvaluateApprovals(project, env, service, m, risk, {}).empty()) return std::vector<ApprovalStatus>{};
  ASSIGN_OR_RETURN(std::vector<Approval> recorded, store.Load(service, m.id, env));
  return EvaluateApprovals(project, env, service, m, risk, recorded);
}

Result<std::vector<ApprovalStatus>> CheckApprovals(const ProjectConfig& project, const std::string& env,
                                                   const std::string& service, const Migration& m, plan::Risk risk) {
  if (EvaluateApprovals(project, env, service, m, risk, {}).empty()) return std::vector<ApprovalStatus>{};
  if (!project.control.url_template.empty()) {
    ASSIGN_OR_RETURN(std::unique_ptr<ControlDb> db, OpenControlDb(project));
    TRY_VOID(EnsureGovernanceTables(*db));
    ApprovalStore store = ApprovalStore::ForControl(db->engine());
    return CheckApprovalsIn(store, project, env, service, m, risk);
  }
  // No control database: an approval counts when every target of the service holds it.
  ASSIGN_OR_RETURN(std::vector<ResolvedTarget> targets, ResolveTargets(project, env, {service}));
  std::map<std::string, std::pair<Approval, size_t>> seen;  // actor|role|checksum → approval, targets holding it
  for (const ResolvedTarget& t : targets) {
    ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Connect(t.url, "strata approvals"));
    ApprovalStore store = ApprovalStore::ForTarget(*engine);
    ASSIGN_OR_RETURN(std::vector<Approval> list, store.Load(service, m.id, env));
    for (const Approval& a : list) {
      auto [it, fresh] = seen.try_emplace(a.actor + "|" + a.role + "|" + a.checksum, a, 0);
      ++it->second.second;
    }
  }
  std::vector<Approval> everywhere;
  for (const auto& [key, entry] : seen) {
    if (entry.second == targets.size()) everywhere.push_back(entry.first);
  }
  std::sort(everywhere.begin(), everywhere.end(), [](const Approval& a, const Approval& b) { return a.at < b.at; });
  return EvaluateApprovals(project, env, service, m, risk, everywhere);
}

}  // namespace strata::governance
