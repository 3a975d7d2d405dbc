#include "project/project_config.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <set>
#include <toml++/toml.h>

#include "project/rollout_config.h"
#include "util/process.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace strata {
namespace {

int LineOf(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

std::unexpected<Error> At(const std::string& file, int line, std::string msg) {
  return MakeErrorAt(ErrorKind::kInput, file, line, std::move(msg));
}

Result<std::string> GetString(const toml::node& n, const std::string& key, const std::string& file) {
  if (auto s = n.value<std::string>()) return *s;
  return At(file, LineOf(n), fmt::format("{} must be a string", key));
}

// Reads lock_timeout / lock_retries / statement_timeout / retry_delay from a table entry;
// returns false when `key` is not one of them.
Result<bool> ReadSetting(ExecSettings& s, const std::string& key, const toml::node& v, const std::string& file) {
  if (key == "lock_timeout" || key == "statement_timeout" || key == "retry_delay") {
    ASSIGN_OR_RETURN(std::string text, GetString(v, key, file));
    auto d = ParseDuration(text);
    if (!d) return At(file, LineOf(v), fmt::format("{}: {}", key, d.error().message));
    (key == "lock_timeout" ? s.lock_timeout : key == "statement_timeout" ? s.statement_timeout : s.retry_delay) = *d;
    return true;
  }
  if (key == "lock_retries") {
    auto n = v.value<int64_t>();
    if (!n || *n < 0 || *n > 1000) return At(file, LineOf(v), "lock_retries must be a whole number from 0 to 1000");
    s.lock_retries = static_cast<int>(*n);
    return true;
  }
  return false;
}

Result<void> ReadTargets(ServiceConfig& svc, const toml::table& targets, const std::set<std::string>& envs,
                         const std::string& file) {
  for (auto&& [k, v] : targets) {
    std::string env(k.str());
    int line = static_cast<int>(k.source().begin.line);
    if (!envs.count(env)) {
      return At(file, line, fmt::format("service {} has targets for environment '{}', which [project] environments "
                                        "does not list", svc.name, env));
    }
    auto add = [&](const toml::node& item, int index, int count) -> Result<void> {
      TargetSpec t;
      t.env = env;
      t.file = file;
      t.line = LineOf(item);
      std::string suffix = count > 1 ? "/" + std::to_string(index + 1) : "";
      if (auto s = item.value<std::string>()) {
        t.url_template = *s;
      } else if (auto* tbl = item.as_table()) {
        for (auto&& [tk, tv] : *tbl) {
          std::string key(tk.str());
          if (key == "url") {
            ASSIGN_OR_RETURN(t.url_template, GetString(tv, "url", file));
          } else if (key == "command") {
            ASSIGN_OR_RETURN(t.command, GetString(tv, "command", file));
          } else if (key == "name") {
            ASSIGN_OR_RETURN(std::string n, GetString(tv, "name", file));
            suffix = "/" + n;
          } else {
            return At(file, static_cast<int>(tk.source().begin.line), fmt::format("unknown target key '{}' (url, name, command)", key));
          }
        }
        if (t.url_template.empty() == t.command.empty()) return At(file, t.line, "a target needs a url or a command (one of them)");
      } else {
        return At(file, t.line, "a target is a URL string, { name = \"…\", url = \"…\" } or { command = \"…\" }");
      }
      t.name = svc.name + "@" + env + suffix;
      svc.targets.push_back(std::move(t));
      return {};
    };
    if (auto* arr = v.as_array()) {
      int count = static_cast<int>(arr->size());
      for (int i = 0; i < count; ++i) TRY_VOID(add((*arr)[i], i, count));
    } else {
      TRY_VOID(add(v, 0, 1));
    }
  }
  return {};
}

// [policy.<env>] low/medium/high: one rule table, or a list of them.
Result<void> ReadApprovalRules(RiskPolicy& pol, const std::string& level, const toml::node& v, int line,
                               const std::string& file) {
  std::string where = fmt::format("[policy.{}] {}", pol.env, level);
  auto one = [&](const toml::node& n) -> Result<void> {
    auto* t = n.as_table();
    if (!t) return At(file, LineOf(n), fmt::format("{}: a rule is {{ approvals = 2, roles = [\"dba\", \"owner\"] }}", where));
    ApprovalRule rule;
    rule.line = LineOf(n) > 0 ? LineOf(n) : line;
    for (auto&& [k, rv] : *t) {
      std::string key(k.str());
      int kline = static_cast<int>(k.source().begin.line);
      if (key == "approvals") {
        auto count = rv.value<int64_t>();
        if (!count || *count < 0 || *count > 100) return At(file, kline, fmt::format("{}: approvals must be a whole number from 0 to 100", where));
        rule.approvals = static_cast<int>(*count);
      } else if (key == "roles") {
        auto* arr = rv.as_array();
        if (!arr) return At(file, kline, fmt::format("{}: roles must be a list of role names", where));
        for (const auto& r : *arr) {
          auto name = r.value<std::string>();
          if (!name || name->empty()) return At(file, kline, fmt::format("{}: roles must be non-empty strings", where));
          rule.roles.push_back(*name);
        }
      } else {
        return At(file, kline, fmt::format("unknown key '{}' in {} (approvals, roles)", key, where));
      }
    }
    pol.approvals[level].push_back(std::move(rule));
    return {};
  };
  if (auto* arr = v.as_array()) {
    for (const auto& n : *arr) TRY_VOID(one(n));
    return {};
  }
  return one(v);
}

}  // namespace

ExecSettings BuiltinDefaults() {
  ExecSettings s;
  s.lock_timeout = std::chrono::seconds(2);
  s.lock_retries = 5;
  s.statement_timeout = std::chrono::milliseconds(0);
  s.retry_delay = std::chrono::milliseconds(500);
  return s;
}

const ServiceConfig* ProjectConfig::FindService(std::string_view n) const {
  for (const auto& s : services) {
    if (s.name == n) return &s;
  }
  return nullptr;
}

Result<ProjectConfig> LoadProjectConfig(const std::string& toml_path) {
  ProjectConfig p;
  p.file = fs::path(toml_path).lexically_normal().string();
  p.root = fs::absolute(toml_path).lexically_normal().parent_path().string();
  p.defaults = BuiltinDefaults();
  toml::table doc;
  try {
    doc = toml::parse_file(toml_path);
  } catch (const toml::parse_error& e) {
    std::error_code ec;
    if (!fs::exists(toml_path, ec)) return MakeErrorAt(ErrorKind::kIo, toml_path, 0, "cannot read: no such file");
    return At(toml_path, static_cast<int>(e.source().begin.line), std::string(e.description()));
  }
  const std::string& file = toml_path;
  std::set<std::string> envs;
  // [project] first: environments must be known before targets are read.
  if (auto* proj = doc["project"].as_table()) {
    for (auto&& [k, v] : *proj) {
      std::string key(k.str());
      int line = static_cast<int>(k.source().begin.line);
      if (key == "name") {
        ASSIGN_OR_RETURN(p.name, GetString(v, key, file));
      } else if (key == "default_environment") {
        ASSIGN_OR_RETURN(p.default_env, GetString(v, key, file));
      } else if (key == "environments") {
        auto* arr = v.as_array();
        if (!arr) return At(file, line, "environments must be a list of names");
        for (auto& e : *arr) {
          auto s = e.value<std::string>();
          if (!s) return At(file, LineOf(e), "environments must be a list of names");
          if (!envs.insert(*s).second) return At(file, LineOf(e), fmt::format("environment '{}' listed twice", *s));
          p.environments.push_back(*s);
        }
      } else {
        return At(file, line, fmt::format("unknown key '{}' in [project] (name, default_environment, environments)", key));
      }
    }
  } else if (doc.contains("project")) {
    return At(file, LineOf(*doc.get("project")), "[project] must be a table");
  }
  if (p.environments.empty()) {
    p.environments.push_back("dev");
    envs.insert("dev");
  }
  if (p.default_env.empty()) p.default_env = p.environments.front();
  if (!envs.count(p.default_env)) {
    return At(file, LineOf(*doc["project"]["default_environment"].node()),
              fmt::format("default_environment '{}' is not in environments", p.default_env));
  }
  for (auto&& [k, v] : doc) {
    std::string key(k.str());
    int line = static_cast<int>(k.source().begin.line);
    if (key == "project") continue;
    if (key == "defaults") {
      auto* tbl = v.as_table();
      if (!tbl) return At(file, line, "[defaults] must be a table");
      for (auto&& [dk, dv] : *tbl) {
        std::string dkey(dk.str());
        if (dkey == "lock_wait") {
          ASSIGN_OR_RETURN(std::string text, GetString(dv, dkey, file));
          auto d = ParseDuration(text);
          if (!d) return At(file, LineOf(dv), "lock_wait: " + d.error().message);
          p.lock_wait = *d;
          continue;
        }
        ASSIGN_OR_RETURN(bool known, ReadSetting(p.defaults, dkey, dv, file));
        if (!known) {
          return At(file, static_cast<int>(dk.source().begin.line),
                    fmt::format("unknown key '{}' in [defaults] (lock_timeout, lock_retries, statement_timeout, "
                                "retry_delay, lock_wait)", dkey));
        }
      }
    } else if (key == "lint") {
      auto* tbl = v.as_table();
      if (!tbl) return At(file, line, "[lint] must be a table");
      for (auto&& [lk, lv] : *tbl) {
        std::string lkey(lk.str());
        int lline = static_cast<int>(lk.source().begin.line);
        if (lkey == "pg_version") {
          auto n = lv.value<int64_t>();
          if (!n || *n < 10 || *n > 18) return At(file, lline, "pg_version must be a PostgreSQL major version from 10 to 18");
          p.lint.pg_version = static_cast<int>(*n);
        } else if (lkey == "fail_on") {
          ASSIGN_OR_RETURN(p.lint.fail_on, GetString(lv, lkey, file));
        } else if (lkey == "rules") {
          auto* rules = lv.as_table();
          if (!rules) return At(file, lline, "[lint.rules] maps rule ids to error, warning, info or off");
          for (auto&& [rk, rv] : *rules) {
            ASSIGN_OR_RETURN(std::string level, GetString(rv, std::string(rk.str()), file));
            p.lint.rule_settings.push_back(std::string(rk.str()) + "=" + level);
          }
        } else {
          return At(file, lline, fmt::format("unknown key '{}' in [lint] (pg_version, fail_on, rules)", lkey));
        }
      }
    } else if (key == "policy") {
      auto* tbl = v.as_table();
      if (!tbl) return At(file, line, "[policy] must hold one table per environment: [policy.prod] max_risk = \"medium\"");
      for (auto&& [ek, ev] : *tbl) {
        RiskPolicy pol;
        pol.env = std::string(ek.str());
        pol.file = file;
        pol.line = static_cast<int>(ek.source().begin.line);
        if (!envs.count(pol.env)) {
          return At(file, pol.line, fmt::format("[policy.{}]: environment '{}' is not in [project] environments",
                                                pol.env, pol.env));
        }
        auto* pt = ev.as_table();
        if (!pt) return At(file, pol.line, fmt::format("policy.{} must be a table: max_risk = \"medium\"", pol.env));
        for (auto&& [pk, pv] : *pt) {
          std::string pkey(pk.str());
          int pline = static_cast<int>(pk.source().begin.line);
          if (pkey == "max_risk") {
            ASSIGN_OR_RETURN(pol.max_risk, GetString(pv, pkey, file));
            if (pol.max_risk != "low" && pol.max_risk != "medium" && pol.max_risk != "high") {
              return At(file, pline, fmt::format("max_risk '{}' in [policy.{}]: use low, medium or high", pol.max_risk,
                                                 pol.env));
            }
          } else if (pkey == "low" || pkey == "medium" || pkey == "high") {
            TRY_VOID(ReadApprovalRules(pol, pkey, pv, pline, file));
          } else {
            return At(file, pline, fmt::format("unknown key '{}' in [policy.{}] (max_risk, low, medium, high)", pkey,
                                               pol.env));
          }
        }
        if (pol.max_risk.empty() && pol.approvals.empty()) {
          return At(file, pol.line, fmt::format("[policy.{}] needs max_risk or approvals per risk level, e.g. "
                                                "high = {{ approvals = 2, roles = [\"dba\"] }}",
                                                pol.env));
        }
        p.policies[pol.env] = std::move(pol);
      }
    } else if (key == "roles") {
      auto* tbl = v.as_table();
      if (!tbl) return At(file, line, "[roles] maps each role to its members: dba = [\"alice\", \"bob\"]");
      for (auto&& [rk, rv] : *tbl) {
        std::string role(rk.str());
        auto* members = rv.as_array();
        if (!members) return At(file, static_cast<int>(rk.source().begin.line), fmt::format("roles.{} must be a list of names", role));
        std::vector<std::string>& list = p.roles[role];
        for (const auto& m : *members) {
          auto name = m.value<std::string>();
          if (!name || name->empty()) return At(file, LineOf(m), fmt::format("roles.{}: members are non-empty strings", role));
          list.push_back(*name);
        }
      }
    } else if (key == "control") {
      auto* tbl = v.as_table();
      if (!tbl) return At(file, line, "[control] must be a table: url = \"${STRATA_CONTROL_URL}\"");
      for (auto&& [ck, cv] : *tbl) {
        std::string ckey(ck.str());
        int cline = static_cast<int>(ck.source().begin.line);
        if (ckey == "url") {
          ASSIGN_OR_RETURN(p.control.url_template, GetString(cv, ckey, file));
          p.control.file = file;
          p.control.line = cline;
        } else {
          return At(file, cline, fmt::format("unknown key '{}' in [control] (url)", ckey));
        }
      }
      if (p.control.url_template.empty()) return At(file, line, "[control] needs url");
    } else if (key == "environments") {
      TRY_VOID(project_internal::ReadEnvironments(p, v, line, envs, file));
    } else if (key == "rollout") {
      TRY_VOID(project_internal::ReadRollout(p, v, line, envs, file));
    } else if (key == "services") {
      auto* tbl = v.as_table();
      if (!tbl) return At(file, line, "[services] must hold one table per service: [services.users]");
      for (auto&& [sk, sv] : *tbl) {
        ServiceConfig svc;
        svc.name = std::string(sk.str());
        svc.line = static_cast<int>(sk.source().begin.line);
        auto* st = sv.as_table();
        if (!st) return At(file, svc.line, fmt::format("services.{} must be a table", svc.name));
        std::string migrations = "migrations/" + svc.name;
        for (auto&& [fk, fv] : *st) {
          std::string fkey(fk.str());
          int fline = static_cast<int>(fk.source().begin.line);
          if (fkey == "migrations") {
            ASSIGN_OR_RETURN(migrations, GetString(fv, fkey, file));
          } else if (fkey == "engine") {
            ASSIGN_OR_RETURN(std::string e, GetString(fv, fkey, file));
            if (e == "postgres" || e == "postgresql") svc.engine = EngineKind::kPostgres;
            else if (e == "sqlite") svc.engine = EngineKind::kSqlite;
            else return At(file, fline, fmt::format("unknown engine '{}' (postgres, sqlite)", e));
          } else if (fkey == "owner") {
            ASSIGN_OR_RETURN(svc.owner, GetString(fv, fkey, file));
          } else if (fkey == "targets") {
            auto* tt = fv.as_table();
            if (!tt) return At(file, fline, "targets must be a table: environment = URL or [URLs]");
            TRY_VOID(ReadTargets(svc, *tt, envs, file));
          } else {
            ASSIGN_OR_RETURN(bool known, ReadSetting(svc.settings, fkey, fv, file));
            if (!known) {
              return At(file, fline, fmt::format("unknown key '{}' in [services.{}] (migrations, engine, owner, targets, "
                                                 "lock_timeout, lock_retries, statement_timeout, retry_delay)",
                                                 fkey, svc.name));
            }
          }
        }
        fs::path dir = migrations;
        if (dir.is_relative()) dir = fs::path(p.root) / dir;
        svc.migrations_dir = dir.lexically_normal().string();
        p.services.push_back(std::move(svc));
      }
    } else {
      return At(file, line, fmt::format("unknown section '{}' (project, defaults, lint, policy, roles, control, environments, rollout, services)", key));
    }
  }
  // toml++ keeps tables sorted by key; keep the services in the order the file lists them.
  std::sort(p.services.begin(), p.services.end(),
            [](const ServiceConfig& a, const ServiceConfig& b) { return a.line < b.line; });
  if (p.services.empty()) return At(file, 1, "no services: add one, e.g. [services.app] migrations = \"migrations\"");
  TRY_VOID(project_internal::CheckRollout(p));
  return p;
}

std::string ProjectConfig::PromoteAfter(const std::string& env) const {
  auto it = environment_rollouts.find(env);
  if (it != environment_rollouts.end() && !it->second.promote_after.empty()) return it->second.promote_after;
  for (size_t i = 1; i < rollout.promotion.size(); ++i) {
    if (rollout.promotion[i] == env) return rollout.promotion[i - 1];
  }
  return "";
}

std::string FindProjectFile(const std::string& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start.empty() ? "." : start, ec);
  while (true) {
    fs::path candidate = dir / "strata.toml";
    if (fs::exists(candidate, ec)) return candidate.string();
    if (!dir.has_parent_path() || dir.parent_path() == dir) return "";
    dir = dir.parent_path();
  }
}

ProjectConfig ZeroConfigProject(const std::string& url, const std::string& migrations_dir,
                                const std::string& service_name) {
  ProjectConfig p;
  p.name = "zero-config";
  p.default_env = "default";
  p.environments = {"default"};
  p.defaults = BuiltinDefaults();
  ServiceConfig svc;
  svc.name = service_name.empty() ? "default" : service_name;
  svc.migrations_dir = fs::absolute(migrations_dir).lexically_normal().string();
  if (!url.empty()) {
    TargetSpec t;
    t.env = "default";
    t.name = svc.name;
    t.url_template = url;
    t.file = "--url";
    svc.targets.push_back(t);
  }
  p.services.push_back(std::move(svc));
  return p;
}

namespace {

// Runs a target command and adds the targets it prints ("URL" or "NAME URL" per line; blank
// lines and lines starting with # ignored).
Result<void> AddCommandTargets(const ProjectConfig& project, const ServiceConfig& svc, const TargetSpec& t,
                               std::vector<ResolvedTarget>& out) {
  ProcessOptions opts;
  opts.cwd = project.root;
  opts.timeout = std::chrono::seconds(60);
  auto run = RunProcess({"sh", "-c", t.command}, opts);
  if (!run) {
    return MakeErrorAt(ErrorKind::kInput, t.file, t.line,
                       fmt::format("target command of {} could not run: {}", svc.name, RedactSecrets(run.error().message)));
  }
  if (run->exit_code != 0) {
    std::string text = RedactSecrets(run->output);
    if (text.size() > 500) text = text.substr(0, 500) + "…";
    return MakeErrorAt(ErrorKind::kInput, t.file, t.line,
                       fmt::format("target command of {}@{} exited with {}: {}", svc.name, t.env, run->exit_code, Trim(text)));
  }
  std::set<std::string> names;
  int index = 0;
  size_t pos = 0;
  int lineno = 0;
  const std::string& text = run->output;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++lineno;
    line = Trim(line);
    if (line.empty() || line.starts_with("#")) continue;
    ++index;
    std::string name = std::to_string(index);
    std::string_view url_text = line;
    size_t sp = line.find_first_of(" \t");
    if (sp != std::string_view::npos) {
      name = std::string(line.substr(0, sp));
      url_text = Trim(line.substr(sp));
    }
    std::string full = svc.name + "@" + t.env + "/" + name;
    auto url = DatabaseUrl::Parse(url_text);
    if (!url) {
      return MakeErrorAt(ErrorKind::kInput, t.file, t.line,
                         fmt::format("target command of {}@{}, output line {}: {}", svc.name, t.env, lineno, url.error().message));
    }
    if (svc.engine && *svc.engine != url->engine()) {
      return MakeErrorAt(ErrorKind::kInput, t.file, t.line,
                         fmt::format("target command of {}@{}, output line {}: not a {} URL", svc.name, t.env, lineno,
                                     *svc.engine == EngineKind::kPostgres ? "postgres" : "sqlite"));
    }
    if (!names.insert(full).second) {
      return MakeErrorAt(ErrorKind::kInput, t.file, t.line,
                         fmt::format("target command of {}@{} prints target '{}' twice", svc.name, t.env, name));
    }
    out.push_back(ResolvedTarget{svc.name, full, std::move(*url)});
  }
  return {};
}

}  // namespace

Result<std::vector<ResolvedTarget>> ResolveTargets(const ProjectConfig& project, const std::string& env,
                                                   const std::vector<std::string>& services) {
  bool known_env = false;
  for (const auto& e : project.environments) known_env |= e == env;
  if (!known_env) {
    return MakeErrorAt(ErrorKind::kInput, project.file, 0,
                       fmt::format("unknown environment '{}' (known: {})", env, Join(project.environments, ", ")));
  }
  for (const auto& s : services) {
    if (!project.FindService(s)) {
      std::vector<std::string> names;
      for (const auto& svc : project.services) names.push_back(svc.name);
      return MakeErrorAt(ErrorKind::kInput, project.file, 0,
                         fmt::format("unknown service '{}' (known: {})", s, Join(names, ", ")));
    }
  }
  std::vector<ResolvedTarget> out;
  for (const auto& svc : project.services) {
    if (!services.empty() && std::find(services.begin(), services.end(), svc.name) == services.end()) continue;
    for (const auto& t : svc.targets) {
      if (t.env != env) continue;
      if (!t.command.empty()) {
        TRY_VOID(AddCommandTargets(project, svc, t, out));
        continue;
      }
      auto expanded = ExpandEnv(t.url_template);
      if (!expanded) return MakeErrorAt(ErrorKind::kInput, t.file, t.line, fmt::format("target {}: {}", t.name, expanded.error().message));
      auto url = DatabaseUrl::Parse(*expanded);
      if (!url) return MakeErrorAt(ErrorKind::kInput, t.file, t.line, fmt::format("target {}: {}", t.name, url.error().message));
      if (svc.engine && *svc.engine != url->engine()) {
        return MakeErrorAt(ErrorKind::kInput, t.file, t.line,
                           fmt::format("target {} is not a {} URL, but the service's engine is", t.name,
                                       *svc.engine == EngineKind::kPostgres ? "postgres" : "sqlite"));
      }
      out.push_back(ResolvedTarget{svc.name, t.name, std::move(*url)});
    }
  }
  return out;
}

}  // namespace strata
