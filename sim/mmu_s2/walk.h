// One stage of a table walk over VMSAv8-64 descriptors (s3.3-3.6 of
// ../shared/reference/armv8-gicv3-mmu.md), and the decoding of the leaf it reaches into output
// address, permissions and attributes. Descriptor reads go through a DescriptorFetcher, so the
// same loop serves a stage-2 walk, a stage-1 walk of physical tables and a nested stage-1 walk
// whose table addresses are IPAs (mmu.cpp).
#pragma once

#include <cstdint>

#include "sim/mmu_s2/attrs.h"
#include "sim/mmu_s2/fault.h"
#include "sim/mmu_s2/regime.h"

namespace ffasim::sim::mmu {

// Access permissions of a translation, for unprivileged (EL0) and privileged accesses.
using Perms = uint8_t;
namespace perm {
inline constexpr Perms R0 = 1, W0 = 2, X0 = 4, R1 = 8, W1 = 16, X1 = 32, ALL = 63;
}
bool permits(Perms p, AccessType t, bool unprivileged);

class DescriptorFetcher {
 public:
  virtual ~DescriptorFetcher() = default;
  // Reads the descriptor at `addr` (an IPA in a nested stage-1 walk, else a PA) in IPA/PA space
  // `space`, for the lookup at `level`. On failure returns false with `fault` filled in.
  virtual bool fetch(uint64_t addr, Security space, int level, uint64_t& desc, Fault& fault) = 0;
};

// The block or page descriptor a walk ended on.
struct WalkLeaf {
  uint64_t descriptor = 0;
  int level = 0;
  uint64_t size = 0;         // block or page size
  uint64_t output = 0;       // output address of the input (block base | offset)
  uint64_t table_attrs = 0;  // OR of bits [63:59] (>> 59) of the stage-1 table descriptors passed
};

// Walks `input` from w.start_level. Faults (Translation for an invalid or reserved descriptor or
// a block where none is allowed; Address size for an output or next-table address beyond
// w.output_bits; Access flag for AF = 0, no hardware AF update) carry the level and stage.
bool walk(const WalkSetup& w, uint64_t input, DescriptorFetcher& f, WalkLeaf& leaf, Fault& fault);

// Block descriptors allowed at `level` for granule `g` without FEAT_LPA/LPA2: 4K at L1/L2,
// 16K and 64K at L2.
bool block_allowed(Granule g, int level);
// Bytes mapped by one entry at `level`.
constexpr uint64_t level_size(Granule g, int level) {
  return 1ull << (granule_bits(g) + unsigned(3 - level) * stride(g));
}

struct Stage1Out {
  uint64_t oa = 0;             // IPA when stage 2 is enabled, else PA
  Security oa_space = Security::NonSecure;  // NS bit / NSTable in Secure regimes
  Perms perms = 0;
  MemAttrs attrs;
  bool global = true;          // nG = 0 (or a single-ASID regime)
  int level = 0;
  uint64_t size = 0;
};
// Stage-1 leaf: AP[2:1] with APTable, UXN/PXN with XNTable/PXNTable, SCTLR_ELx.WXN, the
// MAIR_ELx attributes (s3.5). PSTATE.PAN and SCR_EL3.SIF are not modelled.
Stage1Out decode_stage1(const WalkLeaf& leaf, const RegimeContext& c, const MmuRegs& r);
// Stage 1 disabled: the output is the input, all permissions, Device-nGnRnE (Normal WB
// non-shareable with HCR_EL2.DC; Normal with SCTLR.I deciding WT/NC for instruction fetches).
Stage1Out stage1_flat(uint64_t va, const RegimeContext& c, const MmuRegs& r, AccessType t);

struct Stage2Out {
  uint64_t pa = 0;
  Security pa_space = Security::NonSecure;
  Perms perms = 0;
  MemAttrs attrs;
  int level = 0;
  uint64_t size = 0;
};
// Stage-2 leaf: S2AP, XN[1:0] (FEAT_XNX) or XN, MemAttr (HCR_EL2.CD makes Normal
// Non-cacheable), output PA space by s3.8.
Stage2Out decode_stage2(const WalkLeaf& leaf, const MmuRegs& r, const RegimeContext& c,
                        Security ipa_space, const MmuConfig& cfg);

}  // namespace ffasim::sim::mmu
