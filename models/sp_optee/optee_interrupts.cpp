// OP-TEE and the managed exit (../shared/reference/ffa-abi.md sections 5.3 and 7.3): the SPMC
// signals a Non-secure ("foreign") interrupt with a virtual FIQ. If a thread's TA work is running,
// OP-TEE suspends the thread (thread_state_suspend with the foreign-interrupt flag) and answers the
// direct request early with OPTEE_FFA_YIELDING_CALL_RETURN_INTERRUPT and w7 = the thread; the
// normal world serves its interrupt and sends YIELDING_CALL_RESUME(w7), which resumes the work
// where it stopped. Outside a thread (entry code, fast calls) foreign interrupts stay masked: the
// handler returns with PSTATE.F set and the SPMC ends the managed exit when the SP answers.
#include "models/sp_optee/optee_internal.h"
#include "sim/core/pe.h"

namespace ffasim::sp::optee_impl {

sim::Step OpteeVector::take(sim::Pe& pe, const sim::ExceptionInfo& e) {
  auto* v = dynamic_cast<OpteeVcpu*>(pe.context(sim::El::EL1, sim::Security::Secure));
  if (!v || e.kind != sim::ExceptionKind::FIQ)
    throw std::runtime_error("OP-TEE: unexpected exception at its S-EL1 vector on PE" + std::to_string(pe.id()));
  return v->foreign_interrupt(pe);
}

sim::Step OpteeVcpu::foreign_interrupt(sim::Pe& pe) {
  auto& st = pe.state();
  const double c = cycles(s_.t.foreign_intr_insns);
  if (running_thread_ < 0 || !interrupted.valid) {
    sim::Pstate ret = sim::Pstate::from_spsr(st.spsr_el[1]);
    ret.daif |= sim::daif::F;
    st.spsr_el[1] = ret.to_spsr();
    return {0, sim::Insn::ERET};
  }
  Thread& th = s_.threads[size_t(running_thread_)];
  th.by_interrupt = true;
  th.suspended = true;
  th.interrupted_cycles = interrupted.cycles;
  th.interrupted_call = pe.args();
  interrupted.valid = false;
  const ArgRegs& call = th.interrupted_call;  // the direct response the thread was about to send
  pe.set_args(ffa::regs(call[0], call[1], 0, 0, optee::RETURN_INTERRUPT, 0, 0, uint32_t(running_thread_)));
  running_thread_ = -1;
  return {c, s_.env.conduit == sim::Insn::HVC ? sim::Insn::HVC : sim::Insn::SMC};
}

}  // namespace ffasim::sp::optee_impl
