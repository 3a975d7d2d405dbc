// Development aid: prints the parse tree strata sees for the SQL on stdin.
#include <iostream>
#include <sstream>

#include "sql/pg_parse.h"

namespace {
void Dump(const strata::pg::Node& n, int depth) {
  std::string pad(depth * 2, ' ');
  std::cout << pad << n.type() << (n.location() >= 0 ? " @" + std::to_string(n.location()) : "")
            << "\n";
  for (const auto& f : n.fields()) {
    using K = strata::pg::Node::FieldKind;
    std::cout << pad << "  ." << f.name;
    if (f.kind == K::kNode) { std::cout << ":\n"; Dump(*f.node, depth + 2); }
    else if (f.kind == K::kList) {
      std::cout << ": [" << f.count << "]\n";
      for (uint32_t i = 0; i < f.count; ++i) Dump(*f.items[i], depth + 2);
    } else if (f.kind == K::kString) std::cout << " = \"" << f.str << "\"\n";
    else std::cout << " = " << f.num << "\n";
  }
}
}  // namespace

int main() {
  std::stringstream ss;
  ss << std::cin.rdbuf();
  auto r = strata::pg::ParseScript(ss.str());
  if (!r) { std::cout << "error: " << r.error().message << " at " << r.error().offset << "\n"; return 1; }
  for (const auto& s : r->statements) {
    std::cout << "-- stmt @" << s.span.offset << " len " << s.span.length << "\n";
    Dump(*s.root, 0);
  }
}
