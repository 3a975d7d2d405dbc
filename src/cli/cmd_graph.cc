// strata graph: the migration graph of each service as text, DOT or JSON.
#include <fmt/format.h>
#include <iostream>

#include "cli/commands.h"
#include "util/text.h"

namespace strata::cli {

void AddGraph(CLI::App& app, Context& ctx) {
  auto format = std::make_shared<std::string>("text");
  CLI::App* cmd = app.add_subcommand("graph", "Show the migration graph: parents, branches, merges, heads");
  cmd->add_option("--format", *format, "text, dot or json")->check(CLI::IsMember({"text", "dot", "json"}));
  cmd->footer("Examples:\n  strata graph\n  strata graph --format dot | dot -Tsvg > graph.svg\n  strata --service users graph --json\n");
  cmd->callback([&ctx, format] {
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
      if (fmt_name == "dot") std::cout << fmt::format("  subgraph \"cluster_{}\" {{\n    label=\"{}\";\n", svc->config->name, svc->config->name);
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
          std::cout << fmt::format("    \"{}\" [label=\"{}\"{}];\n", node, m.Label(), head ? ", style=bold" : "");
          for (const auto& p : m.parents) std::cout << fmt::format("    \"{}/{}\" -> \"{}\";\n", svc->config->name, p, node);
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
