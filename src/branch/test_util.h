// Migrations from text for the branch tests.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "core/graph.h"
#include "project/migration_loader.h"

namespace strata::branch::testing {

// A single-file migration "<label>.sql" with `up` (and a trivial down); `header` goes on top.
inline Migration M(const std::string& label, const std::string& up, const std::string& header = "") {
  auto m = ParseMigrationFile("/m/" + label + ".sql", header + "-- +strata up\n" + up + "\n-- +strata down\nSELECT 1;\n");
  if (!m) throw std::runtime_error(m.error().Describe());
  return *m;
}

inline MigrationGraph G(std::vector<Migration> ms) {
  auto g = MigrationGraph::Build(std::move(ms));
  if (!g) throw std::runtime_error(g.error().Describe());
  return std::move(*g);
}

}  // namespace strata::branch::testing
