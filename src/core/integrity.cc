#include "core/integrity.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>

#include "util/hash.h"
#include "util/text.h"

namespace strata {
namespace {

std::string ChainTotal(const std::vector<SumEntry>& entries) {
  std::string link = Sha256Hex("strata.sum v1");
  for (const SumEntry& e : entries) {
    link = Sha256Hex(link + "\n" + e.path + "\n" + e.hash);
  }
  return "h1:" + Sha256Base64(link);
}

}  // namespace

IntegrityFile IntegrityFile::Compute(std::vector<FileContent> files) {
  std::sort(files.begin(), files.end(), [](const FileContent& a, const FileContent& b) { return a.path < b.path; });
  IntegrityFile f;
  for (const FileContent& fc : files) {
    f.entries_.push_back(SumEntry{fc.path, "h1:" + Sha256Base64(fc.content), 0});
  }
  f.total_ = ChainTotal(f.entries_);
  return f;
}

Result<IntegrityFile> IntegrityFile::Parse(std::string_view text, const std::string& file_name) {
  IntegrityFile f;
  auto lines = SplitLines(text);
  int n = 0;
  for (std::string_view raw : lines) {
    ++n;
    std::string_view line = Trim(raw);
    if (line.empty()) continue;
    if (line.starts_with("<<<<<<<") || line.starts_with(">>>>>>>") || line.starts_with("=======")) {
      return MakeErrorAt(ErrorKind::kInput, file_name, n,
                         "unresolved git conflict: two branches added migrations. Keep both files, give the later one a "
                         "new id after the other (or add a merge migration with `strata new --merge`), then run "
                         "`strata hash`");
    }
    if (f.total_.empty() && f.entries_.empty()) {
      if (!line.starts_with("h1:") || line.find(' ') != std::string_view::npos) {
        return MakeErrorAt(ErrorKind::kInput, file_name, n, "first line must be the total, h1:<hash>");
      }
      f.total_ = std::string(line);
      continue;
    }
    auto words = SplitWords(line);
    if (words.size() != 2 || !words[1].starts_with("h1:")) {
      return MakeErrorAt(ErrorKind::kInput, file_name, n, "expected '<path> h1:<hash>'");
    }
    f.entries_.push_back(SumEntry{words[0], words[1], n});
  }
  if (f.total_.empty()) return MakeErrorAt(ErrorKind::kInput, file_name, 1, "empty integrity file");
  return f;
}

std::string IntegrityFile::Render() const {
  std::string out = total_ + "\n";
  for (const SumEntry& e : entries_) out += e.path + " " + e.hash + "\n";
  return out;
}

std::vector<IntegrityProblem> CompareIntegrity(const IntegrityFile& recorded, const IntegrityFile& actual) {
  std::vector<IntegrityProblem> out;
  if (ChainTotal(recorded.entries()) != recorded.total()) {
    out.push_back({"", "total does not match its entries (edited by hand or merged without strata hash)", 1});
  }
  std::map<std::string, const SumEntry*> now;
  for (const SumEntry& e : actual.entries()) now[e.path] = &e;
  std::map<std::string, const SumEntry*> then;
  for (const SumEntry& e : recorded.entries()) then[e.path] = &e;
  for (const SumEntry& e : recorded.entries()) {
    auto it = now.find(e.path);
    if (it == now.end()) out.push_back({e.path, "removed", e.line});
    else if (it->second->hash != e.hash) out.push_back({e.path, "changed", e.line});
  }
  for (const SumEntry& e : actual.entries()) {
    if (!then.count(e.path)) out.push_back({e.path, "added", 0});
  }
  return out;
}

}  // namespace strata
