#include "util/text.h"

#include <cctype>
#include <cstdlib>
#include <fmt/format.h>

namespace strata {

std::string_view Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::vector<std::string> SplitWords(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t b = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > b) out.emplace_back(s.substr(b, i - b));
  }
  return out;
}

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t b = 0;
  while (b < s.size()) {
    size_t e = s.find('\n', b);
    if (e == std::string_view::npos) e = s.size();
    size_t stop = e;
    if (stop > b && s[stop - 1] == '\r') --stop;
    out.push_back(s.substr(b, stop - b));
    b = e + 1;
  }
  return out;
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  std::string_view t = Trim(text);
  if (t == "0") return std::chrono::milliseconds(0);
  size_t i = 0;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
  std::string number(t.substr(0, i));
  std::string_view unit = t.substr(i);
  char* end = nullptr;
  double v = number.empty() ? -1 : std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size() || v < 0) {
    return MakeError(ErrorKind::kInput, fmt::format("'{}' is not a duration (write e.g. 500ms, 2s, 5m)", text));
  }
  double factor;
  if (unit == "ms") factor = 1;
  else if (unit == "s") factor = 1000;
  else if (unit == "m" || unit == "min") factor = 60000;
  else if (unit == "h") factor = 3600000;
  else return MakeError(ErrorKind::kInput, fmt::format("'{}' is not a duration (units: ms, s, m, h)", text));
  return std::chrono::milliseconds(static_cast<long long>(v * factor + 0.5));
}

std::string FormatDuration(std::chrono::milliseconds ms) {
  long long v = ms.count();
  if (v == 0) return "0";
  if (v % 3600000 == 0) return fmt::format("{}h", v / 3600000);
  if (v % 60000 == 0) return fmt::format("{}m", v / 60000);
  if (v % 1000 == 0) return fmt::format("{}s", v / 1000);
  if (v > 1000) return fmt::format("{:g}s", v / 1000.0);
  return fmt::format("{}ms", v);
}

Result<std::string> ExpandEnv(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '$') {
      out.push_back('$');
      ++i;
    } else if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos) {
        return MakeError(ErrorKind::kInput, "unterminated ${ in a value");
      }
      std::string name(text.substr(i + 2, close - i - 2));
      const char* v = std::getenv(name.c_str());
      if (v == nullptr) {
        return MakeError(ErrorKind::kInput, fmt::format("environment variable {} is not set", name));
      }
      out += v;
      i = close;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

}  // namespace strata
