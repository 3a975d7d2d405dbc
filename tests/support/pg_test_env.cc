#include "tests/support/pg_test_env.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace strata::testing {
namespace {

std::mutex mu;
std::string root;            // /tmp/strata-test-XXXXXX: everything this process creates
PgCluster* cluster = nullptr;  // owned; deleted by Cleanup at exit
std::string start_error;
std::atomic<int> counter{0};

// Runs at normal process exit: stops the server and deletes every folder.
void Cleanup() {
  std::lock_guard<std::mutex> lock(mu);
  delete cluster;  // PgCluster stops the server
  cluster = nullptr;
  if (!root.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
}

// A process in its own session that waits for this process to go away (EOF on a pipe only we
// hold) and then kills a server still running in root/pg and deletes root. It covers crashes
// and kills; after a normal exit Cleanup has already done both and it finds nothing to do.
void StartWatchdog(const std::string& dir) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return;
  static const char kScript[] =
      "cat >/dev/null\n"
      "f=\"$1/pg/postmaster.pid\"\n"
      "if [ -f \"$f\" ]; then\n"
      "  pid=$(head -n1 \"$f\")\n"
      "  if [ -n \"$pid\" ] && grep -q postgres \"/proc/$pid/comm\" 2>/dev/null; then\n"
      "    kill -QUIT \"$pid\" 2>/dev/null\n"
      // A zombie (no init reaping it) counts as gone.
      "    alive() { s=$(sed 's/.*) //' \"/proc/$pid/stat\" 2>/dev/null | cut -c1); [ -n \"$s\" ] && [ \"$s\" != Z ]; }\n"
      "    i=0; while [ $i -lt 50 ] && alive; do sleep 0.1; i=$((i+1)); done\n"
      "    kill -KILL \"$pid\" 2>/dev/null\n"
      "  fi\n"
      "fi\n"
      "rm -rf \"$1\"\n";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    ::dup2(p[0], 0);
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    // Hold nothing of the test process open (a test runner may wait for EOF on our stdout).
    for (int fd = 3; fd < 1024; ++fd) ::close(fd);
    ::execl("/bin/sh", "sh", "-c", kScript, "strata-test-watchdog", dir.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(p[0]);
  // p[1] stays open for the life of this process, on purpose (close-on-exec).
}

// Creates the per-process root folder on first use. Caller holds mu.
const std::string& RootLocked() {
  if (root.empty()) {
    char tmpl[] = "/tmp/strata-test-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp under /tmp failed");
    ::chmod(tmpl, 0755);  // the postgres user must be able to enter it
    root = tmpl;
    StartWatchdog(root);
    std::atexit(Cleanup);
  }
  return root;
}

}  // namespace

PgCluster& SharedCluster() {
  std::lock_guard<std::mutex> lock(mu);
  if (cluster != nullptr) return *cluster;
  if (!start_error.empty()) throw std::runtime_error(start_error);
  PgClusterOptions options;
  options.dir = RootLocked() + "/pg";
  auto t0 = std::chrono::steady_clock::now();
  auto started = PgCluster::Start(options);
  if (!started) {
    start_error = "cannot start the test PostgreSQL cluster: " + started.error().message;
    std::fprintf(stderr, "%s\n", start_error.c_str());
    throw std::runtime_error(start_error);
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "[strata test] PostgreSQL cluster in %s on port %d started in %lld ms\n",
               (*started)->dir().c_str(), (*started)->port(), static_cast<long long>(ms));
  cluster = started->release();
  return *cluster;
}

std::string FreshPgDatabase(std::string_view prefix) {
  std::string name;
  for (char c : prefix.substr(0, 40)) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    name += ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') ? c : '_';
  }
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) name = "t" + name;
  name += "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  auto url = SharedCluster().CreateDatabase(name);
  if (!url) throw std::runtime_error("cannot create test database " + name + ": " + url.error().message);
  return *url;
}

std::string TempDir() {
  std::lock_guard<std::mutex> lock(mu);
  std::string tmpl = RootLocked() + "/tmp-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp in " + root + " failed");
  ::chmod(tmpl.c_str(), 0755);
  return tmpl;
}

std::string FreshSqlitePath() { return TempDir() + "/test.db"; }

}  // namespace strata::testing
