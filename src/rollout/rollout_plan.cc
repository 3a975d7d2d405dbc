#include "rollout/rollout_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "util/hash.h"
#include "util/text.h"

namespace strata::rollout {
namespace {

// Finds "service/ref" where ref is an id or an id_name label.
const Migration* FindRequired(const MigrationGraph& g, const std::string& ref) {
  if (const Migration* m = g.Find(ref)) return m;
  size_t us = ref.find('_');
  if (us != std::string::npos) {
    const Migration* m = g.Find(ref.substr(0, us));
    if (m && m->Label() == ref) return m;
  }
  return nullptr;
}

}  // namespace

std::string_view OnFailureName(OnFailure f) {
  switch (f) {
    case OnFailure::kHalt: return "halt";
    case OnFailure::kRollbackStage: return "rollback_stage";
    case OnFailure::kRollbackAll: return "rollback_all";
  }
  return "halt";
}

std::vector<const PlanMigration*> RolloutPlan::MigrationsOf(const std::string& service) const {
  std::vector<const PlanMigration*> out;
  for (const auto& m : migrations) {
    if (m.service == service) out.push_back(&m);
  }
  return out;
}

Result<RolloutPlan> BuildRolloutPlan(const PlanInput& in) {
  const ProjectConfig& project = *in.project;
  RolloutPlan plan;
  plan.env = in.env;
  plan.previous_env = project.PromoteAfter(in.env);
  const EnvironmentRollout* er = nullptr;
  if (auto it = project.environment_rollouts.find(in.env); it != project.environment_rollouts.end()) er = &it->second;
  plan.parallelism = in.parallelism > 0 ? in.parallelism : (er && er->parallelism > 0 ? er->parallelism : project.rollout.parallelism);
  if (er) {
    plan.on_failure = er->on_failure;
    plan.gates = er->gates;
  }

  std::map<std::string, const MigrationGraph*> graphs;
  for (const auto& s : in.all_services) graphs[s.config->name] = s.graph;
  std::set<std::string> in_plan;
  for (const auto& s : in.services) in_plan.insert(s.config->name);

  // Migrations, requirements and service edges.
  std::map<std::string, std::set<std::string>> needs;  // service -> services it waits for
  std::map<std::string, std::vector<PlanMigration>> per_service;
  for (const auto& s : in.services) {
    needs[s.config->name];
    for (const Migration& m : s.graph->ordered()) {
      PlanMigration pm;
      pm.service = s.config->name;
      pm.id = m.id;
      pm.name = m.name;
      pm.checksum = m.checksum;
      pm.new_in_env = !in.succeeded_in_env.count(pm.Key());
      for (const auto& req : m.requires_migrations) {
        size_t slash = req.find('/');
        std::string rsvc = req.substr(0, slash);
        std::string rref = req.substr(slash + 1);
        auto git = graphs.find(rsvc);
        if (git == graphs.end()) {
          return MakeErrorAt(ErrorKind::kInput, m.requires_file, m.requires_line,
                             fmt::format("{}/{} requires {}: there is no service '{}' in strata.toml", pm.service,
                                         m.id, req, rsvc));
        }
        const Migration* rm = FindRequired(*git->second, rref);
        if (!rm) {
          return MakeErrorAt(ErrorKind::kInput, m.requires_file, m.requires_line,
                             fmt::format("{}/{} requires {}: service {} has no migration '{}'", pm.service, m.id, req,
                                         rsvc, rref));
        }
        std::string key = rsvc + "/" + rm->id;
        pm.requires_migrations.push_back(key);
        if (!pm.new_in_env || in.succeeded_in_env.count(key) || rsvc == pm.service) continue;
        if (in_plan.count(rsvc)) {
          needs[pm.service].insert(rsvc);
        } else {
          plan.refusals.push_back(PlanRefusal{
              "requires", pm.Key(),
              fmt::format("{} requires {}, which has not succeeded in {} and is not part of this rollout (roll out "
                          "{} in {} first, or include it)",
                          pm.Key(), key, in.env, rsvc, in.env),
              m.requires_file, m.requires_line});
        }
      }
      if (pm.new_in_env && !plan.previous_env.empty() && in.succeeded_in_previous.count(pm.Key())) {
        auto it = in.previous_checksums.find(pm.Key());
        if (it != in.previous_checksums.end() && it->second != pm.checksum) {
          plan.refusals.push_back(PlanRefusal{
              "promotion", pm.Key(),
              fmt::format("{} ({}) was edited after it succeeded in {}: roll the edited version out to {} first",
                          pm.Key(), m.Label(), plan.previous_env, plan.previous_env),
              m.path, 0});
        }
      }
      if (pm.new_in_env && !plan.previous_env.empty() && !in.succeeded_in_previous.count(pm.Key())) {
        plan.refusals.push_back(PlanRefusal{
            "promotion", pm.Key(),
            fmt::format("{} ({}) has not succeeded in {} yet: {} comes after {} (strata rollout run --env {} first)",
                        pm.Key(), m.Label(), plan.previous_env, in.env, plan.previous_env, plan.previous_env),
            m.path, 0});
      }
      per_service[pm.service].push_back(std::move(pm));
    }
  }

  // Waves: longest path over the service edges; a loop is bad input.
  std::map<std::string, int> state;  // 0 new, 1 visiting, 2 done
  std::vector<std::string> stack;
  std::function<Result<int>(const std::string&)> wave_of = [&](const std::string& svc) -> Result<int> {
    if (state[svc] == 2) return plan.service_wave[svc];
    if (state[svc] == 1) {
      auto from = std::find(stack.begin(), stack.end(), svc);
      std::vector<std::string> loop(from, stack.end());
      loop.push_back(svc);
      return MakeErrorAt(ErrorKind::kInput, project.file, 0,
                         fmt::format("cross-service requirements loop: {} (each waits for the next to succeed first)",
                                     Join(loop, " -> ")));
    }
    state[svc] = 1;
    stack.push_back(svc);
    int w = 1;
    for (const auto& dep : needs[svc]) {
      ASSIGN_OR_RETURN(int dw, wave_of(dep));
      w = std::max(w, dw + 1);
    }
    stack.pop_back();
    state[svc] = 2;
    plan.service_wave[svc] = w;
    return w;
  };
  for (const auto& s : in.services) {
    ASSIGN_OR_RETURN(int w, wave_of(s.config->name));
    plan.waves = std::max(plan.waves, w);
  }
  for (int w = 1; w <= plan.waves; ++w) {
    for (const auto& s : in.services) {
      if (plan.service_wave[s.config->name] != w) continue;
      for (auto& pm : per_service[s.config->name]) plan.migrations.push_back(pm);
    }
  }

  // Canary names must exist among the environment's targets.
  if (er) {
    for (const auto& name : er->canary) {
      bool found = false;
      for (const auto& t : in.targets) found |= t.name == name;
      if (!found) {
        return MakeErrorAt(ErrorKind::kInput, er->file, er->line,
                           fmt::format("[environments.{}] canary '{}' is not a target of {}", in.env, name, in.env));
      }
    }
  }

  // Stages per wave.
  for (int w = 1; w <= plan.waves; ++w) {
    std::vector<const ResolvedTarget*> wave_targets;
    for (const auto& t : in.targets) {
      if (in_plan.count(t.service) && plan.service_wave[t.service] == w) wave_targets.push_back(&t);
    }
    std::vector<const ResolvedTarget*> canary, rest;
    std::map<std::string, int> total_of, taken_of;
    for (const auto* t : wave_targets) total_of[t->service]++;
    for (const auto* t : wave_targets) {
      bool is_canary = false;
      if (er) {
        if (!er->canary.empty()) {
          is_canary = std::find(er->canary.begin(), er->canary.end(), t->name) != er->canary.end();
        } else {
          int want = er->canary_count;
          if (er->canary_percent > 0) want = (total_of[t->service] * er->canary_percent + 99) / 100;
          if (taken_of[t->service] < want) {
            is_canary = true;
            taken_of[t->service]++;
          }
        }
      }
      (is_canary ? canary : rest).push_back(t);
    }
    auto add_stage = [&](std::string name, const std::vector<const ResolvedTarget*>& ts) {
      PlanStage st;
      st.wave = w;
      st.name = std::move(name);
      for (const auto* t : ts) {
        st.targets.push_back(static_cast<int>(plan.targets.size()));
        plan.targets.push_back(PlanTarget{t->service, t->name, w, static_cast<int>(plan.stages.size())});
      }
      plan.stages.push_back(std::move(st));
    };
    if (!canary.empty()) add_stage("canary", canary);
    int batch = er && er->batch_size > 0 ? er->batch_size : static_cast<int>(rest.size());
    for (size_t i = 0, n = 1; i < rest.size(); i += batch, ++n) {
      std::vector<const ResolvedTarget*> part(rest.begin() + i, rest.begin() + std::min(rest.size(), i + batch));
      add_stage(fmt::format("batch {}", n), part);
    }
  }

  std::string canon = "strata-rollout-v1\n" + in.env + "\n";
  for (const auto& m : plan.migrations) canon += fmt::format("m {} {} {}\n", m.service, m.id, m.checksum);
  for (const auto& t : plan.targets) canon += fmt::format("t {} {} {}\n", t.name, t.wave, t.stage);
  plan.hash = Sha256Hex(canon);
  return plan;
}

}  // namespace strata::rollout
