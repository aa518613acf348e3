// Interrupt management (../shared/reference/ffa-abi.md section 5.3): a non-secure interrupt that
// arrives while an SP runs traps to S-EL2 as a physical FIQ (HCR_EL2.FMO; Group 1 Non-secure is
// signalled as FIQ in Secure state), and the SP manifest's ns-interrupts-action decides:
//   queued (0)    the SPMC keeps NS interrupts masked with ICC_PMR_EL1 while the SP runs, so this
//                 trap never happens; the interrupt fires in the normal world after the SP is done;
//   managed exit  the SPMC masks NS interrupts (PMR), injects the managed-exit virtual interrupt
//   (1)           (vFIQ, or vIRQ with managed-exit-virq) and resumes the SP, which finishes its
//                 request early; PMR is restored when the SP answers (reaches WAITING);
//   signaled (2)  the vCPU becomes PREEMPTED and FFA_INTERRUPT (w1 = SP ID << 16 | vCPU) goes to
//                 the normal world, which resumes it with FFA_RUN; direct requests to it get BUSY.
// Physical secure interrupts (IRQ at S-EL2) and Group 0 are not modelled yet: one error line.
#include "models/spmc/spmc_impl.h"
#include "sim/gic/sysreg_bus.h"

namespace ffasim::spmc {

using sim::El;
using sim::Insn;
using sim::Security;
using sim::Step;

namespace {
// ICC_PMR_EL1 as written from Secure state: 0x80 masks every Non-secure priority (0x80-0xFF in
// the Secure view), leaving the secure ones (Hafnium's plat_interrupts_set_priority_mask).
constexpr uint64_t kPmrMaskNs = 0x80;
uint32_t pmr_encoding() {
  static const uint32_t e = sim::gic::sysreg_encoding("ICC_PMR_EL1");
  return e;
}
}  // namespace

Step Spmc::Impl::physical_interrupt(sim::Pe& pe, const sim::ExceptionInfo& e) {
  SpmcPeState& ps = pes[pe.id()];
  Vcpu* v = ps.current;
  insns(pe, sim::Cost::Dispatch, t.vector_insns + t.ns_interrupt_insns);
  if (!v || e.kind != sim::ExceptionKind::FIQ) {
    errors.push_back("PE" + std::to_string(pe.id()) + ": a " + (e.kind == sim::ExceptionKind::IRQ ? "secure (IRQ)" : "FIQ") +
                     " interrupt at S-EL2 " + (v ? "while an SP ran" : "with no SP running") +
                     ": secure interrupt handling is not modelled");
    return v ? resume_vcpu(pe, v) : smc_to_spmd(pe, ffa::error(ffa::Error::NOT_SUPPORTED));
  }
  // The vCPU's registers and PSTATE are saved as for any trap.
  insns(pe, sim::Cost::SaveRestore, t.gprs * platform.core_timing().gpr_save_insns_per_reg);
  v->gprs = pe.state().x;
  v->spsr = pe.state().spsr_el[2];
  switch (v->partition->manifest.ns_interrupts_action) {
    case NsInterruptsAction::ManagedExit:
      if (!v->me_pending) {
        insns(pe, sim::Cost::Dispatch, t.virq_inject_insns);
        v->me_pending = true;
        mask_ns_interrupts(pe);
        ++stats.managed_exits;
      }
      return resume_vcpu(pe, v);
    case NsInterruptsAction::Queued:
      // The PMR should have kept it out; it came in before the mask took effect: mask it now.
      mask_ns_interrupts(pe);
      return resume_vcpu(pe, v);
    case NsInterruptsAction::Signaled:
      break;
  }
  insns(pe, sim::Cost::Dispatch, t.preempt_insns);
  v->state = VcpuState::PREEMPTED;
  v->preempted_at = pe.now();
  {
    sim::Tracer& tr = platform.tracer();
    const sim::Picos* cur = tr.component_counters(pe.id());
    v->preempted_counters.assign(cur, cur + tr.components().size());
  }
  ++stats.preemptions;
  return smc_to_spmd(pe, ffa::regs(ffa::fid(ffa::Abi::INTERRUPT),
                                   (uint64_t(v->partition->id.value) << 16) | v->index));
}

// ERET into a vCPU exactly where it was stopped: every register and its PSTATE as saved.
Step Spmc::Impl::resume_vcpu(sim::Pe& pe, Vcpu* v) {
  if (v->preempted_at >= 0) {
    // What ran meanwhile, when the vCPU resumes on the PE it was preempted on.
    sim::Tracer& tr = platform.tracer();
    std::vector<std::pair<sim::ComponentId, sim::Picos>> parts;
    if (v->pe == int(pe.id())) {
      const sim::Picos* cur = tr.component_counters(pe.id());
      for (size_t c = 0; c < v->preempted_counters.size(); ++c)
        if (cur[c] > v->preempted_counters[c]) parts.push_back({sim::ComponentId(c), cur[c] - v->preempted_counters[c]});
    }
    tr.record(preempted_key, -1, v->partition->id.value, pe.id(), v->preempted_at, pe.now(), parts);
    v->preempted_at = -1;
  }
  sim::ArgRegs regs;
  for (size_t i = 0; i < regs.size(); ++i) regs[i] = v->gprs[i];
  const Step s = enter_vcpu(pe, v, regs);
  pe.state().x = v->gprs;
  pe.state().spsr_el[2] = v->spsr;
  return s;
}

// Hafnium masks Non-secure interrupts with the priority mask while a managed exit is in
// progress, or while an SP with the queued action runs; the normal world's PMR comes back when
// the SPMC leaves the secure world (unmask_ns_interrupts).
void Spmc::Impl::mask_ns_interrupts(sim::Pe& pe) {
  SpmcPeState& ps = pes[pe.id()];
  if (ps.ns_masked || !pe.has_sysreg_bus()) return;
  ps.saved_pmr = pe.mrs(pmr_encoding());
  pe.msr(pmr_encoding(), kPmrMaskNs);
  ps.ns_masked = true;
}

void Spmc::Impl::unmask_ns_interrupts(sim::Pe& pe) {
  SpmcPeState& ps = pes[pe.id()];
  if (!ps.ns_masked) return;
  pe.msr(pmr_encoding(), ps.saved_pmr);
  ps.ns_masked = false;
}

}  // namespace ffasim::spmc
