// The Arm generic timer: the system counter (CNTPCT_EL0 from simulated time), CNTFRQ_EL0,
// CNTVOFF_EL2, and per PE the EL1 physical (CNTP), virtual (CNTV), EL2 physical (CNTHP) and
// Secure physical (CNTPS) timers with their CTL/CVAL/TVAL registers, the compare logic and the
// level PPIs they drive (30, 27, 26, 29). Plain C++ with explicit times; timer_module.h
// schedules it under SystemC. It lives in sim/gic for now (it only talks to the GIC); it may
// move to sim/core/timer. Facts: ../shared/reference/armv8-gicv3-mmu.md section 4.
//
// Not modelled: CNTKCTL_EL1 / CNTHCTL_EL2 access gating, the VHE (E2H) redirection of CNTP/CNTV
// to the EL2 timers, the NS EL2 virtual timer (CNTHV, PPI 28) and the Secure EL2 timers
// (CNTHPS, CNTHVS, PPIs 20 and 19): an S-EL2 access to CNTHP_* reaches the NS EL2 timer here.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "sim/core/types.h"
#include "sim/gic/gic_state.h"
#include "sim/gic/icc_sysregs.h"

namespace ffasim::sim::gic {

enum class TimerId : uint8_t { CNTP = 0, CNTV = 1, CNTHP = 2, CNTPS = 3 };
inline constexpr unsigned kTimerCount = 4;
// INTIDs of the timers' PPIs (Arm BSA, QEMU bsa.h).
constexpr uint32_t timer_intid(TimerId t) {
  constexpr uint32_t ids[kTimerCount] = {30, 27, 26, 29};
  return ids[unsigned(t)];
}

// CNTx_CTL: ENABLE [0], IMASK [1], ISTATUS [2] (read-only).
namespace cnt_ctl {
inline constexpr uint64_t ENABLE = 1, IMASK = 2, ISTATUS = 4;
}

inline constexpr Picos kNever = std::numeric_limits<Picos>::max();

// The system counter at time `t` for a `hz` counter, and the earliest time it reads `count`.
uint64_t counter_at(Picos t, uint64_t hz);
Picos time_of_count(uint64_t count, uint64_t hz);

struct TimerRegs {
  uint64_t ctl = 0;   // ENABLE and IMASK as written
  uint64_t cval = 0;  // CNTx_CVAL
  Picos written = 0;  // model: when a register of this timer last changed
};
struct GenericTimerPeState {
  uint64_t cntfrq_el0 = 0;
  uint64_t cntvoff_el2 = 0;
  std::array<TimerRegs, kTimerCount> timer{};
  std::array<bool, kTimerCount> output{};  // derived: the level on each timer's PPI
};

// The timer registers as a table (encodings as TF-A / Linux / gem5 spell them).
enum class TimerField : uint8_t { FRQ, PCT, VCT, CTL, CVAL, TVAL, VOFF };
struct TimerReg {
  std::string_view name;
  uint8_t op0, op1, crn, crm, op2;
  TimerField field;
  TimerId timer;  // for CTL / CVAL / TVAL
};
std::span<const TimerReg> timer_registers();
const TimerReg* find_timer_register(std::string_view name);

class GenericTimer {
 public:
  // Called when a timer's PPI changes level, with the exact time of the change.
  using PpiSink = std::function<void(PeId pe, uint32_t intid, bool level, Picos at)>;

  GenericTimer(unsigned num_pe, uint64_t frequency_hz);

  void on_ppi(PpiSink sink) { sink_ = std::move(sink); }
  // Called after any register write (timer_module.h reschedules its wake-up).
  void on_change(std::function<void()> f) { changed_ = std::move(f); }
  uint64_t frequency_hz() const { return hz_; }
  const GenericTimerPeState& state(PeId pe) const { return pes_.at(pe); }

  uint64_t cntpct(Picos now) const { return counter_at(now, hz_); }
  uint64_t cntvct(PeId pe, Picos now) const { return cntpct(now) - pes_.at(pe).cntvoff_el2; }
  uint64_t read_ctl(PeId pe, TimerId t, Picos now) const;  // ISTATUS = ENABLE and condition met
  uint64_t read_cval(PeId pe, TimerId t) const { return pes_.at(pe).timer[unsigned(t)].cval; }
  uint64_t read_tval(PeId pe, TimerId t, Picos now) const;  // (CVAL - count) as 32 bits
  void write_ctl(PeId pe, TimerId t, uint64_t v, Picos now);
  void write_cval(PeId pe, TimerId t, uint64_t v, Picos now);
  void write_tval(PeId pe, TimerId t, uint64_t v, Picos now);  // CVAL = count + SignExtend(TVAL)
  void write_cntvoff(PeId pe, uint64_t v, Picos now);
  void write_cntfrq(PeId pe, uint64_t v) { pes_.at(pe).cntfrq_el0 = v; }

  // MRS/MSR through the table. CNTFRQ_EL0 is writable at EL3 only; CNTPS_* needs EL3 or Secure
  // EL1/EL2 with SCR_EL3.ST = 1 (else Undefined from NS, TrapEl3 from Secure); CNTHP_* and
  // CNTVOFF_EL2 need EL2; the counters are read-only.
  SysregAccess sysreg_read(PeId pe, const TimerReg& r, const PeInputs& in, uint64_t& v, Picos now);
  SysregAccess sysreg_write(PeId pe, const TimerReg& r, const PeInputs& in, uint64_t v, Picos now);

  // Re-evaluates every output at `now`; a rise caused by the counter reaching CVAL is reported
  // at the exact time it happened (never before the timer's last register write).
  void advance(Picos now);
  // The earliest time after `now` at which an output rises with no register write (kNever).
  Picos next_event(Picos now) const;

 private:
  Picos deadline(PeId pe, TimerId t) const;  // when the compare condition becomes true
  void evaluate(PeId pe, TimerId t, Picos now);
  void written(PeId pe, TimerId t, Picos now);

  uint64_t hz_;
  std::vector<GenericTimerPeState> pes_;
  Picos last_ = 0;  // the latest time the outputs were evaluated at
  PpiSink sink_;
  std::function<void()> changed_;
};

}  // namespace ffasim::sim::gic
