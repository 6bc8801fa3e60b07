//===- ArchConfigHash.cpp - Stable identity of a resolved config ----------===//
//
// SHA-256 of the canonical YAML. A cryptographic hash is more than an
// identity needs, but it is what `sha256sum` prints for the same bytes, so a
// user can check a binary's config hash by hand.
//
//===----------------------------------------------------------------------===//
#include "strata/target/ArchConfigIO.h"

#include <openssl/evp.h>

namespace strata {

std::string archConfigHash(const ArchConfig &config) {
  std::string text = archConfigToYaml(config);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    return {}; // only on allocation failure inside OpenSSL
  static const char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

} // namespace strata
