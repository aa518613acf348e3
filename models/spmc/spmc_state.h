// SPMC state in FF-A terms: partitions, their vCPUs with the runtime states of
// ../shared/reference/ffa-abi.md section 5.2, RX/TX buffers and the normal world's endpoint.
// Plain data; the logic lives in the chapter files.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/ffa/types.h"
#include "models/spmc/manifest.h"
#include "sim/core/software.h"

namespace ffasim::spmc {

enum class VcpuState : uint8_t { OFF, RUNNING, WAITING, BLOCKED, PREEMPTED, ABORTED };
const char* name(VcpuState s);

enum class RuntimeModel : uint8_t { NONE, FFA_RUN, FFA_DIR_REQ, SEC_INTERRUPT, SP_INIT };

// An RX/TX buffer pair of one endpoint.
struct Mailbox {
  bool mapped = false;
  uint64_t tx = 0, rx = 0;     // PAs (IPA = PA until stage 2 is modelled)
  uint32_t pages = 0;
  bool rx_full = false;        // the SPMC produced into RX and the owner has not released it
};

struct Partition;

struct Vcpu {
  Partition* partition = nullptr;
  unsigned index = 0;
  VcpuState state = VcpuState::OFF;
  RuntimeModel rtm = RuntimeModel::NONE;
  sim::ExecContext* context = nullptr;  // the SP's code for this vCPU
  std::array<uint64_t, 31> gprs{};      // saved while not running
  uint64_t spsr = 0;                    // its PSTATE when an interrupt stopped it
  bool me_pending = false;              // managed-exit virtual interrupt injected, not answered
  int64_t preempted_at = -1;            // ps: when a signaled NS interrupt preempted it
  std::vector<sim::Picos> preempted_counters;  // the PE's tracer counters at that moment
  int pe = -1;                          // PE it runs (or last ran) on
  // The direct request being handled: who sent it, and the blocked vCPU when an SP did.
  ffa::EndpointId request_origin{};
  Vcpu* request_caller = nullptr;
  bool request_is_req2 = false;
  bool request_is_framework = false;
};

struct Partition {
  size_t index = 0;  // manifest order
  ffa::EndpointId id;
  PartitionManifest manifest;
  uint32_t messaging = 0;          // OR of the manifest's messaging-method values
  ffa::Version version{};          // negotiated with FFA_VERSION (manifest value until then)
  bool version_locked = false;
  Mailbox mailbox;
  bool mem_ns_bit_requested = false;  // TF-A EL3 SPMC: a v1.0 SP asked for the NS bit (FFA_FEATURES)
  std::vector<std::unique_ptr<Vcpu>> vcpus;
  sim::ComponentId component = 0;
  sim::Insn conduit = sim::Insn::SMC;
  bool is_mp() const { return vcpus.size() > 1; }
};

// The normal world as the SPMC sees it without a hypervisor: one endpoint, ID 0.
struct NwdEndpoint {
  ffa::EndpointId id{0};
  ffa::Version version{1, 0};
  bool version_set = false;
  Mailbox mailbox;
};

// Per PE: which vCPU runs at S-EL1 (null: the normal world holds the PE), boot progress.
struct SpmcPeState {
  Vcpu* current = nullptr;
  Vcpu* last_el1 = nullptr;       // whose EL1 system registers are live
  Partition* last_s2 = nullptr;   // whose stage 2 is installed
  bool booted = false;
  bool ns_masked = false;         // ICC_PMR_EL1 raised to mask Non-secure interrupts
  uint64_t saved_pmr = 0;         // the value it had before
  std::vector<Vcpu*> boot_queue;  // vCPUs still to initialise on this PE, in boot order
  size_t boot_next = 0;
};

}  // namespace ffasim::spmc
