// strata new: the next migration file (or folder), and strata.sum brought up to date.
#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>

#include "cli/commands.h"
#include "core/integrity.h"
#include "util/files.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace strata::cli {
namespace {

struct NewFlags {
  std::string name;
  bool folder = false;
  bool merge = false;
  std::string parents;
  std::string id;
};

// Fixed-width numbers (0001, 0002…) continue as such; anything else gets a UTC timestamp.
std::string NextId(const MigrationGraph& g) {
  std::string max_id;
  bool numeric = !g.empty();
  size_t width = 0;
  for (const Migration& m : g.ordered()) {
    max_id = std::max(max_id, m.id);
    bool digits = std::all_of(m.id.begin(), m.id.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (!digits || (width && m.id.size() != width)) numeric = false;
    width = m.id.size();
  }
  if (numeric && width < 14) {
    unsigned long long next = std::stoull(max_id) + 1;
    std::string id = fmt::format("{:0{}}", next, width);
    if (id.size() == width) return id;
  }
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  std::string id = buf;
  while (!max_id.empty() && id <= max_id) id = std::to_string(std::stoull(id) + 1);
  return id;
}

std::string Slug(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    else if (!out.empty() && out.back() != '_') out.push_back('_');
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

}  // namespace

void AddNew(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<NewFlags>();
  CLI::App* cmd = app.add_subcommand("new", "Create the next migration of a service");
  cmd->add_option("name", f->name, "What the migration does, e.g. add_birthdate_to_users")->required();
  cmd->add_flag("--folder", f->folder, "Create a folder with up.sql, down.sql and strata.yaml instead of one file");
  cmd->add_flag("--merge", f->merge, "A merge migration whose parents are all current heads");
  cmd->add_option("--parents", f->parents, "Explicit parent ids, comma separated (a branch)");
  cmd->add_option("--id", f->id, "Use this id instead of the next number or timestamp");
  cmd->footer(
      "Examples:\n"
      "  strata new add_birthdate_to_users\n"
      "  strata --service orders new --folder create_orders_index\n"
      "  strata new --merge merge_billing_branches\n");
  cmd->callback([&ctx, f] {
    auto project = ctx.Project();
    if (!project) return void(ctx.Fail(project.error()));
    if (ctx.g.services.size() > 1 || (ctx.g.services.empty() && (*project)->services.size() > 1)) {
      return void(ctx.Fail(Error{ErrorKind::kUsage, "several services: choose one with --service NAME"}));
    }
    std::string service = ctx.g.services.empty() ? (*project)->services.front().name : ctx.g.services.front();
    auto svc = ctx.Service(service);
    if (!svc) return void(ctx.Fail(svc.error()));
    const MigrationGraph& g = (*svc)->graph;
    std::string slug = Slug(f->name);
    if (slug.empty()) return void(ctx.Fail(Error{ErrorKind::kUsage, "the name needs letters or digits"}));
    std::string id = f->id.empty() ? NextId(g) : f->id;
    for (char c : id) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) {
        return void(ctx.Fail(Error{ErrorKind::kUsage, fmt::format("--id '{}': ids hold only letters, digits, '.' and '-'", id)}));
      }
    }
    if (g.Find(id)) return void(ctx.Fail(Error{ErrorKind::kInput, fmt::format("id {} is taken", id)}));
    std::vector<std::string> heads = g.Heads();
    std::vector<std::string> parents;
    if (f->merge) {
      if (heads.size() < 2) return void(ctx.Fail(Error{ErrorKind::kInput, fmt::format("--merge: only one head ({}); nothing to merge", Join(heads, ""))}));
      parents = heads;
    } else if (!f->parents.empty()) {
      std::string p = f->parents;
      std::replace(p.begin(), p.end(), ',', ' ');
      parents = SplitWords(p);
      for (const auto& id2 : parents) {
        if (!g.Find(id2)) return void(ctx.Fail(Error{ErrorKind::kInput, fmt::format("--parents: no migration {}", id2)}));
      }
    } else if (heads.size() > 1) {
      return void(ctx.Fail(Error{ErrorKind::kInput,
                                 fmt::format("service {} has {} heads ({}): merge them first (`strata new --merge NAME`) or "
                                             "pick the parent with --parents", service, heads.size(), Join(heads, ", "))}));
    } else if (!heads.empty() && id < heads.front()) {
      parents = heads;  // an explicit --id that sorts before the head: keep it after the head
    }
    fs::path dir = (*svc)->config->migrations_dir;
    std::string base = id + "_" + slug;
    fs::path created;
    std::string up = "-- " + f->name + "\n";
    if (f->folder) {
      created = dir / base;
      std::error_code ec;
      fs::create_directories(created, ec);
      std::string yaml = "# settings of this migration: parents, no_transaction, irreversible, lock_timeout …\n";
      if (!parents.empty()) yaml += "parents: [" + Join(parents, ", ") + "]\n";
      for (auto [file, text] : {std::pair{"up.sql", up}, std::pair{"down.sql", std::string("-- undo ") + f->name + "\n"},
                                std::pair{"strata.yaml", yaml}}) {
        if (auto r = WriteFileAtomic(created / file, text); !r) return void(ctx.Fail(r.error()));
      }
    } else {
      created = dir / (base + ".sql");
      std::string text;
      if (!parents.empty()) text += "-- strata:parents " + Join(parents, " ") + "\n";
      text += "-- +strata up\n" + up + "\n-- +strata down\n-- undo " + f->name + "\n";
      if (auto r = WriteFileAtomic(created, text); !r) return void(ctx.Fail(r.error()));
    }
    auto reloaded = LoadMigrations(dir.string(), service);
    if (!reloaded) {
      std::error_code ec;
      fs::remove_all(created, ec);  // leave the folder as it was
      return void(ctx.Fail(reloaded.error()));
    }
    if (auto r = WriteFileAtomic(dir / "strata.sum", IntegrityFile::Compute(reloaded->files).Render()); !r) {
      return void(ctx.Fail(r.error()));
    }
    ctx.Say(fmt::format("created {}", created.string()));
    if (ctx.g.json) ctx.PrintJson({{"service", service}, {"id", id}, {"path", created.string()}, {"parents", parents}});
  });
}

}  // namespace strata::cli
