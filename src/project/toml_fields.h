// Small readers shared by the strata.toml parsers (project_config.cc, rollout_config.cc): every
// problem is a kInput error at the node's file:line.
#pragma once

#include <fmt/format.h>

#include <string>
#include <toml++/toml.h>

#include "util/error.h"

namespace strata::toml_fields {

inline int LineOf(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

inline std::unexpected<Error> At(const std::string& file, int line, std::string msg) {
  return MakeErrorAt(ErrorKind::kInput, file, line, std::move(msg));
}

// The node's string value; "<key> must be a string" otherwise.
inline Result<std::string> GetString(const toml::node& n, const std::string& key, const std::string& file) {
  if (auto s = n.value<std::string>()) return *s;
  return At(file, LineOf(n), fmt::format("{} must be a string", key));
}

}  // namespace strata::toml_fields
