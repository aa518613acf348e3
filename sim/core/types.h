// Basic hardware types: exception levels, security states, PE ids, simulated time.
#pragma once

#include <array>
#include <cstdint>

namespace ffasim::sim {

enum class El : uint8_t { EL0 = 0, EL1 = 1, EL2 = 2, EL3 = 3 };
enum class Security : uint8_t { Secure = 0, NonSecure = 1 };

constexpr int index(El el) { return int(el); }
constexpr int index(Security s) { return int(s); }
const char* name(El el);            // "EL1"
const char* name(Security s);       // "S" / "NS"
const char* name(El el, Security s);  // "NS-EL1", "S-EL2", "EL3"

using PeId = uint16_t;

// Simulated time in picoseconds (SystemC resolution is set to 1 ps).
using Picos = uint64_t;

// x0-x17: the argument/result registers of an SMCCC v1.2 call (same type as ffa::Regs).
using ArgRegs = std::array<uint64_t, 18>;

}  // namespace ffasim::sim
