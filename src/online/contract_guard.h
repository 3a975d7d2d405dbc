// The contract guard: sessions that still use the old version, which `complete` would break.
// A session counts when (pg_stat_activity, this database, client backends, not us):
//   - it is logged in as the old version's role (named like its version schema), or
//   - its application_name carries the tag strata_version=<old version schema>, or, when the
//     old version is a version schema (not the base schema everyone touches),
//   - it holds a lock on a view of that schema (an open transaction used it), or
//   - its current or last query names the schema ("<schema>.").
// search_path of other sessions is not visible in PostgreSQL, hence the role and the tag.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"
#include "util/error.h"

namespace strata::online {

struct OldVersionSession {
  long long pid = 0;
  std::string user;
  std::string application_name;
  std::string client;  // address, or "local"
  std::string state;
  std::string reason;
};

Result<std::vector<OldVersionSession>> SessionsOnOldVersion(Engine& engine, const std::string& old_version,
                                                            bool is_version_schema);

}  // namespace strata::online
