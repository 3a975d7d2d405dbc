#include "project/migration_loader.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "util/files.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace strata {
namespace {

// Splits "<id>_<name>" into id and name; kInput when there is no '_' or either part is empty.
Result<std::pair<std::string, std::string>> SplitIdName(const std::string& base, const std::string& path) {
  size_t us = base.find('_');
  if (us == std::string::npos || us == 0 || us + 1 == base.size()) {
    return MakeErrorAt(ErrorKind::kInput, path, 0,
                       fmt::format("cannot tell id and name from '{}': name migrations <id>_<name> "
                                   "(e.g. 20250801120000_add_birthdate.sql)",
                                   base));
  }
  std::string id = base.substr(0, us);
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) {
      return MakeErrorAt(ErrorKind::kInput, path, 0,
                         fmt::format("migration id '{}' may hold only letters, digits, '.' and '-'", id));
    }
  }
  return std::pair{id, base.substr(us + 1)};
}

Result<void> ApplySetting(Migration& m, const std::string& key, const std::string& value, const std::string& file,
                          int line) {
  auto fail = [&](std::string msg) { return MakeErrorAt(ErrorKind::kInput, file, line, std::move(msg)); };
  if (key == "lock-timeout" || key == "lock_timeout" || key == "statement-timeout" || key == "statement_timeout" ||
      key == "retry-delay" || key == "retry_delay") {
    auto d = ParseDuration(value);
    if (!d) return fail(fmt::format("{}: {}", key, d.error().message));
    if (key[0] == 'l') m.settings.lock_timeout = *d;
    else if (key[0] == 's') m.settings.statement_timeout = *d;
    else m.settings.retry_delay = *d;
    return {};
  }
  if (key == "lock-retries" || key == "lock_retries") {
    try {
      size_t used = 0;
      int n = std::stoi(value, &used);
      if (used != value.size() || n < 0) throw std::invalid_argument("x");
      m.settings.lock_retries = n;
    } catch (...) {
      return fail(fmt::format("lock-retries wants a whole number ≥ 0, not '{}'", value));
    }
    return {};
  }
  return fail(fmt::format("unknown setting '{}'", key));
}

}  // namespace

Result<Migration> ParseMigrationFile(const std::string& file_name, std::string_view text) {
  Migration m;
  m.path = file_name;
  size_t slash = file_name.rfind('/');
  std::string base = slash == std::string::npos ? file_name : file_name.substr(slash + 1);
  if (base.size() > 4 && base.ends_with(".sql")) base.resize(base.size() - 4);
  ASSIGN_OR_RETURN(auto idname, SplitIdName(base, file_name));
  m.id = idname.first;
  m.name = idname.second;

  auto fail = [&](int line, std::string msg) { return MakeErrorAt(ErrorKind::kInput, file_name, line, std::move(msg)); };
  Section* current = nullptr;
  int irreversible_line = 0;
  auto lines = SplitLines(text);
  // Byte offset of each line start, to cut sections out of the original text unchanged.
  std::vector<size_t> starts;
  {
    size_t pos = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      starts.push_back(pos);
      size_t nl = text.find('\n', pos);
      pos = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    starts.push_back(text.size());
  }
  std::vector<std::pair<Section*, int>> opened;  // section, first body line index
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = Trim(lines[i]);
    int lineno = static_cast<int>(i) + 1;
    if (line.starts_with("-- +strata")) {
      auto words = SplitWords(line.substr(10));
      if (words.size() != 1) return fail(lineno, "a section marker is '-- +strata up', '-- +strata down' or '-- +strata verify'");
      Section* s = words[0] == "up" ? &m.up : words[0] == "down" ? &m.down : words[0] == "verify" ? &m.verify : nullptr;
      if (s == nullptr) {
        return fail(lineno, fmt::format("unknown section '{}': sections are up, down and verify", words[0]));
      }
      if (s->present) return fail(lineno, fmt::format("second '{}' section (the first starts at line {})", words[0], s->line - 1));
      s->present = true;
      s->file = file_name;
      s->line = lineno + 1;
      current = s;
      opened.push_back({s, static_cast<int>(i) + 1});
      continue;
    }
    if (line.starts_with("-- strata:")) {
      std::string_view rest = line.substr(10);
      size_t sp = rest.find_first_of(" \t");
      std::string key(rest.substr(0, sp));
      std::string value(sp == std::string_view::npos ? "" : Trim(rest.substr(sp)));
      if (key == "parents") {
        if (m.parents_explicit) return fail(lineno, "second strata:parents line");
        m.parents = SplitWords(value);
        m.parents_explicit = true;
        m.parents_file = file_name;
        m.parents_line = lineno;
        if (m.parents.empty()) return fail(lineno, "strata:parents needs at least one migration id");
      } else if (key == "requires") {
        auto reqs = SplitWords(value);
        if (reqs.empty()) return fail(lineno, "strata:requires needs at least one service/migration, e.g. users/20250801");
        for (const auto& r : reqs) {
          if (r.find('/') == std::string::npos || r.front() == '/' || r.back() == '/') {
            return fail(lineno, fmt::format("strata:requires '{}': write service/migration, e.g. users/20250801", r));
          }
          m.requires_migrations.push_back(r);
        }
        m.requires_file = file_name;
        m.requires_line = lineno;
      } else if (key == "no-transaction") {
        if (!value.empty()) return fail(lineno, "strata:no-transaction takes no value");
        m.no_transaction = true;
      } else if (key == "irreversible") {
        if (value.empty()) return fail(lineno, "strata:irreversible needs a reason, e.g. '-- strata:irreversible drops data'");
        m.irreversible = value;
        irreversible_line = lineno;
      } else if (key == "ignore") {
        // Lint suppressions are read by strata lint.
      } else if (key == "lock-timeout" || key == "statement-timeout" || key == "lock-retries" || key == "retry-delay") {
        TRY_VOID(ApplySetting(m, key, value, file_name, lineno));
      } else {
        return fail(lineno, fmt::format("unknown directive 'strata:{}' (known: parents, requires, no-transaction, irreversible, "
                                        "lock-timeout, statement-timeout, lock-retries, retry-delay, ignore)",
                                        key));
      }
      continue;
    }
    if (current == nullptr && !line.empty() && !line.starts_with("--")) {
      return fail(lineno, "SQL before the first section: start the up part with '-- +strata up'");
    }
  }
  // Cut each section's text: from its first body line to the next marker line.
  for (size_t k = 0; k < opened.size(); ++k) {
    size_t begin_line = opened[k].second;
    size_t end_line = k + 1 < opened.size() ? opened[k + 1].second - 1 : lines.size();
    opened[k].first->sql = std::string(text.substr(starts[begin_line], starts[end_line] - starts[begin_line]));
  }
  if (!m.up.present) return fail(0, "no '-- +strata up' section");
  if (m.down.present && m.irreversible) {
    return fail(irreversible_line, "marked irreversible but has a down section: keep one of the two");
  }
  if (!m.down.present && !m.irreversible) {
    return fail(0, "no '-- +strata down' section: write one, or say why there is none with '-- strata:irreversible <reason>'");
  }
  m.checksum = ComputeChecksum(m);
  return m;
}

namespace {

Result<Migration> LoadFolderMigration(const fs::path& dir, const std::string& rel, LoadedMigrations& out) {
  Migration m;
  m.path = dir.string();
  ASSIGN_OR_RETURN(auto idname, SplitIdName(dir.filename().string(), dir.string()));
  m.id = idname.first;
  m.name = idname.second;
  std::error_code ec;
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(dir, ec)) entries.push_back(e.path());
  if (ec) return MakeErrorAt(ErrorKind::kIo, dir.string(), 0, "cannot list folder: " + ec.message());
  std::sort(entries.begin(), entries.end());
  for (const fs::path& p : entries) {
    std::string name = p.filename().string();
    if (name.starts_with(".")) continue;
    Section* s = name == "up.sql" ? &m.up : name == "down.sql" ? &m.down : name == "verify.sql" ? &m.verify : nullptr;
    if (s == nullptr && name != "strata.yaml" && name != "README.md") {
      return MakeErrorAt(ErrorKind::kInput, p.string(), 0,
                         "unexpected file in a migration folder (allowed: up.sql, down.sql, verify.sql, strata.yaml, README.md)");
    }
    ASSIGN_OR_RETURN(std::string content, ReadFile(p));
    out.files.push_back(FileContent{rel + "/" + name, content});
    if (s != nullptr) {
      s->present = true;
      s->sql = std::move(content);
      s->file = p.string();
      s->line = 1;
      continue;
    }
    if (name != "strata.yaml") continue;
    std::string file = p.string();
    YAML::Node doc;
    try {
      doc = YAML::Load(content);
    } catch (const YAML::Exception& ex) {
      return MakeErrorAt(ErrorKind::kInput, file, ex.mark.line + 1, ex.msg);
    }
    if (!doc.IsNull() && !doc.IsMap()) return MakeErrorAt(ErrorKind::kInput, file, 1, "expected a mapping of settings");
    if (doc.IsMap()) {
      for (const auto& kv : doc) {
        std::string key = kv.first.as<std::string>();
        int line = kv.first.Mark().line + 1;
        const YAML::Node& v = kv.second;
        try {
          if (key == "parents") {
            m.parents_explicit = true;
            m.parents_file = file;
            m.parents_line = line;
            if (v.IsSequence()) {
              for (const auto& item : v) m.parents.push_back(item.as<std::string>());
            } else {
              m.parents = SplitWords(v.as<std::string>());
            }
            if (m.parents.empty()) return MakeErrorAt(ErrorKind::kInput, file, line, "parents needs at least one migration id");
          } else if (key == "no_transaction") {
            m.no_transaction = v.as<bool>();
          } else if (key == "irreversible") {
            std::string reason = v.as<std::string>();
            if (Trim(reason).empty() || reason == "true") {
              return MakeErrorAt(ErrorKind::kInput, file, line, "irreversible needs a reason (a sentence), not just true");
            }
            m.irreversible = reason;
          } else if (key == "requires") {
            std::vector<std::string> reqs;
            if (v.IsSequence()) {
              for (const auto& item : v) reqs.push_back(item.as<std::string>());
            } else {
              reqs = SplitWords(v.as<std::string>());
            }
            for (const auto& r : reqs) {
              if (r.find('/') == std::string::npos || r.front() == '/' || r.back() == '/') {
                return MakeErrorAt(ErrorKind::kInput, file, line,
                                   fmt::format("requires '{}': write service/migration, e.g. users/20250801", r));
              }
            }
            m.requires_migrations = std::move(reqs);
            m.requires_file = file;
            m.requires_line = line;
          } else if (key == "description" || key == "owner" || key == "tags") {
            // Metadata for people and later tools; not used while applying.
          } else {
            TRY_VOID(ApplySetting(m, key, v.as<std::string>(), file, line));
          }
        } catch (const YAML::Exception& ex) {
          return MakeErrorAt(ErrorKind::kInput, file, line, fmt::format("bad value for {}: {}", key, ex.msg));
        }
      }
    }
  }
  if (!m.up.present) return MakeErrorAt(ErrorKind::kInput, dir.string(), 0, "migration folder has no up.sql");
  if (m.down.present && m.irreversible) {
    return MakeErrorAt(ErrorKind::kInput, dir.string(), 0, "marked irreversible in strata.yaml but has a down.sql: keep one");
  }
  if (!m.down.present && !m.irreversible) {
    return MakeErrorAt(ErrorKind::kInput, dir.string(), 0,
                       "no down.sql: write one, or give the reason in strata.yaml (irreversible: \"<reason>\")");
  }
  m.checksum = ComputeChecksum(m);
  return m;
}

}  // namespace

Result<LoadedMigrations> LoadMigrations(const std::string& dir, const std::string& service) {
  LoadedMigrations out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return MakeErrorAt(ErrorKind::kInput, dir, 0, "migrations folder does not exist (strata init creates one)");
  }
  // Sorted by file name (plain string compare: fs::path comparison is far slower).
  std::vector<std::pair<std::string, fs::directory_entry>> entries;
  for (const auto& e : fs::directory_iterator(dir, ec)) entries.emplace_back(e.path().filename().string(), e);
  if (ec) return MakeErrorAt(ErrorKind::kIo, dir, 0, "cannot list folder: " + ec.message());
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  out.migrations.reserve(entries.size());
  out.files.reserve(entries.size());
  for (const auto& [name, entry] : entries) {
    const fs::path& p = entry.path();
    if (name.starts_with(".") || name == "strata.sum") continue;
    if (entry.is_directory(ec)) {  // from the directory listing: no stat per file
      ASSIGN_OR_RETURN(Migration m, LoadFolderMigration(p, name, out));
      m.service = service;
      out.migrations.push_back(std::move(m));
    } else if (name.ends_with(".sql")) {
      ASSIGN_OR_RETURN(std::string content, ReadFile(p, entry.is_regular_file(ec)));
      ASSIGN_OR_RETURN(Migration m, ParseMigrationFile(p.string(), content));
      m.service = service;
      out.files.push_back(FileContent{name, std::move(content)});
      out.migrations.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace strata
