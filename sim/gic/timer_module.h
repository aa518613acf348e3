// SystemC adapter of the generic timer: wakes up exactly when the next compare condition becomes
// true (GenericTimer::next_event) and lets the timer raise its PPI with that time. Register
// writes reschedule it through GenericTimer::on_change. Connect the PPIs to the GIC with
//   timer.on_ppi([&](PeId pe, uint32_t id, bool level, Picos at) { gic.set_ppi(pe, id, level, at); });
#pragma once

#include <systemc>

#include "sim/gic/generic_timer.h"

namespace ffasim::sim::gic {

class GenericTimerModule : public sc_core::sc_module {
 public:
  GenericTimerModule(sc_core::sc_module_name name, GenericTimer& timer);

 private:
  void fire();
  void reschedule();

  GenericTimer& timer_;
  sc_core::sc_event wake_;
};

}  // namespace ffasim::sim::gic
