// strata online start|status|complete|rollback|pause|resume|plan: expand/contract migrations
// on PostgreSQL targets (src/online). Errors become messages and exit codes here only.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "engine/engine.h"
#include "lint/linter.h"
#include "online/operations/sql.h"
#include "online/migration_file.h"
#include "online/online_runner.h"
#include "util/text.h"

namespace strata::cli {
namespace {

using online::BackfillProgress;
using online::OnlineRunner;
using nlohmann::json;

struct OnlineFlags {
  std::string file;
  std::string schema = "public";
  int batch_size = 1000;
  std::string batch_delay = "0ms";
  std::string lock_timeout = "500ms";
  int lock_retries = 10;
  std::string max_replica_lag = "10s";
  int max_lock_waiters = 0;
  int index_workers = 0;
  bool no_backfill = false;
  bool no_roles = false;
  bool dry_run = false;
  bool force = false;
  bool progress = false;
  std::string wait = "0s";
};

// The progress bar on stderr: on a terminal, or when asked with --progress.
class BackfillBar {
 public:
  BackfillBar(const Context& ctx, bool asked) : show_(!ctx.g.quiet && (asked || ::isatty(2) == 1)), tty_(::isatty(2) == 1) {}
  ~BackfillBar() { Finish(); }
  void operator()(const BackfillProgress& p) {
    if (!show_) return;
    auto now = std::chrono::steady_clock::now();
    if (!p.done && now - last_ < std::chrono::milliseconds(tty_ ? 100 : 1000)) return;
    last_ = now;
    double frac = p.rows_total > 0 ? std::min(1.0, static_cast<double>(p.rows_done) / p.rows_total) : (p.done ? 1 : 0);
    int filled = static_cast<int>(frac * 24);
    std::string line = fmt::format("backfill {} [{}{}] {}/{} rows  {:.0f} rows/s  ETA {:.0f}s{}", p.table,
                                   std::string(filled, '#'), std::string(24 - filled, '.'), p.rows_done, p.rows_total,
                                   p.rate, p.eta_s, p.throttled ? fmt::format("  throttled {}x", p.throttled) : "");
    if (tty_) std::cerr << "\r" << line << "\033[K" << std::flush;
    else std::cerr << line << "\n";
    open_ = tty_;
    if (p.done) Finish();
  }
  void Finish() {
    if (open_) std::cerr << "\n";
    open_ = false;
  }

 private:
  bool show_, tty_;
  bool open_ = false;
  std::chrono::steady_clock::time_point last_{};
};

Result<online::OnlineOptions> Options(Context& ctx, const OnlineFlags& f, const std::string& command) {
  online::OnlineOptions o;
  o.schema = f.schema;
  o.actor = ctx.MakeActor(command);
  ASSIGN_OR_RETURN(o.lock_timeout, ParseDuration(f.lock_timeout));
  o.lock_retries = f.lock_retries;
  ASSIGN_OR_RETURN(o.lock_wait, ctx.LockWait());
  o.create_roles = !f.no_roles;
  if (f.index_workers < -1) return MakeError(ErrorKind::kUsage, "--index-workers must be 0 or more (-1: the server's setting)");
  o.index_workers = f.index_workers;
  ASSIGN_OR_RETURN(o.active_wait, ParseDuration(f.wait));
  o.backfill = !f.no_backfill;
  if (f.batch_size < 1) return MakeError(ErrorKind::kUsage, "--batch-size must be at least 1");
  o.backfill_options.batch_size = f.batch_size;
  ASSIGN_OR_RETURN(o.backfill_options.batch_delay, ParseDuration(f.batch_delay));
  ASSIGN_OR_RETURN(auto lag, ParseDuration(f.max_replica_lag));
  o.backfill_options.max_replica_lag_s = static_cast<double>(lag.count()) / 1000.0;
  o.backfill_options.max_lock_waiters = f.max_lock_waiters;
  o.on_note = [&ctx](const std::string& line) { ctx.Note("strata: " + line); };
  return o;
}

json ProgressJson(const BackfillProgress& p) {
  return {{"table", p.table},          {"rows_done", p.rows_done}, {"rows_total", p.rows_total},
          {"batches", p.batches},      {"throttled", p.throttled}, {"rate_rows_per_s", p.rate},
          {"eta_s", p.eta_s},          {"done", p.done}};
}

json SessionsJson(const std::vector<online::OldVersionSession>& s) {
  json out = json::array();
  for (const auto& x : s)
    out.push_back({{"pid", x.pid},
                   {"user", x.user},
                   {"application_name", x.application_name},
                   {"client", x.client},
                   {"state", x.state},
                   {"reason", x.reason}});
  return out;
}

std::string SessionsText(const std::vector<online::OldVersionSession>& s) {
  std::string out;
  for (const auto& x : s)
    out += fmt::format("\n  pid {} user {} application_name '{}' from {} ({}): {}", x.pid, x.user, x.application_name,
                       x.client, x.state, x.reason);
  return out;
}

json MigrationJson(const online::MigrationRow& m) {
  json j = {{"name", m.name},        {"state", m.state},   {"version_schema", m.version_schema},
            {"paused", m.paused},    {"started_at", m.started_at}, {"started_by", m.started_by}};
  j["previous_schema"] = m.previous_schema ? json(*m.previous_schema) : json(nullptr);
  j["finished_at"] = m.finished_at ? json(*m.finished_at) : json(nullptr);
  return j;
}

// Runs `body` once per target with a connected runner; collects each target's JSON.
template <class Body>
void ForEachTarget(Context& ctx, const OnlineFlags& f, const std::string& command, Body body,
                   std::function<void(const BackfillProgress&)> progress = {}) {
  json out = {{"targets", json::array()}};
  auto targets = ctx.Targets();
  if (!targets) return void(ctx.Fail(targets.error()));
  for (const auto& t : *targets) {
    auto opt = Options(ctx, f, command);
    if (!opt) return void(ctx.Fail(opt.error(), out));
    opt->service = t.service;
    opt->backfill_options.on_progress = progress;
    auto engine = Connect(t.url, "strata");
    if (!engine) return void(ctx.Fail(engine.error(), out));
    if ((*engine)->kind() != EngineKind::kPostgres)
      return void(ctx.Fail(Error{ErrorKind::kInput, fmt::format("{}: online migrations need PostgreSQL", t.name)}, out));
    OnlineRunner runner(**engine, std::move(*opt));
    json tj = {{"service", t.service}, {"target", t.name}, {"schema", f.schema}};
    auto r = body(runner, **engine, t, tj);
    if (!r) {
      Error e = r.error();
      if (targets->size() > 1) e.message = fmt::format("{}: {}", t.name, e.message);
      out["targets"].push_back(tj);
      return void(ctx.Fail(e, out));
    }
    out["targets"].push_back(tj);
  }
  if (ctx.g.json) ctx.PrintJson(out);
}

void AddCommonFlags(CLI::App* cmd, OnlineFlags& f) {
  cmd->add_option("--schema", f.schema, "The schema holding the tables (default public)");
  cmd->add_option("--lock-timeout", f.lock_timeout, "lock_timeout of each DDL transaction (default 500ms)");
  cmd->add_option("--lock-retries", f.lock_retries, "Retries after a lock timeout, with jittered back-off (default 10)");
  cmd->add_option("--index-workers", f.index_workers,
                  "Parallel workers per index build (max_parallel_maintenance_workers; default 0: the build "
                  "leaves the other cores to the application; -1: the server's setting)");
}

void AddBackfillFlags(CLI::App* cmd, OnlineFlags& f) {
  cmd->add_option("--batch-size", f.batch_size, "Rows per backfill batch, each its own transaction (default 1000)");
  cmd->add_option("--batch-delay", f.batch_delay, "Pause between batches, e.g. 20ms (default 0)");
  cmd->add_option("--max-replica-lag", f.max_replica_lag,
                  "Throttle the backfill while a replica's replay lag exceeds this (default 10s; 0 = never)");
  cmd->add_option("--max-lock-waiters", f.max_lock_waiters,
                  "Throttle while more sessions than this wait for locks on the table (default 0; -1 = never)");
  cmd->add_flag("--progress", f.progress, "Show the progress bar on stderr even when it is not a terminal");
}

}  // namespace

void AddOnline(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<OnlineFlags>();
  CLI::App* online = app.add_subcommand(
      "online", "Expand/contract migrations on PostgreSQL: old and new application versions run side by side");
  online->require_subcommand(1);
  online->footer(
      "Lifecycle: start (expand + backfill) -> complete (contract), or rollback at any point before complete.\n"
      "Files: strata's YAML/JSON or pgroll migration files as they are. See docs/commands/online.md.\n");

  CLI::App* start = online->add_subcommand("start", "Expand: new version schema, dual writes, backfill (a rerun resumes)");
  start->add_option("file", f->file, "The migration file (.yaml, .yml or .json)")->required();
  AddCommonFlags(start, *f);
  AddBackfillFlags(start, *f);
  start->add_flag("--no-backfill", f->no_backfill, "Stop after the expand; `strata online resume` backfills later");
  start->add_flag("--no-roles", f->no_roles, "Do not create the per-version role");
  start->add_flag("--dry-run", f->dry_run, "Print the SQL of the expand; run nothing");
  start->add_option("--wait", f->wait,
                    "Queue behind an active online migration: wait up to this long (e.g. 2h) for it to be completed "
                    "or rolled back (default 0: fail at once, naming it)");
  start->footer(
      "Examples:\n"
      "  strata online start migrations/online/02_add_rating.yaml\n"
      "  strata --url postgres://app@db/shop online start 03_users_email.json --batch-size 5000 --batch-delay 10ms\n"
      "  strata online start 04_big.yaml --dry-run\n"
      "Clients of the new version: SET search_path = public_<name>, or log in as role public_<name>.\n");
  start->callback([&ctx, f] {
    auto m = online::LoadOnlineMigration(f->file);
    if (!m) return void(ctx.Fail(m.error()));
    BackfillBar bar(ctx, f->progress);
    ForEachTarget(ctx, *f, "online start " + f->file, [&](OnlineRunner& runner, Engine&, const ResolvedTarget& t,
                                                          json& tj) -> Result<void> {
      tj["migration"] = m->name;
      if (f->dry_run) {
        ASSIGN_OR_RETURN(std::string sql, runner.DescribeStart(*m));
        tj["sql"] = sql;
        if (!ctx.g.json) std::cout << fmt::format("-- target {} ({})\n", t.name, t.url.Redacted()) << sql;
        return {};
      }
      ASSIGN_OR_RETURN(online::StartResult r, runner.Start(*m));
      bar.Finish();
      tj["version_schema"] = r.version_schema;
      tj["previous_schema"] = r.previous_schema ? json(*r.previous_schema) : json(nullptr);
      tj["resumed"] = r.resumed;
      tj["paused"] = r.paused;
      tj["backfill_done"] = r.backfill_done;
      tj["backfill"] = json::array();
      for (const auto& p : r.backfill) tj["backfill"].push_back(ProgressJson(p));
      tj["warnings"] = r.warnings;
      ctx.Say(fmt::format("{}: {} {}: version schema {} ({}){}", t.name, m->name, r.resumed ? "resumed" : "started",
                          r.version_schema,
                          r.paused ? "backfill paused" : (r.backfill_done ? "backfill done" : "backfill pending"),
                          r.backfill_done ? "; run `strata online complete` once no client uses the old version" : ""));
      return {};
    }, [&bar](const BackfillProgress& p) { bar(p); });
  });

  CLI::App* status = online->add_subcommand("status", "The active online migration, its backfill and old-version clients");
  status->add_option("--schema", f->schema, "The schema holding the tables (default public)");
  status->footer("Examples:\n  strata online status\n  strata online status --json | jq '.targets[0].backfill'\n");
  status->callback([&ctx, f] {
    ForEachTarget(ctx, *f, "online status", [&](OnlineRunner& runner, Engine&, const ResolvedTarget& t,
                                                json& tj) -> Result<void> {
      ASSIGN_OR_RETURN(online::StatusResult s, runner.Status());
      tj["active"] = s.active ? MigrationJson(*s.active) : json(nullptr);
      tj["current_version"] = s.current_version ? json(*s.current_version) : json(nullptr);
      tj["backfill"] = json::array();
      for (const auto& b : s.backfill) {
        double rate = b.elapsed_s > 0 ? static_cast<double>(b.rows_done) / b.elapsed_s : 0;
        double eta = rate > 0 && !b.done ? std::max(0.0, static_cast<double>(b.rows_total - b.rows_done) / rate) : 0;
        tj["backfill"].push_back({{"table", b.table},
                                  {"rows_done", b.rows_done},
                                  {"rows_total", b.rows_total},
                                  {"batches", b.batches},
                                  {"throttled", b.throttled},
                                  {"done", b.done},
                                  {"rate_rows_per_s", rate},
                                  {"eta_s", eta}});
      }
      tj["old_version_sessions"] = SessionsJson(s.old_version_sessions);
      tj["migrations"] = json::array();
      for (const auto& m : s.migrations) tj["migrations"].push_back(MigrationJson(m));
      if (!s.active) {
        ctx.Say(fmt::format("{}: no online migration active{}", t.name,
                            s.current_version ? "; current version " + *s.current_version : ""));
        return {};
      }
      ctx.Say(fmt::format("{}: {} is {}{} (version schema {}, old version {}), started {} by {}", t.name, s.active->name,
                          s.active->state, s.active->paused ? ", paused" : "", s.active->version_schema,
                          s.active->previous_schema.value_or(f->schema), s.active->started_at, s.active->started_by));
      for (const auto& b : tj["backfill"])
        ctx.Say(fmt::format("  backfill {}: {}/{} rows, {} batches, {:.0f} rows/s{}", b["table"].get<std::string>(),
                            b["rows_done"].get<long long>(), b["rows_total"].get<long long>(),
                            b["batches"].get<long long>(), b["rate_rows_per_s"].get<double>(),
                            b["done"].get<bool>() ? ", done" : ""));
      if (!s.old_version_sessions.empty())
        ctx.Say(fmt::format("  {} session(s) still on the old version:{}", s.old_version_sessions.size(),
                            SessionsText(s.old_version_sessions)));
      return {};
    });
  });

  CLI::App* complete = online->add_subcommand("complete", "Contract: drop the old version, swap columns in, validate");
  AddCommonFlags(complete, *f);
  complete->add_flag("--force", f->force, "Complete although sessions still use the old version (audited)");
  complete->add_flag("--dry-run", f->dry_run, "Print the SQL complete would run; run nothing");
  complete->footer(
      "Refuses (exit 1, listing them) while sessions use the old version: logged in as its role, tagged\n"
      "application_name 'strata_version=<old version schema>', or holding its views.\n"
      "Examples:\n  strata online complete\n  strata online complete --force\n");
  complete->callback([&ctx, f] {
    ForEachTarget(ctx, *f, f->force ? "online complete --force" : "online complete",
                  [&](OnlineRunner& runner, Engine&, const ResolvedTarget& t, json& tj) -> Result<void> {
                    if (f->dry_run) {
                      ASSIGN_OR_RETURN(std::string sql, runner.DescribeFinish(true));
                      tj["sql"] = sql;
                      if (!ctx.g.json) std::cout << fmt::format("-- target {} ({})\n", t.name, t.url.Redacted()) << sql;
                      return {};
                    }
                    ASSIGN_OR_RETURN(online::CompleteResult r, runner.Complete(f->force));
                    tj["migration"] = r.name;
                    tj["completed"] = r.completed;
                    tj["forced"] = r.forced;
                    tj["old_version"] = r.old_version;
                    tj["blocked_by"] = SessionsJson(r.blockers);
                    if (!r.completed) {
                      ctx.Note(fmt::format("strata: {}: not completing {}: {} session(s) still use the old version {}; "
                                           "move them to the new version or use --force:{}",
                                           t.name, r.name, r.blockers.size(), r.old_version, SessionsText(r.blockers)));
                      ctx.exit_code = std::max(ctx.exit_code, static_cast<int>(kExitFindings));
                      return {};
                    }
                    ctx.Say(fmt::format("{}: {} completed{}", t.name, r.name,
                                        r.forced ? fmt::format(" (forced past {} session(s))", r.blockers.size()) : ""));
                    return {};
                  });
  });

  CLI::App* rollback = online->add_subcommand("rollback", "Undo everything start did (before complete), no data lost");
  AddCommonFlags(rollback, *f);
  rollback->add_flag("--dry-run", f->dry_run, "Print the SQL rollback would run; run nothing");
  rollback->footer("Examples:\n  strata online rollback\n  strata online rollback --dry-run\n  strata --service users online rollback --json\n");
  rollback->callback([&ctx, f] {
    ForEachTarget(ctx, *f, "online rollback", [&](OnlineRunner& runner, Engine&, const ResolvedTarget& t,
                                                  json& tj) -> Result<void> {
      if (f->dry_run) {
        ASSIGN_OR_RETURN(std::string sql, runner.DescribeFinish(false));
        tj["sql"] = sql;
        if (!ctx.g.json) std::cout << fmt::format("-- target {} ({})\n", t.name, t.url.Redacted()) << sql;
        return {};
      }
      ASSIGN_OR_RETURN(std::string name, runner.Rollback());
      tj["rolled_back"] = name;
      ctx.Say(fmt::format("{}: {} rolled back", t.name, name));
      return {};
    });
  });

  CLI::App* pause = online->add_subcommand("pause", "Pause the backfill (a running start stops after its batch)");
  pause->add_option("--schema", f->schema, "The schema holding the tables (default public)");
  pause->footer("Example:\n  strata online pause && strata online resume --batch-delay 50ms\n");
  pause->callback([&ctx, f] {
    ForEachTarget(ctx, *f, "online pause", [&](OnlineRunner& runner, Engine&, const ResolvedTarget& t,
                                               json& tj) -> Result<void> {
      ASSIGN_OR_RETURN(std::string name, runner.Pause());
      tj["paused"] = name;
      ctx.Say(fmt::format("{}: {} paused", t.name, name));
      return {};
    });
  });

  CLI::App* resume = online->add_subcommand("resume", "Clear the pause and continue the backfill from its cursor");
  AddCommonFlags(resume, *f);
  AddBackfillFlags(resume, *f);
  resume->footer("Example:\n  strata online resume --batch-size 500\n");
  resume->callback([&ctx, f] {
    BackfillBar bar(ctx, f->progress);
    ForEachTarget(ctx, *f, "online resume", [&](OnlineRunner& runner, Engine&, const ResolvedTarget& t,
                                                json& tj) -> Result<void> {
      ASSIGN_OR_RETURN(online::StartResult r, runner.Resume());
      bar.Finish();
      tj["migration"] = r.name;
      tj["paused"] = r.paused;
      tj["backfill_done"] = r.backfill_done;
      tj["backfill"] = json::array();
      for (const auto& p : r.backfill) tj["backfill"].push_back(ProgressJson(p));
      ctx.Say(fmt::format("{}: {} resumed ({})", t.name, r.name,
                          r.paused ? "paused again" : (r.backfill_done ? "backfill done" : "another strata continues")));
      return {};
    }, [&bar](const BackfillProgress& p) { bar(p); });
  });

  CLI::App* plan = online->add_subcommand("plan", "Check an online migration file and list its operations (no database)");
  plan->add_option("file", f->file, "The migration file")->required();
  plan->footer("Raw `sql` operations are marked UNSAFE: strata cannot tell what they lock or whether they undo.\n"
               "Example:\n  strata online plan migrations/online/02_add_rating.yaml\n");
  plan->callback([&ctx, f] {
    auto m = online::LoadOnlineMigration(f->file);
    if (!m) return void(ctx.Fail(m.error()));
    json ops = json::array();
    lint::LintOptions lo;
    lo.runner_sets_lock_timeout = true;  // strata online runs every step under lock_timeout
    for (const auto& op : m->operations) {
      json oj = {{"kind", op->kind()}, {"line", op->line}, {"description", op->Describe()}, {"unsafe", op->unsafe()}};
      ctx.Say(fmt::format("{}:{}: {}{}", f->file, op->line, op->Describe(),
                          op->unsafe() ? "  UNSAFE: raw SQL, locks and reversibility unknown to strata" : ""));
      // The linter's view of raw SQL: what it locks, rewrites or scans.
      if (const auto* raw = dynamic_cast<const online::RawSql*>(op.get())) {
        oj["findings"] = json::array();
        for (const auto& fd : lint::LintSql(raw->up, f->file, op->line, true, lo)) {
          oj["findings"].push_back({{"rule", fd.rule},
                                    {"severity", std::string(lint::SeverityName(fd.severity))},
                                    {"message", fd.message},
                                    {"help", fd.help}});
          ctx.Say(fmt::format("  {} [{}] {}", lint::SeverityName(fd.severity), fd.rule, fd.message));
        }
      }
      ops.push_back(oj);
    }
    if (ctx.g.json)
      ctx.PrintJson({{"file", f->file}, {"name", m->name}, {"operations", ops}, {"unsafe", m->unsafe()}});
  });
}

}  // namespace strata::cli
