// The normal world at NS-EL1: the behaviour of the Linux arm_ffa driver and the optee FF-A
// driver, and a client workload. One ExecContext per PE. Facts: ../shared/reference/ffa-abi.md
// sections 1.2, 2, 3, 7 (probe sequences in 7.5). Timing parameters: nwd_params.def.
//
// PE 0 (cold boot) runs, in the order of Linux's ffa_init (section 7.5):
//   arm_ffa probe: FFA_VERSION(driver_version) -> FFA_ID_GET -> FFA_FEATURES(RXTX_MAP_64) ->
//     FFA_RXTX_MAP_64(tx, rx, pages: max(rxtx_pages, the minimum FEATURES reports)) ->
//     FFA_FEATURES(MEM_LEND_64) [-> FFA_FEATURES(MEM_SHARE_64) if that failed] ->
//     FFA_FEATURES(DIRECT_REQ2) [-> FFA_FEATURES(DIRECT_RESP2) if that failed] ->
//     FFA_FEATURES(NOTIFICATION_BITMAP_CREATE) [-> FFA_NOTIFICATION_BITMAP_CREATE(own ID,
//     pe_count)] -> FFA_FEATURES(feature 2, SRI) -> FFA_FEATURES(feature 1, NPI)
//     [-> FFA_NOTIFICATION_BITMAP_DESTROY if neither interrupt exists] ->
//     FFA_FEATURES(PARTITION_INFO_GET_REGS), then either FFA_PARTITION_INFO_GET_REGS (count, then
//     the descriptors, as many calls as needed) or FFA_PARTITION_INFO_GET(NULL UUID, count only)
//     -> FFA_PARTITION_INFO_GET(NULL UUID) -> descriptors read from RX (stride w3) ->
//     FFA_RX_RELEASE -> one device per descriptor.
//   optee probe, if a partition has OP-TEE's UUID (ffa_abi.c optee_ffa_probe): DIRECT_REQ_32
//     GET_API_VERSION -> GET_OS_VERSION -> EXCHANGE_CAPABILITIES -> if the ASYNC_NOTIF capability
//     is set and notifications are enabled: FFA_NOTIFICATION_BIND(OP-TEE -> own ID, id) from id 0
//     up while it is DENIED -> ENABLE_ASYNC_NOTIF(id) [-> FFA_NOTIFICATION_UNBIND if refused].
//     Device enumeration (PTA_CMD_GET_DEVICES) needs FF-A memory sharing and is not modelled.
//   then PSCI CPU_ON (SMC 0xC4000003) for every other PE that has work (or every PE with
//   cpu_on_idle_pes), then its own workload.
// Other PEs start at the secondary entry (after CPU_ON) and run their workload.
// When a PE's workload is done it parks, waiting for host calls (HostChannel), so Python can
// drive raw calls afterwards. With `linux_driver` off, PE 0 does no probe: every PE goes straight
// to its workload (usually none) and then to host driving.
//
// Calls follow the Linux helpers: a direct request whose result is FFA_INTERRUPT or FFA_YIELD is
// resumed with FFA_RUN (after nwd.yield_sleep_ns for FFA_YIELD). Every unexpected result is one
// line in DriverState::errors ("PE2: optee_invoke: FFA_ERROR FFA_BUSY from
// FFA_MSG_SEND_DIRECT_REQ_32"); a failed probe step stops the probe as Linux does.
//
// OP-TEE invokes: the optee_msg_arg of PE p lives at optee_shm_base + p * 4 KiB (see
// models/sp_optee/optee_sp.h; optee_shm_size must hold pe_count slots). Each invoke is one tracer
// operation "optee.invoke" (caller 0, callee OP-TEE) covering its RPCs and busy retries. A
// TEE_ERROR_BUSY answer parks the PE in Linux's call queue until another invoke completes
// (optee_cq_wait_for_completion: each completion wakes one waiter, in queue order).
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
//   mem_share     target (the test SP's ID, required), pages (default 1), constituents (0
//                 contiguous, 1 scattered single pages), op (0 share, 1 lend, 2 donate),
//                 think_cycles: send, the target retrieves and relinquishes, reclaim
//                 (mem_share.cpp)
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
  bool cpu_on_idle_pes = false;     // CPU_ON PEs without workload too, so the host can drive them
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
  uint32_t ffa_version = 0;       // the version the driver uses: min(firmware, driver_version)
  uint16_t own_id = 0xFFFF;
  uint64_t tx = 0, rx = 0;
  uint32_t rxtx_pages = 0;
  bool notifications_enabled = false;
  struct Device { uint16_t id; uint16_t exec_ctx; uint32_t properties; ffa::Uuid uuid; };
  std::vector<Device> devices;
  bool optee_found = false;
  uint16_t optee_id = 0;
  int64_t optee_bottom_half = -1;  // notification ID bound for OP-TEE's bottom half, -1 if none
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
