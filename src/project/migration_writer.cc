#include "project/migration_writer.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>

#include "core/integrity.h"
#include "project/migration_loader.h"
#include "util/files.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace strata {

std::string NextMigrationId(const std::vector<std::string>& ids, long long now) {
  std::string max_id;
  bool numeric = !ids.empty();
  size_t width = 0;
  for (const std::string& id : ids) {
    max_id = std::max(max_id, id);
    bool digits = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (!digits || (width && id.size() != width)) numeric = false;
    width = id.size();
  }
  if (numeric && width < 14) {
    unsigned long long next = std::stoull(max_id) + 1;
    std::string id = fmt::format("{:0{}}", next, width);
    if (id.size() == width) return id;
  }
  std::time_t t = now != 0 ? static_cast<std::time_t>(now) : std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  std::string id = buf;
  // After the newest id: a timestamp-shaped maximum is bumped by one; any other shape (letters,
  // a longer number) gets the maximum's digits-only prefix bumped, or a suffix that sorts after it.
  if (!max_id.empty() && id <= max_id) {
    bool digits = std::all_of(max_id.begin(), max_id.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (digits && max_id.size() == id.size()) {
      id = std::to_string(std::stoull(max_id) + 1);
    } else {
      id = max_id + "-1";
      while (std::find(ids.begin(), ids.end(), id) != ids.end()) id += "1";
    }
  }
  return id;
}

std::string MigrationSlug(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    else if (!out.empty() && out.back() != '_') out.push_back('_');
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

bool ValidMigrationId(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) return false;
  }
  return true;
}

Result<std::string> WriteNewMigration(const NewMigration& m, const std::string& service) {
  fs::path dir = m.dir;
  std::string base = m.id + "_" + m.slug;
  fs::path created;
  std::string up = "-- " + m.description + "\n";
  std::error_code ec;
  if (m.folder) {
    created = dir / base;
    if (fs::exists(created, ec)) return MakeErrorAt(ErrorKind::kInput, created.string(), 0, "already exists");
    fs::create_directories(created, ec);
    std::string yaml = "# settings of this migration: parents, no_transaction, irreversible, lock_timeout …\n";
    if (!m.parents.empty()) yaml += "parents: [" + Join(m.parents, ", ") + "]\n";
    for (auto [file, text] : {std::pair{"up.sql", up}, std::pair{"down.sql", std::string("-- undo ") + m.description + "\n"},
                              std::pair{"strata.yaml", yaml}}) {
      if (auto r = WriteFileAtomic(created / file, text); !r) {
        fs::remove_all(created, ec);
        return std::unexpected(r.error());
      }
    }
  } else {
    created = dir / (base + ".sql");
    if (fs::exists(created, ec)) return MakeErrorAt(ErrorKind::kInput, created.string(), 0, "already exists");
    std::string text;
    if (!m.parents.empty()) text += "-- strata:parents " + Join(m.parents, " ") + "\n";
    text += "-- +strata up\n" + up + "\n-- +strata down\n-- undo " + m.description + "\n";
    TRY_VOID(WriteFileAtomic(created, text));
  }
  auto reloaded = LoadMigrations(dir.string(), service);
  if (!reloaded) {
    fs::remove_all(created, ec);  // leave the folder as it was
    return std::unexpected(reloaded.error());
  }
  if (auto r = WriteFileAtomic(dir / "strata.sum", IntegrityFile::Compute(reloaded->files).Render()); !r) {
    fs::remove_all(created, ec);
    return std::unexpected(r.error());
  }
  return created.string();
}

namespace {

// Lines with their '\n' (the last one may lack it).
std::vector<std::string> RawLines(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    out.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

}  // namespace

std::string SetFileParents(std::string_view text, const std::vector<std::string>& parents) {
  std::vector<std::string> lines = RawLines(text);
  std::string directive = parents.empty() ? "" : "-- strata:parents " + Join(parents, " ") + "\n";
  bool replaced = false;
  std::string out;
  for (const std::string& line : lines) {
    std::string_view t = Trim(line);
    if (!replaced && t.starts_with("-- strata:parents") &&
        (t.size() == 17 || t[17] == ' ' || t[17] == '\t')) {
      out += directive;
      replaced = true;
      continue;
    }
    out += line;
  }
  if (!replaced) out = directive + out;
  return out;
}

std::string SetYamlParents(std::string_view yaml, const std::vector<std::string>& parents) {
  std::vector<std::string> lines = RawLines(yaml);
  std::string entry = parents.empty() ? "" : "parents: [" + Join(parents, ", ") + "]\n";
  std::string out;
  bool replaced = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (!replaced && line.starts_with("parents:")) {
      out += entry;
      replaced = true;
      // A block sequence (or a value continued on indented lines) belongs to the key.
      while (i + 1 < lines.size() && (lines[i + 1].starts_with(" ") || lines[i + 1].starts_with("\t") ||
                                      lines[i + 1].starts_with("-"))) {
        ++i;
      }
      continue;
    }
    out += line;
  }
  if (!replaced) {
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += entry;
  }
  return out;
}

}  // namespace strata
