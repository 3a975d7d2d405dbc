#include "project/rollout_config.h"

#include <fmt/format.h>

#include "util/text.h"

namespace strata::project_internal {
namespace {

int LineOf(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

std::unexpected<Error> At(const std::string& file, int line, std::string msg) {
  return MakeErrorAt(ErrorKind::kInput, file, line, std::move(msg));
}

Result<std::string> Str(const toml::node& n, const std::string& key, const std::string& file) {
  if (auto s = n.value<std::string>()) return *s;
  return At(file, LineOf(n), fmt::format("{} must be a string", key));
}

Result<int> PositiveInt(const toml::node& n, const std::string& key, const std::string& file, int max) {
  auto v = n.value<int64_t>();
  if (!v || *v < 1 || *v > max) return At(file, LineOf(n), fmt::format("{} must be a whole number from 1 to {}", key, max));
  return static_cast<int>(*v);
}

Result<HealthGateSpec> ReadGate(const toml::node& n, int index, const std::string& env, const std::string& file) {
  HealthGateSpec g;
  g.file = file;
  g.line = LineOf(n);
  g.name = fmt::format("gate {}", index + 1);
  auto* t = n.as_table();
  if (!t) return At(file, g.line, fmt::format("environments.{}.gates: each gate is a table, e.g. {{ sql = \"SELECT true\" }}", env));
  int kinds = 0;
  for (auto&& [k, v] : *t) {
    std::string key(k.str());
    int kline = static_cast<int>(k.source().begin.line);
    if (key == "name") {
      ASSIGN_OR_RETURN(g.name, Str(v, key, file));
    } else if (key == "sql") {
      ASSIGN_OR_RETURN(g.sql, Str(v, key, file));
      ++kinds;
    } else if (key == "command") {
      ASSIGN_OR_RETURN(g.command, Str(v, key, file));
      ++kinds;
    } else if (key == "http") {
      ASSIGN_OR_RETURN(g.http, Str(v, key, file));
      if (!g.http.starts_with("http://") && !g.http.starts_with("https://") && !g.http.starts_with("${")) {
        return At(file, kline, fmt::format("http gate '{}' must be an http:// or https:// URL", g.http));
      }
      ++kinds;
    } else if (key == "timeout") {
      ASSIGN_OR_RETURN(std::string text, Str(v, key, file));
      auto d = ParseDuration(text);
      if (!d || d->count() <= 0) return At(file, kline, fmt::format("gate timeout '{}': use a duration such as 30s", text));
      g.timeout = *d;
    } else {
      return At(file, kline, fmt::format("unknown key '{}' in a gate of [environments.{}] (name, sql, command, http, timeout)",
                                         key, env));
    }
  }
  if (kinds != 1) {
    return At(file, g.line, fmt::format("a gate of [environments.{}] needs exactly one of sql, command, http", env));
  }
  return g;
}

}  // namespace

Result<void> ReadEnvironments(ProjectConfig& p, const toml::node& v, int line, const std::set<std::string>& envs,
                              const std::string& file) {
  auto* tbl = v.as_table();
  if (!tbl) return At(file, line, "[environments] must hold one table per environment: [environments.prod]");
  for (auto&& [ek, ev] : *tbl) {
    EnvironmentRollout er;
    er.env = std::string(ek.str());
    er.file = file;
    er.line = static_cast<int>(ek.source().begin.line);
    if (!envs.count(er.env)) {
      return At(file, er.line, fmt::format("[environments.{}]: '{}' is not in [project] environments", er.env, er.env));
    }
    auto* et = ev.as_table();
    if (!et) return At(file, er.line, fmt::format("environments.{} must be a table", er.env));
    for (auto&& [k, val] : *et) {
      std::string key(k.str());
      int kline = static_cast<int>(k.source().begin.line);
      if (key == "promote_after") {
        ASSIGN_OR_RETURN(er.promote_after, Str(val, key, file));
        if (!envs.count(er.promote_after)) {
          return At(file, kline, fmt::format("promote_after '{}' is not in [project] environments", er.promote_after));
        }
        if (er.promote_after == er.env) return At(file, kline, "an environment cannot be promoted after itself");
      } else if (key == "canary") {
        if (auto* arr = val.as_array()) {
          for (auto& item : *arr) {
            auto s = item.value<std::string>();
            if (!s) return At(file, LineOf(item), "canary is a list of target names, a count or a percentage (\"10%\")");
            er.canary.push_back(*s);
          }
        } else if (auto n = val.value<int64_t>()) {
          if (*n < 0 || *n > 100000) return At(file, kline, "canary count must be from 0 to 100000");
          er.canary_count = static_cast<int>(*n);
        } else if (auto s = val.value<std::string>()) {
          std::string text(Trim(*s));
          int pct = 0;
          bool ok = text.size() >= 2 && text.back() == '%';
          for (size_t i = 0; ok && i + 1 < text.size(); ++i) {
            if (text[i] < '0' || text[i] > '9') ok = false;
            else pct = pct * 10 + (text[i] - '0');
            if (pct > 100) ok = false;
          }
          if (!ok || pct < 1) return At(file, kline, fmt::format("canary '{}': use a percentage from 1% to 100%, a count or a list of targets", *s));
          er.canary_percent = pct;
        } else {
          return At(file, kline, "canary is a list of target names, a count or a percentage (\"10%\")");
        }
      } else if (key == "parallelism") {
        ASSIGN_OR_RETURN(er.parallelism, PositiveInt(val, key, file, 256));
      } else if (key == "batch_size") {
        auto n = val.value<int64_t>();
        if (!n || *n < 0 || *n > 1000000) return At(file, kline, "batch_size must be a whole number (0: all the rest in one stage)");
        er.batch_size = static_cast<int>(*n);
      } else if (key == "on_failure") {
        ASSIGN_OR_RETURN(std::string f, Str(val, key, file));
        if (f == "halt") er.on_failure = OnFailure::kHalt;
        else if (f == "rollback_stage") er.on_failure = OnFailure::kRollbackStage;
        else if (f == "rollback_all") er.on_failure = OnFailure::kRollbackAll;
        else return At(file, kline, fmt::format("on_failure '{}': use halt, rollback_stage or rollback_all", f));
      } else if (key == "gates") {
        auto* arr = val.as_array();
        if (!arr) return At(file, kline, fmt::format("environments.{}.gates is a list: [[environments.{}.gates]]", er.env, er.env));
        for (size_t i = 0; i < arr->size(); ++i) {
          ASSIGN_OR_RETURN(HealthGateSpec g, ReadGate((*arr)[i], static_cast<int>(i), er.env, file));
          er.gates.push_back(std::move(g));
        }
      } else {
        return At(file, kline, fmt::format("unknown key '{}' in [environments.{}] (promote_after, canary, parallelism, "
                                           "batch_size, on_failure, gates)", key, er.env));
      }
    }
    p.environment_rollouts[er.env] = std::move(er);
  }
  return {};
}

Result<void> ReadRollout(ProjectConfig& p, const toml::node& v, int line, const std::set<std::string>& envs,
                         const std::string& file) {
  auto* tbl = v.as_table();
  if (!tbl) return At(file, line, "[rollout] must be a table: promotion = [\"dev\", \"staging\", \"prod\"]");
  p.rollout.file = file;
  p.rollout.line = line;
  for (auto&& [k, val] : *tbl) {
    std::string key(k.str());
    int kline = static_cast<int>(k.source().begin.line);
    if (key == "promotion") {
      auto* arr = val.as_array();
      if (!arr) return At(file, kline, "promotion must be a list of environments, e.g. [\"dev\", \"staging\", \"prod\"]");
      std::set<std::string> seen;
      for (auto& item : *arr) {
        auto s = item.value<std::string>();
        if (!s || !envs.count(*s)) {
          return At(file, LineOf(item), fmt::format("promotion: '{}' is not in [project] environments", s.value_or("?")));
        }
        if (!seen.insert(*s).second) return At(file, LineOf(item), fmt::format("promotion lists '{}' twice", *s));
        p.rollout.promotion.push_back(*s);
      }
    } else if (key == "parallelism") {
      ASSIGN_OR_RETURN(p.rollout.parallelism, PositiveInt(val, key, file, 256));
    } else {
      return At(file, kline, fmt::format("unknown key '{}' in [rollout] (promotion, parallelism)", key));
    }
  }
  return {};
}

Result<void> CheckRollout(const ProjectConfig& p) {
  for (const auto& [env, er] : p.environment_rollouts) {
    for (const auto& name : er.canary) {
      bool found = false;
      bool command_targets = false;
      for (const auto& svc : p.services) {
        for (const auto& t : svc.targets) {
          if (t.env != env) continue;
          found |= t.name == name;
          command_targets |= !t.command.empty();
        }
      }
      if (!found && !command_targets) {
        return At(er.file, er.line, fmt::format("[environments.{}] canary '{}' is not a target of {}", env, name, env));
      }
    }
    // promote_after must not loop (dev after prod after dev).
    std::set<std::string> seen = {env};
    std::string cur = p.PromoteAfter(env);
    while (!cur.empty()) {
      if (!seen.insert(cur).second) {
        return At(er.file, er.line, fmt::format("promotion order loops through {}", Join(std::vector<std::string>(seen.begin(), seen.end()), ", ")));
      }
      cur = p.PromoteAfter(cur);
    }
  }
  return {};
}

}  // namespace strata::project_internal
