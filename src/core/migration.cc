#include "core/migration.h"

#include "util/hash.h"

namespace strata {

ExecSettings ExecSettings::MergedWith(const ExecSettings& over) const {
  ExecSettings out = *this;
  if (over.lock_timeout) out.lock_timeout = over.lock_timeout;
  if (over.lock_retries) out.lock_retries = over.lock_retries;
  if (over.statement_timeout) out.statement_timeout = over.statement_timeout;
  if (over.retry_delay) out.retry_delay = over.retry_delay;
  return out;
}

std::string ComputeChecksum(const Migration& m) {
  std::string material = m.no_transaction ? "strata-v1 no-transaction\n" : "strata-v1\n";
  material.reserve(material.size() + m.up.sql.size());
  std::string_view sql = m.up.sql;
  for (size_t cr = sql.find('\r'); cr != std::string_view::npos; cr = sql.find('\r')) {
    material.append(sql.substr(0, cr));  // CRLF checkouts hash like LF ones
    sql.remove_prefix(cr + 1);
  }
  material.append(sql);
  return Sha256Hex(material);
}

}  // namespace strata
