// An online migration file: strata's own YAML/JSON or pgroll's migration files as they are
// (the same shape: {name?, operations: [{<kind>: {...}}, ...]}). JSON is read as YAML.
// Every problem is a kInput error naming file:line, found before anything runs.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "online/operation.h"
#include "util/error.h"

namespace strata::online {

struct OnlineMigration {
  std::string name;      // `name`, or the file name without its extension
  std::string file;
  std::string source;    // the file's text, kept in the target so complete/rollback need no file
  std::string checksum;  // SHA-256 of source
  std::vector<std::unique_ptr<Operation>> operations;

  bool unsafe() const;
};

// The operation kinds, in the order the docs list them.
const std::vector<std::string>& OperationKinds();

// Parses `text`. `file` names it in errors; `default_name` is used when the file has no `name`.
Result<OnlineMigration> ParseOnlineMigration(std::string_view text, const std::string& file,
                                             const std::string& default_name);
// Reads and parses a file (kIo when unreadable).
Result<OnlineMigration> LoadOnlineMigration(const std::string& path);

// The shape after each operation: result[0] is `base`, result[i+1] the shape after operation
// i. Fails (kInput, at the operation's line) on the first operation that does not fit.
Result<std::vector<SchemaModel>> ApplyOperations(const OnlineMigration& m, const SchemaModel& base);

}  // namespace strata::online
