// The SPM Core at S-EL2, Hafnium-like. It manages partitions and their vCPUs (from manifests),
// and implements the FF-A ABIs of setup and discovery, direct messaging and CPU cycle management
// (files by spec chapter, as in Hafnium). It meets the rest of the stack only at the register
// ABI: SPs trap to it (SMC with HCR_EL2.TSC, or HVC), the SPMD ERETs into it with normal-world
// calls and it SMCs to the SPMD to answer them.
//
// Where Hafnium and the TF-A EL3 SPMC differ, SpmcConfig says which behaviour to follow.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/ffa/types.h"
#include "models/sp_common/sp_env.h"
#include "models/spmc/manifest.h"
#include "sim/core/platform.h"
#include "sim/core/profile.h"
#include "sim/core/software.h"
#include "sim/mmu_s2/mmu_system.h"

namespace ffasim::spmc {

enum class Flavour : uint8_t {
  Hafnium,     // Hafnium at S-EL2 (default)
  TfaEl3Spmc,  // the TF-A EL3 SPMC's choices, where they differ
};

struct SpmcConfig {
  CoreManifest core;
  Flavour flavour = Flavour::Hafnium;
  // Size of a partition information descriptor for v1.1+ callers: 24 (v1.1/v1.2 layout) or 48
  // (Hafnium's v1.3 layout, returned to every v1.1+ caller). Default: 24 for a v1.2 SPMC.
  uint32_t partition_info_size = 24;
  uint32_t rxtx_max_pages = 1;  // Hafnium RXTX_MAX_PAGE_COUNT
  // Check the isolation invariant after every memory-management ABI (models/spmc/
  // isolation_checker.h); a violation joins errors(). Tests turn it on.
  bool check_isolation = false;
  // Notifications (models/spmc/notifications.cpp). Per-vCPU notifications: off = current
  // Hafnium, which answers the per-vCPU flag of BIND/SET (or a vCPU ID in SET) with
  // INVALID_PARAMETERS; on = the v1.1/v1.2 behaviour older Hafnium had.
  bool per_vcpu_notifications = false;
  // The SMC32 form of FFA_NOTIFICATION_INFO_GET: the spec defines it, Hafnium implements only the
  // 64-bit FID (the 32-bit one is NOT_SUPPORTED, and FFA_FEATURES says so).
  bool notification_info_get_32 = false;
  // Interrupt IDs FFA_FEATURES reports (feature IDs 2, 1, 3): Hafnium's HF_SCHEDULE_RECEIVER_INTID
  // (a physical SGI, to the normal world), HF_NOTIFICATION_PENDING_INTID and HF_MANAGED_EXIT_INTID
  // (virtual, to S-EL1 SPs).
  uint32_t sri_intid = 8, npi_intid = 5, mei_intid = 4;
  // Where the SPMC keeps its partitions' stage-2 tables (secure memory it owns, Hafnium's page
  // pool); 0 = right after its image (load_address + binary_size).
  uint64_t s2_pool_base = 0;
  uint64_t s2_pool_size = 0x100000;
};

// Notification signalling so far (reports, tests).
struct NotificationStats {
  uint64_t sri_raised = 0;    // Schedule Receiver Interrupts raised (given to the raise_sri hook)
  uint64_t sri_delayed = 0;   // FFA_NOTIFICATION_SET calls that asked for a delayed SRI
  uint64_t npi_recorded = 0;  // notifications set for an SP (its NPI became pending)
};

struct PartitionSpec {
  PartitionManifest manifest;
  std::unique_ptr<sp::SpModel> model;  // the behavioural SP (one context per vCPU)
  sim::ComponentId component = 0;
  sim::Insn conduit = sim::Insn::SMC;
};

// Who may access one 4 KiB page after the memory-management ABIs so far (section 4).
struct PageAccessView {
  bool ram = false;     // in memory of the SPMC manifest (secure or NS DRAM)
  bool secure = false;
  ffa::EndpointId owner;
  uint64_t handle = ~0ull;  // the memory transaction holding the page, or ~0
  std::vector<std::pair<ffa::EndpointId, uint8_t>> access;  // bits: 1 read, 2 write, 4 execute
};

// What a partition looks like from outside (reports, tests).
struct PartitionView {
  ffa::EndpointId id;
  std::string name;
  unsigned vcpus;
  std::vector<std::string> vcpu_states;  // "WAITING", "RUNNING", ...
};

// Counters of the interrupt paths (interrupts.cpp).
struct SpmcStats {
  uint64_t preemptions = 0;    // signaled: vCPUs made PREEMPTED by a Non-secure interrupt
  uint64_t managed_exits = 0;  // managed-exit virtual interrupts injected
};

class Spmc : public sim::ExceptionHandler {
 public:
  // `component`: where the SPMC's own time is attributed.
  // `mmus`: the platform's MMUs, whose TLBs the SPMC's TLB maintenance reaches.
  Spmc(const SpmcConfig& cfg, std::vector<PartitionSpec> partitions, sim::Platform& platform,
       const sim::Profile& profile, sim::ComponentId component, sim::mmu::MmuSystem& mmus);
  ~Spmc() override;
  static void declare(sim::Profile& p);

  // Entry from a lower EL (an SP's trapped SMC or its HVC).
  sim::Step take(sim::Pe& pe, const sim::ExceptionInfo& e) override;
  // The S-EL2 context on each PE that the SPMD enters: boot first, then normal-world calls.
  sim::ExecContext& el2_context(unsigned pe);

  std::vector<PartitionView> partitions() const;
  // Endpoint ID assigned to partition `index` (manifest order).
  ffa::EndpointId partition_id(size_t index) const;
  const std::vector<std::string>& errors() const;
  const SpmcStats& stats() const;
  // The S-EL1 vector of whichever SP runs on the PE (its VBAR_EL1): install at S-EL1 on every PE.
  sim::ExceptionHandler& sel1_vector(unsigned pe);
  PageAccessView page_access(uint64_t pa) const;
  NotificationStats notification_stats() const;
  // How the SPMC raises the Schedule Receiver Interrupt on a PE (the platform's GIC wiring sets
  // it). Without a hook an SRI is only counted. A delayed SRI is raised when the SPMC next
  // returns to the normal world on that PE.
  void set_raise_sri(std::function<void(unsigned pe)> raise_sri);
  // The access bits (1 r, 2 w, 4 x) partition `id`'s stage-2 tables give to the page at `pa`
  // (secure or NS PA space), read by walking the descriptors in memory; 0 if unmapped.
  uint8_t stage2_access(ffa::EndpointId id, uint64_t pa, bool secure) const;
  // A stage-2 abort taken to S-EL2 from an SP's access: recorded as one guest-error line naming
  // the SP, the IPA and the fault (see guest_errors()).
  void stage2_abort(sim::Pe& pe, const sim::mmu::Fault& f);
  // Guest mistakes the SPMC reported (stage-2 aborts), one line each; not model errors.
  const std::vector<std::string>& guest_errors() const;
  // Broadcast TLB invalidations the SPMC issued (TLBI VMALLS12E1IS), and the stage-2 table pool.
  uint64_t tlbi_count() const;
  uint64_t s2_pool_in_use() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ffasim::spmc
