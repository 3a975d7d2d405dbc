#include "tests/support/slow_autovacuum.h"

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace strata::testing {

SlowAutovacuum::SlowAutovacuum(Engine& admin, const std::string& table) : admin_(admin) {
  // ALTER SYSTEM refuses the implicit transaction of a multi-statement string: one each.
  for (const std::string& sql :
       {std::string("ALTER SYSTEM SET autovacuum_naptime = 1"), std::string("SELECT pg_reload_conf()"),
        "CREATE TABLE " + table +
            " (id int PRIMARY KEY, pad text) WITH (autovacuum_vacuum_cost_delay = 100, "
            "autovacuum_vacuum_cost_limit = 1, autovacuum_vacuum_threshold = 1, autovacuum_vacuum_scale_factor = 0, "
            "autovacuum_analyze_threshold = 1000000000)",
        "INSERT INTO " + table + " SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g",
        "DELETE FROM " + table + " WHERE id % 2 = 0"}) {
    auto r = admin_.Exec(sql);
    if (!r) throw std::runtime_error(r.error().message + "\n" + sql);
  }
  std::vector<Param> p = {"%" + table + "%"};
  for (int i = 0; i < 150 && pid_.empty(); ++i) {
    auto r = admin_.Query(
        "SELECT coalesce(max(pid)::text, '') FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND "
        "query LIKE $1",
        p);
    if (r && !r->rows.empty()) pid_ = r->rows[0][0].value_or("");
    if (pid_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

SlowAutovacuum::~SlowAutovacuum() {
  (void)admin_.Exec("ALTER SYSTEM RESET autovacuum_naptime");
  (void)admin_.Exec("SELECT pg_reload_conf()");
}

}  // namespace strata::testing
