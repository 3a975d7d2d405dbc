#include "sandbox/sqlite_sandbox.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <unistd.h>

#include "util/files.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace strata {

Result<std::optional<SqliteSandbox>> SqliteSandbox::Open(const std::string& state_file, bool create) {
  SqliteSandbox s;
  s.state_file_ = state_file;
  std::error_code ec;
  if (fs::exists(state_file, ec)) {
    ASSIGN_OR_RETURN(std::string text, ReadFile(state_file));
    std::string dir(Trim(text));
    if (!dir.empty() && fs::is_directory(dir, ec)) {
      s.dir_ = dir;
      return std::optional<SqliteSandbox>(std::move(s));
    }
  }
  if (!create) return std::optional<SqliteSandbox>();
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = (fs::path(tmp && *tmp ? tmp : "/tmp") / "strata-sqlite-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return MakeErrorAt(ErrorKind::kIo, tmpl, 0, fmt::format("cannot create the sandbox folder: {}", std::strerror(errno)));
  }
  s.dir_ = tmpl;
  fs::create_directories(fs::path(state_file).parent_path(), ec);
  if (auto r = WriteFileAtomic(state_file, s.dir_ + "\n"); !r) {
    fs::remove_all(s.dir_, ec);
    return std::unexpected(r.error());
  }
  return std::optional<SqliteSandbox>(std::move(s));
}

Result<std::string> SqliteSandbox::Url(std::string_view name) const {
  if (name.empty()) return MakeError(ErrorKind::kUsage, "--db: a database name is needed");
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      return MakeError(ErrorKind::kUsage, fmt::format("--db '{}': use letters, digits and _", name));
    }
  }
  return fmt::format("sqlite:{}/{}.db", dir_, name);
}

Result<std::string> SqliteSandbox::CreateDatabase(std::string_view name) const {
  ASSIGN_OR_RETURN(std::string url, Url(name));
  std::string path = fmt::format("{}/{}.db", dir_, name);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    // An empty file is an empty SQLite database.
    std::ofstream out(path, std::ios::binary);
    if (!out) return MakeErrorAt(ErrorKind::kIo, path, 0, "cannot create the database file");
  }
  return url;
}

Result<void> SqliteSandbox::Remove() const {
  std::error_code ec;
  fs::remove_all(dir_, ec);
  if (ec) return MakeErrorAt(ErrorKind::kIo, dir_, 0, "cannot delete the sandbox folder: " + ec.message());
  fs::remove(state_file_, ec);
  return {};
}

}  // namespace strata
