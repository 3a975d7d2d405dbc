#include "testkit/seed_data.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace strata {

Result<std::vector<SeedFile>> LoadSeeds(const std::string& dir, const std::vector<std::string>& ids) {
  std::vector<SeedFile> out;
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return out;
  std::set<std::string> known(ids.begin(), ids.end());
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".sql" || ext == ".csv")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    SeedFile s;
    s.path = p.string();
    s.csv = p.extension() == ".csv";
    std::string stem = p.stem().string();
    auto us = stem.find('_');
    if (us != std::string::npos && known.count(stem.substr(0, us))) {
      s.after_id = stem.substr(0, us);
      stem = stem.substr(us + 1);
    }
    if (s.csv) {
      std::string quoted;
      size_t start = 0;
      while (true) {
        size_t dot = stem.find('.', start);
        std::string part = stem.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        std::string q = "\"";
        for (char c : part) q += c == '"' ? std::string("\"\"") : std::string(1, c);
        quoted += (quoted.empty() ? "" : ".") + q + "\"";
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
      s.table = quoted;
    }
    std::ifstream in(p, std::ios::binary);
    if (!in) return MakeError(ErrorKind::kIo, "cannot read " + s.path);
    std::stringstream ss;
    ss << in.rdbuf();
    s.text = ss.str();
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<std::vector<std::optional<std::string>>>> ParseCsv(std::string_view text, const std::string& file) {
  std::vector<std::vector<std::optional<std::string>>> records;
  std::vector<std::optional<std::string>> record;
  std::string field;
  bool quoted = false, in_quotes = false, any = false;
  int line = 1, quote_line = 0;
  auto end_field = [&] {
    if (quoted || !field.empty()) record.push_back(field);
    else record.push_back(std::nullopt);
    field.clear();
    quoted = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      in_quotes = quoted = true;
      quote_line = line;
      any = true;
    } else if (c == ',') {
      end_field();
      any = true;
    } else if (c == '\r') {
      continue;
    } else if (c == '\n') {
      if (any || !field.empty()) {
        end_field();
        records.push_back(std::move(record));
        record.clear();
      }
      any = false;
      ++line;
    } else {
      field += c;
      any = true;
    }
  }
  if (in_quotes) return MakeErrorAt(ErrorKind::kInput, file, quote_line, "unterminated quoted field");
  if (any || !field.empty()) {
    end_field();
    records.push_back(std::move(record));
  }
  return records;
}

Result<long long> RunSeed(Engine& engine, const SeedFile& seed) {
  if (!seed.csv) {
    if (auto r = engine.Exec(seed.text); !r) {
      Error e = r.error();
      e.message = fmt::format("seed {}: {}", seed.path, e.message);
      return std::unexpected(e);
    }
    return 0;
  }
  ASSIGN_OR_RETURN(auto records, ParseCsv(seed.text, seed.path));
  if (records.empty()) return 0;
  const auto& header = records.front();
  std::string cols, params;
  for (size_t i = 0; i < header.size(); ++i) {
    if (!header[i] || header[i]->empty()) return MakeErrorAt(ErrorKind::kInput, seed.path, 1, "empty column name in the header");
    std::string q = "\"";
    for (char c : *header[i]) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    cols += (i ? ", " : "") + q + "\"";
    params += fmt::format("{}${}", i ? ", " : "", i + 1);
  }
  const std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ({})", seed.table, cols, params);
  std::vector<BoundStatement> batch;
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != header.size()) {
      return MakeErrorAt(ErrorKind::kInput, seed.path, static_cast<int>(r) + 1,
                         fmt::format("{} fields, the header has {}", records[r].size(), header.size()));
    }
    batch.push_back({sql, records[r], ""});
  }
  if (auto res = engine.RunTransaction(batch, {}, false); !res) {
    Error e = res.error();
    const int row = e.statement_index >= 0 ? e.statement_index + 2 : 0;
    return MakeErrorAt(ErrorKind::kDatabase, seed.path, row, "seed row rejected: " + e.message);
  }
  return static_cast<long long>(batch.size());
}

}  // namespace strata
