// Opening a target for a command: the connection, the service's graph and a Migrator.
#pragma once

#include <memory>
#include <string>

#include "cli/context.h"
#include "engine/engine.h"
#include "migrate/migrator.h"

namespace strata::cli {

struct TargetSession {
  ResolvedTarget target;
  const LoadedService* service = nullptr;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Migrator> migrator;
};

// Connects to the target and builds its Migrator. `command` is recorded as the actor's command.
// With `snapshot`, the target's history and lock are read too, while the migration files load.
Result<TargetSession> OpenTarget(Context& ctx, const ResolvedTarget& target, const std::string& command,
                                 TargetSnapshot* snapshot = nullptr);

// Text for a progress event (one line), or "" for events not worth a line.
std::string DescribeEvent(const MigrationEvent& ev);

// Prints events: a line per migration, and a progress bar on a terminal when there are many.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(const Context& ctx);
  ~ProgressPrinter();
  void operator()(const MigrationEvent& ev);

 private:
  const Context& ctx_;
  bool tty_;
  bool bar_shown_ = false;
};

}  // namespace strata::cli
