#include "cli/target_session.h"

#include <fmt/format.h>
#include <future>
#include <iostream>
#include <unistd.h>

namespace strata::cli {

Result<TargetSession> OpenTarget(Context& ctx, const ResolvedTarget& target, const std::string& command,
                                 TargetSnapshot* snapshot) {
  TargetSession s;
  s.target = target;
  // Connect (and read the snapshot) while the service's migrations load: the server starts its
  // backend and warms its caches meanwhile. The engine is handed over to this thread after.
  auto connecting = std::async(std::launch::async, [&target, snapshot]() -> Result<std::unique_ptr<Engine>> {
    ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Connect(target.url, "strata"));
    if (snapshot) {
      auto snap = Migrator::ReadSnapshot(*engine, target.service);
      if (!snap) {
        Error e = snap.error();
        e.message = fmt::format("{}: {}", target.name, e.message);
        return std::unexpected(e);
      }
      *snapshot = std::move(*snap);
    }
    return engine;
  });
  auto service = ctx.Service(target.service);
  auto engine = connecting.get();
  if (!service) return std::unexpected(service.error());
  s.service = *service;
  if (!engine) {
    Error e = engine.error();
    e.message = fmt::format("{}: {}", target.name, e.message);
    return std::unexpected(e);
  }
  s.engine = std::move(*engine);
  s.migrator = std::make_unique<Migrator>(s.service->graph, s.service->settings, *s.engine, target.service,
                                          target.name, ctx.MakeActor(command));
  return s;
}

std::string DescribeEvent(const MigrationEvent& ev) {
  switch (ev.kind) {
    case EventKind::kWaitingForLock:
      return fmt::format("{}: waiting for the migration lock, held by {}", ev.target, ev.detail);
    case EventKind::kRetry:
      return fmt::format("{}: {} waited longer than lock_timeout for a lock ({}); retry {} in {} ms", ev.target,
                         ev.migration->Label(), ev.detail, ev.attempt, ev.delay.count());
    case EventKind::kMigrationDone:
      return fmt::format("{}: [{}/{}] {}  {} ms", ev.target, ev.index, ev.total, ev.migration->Label(), ev.duration_ms);
    case EventKind::kStatementDone:
      return fmt::format("{}:   {} statement {}/{} done", ev.target, ev.migration->Label(), ev.index, ev.total);
    default:
      return "";
  }
}

ProgressPrinter::ProgressPrinter(const Context& ctx) : ctx_(ctx), tty_(::isatty(2) == 1) {}

ProgressPrinter::~ProgressPrinter() {
  if (bar_shown_) std::cerr << "\n";
}

void ProgressPrinter::operator()(const MigrationEvent& ev) {
  if (ctx_.g.quiet) return;
  // Many migrations on a terminal: one updating bar instead of a line each.
  if (tty_ && ev.total > 20 && (ev.kind == EventKind::kMigrationDone || ev.kind == EventKind::kMigrationStart)) {
    if (ev.kind != EventKind::kMigrationDone) return;
    int width = 30;
    int filled = ev.total ? ev.index * width / ev.total : width;
    std::cerr << fmt::format("\r{} [{}{}] {}/{} {:<40.40}", ev.target, std::string(filled, '#'),
                             std::string(width - filled, '.'), ev.index, ev.total, ev.migration->Label());
    bar_shown_ = true;
    return;
  }
  std::string line = DescribeEvent(ev);
  if (line.empty()) return;
  if (bar_shown_) {
    std::cerr << "\n";
    bar_shown_ = false;
  }
  // Human progress goes to stderr so that stdout stays clean for --json and for dry-run SQL.
  std::cerr << line << "\n";
}

}  // namespace strata::cli
