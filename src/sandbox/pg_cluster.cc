#include "sandbox/pg_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "util/database_url.h"
#include "util/process.h"

namespace strata {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr milliseconds kCommandTimeout{120'000};

bool HasServerBinaries(const std::string& bindir) {
  for (const char* name : {"initdb", "pg_ctl", "postgres"}) {
    std::string p = bindir + "/" + name;
    if (::access(p.c_str(), X_OK) != 0) return false;
  }
  return true;
}

// Version folders under /usr/lib/postgresql, highest first ("15" > "9.6" numerically).
std::vector<std::string> DebianBindirs() {
  std::vector<std::pair<double, std::string>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string name = entry.path().filename().string();
    char* end = nullptr;
    double v = std::strtod(name.c_str(), &end);
    if (end == name.c_str()) continue;
    found.emplace_back(v, entry.path().string() + "/bin");
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (auto& [v, dir] : found) out.push_back(std::move(dir));
  return out;
}

Result<std::string> FindBindir() {
  if (const char* env = std::getenv("STRATA_PG_BINDIR"); env != nullptr && *env != '\0') {
    if (HasServerBinaries(env)) return std::string(env);
    return MakeError(ErrorKind::kIo, std::string("STRATA_PG_BINDIR=") + env + " holds no initdb, pg_ctl and postgres");
  }
  ProcessOptions opts;
  opts.timeout = milliseconds(10'000);
  auto pg_config = RunProcess({"pg_config", "--bindir"}, opts);
  if (pg_config && pg_config->exit_code == 0) {
    std::string dir = pg_config->output;
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == '\r' || dir.back() == ' ')) dir.pop_back();
    if (!dir.empty() && HasServerBinaries(dir)) return dir;
  }
  for (const std::string& dir : DebianBindirs()) {
    if (HasServerBinaries(dir)) return dir;
  }
  return MakeError(ErrorKind::kIo,
                   "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found via pg_config --bindir or in "
                   "/usr/lib/postgresql/*/bin; install the postgresql package (scripts/setup) or set STRATA_PG_BINDIR");
}

Result<int> PickFreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return MakeError(ErrorKind::kIo, std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    ::close(fd);
    return MakeError(ErrorKind::kIo, std::string("cannot pick a free port: ") + std::strerror(err));
  }
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

// Single-quotes a word for the /bin/sh command line pg_ctl builds from -o.
std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string Tail(const std::string& text, size_t max = 3000) {
  return text.size() <= max ? text : "…" + text.substr(text.size() - max);
}

std::string ReadFileTail(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return Tail(ss.str());
}

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

struct PostgresUser {
  uid_t uid;
  gid_t gid;
};

Result<PostgresUser> LookupPostgresUser() {
  struct passwd pwd;
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwnam_r("postgres", &pwd, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return MakeError(ErrorKind::kIo, "running as root, but there is no `postgres` user to run PostgreSQL as");
  }
  return PostgresUser{pwd.pw_uid, pwd.pw_gid};
}

// As root: every ancestor of `dir` must be enterable by the postgres user.
Result<void> CheckTraversable(const fs::path& dir, const PostgresUser& user) {
  for (fs::path p = dir.parent_path(); !p.empty(); p = p.parent_path()) {
    struct stat st;
    if (::stat(p.c_str(), &st) == 0) {
      bool ok = (st.st_mode & S_IXOTH) || (st.st_uid == user.uid && (st.st_mode & S_IXUSR)) ||
                (st.st_gid == user.gid && (st.st_mode & S_IXGRP));
      if (!ok) {
        return MakeError(ErrorKind::kIo, "the postgres user cannot enter " + p.string() +
                                             " (needed to reach " + dir.string() +
                                             "); choose a cluster folder under /tmp or chmod o+x it");
      }
    }
    if (p == p.root_path()) break;
  }
  return {};
}

}  // namespace

bool PgCluster::BinariesAvailable() { return FindBindir().has_value(); }

Result<std::unique_ptr<PgCluster>> PgCluster::Start(const PgClusterOptions& options) {
  if (options.dir.empty()) return MakeError(ErrorKind::kUsage, "PgCluster: no folder given");
  std::unique_ptr<PgCluster> cluster(new PgCluster());
  ASSIGN_OR_RETURN(cluster->bindir_, FindBindir());
  cluster->stop_on_destroy_ = options.stop_on_destroy;
  cluster->fsync_ = options.fsync;

  std::error_code ec;
  fs::path dir = fs::absolute(options.dir, ec);
  if (ec) return MakeError(ErrorKind::kIo, "cannot resolve " + options.dir + ": " + ec.message());
  dir = dir.lexically_normal();
  if (dir.string().size() > 1 && dir.string().back() == '/') dir = dir.parent_path();
  if (!fs::exists(dir)) {
    fs::create_directories(dir.parent_path(), ec);
    if (ec || (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)) {
      return MakeError(ErrorKind::kIo, "cannot create " + dir.string() + ": " +
                                           (ec ? ec.message() : std::string(std::strerror(errno))));
    }
  }
  cluster->dir_ = dir.string();

  const bool as_root = ::geteuid() == 0;
  if (as_root) {
    ASSIGN_OR_RETURN(PostgresUser user, LookupPostgresUser());
    TRY_VOID(CheckTraversable(dir, user));
    struct stat st;
    if (::stat(dir.c_str(), &st) == 0 && st.st_uid != user.uid) {
      // Hand the folder (and anything in it, e.g. an earlier cluster) to postgres.
      for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (::lchown(it->path().c_str(), user.uid, user.gid) != 0) break;
      }
      if (::chown(dir.c_str(), user.uid, user.gid) != 0) {
        return MakeError(ErrorKind::kIo, "cannot chown " + dir.string() + " to postgres: " + std::strerror(errno));
      }
    }
    ::chmod(dir.c_str(), 0700);
  }

  // Already running in this folder? Adopt it.
  const std::string pidfile = cluster->dir_ + "/postmaster.pid";
  if (fs::exists(pidfile)) {
    ASSIGN_OR_RETURN(ProcessResult status, cluster->PgCtl({"status"}));
    if (status.exit_code == 0) {
      std::ifstream in(pidfile);
      std::string line;
      int port = 0;
      for (int i = 1; i <= 4 && std::getline(in, line); ++i) {
        if (i == 4) port = std::atoi(line.c_str());
      }
      if (port <= 0) return MakeError(ErrorKind::kIo, "cannot read the port of the server running in " + cluster->dir_);
      cluster->port_ = port;
      cluster->running_ = true;
      TRY_VOID(cluster->WaitUntilReady());
      return cluster;
    }
  }

  if (!fs::exists(cluster->dir_ + "/PG_VERSION")) {
    ASSIGN_OR_RETURN(ProcessResult init,
                     cluster->RunPg({cluster->bindir_ + "/initdb", "-D", cluster->dir_, "-A", "trust", "-U", "postgres",
                                     "--no-sync", "-E", "UTF8", "--locale=C", "--no-instructions"}));
    if (init.exit_code != 0) {
      return MakeError(ErrorKind::kIo, "initdb " + cluster->dir_ + " failed (exit " + std::to_string(init.exit_code) +
                                           "):\n" + Tail(init.output));
    }
  }

  // A picked port may be taken between picking and binding: try a few.
  Error last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (options.port != 0) {
      cluster->port_ = options.port;
    } else {
      ASSIGN_OR_RETURN(cluster->port_, PickFreePort());
    }
    ASSIGN_OR_RETURN(ProcessResult start,
                     cluster->PgCtl({"start", "-l", cluster->dir_ + "/server.log", "-w", "-t", "60", "-o",
                                     cluster->ServerOptions()}));
    if (start.exit_code == 0) {
      cluster->running_ = true;
      TRY_VOID(cluster->WaitUntilReady());
      return cluster;
    }
    last.kind = ErrorKind::kIo;
    last.message = "pg_ctl start in " + cluster->dir_ + " failed (exit " + std::to_string(start.exit_code) + "):\n" +
                   Tail(start.output) + "\nserver.log:\n" + ReadFileTail(cluster->dir_ + "/server.log");
    if (options.port != 0) break;
  }
  return std::unexpected(std::move(last));
}

PgCluster::~PgCluster() {
  if (stop_on_destroy_ && running_) (void)Stop();
}

std::string PgCluster::Url(std::string_view dbname) const {
  return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + std::string(dbname);
}

std::string PgCluster::ServerOptions() const {
  std::string o = "-p " + std::to_string(port_) + " -c listen_addresses=127.0.0.1 -c max_connections=200";
  // A Unix socket path must fit in sun_path (108 bytes); otherwise go without one.
  if (dir_.size() + sizeof("/.s.PGSQL.65535.lock") < 108) {
    o += " -k " + ShellQuote(dir_);
  } else {
    o += " -c unix_socket_directories=''";
  }
  if (!fsync_) o += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  return o;
}

Result<ProcessResult> PgCluster::RunPg(std::vector<std::string> argv) const {
  ProcessOptions opts;
  opts.cwd = "/";
  opts.timeout = kCommandTimeout;
  opts.env = {{"LC_ALL", "C"}, {"LANG", "C"}, {"PGDATA", dir_}};
  if (::geteuid() == 0) opts.run_as_user = "postgres";
  return RunProcess(argv, opts);
}

Result<ProcessResult> PgCluster::PgCtl(std::vector<std::string> args) const {
  std::vector<std::string> argv = {bindir_ + "/pg_ctl"};
  argv.push_back(args[0]);
  argv.push_back("-D");
  argv.push_back(dir_);
  for (size_t i = 1; i < args.size(); ++i) argv.push_back(std::move(args[i]));
  return RunPg(std::move(argv));
}

Result<void> PgCluster::WaitUntilReady() {
  auto url = DatabaseUrl::Parse(Url("postgres"));
  if (!url) return std::unexpected(url.error());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string last;
  while (true) {
    auto engine = Connect(*url, "strata-sandbox");
    if (engine) return {};
    last = engine.error().message;
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return MakeError(ErrorKind::kIo, "PostgreSQL in " + dir_ + " does not accept connections: " + last +
                                       "\nserver.log:\n" + ReadFileTail(dir_ + "/server.log"));
}

Result<std::string> PgCluster::CreateDatabase(std::string_view name) {
  ASSIGN_OR_RETURN(DatabaseUrl url, DatabaseUrl::Parse(Url("postgres")));
  ASSIGN_OR_RETURN(std::unique_ptr<Engine> admin, Connect(url, "strata-sandbox"));
  TRY_VOID(admin->Exec("DROP DATABASE IF EXISTS " + QuoteIdent(name) + " WITH (FORCE)"));
  TRY_VOID(admin->Exec("CREATE DATABASE " + QuoteIdent(name) + " STRATEGY FILE_COPY"));
  return Url(name);
}

Result<void> PgCluster::DropDatabase(std::string_view name) {
  ASSIGN_OR_RETURN(DatabaseUrl url, DatabaseUrl::Parse(Url("postgres")));
  ASSIGN_OR_RETURN(std::unique_ptr<Engine> admin, Connect(url, "strata-sandbox"));
  TRY_VOID(admin->Exec("DROP DATABASE IF EXISTS " + QuoteIdent(name) + " WITH (FORCE)"));
  return {};
}

Result<void> PgCluster::Stop() {
  if (!running_) return {};
  ASSIGN_OR_RETURN(ProcessResult r, PgCtl({"stop", "-m", "fast", "-w", "-t", "60"}));
  if (r.exit_code != 0) {
    // Not running any more counts as stopped.
    auto status = PgCtl({"status"});
    if (!status || status->exit_code != 3) {
      return MakeError(ErrorKind::kIo, "pg_ctl stop in " + dir_ + " failed (exit " + std::to_string(r.exit_code) +
                                           "):\n" + Tail(r.output));
    }
  }
  running_ = false;
  return {};
}

Result<void> PgCluster::Restart() {
  ASSIGN_OR_RETURN(ProcessResult r, PgCtl({"restart", "-m", "immediate", "-w", "-t", "60", "-l", dir_ + "/server.log",
                                           "-o", ServerOptions()}));
  if (r.exit_code != 0) {
    return MakeError(ErrorKind::kIo, "pg_ctl restart in " + dir_ + " failed (exit " + std::to_string(r.exit_code) +
                                         "):\n" + Tail(r.output) + "\nserver.log:\n" +
                                         ReadFileTail(dir_ + "/server.log"));
  }
  running_ = true;
  return WaitUntilReady();
}

}  // namespace strata
