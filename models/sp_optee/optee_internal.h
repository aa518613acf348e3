// Private to the OP-TEE SP model: its configuration, the state shared by its vCPUs (the thread
// pool), and the vCPU context. Names follow OP-TEE's core/arch/arm/kernel/thread_spmc.c.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/ffa/abi.h"
#include "models/sp_optee/optee_sp.h"
#include "sim/core/coroutine.h"
#include "sim/core/pe.h"

namespace ffasim::sp::optee_impl {

using sim::ArgRegs;
using sim::Task;

// Scenario parameters (see optee_sp.h).
struct CmdConfig {
  double work_cycles = 0;
  uint32_t rpcs = 0;
};
struct Config {
  unsigned threads = 8;
  double default_work_cycles = 20000;
  std::map<uint32_t, CmdConfig> cmds;  // by optee_msg_arg.func
  uint64_t shm_base = 0, shm_size = 0;
  CmdConfig for_func(uint32_t func) const;
};
// Throws std::invalid_argument("<key>: <what was expected>").
Config parse_config(const std::map<std::string, std::string>& params);

// One OP-TEE thread (struct thread_ctx). Allocated by YIELDING_CALL_WITH_ARG, suspended while the
// normal world serves an RPC, freed when the call is done. Any vCPU may resume it.
struct Thread {
  bool allocated = false;
  sim::Picos free_at = 0;      // a freed thread is free from then on (its last work is done)
  bool suspended = false;      // returned RETURN_RPC_CMD, waits for YIELDING_CALL_RESUME
  uint32_t arg_offset = 0;     // of its optee_msg_arg in the carve-out
  uint32_t num_params = 0;
  uint32_t cmd = 0, func = 0;
  uint32_t rpcs_left = 0;
  double segment_cycles = 0;   // the call's work is split evenly around its RPCs
  uint32_t rpc_ret = 0;        // optee_msg_arg.ret of the last RPC the normal world served
  uint32_t rpc_target_info = 0;  // w1 of its RPC replies: own ID << 16 | caller
  // Stopped by a managed exit (a foreign interrupt): the work it had left and the call it was
  // about to make, resumed as they were by YIELDING_CALL_RESUME.
  bool by_interrupt = false;
  double interrupted_cycles = 0;
  ArgRegs interrupted_call{};
};

// State of the partition, shared by all its vCPUs.
struct OpteeState {
  SpEnv env;
  Config cfg;
  OpteeTiming t;
  std::vector<Thread> threads;
  int32_t own_id = -1;          // from FFA_ID_GET (optee_endpoint_id)
  uint16_t spmc_id = 0;         // from FFA_SPM_ID_GET
  uint32_t ffa_version = 0;     // min(own, SPMC's)
  bool notif_ready = false;     // spmc_notif_is_ready: FFA_FEATURES(FFA_NOTIFICATION_SET) succeeded
  int64_t bottom_half_value = -1;  // from OPTEE_FFA_ENABLE_ASYNC_NOTIF
  uint32_t next_session = 1;
  std::string name;             // "OP-TEE (0x8001)" in messages
};

// vCPU i of the partition (an OP-TEE core context).
class OpteeVcpu : public sim::CoContext {
 public:
  OpteeVcpu(OpteeState& s, unsigned index);
  // The FIQ vector at S-EL1 (optee_interrupts.cpp): the managed-exit virtual interrupt.
  sim::Step foreign_interrupt(sim::Pe& pe);

 private:
  Call call(const ArgRegs& a);
  double cycles(double insns) const { return pe().cycles_for_insns(insns); }
  [[noreturn]] void panic(const std::string& why) const;

  Task<void> body();
  Task<void> spmc_init();                  // boot of the primary vCPU
  ArgRegs msg_recv(const ArgRegs& msg);    // thread_spmc_msg_recv: the next call to make
  ArgRegs direct_request(const ArgRegs& msg);
  ArgRegs framework_request(const ArgRegs& msg, uint32_t resp_fid, uint32_t src_dst);
  ArgRegs blocking_call(const ArgRegs& msg, uint32_t resp_fid, uint32_t src_dst);
  uint32_t enable_async_notif(uint32_t value, uint16_t vm_id);

  // Yielding calls (optee_yielding.cpp).
  ArgRegs yielding_call(const ArgRegs& msg, uint32_t resp_fid, uint32_t src_dst);
  ArgRegs with_arg(int thread, const ArgRegs& msg, uint32_t resp_fid, uint32_t src_dst);
  ArgRegs resume(const ArgRegs& msg, uint32_t resp_fid, uint32_t src_dst);
  ArgRegs run_thread(int thread, uint32_t resp_fid, uint32_t src_dst);
  ArgRegs thread_done(int thread, uint32_t res, uint32_t resp_fid, uint32_t src_dst);
  ArgRegs reply(uint32_t resp_fid, uint32_t src_dst, uint32_t w3, uint32_t w4 = 0, uint32_t w5 = 0,
                uint32_t w6 = 0, uint32_t w7 = 0);
  int thread_alloc();
  bool write_rpc_arg(const Thread& th);
  bool read_rpc_ret(Thread& th);

  OpteeState& s_;
  unsigned index_;
  int running_thread_ = -1;  // the thread whose work this vCPU's current step is
};

// OP-TEE's exception vector at S-EL1, shared by its vCPUs: hands the virtual FIQ to the vCPU that
// runs on the PE.
class OpteeVector : public sim::ExceptionHandler {
 public:
  sim::Step take(sim::Pe& pe, const sim::ExceptionInfo& e) override;
};

// Little-endian access to byte buffers holding OP-TEE structures.
inline uint32_t get32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
inline void put32(uint8_t* p, uint32_t v) { for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i)); }
inline void put64(uint8_t* p, uint64_t v) { for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i)); }

}  // namespace ffasim::sp::optee_impl
