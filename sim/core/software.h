// The small interface through which software meets a PE. The hardware knows no firmware: models
// register ExceptionHandlers (firmware entered through a vector: SPMD at EL3, SPMC at S-EL2) and
// ExecContexts (code resumed by ERET: an NWd thread, an SP vCPU, the SPMC after its own SMC).
//
// Both run on the PE until their next exception-generating instruction and return it as a Step:
// `cycles` of work, then `insn`. Arguments travel in the PE's registers, as on real hardware.
#pragma once

#include <cstdint>

#include "sim/core/types.h"

namespace ffasim::sim {

class Pe;

enum class Insn : uint8_t {
  SMC, HVC, SVC,  // exception-generating calls; imm in Step::imm
  ERET,           // return from the current EL (firmware)
  WFI,            // wait for a wake-up (Pe::wake) or an interrupt; then the same code resumes
  OFF,            // the PE powers down (PSCI CPU_OFF completed, or the software ended)
};

struct Step {
  double cycles = 0;  // work before the instruction, at the PE clock
  Insn insn = Insn::OFF;
  uint16_t imm = 0;
};

using ComponentId = uint16_t;  // index into the platform's component list (time attribution)

// Code resumed at a lower EL by ERET. Implementations hold their own state between resumes; the
// PE holds the registers. `endpoint` >= 0 marks software that speaks for an FF-A endpoint: its
// calls are recorded as spans.
class ExecContext {
 public:
  virtual ~ExecContext() = default;
  virtual Step resume(Pe& pe) = 0;

  ComponentId component = 0;
  int32_t endpoint = -1;
  // Span bookkeeping, owned by the Tracer.
  int64_t open_span = -1;
  // Work and instruction cut short by an interrupt: the PE finishes them when this context is
  // resumed again (on whichever PE), before asking it for anything new.
  struct Interrupted {
    bool valid = false;
    double cycles = 0;
    Insn insn = Insn::OFF;
    uint16_t imm = 0;
  } interrupted;
};

enum class ExceptionKind : uint8_t { Sync, IRQ, FIQ, SError, Reset };

struct ExceptionInfo {
  ExceptionKind kind;
  El from_el;
  Security from_security;
  uint32_t esr;  // Sync only
  bool warm;     // Reset only: warm boot (PSCI CPU_ON) rather than cold boot
};

// Firmware entered through its vector table at an EL. Runs to completion (interrupts masked) and
// ends with ERET or an SMC to a higher EL.
class ExceptionHandler {
 public:
  virtual ~ExceptionHandler() = default;
  virtual Step take(Pe& pe, const ExceptionInfo& e) = 0;

  ComponentId component = 0;
};

// System registers that live outside the PE (the GIC's ICC_*, the generic timer's CNT*), reached
// by MRS/MSR through one table (sim/gic/icc_sysregs.h, generic_timer.h). `encoding` is the
// op0:op1:CRn:CRm:op2 immediate of the instruction. The bus charges the access to the PE.
enum class SysregResult : uint8_t { Ok, Undefined, TrapEl2, TrapEl3, NotMine };
class SysregBus {
 public:
  virtual ~SysregBus() = default;
  virtual SysregResult read(Pe& pe, uint32_t encoding, uint64_t& value) = 0;
  virtual SysregResult write(Pe& pe, uint32_t encoding, uint64_t value) = 0;
};

}  // namespace ffasim::sim
