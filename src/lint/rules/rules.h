// Factories of the lint rules, one per file in this folder (rules/<id_with_underscores>.cc).
// rule_registry.cc lists them all, once.
#pragma once

#include <memory>

#include "lint/rule.h"

namespace strata::lint {

std::unique_ptr<Rule> MakeRequireConcurrentIndex();  // require-concurrent-index
std::unique_ptr<Rule> MakeRequireConcurrentIndexDrop();  // require-concurrent-index-drop
std::unique_ptr<Rule> MakeRequireConcurrentReindex();  // require-concurrent-reindex
std::unique_ptr<Rule> MakeConcurrentlyInTransaction();  // concurrently-in-transaction
std::unique_ptr<Rule> MakeForeignKeyWithoutNotValid();  // foreign-key-without-not-valid
std::unique_ptr<Rule> MakeCheckWithoutNotValid();  // check-without-not-valid
std::unique_ptr<Rule> MakeValidateInSameTransaction();  // validate-in-same-transaction
std::unique_ptr<Rule> MakeRequireUniqueUsingIndex();  // require-unique-using-index
std::unique_ptr<Rule> MakeRequirePrimaryKeyUsingIndex();  // require-primary-key-using-index
std::unique_ptr<Rule> MakeBanAddExclusionConstraint();  // ban-add-exclusion-constraint
std::unique_ptr<Rule> MakeVolatileDefault();  // volatile-default
std::unique_ptr<Rule> MakeColumnTypeChange();  // column-type-change
std::unique_ptr<Rule> MakeAddIdentityOrSerialColumn();  // add-identity-or-serial-column
std::unique_ptr<Rule> MakeAddStoredGeneratedColumn();  // add-stored-generated-column
std::unique_ptr<Rule> MakeNotNullColumnWithoutDefault();  // not-null-column-without-default
std::unique_ptr<Rule> MakeRequireCheckForSetNotNull();  // require-check-for-set-not-null
std::unique_ptr<Rule> MakeBanDropColumn();  // ban-drop-column
std::unique_ptr<Rule> MakeRenameColumn();  // rename-column
std::unique_ptr<Rule> MakeRenameTable();  // rename-table
std::unique_ptr<Rule> MakeBanDropTable();  // ban-drop-table
std::unique_ptr<Rule> MakeEnumRenameValue();  // enum-rename-value
std::unique_ptr<Rule> MakeEnumAddValueInTransaction();  // enum-add-value-in-transaction
std::unique_ptr<Rule> MakeRequireLockTimeout();  // require-lock-timeout
std::unique_ptr<Rule> MakeRequireStatementTimeout();  // require-statement-timeout
std::unique_ptr<Rule> MakeStatementAfterAccessExclusive();  // statement-after-access-exclusive
std::unique_ptr<Rule> MakeBanVacuumFull();  // ban-vacuum-full
std::unique_ptr<Rule> MakeBanCluster();  // ban-cluster
std::unique_ptr<Rule> MakeBanLockTable();  // ban-lock-table
std::unique_ptr<Rule> MakeRequireConcurrentRefresh();  // require-concurrent-refresh
std::unique_ptr<Rule> MakeBanTruncate();  // ban-truncate
std::unique_ptr<Rule> MakeAttachPartitionWithoutCheck();  // attach-partition-without-check
std::unique_ptr<Rule> MakeRequireConcurrentDetach();  // require-concurrent-detach
std::unique_ptr<Rule> MakePreferBigint();  // prefer-bigint
std::unique_ptr<Rule> MakePreferTimestamptz();  // prefer-timestamptz
std::unique_ptr<Rule> MakePreferText();  // prefer-text
std::unique_ptr<Rule> MakeWholeTableUpdate();  // whole-table-update
std::unique_ptr<Rule> MakeDomainCheckWithoutNotValid();  // domain-check-without-not-valid
std::unique_ptr<Rule> MakeAlterTableRewrite();  // alter-table-rewrite

}  // namespace strata::lint
