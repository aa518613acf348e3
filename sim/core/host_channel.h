// Lets a host (Python, a test) drive a behavioural context call by call: the context waits (WFI)
// until the host queues a call, issues it through the modelled path, and records what it is
// resumed with. Used by the NWd kernel model and the scriptable test SP.
#pragma once

#include <cstdint>
#include <deque>

#include "sim/core/software.h"
#include "sim/core/types.h"

namespace ffasim::sim {

class Pe;

struct HostCall {
  Insn insn = Insn::SMC;  // SMC, HVC or SVC
  ArgRegs args{};
};

struct HostChannel {
  std::deque<HostCall> queue;  // calls the host asked for, in order
  bool waiting = false;        // the context is parked, waiting for the host
  Pe* pe = nullptr;            // the PE it is parked on (valid while waiting)
  uint64_t calls_done = 0;     // host calls that have returned
  ArgRegs last_result{};       // x0-x17 when the latest host call returned
  ArgRegs last_input{};        // x0-x17 the context was last resumed with by anything
};

}  // namespace ffasim::sim
