// The normal world at NS-EL1: the behaviour of the Linux arm_ffa driver and the optee FF-A
// driver, and a client workload. One ExecContext per PE. Facts: ../shared/reference/ffa-abi.md
// sections 1.2, 2, 3, 7 (probe sequences in 7.5). Timing parameters: nwd_params.def.
//
// PE 0 (cold boot) runs:
//   arm_ffa probe: FFA_VERSION(v1.2) -> FFA_ID_GET -> FFA_FEATURES(RXTX_MAP_64) ->
//     FFA_RXTX_MAP_64(tx, rx, pages) -> FFA_PARTITION_INFO_GET(NULL UUID, count only) ->
//     FFA_PARTITION_INFO_GET(NULL UUID) -> read the descriptors from RX (stride w3) ->
//     FFA_RX_RELEASE -> one device per partition.
//   optee probe, if a partition has OP-TEE's UUID: DIRECT_REQ_32 GET_API_VERSION ->
//     GET_OS_VERSION -> EXCHANGE_CAPABILITIES.
//   then PSCI CPU_ON for every other PE that has work, then its own workload.
// Other PEs start at the secondary entry (after CPU_ON) and run their workload.
// When a PE's workload is done it parks, waiting for host calls (HostChannel), so Python can
// drive raw calls afterwards. With `linux_driver` off, PE 0 does no probe: every PE goes straight
// to its workload (usually none) and then to host driving.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/ffa/types.h"
#include "sim/core/host_channel.h"
#include "sim/core/profile.h"
#include "sim/core/software.h"
#include "sim/core/tracer.h"

namespace ffasim::sim { class Memory; }

namespace ffasim::nwd {

// One line of the scenario's workload: one thread on each listed PE, each making `count` calls.
// Kinds and their params (unknown kinds or params are std::invalid_argument with the key):
//   optee_invoke  func (TA command id, default 0), session (default 1), think_cycles
//   direct_echo   target (SP ID, required), smc64 (0/1), think_cycles
//   direct_req2_echo target, think_cycles
//   ffa_version, id_get, psci_version, features (fid, default FFA_MSG_SEND_DIRECT_REQ_32),
//   partition_info_get (count only)   think_cycles
struct WorkloadItem {
  std::string kind;
  std::vector<unsigned> pes;
  uint64_t count = 1;
  std::map<std::string, double> params;
};

struct NwdConfig {
  bool linux_driver = true;
  std::vector<WorkloadItem> workload;
  unsigned pe_count = 1;
  std::vector<uint64_t> mpidr;      // per PE, for CPU_ON
  uint32_t rxtx_pages = 1;
  uint64_t optee_shm_base = 0, optee_shm_size = 0;  // see models/sp_optee/optee_sp.h
  ffa::Version driver_version{1, 2};
};

struct NwdEnv {
  sim::Memory* memory = nullptr;     // to allocate the RX/TX pages (claims, owner "nwd")
  sim::Tracer* tracer = nullptr;
  sim::ComponentId component = 0;
  const sim::Profile* profile = nullptr;
};

// What the probe found (for reports and tests).
struct DriverState {
  uint32_t firmware_version = 0;  // FFA_VERSION result
  uint16_t own_id = 0xFFFF;
  uint64_t tx = 0, rx = 0;
  struct Device { uint16_t id; uint16_t exec_ctx; uint32_t properties; ffa::Uuid uuid; };
  std::vector<Device> devices;
  bool optee_found = false;
  uint32_t optee_api_major = 0, optee_api_minor = 0, optee_caps = 0;
  uint64_t invokes_done = 0, busy_retries = 0, rpcs_served = 0;
  std::vector<std::string> errors;  // every unexpected result, one line each
};

class NwdKernel {
 public:
  NwdKernel(const NwdConfig& cfg, const NwdEnv& env);
  ~NwdKernel();
  static void declare(sim::Profile& p);  // nwd_params.def

  sim::ExecContext& context(unsigned pe);
  sim::HostChannel& host_channel(unsigned pe);
  const DriverState& state() const;
  bool workload_done() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ffasim::nwd
