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
  std::string head;      // verify: a head hash noted earlier, which the chain must still hold
};

// --head: the chain must still hold the record whose hash was noted earlier; otherwise records
// from there on were deleted (or the chain was rewritten).
void CheckHead(AuditVerifyReport& rep, const std::vector<AuditRecord>& records, const std::string& head) {
  if (head.empty() || !rep.ok) return;
  // The full hash, or a prefix of it (the text output prints the first 16 digits).
  for (const AuditRecord& r : records) {
    if (r.hash.starts_with(head)) return;
  }
  rep.ok = false;
  rep.problem = "truncated";
  rep.bad_seq = 0;
  rep.message = fmt::format("no record has the head hash {} noted earlier: the records from it on were deleted, or "
                            "the chain was rewritten",
                            head);
}

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
  } else if (rep.bad_seq == 0) {
    ctx.Say(fmt::format("{}: BROKEN ({}): {}", name, rep.problem, rep.message));
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
  if (!f.head.empty()) {
    bool hex = f.head.size() >= 12 && f.head.size() <= 64 &&
               f.head.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!hex) {
      return void(ctx.Fail(Error{ErrorKind::kUsage,
                                 fmt::format("--head '{}': give the head hash noted earlier, at least its first 12 "
                                             "hex digits (lowercase)",
                                             f.head)}));
    }
  }
  nlohmann::json out = {{"chains", nlohmann::json::array()}};
  bool all_ok = true;
  auto project = ctx.Project();
  if (!project) return void(ctx.Fail(project.error()));
  if (!f.control) {
    auto targets = ctx.Targets();
    if (!targets) return void(ctx.Fail(targets.error()));
    if (!f.head.empty() && (targets->size() != 1 || !(*project)->control.url_template.empty())) {
      return void(ctx.Fail(Error{ErrorKind::kUsage, "--head checks one chain: choose one target with --service "
                                                    "(and --control for the control database's)"}));
    }
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
        CheckHead(empty, {}, f.head);
        all_ok &= empty.ok;
        out["chains"].push_back(VerifyJson(t.name, t.url.Redacted(), empty));
        if (empty.ok) ctx.Say(fmt::format("{}: no strata history yet", t.name));
        else Report(ctx, t.name, empty);
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
      if (!f.head.empty()) {
        auto all = store.audit().Read(**engine, AuditFilter{});
        if (!all) return void(ctx.Fail(all.error(), out));
        CheckHead(*rep, *all, f.head);
      }
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
    if (!f.head.empty()) {
      auto all = governance::ControlAuditLog(**db).Read((*db)->engine(), AuditFilter{});
      if (!all) return void(ctx.Fail(all.error(), out));
      CheckHead(*rep, *all, f.head);
    }
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
  verify->add_option("--head", f->head,
                     "A head hash noted earlier (from `audit verify --json`, or its first 12+ digits): fail when the "
                     "chain no longer holds it, i.e. its newest records were deleted");
  verify->footer(
      "Verifies every target of the environment (a database shared by services once) and, when\n"
      "strata.toml has [control], the control database. Exit 0 when intact, 1 when a record was edited,\n"
      "deleted or reordered. A store of schema version 1 is upgraded (chained) first.\n"
      "Examples:\n"
      "  strata --env prod audit verify\n"
      "  strata audit verify --control --json\n"
      "  strata --service users audit verify --head 41aa…   # the newest records since then still there?\n");
  verify->callback([&ctx, f] { RunVerify(ctx, *f); });
  cmd->callback([&ctx, f, verify] {
    if (verify->parsed()) return;
    RunList(ctx, *f);
  });
}

}  // namespace strata::cli
