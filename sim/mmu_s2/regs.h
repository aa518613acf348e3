// The system registers that control translation, as a plain struct named as in the Arm ARM, and
// their fields. Facts: ../shared/reference/armv8-gicv3-mmu.md s3.1-3.2, s1.2 (HCR_EL2).
//
// PeState (sim/core/pe_state.h) holds the EL2/EL3 controls today (HCR_EL2, SCR_EL3, VTTBR_EL2,
// VTCR_EL2, VSTTBR_EL2, VSTCR_EL2, SCTLR_ELx) but not the stage-1 registers; mmu_regs() copies
// what it has, and the caller supplies TTBR0/1_ELx, TCR_ELx and MAIR_ELx until PeState has them.
#pragma once

#include <cstdint>

#include "sim/core/pe_state.h"

namespace ffasim::sim::mmu {

struct MmuRegs {
  // EL1&0 (and EL2&0 when HCR_EL2.E2H = 1, through the *_el2 fields).
  uint64_t sctlr_el1 = 0, tcr_el1 = 0, ttbr0_el1 = 0, ttbr1_el1 = 0, mair_el1 = 0;
  uint64_t sctlr_el2 = 0, tcr_el2 = 0, ttbr0_el2 = 0, ttbr1_el2 = 0, mair_el2 = 0;
  uint64_t sctlr_el3 = 0, tcr_el3 = 0, ttbr0_el3 = 0, mair_el3 = 0;
  uint64_t scr_el3 = scr::RES1, hcr_el2 = 0;
  uint64_t vttbr_el2 = 0, vtcr_el2 = 0, vsttbr_el2 = 0, vstcr_el2 = 0;
};

// Copies SCR_EL3, HCR_EL2, the four stage-2 registers and SCTLR_EL1..3 from `pe` into `stage1`
// (whose TTBR/TCR/MAIR fields the caller has filled).
MmuRegs mmu_regs(const PeState& pe, MmuRegs stage1);

constexpr uint64_t bits(uint64_t v, unsigned hi, unsigned lo) {
  return (v >> lo) & ((hi - lo == 63) ? ~0ull : ((1ull << (hi - lo + 1)) - 1));
}
constexpr bool bit(uint64_t v, unsigned b) { return (v >> b) & 1; }

// HCR_EL2 bits the MMU reads, beside sim::hcr (VM, TGE, E2H). PTW, DC, FB and CD belong in
// sim/core/pe_state.h's hcr namespace; they are here until it has them.
namespace hcr_mmu {
inline constexpr uint64_t VM = 1ull << 0, PTW = 1ull << 2, FB = 1ull << 9, DC = 1ull << 12;
inline constexpr uint64_t TGE = 1ull << 27, CD = 1ull << 32, E2H = 1ull << 34;
}  // namespace hcr_mmu

// SCTLR_ELx (s1.4 area; bit positions from the Arm ARM).
namespace sctlr {
inline constexpr uint64_t M = 1ull << 0, C = 1ull << 2, I = 1ull << 12, WXN = 1ull << 19;
}

// TCR_EL1 layout (also TCR_EL2 when E2H = 1), s3.1.
namespace tcr {
inline constexpr unsigned T0SZ_LO = 0, EPD0 = 7, TG0_LO = 14, T1SZ_LO = 16, A1 = 22, EPD1 = 23;
inline constexpr unsigned TG1_LO = 30, IPS_LO = 32, AS = 36, TBI0 = 37, TBI1 = 38, HA = 39;
// TCR_EL2 (E2H = 0) and TCR_EL3: PS [18:16], TBI [20].
inline constexpr unsigned PS_LO = 16, TBI = 20;
}  // namespace tcr

// VTCR_EL2 / VSTCR_EL2, s3.2.
namespace vtcr {
inline constexpr unsigned T0SZ_LO = 0, SL0_LO = 6, TG0_LO = 14, PS_LO = 16, VS = 19;
inline constexpr unsigned NSW = 29, NSA = 30;  // VTCR_EL2
inline constexpr unsigned SW = 29, SA = 30;    // VSTCR_EL2
inline constexpr uint64_t RES1 = 1ull << 31;
}  // namespace vtcr

// Translation granule: log2 of its size.
enum class Granule : uint8_t { K4 = 12, K16 = 14, K64 = 16 };
constexpr unsigned granule_bits(Granule g) { return unsigned(g); }
constexpr unsigned stride(Granule g) { return unsigned(g) - 3; }  // index bits per level
// TG0 encodings: 00 4K, 01 64K, 10 16K (11 reserved: treated as 4K, QEMU's choice).
Granule decode_tg0(uint64_t tg0);
// TG1 encodings: 01 16K, 10 4K, 11 64K (00 reserved: treated as 4K).
Granule decode_tg1(uint64_t tg1);
uint64_t encode_tg0(Granule g);
uint64_t encode_tg1(Granule g);

// (I)PS / PARange: 000 32, 001 36, 010 40, 011 42, 100 44, 101 48, 110 52 bits.
unsigned decode_pa_size(uint64_t ps);
uint64_t encode_pa_size(unsigned bits);  // the smallest encoding >= bits

// TTBRn_ELx / VTTBR_EL2 / VSTTBR_EL2: BADDR [47:1] (CnP at bit 0), ASID or VMID [63:48].
constexpr uint64_t ttbr_baddr(uint64_t ttbr) { return ttbr & 0x0000FFFFFFFFFFFEull; }
constexpr uint16_t ttbr_asid(uint64_t ttbr, bool asid16) {
  return uint16_t(asid16 ? bits(ttbr, 63, 48) : bits(ttbr, 55, 48));
}
constexpr uint64_t make_ttbr(uint64_t baddr, uint16_t asid_or_vmid) {
  return (uint64_t(asid_or_vmid) << 48) | (baddr & 0x0000FFFFFFFFFFFEull);
}

}  // namespace ffasim::sim::mmu
