// strata init: a strata.toml and a migrations folder.
#include <filesystem>
#include <fmt/format.h>

#include "cli/commands.h"
#include "core/integrity.h"
#include "util/files.h"

namespace fs = std::filesystem;

namespace strata::cli {

void AddInit(CLI::App& app, Context& ctx) {
  auto service = std::make_shared<std::string>("app");
  auto url_var = std::make_shared<std::string>("DATABASE_URL");
  CLI::App* cmd = app.add_subcommand("init", "Create strata.toml and a migrations folder");
  cmd->add_option("--name", *service, "The first service's name (default app)");
  cmd->add_option("--url-env", *url_var, "The environment variable holding the dev database URL (default DATABASE_URL)");
  cmd->footer("Examples:\n  strata init\n  strata --project services/users init --name users --url-env USERS_DB_URL\n");
  cmd->callback([&ctx, service, url_var] {
    fs::path root = ctx.g.project_dir.empty() ? fs::current_path() : fs::path(ctx.g.project_dir);
    std::error_code ec;
    fs::create_directories(root, ec);
    fs::path toml = root / "strata.toml";
    if (fs::exists(toml, ec)) {
      return void(ctx.Fail(Error{ErrorKind::kInput, "strata.toml already exists; nothing was changed", toml.string()}));
    }
    fs::path migrations = root / "migrations" / *service;
    fs::create_directories(migrations, ec);
    if (ec) return void(ctx.Fail(Error{ErrorKind::kIo, "cannot create the folder: " + ec.message(), migrations.string()}));
    std::string text = fmt::format(
        "# strata project file: see docs/configuration.md\n"
        "[project]\n"
        "name = \"{0}\"\n"
        "environments = [\"dev\", \"staging\", \"prod\"]\n"
        "default_environment = \"dev\"\n"
        "\n"
        "[defaults]\n"
        "lock_timeout = \"2s\"      # the longest any DDL statement waits for its lock\n"
        "lock_retries = 5          # retries after a lock timeout, with jittered back-off\n"
        "retry_delay = \"500ms\"     # the first back-off delay; doubles each retry\n"
        "statement_timeout = \"0\"  # 0: no limit\n"
        "lock_wait = \"60s\"        # how long to wait for another strata on the same target\n"
        "\n"
        "[services.{0}]\n"
        "migrations = \"migrations/{0}\"\n"
        "\n"
        "[services.{0}.targets]\n"
        "dev = \"${{{1}}}\"\n",
        *service, *url_var);
    if (auto r = WriteFileAtomic(toml, text); !r) return void(ctx.Fail(r.error()));
    if (auto r = WriteFileAtomic(migrations / "strata.sum", IntegrityFile::Compute({}).Render()); !r) {
      return void(ctx.Fail(r.error()));
    }
    ctx.Say(fmt::format("created {}\ncreated {}/\nnext: strata new create_first_table", toml.string(), migrations.string()));
    if (ctx.g.json) ctx.PrintJson({{"project", toml.string()}, {"migrations", migrations.string()}});
  });
}

}  // namespace strata::cli
