// UUID packing (ffa-abi.md section 3.2): the 16 RFC-4122 bytes, and the four 32-bit words that
// carry them in registers and in `uuid = <...>` manifest cells, each word being four consecutive
// bytes read little-endian (Linux `export_uuid` + SMCCC register order).
#include "models/ffa/types.h"

namespace ffasim::ffa {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Canonical text form "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx": hyphens at these offsets.
constexpr bool is_hyphen_position(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }
constexpr size_t kTextLength = 36;

}  // namespace

Uuid Uuid::from_words(uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3) {
  Uuid u;
  const uint32_t words[4] = {w0, w1, w2, w3};
  for (size_t w = 0; w < 4; ++w) {
    for (size_t b = 0; b < 4; ++b) u.bytes[4 * w + b] = uint8_t(words[w] >> (8 * b));
  }
  return u;
}

std::array<uint32_t, 4> Uuid::words() const {
  std::array<uint32_t, 4> out{};
  for (size_t w = 0; w < 4; ++w) {
    for (size_t b = 0; b < 4; ++b) out[w] |= uint32_t(bytes[4 * w + b]) << (8 * b);
  }
  return out;
}

// Accepts upper- or lower-case hex; leaves `out` untouched when `text` is not canonical.
bool Uuid::parse(const std::string& text, Uuid& out) {
  if (text.size() != kTextLength) return false;
  Uuid parsed;
  size_t byte = 0;
  for (size_t i = 0; i < kTextLength;) {
    if (is_hyphen_position(i)) {
      if (text[i] != '-') return false;
      ++i;
      continue;
    }
    const int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    parsed.bytes[byte++] = uint8_t((hi << 4) | lo);
    i += 2;
  }
  out = parsed;
  return true;
}

std::string Uuid::str() const {
  std::string s;
  s.reserve(kTextLength);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHexDigits[bytes[i] >> 4]);
    s.push_back(kHexDigits[bytes[i] & 0xF]);
  }
  return s;
}

bool Uuid::is_null() const {
  for (uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

}  // namespace ffasim::ffa
