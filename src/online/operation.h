// One declarative online operation (add_column, alter_column, …). Each lives in
// operations/<kind>.cc and says, as SQL steps, what it does at each point of the lifecycle:
//
//   Apply     checks the operation against the shape so far (the live schema plus the
//             operations before it) and changes that shape to the new version's;
//   Start     expand: new columns/tables/indexes/NOT VALID constraints, dual-write rules,
//             and which tables need a backfill;
//   Complete  contract: validations first (own transactions), then the changes that need an
//             ACCESS EXCLUSIVE lock (all operations' in one short transaction);
//   Rollback  undoes Start.
//
// One question is asked of PostgreSQL before Start is planned (DefaultToProbe): whether a new
// column's default would make ADD COLUMN rewrite the table; the answer reaches Start as
// OpEnv::rewriting_default and is kept in the migration's state, so every later plan agrees.
//
// Operations only build SQL; online_runner.cc runs it (lock_timeout, retries, bookkeeping).
// Every step must be safe to run again after a crash (IF [NOT] EXISTS, guarded DO blocks).
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "online/schema_model.h"
#include "util/error.h"

namespace strata::online {

struct Step {
  std::string sql;
  bool concurrent = false;  // runs outside a transaction (CREATE/DROP INDEX CONCURRENTLY)
  std::string index;        // concurrent index builds: the index, dropped first when INVALID
  std::string hint;         // added to the server's message when this step fails
};

// Keeps one physical column in step with the other version on every write: when a client of
// the old version writes (from_new = false) `target` := `expr` over the old shape's columns;
// when the new version writes (from_new = true) over the new shape's columns.
struct TriggerRule {
  std::string table;   // physical table
  std::string target;  // physical column
  std::string expr;
  bool from_new = false;
  // Only where `target` is NULL (the trigger and the backfill keep a value the row has): a
  // volatile default filled into the existing rows, assigned once per row like a default.
  bool if_null = false;
};

struct Plan {
  std::vector<Step> pre;    // Complete: validations and concurrent steps before the contract
  std::vector<Step> steps;  // Start / Rollback: in order; Complete: the contract transaction
  std::vector<TriggerRule> rules;
  std::set<std::string> backfill;  // physical tables whose rows must be touched
};

// What an operation sees while building its steps.
struct OpEnv {
  std::string schema;          // the base schema holding the physical tables
  const SchemaModel* before;   // the shape just before this operation
  const SchemaModel* after;    // the shape just after it
  const SchemaModel* base = nullptr;  // the old version's shape (before every operation)
  // PostgreSQL said this operation's default (DefaultToProbe) would rewrite the table in
  // ADD COLUMN: a volatile one (gen_random_uuid(), clock_timestamp(), nextval(…)).
  bool rewriting_default = false;
  const SchemaModel* last = nullptr;  // the new version's shape (after every operation)
};

// A new column's type and default, for PostgreSQL to say whether ADD COLUMN of that type, and
// with that default, rewrites the table (AddColumnRewrite in default_probe.h).
struct DefaultProbe {
  std::string type;
  std::optional<std::string> expr;  // none: only the type is asked about (no default, or `up` fills it)
};

class Operation {
 public:
  virtual ~Operation() = default;
  virtual std::string kind() const = 0;
  // Checks against `model` and changes it. kInput errors name file:line of the operation.
  virtual Result<void> Apply(SchemaModel& model) const = 0;
  virtual void Start(const OpEnv& env, Plan& plan) const = 0;
  virtual void Complete(const OpEnv& env, Plan& plan) const = 0;
  virtual void Rollback(const OpEnv& env, Plan& plan) const = 0;
  // The type and default to ask about before Start is planned, given the shape just before this
  // operation; nullopt when there is nothing to ask (no live table to rewrite).
  virtual std::optional<DefaultProbe> DefaultToProbe(const SchemaModel& before) const {
    (void)before;
    return std::nullopt;
  }
  // Raw SQL: strata cannot tell what it locks or whether it can be undone.
  virtual bool unsafe() const { return false; }
  // One line for plans and logs, e.g. "add_column users.email".
  virtual std::string Describe() const = 0;

  std::string file;
  int line = 0;

 protected:
  std::unexpected<Error> Invalid(const std::string& message) const;
};

}  // namespace strata::online
