// strata schema dump: a normalised snapshot of each target's schema, as text or JSON.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "engine/engine.h"
#include "schema/catalog_snapshot.h"

namespace strata::cli {

void AddSchema(CLI::App& app, Context& ctx) {
  CLI::App* schema = app.add_subcommand("schema", "Inspect the schema of each target");
  schema->require_subcommand(1);
  auto format = std::make_shared<std::string>("text");
  CLI::App* dump = schema->add_subcommand(
      "dump", "Print each target's tables, columns, constraints, indexes, views, functions, triggers, sequences, "
              "types and extensions, normalised");
  dump->add_option("--format", *format, "text or json")->check(CLI::IsMember({"text", "json"}));
  auto access = std::make_shared<SnapshotOptions>();
  dump->add_flag("--with-owners", access->with_owners, "Also the owner of each schema, table, view, sequence, function and type");
  dump->add_flag("--with-grants", access->with_grants, "Also the privileges granted on them (grantee and privilege)");
  dump->footer(
      "Examples:\n  strata schema dump\n  strata --env prod --service users schema dump --format json > users.json\n"
      "  strata schema dump --with-owners --with-grants\n");
  dump->callback([&ctx, format, access] {
    const bool json = ctx.g.json || *format == "json";
    auto targets = ctx.Targets();
    if (!targets) return void(ctx.Fail(targets.error()));
    nlohmann::json out = {{"targets", nlohmann::json::array()}};
    for (const auto& t : *targets) {
      auto engine = Connect(t.url, "strata");
      if (!engine) return void(ctx.Fail(engine.error(), out));
      auto snapshot = ReadPostgresSnapshot(**engine, *access);
      if (!snapshot) {
        Error e = snapshot.error();
        e.message = fmt::format("{}: {}", t.name, e.message);
        return void(ctx.Fail(e, out));
      }
      if (json) {
        out["targets"].push_back({{"service", t.service}, {"target", t.name}, {"schema", ToJson(*snapshot)}});
      } else {
        if (targets->size() > 1) std::cout << fmt::format("-- {}\n", t.name);
        std::cout << ToText(*snapshot);
      }
    }
    if (json) ctx.PrintJson(out);
  });
}

}  // namespace strata::cli
