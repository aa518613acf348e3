// The Linux optee driver over FF-A (drivers/tee/optee/ffa_abi.c) and its call queue
// (drivers/tee/optee/call.c). Facts: ../shared/reference/ffa-abi.md sections 7.2-7.5.
#include <cstdio>

#include "models/nwd_driver/nwd_internal.h"
#include "models/ffa/optee_protocol.h"
#include "sim/core/pe.h"

namespace ffasim::nwd::detail {

using ffa::Abi;
using ffa::fid;
namespace optee = ffa::optee;

namespace {

constexpr uint32_t kInvokeParams = 4;  // the invoke's optee_msg_arg carries 4 (NONE) parameters
constexpr uint32_t TEEC_ERROR_NOT_SUPPORTED = 0xFFFF000Au;

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}
uint32_t get32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
void put32(uint8_t* p, uint32_t v) { for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i)); }
void put64(uint8_t* p, uint64_t v) { for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i)); }

}  // namespace

// ffa_dev->ops->msg_ops->sync_send_receive in 32-bit mode (the optee driver sets mode_32bit).
Task<bool> NwdThread::optee_send(ArgRegs call, ArgRegs& result, const char* where) {
  result = co_await direct_req(call);
  if (result[0] == fid(Abi::MSG_SEND_DIRECT_RESP)) co_return true;
  error(where, call, result);
  co_return false;
}

// optee_ffa_probe up to the asynchronous notifications.
Task<void> NwdThread::optee_probe() {
  const uint16_t id = k_.st.optee_id;
  ArgRegs r;
  if (!co_await optee_send(ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), src_dst(id), 0, optee::GET_API_VERSION), r,
                           "optee_ffa_probe"))
    co_return;
  if (uint32_t(r[3]) != optee::API_MAJOR) {
    error("optee_ffa_probe", "incompatible OP-TEE API version " + std::to_string(uint32_t(r[3])) + "." +
                                 std::to_string(uint32_t(r[4])));
    co_return;
  }
  k_.st.optee_api_major = uint32_t(r[3]);
  k_.st.optee_api_minor = uint32_t(r[4]);
  if (!co_await optee_send(ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), src_dst(id), 0, optee::GET_OS_VERSION), r,
                           "optee_ffa_probe"))
    co_return;
  if (!co_await optee_send(ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), src_dst(id), 0, optee::EXCHANGE_CAPABILITIES),
                           r, "optee_ffa_probe"))
    co_return;
  if (uint32_t(r[3]) != 0) {
    error("optee_ffa_probe", "unexpected exchange error " + hex(uint32_t(r[3])));
    co_return;
  }
  k_.st.optee_caps = uint32_t(r[5]);
  k_.optee_ready = true;
  if (k_.st.optee_caps & optee::CAP_ASYNC_NOTIF) co_await optee_async_notif_init();
}

// optee_ffa_async_notif_init: bind the first free notification ID (DENIED = bound already), then
// tell OP-TEE; if OP-TEE refuses, unbind. Failure leaves the driver working without them.
Task<void> NwdThread::optee_async_notif_init() {
  const char* where = "optee_ffa_async_notif_init";
  if (!k_.st.notifications_enabled) {  // notify_request: -EOPNOTSUPP, no call made
    error(where, "FF-A notifications are not enabled");
    co_return;
  }
  const uint32_t pair = uint32_t(k_.st.optee_id) << 16 | own_id();  // sender OP-TEE, receiver us
  uint32_t id = 0;
  for (;; ++id) {
    if (id >= optee::MAX_ASYNC_NOTIF_VALUE) {
      error(where, "every notification ID below 64 is bound");
      co_return;
    }
    const uint64_t bit = 1ull << id;
    const ArgRegs call = ffa::regs(fid(Abi::NOTIFICATION_BIND), pair, 0, uint32_t(bit), uint32_t(bit >> 32));
    const ArgRegs r = co_await ffa_call(call);
    if (r[0] == fid(Abi::SUCCESS)) break;
    if (ffa::is_error(r, ffa::Error::DENIED)) continue;
    error(where, call, r);
    co_return;
  }
  ArgRegs r;
  const bool sent = co_await optee_send(
      ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), src_dst(k_.st.optee_id), 0, optee::ENABLE_ASYNC_NOTIF, id), r, where);
  if (sent && uint32_t(r[3]) == 0) {
    k_.st.optee_bottom_half = id;
    co_return;
  }
  if (sent) error(where, "OPTEE_FFA_ENABLE_ASYNC_NOTIF(" + std::to_string(id) + ") returned " + hex(uint32_t(r[3])));
  const uint64_t bit = 1ull << id;
  const ArgRegs call = ffa::regs(fid(Abi::NOTIFICATION_UNBIND), pair, 0, uint32_t(bit), uint32_t(bit >> 32));
  const ArgRegs u = co_await ffa_call(call);
  if (u[0] == fid(Abi::ERROR)) error(where, call, u);
}

// One TA invoke (optee_invoke_func -> optee_ffa_do_call_with_arg): the msg arg goes into this PE's
// slot of the static carve-out; the whole call, RPCs and busy waits included, is one operation.
Task<bool> NwdThread::optee_invoke(uint32_t func, uint32_t session) {
  if (!k_.optee_ready) {
    error("optee_invoke", "OP-TEE was not probed");
    co_return false;
  }
  sim::Tracer* tr = k_.env.tracer;
  const int64_t op = tr ? tr->begin_operation(k_.invoke_key, 0, k_.st.optee_id, pe().id(), exact_now(),
                                              component, exact_now() - pe().now())
                        : -1;
  spend_insns(k_.t.optee_invoke_insns);
  const uint32_t slot = uint32_t(index_ * kSlotSize);
  const uint64_t arg_pa = k_.cfg.optee_shm_base + slot;
  uint8_t arg[optee::msg_arg_size(kInvokeParams)] = {};
  put32(arg + optee::ARG_CMD, optee::MSG_CMD_INVOKE_COMMAND);
  put32(arg + optee::ARG_FUNC, func);
  put32(arg + optee::ARG_SESSION, session);
  put32(arg + optee::ARG_NUM_PARAMS, kInvokeParams);
  bool ok = pe().mem_write(arg_pa, arg, sizeof arg, sim::Security::NonSecure);
  if (!ok) error("optee_invoke", "the msg arg at " + hex(arg_pa) + " is not writable");
  CallWaiter w;
  w.pe = &pe();
  if (ok) {
    k_.call_queue.push_back(&w);  // optee_cq_wait_init
    ok = co_await optee_yielding_call(slot, w);
    cq_wait_final(w);
  }
  if (ok) {
    uint8_t res[8];
    ok = pe().mem_read(arg_pa + optee::ARG_RET, res, sizeof res, sim::Security::NonSecure);
    if (ok && get32(res) != 0) {
      error("optee_invoke", "TA command " + std::to_string(func) + " returned " + hex(get32(res)) +
                                " (origin " + std::to_string(get32(res + 4)) + ")");
      ok = false;
    }
  }
  spend_insns(k_.t.optee_done_insns);
  if (ok) ++k_.st.invokes_done;
  if (tr) tr->end_operation(op, pe().id(), exact_now(), ok ? 0 : 1, component, exact_now() - pe().now());
  co_return ok;
}

// optee_ffa_yielding_call: WITH_ARG, then RESUME after each RPC; TEE_ERROR_BUSY waits in the call
// queue and repeats the same request.
Task<bool> NwdThread::optee_yielding_call(uint32_t slot_offset, CallWaiter& w) {
  const uint64_t base = k_.cfg.optee_shm_base;
  const uint32_t pair = src_dst(k_.st.optee_id);
  ArgRegs call = ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), pair, 0, optee::YIELDING_CALL_WITH_ARG,
                           uint32_t(base), uint32_t(base >> 32), slot_offset, 0);
  for (;;) {
    ArgRegs r;
    if (!co_await optee_send(call, r, "optee_invoke")) co_return false;
    const uint32_t w3 = uint32_t(r[3]), w4 = uint32_t(r[4]);
    if (w3 == optee::TEE_ERROR_BUSY) {
      if (uint32_t(call[3]) == optee::YIELDING_CALL_RESUME) {
        error("optee_invoke", "TEE_ERROR_BUSY answering OPTEE_FFA_YIELDING_CALL_RESUME");
        co_return false;
      }
      ++k_.st.busy_retries;
      co_await cq_wait_for_completion(w);
      continue;
    }
    if (w3 != 0) {
      error("optee_invoke", "w3 = " + hex(w3) + " answering " +
                                (uint32_t(call[3]) == optee::YIELDING_CALL_RESUME ? "YIELDING_CALL_RESUME" : "YIELDING_CALL_WITH_ARG"));
      co_return false;
    }
    if (w4 == optee::RETURN_DONE) co_return true;
    if (w4 == optee::RETURN_RPC_CMD)
      co_await optee_handle_rpc(base + slot_offset + optee::msg_arg_size(kInvokeParams));
    else if (w4 != optee::RETURN_INTERRUPT)  // "Unknown RPC func": Linux warns and resumes
      error("optee_invoke", "unknown RPC func " + hex(w4));
    call = ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), pair, 0, optee::YIELDING_CALL_RESUME, 0, 0, 0, uint32_t(r[7]));
  }
}

// handle_ffa_rpc_func_cmd for the RPC OP-TEE makes (OPTEE_RPC_CMD_GET_TIME: value[0].a = seconds,
// .b = nanoseconds of the simulated clock). Other commands would go to tee-supplicant, which is not
// modelled: TEEC_ERROR_NOT_SUPPORTED.
Task<void> NwdThread::optee_handle_rpc(uint64_t rpc_arg_pa) {
  spend_insns(k_.t.optee_rpc_insns);
  uint8_t a[optee::msg_arg_size(1)];
  if (!pe().mem_read(rpc_arg_pa, a, sizeof a, sim::Security::NonSecure)) {
    error("optee_invoke", "the RPC arg at " + hex(rpc_arg_pa) + " is not readable");
    co_return;
  }
  const uint32_t cmd = get32(a + optee::ARG_CMD);
  const uint32_t attr = get32(a + optee::MSG_ARG_HEADER + optee::PARAM_ATTR) & 0xFF;
  uint32_t ret = 0;
  if (cmd != optee::RPC_CMD_GET_TIME) {
    error("optee_invoke", "RPC command " + std::to_string(cmd) + " needs tee-supplicant (not modelled)");
    ret = TEEC_ERROR_NOT_SUPPORTED;
  } else if (get32(a + optee::ARG_NUM_PARAMS) != 1 || attr != optee::MSG_ATTR_TYPE_VALUE_OUTPUT) {
    ret = optee::TEE_ERROR_BAD_PARAMETERS;
  } else {
    const sim::Picos t = exact_now();
    put64(a + optee::MSG_ARG_HEADER + optee::PARAM_VALUE_A, t / 1000000000000ull);
    put64(a + optee::MSG_ARG_HEADER + optee::PARAM_VALUE_B, (t % 1000000000000ull) / 1000);
  }
  put32(a + optee::ARG_RET, ret);
  put32(a + optee::ARG_RET_ORIGIN, optee::TEE_ORIGIN_COMMS);
  pe().mem_write(rpc_arg_pa, a, sizeof a, sim::Security::NonSecure);
  ++k_.st.rpcs_served;
}

// optee_cq_wait_for_completion: sleep until another call completes this waiter, then move to the
// end of the queue to get out of the way of the other waiters.
Task<void> NwdThread::cq_wait_for_completion(CallWaiter& w) {
  bool slept = false;
  while (!w.completed) {
    w.parked = true;
    w.pe = &pe();
    co_await wfi();
    pending_ = 0;
    w.parked = false;
    slept = true;
  }
  if (slept) spend_insns(k_.t.cq_wakeup_insns);
  k_.call_queue.remove(&w);
  w.completed = false;
  k_.call_queue.push_back(&w);
}

// optee_cq_wait_final: leave the queue and wake one waiter; if this caller had been completed
// itself, that completion was meant for someone else too, so wake another.
void NwdThread::cq_wait_final(CallWaiter& w) {
  k_.call_queue.remove(&w);
  cq_complete_one();
  if (w.completed) cq_complete_one();
}

void NwdThread::cq_complete_one() {
  for (CallWaiter* o : k_.call_queue) {
    if (o->completed) continue;
    o->completed = true;
    if (o->parked) o->pe->wake(exact_now());
    break;
  }
}

}  // namespace ffasim::nwd::detail
