// One versioned change of one service, as read from its file or folder.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace strata {

// Execution settings; each level (project defaults < service < migration) overrides the one
// before where it sets a value.
struct ExecSettings {
  std::optional<std::chrono::milliseconds> lock_timeout;       // per DDL lock wait
  std::optional<int> lock_retries;                              // retries after a lock timeout
  std::optional<std::chrono::milliseconds> statement_timeout;  // 0 = none
  std::optional<std::chrono::milliseconds> retry_delay;        // first back-off delay (jittered, doubling)

  // Values of `over` win where set.
  ExecSettings MergedWith(const ExecSettings& over) const;
};

// One section (up, down or verify) of a migration.
struct Section {
  bool present = false;
  std::string sql;
  std::string file;  // the file holding it (the migration file, or up.sql/down.sql/verify.sql)
  int line = 1;      // 1-based line of `file` where `sql` starts
};

struct Migration {
  std::string id;       // text before the first '_' of the file or folder name
  std::string name;     // the rest, without ".sql"
  std::string service;
  std::string path;     // the migration file or folder
  Section up, down, verify;

  std::vector<std::string> parents;  // filled with the previous id when not given
  bool parents_explicit = false;
  std::string parents_file;          // where the parents were declared, for errors
  int parents_line = 0;

  // Cross-service requirements: "service/id" (or "service/id_name") migrations that must be
  // applied in the same environment before this one (`-- strata:requires users/0007`, or
  // `requires:` in strata.yaml). Metadata for rollouts: not part of the checksum.
  std::vector<std::string> requires_migrations;
  std::string requires_file;  // where they were declared, for errors
  int requires_line = 0;

  bool no_transaction = false;
  std::optional<std::string> irreversible;  // the reason, when there is no down
  ExecSettings settings;

  // SHA-256 (hex) of what runs on apply: the up section and the no-transaction flag.
  // Editing down or verify does not change it (strata.sum still shows such edits in git).
  std::string checksum;

  std::string Label() const { return id + "_" + name; }
  bool Reversible() const { return down.present; }
};

// Computes Migration::checksum from the fields it covers (CRLF normalised to LF).
std::string ComputeChecksum(const Migration& m);

}  // namespace strata
