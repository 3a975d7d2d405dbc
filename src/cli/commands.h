// One Add* function per command, each in cmd_<name>.cc; main.cc calls them in this order.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace strata::cli {

void AddInit(CLI::App& app, Context& ctx);
void AddNew(CLI::App& app, Context& ctx);
void AddStatus(CLI::App& app, Context& ctx);
void AddApply(CLI::App& app, Context& ctx);
void AddRollback(CLI::App& app, Context& ctx);
void AddValidate(CLI::App& app, Context& ctx);
void AddGraph(CLI::App& app, Context& ctx);
void AddHash(CLI::App& app, Context& ctx);
void AddRepair(CLI::App& app, Context& ctx);
void AddAudit(CLI::App& app, Context& ctx);
void AddApprove(CLI::App& app, Context& ctx);
void AddLint(CLI::App& app, Context& ctx);
void AddPlan(CLI::App& app, Context& ctx);
void AddSandbox(CLI::App& app, Context& ctx);
void AddSchema(CLI::App& app, Context& ctx);
void AddCheck(CLI::App& app, Context& ctx);
void AddRebase(CLI::App& app, Context& ctx);
void AddMerge(CLI::App& app, Context& ctx);
void AddOnline(CLI::App& app, Context& ctx);
void AddDiff(CLI::App& app, Context& ctx);
void AddTest(CLI::App& app, Context& ctx);
void AddRollout(CLI::App& app, Context& ctx);
void AddDrift(CLI::App& app, Context& ctx);

}  // namespace strata::cli
