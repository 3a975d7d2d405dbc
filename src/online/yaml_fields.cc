#include "online/yaml_fields.h"

#include <fmt/format.h>

namespace strata::online {

Fields::Fields(const YAML::Node& node, std::string file, std::string what)
    : node_(node), file_(std::move(file)), what_(std::move(what)) {}

int Fields::LineOf(const YAML::Node& n) const { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }
int Fields::line() const { return LineOf(node_); }

std::unexpected<Error> Fields::Fail(const YAML::Node& at, const std::string& message) const {
  return MakeErrorAt(ErrorKind::kInput, file_, LineOf(at), message);
}

Result<void> Fields::Check() const {
  if (!node_.IsMap()) return Fail(node_, fmt::format("{}: expected a mapping of fields", what_));
  return {};
}

Result<std::optional<std::string>> Fields::OptStr(const std::string& key) {
  seen_.insert(key);
  YAML::Node n = node_[key];
  if (!n.IsDefined() || n.IsNull()) return std::optional<std::string>{};
  if (!n.IsScalar()) return Fail(n, fmt::format("{}.{}: expected a string", what_, key));
  return std::optional<std::string>{n.Scalar()};
}

Result<std::string> Fields::Str(const std::string& key) {
  ASSIGN_OR_RETURN(auto v, OptStr(key));
  if (!v || v->empty()) return Fail(node_, fmt::format("{}: missing required field '{}'", what_, key));
  return *v;
}

Result<std::optional<bool>> Fields::OptBool(const std::string& key) {
  seen_.insert(key);
  YAML::Node n = node_[key];
  if (!n.IsDefined() || n.IsNull()) return std::optional<bool>{};
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true") return std::optional<bool>{true};
    if (s == "false") return std::optional<bool>{false};
  }
  return Fail(n, fmt::format("{}.{}: expected true or false", what_, key));
}

Result<std::vector<std::string>> Fields::StrList(const std::string& key, bool required) {
  seen_.insert(key);
  YAML::Node n = node_[key];
  std::vector<std::string> out;
  if (!n.IsDefined() || n.IsNull()) {
    if (required) return Fail(node_, fmt::format("{}: missing required field '{}'", what_, key));
    return out;
  }
  if (!n.IsSequence()) return Fail(n, fmt::format("{}.{}: expected a list of strings", what_, key));
  for (const auto& e : n) {
    if (!e.IsScalar() || e.Scalar().empty()) return Fail(e, fmt::format("{}.{}: expected a list of strings", what_, key));
    out.push_back(e.Scalar());
  }
  if (required && out.empty()) return Fail(n, fmt::format("{}.{}: must not be empty", what_, key));
  return out;
}

Result<YAML::Node> Fields::Map(const std::string& key) {
  seen_.insert(key);
  YAML::Node n = node_[key];
  if (!n.IsDefined() || n.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
  if (!n.IsMap()) return Fail(n, fmt::format("{}.{}: expected a mapping", what_, key));
  return n;
}

Result<std::vector<YAML::Node>> Fields::MapList(const std::string& key, bool required) {
  seen_.insert(key);
  YAML::Node n = node_[key];
  std::vector<YAML::Node> out;
  if (!n.IsDefined() || n.IsNull()) {
    if (required) return Fail(node_, fmt::format("{}: missing required field '{}'", what_, key));
    return out;
  }
  if (!n.IsSequence()) return Fail(n, fmt::format("{}.{}: expected a list", what_, key));
  for (const auto& e : n) {
    if (!e.IsMap()) return Fail(e, fmt::format("{}.{}: expected a list of mappings", what_, key));
    out.push_back(e);
  }
  if (required && out.empty()) return Fail(n, fmt::format("{}.{}: must not be empty", what_, key));
  return out;
}

Result<YAML::Node> Fields::Any(const std::string& key) {
  seen_.insert(key);
  YAML::Node n = node_[key];
  if (!n.IsDefined() || n.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
  return n;
}

Result<void> Fields::Done() const {
  for (const auto& kv : node_) {
    std::string k = kv.first.Scalar();
    if (!seen_.contains(k)) return Fail(kv.first, fmt::format("{}: unknown field '{}'", what_, k));
  }
  return {};
}

}  // namespace strata::online
