#include "sim/core/pe.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace ffasim::sim {

using sc_core::sc_time;

Pe::Pe(sc_core::sc_module_name name, PeId id, uint64_t mpidr, const CoreTiming& timing,
       Tracer& tracer, Picos quantum)
    : sc_module(name), socket("socket"), id_(id), timing_(timing), tracer_(tracer),
      quantum_(quantum), period_ps_(timing.period_ps()) {
  state_.mpidr_el1 = mpidr;
  gp_.set_extension(new Sideband);  // owned by the payload
  SC_HAS_PROCESS(Pe);
  SC_THREAD(run);
}

ArgRegs Pe::args() const {
  ArgRegs r;
  for (size_t i = 0; i < r.size(); ++i) r[i] = state_.x[i];
  return r;
}

void Pe::set_args(const ArgRegs& r) {
  for (size_t i = 0; i < r.size(); ++i) state_.x[i] = r[i];
}

Picos Pe::now() const { return sc_core::sc_time_stamp().value() + offset_; }

void Pe::charge_ps(Cost c, Picos ps) {
  offset_ += ps;
  bind_counters();
  component_counters_[cur_component_] += ps;
  cost_counters_[size_t(c)] += ps;
}

void Pe::charge(Cost c, double cycles) {
  if (cycles <= 0) return;
  charge_ps(c, Picos(cycles * period_ps_ + 0.5));  // round to the nearest picosecond
}

namespace {
[[noreturn]] void sysreg_failure(const Pe& pe, const char* op, uint32_t enc, SysregResult r) {
  static const char* kWhy[] = {"ok", "UNDEFINED", "trapped to EL2", "trapped to EL3", "no such register"};
  char b[160];
  std::snprintf(b, sizeof b, "%s: %s S%u_%u_C%u_C%u_%u at %s: %s", pe.name(), op, enc >> 14 & 3,
                enc >> 11 & 7, enc >> 7 & 15, enc >> 3 & 15, enc & 7,
                name(pe.el(), pe.security()), kWhy[int(r)]);
  throw std::logic_error(b);
}
}  // namespace

uint64_t Pe::mrs(uint32_t encoding) {
  uint64_t v = 0;
  const SysregResult r = sysreg_bus_ ? sysreg_bus_->read(*this, encoding, v) : SysregResult::NotMine;
  if (r != SysregResult::Ok) sysreg_failure(*this, "MRS", encoding, r);
  return v;
}

void Pe::msr(uint32_t encoding, uint64_t value) {
  const SysregResult r = sysreg_bus_ ? sysreg_bus_->write(*this, encoding, value) : SysregResult::NotMine;
  if (r != SysregResult::Ok) sysreg_failure(*this, "MSR", encoding, r);
}

void Pe::sync() {
  if (offset_ == 0) return;
  const Picos d = offset_;
  offset_ = 0;
  wait(sc_time::from_value(d));
}

bool Pe::transact(tlm::tlm_command cmd, uint64_t pa, unsigned char* data, size_t n, Security pas) {
  Sideband* sb = nullptr;
  gp_.get_extension(sb);
  sb->security = pas;
  sb->el = el();
  sb->pe = id_;
  gp_.set_command(cmd);
  gp_.set_address(pa);
  gp_.set_data_ptr(data);
  gp_.set_data_length(unsigned(n));
  gp_.set_streaming_width(unsigned(n));
  gp_.set_byte_enable_ptr(nullptr);
  gp_.set_dmi_allowed(false);
  gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time delay = sc_core::SC_ZERO_TIME;
  socket->b_transport(gp_, delay);
  charge_ps(Cost::Memory, delay.value());
  return gp_.is_response_ok();
}

bool Pe::mem_read(uint64_t pa, void* dst, size_t n, Security pas) {
  return transact(tlm::TLM_READ_COMMAND, pa, static_cast<unsigned char*>(dst), n, pas);
}

bool Pe::mem_write(uint64_t pa, const void* src, size_t n, Security pas) {
  // The payload's data pointer is not const; a write command only reads through it.
  return transact(tlm::TLM_WRITE_COMMAND, pa, const_cast<unsigned char*>(static_cast<const unsigned char*>(src)), n, pas);
}

void Pe::power_on(Picos at) {
  power_at_ = power_flag_ ? std::min(power_at_, at) : at;
  power_flag_ = true;
  const Picos t = sc_core::sc_time_stamp().value();
  power_ev_.notify(sc_time::from_value(at > t ? at - t : 0));
}

void Pe::wake(Picos at) {
  wake_at_ = wake_flag_ ? std::min(wake_at_, at) : at;
  wake_flag_ = true;
  const Picos t = sc_core::sc_time_stamp().value();
  wake_ev_.notify(sc_time::from_value(at > t ? at - t : 0));
}

void Pe::wait_event(sc_core::sc_event& ev, bool& flag, const Picos& at) {
  sync();
  const Picos before = now();
  switch_to(0, "idle");
  while (!flag) wait(ev);
  flag = false;
  // The request may have been made ahead of time (or before this PE waited): honour its time.
  if (at > now()) wait(sc_time::from_value(at - now()));
  const Picos after = now();
  tracer_.charge(id_, 0, Cost::Idle, after - before);
}

void Pe::switch_to(ComponentId c, const char* track) {
  if (c == cur_component_ && track == cur_track_) return;
  if (tracer_.tracing()) {
    const Picos t = now();
    if (cur_track_[0] != 'i') tracer_.segment(id_, cur_track_, cur_component_, seg_start_, t);
    seg_start_ = t;
  }
  cur_component_ = c;
  cur_track_ = track;
}

void Pe::set_line(Interrupt kind, bool level) {
  if (line_[int(kind)] == level) return;
  line_[int(kind)] = level;
  line_ev_.notify(sc_core::SC_ZERO_TIME);
  if (level) wake(sc_core::sc_time_stamp().value());  // a pending interrupt ends WFI, masked or not
}

// Physical FIQ, IRQ, then virtual FIQ, IRQ (QEMU's order when several are pending). Taken only
// where the routing rules say it is taken now; otherwise it stays pending.
bool Pe::take_pending_interrupt() {
  static constexpr Interrupt kOrder[] = {Interrupt::FIQ, Interrupt::IRQ};
  for (Interrupt k : kOrder) {
    if (!line_[int(k)]) continue;
    const InterruptRouting r = route_interrupt(state_, k);
    if (!r.taken_now) continue;
    if (!mark_.valid) {
      bind_counters();
      mark_.valid = true;
      mark_.at = now();
      mark_.counters.assign(component_counters_, component_counters_ + tracer_.components().size());
    }
    take_exception(r.target, k == Interrupt::FIQ ? ExceptionKind::FIQ : ExceptionKind::IRQ, 0, false);
    ++interrupts_;
    return true;
  }
  // Virtual interrupts: EL1/EL0 with EL2 enabled, IMO/FMO set and TGE clear; masked by PSTATE.
  const El el = state_.pstate.el;
  if (int(el) > int(El::EL1)) return false;
  const uint64_t h = effective_hcr(state_, current_security(state_));
  if (h & hcr::TGE) return false;
  const uint8_t daif = el == El::EL1 || el == El::EL0 ? state_.pstate.daif : 0xF;
  if ((h & hcr::FMO) && (h & hcr::VF) && !(daif & daif::F)) {
    take_exception(El::EL1, ExceptionKind::FIQ, 0, false);
  } else if ((h & hcr::IMO) && (h & hcr::VI) && !(daif & daif::I)) {
    take_exception(El::EL1, ExceptionKind::IRQ, 0, false);
  } else {
    return false;
  }
  ++interrupts_;
  return true;
}

// A context's work, cut short if an interrupt is taken during it: the remainder and the
// instruction wait in the context (ExecContext::interrupted). True if an exception was taken.
bool Pe::work(const Step& s, ExecContext* from) {
  if (!lines_enabled_ || !from || !precise_) {
    charge(Cost::Work, s.cycles);
    return false;
  }
  sync();
  double left = s.cycles;
  while (left > 0) {
    if (take_pending_interrupt()) {
      from->interrupted = {true, left, s.insn, s.imm};
      return true;
    }
    const Picos dur = Picos(left * period_ps_ + 0.5);
    const Picos start = now();
    wait(sc_time::from_value(dur), line_ev_);
    const Picos spent = now() - start;
    bind_counters();
    component_counters_[cur_component_] += spent;  // time already passed: attribute it only
    cost_counters_[size_t(Cost::Work)] += spent;
    left = spent >= dur ? 0 : left - double(spent) / period_ps_;
  }
  return false;
}

void Pe::close_segment() {
  if (!tracer_.tracing()) return;
  const Picos t = now();
  if (cur_track_[0] != 'i') tracer_.segment(id_, cur_track_, cur_component_, seg_start_, t);
  seg_start_ = t;
}

void Pe::take_exception(El target, ExceptionKind kind, uint32_t esr, bool return_to_next) {
  const int t = index(target);
  state_.spsr_el[t] = state_.pstate.to_spsr();
  state_.elr_el[t] = state_.pc + (return_to_next ? 4 : 0);
  if (kind == ExceptionKind::Sync) state_.esr_el[t] = esr;
  exc_ = {kind, state_.pstate.el, current_security(state_), esr, false};
  state_.pstate.el = target;
  state_.pstate.sp_sel = true;
  state_.pstate.daif = 0xF;
  pending_ = true;
  ++exceptions_;
  if (state_hook_) state_hook_(*this);
}

void Pe::execute(const Step& s, ExecContext* from) {
  switch (s.insn) {
    case Insn::SMC:
    case Insn::HVC:
    case Insn::SVC: {
      const Routing r = s.insn == Insn::SMC   ? route_smc(state_, s.imm)
                        : s.insn == Insn::HVC ? route_hvc(state_, s.imm)
                                              : route_svc(state_, s.imm);
      if (from && from->endpoint >= 0 && r.outcome == Outcome::Taken)
        tracer_.open(*from, id_, now(), args());
      take_exception(r.target, ExceptionKind::Sync, r.esr, r.return_to_next);
      break;
    }
    case Insn::ERET: {
      const El cur = state_.pstate.el;
      const EretTarget t = eret_target(state_);
      if (!t.legal)
        throw std::logic_error(std::string(name()) + ": illegal ERET from " +
                               sim::name(cur, current_security(state_)) + " (SPSR_" +
                               sim::name(cur) + " = " + std::to_string(state_.spsr_el[index(cur)]) + ")");
      charge(Cost::ExceptionReturn, timing_.eret_cycles);
      state_.pstate = Pstate::from_spsr(state_.spsr_el[index(cur)]);
      state_.pc = state_.elr_el[index(cur)];
      if (state_hook_) state_hook_(*this);
      break;
    }
    case Insn::WFI:
      in_wfi_ = true;
      wait_event(wake_ev_, wake_flag_, wake_at_);
      in_wfi_ = false;
      break;
    case Insn::OFF:
      on_ = false;
      break;
  }
}

// A model error (a bug, or a configuration the models cannot run) must not vanish inside the
// SystemC kernel: it is handed to the platform, which stops the simulation and rethrows it.
void Pe::run() {
  try {
    run_loop();
  } catch (...) {
    if (!error_sink_) throw;
    if (!*error_sink_) *error_sink_ = std::current_exception();
    sc_core::sc_pause();
  }
}

void Pe::run_loop() {
  for (;;) {
    if (!on_) {
      wait_event(power_ev_, power_flag_, power_at_);
      on_ = true;
      state_.pstate = Pstate{};  // EL3h, all masked
      exc_ = {ExceptionKind::Reset, El::EL3, Security::Secure, 0, booted_};
      booted_ = true;
      pending_ = true;
    }
    const El el = state_.pstate.el;
    const Security sec = current_security(state_);
    Step s;
    ExecContext* from = nullptr;
    if (pending_) {
      pending_ = false;
      ExceptionHandler* h = handler_[index(sec)][index(el)];
      if (!h)
        throw std::logic_error(std::string(name()) + ": no firmware at " + sim::name(el, sec) +
                               " to take an exception (ESR " + std::to_string(exc_.esr) + ")");
      switch_to(h->component, sim::name(el, sec));
      if (exc_.kind != ExceptionKind::Reset) charge(Cost::ExceptionEntry, timing_.exception_entry_cycles);
      s = h->take(*this, exc_);
    } else {
      if (lines_enabled_ && take_pending_interrupt()) continue;
      ExecContext* c = ctx_[index(sec)][index(el)];
      if (!c)
        throw std::logic_error(std::string(name()) + ": nothing to run at " + sim::name(el, sec));
      switch_to(c->component, sim::name(el, sec));
      from = c;
      if (c->interrupted.valid) {  // finish what an interrupt cut short
        s = Step{c->interrupted.cycles, c->interrupted.insn, c->interrupted.imm};
        c->interrupted.valid = false;
      } else {
        if (c->endpoint >= 0) tracer_.on_resume(*c, id_, now(), args());
        s = c->resume(*this);
      }
    }
    if (s.cycles > 0 && work(s, from)) continue;
    execute(s, from);
    if (offset_ >= quantum_) sync();
  }
}

}  // namespace ffasim::sim
