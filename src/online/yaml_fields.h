// Reading one YAML/JSON mapping of a migration file field by field: each getter checks the
// type, every error names file:line (from yaml-cpp's marks), and Done() rejects the keys no
// getter asked for, so a misspelled field is an error instead of being ignored.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "util/error.h"

namespace strata::online {

class Fields {
 public:
  // `what` names the mapping in messages ("add_column", "column"). Not a map: Check() fails.
  Fields(const YAML::Node& node, std::string file, std::string what);

  Result<void> Check() const;  // the node is a mapping
  Result<std::string> Str(const std::string& key);  // required, non-empty
  Result<std::optional<std::string>> OptStr(const std::string& key);
  Result<std::optional<bool>> OptBool(const std::string& key);
  Result<std::vector<std::string>> StrList(const std::string& key, bool required);
  // A nested mapping (not required): an undefined node when absent.
  Result<YAML::Node> Map(const std::string& key);
  // A list of mappings.
  Result<std::vector<YAML::Node>> MapList(const std::string& key, bool required);
  // A scalar or a mapping of scalars, e.g. pgroll's `up` of create_constraint.
  Result<YAML::Node> Any(const std::string& key);
  Result<void> Done() const;  // every key was read

  int line() const;
  int LineOf(const YAML::Node& n) const;
  const std::string& file() const { return file_; }
  std::unexpected<Error> Fail(const YAML::Node& at, const std::string& message) const;

 private:
  YAML::Node node_;
  std::string file_;
  std::string what_;
  std::set<std::string> seen_;
};

}  // namespace strata::online
