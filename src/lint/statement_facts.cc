#include "lint/statement_facts.h"

#include "lint/ast_util.h"

namespace strata::lint {

std::string_view LockModeName(LockMode mode) {
  switch (mode) {
    case LockMode::kNone: return "no lock";
    case LockMode::kAccessShare: return "ACCESS SHARE";
    case LockMode::kRowShare: return "ROW SHARE";
    case LockMode::kRowExclusive: return "ROW EXCLUSIVE";
    case LockMode::kShareUpdateExclusive: return "SHARE UPDATE EXCLUSIVE";
    case LockMode::kShare: return "SHARE";
    case LockMode::kShareRowExclusive: return "SHARE ROW EXCLUSIVE";
    case LockMode::kExclusive: return "EXCLUSIVE";
    case LockMode::kAccessExclusive: return "ACCESS EXCLUSIVE";
  }
  return "?";
}

std::string_view LockModePgName(LockMode mode) {
  switch (mode) {
    case LockMode::kNone: return "";
    case LockMode::kAccessShare: return "AccessShareLock";
    case LockMode::kRowShare: return "RowShareLock";
    case LockMode::kRowExclusive: return "RowExclusiveLock";
    case LockMode::kShareUpdateExclusive: return "ShareUpdateExclusiveLock";
    case LockMode::kShare: return "ShareLock";
    case LockMode::kShareRowExclusive: return "ShareRowExclusiveLock";
    case LockMode::kExclusive: return "ExclusiveLock";
    case LockMode::kAccessExclusive: return "AccessExclusiveLock";
  }
  return "";
}

std::string_view LockEffect(LockMode mode) {
  switch (mode) {
    case LockMode::kNone:
    case LockMode::kAccessShare:
    case LockMode::kRowShare:
    case LockMode::kRowExclusive:
      return "does not block reads or writes (only conflicting DDL)";
    case LockMode::kShareUpdateExclusive:
      return "lets reads and writes continue (blocks other DDL, VACUUM and ANALYZE)";
    case LockMode::kShare:
    case LockMode::kShareRowExclusive:
    case LockMode::kExclusive:
      return "blocks all writes (INSERT, UPDATE, DELETE) while reads continue";
    case LockMode::kAccessExclusive:
      return "blocks all reads and writes, and queues every later query on the table behind it";
  }
  return "";
}

LockMode StatementFacts::StrongestLock() const {
  const TableLock* t = StrongestTarget();
  return t == nullptr ? LockMode::kNone : t->mode;
}

const TableLock* StatementFacts::StrongestTarget() const {
  const TableLock* best = nullptr;
  for (const TableLock& l : locks) {
    if (best == nullptr || static_cast<int>(l.mode) > static_cast<int>(best->mode)) best = &l;
  }
  return best;
}

namespace {

void AddLock(StatementFacts& f, const pg::Node* rv, LockMode mode, std::string role) {
  if (rv == nullptr) return;
  std::string name = RelationName(rv);
  for (TableLock& l : f.locks) {
    if (l.table == name && l.role == role) {
      if (static_cast<int>(mode) > static_cast<int>(l.mode)) l.mode = mode;
      return;
    }
  }
  f.locks.push_back(TableLock{std::move(name), mode, std::move(role), rv->location()});
}

void AddNamedLock(StatementFacts& f, std::string name, LockMode mode, std::string role,
                  int location) {
  f.locks.push_back(TableLock{std::move(name), mode, std::move(role), location});
}

bool IsSerialType(std::string_view t) {
  return t == "serial" || t == "bigserial" || t == "smallserial" || t == "serial4" ||
         t == "serial8" || t == "serial2";
}

// Facts of one column added by ALTER TABLE ADD COLUMN.
struct SubFacts {
  std::string kind;
  LockMode mode = LockMode::kAccessExclusive;
  bool rewrite = false;
  bool scan = false;
};

void AddColumnFacts(const pg::Node& col, int pg, StatementFacts& f, SubFacts& s) {
  s.kind = "ADD COLUMN";
  std::string_view type = TypeNameLast(col.Child("typeName"));
  if (IsSerialType(type)) {
    s.rewrite = s.scan = true;
  }
  for (const pg::Node* c : col.List("constraints")) {
    std::string_view ct = c->Str("contype");
    if (ct == "CONSTR_DEFAULT") {
      Volatility v = ClassifyDefault(c->Child("raw_expr"));
      if (v == Volatility::kVolatile || v == Volatility::kUnknownFunction || pg < 11) {
        s.rewrite = s.scan = true;
      }
    } else if (ct == "CONSTR_IDENTITY") {
      s.rewrite = s.scan = true;
    } else if (ct == "CONSTR_GENERATED") {
      s.rewrite = s.scan = true;
    } else if (ct == "CONSTR_FOREIGN") {
      AddLock(f, c->Child("pktable"), LockMode::kShareRowExclusive, "referenced");
    } else if (ct == "CONSTR_UNIQUE" || ct == "CONSTR_PRIMARY" || ct == "CONSTR_CHECK") {
      s.scan = true;
    }
  }
  if (pg < 11) {
    f.version_notes.push_back(
        "PostgreSQL 10 and older rewrite the table for ADD COLUMN with any DEFAULT; 11+ store "
        "a non-volatile default in the catalog");
  }
}

void AlterCmdFacts(const pg::Node& cmd, int pg, StatementFacts& f, SubFacts& s,
                   const pg::Node* relation) {
  std::string_view sub = cmd.Str("subtype");
  const pg::Node* def = cmd.Child("def");
  s.mode = LockMode::kAccessExclusive;
  if (sub == "AT_AddColumn" && def != nullptr) {
    AddColumnFacts(*def, pg, f, s);
  } else if (sub == "AT_DropColumn") {
    s.kind = "DROP COLUMN";
  } else if (sub == "AT_AlterColumnType") {
    s.kind = "ALTER COLUMN TYPE";
    // Without the old type the safe assumption is a rewrite; rules refine this.
    s.rewrite = s.scan = true;
  } else if (sub == "AT_SetNotNull") {
    s.kind = "SET NOT NULL";
    s.scan = true;
    f.version_notes.push_back(
        "PostgreSQL 12+ skip the scan when a validated CHECK (column IS NOT NULL) exists");
  } else if (sub == "AT_DropNotNull") {
    s.kind = "DROP NOT NULL";
  } else if (sub == "AT_ColumnDefault") {
    s.kind = def != nullptr ? "SET DEFAULT" : "DROP DEFAULT";
  } else if (sub == "AT_SetStatistics" || sub == "AT_SetOptions" || sub == "AT_ResetOptions") {
    s.kind = "ALTER COLUMN SET STATISTICS";
    s.mode = LockMode::kShareUpdateExclusive;
  } else if (sub == "AT_SetStorage") {
    s.kind = "ALTER COLUMN SET STORAGE";
  } else if (sub == "AT_AddConstraint" && def != nullptr) {
    std::string_view ct = def->Str("contype");
    bool not_valid = def->Bool("skip_validation");
    if (ct == "CONSTR_CHECK") {
      s.kind = not_valid ? "ADD CHECK NOT VALID" : "ADD CHECK";
      s.scan = !not_valid;
    } else if (ct == "CONSTR_FOREIGN") {
      s.kind = not_valid ? "ADD FOREIGN KEY NOT VALID" : "ADD FOREIGN KEY";
      s.mode = LockMode::kShareRowExclusive;
      s.scan = !not_valid;
      AddLock(f, def->Child("pktable"), LockMode::kShareRowExclusive, "referenced");
    } else if (ct == "CONSTR_UNIQUE" || ct == "CONSTR_PRIMARY") {
      bool using_index = !def->Str("indexname").empty();
      s.kind = std::string(ct == "CONSTR_UNIQUE" ? "ADD UNIQUE" : "ADD PRIMARY KEY") +
               (using_index ? " USING INDEX" : "");
      s.scan = !using_index;
    } else if (ct == "CONSTR_EXCLUSION") {
      s.kind = "ADD EXCLUDE";
      s.scan = true;
    } else {
      s.kind = "ADD CONSTRAINT";
    }
  } else if (sub == "AT_ValidateConstraint") {
    s.kind = "VALIDATE CONSTRAINT";
    s.mode = LockMode::kShareUpdateExclusive;
    s.scan = true;
  } else if (sub == "AT_DropConstraint") {
    s.kind = "DROP CONSTRAINT";
  } else if (sub == "AT_EnableTrig" || sub == "AT_DisableTrig" || sub == "AT_EnableAlwaysTrig" ||
             sub == "AT_EnableReplicaTrig" || sub == "AT_EnableTrigAll" ||
             sub == "AT_DisableTrigAll" || sub == "AT_EnableTrigUser" ||
             sub == "AT_DisableTrigUser") {
    s.kind = "ENABLE/DISABLE TRIGGER";
    s.mode = LockMode::kShareRowExclusive;
  } else if (sub == "AT_SetRelOptions" || sub == "AT_ResetRelOptions" || sub == "AT_ClusterOn" ||
             sub == "AT_DropCluster") {
    s.kind = "SET storage parameters";
    s.mode = LockMode::kShareUpdateExclusive;
  } else if (sub == "AT_SetLogged" || sub == "AT_SetUnLogged") {
    s.kind = sub == "AT_SetLogged" ? "SET LOGGED" : "SET UNLOGGED";
    s.rewrite = s.scan = true;
  } else if (sub == "AT_AttachPartition") {
    s.kind = "ATTACH PARTITION";
    s.mode = LockMode::kShareUpdateExclusive;
    s.scan = true;
    if (def != nullptr) AddLock(f, def->Child("name"), LockMode::kAccessExclusive, "partition");
    if (pg < 12) {
      s.mode = LockMode::kAccessExclusive;
    }
    f.version_notes.push_back(
        "PostgreSQL 11 and older take ACCESS EXCLUSIVE on the parent for ATTACH PARTITION; "
        "12+ take SHARE UPDATE EXCLUSIVE");
  } else if (sub == "AT_DetachPartition") {
    bool concurrent = def != nullptr && def->Bool("concurrent");
    s.kind = concurrent ? "DETACH PARTITION CONCURRENTLY" : "DETACH PARTITION";
    s.mode = concurrent ? LockMode::kShareUpdateExclusive : LockMode::kAccessExclusive;
    if (def != nullptr) AddLock(f, def->Child("name"), LockMode::kAccessExclusive, "partition");
    if (concurrent) {
      f.transactional = false;
      f.version_notes.push_back("DETACH PARTITION CONCURRENTLY exists from PostgreSQL 14");
    }
  } else if (sub == "AT_DetachPartitionFinalize") {
    s.kind = "DETACH PARTITION FINALIZE";
    s.mode = LockMode::kShareUpdateExclusive;
  } else if (sub == "AT_ReplicaIdentity") {
    s.kind = "REPLICA IDENTITY";
  } else if (sub == "AT_ChangeOwner") {
    s.kind = "OWNER TO";
  } else if (sub == "AT_AddIdentity") {
    s.kind = "ADD GENERATED AS IDENTITY";
  } else if (sub == "AT_SetTableSpace") {
    s.kind = "SET TABLESPACE";
    s.rewrite = s.scan = true;
  } else {
    s.kind = std::string(sub.substr(sub.starts_with("AT_") ? 3 : 0));
  }
}

void AlterTableFacts(const pg::Node& stmt, int pg, StatementFacts& f) {
  const pg::Node* rel = stmt.Child("relation");
  std::string_view objtype = stmt.Str("objtype");
  std::string prefix = objtype == "OBJECT_INDEX"      ? "ALTER INDEX"
                       : objtype == "OBJECT_MATVIEW"  ? "ALTER MATERIALIZED VIEW"
                       : objtype == "OBJECT_VIEW"     ? "ALTER VIEW"
                       : objtype == "OBJECT_SEQUENCE" ? "ALTER SEQUENCE"
                                                      : "ALTER TABLE";
  LockMode strongest = LockMode::kNone;
  std::string kinds;
  for (const pg::Node* cmd : stmt.List("cmds")) {
    SubFacts s;
    AlterCmdFacts(*cmd, pg, f, s, rel);
    if (static_cast<int>(s.mode) > static_cast<int>(strongest)) strongest = s.mode;
    f.rewrite = f.rewrite || s.rewrite;
    f.scan = f.scan || s.scan;
    if (!kinds.empty()) kinds += ", ";
    kinds += s.kind;
  }
  f.kind = prefix + " " + kinds;
  if (rel != nullptr) {
    f.locks.insert(f.locks.begin(),
                   TableLock{RelationName(rel), strongest, "target", rel->location()});
  }
}

}  // namespace

StatementFacts ComputeFacts(const pg::Node& stmt, int pg) {
  StatementFacts f;
  std::string_view t = stmt.type();
  if (t == "AlterTableStmt") {
    AlterTableFacts(stmt, pg, f);
  } else if (t == "IndexStmt") {
    bool concurrent = stmt.Bool("concurrent");
    f.kind = std::string(stmt.Bool("unique") ? "CREATE UNIQUE INDEX" : "CREATE INDEX") +
             (concurrent ? " CONCURRENTLY" : "");
    AddLock(f, stmt.Child("relation"),
            concurrent ? LockMode::kShareUpdateExclusive : LockMode::kShare, "target");
    f.scan = true;
    f.transactional = !concurrent;
  } else if (t == "DropStmt") {
    std::string_view rt = stmt.Str("removeType");
    bool concurrent = stmt.Bool("concurrent");
    std::string what = rt == "OBJECT_INDEX"     ? "INDEX"
                       : rt == "OBJECT_TABLE"   ? "TABLE"
                       : rt == "OBJECT_VIEW"    ? "VIEW"
                       : rt == "OBJECT_MATVIEW" ? "MATERIALIZED VIEW"
                       : rt == "OBJECT_TYPE"    ? "TYPE"
                       : rt == "OBJECT_SCHEMA"  ? "SCHEMA"
                       : rt == "OBJECT_SEQUENCE" ? "SEQUENCE"
                                                : std::string(rt.substr(7));
    f.kind = "DROP " + what + (concurrent ? " CONCURRENTLY" : "");
    bool relation = rt == "OBJECT_INDEX" || rt == "OBJECT_TABLE" || rt == "OBJECT_VIEW" ||
                    rt == "OBJECT_MATVIEW" || rt == "OBJECT_SEQUENCE";
    if (relation) {
      for (const pg::Node* obj : stmt.List("objects")) {
        std::string name;
        for (const pg::Node* part : obj->Is("List") ? obj->List("items")
                                                    : std::span<const pg::Node* const>()) {
          if (!name.empty()) name += '.';
          name += part->Str("sval");
        }
        AddNamedLock(f, name,
                     concurrent ? LockMode::kShareUpdateExclusive : LockMode::kAccessExclusive,
                     rt == "OBJECT_INDEX" ? "index" : "target", -1);
      }
    }
    f.transactional = !concurrent;
  } else if (t == "ReindexStmt") {
    bool concurrent = HasOption(stmt, "params", "concurrently");
    std::string_view kind = stmt.Str("kind");
    f.kind = std::string("REINDEX ") +
             (kind == "REINDEX_OBJECT_INDEX"    ? "INDEX"
              : kind == "REINDEX_OBJECT_TABLE"  ? "TABLE"
              : kind == "REINDEX_OBJECT_SCHEMA" ? "SCHEMA"
                                                : "DATABASE") +
             (concurrent ? " CONCURRENTLY" : "");
    const pg::Node* rel = stmt.Child("relation");
    if (rel != nullptr) {
      AddLock(f, rel,
              concurrent ? LockMode::kShareUpdateExclusive
              : kind == "REINDEX_OBJECT_INDEX" ? LockMode::kAccessExclusive
                                               : LockMode::kShare,
              kind == "REINDEX_OBJECT_INDEX" ? "index" : "target");
    }
    f.rewrite = true;  // the indexes
    f.scan = true;
    f.transactional = !concurrent && kind != "REINDEX_OBJECT_SCHEMA" &&
                      kind != "REINDEX_OBJECT_DATABASE" && kind != "REINDEX_OBJECT_SYSTEM";
    if (concurrent) f.version_notes.push_back("REINDEX CONCURRENTLY exists from PostgreSQL 12");
  } else if (t == "RenameStmt") {
    std::string_view rt = stmt.Str("renameType");
    f.kind = rt == "OBJECT_COLUMN"          ? "RENAME COLUMN"
             : rt == "OBJECT_TABLE"         ? "RENAME TABLE"
             : rt == "OBJECT_TABCONSTRAINT" ? "RENAME CONSTRAINT"
             : rt == "OBJECT_INDEX"         ? "RENAME INDEX"
             : rt == "OBJECT_SCHEMA"        ? "RENAME SCHEMA"
             : rt == "OBJECT_TYPE"          ? "RENAME TYPE"
             : rt == "OBJECT_VIEW"          ? "RENAME VIEW"
                                            : "RENAME";
    if (const pg::Node* rel = stmt.Child("relation")) {
      AddLock(f, rel,
              rt == "OBJECT_INDEX" ? LockMode::kShareUpdateExclusive : LockMode::kAccessExclusive,
              rt == "OBJECT_INDEX" ? "index" : "target");
    }
  } else if (t == "AlterEnumStmt") {
    f.kind = stmt.Has("oldVal") ? "ALTER TYPE RENAME VALUE" : "ALTER TYPE ADD VALUE";
    if (pg < 12 && !stmt.Has("oldVal")) f.transactional = false;
    f.version_notes.push_back(
        "ALTER TYPE … ADD VALUE cannot run inside a transaction block before PostgreSQL 12; "
        "from 12 the new value cannot be used until the transaction commits");
  } else if (t == "AlterDomainStmt") {
    f.kind = stmt.Str("subtype") == "C" ? "ALTER DOMAIN ADD CONSTRAINT" : "ALTER DOMAIN";
    if (stmt.Str("subtype") == "C") {
      const pg::Node* def = stmt.Child("def");
      bool not_valid = def != nullptr && def->Bool("skip_validation");
      if (!not_valid) {
        AddNamedLock(f, JoinNames(stmt, "typeName"), LockMode::kShare, "domain users", -1);
        f.scan = true;
      }
    } else if (stmt.Str("subtype") == "V") {
      f.kind = "ALTER DOMAIN VALIDATE CONSTRAINT";
      AddNamedLock(f, JoinNames(stmt, "typeName"), LockMode::kShareUpdateExclusive,
                   "domain users", -1);
      f.scan = true;
    }
  } else if (t == "TruncateStmt") {
    bool cascade = stmt.Str("behavior") == "DROP_CASCADE";
    f.kind = cascade ? "TRUNCATE CASCADE" : "TRUNCATE";
    for (const pg::Node* rel : stmt.List("relations")) {
      AddLock(f, rel, LockMode::kAccessExclusive, "target");
    }
    f.rewrite = true;  // new empty files
  } else if (t == "VacuumStmt") {
    bool vacuum = stmt.Bool("is_vacuumcmd");
    bool full = vacuum && HasOption(stmt, "options", "full");
    f.kind = !vacuum ? "ANALYZE" : full ? "VACUUM FULL" : "VACUUM";
    for (const pg::Node* r : stmt.List("rels")) {
      AddLock(f, r->Child("relation"),
              full ? LockMode::kAccessExclusive : LockMode::kShareUpdateExclusive, "target");
    }
    f.rewrite = full;
    f.scan = true;
    f.transactional = !vacuum;
  } else if (t == "ClusterStmt") {
    f.kind = "CLUSTER";
    const pg::Node* rel = stmt.Child("relation");
    AddLock(f, rel, LockMode::kAccessExclusive, "target");
    f.rewrite = f.scan = true;
    f.transactional = rel != nullptr;
  } else if (t == "LockStmt") {
    int mode = static_cast<int>(stmt.Int("mode"));
    LockMode m = mode >= 1 && mode <= 8 ? static_cast<LockMode>(mode) : LockMode::kAccessExclusive;
    f.kind = "LOCK TABLE";
    for (const pg::Node* rel : stmt.List("relations")) AddLock(f, rel, m, "target");
  } else if (t == "RefreshMatViewStmt") {
    bool concurrent = stmt.Bool("concurrent");
    f.kind = concurrent ? "REFRESH MATERIALIZED VIEW CONCURRENTLY" : "REFRESH MATERIALIZED VIEW";
    AddLock(f, stmt.Child("relation"),
            concurrent ? LockMode::kExclusive : LockMode::kAccessExclusive, "target");
    f.rewrite = !concurrent;
    f.scan = true;
  } else if (t == "CreateTrigStmt") {
    f.kind = "CREATE TRIGGER";
    AddLock(f, stmt.Child("relation"), LockMode::kShareRowExclusive, "target");
  } else if (t == "CreateStatsStmt") {
    f.kind = "CREATE STATISTICS";
    for (const pg::Node* r : stmt.List("relations")) {
      AddLock(f, r, LockMode::kShareUpdateExclusive, "target");
    }
  } else if (t == "CommentStmt") {
    f.kind = "COMMENT";
  } else if (t == "CreateStmt") {
    f.kind = stmt.Has("partbound") ? "CREATE TABLE PARTITION OF" : "CREATE TABLE";
    for (const pg::Node* p : stmt.List("inhRelations")) {
      AddLock(f, p,
              stmt.Has("partbound") ? LockMode::kAccessExclusive : LockMode::kShareUpdateExclusive,
              "parent");
    }
    stmt.Walk([&](const pg::Node& n) {
      if (n.Is("Constraint") && n.Str("contype") == "CONSTR_FOREIGN") {
        AddLock(f, n.Child("pktable"), LockMode::kShareRowExclusive, "referenced");
      }
      return true;
    });
  } else if (t == "UpdateStmt" || t == "DeleteStmt" || t == "InsertStmt" || t == "MergeStmt") {
    f.kind = t == "UpdateStmt"   ? "UPDATE"
             : t == "DeleteStmt" ? "DELETE"
             : t == "InsertStmt" ? "INSERT"
                                 : "MERGE";
    AddLock(f, stmt.Child("relation"), LockMode::kRowExclusive, "target");
    f.scan = (t == "UpdateStmt" || t == "DeleteStmt") && !stmt.Has("whereClause");
  } else if (t == "SelectStmt") {
    f.kind = "SELECT";
  } else if (t == "TransactionStmt") {
    f.kind = std::string(stmt.Str("kind").substr(std::string_view("TRANS_STMT_").size()));
  } else if (t == "VariableSetStmt") {
    f.kind = "SET";
  } else if (t == "ViewStmt") {
    f.kind = "CREATE VIEW";
  } else if (t == "CreateTableAsStmt") {
    f.kind = stmt.Str("objtype") == "OBJECT_MATVIEW" ? "CREATE MATERIALIZED VIEW"
                                                      : "CREATE TABLE AS";
  } else {
    std::string_view k = t;
    if (k.ends_with("Stmt")) k.remove_suffix(4);
    f.kind = std::string(k);
  }
  return f;
}

}  // namespace strata::lint
