// Session settings set for a piece of work and put back afterwards: the runner's session goes
// on with other work after the backfill or an index build, which must not inherit them
// (application triggers must fire for it again, the planner must be its usual self).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "util/error.h"

namespace strata::online {

class SessionSettings {
 public:
  explicit SessionSettings(Engine& engine) : engine_(engine) {}
  // Puts back every setting Set changed, newest first: the value it had before, or RESET for a
  // custom setting (e.g. strata.backfill) that had none.
  ~SessionSettings();
  SessionSettings(const SessionSettings&) = delete;
  SessionSettings& operator=(const SessionSettings&) = delete;

  // SET name = value for the session (one round trip that also reads the previous value).
  // kDatabase when the server refuses (e.g. no permission): nothing is changed then.
  Result<void> Set(const std::string& name, const std::string& value);

 private:
  Engine& engine_;
  std::vector<std::pair<std::string, std::optional<std::string>>> previous_;
};

}  // namespace strata::online
