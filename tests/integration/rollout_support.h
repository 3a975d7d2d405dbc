// Shared by the rollout integration tests: a fleet project (services x environments x shards,
// each shard its own database in the test cluster) with a control database, and helpers to
// run strata in it, in the foreground or in the background (to kill it).
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"
#include "util/process.h"

extern char** environ;

namespace strata::testing {

// The URL with a password added (the test cluster trusts local connections, so any password
// works): proves that secrets stay out of output and stored state.
inline std::string WithPassword(const std::string& url) {
  size_t at = url.find('@');
  size_t scheme = url.find("://");
  if (at == std::string::npos || scheme == std::string::npos) return url;
  std::string userinfo = url.substr(scheme + 3, at - scheme - 3);
  if (userinfo.find(':') != std::string::npos) return url;
  return url.substr(0, at) + ":s3cret-pw" + url.substr(at);
}

inline std::string Scalar(const std::string& url, const std::string& sql) {
  auto u = DatabaseUrl::Parse(url);
  auto e = strata::Connect(*u, "strata-test");
  if (!e) throw std::runtime_error(e.error().message);
  auto r = (*e)->Query(sql);
  if (!r) throw std::runtime_error(sql + ": " + r.error().message);
  if (r->size() == 0) return "";
  return r->rows[0][0] ? *r->rows[0][0] : "NULL";
}

inline void Exec(const std::string& url, const std::string& sql) {
  auto u = DatabaseUrl::Parse(url);
  auto e = strata::Connect(*u, "strata-test");
  if (!e) throw std::runtime_error(e.error().message);
  auto r = (*e)->Exec(sql);
  if (!r) throw std::runtime_error(sql + ": " + r.error().message);
}

inline bool HasTable(const std::string& url, const std::string& table) {
  return Scalar(url, fmt::format("SELECT count(*) FROM pg_tables WHERE tablename = '{}'", table)) == "1";
}

struct RunOut {
  int exit_code = 0;
  std::string out;  // stdout
  std::string err;  // stderr
  nlohmann::json json;
};

class Fleet {
 public:
  // services: name -> owner; shards per service and environment.
  Fleet(std::vector<std::string> services, std::vector<std::string> envs, int shards) : dir_(TempDir()) {
    control_ = WithPassword(FreshPgDatabase("control"));
    for (const auto& s : services) {
      for (const auto& e : envs) {
        for (int i = 0; i < shards; ++i) urls_[Name(s, e, i)] = WithPassword(FreshPgDatabase(s + "_" + e));
      }
    }
    services_ = std::move(services);
    envs_ = std::move(envs);
    shards_ = shards;
  }

  static std::string Name(const std::string& s, const std::string& e, int i) {
    return fmt::format("{}@{}/shard-{}", s, e, i);
  }
  const std::string& Url(const std::string& s, const std::string& e, int i) const { return urls_.at(Name(s, e, i)); }
  const std::string& control() const { return control_; }
  const std::string& dir() const { return dir_; }

  // strata.toml: [project], [control], [rollout], the services with their shard targets, and
  // `extra` (e.g. [environments.*] tables).
  void Toml(const std::string& extra) const {
    std::string t = "[project]\nname = \"fleet\"\nenvironments = [";
    for (size_t i = 0; i < envs_.size(); ++i) t += (i ? ", \"" : "\"") + envs_[i] + "\"";
    t += "]\n\n[defaults]\nlock_timeout = \"500ms\"\nlock_retries = 2\nretry_delay = \"50ms\"\nlock_wait = \"5s\"\n\n";
    t += "[control]\nurl = \"${STRATA_CONTROL_URL}\"\n\n";
    t += extra + "\n";
    for (const auto& s : services_) {
      t += fmt::format("[services.{}]\nowner = \"team-{}\"\nmigrations = \"migrations/{}\"\n[services.{}.targets]\n", s, s, s, s);
      for (const auto& e : envs_) {
        t += e + " = [";
        for (int i = 0; i < shards_; ++i) {
          t += fmt::format("{}{{ name = \"shard-{}\", url = \"{}\" }}", i ? ", " : "", i, urls_.at(Name(s, e, i)));
        }
        t += "]\n";
      }
      t += "\n";
    }
    Write("strata.toml", t);
  }

  void Write(const std::string& rel, const std::string& text) const {
    std::filesystem::path p = std::filesystem::path(dir_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  void Migration(const std::string& service, const std::string& file, const std::string& up,
                 const std::string& down, const std::string& header = "") const {
    Write("migrations/" + service + "/" + file, header + "-- +strata up\n" + up + "\n-- +strata down\n" + down + "\n");
  }

  std::vector<std::pair<std::string, std::string>> Env() const {
    return {{"STRATA_CONTROL_URL", control_}, {"STRATA_ACTOR", "tester"}};
  }

  // Runs strata (stdout and stderr apart); parses stdout as JSON when it is one document.
  RunOut Run(const std::vector<std::string>& args) const {
    std::string out_file = dir_ + "/.out", err_file = dir_ + "/.err";
    std::string cmd = "'" + StrataBinary() + "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    cmd += " >" + out_file + " 2>" + err_file;
    ProcessOptions opt;
    opt.cwd = dir_;
    opt.timeout = std::chrono::seconds(120);
    opt.env = Env();
    auto r = RunProcess({"/bin/sh", "-c", cmd}, opt);
    if (!r) throw std::runtime_error("cannot run strata: " + r.error().message);
    RunOut o;
    o.exit_code = r->exit_code;
    o.out = Slurp(out_file);
    o.err = Slurp(err_file);
    o.json = nlohmann::json::parse(o.out, nullptr, false);
    return o;
  }

  // Starts strata in the background; returns its pid (stdout/stderr to files under dir).
  pid_t Start(const std::vector<std::string>& args) const {
    std::vector<std::string> argv_s = {"/bin/sh", "-c", ""};
    std::string cmd = "cd '" + dir_ + "' && exec '" + StrataBinary() + "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    cmd += " >" + dir_ + "/.bg.out 2>" + dir_ + "/.bg.err";
    argv_s[2] = cmd;
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_s;
    for (char** e = environ; *e; ++e) env_s.push_back(*e);
    for (const auto& [k, v] : Env()) env_s.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv.data(), envp.data()) != 0) {
      throw std::runtime_error("posix_spawn failed");
    }
    return pid;
  }

  // Everything the control database holds, as text (to look for secrets).
  std::string ControlDump() const {
    return Scalar(control_,
                  "SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM (SELECT r::text AS t FROM "
                  "strata_control.rollouts r UNION ALL SELECT x::text FROM strata_control.rollout_targets x UNION "
                  "ALL SELECT a::text FROM strata_control.audit a UNION ALL SELECT l::text FROM "
                  "strata_control.lock_holder l) s");
  }

  static std::string Slurp(const std::string& path) {
    std::ifstream f(path);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }

 private:
  std::string dir_;
  std::string control_;
  std::map<std::string, std::string> urls_;
  std::vector<std::string> services_;
  std::vector<std::string> envs_;
  int shards_ = 0;
};

}  // namespace strata::testing
