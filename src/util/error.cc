#include "util/error.h"

namespace strata {

std::string Error::Describe() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) {
      out += ":" + std::to_string(line);
      if (column > 0) out += ":" + std::to_string(column);
    }
    out += ": ";
  }
  out += message;
  return out;
}

std::unexpected<Error> MakeError(ErrorKind kind, std::string message) {
  Error e;
  e.kind = kind;
  e.message = std::move(message);
  return std::unexpected(std::move(e));
}

std::unexpected<Error> MakeErrorAt(ErrorKind kind, std::string file, int line, std::string message) {
  Error e;
  e.kind = kind;
  e.message = std::move(message);
  e.file = std::move(file);
  e.line = line;
  return std::unexpected(std::move(e));
}

}  // namespace strata
