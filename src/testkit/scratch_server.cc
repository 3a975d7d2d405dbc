#include "testkit/scratch_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "engine/engine.h"

namespace fs = std::filesystem;

namespace strata {

ScratchServer::ScratchServer(std::string sandbox_dir) : sandbox_dir_(std::move(sandbox_dir)) {}

ScratchServer::~ScratchServer() {
  if (cluster_ && reused_) {
    for (const auto& name : databases_) (void)cluster_->DropDatabase(name);
  }
  if (cluster_ && !reused_) (void)cluster_->Stop();
  cluster_.reset();
  if (!temp_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(temp_dir_, ec);
  }
}

Result<std::string> ScratchServer::TempFolder() {
  if (!temp_dir_.empty()) return temp_dir_;
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/strata-scratch-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return MakeError(ErrorKind::kIo, "cannot create a temp folder in /tmp");
  ::chmod(tmpl.c_str(), 0755);  // the postgres user must be able to enter it
  temp_dir_ = tmpl;
  return temp_dir_;
}

Result<PgCluster*> ScratchServer::Cluster() {
  if (cluster_) return cluster_.get();
  std::error_code ec;
  // The project's sandbox, when `strata sandbox up` left it running (postmaster.pid present).
  if (!sandbox_dir_.empty() && fs::exists(fs::path(sandbox_dir_) / "postmaster.pid", ec)) {
    PgClusterOptions opt;
    opt.dir = sandbox_dir_;
    opt.stop_on_destroy = false;
    if (auto c = PgCluster::Start(opt)) {
      cluster_ = std::move(*c);
      reused_ = true;
      return cluster_.get();
    }
  }
  if (!PgCluster::BinariesAvailable()) {
    return MakeError(ErrorKind::kIo, "no PostgreSQL server binaries (initdb, pg_ctl) found for a sandbox: install "
                                     "Debian's postgresql package (scripts/setup does)");
  }
  ASSIGN_OR_RETURN(std::string tmp, TempFolder());
  PgClusterOptions opt;
  opt.dir = tmp + "/pg";
  opt.stop_on_destroy = true;
  auto started = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(cluster_, PgCluster::Start(opt));
  start_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  return cluster_.get();
}

Result<std::string> ScratchServer::NewPostgresDatabase(std::string_view prefix) {
  ASSIGN_OR_RETURN(PgCluster * cluster, Cluster());
  std::string name;
  for (char c : prefix) name += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  name = fmt::format("strata_{}_{}_{}", name.substr(0, 30), ::getpid(), ++counter_);
  ASSIGN_OR_RETURN(std::string url, cluster->CreateDatabase(name));
  databases_.push_back(name);
  return url;
}

Result<std::string> ScratchServer::NewSqliteDatabase(std::string_view prefix) {
  ASSIGN_OR_RETURN(std::string tmp, TempFolder());
  std::string name;
  for (char c : prefix) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return fmt::format("sqlite:{}/{}_{}.db", tmp, name, ++counter_);
}

void ScratchServer::Drop(const std::string& url) {
  if (!cluster_) return;
  std::string name = url.substr(url.rfind('/') + 1);
  auto it = std::find(databases_.begin(), databases_.end(), name);
  if (it == databases_.end()) return;
  (void)cluster_->DropDatabase(name);
  databases_.erase(it);
}

}  // namespace strata
