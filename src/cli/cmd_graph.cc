// strata graph: the migration graph of each service as text, DOT or JSON.
#include <fmt/format.h>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "util/text.h"

namespace strata::cli {
namespace {

// `text` as a DOT string body: double quotes and backslashes escaped, newlines as \n.
std::string Dot(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// `graph --all`: every service of the project with its owner and migrations, and the
// cross-service `requires` edges (each migration also lists what requires it: what a change
// affects).
void GraphAll(Context& ctx, const std::string& fmt_name) {
  auto project = ctx.Project();
  if (!project) return void(ctx.Fail(project.error()));
  std::vector<const LoadedService*> services;
  for (const auto& s : (*project)->services) {
    auto svc = ctx.Service(s.name);
    if (!svc) return void(ctx.Fail(svc.error()));
    services.push_back(*svc);
  }
  struct Edge {
    std::string from, to;  // "service/id": from requires to
  };
  std::vector<Edge> edges;
  std::map<std::string, std::vector<std::string>> required_by;
  for (const LoadedService* svc : services) {
    for (const Migration& m : svc->graph.ordered()) {
      for (const auto& req : m.requires_migrations) {
        std::string rsvc = req.substr(0, req.find('/'));
        std::string rref = req.substr(req.find('/') + 1);
        const LoadedService* target = nullptr;
        for (const LoadedService* s : services) {
          if (s->config->name == rsvc) target = s;
        }
        const Migration* rm = target ? target->graph.Find(rref) : nullptr;
        if (!rm && target && rref.find('_') != std::string::npos) {
          rm = target->graph.Find(rref.substr(0, rref.find('_')));
          if (rm && rm->Label() != rref) rm = nullptr;
        }
        if (!rm) {
          return void(ctx.Fail(MakeErrorAt(ErrorKind::kInput, m.requires_file, m.requires_line,
                                            fmt::format("{}/{} requires {}, which the project does not have",
                                                        svc->config->name, m.id, req))
                                   .error()));
        }
        std::string from = svc->config->name + "/" + m.id;
        std::string to = rsvc + "/" + rm->id;
        edges.push_back({from, to});
        required_by[to].push_back(from);
      }
    }
  }
  if (fmt_name == "json") {
    nlohmann::json out = {{"services", nlohmann::json::array()}, {"edges", nlohmann::json::array()}};
    for (const LoadedService* svc : services) {
      nlohmann::json ms = nlohmann::json::array();
      for (const Migration& m : svc->graph.ordered()) {
        std::string key = svc->config->name + "/" + m.id;
        ms.push_back({{"id", m.id}, {"name", m.name}, {"parents", m.parents}, {"requires", m.requires_migrations},
                      {"required_by", required_by[key]}});
      }
      out["services"].push_back({{"service", svc->config->name}, {"owner", svc->config->owner},
                                 {"heads", svc->graph.Heads()}, {"migrations", ms}});
    }
    for (const auto& e : edges) out["edges"].push_back({{"from", e.from}, {"to", e.to}, {"kind", "requires"}});
    std::cout << out.dump(2) << "\n";
    return;
  }
  if (fmt_name == "dot") {
    std::cout << "digraph strata {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n";
    for (const LoadedService* svc : services) {
      const std::string& name = svc->config->name;
      std::cout << fmt::format("  subgraph \"cluster_{}\" {{\n    label=\"{}{}\";\n", Dot(name), Dot(name),
                               svc->config->owner.empty() ? "" : Dot(" (" + svc->config->owner + ")"));
      for (const Migration& m : svc->graph.ordered()) {
        std::cout << fmt::format("    \"{}/{}\" [label=\"{}\"];\n", Dot(name), Dot(m.id), Dot(m.Label()));
        for (const auto& p : m.parents) {
          std::cout << fmt::format("    \"{}/{}\" -> \"{}/{}\";\n", Dot(name), Dot(p), Dot(name), Dot(m.id));
        }
      }
      std::cout << "  }\n";
    }
    // A requires edge points from the required migration to the one that needs it (run order).
    for (const auto& e : edges) {
      std::cout << fmt::format("  \"{}\" -> \"{}\" [style=dashed, color=red, label=\"requires\"];\n", Dot(e.to), Dot(e.from));
    }
    std::cout << "}\n";
    return;
  }
  for (const LoadedService* svc : services) {
    std::cout << svc->config->name << (svc->config->owner.empty() ? "" : "  (owner " + svc->config->owner + ")") << "\n";
    for (const Migration& m : svc->graph.ordered()) {
      std::string key = svc->config->name + "/" + m.id;
      std::string extra;
      if (!m.requires_migrations.empty()) extra += "  requires " + Join(m.requires_migrations, ", ");
      if (!required_by[key].empty()) extra += "  required by " + Join(required_by[key], ", ");
      std::cout << fmt::format("  {}{}\n", m.Label(), extra);
    }
  }
  std::cout << fmt::format("cross-service edges: {}\n", edges.size());
  for (const auto& e : edges) std::cout << fmt::format("  {} requires {}\n", e.from, e.to);
}

}  // namespace

void AddGraph(CLI::App& app, Context& ctx) {
  auto format = std::make_shared<std::string>("text");
  auto all = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("graph", "Show the migration graph: parents, branches, merges, heads");
  cmd->add_option("--format", *format, "text, dot or json")->check(CLI::IsMember({"text", "dot", "json"}));
  cmd->add_flag("--all", *all, "Every service with its owner, and the cross-service requires edges");
  cmd->footer("Examples:\n  strata graph\n  strata graph --all --format dot | dot -Tsvg > fleet.svg\n  strata graph --format dot | dot -Tsvg > graph.svg\n  strata --service users graph --json\n");
  cmd->callback([&ctx, format, all] {
    if (*all) return GraphAll(ctx, ctx.g.json ? "json" : *format);
    auto services = ctx.Services();
    if (!services) return void(ctx.Fail(services.error()));
    std::string fmt_name = ctx.g.json ? "json" : *format;
    nlohmann::json out = {{"services", nlohmann::json::array()}};
    if (fmt_name == "dot") std::cout << "digraph strata {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n";
    for (const LoadedService* svc : *services) {
      const auto& g = svc->graph;
      auto heads = g.Heads();
      std::set<std::string> head_set(heads.begin(), heads.end());
      nlohmann::json nodes = nlohmann::json::array();
      if (fmt_name == "text") std::cout << svc->config->name << "\n";
      if (fmt_name == "dot") std::cout << fmt::format("  subgraph \"cluster_{}\" {{\n    label=\"{}\";\n", Dot(svc->config->name), Dot(svc->config->name));
      for (const Migration& m : g.ordered()) {
        bool head = head_set.count(m.id) > 0;
        if (fmt_name == "json") {
          nodes.push_back({{"id", m.id}, {"name", m.name}, {"parents", m.parents}, {"head", head},
                           {"reversible", m.Reversible()}, {"no_transaction", m.no_transaction}, {"file", m.path}});
        }
        if (fmt_name == "text") {
          std::string marks;
          if (m.parents.size() > 1) marks += "  (merge)";
          if (head) marks += "  (head)";
          if (!m.Reversible()) marks += "  (irreversible)";
          if (m.no_transaction) marks += "  (no-transaction)";
          std::cout << fmt::format("  {:<40} <- {}{}\n", m.Label(), m.parents.empty() ? "(root)" : Join(m.parents, ", "), marks);
        } else if (fmt_name == "dot") {
          std::string node = svc->config->name + "/" + m.id;
          std::cout << fmt::format("    \"{}\" [label=\"{}\"{}];\n", Dot(node), Dot(m.Label()), head ? ", style=bold" : "");
          for (const auto& p : m.parents) std::cout << fmt::format("    \"{}/{}\" -> \"{}\";\n", Dot(svc->config->name), Dot(p), Dot(node));
        }
      }
      if (fmt_name == "dot") std::cout << "  }\n";
      out["services"].push_back({{"service", svc->config->name}, {"heads", heads}, {"migrations", nodes}});
    }
    if (fmt_name == "dot") std::cout << "}\n";
    if (fmt_name == "json") std::cout << out.dump(2) << "\n";
  });
}

}  // namespace strata::cli
