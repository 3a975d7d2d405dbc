// strata merge: a merge migration whose parents are the current heads (the same writer as
// `strata new --merge`).
#include <fmt/format.h>

#include "cli/commands.h"
#include "project/migration_writer.h"
#include "util/text.h"

namespace strata::cli {
namespace {

struct MergeFlags {
  std::string name = "merge_heads";
  bool folder = false;
  std::string id;
  bool dry_run = false;
};

}  // namespace

void AddMerge(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<MergeFlags>();
  CLI::App* cmd = app.add_subcommand("merge", "Create a merge migration whose parents are the current heads");
  cmd->add_option("name", f->name, "Name of the merge migration (default merge_heads)");
  cmd->add_flag("--folder", f->folder, "Create a folder migration instead of one file");
  cmd->add_option("--id", f->id, "Use this id instead of the next number or timestamp (one service only)");
  cmd->add_flag("--dry-run", f->dry_run, "Show what would be created; write nothing");
  cmd->footer(
      "For every chosen service (all by default) with more than one head, after two branches were joined\n"
      "(`git merge`), and when `strata check` found that they touch disjoint objects. Services with one head are\n"
      "left alone (exit 0). strata.sum is rewritten.\n"
      "Examples:\n"
      "  git merge origin/main && strata merge\n"
      "  strata --service orders merge join_billing_and_refunds --dry-run\n");
  cmd->callback([&ctx, f] {
    auto services = ctx.Services();
    if (!services) return void(ctx.Fail(services.error()));
    std::string slug = MigrationSlug(f->name);
    if (slug.empty()) return void(ctx.Fail(Error{ErrorKind::kUsage, "the name needs letters or digits"}));
    if (!f->id.empty() && services->size() > 1) {
      return void(ctx.Fail(Error{ErrorKind::kUsage, "--id: choose one service with --service NAME"}));
    }
    if (!f->id.empty() && !ValidMigrationId(f->id)) {
      return void(ctx.Fail(Error{ErrorKind::kUsage, fmt::format("--id '{}': ids hold only letters, digits, '.' and '-'", f->id)}));
    }
    // Plan every service first: bad input for one leaves all untouched.
    std::vector<std::pair<const LoadedService*, NewMigration>> todo;
    nlohmann::json out = nlohmann::json::array();
    for (const LoadedService* svc : *services) {
      std::vector<std::string> heads = svc->graph.Heads();
      if (heads.size() < 2) {
        ctx.Say(fmt::format("{}: one head ({}), nothing to merge", svc->config->name, heads.empty() ? "none" : heads.front()));
        out.push_back({{"service", svc->config->name}, {"heads", heads}, {"created", nullptr}});
        continue;
      }
      std::vector<std::string> ids;
      for (const Migration& m : svc->graph.ordered()) ids.push_back(m.id);
      std::string id = f->id.empty() ? NextMigrationId(ids) : f->id;
      if (svc->graph.Find(id)) return void(ctx.Fail(Error{ErrorKind::kInput, fmt::format("id {} is taken", id)}));
      todo.emplace_back(svc, NewMigration{svc->config->migrations_dir, id, slug, "merge of " + Join(heads, ", "), heads, f->folder});
    }
    for (const auto& [svc, m] : todo) {
      std::string path;
      if (f->dry_run) {
        path = m.dir + "/" + m.id + "_" + m.slug + (m.folder ? "" : ".sql");
        ctx.Say(fmt::format("{}: would create {} with parents {}", svc->config->name, path, Join(m.parents, ", ")));
      } else {
        auto created = WriteNewMigration(m, svc->config->name);
        if (!created) return void(ctx.Fail(created.error()));
        path = *created;
        ctx.Say(fmt::format("{}: created {} with parents {}", svc->config->name, path, Join(m.parents, ", ")));
      }
      out.push_back({{"service", svc->config->name}, {"heads", m.parents}, {"created", path}, {"id", m.id}});
    }
    if (ctx.g.json) ctx.PrintJson({{"dry_run", f->dry_run}, {"services", out}});
  });
}

}  // namespace strata::cli
