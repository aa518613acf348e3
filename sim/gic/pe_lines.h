// Connects the GIC's IRQ/FIQ outputs to the PEs' inputs (sim::Pe::set_line). A rising line is
// applied at the time the change reaches the PE (InterruptLines::at); a falling line is applied
// at once. The architecture makes the effect of an ICC_IAR*/PMR/EOI access visible by the next
// context synchronisation (e.g. the handler's ERET), and with temporal decoupling the PE that
// acknowledged may run ahead of SystemC time, so a delayed fall would re-enter its handler
// for an interrupt it has already taken. A rise that a later change withdrew is never applied.
#pragma once

#include <array>
#include <vector>

#include <systemc>

#include "sim/core/pe.h"
#include "sim/gic/gic.h"

namespace ffasim::sim::gic {

class GicPeLines : public sc_core::sc_module {
 public:
  // `pes[i]` is the PE behind CPU interface i; every PE gets enable_interrupt_lines().
  GicPeLines(sc_core::sc_module_name name, Gic& gic, std::vector<Pe*> pes);

 private:
  void on_change(PeId pe, const InterruptLines& l);
  void deliver();
  void schedule();

  std::vector<Pe*> pes_;
  std::vector<std::array<Picos, 2>> rise_at_;  // per PE: when IRQ / FIQ goes high (kNoRise)
  std::vector<std::array<bool, 2>> target_;    // the GIC's latest levels
  sc_core::sc_event ev_;
};

}  // namespace ffasim::sim::gic
