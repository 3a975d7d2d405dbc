// strata drift: replays each target's recorded history in a sandbox and compares it with the
// live schema: what was changed by hand, what a migration failed to do.
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/scratch.h"
#include "util/text.h"

namespace strata::cli {
namespace {

std::string Lines(const std::vector<ObjectChange>& changes, const std::string& change) {
  SchemaDiff d;
  for (const auto& c : changes) {
    if (c.change == change) d.changes.push_back(c);
  }
  std::string text = ToText(d), out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += "    " + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

nlohmann::json DriftJson(const ResolvedTarget& t, const DriftReport& r) {
  nlohmann::json j = ToJson(r.diff);
  j["service"] = t.service;
  j["target"] = t.name;
  j["drift"] = r.drifted();
  j["replayed"] = r.replayed;
  j["unknown"] = r.unknown;
  j["edited"] = r.edited;
  j["partial"] = r.partial;
  return j;
}

}  // namespace

void AddDrift(CLI::App& app, Context& ctx) {
  CLI::App* cmd = app.add_subcommand("drift", "Compare each target's schema with its replayed history");
  cmd->footer(
      "The migrations recorded as applied in each target are replayed from the project's files on a fresh\n"
      "sandbox database (the project's sandbox when running, else a private cluster) and the two schemas are\n"
      "compared, strata's own schema left out: objects only on the target were made by hand, objects only in\n"
      "the replay are missing (a migration failed to do it, or someone dropped it), changed ones were altered.\n"
      "Exit code: 0 no drift, 1 drift, 2 bad input, 3 database error.\n"
      "Examples:\n"
      "  strata drift\n"
      "  strata --env prod --service users drift --json\n"
      "  strata status --drift\n");
  cmd->callback([&ctx] {
    auto targets = ctx.Targets();
    if (!targets) return void(ctx.Fail(targets.error()));
    ScratchServer scratch(ProjectSandboxDir(ctx));
    nlohmann::json out = {{"targets", nlohmann::json::array()}};
    bool any = false;
    for (const auto& t : *targets) {
      auto r = DriftOfTarget(ctx, scratch, t);
      if (!r) return void(ctx.Fail(r.error(), out));
      any = any || r->drifted();
      out["targets"].push_back(DriftJson(t, *r));
      if (!r->drifted()) {
        ctx.Say(fmt::format("{}: no drift ({} migrations replayed)", t.name, r->replayed.size()));
      } else {
        ctx.Say(fmt::format("{}: DRIFT ({} migrations replayed): {} made by hand, {} missing, {} changed", t.name,
                            r->replayed.size(), r->diff.Count("added"), r->diff.Count("removed"),
                            r->diff.Count("changed")));
        if (!ctx.g.json && !ctx.g.quiet) {
          if (r->diff.Count("added")) std::cout << "  on the target only (made by hand):\n" << Lines(r->diff.changes, "added");
          if (r->diff.Count("removed")) {
            std::cout << "  in the history only (missing: a migration failed, or dropped by hand):\n"
                      << Lines(r->diff.changes, "removed");
          }
          if (r->diff.Count("changed")) {
            std::cout << "  changed on the target (a = history, b = target):\n" << Lines(r->diff.changes, "changed");
          }
        }
      }
      if (!r->unknown.empty()) {
        ctx.Note(fmt::format("{}: applied but not in the project, not replayed: {}", t.name, Join(r->unknown, ", ")));
      }
      if (!r->edited.empty()) {
        ctx.Note(fmt::format("{}: edited since applied, replayed as they are now: {}", t.name, Join(r->edited, ", ")));
      }
    }
    if (ctx.g.json) ctx.PrintJson(out);
    if (any) ctx.exit_code = kExitFindings;
  });
}

}  // namespace strata::cli
