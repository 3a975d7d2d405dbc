// Runs the real strata binary in a scratch project and inspects the target it changed.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.h"

namespace strata::testing {

struct CliResult {
  int exit_code = 0;
  std::string out;  // stdout (and stderr, unless split)
  std::string err;  // stderr when split
};

// A scratch folder with a project (or a bare migrations folder) and helpers to run strata in it.
class CliProject {
 public:
  // A project folder in a fresh temp dir; `url` is the target of the "app" service in "dev".
  explicit CliProject(std::string url);

  const std::string& dir() const { return dir_; }
  const std::string& url() const { return url_; }
  std::string migrations() const { return dir_ + "/migrations/app"; }

  // Writes `text` to `rel` under the project folder (creating folders).
  void Write(const std::string& rel, const std::string& text) const;
  // Writes migrations/app/<file> with an up and a down section.
  void Migration(const std::string& file, const std::string& up, const std::string& down = "SELECT 1;",
                 const std::string& header = "") const;
  // Replaces strata.toml.
  void Toml(const std::string& text) const;

  // Runs strata with these arguments in the project folder; stdout and stderr merged.
  CliResult Run(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) const;
  // Runs with --json and parses stdout (stderr separate).
  nlohmann::json RunJson(const std::vector<std::string>& args, int* exit_code = nullptr) const;
  // `strata hash` then `strata apply`; asserts nothing.
  CliResult HashAndApply(const std::vector<std::string>& extra = {}) const;

  // A session on the target, for inspecting it.
  std::unique_ptr<Engine> Connect() const;
  // The first column of the first row of `sql` on the target ("" when no row, "NULL" for null).
  std::string Scalar(const std::string& sql) const;
  // Does the target have this table?
  bool HasTable(const std::string& name) const;

 private:
  std::string dir_;
  std::string url_;
};

std::string StrataBinary();

}  // namespace strata::testing
