// strata audit: the target's append-only record of every action.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/target_session.h"

namespace strata::cli {

void AddAudit(CLI::App& app, Context& ctx) {
  auto limit = std::make_shared<int>(50);
  CLI::App* cmd = app.add_subcommand("audit", "List the audit records of each target, newest first");
  cmd->add_option("--limit", *limit, "At most this many records per target (0: all)");
  cmd->footer("Examples:\n  strata audit --limit 10\n  strata --env prod --service users audit --json\n");
  cmd->callback([&ctx, limit] {
    auto targets = ctx.Targets();
    if (!targets) return void(ctx.Fail(targets.error()));
    nlohmann::json out = {{"targets", nlohmann::json::array()}};
    for (const auto& t : *targets) {
      auto session = OpenTarget(ctx, t, "audit");
      if (!session) return void(ctx.Fail(session.error(), out));
      HistoryStore store(*session->engine, t.service);
      auto records = store.ReadAudit(*limit);
      if (!records) return void(ctx.Fail(records.error(), out));
      nlohmann::json list = nlohmann::json::array();
      ctx.Say(t.name);
      for (const auto& r : *records) {
        nlohmann::json details = nlohmann::json::parse(r.details, nullptr, false);
        list.push_back({{"seq", r.seq}, {"at", r.at}, {"action", r.action}, {"migration", r.migration_id},
                        {"actor", r.actor}, {"host", r.host}, {"details", details}});
        ctx.Say(fmt::format("  {:>5}  {}  {:<20} {:<16} {}@{}  {}", r.seq, r.at, r.action, r.migration_id, r.actor,
                            r.host, r.details));
      }
      out["targets"].push_back({{"service", t.service}, {"target", t.name}, {"records", list}});
    }
    if (ctx.g.json) ctx.PrintJson(out);
  });
}

}  // namespace strata::cli
