// Timing of the MMU, from the profile (table: mmu_params.def), and what a translation or a TLBI
// costs. Kept apart from the translation logic: translate() reports what happened (TLB hit,
// descriptor reads, memory latency), these functions price it.
#pragma once

#include "sim/core/profile.h"
#include "sim/core/types.h"
#include "sim/mmu_s2/mmu.h"
#include "sim/mmu_s2/tlb.h"

namespace ffasim::sim::mmu {

struct MmuTiming {
#define FFASIM_PARAMS_FILE "sim/mmu_s2/mmu_params.def"
#include "sim/core/profile_struct.inc"
};

// Both stages off: 0. TLB hit: tlb_hit. Miss: tlb_miss + walk_access per descriptor read +
// tlb_hit per stage-2 TLB hit inside the walk, plus the memory latency of the reads.
Picos translation_cost(const TranslateResult& t, const MmuTiming& m, double period_ps);
Picos tlbi_cost(bool broadcast, const MmuTiming& m, double period_ps);
TlbConfig tlb_config(const MmuTiming& m);

}  // namespace ffasim::sim::mmu
