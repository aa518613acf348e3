// Basic FF-A value types shared by every model: endpoint IDs, versions, UUIDs, argument registers.
// Facts: ../shared/reference/ffa-abi.md sections 1.1-1.2, 3.1-3.2. Depends on nothing.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace ffasim::ffa {

// x0-x17: the argument and result registers of an SMCCC v1.2 call. The same alias as
// sim::ArgRegs, so values pass between the hardware and the firmware models without conversion.
using Regs = std::array<uint64_t, 18>;

// An FF-A endpoint or partition ID. Bit 15 set = secure world (section 3.1).
struct EndpointId {
  uint16_t value = 0;
  constexpr EndpointId() = default;
  constexpr explicit EndpointId(uint16_t v) : value(v) {}
  constexpr bool is_secure() const { return (value & 0x8000u) != 0; }
  friend constexpr bool operator==(EndpointId a, EndpointId b) { return a.value == b.value; }
  friend constexpr bool operator!=(EndpointId a, EndpointId b) { return a.value != b.value; }
  friend constexpr bool operator<(EndpointId a, EndpointId b) { return a.value < b.value; }
};

inline constexpr EndpointId kNsEndpointId{0x0000};   // OS kernel / hypervisor (FFA_NS_ENDPOINT_ID)
inline constexpr EndpointId kInvalidVmId{0x7FFF};
inline constexpr EndpointId kSpmcIdDefault{0x8000};
inline constexpr EndpointId kFirstSpId{0x8001};      // Hafnium: 0x8001 + index
inline constexpr EndpointId kSpmdId{0xFFFF};         // SPMD_DIRECT_MSG_ENDPOINT_ID

// w1 "endpoint pair": bits[31:16] sender, bits[15:0] receiver.
constexpr uint32_t pack_endpoints(EndpointId sender, EndpointId receiver) {
  return (uint32_t(sender.value) << 16) | receiver.value;
}
constexpr EndpointId sender_of(uint64_t w1) { return EndpointId(uint16_t((w1 >> 16) & 0xFFFF)); }
constexpr EndpointId receiver_of(uint64_t w1) { return EndpointId(uint16_t(w1 & 0xFFFF)); }

// FF-A version: bit31 MBZ, bits[30:16] major, bits[15:0] minor (section 1.2).
struct Version {
  uint16_t major = 1, minor = 0;
  constexpr uint32_t raw() const { return (uint32_t(major & 0x7FFF) << 16) | minor; }
  static constexpr Version from_raw(uint32_t v) { return {uint16_t((v >> 16) & 0x7FFF), uint16_t(v & 0xFFFF)}; }
  friend constexpr bool operator==(Version a, Version b) { return a.raw() == b.raw(); }
  friend constexpr bool operator<(Version a, Version b) { return a.raw() < b.raw(); }
  friend constexpr bool operator<=(Version a, Version b) { return a.raw() <= b.raw(); }
};
inline constexpr Version kV1_0{1, 0}, kV1_1{1, 1}, kV1_2{1, 2}, kV1_3{1, 3};

// A UUID as the 16 RFC-4122 bytes. On the wire (registers, manifests) it travels as four
// little-endian 32-bit words (section 3.2): OP-TEE 486178e0-e7f8-11e3-bc5e-0002a5d5c51b is
// w1..w4 = 0xe0786148 0xe311f8e7 0x02005ebc 0x1bc5d5a5.
struct Uuid {
  std::array<uint8_t, 16> bytes{};
  static Uuid from_words(uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3);
  std::array<uint32_t, 4> words() const;
  static bool parse(const std::string& text, Uuid& out);  // "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
  std::string str() const;
  bool is_null() const;
  friend bool operator==(const Uuid& a, const Uuid& b) { return a.bytes == b.bytes; }
  friend bool operator!=(const Uuid& a, const Uuid& b) { return a.bytes != b.bytes; }
};

}  // namespace ffasim::ffa
