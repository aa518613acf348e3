// The SPMC's entries (a vCPU trap, the SPMD's ERET), its one ABI table, and the two ways out:
// ERET into a vCPU, or SMC to the SPMD.
#include <algorithm>
#include <stdexcept>

#include "models/spmc/spmc_impl.h"

namespace ffasim::spmc {

using sim::El;
using sim::Insn;
using sim::Security;
using sim::Step;

const char* name(VcpuState s) {
  switch (s) {
    case VcpuState::OFF: return "OFF";
    case VcpuState::RUNNING: return "RUNNING";
    case VcpuState::WAITING: return "WAITING";
    case VcpuState::BLOCKED: return "BLOCKED";
    case VcpuState::PREEMPTED: return "PREEMPTED";
    case VcpuState::ABORTED: return "ABORTED";
  }
  return "?";
}

ffa::EndpointId Caller::id(const NwdEndpoint& nwd) const {
  return vcpu ? vcpu->partition->id : nwd.id;
}

// The ABIs this SPMC implements and who may call each. FFA_FEATURES answers from this table,
// and dispatch() calls through it.
const std::vector<Spmc::Impl::AbiEntry>& Spmc::Impl::abi_table() {
  using A = ffa::Abi;
  static const std::vector<AbiEntry> table = {
      {A::VERSION, &Impl::version, true, true},
      {A::FEATURES, &Impl::features, true, true},
      {A::ID_GET, &Impl::id_get, true, true},
      {A::SPM_ID_GET, &Impl::spm_id_get, true, true},
      {A::RXTX_MAP, &Impl::rxtx_map, true, true},
      {A::RXTX_UNMAP, &Impl::rxtx_unmap, true, true},
      {A::RX_RELEASE, &Impl::rx_release, true, true},
      {A::PARTITION_INFO_GET, &Impl::partition_info_get, true, true},
      {A::MSG_SEND_DIRECT_REQ, &Impl::direct_req, true, true},
      {A::MSG_SEND_DIRECT_RESP, &Impl::direct_resp, false, true},
      {A::MSG_SEND_DIRECT_REQ2, &Impl::direct_req, true, true},
      {A::MSG_SEND_DIRECT_RESP2, &Impl::direct_resp, false, true},
      {A::MSG_WAIT, &Impl::msg_wait, false, true},
      {A::RUN, &Impl::run, true, false},
      {A::YIELD, &Impl::yield, false, true},
      {A::MEM_DONATE, &Impl::mem_send, true, true},
      {A::MEM_LEND, &Impl::mem_send, true, true},
      {A::MEM_SHARE, &Impl::mem_send, true, true},
      {A::MEM_RETRIEVE_REQ, &Impl::mem_retrieve_req, true, true, &Impl::mem_retrieve_req_features},
      {A::MEM_RETRIEVE_RESP, &Impl::mem_retrieve_resp, true, true},  // a result; FFA_FEATURES lists it
      {A::MEM_RELINQUISH, &Impl::mem_relinquish, true, true},
      {A::MEM_RECLAIM, &Impl::mem_reclaim, true, true},
      {A::MEM_FRAG_RX, &Impl::mem_frag_rx, true, true},
      {A::MEM_FRAG_TX, &Impl::mem_frag_tx, true, true},
      // Bitmaps are the hypervisor's (or OS kernel's) to create; INFO_GET is the primary
      // scheduler's (section 6.4); SPs bind, set and get their own.
      {A::NOTIFICATION_BITMAP_CREATE, &Impl::notification_bitmap_create, true, false},
      {A::NOTIFICATION_BITMAP_DESTROY, &Impl::notification_bitmap_destroy, true, false},
      {A::NOTIFICATION_BIND, &Impl::notification_bind, true, true},
      {A::NOTIFICATION_UNBIND, &Impl::notification_unbind, true, true},
      {A::NOTIFICATION_SET, &Impl::notification_set, true, true},
      {A::NOTIFICATION_GET, &Impl::notification_get, true, true},
      {A::NOTIFICATION_INFO_GET, &Impl::notification_info_get, true, false, &Impl::notification_info_get_features},
  };
  return table;
}

const Spmc::Impl::AbiEntry* Spmc::Impl::entry_for(ffa::Abi abi) const {
  for (auto& e : abi_table())
    if (e.abi == abi) return &e;
  return nullptr;
}

Spmc::Impl::Impl(const SpmcConfig& c, std::vector<PartitionSpec> specs, sim::Platform& p,
                 const sim::Profile& profile, sim::ComponentId comp, sim::mmu::MmuSystem& m)
    : cfg(c), platform(p), component(comp), pes(p.pe_count()), mmus(m) {
  t.load(profile);
  nwd.id = ffa::kNsEndpointId;
  preempted_key = p.tracer().operation_key("sp.preempted");
  for (size_t i = 0; i < specs.size(); ++i) {
    auto part = std::make_unique<Partition>();
    part->index = i;
    const PartitionManifest& m = specs[i].manifest;
    // Hafnium assigns 0x8001 + index; the TF-A EL3 SPMC reads the manifest's `id`.
    part->id = (cfg.flavour == Flavour::TfaEl3Spmc && m.id) ? ffa::EndpointId(*m.id)
                                                            : ffa::EndpointId(uint16_t(0x8001 + i));
    part->manifest = m;
    for (uint32_t mm : m.messaging_method) part->messaging |= mm;
    part->version = ffa::Version::from_raw(m.ffa_version);
    part->component = specs[i].component;
    part->conduit = specs[i].conduit;
    for (unsigned v = 0; v < std::max(1u, m.execution_ctx_count); ++v) {
      auto vc = std::make_unique<Vcpu>();
      vc->partition = part.get();
      vc->index = v;
      vc->context = &specs[i].model->vcpu(v);
      part->vcpus.push_back(std::move(vc));
    }
    models.push_back(std::move(specs[i].model));
    partitions.push_back(std::move(part));
  }
  // Boot order: smaller boot-order first, manifest order between equals (stable sort).
  std::vector<Partition*> order;
  for (auto& part : partitions) order.push_back(part.get());
  std::stable_sort(order.begin(), order.end(), [](Partition* a, Partition* b) {
    return a->manifest.boot_order < b->manifest.boot_order;
  });
  for (unsigned pe = 0; pe < pes.size(); ++pe) {
    for (Partition* part : order) {
      // vCPU 0 of every partition starts on the primary PE; vCPU i of an MP partition on PE i.
      if (pe == 0) pes[pe].boot_queue.push_back(part->vcpus[0].get());
      else if (part->is_mp() && pe < part->vcpus.size()) pes[pe].boot_queue.push_back(part->vcpus[pe].get());
    }
    el2.push_back(std::make_unique<El2Context>(*this));
    sel1_vectors.push_back(std::make_unique<SpVector>(*this));
    el2.back()->component = comp;
  }
  notifications_setup();
  mem_setup();  // ownership and stage 2 from the manifests (in cold_boot_insns)
}

Partition* Spmc::Impl::find(ffa::EndpointId id) const {
  for (auto& p : partitions)
    if (p->id == id) return p.get();
  return nullptr;
}

ffa::Version Spmc::Impl::caller_version(const Caller& c) const {
  return c.vcpu ? c.vcpu->partition->version : nwd.version;
}

Step El2Context::resume(sim::Pe& pe) {
  if (!impl_.pes[pe.id()].booted) return impl_.boot(pe);
  return impl_.from_nwd(pe);
}

// A normal-world call, forwarded by the SPMD (ERET into S-EL2 after its SMC to EL3).
Step Spmc::Impl::from_nwd(sim::Pe& pe) {
  insns(pe, sim::Cost::Dispatch, t.vector_insns);
  // The "other world" vCPU's registers: x0-x17 copied in.
  insns(pe, sim::Cost::SaveRestore, 18 * platform.core_timing().gpr_save_insns_per_reg);
  const sim::ArgRegs a = pe.args();
  const auto abi = ffa::decode(a[0]);
  Caller caller;
  if (!abi) return perform(pe, caller, reply_error(ffa::Error::NOT_SUPPORTED));
  Call c{pe, a, caller, *abi, ffa::is_64bit(a[0])};
  return dispatch(c);
}

// A trap from the SP vCPU running on this PE: an SMC (HCR_EL2.TSC) or an HVC.
Step Spmc::Impl::from_vcpu(sim::Pe& pe, const sim::ExceptionInfo& e) {
  if (e.kind == sim::ExceptionKind::IRQ || e.kind == sim::ExceptionKind::FIQ) return physical_interrupt(pe, e);
  Vcpu* v = pes[pe.id()].current;
  if (!v) throw std::logic_error("SPMC: exception from S-EL1 with no vCPU running on PE" + std::to_string(pe.id()));
  insns(pe, sim::Cost::Dispatch, t.vector_insns);
  insns(pe, sim::Cost::SaveRestore, t.gprs * platform.core_timing().gpr_save_insns_per_reg);
  v->gprs = pe.state().x;
  const uint32_t ec = sim::esr_ec(e.esr);
  Caller caller{v};
  if (e.kind != sim::ExceptionKind::Sync || (ec != sim::ec::SMC64 && ec != sim::ec::HVC64)) {
    errors.push_back("SP " + std::to_string(v->partition->id.value) + " took an unexpected exception (EC " +
                     std::to_string(ec) + "); vCPU aborted");
    v->state = VcpuState::ABORTED;
    pes[pe.id()].current = nullptr;
    return smc_to_spmd(pe, ffa::error(ffa::Error::ABORTED));
  }
  const sim::ArgRegs a = pe.args();
  const auto abi = ffa::decode(a[0]);
  if (!abi) return perform(pe, caller, reply_error(ffa::Error::NOT_SUPPORTED));
  Call c{pe, a, caller, *abi, ffa::is_64bit(a[0])};
  return dispatch(c);
}

Step Spmc::Impl::dispatch(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.dispatch_insns);
  const AbiEntry* e = entry_for(c.abi);
  const bool allowed = e && (c.caller.is_nwd() ? e->from_nwd : e->from_sp);
  Action act = allowed ? (this->*(e->handler))(c) : reply_error(ffa::Error::NOT_SUPPORTED);
  // Any ABI other than FFA_VERSION fixes the caller's version (section 1.2).
  const bool framework = c.caller.is_nwd() && ffa::sender_of(c.a[1]) == ffa::kSpmdId;
  if (c.abi != ffa::Abi::VERSION && !framework) {
    if (c.caller.vcpu) c.caller.vcpu->partition->version_locked = true;
    else nwd_locked = true;
  }
  // A managed exit is over once the SP has answered (WAITING).
  if (c.caller.vcpu && c.caller.vcpu->state == VcpuState::WAITING) c.caller.vcpu->me_pending = false;
  return perform(c.pe, c.caller, act);
}

Step Spmc::Impl::perform(sim::Pe& pe, const Caller& caller, const Action& act) {
  switch (act.kind) {
    case Action::Reply:
      if (caller.vcpu) return enter_vcpu(pe, caller.vcpu, act.regs);
      return smc_to_spmd(pe, act.regs);
    case Action::RunVcpu:
      return enter_vcpu(pe, act.vcpu, act.regs);
    case Action::ResumeVcpu:
      return resume_vcpu(pe, act.vcpu);
    case Action::ToNwd:
      return smc_to_spmd(pe, act.regs);
    case Action::ContinueBoot:
      return boot_next(pe);
  }
  return smc_to_spmd(pe, act.regs);
}

// ERET into a vCPU with x0-x17 = `regs`; its other registers are the ones it left.
Step Spmc::Impl::enter_vcpu(sim::Pe& pe, Vcpu* v, const sim::ArgRegs& regs) {
  SpmcPeState& ps = pes[pe.id()];
  auto& s = pe.state();
  const auto& core = platform.core_timing();
  if (ps.last_el1 != v) {
    insns(pe, sim::Cost::SaveRestore, 2 * t.vcpu_sysregs * core.sysreg_save_insns_per_reg);
    ps.last_el1 = v;
  }
  if (ps.last_s2 != v->partition) {
    insns(pe, sim::Cost::Dispatch, t.s2_switch_insns);
    ps.last_s2 = v->partition;
  }
  // The partition's stage 2 (the SPMD switches these EL2 registers with the world, so they are
  // written on every entry; the cost is charged only when the partition changes).
  if (const PartitionStage2* p2 = s2->find(v->partition->id)) {
    s.vsttbr_el2 = s2->vsttbr_el2(*p2);
    s.vstcr_el2 = s2->vstcr_el2();
    s.vttbr_el2 = s2->vttbr_el2(*p2);
    s.vtcr_el2 = s2->vtcr_el2();
  }
  insns(pe, sim::Cost::SaveRestore, t.gprs * core.gpr_save_insns_per_reg);
  insns(pe, sim::Cost::Dispatch, t.exit_insns);
  s.x = v->gprs;
  for (size_t i = 0; i < regs.size(); ++i) s.x[i] = regs[i];
  // Physical interrupts trap to S-EL2 while the SP runs (IMO, FMO); a pending managed exit is
  // its virtual FIQ (or IRQ with managed-exit-virq).
  s.hcr_el2 = sim::hcr::VM | sim::hcr::TSC | sim::hcr::RW | sim::hcr::IMO | sim::hcr::FMO;
  if (v->me_pending) s.hcr_el2 |= v->partition->manifest.managed_exit_virq ? sim::hcr::VI : sim::hcr::VF;
  s.spsr_el[2] = sim::Pstate{El::EL1, true, 0xF, 0}.to_spsr();
  if (v->partition->manifest.ns_interrupts_action == NsInterruptsAction::Queued) mask_ns_interrupts(pe);
  v->pe = int(pe.id());
  ps.current = v;
  sel1_vectors[pe.id()]->component = v->partition->component;
  pe.set_context(El::EL1, Security::Secure, v->context);
  return {0, Insn::ERET};
}

Step Spmc::Impl::smc_to_spmd(sim::Pe& pe, const sim::ArgRegs& regs) {
  insns(pe, sim::Cost::Dispatch, t.exit_insns);
  unmask_ns_interrupts(pe);
  pes[pe.id()].current = nullptr;
  sri_trigger_if_delayed(pe.id());  // the normal world is next on this PE
  pe.set_args(regs);
  return {0, Insn::SMC};
}

// --- the public facade ----------------------------------------------------------------------

Spmc::Spmc(const SpmcConfig& cfg, std::vector<PartitionSpec> partitions, sim::Platform& platform,
           const sim::Profile& profile, sim::ComponentId component, sim::mmu::MmuSystem& mmus)
    : impl_(std::make_unique<Impl>(cfg, std::move(partitions), platform, profile, component, mmus)) {
  this->component = component;
}
Spmc::~Spmc() = default;
void Spmc::declare(sim::Profile& p) { SpmcTiming::declare(p); }

Step Spmc::take(sim::Pe& pe, const sim::ExceptionInfo& e) { return impl_->from_vcpu(pe, e); }

sim::ExecContext& Spmc::el2_context(unsigned pe) { return *impl_->el2.at(pe); }

std::vector<PartitionView> Spmc::partitions() const {
  std::vector<PartitionView> out;
  for (auto& p : impl_->partitions) {
    PartitionView v{p->id, p->manifest.description, unsigned(p->vcpus.size()), {}};
    for (auto& vc : p->vcpus) v.vcpu_states.push_back(name(vc->state));
    out.push_back(std::move(v));
  }
  return out;
}

ffa::EndpointId Spmc::partition_id(size_t index) const { return impl_->partitions.at(index)->id; }
const std::vector<std::string>& Spmc::errors() const { return impl_->errors; }
const SpmcStats& Spmc::stats() const { return impl_->stats; }
sim::ExceptionHandler& Spmc::sel1_vector(unsigned pe) { return *impl_->sel1_vectors.at(pe); }

// The partition's own vector (SpModel::vector), or the vCPU aborts: it has no handler.
Step SpVector::take(sim::Pe& pe, const sim::ExceptionInfo& e) {
  Vcpu* v = impl_.pes[pe.id()].current;
  sim::ExceptionHandler* h = v ? impl_.models[v->partition->index]->vector() : nullptr;
  if (h) return h->take(pe, e);
  impl_.errors.push_back("PE" + std::to_string(pe.id()) + ": an exception at S-EL1 with no SP vector to take it");
  if (v) v->state = VcpuState::ABORTED;
  impl_.pes[pe.id()].current = nullptr;
  return {0, Insn::OFF};
}

NotificationStats Spmc::notification_stats() const {
  const NotificationCounters& c = impl_->notif.counters;
  return {c.sri_raised, c.sri_delayed, c.npi_recorded};
}

void Spmc::set_raise_sri(std::function<void(unsigned pe)> raise_sri) { impl_->raise_sri = std::move(raise_sri); }

}  // namespace ffasim::spmc
