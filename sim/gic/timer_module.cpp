#include "sim/gic/timer_module.h"

namespace ffasim::sim::gic {

GenericTimerModule::GenericTimerModule(sc_core::sc_module_name name, GenericTimer& timer)
    : sc_module(name), timer_(timer) {
  SC_HAS_PROCESS(GenericTimerModule);
  SC_METHOD(fire);
  sensitive << wake_;
  dont_initialize();
  timer_.on_change([this] { reschedule(); });
}

void GenericTimerModule::fire() {
  timer_.advance(sc_core::sc_time_stamp().value());
  reschedule();
}

void GenericTimerModule::reschedule() {
  const Picos now = sc_core::sc_time_stamp().value();
  const Picos next = timer_.next_event(now);
  wake_.cancel();
  if (next != kNever) wake_.notify(sc_core::sc_time::from_value(next - now));
}

}  // namespace ffasim::sim::gic
