// strata repair: accept edited applied migrations on purpose (audited).
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/target_session.h"
#include "util/text.h"

namespace strata::cli {

void AddRepair(CLI::App& app, Context& ctx) {
  auto remove_unknown = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("repair", "Record edited applied migrations' new checksums (audited)");
  cmd->add_flag("--remove-unknown", *remove_unknown,
                "Also forget applied migrations that the project no longer has (their schema changes stay)");
  cmd->add_option("--lock-wait", ctx.g.lock_wait, "How long to wait for another strata's lock");
  cmd->footer(
      "Repair changes no schema: it only realigns strata's records, and writes who did it to the audit.\n"
      "Examples:\n"
      "  strata --env staging repair\n"
      "  strata --service users repair --remove-unknown --json\n");
  cmd->callback([&ctx, remove_unknown] {
    auto targets = ctx.Targets();
    if (!targets) return void(ctx.Fail(targets.error()));
    auto wait = ctx.LockWait();
    if (!wait) return void(ctx.Fail(wait.error()));
    nlohmann::json out = {{"targets", nlohmann::json::array()}};
    for (const auto& t : *targets) {
      auto session = OpenTarget(ctx, t, *remove_unknown ? "repair --remove-unknown" : "repair");
      if (!session) return void(ctx.Fail(session.error(), out));
      auto touched = session->migrator->Repair(*remove_unknown, *wait);
      if (!touched) return void(ctx.Fail(touched.error(), out));
      out["targets"].push_back({{"service", t.service}, {"target", t.name}, {"repaired", *touched}});
      ctx.Say(fmt::format("{}: {}", t.name, touched->empty() ? "nothing to repair" : "repaired " + Join(*touched, ", ")));
    }
    if (ctx.g.json) ctx.PrintJson(out);
  });
}

}  // namespace strata::cli
