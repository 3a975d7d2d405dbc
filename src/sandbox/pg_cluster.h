// A throwaway PostgreSQL cluster started from the installed server binaries (initdb + pg_ctl
// on a free loopback port), for tests, the demo and `strata sandbox`. When strata runs as
// root the server runs as the `postgres` user, which PostgreSQL requires.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"
#include "util/process.h"

namespace strata {

struct PgClusterOptions {
  std::string dir;            // data and socket folder; created if missing; initdb'd if empty
  int port = 0;               // 0: pick a free loopback port
  bool stop_on_destroy = true;  // stop the server when the PgCluster object is destroyed
  bool fsync = false;         // throwaway clusters run with fsync=off unless asked
};

class PgCluster {
 public:
  // Finds the server binaries (pg_config --bindir, then /usr/lib/postgresql/*/bin), initdb's
  // the folder when it holds no cluster, starts the server (or adopts one already running in
  // that folder) and waits until it accepts connections. kIo when binaries are missing.
  static Result<std::unique_ptr<PgCluster>> Start(const PgClusterOptions& options);
  // True when initdb and pg_ctl can be found on this machine.
  static bool BinariesAvailable();

  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  // postgres://postgres@127.0.0.1:PORT/DBNAME (trust authentication, no password).
  std::string Url(std::string_view dbname = "postgres") const;
  // CREATE DATABASE name (dropping it first if it exists); returns its URL.
  Result<std::string> CreateDatabase(std::string_view name);
  Result<void> DropDatabase(std::string_view name);
  // pg_ctl stop -m fast. Idempotent.
  Result<void> Stop();
  // pg_ctl restart -m immediate (a crash), for crash tests.
  Result<void> Restart();

 private:
  PgCluster() = default;
  // The -o options of pg_ctl start/restart (port, socket folder, durability settings).
  std::string ServerOptions() const;
  // Runs a server program (as `postgres` when we are root).
  Result<ProcessResult> RunPg(std::vector<std::string> argv) const;
  // pg_ctl args[0] -D dir args[1..].
  Result<ProcessResult> PgCtl(std::vector<std::string> args) const;
  // Retries a connection until the server answers (30 s).
  Result<void> WaitUntilReady();

  std::string dir_;
  std::string bindir_;
  int port_ = 0;
  bool running_ = false;
  bool stop_on_destroy_ = true;
  bool fsync_ = false;
};

}  // namespace strata
