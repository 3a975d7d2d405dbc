// strata audit: the hash-chained, append-only record of every action, per target (and in the
// control database); `strata audit verify` recomputes the chains.
#include <fmt/format.h>
#include <regex>
#include <set>

#include "cli/commands.h"
#include "control/control_db.h"
#include "governance/control_tables.h"

namespace strata::cli {
namespace {

struct AuditFlags {
  AuditFilter filter;
  bool control = false;  // the control database only
};

Result<void> CheckTime(const std::string& flag, const std::string& value) {
  static const std::regex kIso(R"(^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?Z?)?$)");
  if (value.empty() || std::regex_match(value, kIso)) return {};
  return MakeError(ErrorKind::kUsage, fmt::format("{} '{}': use a UTC date or time, e.g. 2026-11-22 or "
                                                  "2026-11-22T13:45:00Z",
                                                  flag, value));
}

nlohmann::json RecordJson(const AuditRecord& r) {
  nlohmann::json details = nlohmann::json::parse(r.details, nullptr, false);
  if (details.is_discarded()) details = r.details;
  return {{"seq", r.seq},         {"at", r.at},         {"action", r.action},
          {"service", r.service}, {"migration", r.migration_id.empty() ? nlohmann::json() : nlohmann::json(r.migration_id)},
          {"actor", r.actor},     {"host", r.host},     {"details", details},
          {"prev_hash", r.prev_hash}, {"hash", r.hash}};
}

std::string RecordLine(const AuditRecord& r) {
  return fmt::format("  {:>5}  {}  {:<18} {:<10} {:<16} {}@{}  {}", r.seq, r.at, r.action, r.service,
                     r.migration_id.empty() ? "-" : r.migration_id, r.actor, r.host, r.details);
}

nlohmann::json VerifyJson(const std::string& name, const std::string& url, const AuditVerifyReport& rep) {
  nlohmann::json j = {{"store", name}, {"url", url}, {"ok", rep.ok}, {"records", rep.records}};
  if (rep.ok) {
    j["head_hash"] = rep.head_hash;
  } else {
    j["first_bad"] = {{"seq", rep.bad_seq}, {"problem", rep.problem}, {"message", rep.message}};
  }
  return j;
}

void Report(Context& ctx, const std::string& name, const AuditVerifyReport& rep) {
  if (rep.ok) {
    ctx.Say(fmt::format("{}: ok, {} record(s), head {}", name, rep.records,
                        rep.head_hash.empty() ? "-" : rep.head_hash.substr(0, 16)));
  } else {
    ctx.Say(fmt::format("{}: BROKEN at record {} ({}): {}", name, rep.bad_seq, rep.problem, rep.message));
  }
}

void RunList(Context& ctx, const AuditFlags& f) {
  for (const auto& [flag, value] : {std::pair<std::string, std::string>{"--since", f.filter.since},
                                    {"--until", f.filter.until}}) {
    if (auto r = CheckTime(flag, value); !r) return void(ctx.Fail(r.error()));
  }
  nlohmann::json out = {{"targets", nlohmann::json::array()}};
  auto project = ctx.Project();
  if (!project) return void(ctx.Fail(project.error()));
  if (f.control) {
    auto db = OpenControlDb(**project);
    if (!db) return void(ctx.Fail(db.error()));
    if (auto r = governance::EnsureGovernanceTables(**db); !r) return void(ctx.Fail(r.error()));
    auto records = governance::ControlAuditLog(**db).Read((*db)->engine(), f.filter);
    if (!records) return void(ctx.Fail(records.error()));
    nlohmann::json list = nlohmann::json::array();
    ctx.Say(fmt::format("control database ({})", (*db)->RedactedUrl()));
    for (const auto& r : *records) {
      list.push_back(RecordJson(r));
      ctx.Say(RecordLine(r));
    }
    out = {{"control", {{"url", (*db)->RedactedUrl()}, {"records", list}}}};
    if (ctx.g.json) ctx.PrintJson(out);
    return;
  }
  auto targets = ctx.Targets();
  if (!targets) return void(ctx.Fail(targets.error()));
  for (const auto& t : *targets) {
    auto engine = Connect(t.url, "strata audit");
    if (!engine) return void(ctx.Fail(engine.error(), out));
    HistoryStore store(**engine, t.service);
    auto exists = store.Exists();
    if (!exists) return void(ctx.Fail(exists.error(), out));
    std::vector<AuditRecord> records;
    if (*exists) {
      AuditFilter filter = f.filter;
      filter.service = t.service;
      auto r = store.audit().Read(**engine, filter);
      if (!r) return void(ctx.Fail(r.error(), out));
      records = std::move(*r);
    }
    nlohmann::json list = nlohmann::json::array();
    ctx.Say(t.name);
    for (const auto& r : records) {
      list.push_back(RecordJson(r));
      ctx.Say(RecordLine(r));
    }
    out["targets"].push_back({{"service", t.service}, {"target", t.name}, {"records", list}});
  }
  if (ctx.g.json) ctx.PrintJson(out);
}

void RunVerify(Context& ctx, const AuditFlags& f) {
  nlohmann::json out = {{"chains", nlohmann::json::array()}};
  bool all_ok = true;
  auto project = ctx.Project();
  if (!project) return void(ctx.Fail(project.error()));
  if (!f.control) {
    auto targets = ctx.Targets();
    if (!targets) return void(ctx.Fail(targets.error()));
    std::set<std::string> seen;  // services sharing a database share its chain: verify it once
    for (const auto& t : *targets) {
      if (!seen.insert(t.url.Redacted()).second) continue;
      auto engine = Connect(t.url, "strata audit verify");
      if (!engine) return void(ctx.Fail(engine.error(), out));
      HistoryStore store(**engine, t.service);
      auto version = store.SchemaVersion();
      if (!version) return void(ctx.Fail(version.error(), out));
      if (*version == 0) {
        AuditVerifyReport empty;
        out["chains"].push_back(VerifyJson(t.name, t.url.Redacted(), empty));
        ctx.Say(fmt::format("{}: no strata history yet", t.name));
        continue;
      }
      if (*version == 1) {
        ctx.Note(fmt::format("strata: {}: upgrading the history store to schema version 2 (chaining its audit "
                             "records once)",
                             t.name));
        if (auto r = store.EnsureSchema(); !r) return void(ctx.Fail(r.error(), out));
      }
      auto rep = store.audit().Verify(**engine);
      if (!rep) return void(ctx.Fail(rep.error(), out));
      all_ok &= rep->ok;
      out["chains"].push_back(VerifyJson(t.name, t.url.Redacted(), *rep));
      Report(ctx, t.name, *rep);
    }
  }
  if (f.control || !(*project)->control.url_template.empty()) {
    auto db = OpenControlDb(**project);
    if (!db) return void(ctx.Fail(db.error(), out));
    if (auto r = governance::EnsureGovernanceTables(**db); !r) return void(ctx.Fail(r.error(), out));
    auto rep = governance::ControlAuditLog(**db).Verify((*db)->engine());
    if (!rep) return void(ctx.Fail(rep.error(), out));
    all_ok &= rep->ok;
    out["chains"].push_back(VerifyJson("control", (*db)->RedactedUrl(), *rep));
    Report(ctx, "control database", *rep);
  }
  out["ok"] = all_ok;
  if (!all_ok) {
    ctx.exit_code = kExitFindings;
    ctx.Note("strata: the audit trail was changed after it was written: see the first bad record above");
  }
  if (ctx.g.json) ctx.PrintJson(out);
}

}  // namespace

void AddAudit(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<AuditFlags>();
  f->filter.limit = 50;
  CLI::App* cmd = app.add_subcommand("audit", "List the audit trail of each target (newest first); `audit verify` "
                                              "checks its hash chain");
  cmd->add_option("--action", f->filter.action, "Only this action (apply, rollback, approve, repair, hash, …)");
  cmd->add_option("--actor", f->filter.actor, "Only records by this actor");
  cmd->add_option("--migration", f->filter.migration_id, "Only records about this migration id");
  cmd->add_option("--since", f->filter.since, "Only records at or after this UTC date/time (2026-11-22[T13:45:00Z])");
  cmd->add_option("--until", f->filter.until, "Only records before this UTC date/time");
  cmd->add_option("--limit", f->filter.limit, "At most this many records per target (0: all; default 50)");
  cmd->add_flag("--control", f->control, "The control database's audit ([control] in strata.toml) instead");
  cmd->footer(
      "Examples:\n"
      "  strata audit --limit 10\n"
      "  strata --env prod --service users audit --action apply --since 2026-11-01 --json\n"
      "  strata --env prod audit verify        # exit 1 when a record was edited, deleted or reordered\n");
  CLI::App* verify = cmd->add_subcommand("verify", "Recompute each audit hash chain; report the first bad record");
  verify->add_flag("--control", f->control, "Only the control database's chain");
  verify->footer(
      "Verifies every target of the environment (a database shared by services once) and, when\n"
      "strata.toml has [control], the control database. Exit 0 when intact, 1 when a record was edited,\n"
      "deleted or reordered. A store of schema version 1 is upgraded (chained) first.\n"
      "Examples:\n"
      "  strata --env prod audit verify\n"
      "  strata audit verify --control --json\n");
  verify->callback([&ctx, f] { RunVerify(ctx, *f); });
  cmd->callback([&ctx, f, verify] {
    if (verify->parsed()) return;
    RunList(ctx, *f);
  });
}

}  // namespace strata::cli
