// CPU cycle management (FF-A chapter "CPU cycle management", Hafnium src/ffa/spmc/cpu_cycles.c):
// SP boot, FFA_MSG_WAIT, FFA_RUN and FFA_YIELD with the runtime-model rules of
// ../shared/reference/ffa-abi.md section 5.2.
#include "models/spmc/spmc_impl.h"

namespace ffasim::spmc {

using sim::Step;

// The SPMD entered the SPMC on this PE for the first time: cold boot on PE 0, the secondary
// entry elsewhere. Then the vCPUs of this PE initialise one by one, in boot order.
Step Spmc::Impl::boot(sim::Pe& pe) {
  SpmcPeState& ps = pes[pe.id()];
  ps.booted = true;
  insns(pe, sim::Cost::Work, pe.id() == 0 ? t.cold_boot_insns : t.secondary_boot_insns);
  // Secure EL2 settings for the SPs: trap their SMCs, stage 2 on, EL1 is AArch64.
  pe.state().hcr_el2 = sim::hcr::VM | sim::hcr::TSC | sim::hcr::RW;
  return boot_next(pe);
}

Step Spmc::Impl::boot_next(sim::Pe& pe) {
  SpmcPeState& ps = pes[pe.id()];
  while (ps.boot_next < ps.boot_queue.size()) {
    Vcpu* v = ps.boot_queue[ps.boot_next++];
    if (v->state != VcpuState::OFF) continue;
    v->state = VcpuState::RUNNING;
    v->rtm = RuntimeModel::SP_INIT;
    sim::ArgRegs entry{};
    // gp-register-num names the register holding the boot information (x0 by default).
    return enter_vcpu(pe, v, entry);
  }
  // Every vCPU of this PE is initialised: tell the SPMD (FFA_MSG_WAIT ends SPMC init).
  return smc_to_spmd(pe, ffa::regs(ffa::fid(ffa::Abi::MSG_WAIT)));
}

Vcpu* Spmc::Impl::vcpu_for_pe(Partition& p, unsigned pe) const {
  // MP partitions pin vCPU i to PE i; a UP partition's single vCPU migrates.
  if (!p.is_mp()) return p.vcpus[0].get();
  return pe < p.vcpus.size() ? p.vcpus[pe].get() : nullptr;
}

// FFA_MSG_WAIT from a vCPU: the end of its init, or of the cycles an FFA_RUN gave it.
// INVALID_PARAMETERS if x1 or x3-x7 are not zero; DENIED while it handles a direct request (it
// must answer with a response).
Action Spmc::Impl::msg_wait(Call& c) {
  Vcpu* v = c.caller.vcpu;
  insns(c.pe, sim::Cost::Dispatch, t.cpu_cycles_insns);
  if (c.a[1] || c.a[3] || c.a[4] || c.a[5] || c.a[6] || c.a[7])
    return reply_error(ffa::Error::INVALID_PARAMETERS);
  // v1.2: w2 bit0 asks to keep RX ownership; otherwise MSG_WAIT releases the RX buffer.
  if (!(v->partition->version.raw() >= ffa::kV1_2.raw() && (c.a[2] & 1)))
    v->partition->mailbox.rx_full = false;
  switch (v->rtm) {
    case RuntimeModel::SP_INIT: {
      v->state = VcpuState::WAITING;
      v->rtm = RuntimeModel::NONE;
      pes[c.pe.id()].current = nullptr;
      return continue_boot();
    }
    case RuntimeModel::FFA_RUN:
      v->state = VcpuState::WAITING;
      v->rtm = RuntimeModel::NONE;
      return to_nwd(ffa::regs(ffa::fid(ffa::Abi::MSG_WAIT), 0));
    default:
      return reply_error(ffa::Error::DENIED);
  }
}

// FFA_RUN from the normal world: w1 = target ID << 16 | vCPU index.
Action Spmc::Impl::run(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.cpu_cycles_insns);
  // Hafnium: the normal world itself as the target is DENIED, with x2 sign-extended.
  if (ffa::sender_of(c.a[1]) == nwd.id && cfg.flavour == Flavour::Hafnium)
    return reply(ffa::regs(ffa::fid(ffa::Abi::ERROR), 0, uint64_t(int64_t(ffa::Error::DENIED))));
  Partition* p = find(ffa::sender_of(c.a[1]));
  const unsigned idx = unsigned(c.a[1] & 0xFFFF);
  if (!p || idx >= p->vcpus.size()) return reply_error(ffa::Error::INVALID_PARAMETERS);
  Vcpu* v = p->vcpus[idx].get();
  // A pinned vCPU of an MP partition runs only on its own PE.
  if (p->is_mp() && idx != c.pe.id()) return reply_error(ffa::Error::INVALID_PARAMETERS);
  switch (v->state) {
    case VcpuState::RUNNING:
      return reply_error(ffa::Error::BUSY);
    case VcpuState::ABORTED:
      return reply_error(ffa::Error::ABORTED);
    case VcpuState::WAITING:
      v->state = VcpuState::RUNNING;
      v->rtm = RuntimeModel::FFA_RUN;
      // Hafnium resumes the SP's FFA_MSG_WAIT with x0 = FFA_RUN and w1 = 0; the EL3 SPMC passes
      // the caller's target information through.
      return run_vcpu(v, ffa::regs(ffa::fid(ffa::Abi::RUN), cfg.flavour == Flavour::Hafnium ? 0 : c.a[1]));
    case VcpuState::PREEMPTED:
      // Resumed exactly where the interrupt stopped it, with every register it had.
      v->state = VcpuState::RUNNING;
      return resume_preempted(v);
    case VcpuState::BLOCKED:
      // Resumed where it stopped: its FFA_YIELD returns FFA_RUN.
      v->state = VcpuState::RUNNING;
      return run_vcpu(v, ffa::regs(ffa::fid(ffa::Abi::RUN), c.a[1]));
    case VcpuState::OFF:
      return reply_error(ffa::Error::INVALID_PARAMETERS);
  }
  return reply_error(ffa::Error::INVALID_PARAMETERS);
}

// FFA_YIELD from a vCPU handling a request: the cycles go back to the requester, which sees
// FFA_YIELD with w1 = SP ID << 16 | vCPU and the timeout in w2/w3 (x4-x7 zero), and resumes it
// with FFA_RUN. x4-x7 not zero is INVALID_PARAMETERS.
Action Spmc::Impl::yield(Call& c) {
  Vcpu* v = c.caller.vcpu;
  insns(c.pe, sim::Cost::Dispatch, t.cpu_cycles_insns);
  if (c.a[4] || c.a[5] || c.a[6] || c.a[7]) return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (v->rtm != RuntimeModel::FFA_DIR_REQ && v->rtm != RuntimeModel::FFA_RUN)
    return reply_error(ffa::Error::DENIED);
  v->state = VcpuState::BLOCKED;
  const sim::ArgRegs out = ffa::regs(ffa::fid(ffa::Abi::YIELD),
                                     (uint64_t(v->partition->id.value) << 16) | v->index,
                                     uint32_t(c.a[2]), uint32_t(c.a[3]));
  if (v->request_caller) {
    Vcpu* caller = v->request_caller;
    caller->state = VcpuState::RUNNING;
    return run_vcpu(caller, out);
  }
  return to_nwd(out);
}

}  // namespace ffasim::spmc
