// A table an autovacuum worker is vacuuming — slowly (cost delay 100 ms per page), so it holds
// its SHARE UPDATE EXCLUSIVE lock for the whole test — to check what strata does when such a
// worker blocks its DDL. Lowers the cluster's autovacuum_naptime to 1 s until destroyed.
#pragma once

#include <string>

#include "engine/engine.h"

namespace strata::testing {

class SlowAutovacuum {
 public:
  // Creates `table` (20,000 rows, half deleted) with `admin` (a superuser session) and waits up
  // to 15 s for a worker to vacuum it; pid() is empty when none came.
  SlowAutovacuum(Engine& admin, const std::string& table);
  ~SlowAutovacuum();  // autovacuum_naptime back to the server's default
  SlowAutovacuum(const SlowAutovacuum&) = delete;
  SlowAutovacuum& operator=(const SlowAutovacuum&) = delete;

  const std::string& pid() const { return pid_; }

 private:
  Engine& admin_;
  std::string pid_;
};

}  // namespace strata::testing
