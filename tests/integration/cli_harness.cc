#include "tests/integration/cli_harness.h"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <stdexcept>

#include "tests/support/pg_test_env.h"
#include "util/process.h"

namespace fs = std::filesystem;

namespace strata::testing {

std::string StrataBinary() { return STRATA_BIN; }

CliProject::CliProject(std::string url) : dir_(TempDir()), url_(std::move(url)) {
  fs::create_directories(dir_ + "/migrations/app");
  Toml("[project]\nname = \"t\"\nenvironments = [\"dev\"]\n\n"
       "[defaults]\nlock_timeout = \"500ms\"\nlock_retries = 2\nretry_delay = \"50ms\"\nlock_wait = \"5s\"\n\n"
       "[services.app]\nmigrations = \"migrations/app\"\n[services.app.targets]\ndev = \"${STRATA_TEST_URL}\"\n");
}

void CliProject::Write(const std::string& rel, const std::string& text) const {
  fs::path p = fs::path(dir_) / rel;
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

void CliProject::Migration(const std::string& file, const std::string& up, const std::string& down,
                           const std::string& header) const {
  Write("migrations/app/" + file, header + "-- +strata up\n" + up + "\n-- +strata down\n" + down + "\n");
}

void CliProject::Toml(const std::string& text) const { Write("strata.toml", text); }

CliResult CliProject::Run(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) const {
  std::vector<std::string> argv{StrataBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions opt;
  opt.cwd = dir_;
  opt.timeout = std::chrono::seconds(120);
  opt.env.push_back({"STRATA_TEST_URL", url_});
  opt.env.push_back({"STRATA_ACTOR", "tester"});
  for (const auto& [k, v] : env) opt.env.push_back({k, v});
  auto r = RunProcess(argv, opt);
  if (!r) throw std::runtime_error("cannot run strata: " + r.error().message);
  return CliResult{r->exit_code, r->output, ""};
}

nlohmann::json CliProject::RunJson(const std::vector<std::string>& args, int* exit_code) const {
  std::string cmd = StrataBinary() + " --json";
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " 2>/dev/null";
  ProcessOptions opt;
  opt.cwd = dir_;
  opt.timeout = std::chrono::seconds(120);
  opt.env.push_back({"STRATA_TEST_URL", url_});
  opt.env.push_back({"STRATA_ACTOR", "tester"});
  auto r = RunProcess({"/bin/sh", "-c", cmd}, opt);
  if (!r) throw std::runtime_error("cannot run strata: " + r.error().message);
  if (exit_code) *exit_code = r->exit_code;
  auto j = nlohmann::json::parse(r->output, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error("not one JSON document on stdout: " + r->output);
  return j;
}

CliResult CliProject::HashAndApply(const std::vector<std::string>& extra) const {
  CliResult h = Run({"hash", "-q"});
  if (h.exit_code != 0) return h;
  std::vector<std::string> args{"apply"};
  args.insert(args.end(), extra.begin(), extra.end());
  return Run(args);
}

std::unique_ptr<Engine> CliProject::Connect() const {
  auto url = DatabaseUrl::Parse(url_);
  if (!url) throw std::runtime_error(url.error().message);
  auto e = strata::Connect(*url, "strata-test");
  if (!e) throw std::runtime_error(e.error().message);
  return std::move(*e);
}

std::string CliProject::Scalar(const std::string& sql) const {
  auto e = Connect();
  auto r = e->Query(sql);
  if (!r) throw std::runtime_error(sql + ": " + r.error().message);
  if (r->size() == 0) return "";
  return r->rows[0][0] ? *r->rows[0][0] : "NULL";
}

bool CliProject::HasTable(const std::string& name) const {
  auto e = Connect();
  std::string sql = e->kind() == EngineKind::kPostgres
                        ? fmt::format("SELECT count(*) FROM pg_tables WHERE tablename = '{}'", name)
                        : fmt::format("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{}'", name);
  auto r = e->Query(sql);
  if (!r) throw std::runtime_error(r.error().message);
  return r->rows[0][0] == std::optional<std::string>("1");
}

}  // namespace strata::testing
