// Which translation regime an access uses, with which registers, and how its walks are set up:
// s3.1-3.4 and s3.8 of ../shared/reference/armv8-gicv3-mmu.md. Pure functions of MmuRegs.
#pragma once

#include <cstdint>

#include "sim/core/types.h"
#include "sim/mmu_s2/addr.h"
#include "sim/mmu_s2/fault.h"
#include "sim/mmu_s2/regs.h"

namespace ffasim::sim::mmu {

// Translation regimes ("EL1&0", "EL2&0", "EL2", "EL3").
enum class Regime : uint8_t { EL10 = 0, EL20 = 1, EL2 = 2, EL3 = 3 };
const char* name(Regime r);

// The implementation: what the ID registers would say, and IMPLEMENTATION DEFINED choices.
struct MmuConfig {
  unsigned pa_bits = 48;      // ID_AA64MMFR0_EL1.PARange (32..48; no FEAT_LPA)
  bool feat_xnx = true;       // stage-2 XN[1:0] (else bit 54 = XN, bit 53 ignored)
  bool feat_ttst = false;     // TxSZ up to 48 (4K) / 47 (16K, 64K); VTCR SL0 = 11 starts at L3 (4K)
  // [DIVERGENCE] ESR.WnR of a stage-2 fault on a stage-1 walk: false reports the walk's read
  // (WnR = 0, no hardware AF/DBM update is modelled); true copies the access's WnR, as QEMU does.
  bool s1ptw_wnr_from_access = false;
};

// The regime of an access and what is enabled in it.
struct RegimeContext {
  Regime regime = Regime::EL10;
  Security security = Security::NonSecure;
  El el = El::EL1;             // of the access
  bool unprivileged = false;   // an EL0 access (two-privilege regimes)
  bool two_ranges = true;      // EL1&0 and EL2&0: TTBR0 and TTBR1
  bool el2_enabled = false;    // EL2 enabled in `security` (Secure: SCR_EL3.EEL2)
  bool s1_enabled = false;
  bool s2_enabled = false;     // EL1&0 only: HCR_EL2.VM or .DC with EL2 enabled
  uint16_t asid = 0;           // two-range regimes: TTBR0 or TTBR1 per TCR.A1; 8 or 16 bits per TCR.AS
  uint16_t vmid = 0;           // EL1&0 with EL2 enabled: VTTBR_EL2.VMID (8 or 16 bits per VTCR.VS)
  El s1_fault_el = El::EL1;    // where stage-1 faults are taken
  uint64_t hcr = 0;            // effective HCR_EL2 (0 when EL2 is not enabled)
};

// `el` is the EL the access is made at (EL0 for an unprivileged access).
RegimeContext regime_context(const MmuRegs& r, El el);

// The VA after top-byte-ignore: with TBI for the VA's range, bits [63:56] become copies of bit 55.
uint64_t effective_va(const MmuRegs& r, const RegimeContext& c, VA va);

// One table walk, decoded from TCR/VTCR/VSTCR and the TTBR. A walk whose setup failed carries
// `fault` (reported at `fault_level`, level 0 for every setup fault).
struct WalkSetup {
  unsigned stage = 1;
  Granule granule = Granule::K4;
  unsigned input_bits = 48;     // 64 - TxSZ
  unsigned output_bits = 48;    // (I)PS / VTCR_EL2.PS, capped at the implemented PA size
  int start_level = 0;
  unsigned start_index_bits = 9;  // > stride when stage-2 tables are concatenated
  uint64_t base = 0;            // first table: an IPA for a nested stage-1 walk, else a PA
  Security space = Security::Secure;  // its IPA or PA space
  bool secure_regime = false;   // stage 1: NSTable / NS honoured
  FaultType fault = FaultType::None;
};

// Stage 1 for effective VA `va`: TTBR selected by VA[55] in two-range regimes; Translation fault
// at level 0 for a VA outside both ranges, TxSZ out of range, or TCR.EPDn = 1; Address size fault
// at level 0 for a TTBR base beyond the output size.
WalkSetup stage1_setup(const MmuRegs& r, const RegimeContext& c, uint64_t va, const MmuConfig& cfg);

// Stage 2 of `ipa` in `ipa_space` for security state `state`: VSTTBR_EL2/VSTCR_EL2 for the
// Secure IPA space, VTTBR_EL2/VTCR_EL2 for the Non-secure one. Translation fault at level 0 for
// an IPA beyond T0SZ or an invalid SL0/T0SZ combination (current QEMU check_s2_mmu_setup, after
// the pseudocode's S2InvalidSL/S2InconsistentSL); Address size fault at level 0 for a bad base.
// [DIVERGENCE] s3.4 of the sheet, quoting an older QEMU, reports a bad SL0/T0SZ at the start
// level; current QEMU reports level 0, and so does this model.
WalkSetup stage2_setup(const MmuRegs& r, Security state, Security ipa_space, uint64_t ipa,
                       const MmuConfig& cfg);

// s3.8: the PA space the stage-2 walk of `ipa_space` reads (VSTCR_EL2.SW / VTCR_EL2.NSW) and the
// PA space its output lands in (SA/SW/NSA/NSW, QEMU's get_phys_addr_twostage reading). In
// Non-secure state both are always Non-secure.
Security stage2_walk_space(const MmuRegs& r, Security state, Security ipa_space);
Security stage2_output_space(const MmuRegs& r, Security state, Security ipa_space);

// Stage-2 start level from SL0 for `g`, or -1 when the encoding is reserved for this
// implementation (s3.4).
int stage2_start_level(unsigned sl0, Granule g, const MmuConfig& cfg);
// The SL0 encoding that starts a walk at `level` (inverse of the above).
unsigned stage2_sl0(int level, Granule g);

// Which registers a regime walks with.
uint64_t regime_sctlr(const MmuRegs& r, Regime g);
uint64_t regime_tcr(const MmuRegs& r, Regime g);
uint64_t regime_mair(const MmuRegs& r, Regime g);

}  // namespace ffasim::sim::mmu
