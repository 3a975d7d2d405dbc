// strata hash: rewrite each service's integrity file strata.sum.
#include <fmt/format.h>

#include "cli/commands.h"
#include "engine/engine.h"
#include "history/history_store.h"
#include "util/files.h"

namespace strata::cli {

namespace {

// Records the new integrity file in the audit of each reachable target of the environment whose
// history tables exist (best effort: hashing is a file operation and must work offline).
void AuditHash(Context& ctx, const nlohmann::json& written) {
  auto targets = ctx.Targets();
  if (!targets) return;
  for (const auto& t : *targets) {
    for (const auto& w : written) {
      if (w["service"] != t.service) continue;
      auto engine = Connect(t.url, "strata");
      if (!engine) {
        ctx.Note(fmt::format("strata: note: {} not reachable; the hash was not recorded in its audit", t.name));
        continue;
      }
      HistoryStore store(**engine, t.service);
      auto exists = store.Exists();
      if (!exists || !*exists) continue;
      nlohmann::json details = {{"file", w["file"]}, {"total", w["total"]}, {"files", w["files"]}};
      if (auto r = store.Audit("hash", "", ctx.MakeActor("hash"), details.dump()); !r) {
        ctx.Note(fmt::format("strata: note: {}: the hash was not recorded in its audit: {}", t.name, r.error().message));
      }
    }
  }
}

}  // namespace

void AddHash(CLI::App& app, Context& ctx) {
  auto offline = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("hash", "Rewrite the integrity file strata.sum of each service");
  cmd->add_flag("--offline", *offline, "Do not record the new hash in the targets' audit");
  cmd->footer(
      "Run it after adding or editing migration files and commit strata.sum with them: two branches that both\n"
      "add a migration then conflict in git instead of merging silently. The new hash is recorded in the audit\n"
      "of each reachable target of the environment (skip with --offline).\n"
      "Examples:\n"
      "  strata hash\n"
      "  strata --service users hash\n");
  cmd->callback([&ctx, offline] {
    auto services = ctx.Services();
    if (!services) return void(ctx.Fail(services.error()));
    nlohmann::json out = {{"services", nlohmann::json::array()}};
    for (const LoadedService* svc : *services) {
      IntegrityFile f = IntegrityFile::Compute(svc->loaded.files);
      std::string path = ctx.SumPath(*svc);
      if (auto r = WriteFileAtomic(path, f.Render()); !r) return void(ctx.Fail(r.error()));
      out["services"].push_back({{"service", svc->config->name}, {"file", path}, {"total", f.total()},
                                 {"files", f.entries().size()}});
      ctx.Say(fmt::format("{}: wrote {} ({} files)", svc->config->name, path, f.entries().size()));
    }
    if (!*offline) AuditHash(ctx, out["services"]);
    if (ctx.g.json) ctx.PrintJson(out);
  });
}

}  // namespace strata::cli
