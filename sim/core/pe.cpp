#include "sim/core/pe.h"

#include <algorithm>
#include <cmath>
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
  if (!component_counters_) {  // components are all registered before the simulation runs
    component_counters_ = tracer_.component_counters(id_);
    cost_counters_ = tracer_.cost_counters(id_);
  }
  component_counters_[cur_component_] += ps;
  cost_counters_[size_t(c)] += ps;
}

void Pe::charge(Cost c, double cycles) {
  if (cycles <= 0) return;
  charge_ps(c, Picos(cycles * period_ps_ + 0.5));  // round to the nearest picosecond
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
      ExecContext* c = ctx_[index(sec)][index(el)];
      if (!c)
        throw std::logic_error(std::string(name()) + ": nothing to run at " + sim::name(el, sec));
      switch_to(c->component, sim::name(el, sec));
      if (c->endpoint >= 0) tracer_.on_resume(*c, id_, now(), args());
      from = c;
      s = c->resume(*this);
    }
    if (s.cycles > 0) charge(Cost::Work, s.cycles);
    execute(s, from);
    if (offset_ >= quantum_) sync();
  }
}

}  // namespace ffasim::sim
