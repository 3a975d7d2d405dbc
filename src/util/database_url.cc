#include "util/database_url.h"

#include <cctype>
#include <fmt/format.h>

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

namespace {

bool SchemeChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '.' || c == '-'; }
bool Space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Case-insensitive "password" at position i, followed by optional spaces and '='; returns the
// position after '=' or npos.
size_t PasswordKey(std::string_view s, size_t i) {
  static constexpr std::string_view kKey = "password";
  if (i + kKey.size() > s.size()) return std::string_view::npos;
  for (size_t k = 0; k < kKey.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(s[i + k])) != kKey[k]) return std::string_view::npos;
  }
  if (i > 0 && (std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '_')) return std::string_view::npos;
  size_t j = i + kKey.size();
  while (j < s.size() && Space(s[j])) ++j;
  if (j >= s.size() || s[j] != '=') return std::string_view::npos;
  ++j;
  while (j < s.size() && Space(s[j])) ++j;
  return j;
}

}  // namespace

// Hand-written rather than std::regex: this runs on every URL strata opens, and compiling the
// equivalent regular expressions costs more than the rest of `strata status` start-up.
std::string RedactSecrets(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    // scheme://user:secret@  ->  scheme://user:****@
    if (s[i] == ':' && i + 2 < s.size() && s[i + 1] == '/' && s[i + 2] == '/' && i > 0 && SchemeChar(s[i - 1])) {
      out.append("://");
      size_t j = i + 3;
      size_t user_end = j;
      while (user_end < s.size() && s[user_end] != ':' && s[user_end] != '/' && s[user_end] != '@' && !Space(s[user_end])) ++user_end;
      if (user_end < s.size() && s[user_end] == ':') {
        size_t k = user_end + 1;
        while (k < s.size() && s[k] != '@' && s[k] != '/' && !Space(s[k])) ++k;
        if (k < s.size() && s[k] == '@') {
          out.append(s.substr(j, user_end - j));
          out.append(":****@");
          i = k + 1;
          continue;
        }
      }
      i = j;
      continue;
    }
    // password=secret, password = 'a b'  ->  password=****
    if (size_t v = PasswordKey(s, i); v != std::string_view::npos) {
      out.append(s.substr(i, v - i));
      out.append("****");
      if (v < s.size() && s[v] == '\'') {
        size_t close = s.find('\'', v + 1);
        i = close == std::string_view::npos ? s.size() : close + 1;
      } else {
        while (v < s.size() && !Space(s[v]) && s[v] != '&') ++v;
        i = v;
      }
      continue;
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

}  // namespace strata
