// strata diff A B: the schema difference between two targets, a target and a snapshot file, or
// two git refs (each replayed in a sandbox).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/scratch.h"
#include "project/migration_loader.h"
#include "schema/schema_diff.h"
#include "testkit/git_export.h"
#include "testkit/replay.h"
#include "testkit/scratch_server.h"
#include "util/database_url.h"

namespace fs = std::filesystem;

namespace strata::cli {
namespace {

struct DiffFlags {
  std::string a, b;
  bool ignore_column_order = false;
  bool with_owners = false;
  bool with_grants = false;
};

struct Side {
  std::string label;  // what the user named, password hidden
  std::string kind;   // url, target, file, git
  nlohmann::json snapshot;
};

bool LooksLikeUrl(const std::string& s) {
  return s.starts_with("postgres://") || s.starts_with("postgresql://") || s.starts_with("sqlite:");
}

Result<nlohmann::json> SnapshotOfUrl(const DatabaseUrl& url, const SnapshotOptions& opt) {
  ASSIGN_OR_RETURN(auto engine, Connect(url, "strata diff"));
  return SnapshotJson(*engine, opt);
}

// The one service a git replay or an environment name refers to.
Result<const LoadedService*> OneService(Context& ctx, const std::string& what) {
  ASSIGN_OR_RETURN(auto services, ctx.Services());
  if (services.size() != 1) {
    return MakeError(ErrorKind::kUsage, fmt::format("{}: the project has {} services; choose one with --service", what,
                                                    services.size()));
  }
  return services.front();
}

Result<nlohmann::json> SnapshotOfRef(Context& ctx, ScratchServer& scratch, const std::string& ref) {
  ASSIGN_OR_RETURN(const LoadedService* svc, OneService(ctx, "git ref " + ref));
  char tmpl[] = "/tmp/strata-diff-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return MakeError(ErrorKind::kIo, "cannot create a temp folder");
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{tmpl};
  ASSIGN_OR_RETURN(std::string folder, ExportMigrationsAtRef(svc->config->migrations_dir, ref, tmpl));
  auto loaded = LoadMigrations(folder, svc->config->name);
  if (!loaded) {
    Error e = loaded.error();
    e.message = fmt::format("at {}: {}", ref, e.message);
    return std::unexpected(e);
  }
  auto graph = MigrationGraph::Build(std::move(loaded->migrations));
  if (!graph) {
    Error e = graph.error();
    e.message = fmt::format("at {}: {}", ref, e.message);
    return std::unexpected(e);
  }
  const EngineKind kind = ServiceEngine(ctx, *svc);
  ASSIGN_OR_RETURN(std::string url, kind == EngineKind::kSqlite ? scratch.NewSqliteDatabase("diff")
                                                                : scratch.NewPostgresDatabase("diff"));
  ASSIGN_OR_RETURN(auto engine, OpenUrl(url));
  if (auto r = Replay(*graph, svc->settings, *engine, svc->config->name, ctx.MakeActor("diff")); !r) {
    Error e = r.error();
    e.message = fmt::format("replaying {} at {} in a sandbox: {}", svc->config->name, ref, e.message);
    return std::unexpected(e);
  }
  ASSIGN_OR_RETURN(nlohmann::json snap, SnapshotJson(*engine));
  engine.reset();
  scratch.Drop(url);
  return snap;
}

// Resolves one side, in this order: URL, snapshot file, target name, environment name, git ref.
Result<Side> Resolve(Context& ctx, ScratchServer& scratch, const std::string& arg, const SnapshotOptions& opt) {
  Side side;
  side.label = RedactSecrets(arg);
  if (arg.starts_with("git:")) {
    side.kind = "git";
    ASSIGN_OR_RETURN(side.snapshot, SnapshotOfRef(ctx, scratch, arg.substr(4)));
    return side;
  }
  if (LooksLikeUrl(arg)) {
    side.kind = "url";
    ASSIGN_OR_RETURN(DatabaseUrl url, DatabaseUrl::Parse(arg));
    side.label = url.Redacted();
    ASSIGN_OR_RETURN(side.snapshot, SnapshotOfUrl(url, opt));
    return side;
  }
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) {
    side.kind = "file";
    std::ifstream in(arg);
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
    if (doc.is_discarded()) return MakeError(ErrorKind::kInput, arg + ": not valid JSON (expected `strata schema dump --json` output)");
    ASSIGN_OR_RETURN(side.snapshot,
                     SnapshotFromDocument(doc, ctx.g.services.size() == 1 ? ctx.g.services.front() : "", arg));
    return side;
  }
  ASSIGN_OR_RETURN(const ProjectConfig* project, ctx.Project());
  // A target name ("users@prod/eu") in any environment, or an environment name.
  for (const auto& env : project->environments) {
    auto targets = ResolveTargets(*project, env, ctx.g.services);
    for (const auto& t : targets ? *targets : std::vector<ResolvedTarget>{}) {
      if (t.name == arg) {
        side.kind = "target";
        ASSIGN_OR_RETURN(side.snapshot, SnapshotOfUrl(t.url, opt));
        return side;
      }
    }
    if (env == arg) {
      if (!targets) return std::unexpected(targets.error());
      if (targets->size() != 1) {
        return MakeError(ErrorKind::kUsage, fmt::format("environment {} has {} targets{}; name one (e.g. {})", env,
                                                        targets->size(), ctx.g.services.empty() ? " (try --service)" : "",
                                                        targets->empty() ? "service@env" : targets->front().name));
      }
      side.kind = "target";
      side.label = targets->front().name;
      ASSIGN_OR_RETURN(side.snapshot, SnapshotOfUrl(targets->front().url, opt));
      return side;
    }
  }
  std::string folder = project->root.empty() ? fs::current_path().string() : project->root;
  if (IsGitRef(folder, arg)) {
    side.kind = "git";
    ASSIGN_OR_RETURN(side.snapshot, SnapshotOfRef(ctx, scratch, arg));
    return side;
  }
  return MakeError(ErrorKind::kUsage,
                   fmt::format("'{}' is no database URL, snapshot file, target, environment or git ref", side.label));
}

}  // namespace

void AddDiff(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<DiffFlags>();
  CLI::App* cmd = app.add_subcommand("diff", "Schema difference between two targets, snapshot files or git refs");
  cmd->add_option("A", f->a, "Target name, environment, URL, snapshot file (schema dump --json) or git ref")->required();
  cmd->add_option("B", f->b, "The same kinds as A")->required();
  cmd->add_flag("--ignore-column-order", f->ignore_column_order, "Columns in another order are not a difference");
  cmd->add_flag("--with-owners", f->with_owners, "Also compare owners (databases and URLs only)");
  cmd->add_flag("--with-grants", f->with_grants, "Also compare grants (databases and URLs only)");
  cmd->footer(
      "A and B are resolved in this order: a URL (postgres://, sqlite:), a snapshot file, a target name from\n"
      "strata.toml (users@prod/eu), an environment name (with one service), a git ref (or git:REF). A git ref\n"
      "is replayed: the service's migrations at that commit are applied to a fresh sandbox database.\n"
      "Exit code: 0 equal, 1 different, 2 bad arguments, 3 database error.\n"
      "Examples:\n"
      "  strata diff users@staging users@prod/eu\n"
      "  strata --service users diff dev prod\n"
      "  strata schema dump --json > before.json; ...; strata diff before.json users@dev\n"
      "  strata --service users diff main HEAD --ignore-column-order\n");
  cmd->callback([&ctx, f] {
    SnapshotOptions opt;
    opt.with_owners = f->with_owners;
    opt.with_grants = f->with_grants;
    ScratchServer scratch(ProjectSandboxDir(ctx));
    auto a = Resolve(ctx, scratch, f->a, opt);
    if (!a) return void(ctx.Fail(a.error()));
    auto b = Resolve(ctx, scratch, f->b, opt);
    if (!b) return void(ctx.Fail(b.error()));
    DiffOptions dopt;
    dopt.ignore_column_order = f->ignore_column_order;
    SchemaDiff diff = DiffSnapshots(a->snapshot, b->snapshot, dopt);
    if (ctx.g.json) {
      nlohmann::json out = ToJson(diff);
      out["a"] = {{"name", a->label}, {"kind", a->kind}};
      out["b"] = {{"name", b->label}, {"kind", b->kind}};
      ctx.PrintJson(out);
    } else if (diff.empty()) {
      ctx.Say(fmt::format("{} and {}: same schema", a->label, b->label));
    } else {
      ctx.Say(fmt::format("--- a: {}\n+++ b: {}", a->label, b->label));
      std::cout << (ctx.g.quiet ? "" : ToText(diff));
      ctx.Say(fmt::format("{} added, {} removed, {} changed", diff.Count("added"), diff.Count("removed"),
                          diff.Count("changed")));
    }
    if (!diff.empty()) ctx.exit_code = kExitFindings;
  });
}

}  // namespace strata::cli
