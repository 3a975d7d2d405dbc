#include "util/hash.h"

// SHA256_Init/Update/Final: see Digest below.
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace strata {
namespace {

// The one-shot SHA256() and EVP of OpenSSL 3 fetch the algorithm from a provider, which costs
// more than hashing a migration file. The low-level SHA-256 functions (deprecated in the API,
// present and maintained in OpenSSL 3) hash directly: `strata status` hashes every migration.
void Digest(std::string_view data, unsigned char out[SHA256_DIGEST_LENGTH]) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(out, &ctx);
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
