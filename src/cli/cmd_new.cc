// strata new: the next migration file (or folder), and strata.sum brought up to date.
#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>

#include "cli/commands.h"
#include "project/migration_writer.h"
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
    std::string slug = MigrationSlug(f->name);
    if (slug.empty()) return void(ctx.Fail(Error{ErrorKind::kUsage, "the name needs letters or digits"}));
    std::vector<std::string> ids;
    for (const Migration& m : g.ordered()) ids.push_back(m.id);
    std::string id = f->id.empty() ? NextMigrationId(ids) : f->id;
    if (!ValidMigrationId(id)) {
      return void(ctx.Fail(Error{ErrorKind::kUsage, fmt::format("--id '{}': ids hold only letters, digits, '.' and '-'", id)}));
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
    auto created = WriteNewMigration(NewMigration{(*svc)->config->migrations_dir, id, slug, f->name, parents, f->folder},
                                     service);
    if (!created) return void(ctx.Fail(created.error()));
    ctx.Say(fmt::format("created {}", *created));
    if (ctx.g.json) ctx.PrintJson({{"service", service}, {"id", id}, {"path", *created}, {"parents", parents}});
  });
}

}  // namespace strata::cli
