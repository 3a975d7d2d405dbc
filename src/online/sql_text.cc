#include "online/sql_text.h"

#include <cctype>

#include "util/hash.h"

namespace strata::online {

std::string Ident(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Qualified(std::string_view schema, std::string_view name) { return Ident(schema) + "." + Ident(name); }

std::string Literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

static constexpr std::string_view kTempPrefix = "_strata_new_";

std::string TempColumn(std::string_view name) { return ShortName(std::string(kTempPrefix) + std::string(name)); }
bool IsTempColumn(std::string_view name) { return name.starts_with(kTempPrefix); }

std::string ShortName(std::string_view name) {
  if (name.size() <= 63) return std::string(name);
  return std::string(name.substr(0, 54)) + "_" + Sha256Hex(name).substr(0, 8);
}

namespace {
bool IdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80); }
bool IdentChar(char c) { return IdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$'; }
std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

std::string RewriteColumns(std::string_view e, const std::map<std::string, std::string>& renames) {
  std::string out;
  size_t i = 0;
  char prev_sig = 0;  // last non-space character emitted, to spot qualified names
  auto emit = [&](std::string_view s) {
    out += s;
    for (char c : s)
      if (!std::isspace(static_cast<unsigned char>(c))) prev_sig = c;
  };
  while (i < e.size()) {
    char c = e[i];
    if (c == '\'') {  // string literal
      size_t j = i + 1;
      while (j < e.size()) {
        if (e[j] == '\'' && j + 1 < e.size() && e[j + 1] == '\'') { j += 2; continue; }
        if (e[j] == '\'') break;
        ++j;
      }
      emit(e.substr(i, j + 1 - i));
      i = j + 1;
    } else if (c == '-' && i + 1 < e.size() && e[i + 1] == '-') {
      size_t j = e.find('\n', i);
      if (j == std::string_view::npos) j = e.size();
      out += e.substr(i, j - i);
      i = j;
    } else if (c == '$' && (i + 1 < e.size()) && (e[i + 1] == '$' || IdentStart(e[i + 1]))) {
      size_t j = e.find('$', i + 1);
      if (j == std::string_view::npos) { emit(e.substr(i)); break; }
      std::string_view tag = e.substr(i, j + 1 - i);
      size_t end = e.find(tag, j + 1);
      if (end == std::string_view::npos) { emit(e.substr(i)); break; }
      emit(e.substr(i, end + tag.size() - i));
      i = end + tag.size();
    } else if (c == '"') {
      size_t j = i + 1;
      std::string name;
      while (j < e.size()) {
        if (e[j] == '"' && j + 1 < e.size() && e[j + 1] == '"') { name += '"'; j += 2; continue; }
        if (e[j] == '"') break;
        name += e[j++];
      }
      bool qualified = prev_sig == '.' || (j + 1 < e.size() && e[j + 1] == '.');
      auto it = renames.find(name);
      if (!qualified && it != renames.end()) emit(Ident(it->second));
      else emit(e.substr(i, j + 1 - i));
      i = j + 1;
    } else if (IdentStart(c)) {
      size_t j = i;
      while (j < e.size() && IdentChar(e[j])) ++j;
      std::string word = Lower(e.substr(i, j - i));
      size_t k = j;
      while (k < e.size() && std::isspace(static_cast<unsigned char>(e[k]))) ++k;
      bool qualified = prev_sig == '.' || (k < e.size() && e[k] == '.');
      bool call = k < e.size() && e[k] == '(';
      auto it = renames.find(word);
      if (!qualified && !call && it != renames.end()) emit(Ident(it->second));
      else emit(e.substr(i, j - i));
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < e.size() && (std::isalnum(static_cast<unsigned char>(e[j])) || e[j] == '.')) ++j;
      emit(e.substr(i, j - i));
      i = j;
    } else {
      emit(e.substr(i, 1));
      ++i;
    }
  }
  return out;
}

}  // namespace strata::online
