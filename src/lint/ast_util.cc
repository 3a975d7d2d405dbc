#include "lint/ast_util.h"

#include <algorithm>
#include <array>

namespace strata::lint {

std::string RelationName(const pg::Node* rv) {
  if (rv == nullptr) return "";
  std::string out;
  if (auto s = rv->Str("schemaname"); !s.empty()) {
    out += s;
    out += '.';
  }
  out += rv->Str("relname");
  return out;
}

std::string_view BareName(const pg::Node* rv) {
  return rv == nullptr ? std::string_view() : rv->Str("relname");
}

std::string_view TypeNameLast(const pg::Node* tn) {
  if (tn == nullptr) return "";
  auto names = tn->List("names");
  if (names.empty()) return "";
  return names.back()->Str("sval");
}

int TypeModCount(const pg::Node* tn) {
  return tn == nullptr ? 0 : static_cast<int>(tn->List("typmods").size());
}

std::string TypeNameDisplay(const pg::Node* tn) {
  std::string_view last = TypeNameLast(tn);
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kNames = {{
      {"int4", "integer"}, {"int2", "smallint"}, {"int8", "bigint"}, {"float4", "real"},
      {"float8", "double precision"}, {"bpchar", "char"}, {"bool", "boolean"},
      {"timestamptz", "timestamptz"}, {"varchar", "varchar"}, {"numeric", "numeric"},
      {"timetz", "timetz"}}};
  std::string out(last);
  for (auto& [k, v] : kNames) {
    if (k == last) out = v;
  }
  auto mods = tn != nullptr ? tn->List("typmods") : std::span<const pg::Node* const>();
  if (!mods.empty()) {
    out += '(';
    for (size_t i = 0; i < mods.size(); ++i) {
      if (i > 0) out += ',';
      out += mods[i]->ScalarText();
    }
    out += ')';
  }
  if (tn != nullptr && !tn->List("arrayBounds").empty()) out += "[]";
  return out;
}

std::string JoinNames(const pg::Node& node, std::string_view field) {
  std::string out;
  for (const pg::Node* n : node.List(field)) {
    if (!out.empty()) out += '.';
    out += n->Str("sval");
  }
  return out;
}

std::string_view LastName(const pg::Node& node, std::string_view field) {
  auto l = node.List(field);
  return l.empty() ? std::string_view() : l.back()->Str("sval");
}

bool HasOption(const pg::Node& node, std::string_view list_field, std::string_view name) {
  for (const pg::Node* d : node.List(list_field)) {
    if (d->Is("DefElem") && d->Str("defname") == name) {
      // VACUUM (FULL false) is not FULL.
      const pg::Node* arg = d->Child("arg");
      if (arg != nullptr) {
        std::string v = Lower(arg->ScalarText());
        if (v == "false" || v == "off" || v == "0") return false;
      }
      return true;
    }
  }
  return false;
}

namespace {

bool OneOf(std::string_view s, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

Volatility ClassifyDefault(const pg::Node* expr) {
  if (expr == nullptr) return Volatility::kConstant;
  Volatility worst = Volatility::kConstant;
  auto raise = [&](Volatility v) {
    if (static_cast<int>(v) > static_cast<int>(worst)) worst = v;
  };
  expr->Walk([&](const pg::Node& n) {
    if (n.Is("FuncCall")) {
      std::string name = Lower(LastName(n, "funcname"));
      if (OneOf(name, {"gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
                       "uuid_generate_v4", "random", "clock_timestamp", "timeofday", "nextval",
                       "setval", "txid_current", "random_normal", "uuidv4", "uuidv7",
                       "gen_random_bytes", "pg_current_xact_id"})) {
        raise(Volatility::kVolatile);
      } else if (OneOf(name, {"now", "statement_timestamp", "transaction_timestamp",
                              "current_setting", "to_timestamp", "current_database",
                              "current_schema", "current_user", "session_user"})) {
        raise(Volatility::kStable);
      } else if (OneOf(name, {"lower", "upper", "coalesce", "concat", "jsonb_build_object",
                              "json_build_object", "array_length", "length", "abs",
                              "make_interval", "make_date", "to_char", "to_jsonb", "md5",
                              "trim", "btrim", "replace", "substring", "greatest", "least",
                              "jsonb_build_array", "json_build_array", "array", "round",
                              "date_trunc"})) {
        // immutable or stable built-ins
      } else {
        raise(Volatility::kUnknownFunction);
      }
    } else if (n.Is("SQLValueFunction")) {
      raise(Volatility::kStable);
    } else if (n.Is("SubLink")) {
      raise(Volatility::kUnknownFunction);
    }
    return true;
  });
  return worst;
}

std::string FirstFunctionName(const pg::Node* expr) {
  std::string out;
  if (expr == nullptr) return out;
  expr->Walk([&](const pg::Node& n) {
    if (!out.empty()) return false;
    if (n.Is("FuncCall")) {
      out = JoinNames(n, "funcname");
      return false;
    }
    return true;
  });
  return out;
}

const pg::Node* ColumnConstraint(const pg::Node& column_def, std::string_view contype) {
  for (const pg::Node* c : column_def.List("constraints")) {
    if (c->Str("contype") == contype) return c;
  }
  return nullptr;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace strata::lint
