// Content hashes (SHA-256 through OpenSSL).
#pragma once

#include <string>
#include <string_view>

namespace strata {

// Lower-case hex SHA-256 of the bytes.
std::string Sha256Hex(std::string_view data);
// Standard base64 SHA-256 of the bytes (44 characters).
std::string Sha256Base64(std::string_view data);

}  // namespace strata
