#include "sim/mmu_s2/mmu_timing.h"

#include <cmath>

namespace ffasim::sim::mmu {
namespace {
Picos cycles_ps(double cycles, double period_ps) { return Picos(std::llround(cycles * period_ps)); }
}  // namespace

Picos translation_cost(const TranslateResult& t, const MmuTiming& m, double period_ps) {
  if (!t.translated) return 0;
  if (t.tlb_hit) return cycles_ps(m.tlb_hit_cycles, period_ps);
  const double cycles = m.tlb_miss_cycles + m.walk_access_cycles * t.walk.reads() +
                        m.tlb_hit_cycles * t.walk.s2_tlb_hits;
  return cycles_ps(cycles, period_ps) + t.walk.memory;
}

Picos tlbi_cost(bool broadcast, const MmuTiming& m, double period_ps) {
  return cycles_ps(broadcast ? m.tlbi_broadcast_cycles : m.tlbi_local_cycles, period_ps);
}

TlbConfig tlb_config(const MmuTiming& m) {
  TlbConfig c;
  c.entries = m.tlb_entries < 1 ? 1u : unsigned(m.tlb_entries);
  return c;
}

}  // namespace ffasim::sim::mmu
