#include "online/operation.h"

namespace strata::online {

std::unexpected<Error> Operation::Invalid(const std::string& message) const {
  return MakeErrorAt(ErrorKind::kInput, file, line, message);
}

}  // namespace strata::online
