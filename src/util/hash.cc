#include "util/hash.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace strata {
namespace {

void Digest(std::string_view data, unsigned char out[SHA256_DIGEST_LENGTH]) {
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  Digest(data, md);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char c : md) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string Sha256Base64(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  Digest(data, md);
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, md, SHA256_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(b64), n);
}

}  // namespace strata
