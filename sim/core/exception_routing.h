// Where exceptions go: the Arm ARM rules as pure functions on PeState, so that every EL and
// security state can be tested without a simulation. Facts:
// ../shared/reference/armv8-gicv3-mmu.md sections 1.1, 1.2, 1.9, 1.10.
#pragma once

#include <cstdint>

#include "sim/core/pe_state.h"

namespace ffasim::sim {

// "EL2 is enabled in the current security state" (FEAT_SEL2): NS, or Secure with SCR_EL3.EEL2.
bool el2_enabled(const PeState& s, Security sec);
// HCR_EL2 as it acts in `sec`: zero where EL2 is not enabled; TGE forces IMO/FMO/AMO.
uint64_t effective_hcr(const PeState& s, Security sec);

enum class Outcome : uint8_t {
  Taken,      // an exception is taken to `target` with `esr`
  Undefined,  // the instruction is UNDEFINED: an EC 0x00 exception at the EL the rules give
};
struct Routing {
  Outcome outcome;
  El target;
  uint32_t esr;
  bool return_to_next;  // ELR = next instruction (a call) or the instruction itself (a trap)
};

// SMC, HVC and SVC executed at the PE's current EL and security state (section 1.10).
Routing route_smc(const PeState& s, uint16_t imm16 = 0);
Routing route_hvc(const PeState& s, uint16_t imm16 = 0);
Routing route_svc(const PeState& s, uint16_t imm16 = 0);
// Where an UNDEFINED instruction at the current EL is taken: EL0 -> EL1 (or EL2 with TGE), else
// the current EL.
El undefined_target(const PeState& s);

// ERET from the current EL: the target EL and security state, or legal = false for an illegal
// return (to a higher EL, to EL2 where EL2 is not enabled, or from EL0).
struct EretTarget {
  bool legal;
  El el;
  Security security;
};
EretTarget eret_target(const PeState& s);

// Physical interrupts (section 1.9): the EL an IRQ or FIQ would be taken to from the current
// state, and whether it is taken now or stays pending (masked or "not taken" to a lower EL).
enum class Interrupt : uint8_t { IRQ, FIQ, SError };
struct InterruptRouting {
  El target;
  bool taken_now;
};
InterruptRouting route_interrupt(const PeState& s, Interrupt kind);

}  // namespace ffasim::sim
