// The normal world's interrupt side: Linux's GICv3 CPU-interface setup on each PE
// (drivers/irqchip/irq-gic-v3.c gic_cpu_sys_reg_init), its arch timer in one-shot mode
// (drivers/clocksource/arm_arch_timer.c, the EL1 virtual timer), and the IRQ vector at NS-EL1
// (el1h_64_irq -> gic_handle_irq: acknowledge with ICC_IAR1_EL1, handle, ICC_EOIR1_EL1 with
// EOImode 0, return). Facts: ../shared/reference/armv8-gicv3-mmu.md sections 2.6, 2.10, 4.
#include <cmath>

#include "models/nwd_driver/nwd_internal.h"
#include "sim/gic/generic_timer.h"
#include "sim/gic/sysreg_bus.h"

namespace ffasim::nwd::detail {

namespace {
using sim::gic::sysreg_encoding;
struct Regs {
  uint32_t iar1 = sysreg_encoding("ICC_IAR1_EL1"), eoir1 = sysreg_encoding("ICC_EOIR1_EL1");
  uint32_t pmr = sysreg_encoding("ICC_PMR_EL1"), bpr1 = sysreg_encoding("ICC_BPR1_EL1");
  uint32_t ctlr = sysreg_encoding("ICC_CTLR_EL1"), igrpen1 = sysreg_encoding("ICC_IGRPEN1_EL1");
  uint32_t cntfrq = sysreg_encoding("CNTFRQ_EL0"), cntvct = sysreg_encoding("CNTVCT_EL0");
  uint32_t cntv_ctl = sysreg_encoding("CNTV_CTL_EL0"), cntv_cval = sysreg_encoding("CNTV_CVAL_EL0");
};
const Regs& regs() {
  static const Regs r;
  return r;
}
constexpr uint64_t kPmrDefault = 0xF0;   // irq-gic-v3.c DEFAULT_PMR_VALUE
constexpr uint32_t kVirtTimerPpi = 27;   // the EL1 virtual timer's PPI (SBSA)
constexpr uint32_t kSpurious = 1023;
constexpr uint64_t kCtlEnable = 1;

uint64_t ticks(double ns, uint64_t hz) { return uint64_t(std::llround(ns * double(hz) / 1e9)); }
}  // namespace

// gic_cpu_sys_reg_init (PMR, BPR, EOImode 0, group 1 enable), then local_daif_restore: IRQ and
// FIQ unmasked at EL1 from here on. Then, on a timer PE, the first timer event is programmed.
void NwdThread::interrupts_init() {
  if (!k_.cfg.gic) return;
  sim::Pe& p = pe();
  const Regs& r = regs();
  spend_insns(k_.t.gic_cpu_init_insns);
  p.msr(r.pmr, kPmrDefault);
  p.msr(r.bpr1, 0);
  p.msr(r.ctlr, 0);
  p.msr(r.igrpen1, 1);
  p.state().pstate.daif = 0;
  TimerState& ts = k_.timers[index_];
  ts.hz = p.mrs(r.cntfrq);
  if (!ts.on) return;
  ts.period = ticks(k_.cfg.timer_period_ns, ts.hz);
  const uint64_t cval = p.mrs(r.cntvct) + ticks(k_.cfg.timer_start_ns + k_.cfg.timer_period_ns, ts.hz);
  p.msr(r.cntv_cval, cval);
  p.msr(r.cntv_ctl, kCtlEnable);
}

NwdIrqHandler::NwdIrqHandler(KernelState& k) : k_(k) {
  component = k.env.component;
  if (k.env.tracer) timer_key_ = k.env.tracer->operation_key("irq.timer");
}

sim::Step NwdIrqHandler::take(sim::Pe& pe, const sim::ExceptionInfo& e) {
  const Regs& r = regs();
  auto insns = [&pe](double n) { pe.charge(sim::Cost::Dispatch, pe.cycles_for_insns(n)); };
  if (e.kind != sim::ExceptionKind::IRQ) {
    k_.st.errors.push_back("PE" + std::to_string(pe.id()) + ": unexpected exception at NS-EL1 vector (" +
                           (e.kind == sim::ExceptionKind::FIQ ? "FIQ" : "synchronous") + ")");
    return {0, sim::Insn::OFF};
  }
  ++k_.st.irqs;
  insns(k_.t.irq_entry_insns);
  const uint32_t intid = uint32_t(pe.mrs(r.iar1) & 0xFFFFFF);
  const sim::Picos acknowledged = pe.now();  // where the latency spans end
  if (k_.env.tracer) {  // the PE's component counters at that moment
    const sim::Picos* cur = k_.env.tracer->component_counters(pe.id());
    ack_counters_.assign(cur, cur + k_.env.tracer->components().size());
  }
  if (intid == kSpurious) {  // withdrawn before the acknowledge
    ++k_.st.spurious_irqs;
    pe.clear_interrupt_mark();
    insns(k_.t.irq_exit_insns);
    return {0, sim::Insn::ERET};
  }
  if (intid == kVirtTimerPpi) timer_tick(pe, acknowledged);
  else k_.st.errors.push_back("PE" + std::to_string(pe.id()) + ": IRQ " + std::to_string(intid) + " has no handler");
  pe.clear_interrupt_mark();
  insns(k_.t.irq_handler_insns);
  pe.msr(r.eoir1, intid);
  insns(k_.t.irq_exit_insns);
  return {0, sim::Insn::ERET};
}

// arch_timer_handler_virt: the latency span, then the next event (or the timer off).
void NwdIrqHandler::timer_tick(sim::Pe& pe, sim::Picos acknowledged) {
  const Regs& r = regs();
  ++k_.st.timer_irqs;
  TimerState& ts = k_.timers[pe.id()];
  const uint64_t cval = pe.mrs(r.cntv_cval);
  const sim::Picos expired = sim::gic::time_of_count(cval, ts.hz);
  record_latency(pe, timer_key_, expired, acknowledged);
  if (++ts.served < k_.cfg.timer_ticks) pe.msr(r.cntv_cval, cval + ts.period);
  else pe.msr(r.cntv_ctl, 0);
}

// [asserted, now): pending until the PE took its first exception for it (the interrupt mark),
// then what each component of the PE did until this handler got the INTID.
void NwdIrqHandler::record_latency(sim::Pe& pe, uint64_t key, sim::Picos asserted, sim::Picos now) {
  sim::Tracer* tr = k_.env.tracer;
  if (!tr) return;
  const sim::Pe::InterruptMark& m = pe.interrupt_mark();
  std::vector<std::pair<sim::ComponentId, sim::Picos>> parts;
  const sim::Picos taken = m.valid && m.at >= asserted ? m.at : now;
  parts.push_back({k_.env.pending_component, taken - asserted});
  if (m.valid && m.at >= asserted) {
    for (size_t c = 0; c < m.counters.size() && c < ack_counters_.size(); ++c)
      if (ack_counters_[c] > m.counters[c]) parts.push_back({sim::ComponentId(c), ack_counters_[c] - m.counters[c]});
  }
  tr->record(key, -1, 0, pe.id(), asserted, now, parts);
}

}  // namespace ffasim::nwd::detail
