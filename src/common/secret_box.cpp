#include "common/secret_box.h"

#include <sodium.h>

#include <vector>

namespace maestro {
namespace {

constexpr std::string_view kPrefix = "v1.";
constexpr int kBase64 = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

tl::unexpected<Error> Undecryptable() {
  return Fail(ErrorCode::kInternal,
              "a stored secret cannot be decrypted: MAESTRO_SECRET_KEY is not the key it was "
              "sealed with (or the data was changed); restore the key, or enter the credentials "
              "again");
}

}  // namespace

Result<SecretBox> SecretBox::FromHex(std::string_view key_hex) {
  SecretBox box;
  std::size_t length = 0;
  if (key_hex.size() != 64 || sodium_init() < 0 ||
      sodium_hex2bin(box.key_.data(), box.key_.size(), key_hex.data(), key_hex.size(), nullptr,
                     &length, nullptr) != 0 ||
      length != box.key_.size()) {
    return Fail(ErrorCode::kBadRequest, "the secret key must be 64 hex digits (32 bytes)");
  }
  return box;
}

std::string SecretBox::Seal(std::string_view plaintext) const {
  std::vector<unsigned char> sealed(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                    plaintext.size());
  unsigned char* nonce = sealed.data();
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(sealed.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, key_.data());
  std::string text(sodium_base64_ENCODED_LEN(sealed.size(), kBase64), '\0');
  sodium_bin2base64(text.data(), text.size(), sealed.data(), sealed.size(), kBase64);
  text.resize(text.find('\0'));
  return std::string(kPrefix) + text;
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  if (!sealed.starts_with(kPrefix) || sealed.size() == kPrefix.size()) return Undecryptable();
  sealed.remove_prefix(kPrefix.size());
  std::vector<unsigned char> bytes(sealed.size());
  std::size_t length = 0;
  if (sodium_base642bin(bytes.data(), bytes.size(), sealed.data(), sealed.size(), nullptr, &length,
                        nullptr, kBase64) != 0 ||
      length < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return Undecryptable();
  }
  std::string plaintext(length - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()),
                                 bytes.data() + crypto_secretbox_NONCEBYTES,
                                 length - crypto_secretbox_NONCEBYTES, bytes.data(),
                                 key_.data()) != 0) {
    return Undecryptable();
  }
  return plaintext;
}

}  // namespace maestro
