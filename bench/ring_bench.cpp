// Bare SystemC reference: a ring of 6 SC_METHODs, each notifying the next with a timed event.
// One trip round the ring is the kernel-only cost of a 6-hop FF-A round trip
// (NWd -> EL3 -> S-EL2 -> S-EL1 -> S-EL2 -> EL3 -> NWd).
#include "bench/ring_bench.h"

#include <systemc>

namespace ffasim::bench {

namespace {
struct Hop : sc_core::sc_module {
  sc_core::sc_event ev;
  Hop* next = nullptr;
  uint64_t* trips = nullptr;
  uint64_t limit = 0;
  bool last = false;
  SC_HAS_PROCESS(Hop);
  explicit Hop(sc_core::sc_module_name n) : sc_module(n) {
    SC_METHOD(step);
    sensitive << ev;
    dont_initialize();
  }
  void step() {
    if (last && ++*trips >= limit) return;
    next->ev.notify(10, sc_core::SC_NS);
  }
};
}  // namespace

uint64_t run_ring(uint64_t trips) {
  static uint64_t done = 0;
  std::vector<Hop*> hops;
  for (int i = 0; i < 6; ++i) hops.push_back(new Hop(("hop" + std::to_string(i)).c_str()));
  for (int i = 0; i < 6; ++i) {
    hops[i]->next = hops[(i + 1) % 6];
    hops[i]->trips = &done;
    hops[i]->limit = trips;
    hops[i]->last = i == 5;
  }
  hops[0]->ev.notify(sc_core::SC_ZERO_TIME);
  sc_core::sc_start();
  return done;
}

}  // namespace ffasim::bench
