#include "online/session_settings.h"

namespace strata::online {

SessionSettings::~SessionSettings() {
  for (auto it = previous_.rbegin(); it != previous_.rend(); ++it) {
    if (it->second) {
      std::vector<Param> p = {it->first, *it->second};
      (void)engine_.Query("SELECT set_config($1, $2, false)", p);
    } else {
      (void)engine_.Exec("RESET " + it->first);  // names are strata's own constants
    }
  }
}

Result<void> SessionSettings::Set(const std::string& name, const std::string& value) {
  std::vector<Param> p = {name, value};
  // The select list is evaluated left to right: the previous value is read before the change.
  ASSIGN_OR_RETURN(Rows r, engine_.Query("SELECT current_setting($1, true), set_config($1, $2, false)", p));
  previous_.emplace_back(name, r.rows.empty() ? std::nullopt : r.rows[0][0]);
  return {};
}

}  // namespace strata::online
