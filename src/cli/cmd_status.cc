// strata status: per target, what is applied, pending, edited, unknown, and who holds the lock.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/scratch.h"
#include "cli/target_session.h"
#include "util/text.h"

namespace strata::cli {
namespace {

struct StatusOptions {
  bool verbose = false;
  bool drift = false;
};

nlohmann::json ToJson(const TargetStatus& st) {
  nlohmann::json j = {{"service", st.service}, {"target", st.target}, {"url", st.url},
                      {"applied", st.applied}, {"pending", st.pending}, {"edited", st.edited},
                      {"unknown", st.unknown}, {"heads", st.heads},     {"partial", st.partial},
                      {"out_of_order", st.out_of_order}};
  nlohmann::json records = nlohmann::json::array();
  for (const auto& r : st.records) {
    records.push_back({{"id", r.id}, {"name", r.name}, {"status", r.status}, {"checksum", r.checksum},
                       {"applied_by", r.applied_by}, {"applied_host", r.applied_host}, {"applied_at", r.applied_at},
                       {"duration_ms", r.duration_ms}, {"statements_done", r.statements_done},
                       {"statements_total", r.statements_total}, {"out_of_order", r.out_of_order}});
  }
  j["history"] = records;
  if (st.lock_holder) {
    j["lock"] = {{"held", true}, {"actor", st.lock_holder->actor}, {"host", st.lock_holder->host},
                 {"since", st.lock_holder->since}, {"session", st.lock_holder->session},
                 {"command", st.lock_holder->command}};
  } else {
    j["lock"] = {{"held", false}};
  }
  return j;
}

void PrintText(const Context& ctx, const TargetStatus& st, const LoadedService& svc, bool verbose) {
  ctx.Say(fmt::format("{}  {}", st.target, st.url));
  std::string last;
  for (auto it = st.records.rbegin(); it != st.records.rend(); ++it) {
    if (it->status != "applied") continue;  // partial rows are listed on their own line
    last = fmt::format("   last {}_{} at {} by {}@{}", it->id, it->name, it->applied_at, it->applied_by, it->applied_host);
    break;
  }
  ctx.Say(fmt::format("  applied       {}{}", st.applied.size(), last));
  auto list = [](const std::vector<std::string>& ids) {
    if (ids.size() <= 8) return Join(ids, ", ");
    return Join(std::vector<std::string>(ids.begin(), ids.begin() + 8), ", ") + fmt::format(", … ({} more)", ids.size() - 8);
  };
  ctx.Say(fmt::format("  pending       {}{}", st.pending.size(), st.pending.empty() ? "" : "   " + list(st.pending)));
  if (!st.partial.empty()) ctx.Say("! partial       " + list(st.partial) + "   (no-transaction; `strata apply` resumes)");
  if (!st.edited.empty()) ctx.Say("! edited        " + list(st.edited) + "   (changed after apply; restore or `strata repair`)");
  if (!st.unknown.empty()) ctx.Say("! unknown       " + list(st.unknown) + "   (applied here, not in this project)");
  if (!st.out_of_order.empty()) ctx.Say("! out of order  " + list(st.out_of_order) + "   (later migrations already applied)");
  ctx.Say(fmt::format("  heads         {}{}", Join(st.heads, ", "), st.heads.size() > 1 ? "   (several: add a merge migration)" : ""));
  if (st.lock_holder) {
    const auto& h = *st.lock_holder;
    ctx.Say(fmt::format("  lock          held by {}@{} since {} (session {}, `strata {}`)", h.actor, h.host, h.since,
                        h.session, h.command));
  } else {
    ctx.Say("  lock          free");
  }
  if (verbose) {
    std::map<std::string, const AppliedRecord*> by_id;
    for (const auto& r : st.records) by_id[r.id] = &r;
    for (const Migration& m : svc.graph.ordered()) {
      auto it = by_id.find(m.id);
      std::string state = it == by_id.end() ? "pending" : it->second->status;
      std::string when = it == by_id.end() ? "" : fmt::format("{}  {}@{}  {} ms", it->second->applied_at,
                                                              it->second->applied_by, it->second->applied_host,
                                                              it->second->duration_ms);
      ctx.Say(fmt::format("    {:<8} {:<40} {}", state, m.Label(), when));
    }
  }
}

}  // namespace

void AddStatus(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<StatusOptions>();
  CLI::App* cmd = app.add_subcommand("status", "Show applied, pending, edited and unknown migrations per target");
  cmd->add_flag("-v,--verbose", opts->verbose, "List every migration with when and by whom it was applied");
  cmd->add_flag("--drift", opts->drift, "Also replay each target's history in a sandbox and flag drift (see `strata drift`)");
  cmd->footer(
      "Examples:\n"
      "  strata status                      # every service in the default environment\n"
      "  strata --env prod --service users status --json\n"
      "  strata --url postgres://localhost/app --dir migrations status -v\n"
      "  strata status --drift\n");
  cmd->callback([&ctx, opts] {
    auto targets = ctx.Targets();
    if (!targets) return void(ctx.Fail(targets.error()));
    nlohmann::json out = {{"targets", nlohmann::json::array()}};
    std::unique_ptr<ScratchServer> scratch;
    if (opts->drift) scratch = std::make_unique<ScratchServer>(ProjectSandboxDir(ctx));
    for (const auto& t : *targets) {
      TargetSnapshot snapshot;
      auto session = OpenTarget(ctx, t, "status", &snapshot);
      if (!session) return void(ctx.Fail(session.error(), out));
      auto st = std::optional<TargetStatus>(session->migrator->StatusFrom(std::move(snapshot)));
      nlohmann::json j = ToJson(*st);
      if (!ctx.g.json) PrintText(ctx, *st, *session->service, opts->verbose);
      if (opts->drift) {
        auto drift = DriftOfTarget(ctx, *scratch, t);
        if (!drift) return void(ctx.Fail(drift.error(), out));
        j["drift"] = drift->drifted();
        ctx.Say(drift->drifted() ? fmt::format("! drift         yes: {} made by hand, {} missing, {} changed (`strata drift`)",
                                               drift->diff.Count("added"), drift->diff.Count("removed"),
                                               drift->diff.Count("changed"))
                                 : "  drift         none");
      }
      out["targets"].push_back(std::move(j));
    }
    if (ctx.g.json) ctx.PrintJson(out);
  });
}

}  // namespace strata::cli
