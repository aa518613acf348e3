// Private to the normal-world kernel model: the state shared by its PEs (the arm_ffa driver's
// drv_info, the optee driver's call queue) and the per-PE context. The behaviour is split by
// driver: arm_ffa.cpp (Linux drivers/firmware/arm_ffa/driver.c), optee_driver.cpp
// (drivers/tee/optee/ffa_abi.c and call.c), workload.cpp (the client threads), nwd_kernel.cpp
// (boot, SMCCC wrapper, PSCI, host driving).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/ffa/abi.h"
#include "models/ffa/mem_descriptors.h"
#include "models/nwd_driver/nwd_kernel.h"
#include "sim/core/coroutine.h"
#include "sim/core/pe.h"

namespace ffasim::nwd::detail {

using sim::ArgRegs;
using sim::Task;

struct NwdTiming {
#define FFASIM_PARAMS_FILE "models/nwd_driver/nwd_params.def"
#include "sim/core/profile_struct.inc"
};

// A caller of optee_ffa_yielding_call in Linux's call queue (struct optee_call_waiter).
struct CallWaiter {
  sim::Pe* pe = nullptr;
  bool completed = false;  // struct completion
  bool parked = false;     // sleeping in optee_cq_wait_for_completion (the PE is in WFI)
};

// Linux's arch timer on one PE (irq.cpp).
struct TimerState {
  bool on = false;       // a timer PE of the scenario
  uint64_t hz = 0;       // CNTFRQ_EL0
  uint64_t period = 0;   // in counter ticks
  uint64_t served = 0;   // ticks handled so far
};

// What the kernel shares between its PEs.
struct KernelState {
  NwdConfig cfg;
  NwdEnv env;
  NwdTiming t;
  DriverState st;
  std::vector<sim::HostChannel> channels;  // per PE
  std::vector<bool> active;                // PEs that run: PE 0 and those brought up with CPU_ON
  unsigned pes_pending = 0;                // active PEs whose workload has not finished yet
  // arm_ffa drv_info (the rest is in DriverState).
  bool mem_ops_native = false, msg_direct_req2_supp = false, bitmap_created = false;
  // optee driver.
  bool optee_ready = false;  // optee_ffa_probe succeeded
  std::list<CallWaiter*> call_queue;  // optee->call_queue.waiters, in order
  uint64_t invoke_key = 0;            // tracer operation "optee.invoke"
  std::vector<TimerState> timers;     // per PE
  // MM client (mm_client.cpp).
  bool mm_ready = false;              // efi_init_variables succeeded
  uint64_t mm_set_key = 0, mm_get_key = 0;  // tracer operations "mm.set_variable", "mm.get_variable"
  // Notifications: IDs with a registered callback (notify_request), by (sender, ID).
  std::set<std::pair<uint16_t, uint32_t>> notif_requested;
  uint64_t notif_key = 0;             // tracer operation "notification.set_get"
};

inline constexpr uint32_t kPsciVersion = 0x84000000u, kPsciCpuOn64 = 0xC4000003u;
inline constexpr uint64_t kSlotSize = 4096;  // per-PE optee_msg_arg slot in the static carve-out

// OP-TEE's UUID 486178e0-e7f8-11e3-bc5e-0002a5d5c51b (the optee driver's ffa_device_id).
inline ffa::Uuid optee_uuid() { return ffa::Uuid::from_words(0xe0786148, 0xe311f8e7, 0x02005ebc, 0x1bc5d5a5); }


// The IRQ vector at NS-EL1 (irq.cpp).
class NwdIrqHandler : public sim::ExceptionHandler {
 public:
  explicit NwdIrqHandler(KernelState& k);
  sim::Step take(sim::Pe& pe, const sim::ExceptionInfo& e) override;

 private:
  void timer_tick(sim::Pe& pe, sim::Picos acknowledged);
  void record_latency(sim::Pe& pe, uint64_t key, sim::Picos asserted, sim::Picos acknowledged);
  KernelState& k_;
  uint64_t timer_key_ = 0;
  std::vector<sim::Picos> ack_counters_;  // the PE's component counters at the acknowledge
};

// The kernel's execution context on one PE.
class NwdThread : public sim::CoContext {
 public:
  NwdThread(KernelState& k, unsigned pe_index);

 private:
  // nwd_kernel.cpp
  Task<void> body();
  Task<ArgRegs> smccc(ArgRegs a);       // __arm_smccc_1_2_smc with its wrapper costs
  Task<ArgRegs> ffa_call(ArgRegs a);    // an arm_ffa function around invoke_ffa_fn
  Task<ArgRegs> direct_req(ArgRegs a);  // + ffa_msg_send_wait_for_completion (FFA_RUN loop)
  Task<void> cpu_on_secondaries();
  void interrupts_init();  // irq.cpp
  Task<void> host_loop();
  void spend_insns(double n) { spend_cycles(pe().cycles_for_insns(n)); }
  void spend_cycles(double c) { work(c); pending_ += c; }
  sim::Picos exact_now() const;  // now() including the work not yet charged
  void error(const std::string& where, const std::string& what);
  void error(const std::string& where, const ArgRegs& call, const ArgRegs& result);

  // arm_ffa.cpp
  Task<bool> arm_ffa_probe();
  Task<bool> version_check();
  Task<bool> rxtx_setup();
  Task<void> drvinfo_flags_init();
  Task<void> notifications_setup();
  Task<void> notifications_cleanup();
  Task<bool> setup_partitions();
  Task<int> partition_probe(ffa::Uuid uuid, std::vector<DriverState::Device>* out);
  Task<int> partition_info_get(ffa::Uuid uuid, std::vector<DriverState::Device>* out);
  Task<int> partition_info_get_regs(ffa::Uuid uuid, std::vector<DriverState::Device>* out);
  Task<int> features(uint32_t id, uint32_t* w2 = nullptr);  // 0 or the FF-A error code

  // optee_driver.cpp
  Task<void> optee_probe();
  Task<bool> optee_send(ArgRegs call, ArgRegs& result, const char* where);
  Task<void> optee_async_notif_init();
  Task<bool> optee_invoke(uint32_t func, uint32_t session);
  Task<bool> optee_yielding_call(uint32_t slot_offset, CallWaiter& w);
  Task<void> optee_handle_rpc(uint64_t rpc_arg_pa);
  Task<void> cq_wait_for_completion(CallWaiter& w);
  void cq_wait_final(CallWaiter& w);
  void cq_complete_one();

  // mm_client.cpp
  uint64_t mm_slot_size() const;
  std::vector<uint8_t> mm_setup_hdr(uint64_t payload_size, uint64_t function);
  Task<bool> mm_discover();
  Task<void> mm_init();
  Task<uint64_t> mm_communicate(std::vector<uint8_t>& buf, uint64_t dsize);
  Task<uint64_t> mm_set_variable(uint32_t index, uint32_t attr, const std::vector<uint8_t>& data);
  Task<uint64_t> mm_get_variable(uint32_t index, uint64_t& size, std::vector<uint8_t>& data);
  Task<bool> mm_item(const WorkloadItem& item, uint64_t n);
  // arm_ffa_notifications.cpp
  Task<void> sri_handler();
  Task<void> self_notif_handle(uint16_t vcpu, bool per_vcpu);
  Task<void> sched_recv(uint16_t part_id, uint16_t vcpu, bool per_vcpu);
  void handle_notif_callbacks(uint64_t bitmap);
  Task<bool> notify_request(uint16_t sender, uint32_t id, bool per_vcpu);

  // workload.cpp
  Task<void> run_workload();
  Task<void> run_item(const WorkloadItem& item);
  Task<bool> direct_echo(const WorkloadItem& item, uint64_t n);
  Task<bool> direct_req2_echo(const WorkloadItem& item, uint64_t n);
  Task<bool> simple_call(const WorkloadItem& item);
  Task<bool> notification_set_get(const WorkloadItem& item);

  // mem_share.cpp
  Task<bool> mem_share(const WorkloadItem& item);
  Task<uint64_t> mem_send(ffa::mem::Transaction type, const std::vector<uint8_t>& bytes, uint32_t head);
  uint64_t mem_share_buffer(const WorkloadItem& item, uint64_t bytes, bool fresh);

  uint16_t own_id() const { return k_.st.own_id == 0xFFFF ? 0 : k_.st.own_id; }
  uint32_t src_dst(uint16_t dst) const { return uint32_t(own_id()) << 16 | dst; }

  KernelState& k_;
  unsigned index_;
  // direct_echo: the parameters of the item being run.
  const WorkloadItem* echo_item_ = nullptr;
  bool echo_smc64_ = false;
  uint16_t echo_target_ = 0;
  // mem_share: the memory of the item being run.
  const WorkloadItem* share_item_ = nullptr;
  uint64_t share_base_ = 0;
  double pending_ = 0;  // cycles passed to work() since the last resume
};

// True if the workload uses the MM client (mm_* kinds).
bool uses_mm(const NwdConfig& cfg);
// Checks a workload against the kinds and parameters of nwd_kernel.h (workload.cpp).
void validate_workload(const NwdConfig& cfg);
// Parameter of a workload item, or its default.
double item_param(const WorkloadItem& item, const char* key, double def);
// "FFA_ERROR FFA_BUSY", "FFA_MSG_SEND_DIRECT_RESP_32", ...: what a result register set is.
std::string describe_result(const ArgRegs& r);

}  // namespace ffasim::nwd::detail
