// strata lint: which lock each statement takes, and what to write instead.
#include <fmt/format.h>
#include <iostream>
#include <unistd.h>

#include "cli/commands.h"
#include "lint/lint_command.h"

namespace strata::cli {
namespace {

struct LintFlags {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string fail_on;
  int pg_version = 0;
  std::vector<std::string> rules;
  bool assume_in_transaction = false;
  bool no_color = false;
  bool list_rules = false;
  std::string explain;
};

}  // namespace

void AddLint(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<LintFlags>();
  CLI::App* cmd = app.add_subcommand("lint", "Lint migrations: the lock each statement takes, and the safe rewrite");
  cmd->add_option("paths", f->paths, "Files or folders to lint, '-' for stdin (default: the services' migrations)");
  cmd->add_option("--format", f->format, "text, json, sarif or github")
      ->check(CLI::IsMember({"text", "json", "sarif", "github"}));
  cmd->add_option("--fail-on", f->fail_on, "Exit 1 on findings at or above: error, warning (default) or info");
  cmd->add_option("--pg-version", f->pg_version, "Target PostgreSQL major version (default 15, or [lint] pg_version)");
  cmd->add_option("--rule", f->rules, "Per-rule setting ID=error|warning|info|off (repeatable)");
  cmd->add_flag("--assume-in-transaction", f->assume_in_transaction, "Lint plain files as if run in one transaction");
  cmd->add_flag("--no-color", f->no_color, "No colours in text output");
  cmd->add_flag("--list-rules", f->list_rules, "List every rule (with --json: id, severity, summary, squawk, strong_migrations)");
  cmd->add_option("--explain", f->explain, "Print the documentation of one rule");
  cmd->footer(
      "Suppress one finding in the SQL with `-- strata:ignore RULE reason` (a reason is required).\n"
      "Examples:\n"
      "  strata lint                                   # every service's migrations\n"
      "  strata lint migrations/users/0042_index.sql --format github\n"
      "  git diff --name-only main | grep '\\.sql$' | xargs strata lint --format sarif > lint.sarif\n"
      "  echo 'CREATE INDEX i ON t (c);' | strata lint -\n"
      "  strata lint --explain require-concurrent-index\n");
  cmd->callback([&ctx, f] {
    lint::LintCommand c;
    c.paths = f->paths;
    std::string format = ctx.g.json ? "json" : f->format;
    c.format = *lint::ParseFormat(format);
    c.list_rules = f->list_rules;
    c.explain = f->explain;
    c.color = !f->no_color && format == "text" && ::isatty(1) == 1;
    c.options.assume_in_transaction = f->assume_in_transaction;
    std::string fail_on = f->fail_on;
    int pg_version = f->pg_version;
    std::vector<std::string> rules;
    bool need_project = c.paths.empty() && c.explain.empty() && !c.list_rules;
    auto project = ctx.Project();
    if (project) {
      const LintSettings& ls = (*project)->lint;
      if (fail_on.empty()) fail_on = ls.fail_on;
      if (pg_version == 0) pg_version = ls.pg_version;
      rules = ls.rule_settings;
    } else if (need_project) {
      return void(ctx.Fail(project.error()));
    }
    rules.insert(rules.end(), f->rules.begin(), f->rules.end());  // flags after the file: they win
    if (need_project) {
      auto services = ctx.Services();
      if (!services) return void(ctx.Fail(services.error()));
      // strata apply sets lock_timeout itself, and statement_timeout when the project gives one.
      c.options.runner_sets_lock_timeout = true;
      c.options.runner_sets_statement_timeout = true;
      for (const LoadedService* s : *services) {
        c.paths.push_back(s->config->migrations_dir);
        if (s->settings.statement_timeout.value_or(std::chrono::milliseconds(0)).count() == 0) {
          c.options.runner_sets_statement_timeout = false;
        }
      }
    }
    if (!fail_on.empty()) {
      auto sev = lint::ParseSeverity(fail_on);
      if (!sev) return void(ctx.Fail(Error{ErrorKind::kUsage, fmt::format("--fail-on '{}': use error, warning or info", fail_on)}));
      c.fail_on = *sev;
    }
    if (pg_version != 0) c.options.pg_major = pg_version;
    for (const auto& r : rules) {
      if (auto ok = lint::ApplyRuleSetting(c.options, r); !ok) return void(ctx.Fail(ok.error()));
    }
    auto result = lint::RunLintCommand(c);
    if (!result) return void(ctx.Fail(result.error()));
    std::cout << result->output;
    ctx.exit_code = result->exit_code;
  });
}

}  // namespace strata::cli
