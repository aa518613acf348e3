#include "sim/gic/generic_timer.h"

#include <algorithm>
#include <stdexcept>

#include "sim/core/pe_state.h"

namespace ffasim::sim::gic {

namespace {
constexpr unsigned __int128 kPsPerSecond = 1000000000000ull;
}

uint64_t counter_at(Picos t, uint64_t hz) {
  return uint64_t((unsigned __int128)t * hz / kPsPerSecond);
}

Picos time_of_count(uint64_t count, uint64_t hz) {
  const unsigned __int128 ps = ((unsigned __int128)count * kPsPerSecond + hz - 1) / hz;
  return ps > kNever ? kNever : Picos(ps);
}

namespace {
using F = TimerField;
constexpr TimerId P = TimerId::CNTP, V = TimerId::CNTV, HP = TimerId::CNTHP, PS = TimerId::CNTPS;
const TimerReg kTimerRegs[] = {
    {"CNTFRQ_EL0", 3, 3, 14, 0, 0, F::FRQ, P},
    {"CNTPCT_EL0", 3, 3, 14, 0, 1, F::PCT, P},
    {"CNTVCT_EL0", 3, 3, 14, 0, 2, F::VCT, P},
    {"CNTVOFF_EL2", 3, 4, 14, 0, 3, F::VOFF, P},
    {"CNTP_TVAL_EL0", 3, 3, 14, 2, 0, F::TVAL, P},
    {"CNTP_CTL_EL0", 3, 3, 14, 2, 1, F::CTL, P},
    {"CNTP_CVAL_EL0", 3, 3, 14, 2, 2, F::CVAL, P},
    {"CNTV_TVAL_EL0", 3, 3, 14, 3, 0, F::TVAL, V},
    {"CNTV_CTL_EL0", 3, 3, 14, 3, 1, F::CTL, V},
    {"CNTV_CVAL_EL0", 3, 3, 14, 3, 2, F::CVAL, V},
    {"CNTHP_TVAL_EL2", 3, 4, 14, 2, 0, F::TVAL, HP},
    {"CNTHP_CTL_EL2", 3, 4, 14, 2, 1, F::CTL, HP},
    {"CNTHP_CVAL_EL2", 3, 4, 14, 2, 2, F::CVAL, HP},
    {"CNTPS_TVAL_EL1", 3, 7, 14, 2, 0, F::TVAL, PS},
    {"CNTPS_CTL_EL1", 3, 7, 14, 2, 1, F::CTL, PS},
    {"CNTPS_CVAL_EL1", 3, 7, 14, 2, 2, F::CVAL, PS},
};
}  // namespace

std::span<const TimerReg> timer_registers() { return kTimerRegs; }

const TimerReg* find_timer_register(std::string_view name) {
  for (const TimerReg& r : kTimerRegs)
    if (r.name == name) return &r;
  return nullptr;
}

GenericTimer::GenericTimer(unsigned num_pe, uint64_t frequency_hz)
    : hz_(frequency_hz), pes_(num_pe) {
  if (frequency_hz == 0) throw std::invalid_argument("generic timer: frequency must be positive");
  for (auto& p : pes_) p.cntfrq_el0 = frequency_hz;  // QEMU: reset to the counter frequency
}

Picos GenericTimer::deadline(PeId pe, TimerId t) const {
  const GenericTimerPeState& p = pes_.at(pe);
  const unsigned __int128 target =
      (unsigned __int128)p.timer[unsigned(t)].cval + (t == TimerId::CNTV ? p.cntvoff_el2 : 0);
  if (target > ~uint64_t(0)) return kNever;
  return time_of_count(uint64_t(target), hz_);
}

uint64_t GenericTimer::read_ctl(PeId pe, TimerId t, Picos now) const {
  const TimerRegs& r = pes_.at(pe).timer[unsigned(t)];
  const bool met = (r.ctl & cnt_ctl::ENABLE) && deadline(pe, t) <= now;
  return (r.ctl & (cnt_ctl::ENABLE | cnt_ctl::IMASK)) | (met ? cnt_ctl::ISTATUS : 0);
}

uint64_t GenericTimer::read_tval(PeId pe, TimerId t, Picos now) const {
  const uint64_t count = t == TimerId::CNTV ? cntvct(pe, now) : cntpct(now);
  return uint32_t(read_cval(pe, t) - count);
}

void GenericTimer::evaluate(PeId pe, TimerId t, Picos now) {
  GenericTimerPeState& p = pes_[pe];
  const TimerRegs& r = p.timer[unsigned(t)];
  const Picos due = deadline(pe, t);
  const bool level = (r.ctl & cnt_ctl::ENABLE) && !(r.ctl & cnt_ctl::IMASK) && due <= now;
  bool& out = p.output[unsigned(t)];
  if (level == out) return;
  out = level;
  // A rise from the counter passing CVAL happened at the deadline, unless a write since made it.
  const Picos at = level ? std::max(due, r.written) : now;
  if (sink_) sink_(pe, timer_intid(t), level, at);
}

void GenericTimer::advance(Picos now) {
  now = std::max(now, last_);
  last_ = now;
  for (PeId pe = 0; pe < pes_.size(); ++pe)
    for (unsigned t = 0; t < kTimerCount; ++t) evaluate(pe, TimerId(t), now);
}

Picos GenericTimer::next_event(Picos now) const {
  now = std::max(now, last_);
  Picos best = kNever;
  for (PeId pe = 0; pe < pes_.size(); ++pe)
    for (unsigned t = 0; t < kTimerCount; ++t) {
      const TimerRegs& r = pes_[pe].timer[t];
      if (!(r.ctl & cnt_ctl::ENABLE) || (r.ctl & cnt_ctl::IMASK)) continue;
      const Picos d = deadline(pe, TimerId(t));
      if (d > now) best = std::min(best, d);
    }
  return best;
}

void GenericTimer::written(PeId pe, TimerId t, Picos now) {
  now = std::max(now, last_);
  pes_[pe].timer[unsigned(t)].written = now;
  advance(now);
  if (changed_) changed_();
}

void GenericTimer::write_ctl(PeId pe, TimerId t, uint64_t v, Picos now) {
  pes_.at(pe).timer[unsigned(t)].ctl = v & (cnt_ctl::ENABLE | cnt_ctl::IMASK);
  written(pe, t, now);
}

void GenericTimer::write_cval(PeId pe, TimerId t, uint64_t v, Picos now) {
  pes_.at(pe).timer[unsigned(t)].cval = v;
  written(pe, t, now);
}

void GenericTimer::write_tval(PeId pe, TimerId t, uint64_t v, Picos now) {
  const uint64_t count = t == TimerId::CNTV ? cntvct(pe, now) : cntpct(now);
  pes_.at(pe).timer[unsigned(t)].cval = count + uint64_t(int64_t(int32_t(uint32_t(v))));
  written(pe, t, now);
}

void GenericTimer::write_cntvoff(PeId pe, uint64_t v, Picos now) {
  pes_.at(pe).cntvoff_el2 = v;
  written(pe, TimerId::CNTV, now);
}

// ---------------------------------------------------------------------------------------------
// System register access

static SysregAccess timer_access(const TimerReg& r, const PeInputs& in, bool write) {
  const bool secure = in.el == El::EL3 || !(in.scr_el3 & scr::NS);
  if (r.field == F::PCT || r.field == F::VCT) return write ? SysregAccess::Undefined : SysregAccess::Ok;
  if (r.field == F::FRQ) return (write && in.el != El::EL3) ? SysregAccess::Undefined : SysregAccess::Ok;
  if (r.field == F::VOFF || r.timer == TimerId::CNTHP)
    return int(in.el) >= 2 ? SysregAccess::Ok : SysregAccess::Undefined;
  if (r.timer == TimerId::CNTPS) {
    if (in.el == El::EL3) return SysregAccess::Ok;
    if (!secure || in.el == El::EL0) return SysregAccess::Undefined;
    return (in.scr_el3 & scr::ST) ? SysregAccess::Ok : SysregAccess::TrapEl3;
  }
  return SysregAccess::Ok;  // CNTP_* / CNTV_* (CNTKCTL_EL1 gating of EL0 not modelled)
}

SysregAccess GenericTimer::sysreg_read(PeId pe, const TimerReg& r, const PeInputs& in,
                                       uint64_t& v, Picos now) {
  const SysregAccess a = timer_access(r, in, false);
  if (a != SysregAccess::Ok) return a;
  switch (r.field) {
    case F::FRQ: v = pes_.at(pe).cntfrq_el0; break;
    case F::PCT: v = cntpct(now); break;
    case F::VCT: v = cntvct(pe, now); break;
    case F::VOFF: v = pes_.at(pe).cntvoff_el2; break;
    case F::CTL: v = read_ctl(pe, r.timer, now); break;
    case F::CVAL: v = read_cval(pe, r.timer); break;
    case F::TVAL: v = read_tval(pe, r.timer, now); break;
  }
  return a;
}

SysregAccess GenericTimer::sysreg_write(PeId pe, const TimerReg& r, const PeInputs& in,
                                        uint64_t v, Picos now) {
  const SysregAccess a = timer_access(r, in, true);
  if (a != SysregAccess::Ok) return a;
  switch (r.field) {
    case F::FRQ: write_cntfrq(pe, v); break;
    case F::VOFF: write_cntvoff(pe, v, now); break;
    case F::CTL: write_ctl(pe, r.timer, v, now); break;
    case F::CVAL: write_cval(pe, r.timer, v, now); break;
    case F::TVAL: write_tval(pe, r.timer, v, now); break;
    default: break;
  }
  return a;
}

}  // namespace ffasim::sim::gic
