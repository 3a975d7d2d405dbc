#include "tests/support/pg_replica.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "engine/engine.h"
#include "tests/support/pg_test_env.h"
#include "util/database_url.h"
#include "util/process.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

// The folder holding pg_basebackup (with the server binaries on Debian).
std::string PgBindir() {
  ProcessOptions opts;
  opts.timeout = 10s;
  auto r = RunProcess({"pg_config", "--bindir"}, opts);
  if (r && r->exit_code == 0) {
    std::string dir = r->output;
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == '\r' || dir.back() == ' ')) dir.pop_back();
    if (::access((dir + "/pg_basebackup").c_str(), X_OK) == 0) return dir;
  }
  return "/usr/lib/postgresql/15/bin";
}

void WaitStreaming(const PgCluster& primary) {
  auto url = DatabaseUrl::Parse(primary.Url());
  if (!url) throw std::runtime_error(url.error().message);
  auto e = Connect(*url, "strata-test");
  if (!e) throw std::runtime_error("primary: " + e.error().message);
  auto until = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < until) {
    auto r = (*e)->Query("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'");
    if (!r) throw std::runtime_error("pg_stat_replication: " + r.error().message);
    if (r->rows[0][0] == "1") return;
    std::this_thread::sleep_for(50ms);
  }
  throw std::runtime_error("the standby did not start streaming within 20 s");
}

}  // namespace

PgReplicaPair StartPrimaryWithStandby() {
  PgReplicaPair pair;
  const std::string root = TempDir();
  PgClusterOptions po;
  po.dir = root + "/primary";
  auto primary = PgCluster::Start(po);
  if (!primary) throw std::runtime_error("primary: " + primary.error().message);
  pair.primary = std::move(*primary);

  // pg_basebackup wants an empty folder owned by the server's user.
  const std::string sdir = root + "/standby";
  if (::mkdir(sdir.c_str(), 0700) != 0) throw std::runtime_error("mkdir " + sdir + " failed");
  ProcessOptions opts;
  opts.cwd = "/";
  opts.timeout = 60s;
  if (::geteuid() == 0) {
    auto own = RunProcess({"chown", "postgres:postgres", sdir}, opts);
    if (!own || own->exit_code != 0) throw std::runtime_error("chown " + sdir + " to postgres failed");
    opts.run_as_user = "postgres";
  }
  auto bb = RunProcess({PgBindir() + "/pg_basebackup", "-h", "127.0.0.1", "-p", std::to_string(pair.primary->port()),
                        "-U", "postgres", "-D", sdir, "-R", "-X", "stream", "--no-sync"},
                       opts);
  if (!bb) throw std::runtime_error("pg_basebackup: " + bb.error().message);
  if (bb->exit_code != 0) throw std::runtime_error("pg_basebackup failed: " + bb->output);

  PgClusterOptions so;
  so.dir = sdir;  // holds a cluster (no initdb) with standby.signal: starts as a hot standby
  auto standby = PgCluster::Start(so);
  if (!standby) throw std::runtime_error("standby: " + standby.error().message);
  pair.standby = std::move(*standby);
  WaitStreaming(*pair.primary);
  return pair;
}

}  // namespace strata::testing
