// Private to models/spmc: the SPMC's implementation shared by the chapter files.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "models/ffa/abi.h"
#include "models/spmc/isolation_checker.h"
#include "models/spmc/memory_state.h"
#include "models/spmc/notifications_state.h"
#include "models/spmc/spmc.h"
#include "models/spmc/spmc_state.h"
#include "models/spmc/stage2.h"
#include "sim/core/coroutine.h"
#include "sim/core/pe.h"

namespace ffasim::spmc {

struct SpmcTiming {
#define FFASIM_PARAMS_FILE "models/spmc/spmc_params.def"
#include "sim/core/profile_struct.inc"
};

// Who made the call being handled.
struct Caller {
  Vcpu* vcpu = nullptr;     // an SP vCPU, or null for the normal world
  bool is_nwd() const { return vcpu == nullptr; }
  ffa::EndpointId id(const NwdEndpoint& nwd) const;
};

struct Call {
  sim::Pe& pe;
  sim::ArgRegs a;
  Caller caller;
  ffa::Abi abi;
  bool smc64;
};

// What the SPMC does after handling a call.
struct Action {
  enum Kind : uint8_t { Reply, RunVcpu, ResumeVcpu, ToNwd, ContinueBoot } kind;
  sim::ArgRegs regs;
  Vcpu* vcpu = nullptr;  // RunVcpu: the vCPU to enter
};
inline Action reply(const sim::ArgRegs& r) { return {Action::Reply, r, nullptr}; }
inline Action reply_error(ffa::Error e) { return reply(ffa::error(e)); }
inline Action run_vcpu(Vcpu* v, const sim::ArgRegs& r) { return {Action::RunVcpu, r, v}; }
// Resume a PREEMPTED vCPU exactly where an interrupt stopped it (its saved registers).
inline Action resume_preempted(Vcpu* v) { return {Action::ResumeVcpu, {}, v}; }
inline Action to_nwd(const sim::ArgRegs& r) { return {Action::ToNwd, r, nullptr}; }
// The vCPU finished its init: boot the next one on this PE, or end SPMC init.
inline Action continue_boot() { return {Action::ContinueBoot, {}, nullptr}; }

// The S-EL2 context the SPMD enters on one PE.
class El2Context : public sim::ExecContext {
 public:
  El2Context(Spmc::Impl& impl) : impl_(impl) {}
  sim::Step resume(sim::Pe& pe) override;

 private:
  Spmc::Impl& impl_;
};

// The S-EL1 vector of the SP running on one PE (its VBAR_EL1): takes the virtual interrupts the
// SPMC injects and hands them to the partition's model.
class SpVector : public sim::ExceptionHandler {
 public:
  explicit SpVector(Spmc::Impl& impl) : impl_(impl) {}
  sim::Step take(sim::Pe& pe, const sim::ExceptionInfo& e) override;

 private:
  Spmc::Impl& impl_;
};

struct Spmc::Impl {
  using Handler = Action (Impl::*)(Call&);
  struct AbiEntry {
    ffa::Abi abi;
    Handler handler;
    bool from_nwd, from_sp;
    Handler features = nullptr;  // FFA_FEATURES answer for a row with properties (else SUCCESS, 0)
  };

  Impl(const SpmcConfig& cfg, std::vector<PartitionSpec> specs, sim::Platform& platform,
       const sim::Profile& profile, sim::ComponentId component, sim::mmu::MmuSystem& mmus);

  SpmcConfig cfg;
  sim::Platform& platform;
  SpmcTiming t;
  sim::ComponentId component;
  std::vector<std::unique_ptr<Partition>> partitions;
  std::vector<std::unique_ptr<sp::SpModel>> models;
  NwdEndpoint nwd;
  std::vector<SpmcPeState> pes;
  std::vector<std::unique_ptr<El2Context>> el2;
  std::vector<std::unique_ptr<SpVector>> sel1_vectors;  // per PE
  std::vector<std::string> errors;
  std::vector<std::string> guest_errors;  // guest mistakes reported (stage-2 aborts)
  sim::mmu::MmuSystem& mmus;
  std::unique_ptr<Stage2Manager> s2;     // each partition's stage-2 tables (stage2.h)
  uint64_t tlbis = 0;
  bool nwd_locked = false;  // the normal world called an ABI other than FFA_VERSION
  ffa::Version spmc_version() const { return {uint16_t(cfg.core.maj_ver), uint16_t(cfg.core.min_ver)}; }

  // dispatch.cpp: entries, the handler table, and carrying out an Action.
  static const std::vector<AbiEntry>& abi_table();
  const AbiEntry* entry_for(ffa::Abi abi) const;
  sim::Step from_vcpu(sim::Pe& pe, const sim::ExceptionInfo& e);
  sim::Step from_nwd(sim::Pe& pe);
  sim::Step dispatch(Call& c);
  sim::Step perform(sim::Pe& pe, const Caller& caller, const Action& act);
  sim::Step enter_vcpu(sim::Pe& pe, Vcpu* v, const sim::ArgRegs& regs);
  sim::Step smc_to_spmd(sim::Pe& pe, const sim::ArgRegs& regs);
  void insns(sim::Pe& pe, sim::Cost c, double n) { pe.charge(c, pe.cycles_for_insns(n)); }
  Partition* find(ffa::EndpointId id) const;
  ffa::Version caller_version(const Caller& c) const;

  // interrupts.cpp: physical interrupts trapped to S-EL2 while an SP runs.
  sim::Step physical_interrupt(sim::Pe& pe, const sim::ExceptionInfo& e);
  sim::Step resume_vcpu(sim::Pe& pe, Vcpu* v);
  void mask_ns_interrupts(sim::Pe& pe);
  void unmask_ns_interrupts(sim::Pe& pe);
  SpmcStats stats;
  uint64_t preempted_key = 0;  // tracer operation "sp.preempted"

  // cpu_cycles.cpp: boot, FFA_MSG_WAIT, FFA_RUN, FFA_YIELD.
  sim::Step boot(sim::Pe& pe);
  sim::Step boot_next(sim::Pe& pe);
  Action msg_wait(Call& c);
  Action run(Call& c);
  Action yield(Call& c);
  Vcpu* vcpu_for_pe(Partition& p, unsigned pe) const;

  // setup_and_discovery.cpp
  Action version(Call& c);
  Action features(Call& c);
  Action id_get(Call& c);
  Action spm_id_get(Call& c);
  Action rxtx_map(Call& c);
  Action rxtx_unmap(Call& c);
  Action rx_release(Call& c);
  Action partition_info_get(Call& c);
  Mailbox& mailbox_of(const Caller& c);
  uint32_t properties_for(const Partition& p, const Caller& c) const;
  bool in_ns_memory(uint64_t pa, uint64_t size) const;

  // direct_messaging.cpp
  Action direct_req(Call& c);
  Action direct_resp(Call& c);
  Action framework_req(Call& c);

  // memory_share.cpp: FFA_MEM_DONATE/LEND/SHARE, FFA_MEM_FRAG_TX/RX, FFA_MEM_RETRIEVE_REQ,
  // FFA_MEM_RELINQUISH, FFA_MEM_RECLAIM (section 4), with the ownership state in `mm`.
  MemoryManagement mm;
  IsolationChecker checker;
  Action mem_send(Call& c);
  Action mem_frag_tx(Call& c);
  Action mem_retrieve_req(Call& c);
  Action mem_retrieve_resp(Call& c);
  Action mem_frag_rx(Call& c);
  Action mem_relinquish(Call& c);
  Action mem_reclaim(Call& c);
  Action mem_retrieve_req_features(Call& c);

  // notifications.cpp: FFA_NOTIFICATION_* (section 6), the SRI and the NPI.
  NotificationsState notif;
  std::function<void(unsigned pe)> raise_sri;  // the GIC seam; empty: SRIs are only counted
  void notifications_setup();
  Action notification_bitmap_create(Call& c);
  Action notification_bitmap_destroy(Call& c);
  Action notification_bind(Call& c);
  Action notification_unbind(Call& c);
  Action notification_update_bindings(Call& c, bool bind);
  Action notification_set(Call& c);
  Action notification_get(Call& c);
  Action notification_info_get(Call& c);
  Action notification_info_get_features(Call& c);
  Action feature_id(Call& c);  // FFA_FEATURES with a feature ID (section 2.1)
  NotificationReceiver* notification_receiver(ffa::EndpointId id);
  void sri_raise(unsigned pe);
  void sri_trigger_if_delayed(unsigned pe);
  void mem_setup();  // owner ranges and stage-2 tables from the manifests, at init
  // Drains the ownership changes of one ABI into the stage-2 tables, with their costs and TLBI.
  void apply_stage2(sim::Pe& pe);
};

}  // namespace ffasim::spmc
