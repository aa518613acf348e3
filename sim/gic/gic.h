// The GICv3 as one object: its state (GicState), the logic of distributor.h, redistributor.h
// and cpu_interface.h, and the interrupt lines it drives into each PE with the time each change
// reaches the PE. Plain C++ (no SystemC), so the whole GIC runs in a unit test with explicit
// times; gic_mmio.h is the TLM-2.0 adapter for the GICD/GICR frames.
//
// Time: the state changes at the time of the input (`now`); only what the PE sees is delayed,
// by the latency of the path the change travelled (gic_params.def). A PE's line changes never
// move backwards in time: a change is published no earlier than the previous one.
//
// What a PE model does with it:
//   - on every change of EL, SCR_EL3 or HCR_EL2: set_pe(pe, pe_inputs(state), now) (the IRQ/FIQ
//     choice depends on the PE's security state and EL, section 2.8);
//   - MRS/MSR to an ICC_* register: sysreg_read / sysreg_write through the icc_sysregs.h table,
//     and raise the exception the result names (Undefined, TrapEl2, TrapEl3);
//   - on_lines(callback): called with the new IRQ/FIQ levels and the time they take effect.
//     GicPeLines (pe_lines.h) is that callback for sim::Pe: it calls Pe::set_line at the right
//     time, and the PE takes the interrupt by route_interrupt() (exception_routing.h).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/core/pe_state.h"
#include "sim/gic/gic_state.h"
#include "sim/gic/gic_timing.h"
#include "sim/gic/icc_sysregs.h"

namespace ffasim::sim::gic {

// Rebuilds every derived field of `s` (HPPIs, 1-of-N choices, IRQ/FIQ outputs): the one update
// function, called by every mutator.
void gic_update(GicState& s);

// The IRQ and FIQ inputs of one PE.
struct InterruptLines {
  bool irq = false, fiq = false;  // levels from `at` on
  Picos at = 0;                   // when this change reaches the PE
  bool irq_before = false, fiq_before = false;  // levels until `at`
  bool irq_at(Picos t) const { return t >= at ? irq : irq_before; }
  bool fiq_at(Picos t) const { return t >= at ? fiq : fiq_before; }
};
using LinesCallback = std::function<void(PeId pe, const InterruptLines& lines)>;

// The CPU interface's view of a PE.
inline PeInputs pe_inputs(const PeState& s) { return {s.pstate.el, s.scr_el3, s.hcr_el2}; }

class Gic {
 public:
  // std::invalid_argument for an impossible configuration.
  Gic(const GicConfig& cfg, const GicTiming& timing);

  GicState& state() { return s_; }
  const GicState& state() const { return s_; }
  const GicTiming& timing() const { return timing_; }
  unsigned pe_count() const { return s_.cfg.num_cpu; }

  void on_lines(LinesCallback cb) { callback_ = std::move(cb); }
  const InterruptLines& lines(PeId pe) const { return lines_.at(pe); }

  // Device inputs: the level of SPI `intid` (32..num_irq-1) and of PPI `intid` (16..31) of a PE.
  void set_spi(uint32_t intid, bool level, Picos now);
  void set_ppi(PeId pe, uint32_t intid, bool level, Picos now);
  // The PE's EL, SCR_EL3 or HCR_EL2 changed (exception entry, ERET, MSR SCR_EL3...).
  void set_pe(PeId pe, const PeInputs& in, Picos now);

  // MRS / MSR to an ICC_* register by PE `pe`. Anything but SysregAccess::Ok leaves the GIC as it
  // was; the caller raises the exception. The access itself costs timing().sysreg_ns.
  SysregAccess sysreg_read(PeId pe, const IccReg& r, uint64_t& value, Picos now);
  SysregAccess sysreg_write(PeId pe, const IccReg& r, uint64_t value, Picos now);

  // GICD frame (offset 0..0xFFFF) and GICR region (offset = 0x20000 * pe + frame offset)
  // accesses. False: a guest error (RAZ/WI applied and counted).
  bool gicd_read(uint32_t offset, unsigned size, Security sec, uint64_t& value, Picos now);
  bool gicd_write(uint32_t offset, unsigned size, Security sec, uint64_t value, Picos now);
  bool gicr_read(uint64_t offset, unsigned size, Security sec, uint64_t& value, Picos now);
  bool gicr_write(uint64_t offset, unsigned size, Security sec, uint64_t value, Picos now);

  uint64_t guest_errors() const { return s_.guest_errors; }
  // The latency of a path from its input to the PE's pins, in ps.
  Picos latency(Path p, uint32_t intid = 0) const;

 private:
  // Publishes every PE whose outputs differ from its lines, at now + latency(p).
  void publish(Path p, Picos now, uint32_t intid = 0);

  GicState s_;
  GicTiming timing_;
  std::vector<InterruptLines> lines_;
  LinesCallback callback_;
};

}  // namespace ffasim::sim::gic
