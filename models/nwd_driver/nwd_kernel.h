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
//   MM client, if the workload has mm_* items (U-Boot efi_init_variables): FFA_PARTITION_INFO_GET
//     with the MM service UUID -> FFA_RX_RELEASE -> MM communicate GET_PAYLOAD_SIZE.
//   then PSCI CPU_ON (SMC 0xC4000003) for every other PE that has work (or every PE with
//   cpu_on_idle_pes), then its own workload.
// Other PEs start at the secondary entry (after CPU_ON) and run their workload.
// When a PE's workload is done it parks, waiting for host calls (HostChannel), so Python can
// drive raw calls afterwards. With `linux_driver` off, PE 0 does no probe: every PE goes straight
// to its workload (usually none) and then to host driving.
//
// SRI handler (arm_ffa_notifications.cpp, Linux ffa_sched_recv_irq_work_fn -> ffa_notification_
// info_get): FFA_NOTIFICATION_INFO_GET_64 while the "more pending" bit is set; for each list, the
// receiver's scheduling callback: the kernel's own ID -> FFA_NOTIFICATION_GET(SP | SPM bitmaps,
// vCPU = this PE, or the listed vCPU for a per-vCPU list) and the per-ID callbacks (NWd VM map,
// SP map, framework map, in Linux's order); an SP -> nothing (Linux's drivers register no
// scheduling callback for SPs; it would give the SP cycles with FFA_RUN), counted. Deviation:
// Linux runs a per-vCPU GET on that CPU (smp_call_function_single); the model issues the same
// call from this PE, since cross-PE IPIs are not modelled yet. The SRI is not yet taken as an
// interrupt: the notification_set_get workload runs the handler where the SRI would arrive.
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
//   mm_set_variable  SetVariable of "ffasim<index>": size (data bytes, default 16), index (0),
//                    attributes (default 7: NV | BS | RT), expect, think_cycles
//   mm_get_variable  GetVariable of "ffasim<index>": size (the caller's buffer, default 16),
//                    index, expect, think_cycles
//   (expect: the EFI status number the call must return, 0 = EFI_SUCCESS, 5 =
//   EFI_BUFFER_TOO_SMALL, 14 = EFI_NOT_FOUND; any other result is one line in errors)
//   notification_set_get target (a test SP's ID, required), id (notification ID 0-63, default 1),
//                 delay_sri (0/1, default 1), per_vcpu (0/1, default 0: bind and set it as a
//                 per-vCPU notification for this PE's vCPU), think_cycles: the first call binds
//                 `id` for the target (FFA_NOTIFICATION_BIND, as a client driver's notify_request) and
//                 registers a callback; each call asks the test SP to set it
//                 (CMD_NOTIFICATION_SET, delay-SRI flag as given), then runs the SRI handler
//                 as if the SRI had arrived on this PE; the callback must see the ID. One
//                 tracer operation "notification.set_get" (caller 0, callee target) per call.
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
  uint64_t mm_shm_base = 0, mm_shm_size = 0;        // the MM carve-out, one slot per PE (mm_client.cpp)
  ffa::Version driver_version{1, 2};
  bool cpu_on_idle_pes = false;     // CPU_ON PEs without workload too, so the host can drive them
  // Interrupts (with a GIC: the PEs have a system-register bus to its CPU interface). Each PE
  // unmasks IRQs and programs its CPU interface as Linux's gic_cpu_sys_reg_init does. On
  // `timer_pes`, Linux's arch timer (the EL1 virtual timer CNTV, PPI 27) fires every
  // `timer_period_ns`, `timer_ticks` times, from `timer_start_ns` after the PE starts its
  // workload. Every served timer interrupt is a span "irq.timer": from the timer's expiry (its
  // CVAL) to the ICC_IAR1_EL1 read in the handler.
  bool gic = false;
  std::vector<unsigned> timer_pes;
  double timer_period_ns = 0, timer_start_ns = 0;
  uint64_t timer_ticks = 0;
};

struct NwdEnv {
  sim::Memory* memory = nullptr;     // to allocate the RX/TX pages (claims, owner "nwd")
  sim::Tracer* tracer = nullptr;
  sim::ComponentId component = 0;
  const sim::Profile* profile = nullptr;
  // Where an interrupt's latency goes before the PE takes any exception for it.
  sim::ComponentId pending_component = 0;
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
  uint64_t irqs = 0, timer_irqs = 0, spurious_irqs = 0;  // taken by the NS-EL1 IRQ handler
  uint64_t interrupted_calls = 0;  // direct requests answered FFA_INTERRUPT (resumed with FFA_RUN)
  // MM client: the partition found by the MM service UUID, its max payload (get_max_payload - 2),
  // and every variable call in completion order (data_size: the size set, or the size GetVariable
  // reported; checksum: FNV-1a of the data set or read).
  bool mm_found = false;
  uint16_t mm_id = 0;
  uint64_t mm_max_payload = 0;
  struct MmCall { unsigned pe; std::string op; uint64_t status; uint64_t data_size; uint64_t checksum; };
  std::vector<MmCall> mm_calls;
  // The SRI handler (Linux ffa_sched_recv_irq_work_fn): runs, FFA_NOTIFICATION_INFO_GET and
  // FFA_NOTIFICATION_GET calls made, SP receivers listed (no scheduling callback: not run),
  // notifications delivered to a registered callback (per ID) and ones without a callback
  // (dropped, as Linux does).
  uint64_t sri_handled = 0, info_gets = 0, notification_gets = 0, receivers_unscheduled = 0;
  std::map<uint32_t, uint64_t> notif_callbacks;
  uint64_t notif_unhandled = 0;
  std::vector<std::string> errors;  // every unexpected result, one line each
};

class NwdKernel {
 public:
  NwdKernel(const NwdConfig& cfg, const NwdEnv& env);
  ~NwdKernel();
  static void declare(sim::Profile& p);  // nwd_params.def

  sim::ExecContext& context(unsigned pe);
  // The IRQ vector at NS-EL1 (install on every PE when there is a GIC).
  sim::ExceptionHandler& irq_handler();
  sim::HostChannel& host_channel(unsigned pe);
  const DriverState& state() const;
  bool workload_done() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ffasim::nwd
