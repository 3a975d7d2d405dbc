#include "util/database_url.h"

#include <cctype>
#include <fmt/format.h>
#include <regex>

namespace strata {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Checks the authority of a postgres:// URL: an optional user[:password]@, then host[:port]
// entries separated by commas. Returns an error message or "".
std::string CheckPostgresUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  std::string_view rest = url.substr(scheme_end + 3);
  size_t path = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path);
  size_t at = authority.rfind('@');
  std::string_view hosts = at == std::string_view::npos ? authority : authority.substr(at + 1);
  size_t b = 0;
  while (b <= hosts.size()) {
    size_t e = hosts.find(',', b);
    if (e == std::string_view::npos) e = hosts.size();
    std::string_view host = hosts.substr(b, e - b);
    size_t colon = host.rfind(':');
    if (!host.empty() && host.front() == '[') {  // [ipv6]:port
      size_t close = host.find(']');
      if (close == std::string_view::npos) return "unterminated [ in the host";
      colon = host.find(':', close);
    }
    if (colon != std::string_view::npos) {
      std::string_view port = host.substr(colon + 1);
      if (port.empty()) return "empty port";
      for (char c : port) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return fmt::format("port '{}' is not a number", port);
      }
      if (std::stol(std::string(port)) > 65535) return fmt::format("port {} is out of range", port);
    }
    b = e + 1;
  }
  return "";
}

}  // namespace

Result<DatabaseUrl> DatabaseUrl::Parse(std::string_view text) {
  DatabaseUrl u;
  u.raw_ = std::string(text);
  if (text.empty()) {
    return MakeError(ErrorKind::kInput, "no database URL: pass --url, set DATABASE_URL, or use a project with strata.toml");
  }
  if (StartsWith(text, "postgres://") || StartsWith(text, "postgresql://")) {
    u.engine_ = EngineKind::kPostgres;
    std::string problem = CheckPostgresUrl(text);
    if (!problem.empty()) {
      return MakeError(ErrorKind::kInput, fmt::format("bad database URL {}: {}", u.Redacted(), problem));
    }
    return u;
  }
  if (StartsWith(text, "sqlite:")) {
    u.engine_ = EngineKind::kSqlite;
    std::string_view path = text.substr(7);
    if (StartsWith(path, "//")) path = path.substr(2);
    if (path.empty()) return MakeError(ErrorKind::kInput, "bad database URL sqlite: — no file path (write sqlite:PATH or sqlite::memory:)");
    u.sqlite_path_ = std::string(path);
    return u;
  }
  // A libpq key=value connection string ("host=db dbname=app").
  if (text.find('=') != std::string_view::npos && text.find("://") == std::string_view::npos) {
    u.engine_ = EngineKind::kPostgres;
    return u;
  }
  return MakeError(ErrorKind::kInput,
                   fmt::format("unsupported database URL '{}': expected postgres://…, postgresql://…, sqlite:PATH or "
                               "sqlite::memory:",
                               RedactSecrets(text)));
}

std::string DatabaseUrl::Redacted() const { return RedactSecrets(raw_); }

std::string RedactSecrets(std::string_view text) {
  static const std::regex kUserInfo(R"(([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*):[^@\s/]*@)");
  static const std::regex kKeyValue(R"((password\s*=\s*)('[^']*'|[^\s&]+))", std::regex::icase);
  std::string s(text);
  s = std::regex_replace(s, kUserInfo, "$1:****@");
  s = std::regex_replace(s, kKeyValue, "$1****");
  return s;
}

}  // namespace strata
