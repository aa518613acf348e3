// OP-TEE yielding calls (../shared/reference/ffa-abi.md section 7.3): handle_yielding_call,
// thread_alloc_and_run, yielding_call_with_arg, thread_rpc_cmd and thread_resume_from_rpc of
// OP-TEE's thread_spmc.c, on a thread pool shared by all vCPUs.
//
// A thread's TA work is data, not a coroutine: the call's work is split evenly into rpcs + 1
// segments; each segment ends with an RPC (the thread is suspended, RETURN_RPC_CMD) or with the
// call done (RETURN_DONE). Whichever vCPU receives YIELDING_CALL_RESUME runs the next segment.
#include "models/sp_optee/optee_internal.h"
#include "sim/core/pe.h"

namespace ffasim::sp::optee_impl {

using ffa::Abi;
using ffa::fid;

namespace {
constexpr uint32_t kRpcArgSize = optee::msg_arg_size(optee::RPC_PARAMS);  // THREAD_RPC_MAX_NUM_PARAMS
constexpr uint32_t kFfaDenied = uint32_t(int32_t(ffa::Error::DENIED));
}  // namespace

ArgRegs OpteeVcpu::reply(uint32_t resp_fid, uint32_t src_dst, uint32_t w3, uint32_t w4, uint32_t w5,
                         uint32_t w6, uint32_t w7) {
  work(cycles(s_.t.direct_resp_exit_insns));
  return ffa::regs(resp_fid, src_dst, 0, w3, w4, w5, w6, w7);
}

int OpteeVcpu::thread_alloc() {
  work(cycles(s_.t.thread_alloc_insns));
  for (size_t i = 0; i < s_.threads.size(); ++i)
    // A thread freed by a call whose last work is still ahead of this vCPU's time is not free yet.
    if (!s_.threads[i].allocated && s_.threads[i].free_at <= done_time()) {
      s_.threads[i] = Thread{};
      s_.threads[i].allocated = true;
      return int(i);
    }
  return -1;
}

ArgRegs OpteeVcpu::yielding_call(const ArgRegs& msg, uint32_t resp_fid, uint32_t src_dst) {
  work(cycles(s_.t.yielding_entry_insns));
  if (uint32_t(msg[3]) == optee::YIELDING_CALL_RESUME) return resume(msg, resp_fid, src_dst);
  // thread_alloc_and_run returns only when every thread is in use: TEE_ERROR_BUSY (not FFA_BUSY,
  // whatever optee_ffa.h's comment says), and the normal world retries later.
  const int t = thread_alloc();
  if (t < 0) return reply(resp_fid, src_dst, optee::TEE_ERROR_BUSY);
  if (uint32_t(msg[3]) != optee::YIELDING_CALL_WITH_ARG)
    return thread_done(t, kFfaDenied, resp_fid, src_dst);  // __thread_std_smc_entry: FFA_DENIED
  return with_arg(t, msg, resp_fid, src_dst);
}

// yielding_call_with_arg: w4/w5 = the carve-out "cookie", w6 = offset of the optee_msg_arg. The
// arg, and the RPC arg after it, must lie inside the carve-out (mobj_get_va).
ArgRegs OpteeVcpu::with_arg(int t, const ArgRegs& msg, uint32_t resp_fid, uint32_t src_dst) {
  work(cycles(s_.t.msg_arg_insns));
  const Config& c = s_.cfg;
  const uint64_t cookie = uint64_t(uint32_t(msg[5])) << 32 | uint32_t(msg[4]);
  const uint64_t offset = uint32_t(msg[6]);
  if (c.shm_size == 0 || cookie != c.shm_base || offset + optee::MSG_ARG_HEADER > c.shm_size)
    return thread_done(t, optee::TEE_ERROR_BAD_PARAMETERS, resp_fid, src_dst);
  uint8_t hdr[optee::MSG_ARG_HEADER];
  if (!pe().mem_read(c.shm_base + offset, hdr, sizeof hdr, sim::Security::NonSecure))
    return thread_done(t, optee::TEE_ERROR_BAD_PARAMETERS, resp_fid, src_dst);
  Thread& th = s_.threads[size_t(t)];
  th.num_params = get32(hdr + optee::ARG_NUM_PARAMS);
  const uint64_t end = offset + uint64_t(optee::msg_arg_size(th.num_params)) + kRpcArgSize;
  if (th.num_params > 0xFFFF || end > c.shm_size)
    return thread_done(t, optee::TEE_ERROR_BAD_PARAMETERS, resp_fid, src_dst);
  // tee_entry_std copies the parameters in; their content does not change the model's work.
  std::vector<uint8_t> params(size_t(th.num_params) * optee::MSG_PARAM_SIZE);
  if (!params.empty() && !pe().mem_read(c.shm_base + offset + optee::MSG_ARG_HEADER, params.data(),
                                        params.size(), sim::Security::NonSecure))
    return thread_done(t, optee::TEE_ERROR_BAD_PARAMETERS, resp_fid, src_dst);
  th.arg_offset = uint32_t(offset);
  th.cmd = get32(hdr + optee::ARG_CMD);
  th.func = get32(hdr + optee::ARG_FUNC);
  if (th.cmd > 7)  // OPEN_SESSION .. STOP_ASYNC_NOTIF; tee_entry_std: "Unknown cmd"
    return thread_done(t, optee::TEE_ERROR_NOT_IMPLEMENTED, resp_fid, src_dst);
  const CmdConfig cc = c.for_func(th.func);
  th.rpcs_left = cc.rpcs;
  th.segment_cycles = cc.work_cycles / double(cc.rpcs + 1);
  th.rpc_target_info = src_dst;
  return run_thread(t, resp_fid, src_dst);
}

// Runs the next segment of thread t, then suspends it in an RPC or completes the call.
ArgRegs OpteeVcpu::run_thread(int t, uint32_t resp_fid, uint32_t src_dst) {
  Thread& th = s_.threads[size_t(t)];
  // The TA runs with foreign (Non-secure) interrupts unmasked: a managed exit may stop it.
  running_thread_ = t;
  pe().state().pstate.daif &= uint8_t(~sim::daif::F);
  work(th.segment_cycles);
  if (th.rpcs_left == 0) {
    uint8_t out[8];
    // A failed RPC fails the TA command the way tee_time_get_ree_time's caller sees it.
    put32(out, th.rpc_ret);
    put32(out + 4, th.rpc_ret ? optee::TEE_ORIGIN_COMMS : optee::TEE_ORIGIN_TRUSTED_APP);
    const uint64_t arg = s_.cfg.shm_base + th.arg_offset;
    pe().mem_write(arg + optee::ARG_RET, out, sizeof out, sim::Security::NonSecure);
    if (th.cmd == optee::MSG_CMD_OPEN_SESSION) {
      put32(out, s_.next_session++);
      pe().mem_write(arg + optee::ARG_SESSION, out, 4, sim::Security::NonSecure);
    }
    return thread_done(t, 0, resp_fid, src_dst);
  }
  --th.rpcs_left;
  work(cycles(s_.t.rpc_exit_insns));
  if (!write_rpc_arg(th)) return thread_done(t, optee::TEE_ERROR_BAD_PARAMETERS, resp_fid, src_dst);
  th.suspended = true;
  return reply(resp_fid, th.rpc_target_info, 0, optee::RETURN_RPC_CMD, 0, 0, uint32_t(t));
}

// get_rpc_arg for OPTEE_RPC_CMD_GET_TIME (tee_time_get_ree_time): the whole RPC arg is cleared,
// ret preset to TEE_ERROR_GENERIC, one VALUE_OUTPUT parameter.
bool OpteeVcpu::write_rpc_arg(const Thread& th) {
  uint8_t a[kRpcArgSize] = {};
  put32(a + optee::ARG_CMD, optee::RPC_CMD_GET_TIME);
  put32(a + optee::ARG_RET, optee::TEE_ERROR_GENERIC);
  put32(a + optee::ARG_NUM_PARAMS, 1);
  put64(a + optee::MSG_ARG_HEADER + optee::PARAM_ATTR, optee::MSG_ATTR_TYPE_VALUE_OUTPUT);
  const uint64_t at = s_.cfg.shm_base + th.arg_offset + optee::msg_arg_size(th.num_params);
  return pe().mem_write(at, a, sizeof a, sim::Security::NonSecure);
}

// get_rpc_arg_res: the normal world's answer (ret and the value parameter).
bool OpteeVcpu::read_rpc_ret(Thread& th) {
  uint8_t a[optee::msg_arg_size(1)];
  const uint64_t at = s_.cfg.shm_base + th.arg_offset + optee::msg_arg_size(th.num_params);
  if (!pe().mem_read(at, a, sizeof a, sim::Security::NonSecure)) return false;
  th.rpc_ret = get32(a + optee::ARG_RET);
  return true;
}

// YIELDING_CALL_RESUME, w7 = the thread index of the RPC reply. thread_resume_from_rpc returns
// (TEE_ERROR_BAD_PARAMETERS) only for a thread that is not suspended.
ArgRegs OpteeVcpu::resume(const ArgRegs& msg, uint32_t resp_fid, uint32_t src_dst) {
  const uint64_t t = uint32_t(msg[7]);
  if (t >= s_.threads.size() || !s_.threads[t].suspended)
    return reply(resp_fid, src_dst, optee::TEE_ERROR_BAD_PARAMETERS);
  Thread& th = s_.threads[t];
  work(cycles(s_.t.rpc_resume_insns));
  th.suspended = false;
  if (th.by_interrupt) {  // thread_resume: the interrupted work, then the call it was making
    th.by_interrupt = false;
    running_thread_ = int(t);
    pe().state().pstate.daif &= uint8_t(~sim::daif::F);
    work(th.interrupted_cycles);
    return th.interrupted_call;
  }
  if (!read_rpc_ret(th)) th.rpc_ret = optee::TEE_ERROR_GENERIC;
  return run_thread(int(t), resp_fid, src_dst);
}

// The thread returns from thread_std_smc_entry: freed, reply w3 = its result, w4 = RETURN_DONE.
ArgRegs OpteeVcpu::thread_done(int t, uint32_t res, uint32_t resp_fid, uint32_t src_dst) {
  work(cycles(s_.t.call_done_insns));
  s_.threads[size_t(t)] = Thread{};
  s_.threads[size_t(t)].free_at = done_time();
  return reply(resp_fid, src_dst, res, optee::RETURN_DONE);
}

}  // namespace ffasim::sp::optee_impl
