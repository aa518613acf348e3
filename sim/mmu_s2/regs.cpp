#include "sim/mmu_s2/regs.h"

namespace ffasim::sim::mmu {

MmuRegs mmu_regs(const PeState& pe, MmuRegs r) {
  r.scr_el3 = pe.scr_el3;
  r.hcr_el2 = pe.hcr_el2;
  r.vttbr_el2 = pe.vttbr_el2;
  r.vtcr_el2 = pe.vtcr_el2;
  r.vsttbr_el2 = pe.vsttbr_el2;
  r.vstcr_el2 = pe.vstcr_el2;
  r.sctlr_el1 = pe.sctlr_el[1];
  r.sctlr_el2 = pe.sctlr_el[2];
  r.sctlr_el3 = pe.sctlr_el[3];
  return r;
}

Granule decode_tg0(uint64_t tg0) {
  switch (tg0 & 3) {
    case 1: return Granule::K64;
    case 2: return Granule::K16;
    default: return Granule::K4;
  }
}

Granule decode_tg1(uint64_t tg1) {
  switch (tg1 & 3) {
    case 1: return Granule::K16;
    case 3: return Granule::K64;
    default: return Granule::K4;
  }
}

uint64_t encode_tg0(Granule g) { return g == Granule::K64 ? 1 : g == Granule::K16 ? 2 : 0; }
uint64_t encode_tg1(Granule g) { return g == Granule::K16 ? 1 : g == Granule::K64 ? 3 : 2; }

namespace {
constexpr unsigned kPaSizes[] = {32, 36, 40, 42, 44, 48, 52};
}

unsigned decode_pa_size(uint64_t ps) { return kPaSizes[ps > 6 ? 6 : ps]; }

uint64_t encode_pa_size(unsigned bits) {
  for (uint64_t i = 0; i < 7; ++i)
    if (kPaSizes[i] >= bits) return i;
  return 6;
}

}  // namespace ffasim::sim::mmu
