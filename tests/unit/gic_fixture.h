// Helpers shared by the gic_*_test.cpp files: PE states by name, and a GIC with its groups
// enabled so that a test only configures the interrupts it is about.
#pragma once

#include "sim/core/pe_state.h"
#include "sim/gic/cpu_interface.h"
#include "sim/gic/distributor.h"
#include "sim/gic/gic.h"
#include "sim/gic/redistributor.h"

namespace ffasim::sim::gic::testing {

inline PeInputs pe_at(El el, bool ns, uint64_t scr_extra = 0, uint64_t hcr = 0) {
  return {el, scr::RES1 | scr::RW | (ns ? scr::NS : 0) | scr_extra, hcr};
}
inline PeInputs el3() { return pe_at(El::EL3, false); }
inline PeInputs s_el1() { return pe_at(El::EL1, false, scr::EEL2); }
inline PeInputs s_el2() { return pe_at(El::EL2, false, scr::EEL2); }
inline PeInputs ns_el1() { return pe_at(El::EL1, true); }
inline PeInputs ns_el2() { return pe_at(El::EL2, true); }

inline GicConfig config(unsigned pes) {
  GicConfig c;
  c.num_cpu = pes;
  return c;
}

// Every redistributor awake, GICD_CTLR enables all three groups, every CPU interface enables
// all three groups with ICC_PMR_EL1 = 0xFF, and every PE is at Non-secure EL1.
inline void make_ready(GicState& s) {
  s.gicd.ctlr |= gicd_ctlr::EnableGrp0 | gicd_ctlr::EnableGrp1NS | gicd_ctlr::EnableGrp1S;
  for (GicCpuState& c : s.cpu) {
    c.gicr.waker = 0;
    c.icc.icc_igrpen = {true, true, true};
    c.icc.icc_pmr_el1 = 0xFF;
    c.pe = ns_el1();
  }
  gic_update(s);
}
inline GicState ready_gic(GicConfig cfg) {
  GicState s = make_gic_state(cfg);
  make_ready(s);
  return s;
}
inline GicState ready_gic(unsigned pes = 2) { return ready_gic(config(pes)); }

// Sets INTID `id` (of PE `cpu` for SGIs/PPIs) to group `g` and priority `prio`, enabled.
inline void configure(GicState& s, unsigned cpu, uint32_t id, Group g, uint8_t prio, bool edge = true) {
  set(s, cpu, id, IrqBit::Group, g == Group::G1NS);
  set(s, cpu, id, IrqBit::Grpmod, g == Group::G1S);
  set(s, cpu, id, IrqBit::Enable, true);
  irq_priority(s, cpu, id) = prio;
  if (id >= kInternalCount) put(s.gicd.icfgr[id / 16], 2 * (id % 16) + 1, edge);
  else if (id >= kSgiCount) put(s.cpu[cpu].gicr.icfgr1, 2 * (id - kSgiCount) + 1, edge);
  gic_update(s);
}
inline void make_pending(GicState& s, unsigned cpu, uint32_t id) {
  set(s, cpu, id, IrqBit::Pending, true);
  gic_update(s);
}
inline void set_pe(GicState& s, unsigned cpu, const PeInputs& pe) {
  s.cpu[cpu].pe = pe;
  gic_update(s);
}

}  // namespace ffasim::sim::gic::testing
