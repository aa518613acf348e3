// Architectural state of one PE: the plain registers, named as in the Arm ARM. No logic here;
// exception_routing.h and pe.h operate on it. Facts: ../shared/reference/armv8-gicv3-mmu.md s1.
#pragma once

#include <array>
#include <cstdint>

#include "sim/core/types.h"

namespace ffasim::sim {

// SCR_EL3 bits (section 1.1).
namespace scr {
inline constexpr uint64_t NS = 1u << 0, IRQ = 1u << 1, FIQ = 1u << 2, EA = 1u << 3;
inline constexpr uint64_t RES1 = (1u << 4) | (1u << 5);
inline constexpr uint64_t SMD = 1u << 7, HCE = 1u << 8, RW = 1u << 10, ST = 1u << 11;
inline constexpr uint64_t EEL2 = 1u << 18;
}  // namespace scr

// HCR_EL2 bits (section 1.2).
namespace hcr {
inline constexpr uint64_t VM = 1ull << 0, FMO = 1ull << 3, IMO = 1ull << 4, AMO = 1ull << 5;
inline constexpr uint64_t VF = 1ull << 6, VI = 1ull << 7, TSC = 1ull << 19, TGE = 1ull << 27;
inline constexpr uint64_t RW = 1ull << 31, E2H = 1ull << 34;
}  // namespace hcr

// PSTATE as saved in SPSR_ELx (section 1.3): M[3:0] = EL<<2 | SPSel, DAIF at bits 9..6.
struct Pstate {
  El el = El::EL3;
  bool sp_sel = true;           // ELxh
  uint8_t daif = 0xF;           // D A I F, bit 3 = D ... bit 0 = F
  uint8_t nzcv = 0;
  uint64_t to_spsr() const;
  static Pstate from_spsr(uint64_t spsr);
};
namespace daif {
inline constexpr uint8_t F = 1, I = 2, A = 4, D = 8;
}

// ESR_ELx exception classes used by the model (section 1.5).
namespace ec {
inline constexpr uint32_t UNKNOWN = 0x00, SVC64 = 0x15, HVC64 = 0x16, SMC64 = 0x17;
inline constexpr uint32_t SYSREG = 0x18, IABT_LOW = 0x20, IABT_CUR = 0x21;
inline constexpr uint32_t DABT_LOW = 0x24, DABT_CUR = 0x25;
}  // namespace ec
constexpr uint32_t make_esr(uint32_t ec, uint32_t iss, bool il = true) {
  return (ec << 26) | (il ? 1u << 25 : 0) | (iss & 0x1FFFFFF);
}
constexpr uint32_t esr_ec(uint64_t esr) { return uint32_t(esr >> 26) & 0x3F; }

struct PeState {
  std::array<uint64_t, 31> x{};    // x0-x30
  Pstate pstate;
  uint64_t pc = 0;                 // used by code running on the ISS; behavioural code has none
  std::array<uint64_t, 4> sp_el{};
  // Banked per EL (index 1..3; index 0 unused).
  std::array<uint64_t, 4> elr_el{}, spsr_el{}, esr_el{}, far_el{}, vbar_el{}, sctlr_el{};
  uint64_t scr_el3 = scr::RES1;
  uint64_t hcr_el2 = 0;
  uint64_t vttbr_el2 = 0, vtcr_el2 = 0, vsttbr_el2 = 0, vstcr_el2 = 0;
  uint64_t mpidr_el1 = 0;
  uint64_t tpidr_el1 = 0, tpidr_el2 = 0;
};

// Security state of the current EL: EL3 is always Secure; below it, SCR_EL3.NS decides.
inline Security security_of(const PeState& s, El el) {
  if (el == El::EL3) return Security::Secure;
  return (s.scr_el3 & scr::NS) ? Security::NonSecure : Security::Secure;
}
inline Security current_security(const PeState& s) { return security_of(s, s.pstate.el); }

}  // namespace ffasim::sim
