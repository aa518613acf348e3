// Direct messaging (Hafnium src/ffa/spmc/direct_messaging.c, api.c): FFA_MSG_SEND_DIRECT_REQ
// and _RESP (32 and 64), REQ2/RESP2 (v1.2), and the SPMD's framework messages.
// Facts: ../shared/reference/ffa-abi.md sections 1.5, 5.1, 5.2.
#include "models/ffa/descriptors.h"
#include "models/spmc/spmc_impl.h"

namespace ffasim::spmc {

namespace {
constexpr uint32_t kFwkBit = 1u << 31;
constexpr uint32_t kFwkVersionReq = 8, kFwkVersionResp = 9;

bool in_call_chain(const Vcpu* from, const Partition* target) {
  for (const Vcpu* v = from; v; v = v->request_caller)
    if (v->partition == target) return true;
  return false;
}
}  // namespace

// A framework message from the SPMD (w1 = 0xFFFF << 16 | SPMC ID, w2 bit 31). Only the
// FFA_VERSION request exists so far: it negotiates the normal world's version.
Action Spmc::Impl::framework_req(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.simple_call_insns);
  const uint32_t type = uint32_t(c.a[2]) & 0xFF;
  const sim::ArgRegs head = ffa::regs(ffa::fid(ffa::Abi::MSG_SEND_DIRECT_RESP),
                                      ffa::pack_endpoints(ffa::EndpointId(cfg.core.spmc_id), ffa::kSpmdId));
  if (type != kFwkVersionReq) {
    sim::ArgRegs r = head;
    r[2] = kFwkBit | 2;  // PSCI/PM response type for anything we do not handle
    r[3] = uint32_t(int32_t(ffa::Error::NOT_SUPPORTED));
    return to_nwd(r);
  }
  const uint32_t req = uint32_t(c.a[3]);
  const ffa::Version mine = spmc_version();
  sim::ArgRegs r = head;
  r[2] = kFwkBit | kFwkVersionResp;
  if ((req & 0x80000000u) || ffa::Version::from_raw(req).major != mine.major ||
      ffa::Version::from_raw(req).minor > mine.minor ||
      (nwd.version_set && req != nwd.version.raw() && nwd_locked)) {
    r[3] = uint32_t(int32_t(ffa::Error::NOT_SUPPORTED));
  } else {
    nwd.version = ffa::Version::from_raw(req);
    nwd.version_set = true;
    r[3] = mine.raw();
  }
  return to_nwd(r);
}

// FFA_MSG_SEND_DIRECT_REQ{,2}: w1 = sender << 16 | receiver. Errors:
//   INVALID_PARAMETERS  sender is not the caller (or not a normal-world ID from the normal
//                       world), receiver is not a partition, w2 non-zero (REQ), a REQ2 UUID the
//                       receiver does not have, a pinned vCPU missing on this PE;
//   DENIED              sender cannot send or receiver cannot receive this kind of request,
//                       the receiver is already in the caller's call chain, or (Hafnium) REQ2
//                       with a caller or receiver below v1.2;
//   NOT_SUPPORTED       (TF-A EL3 SPMC) REQ2 from a caller below v1.2;
//   BUSY                the receiver's vCPU is not WAITING.
Action Spmc::Impl::direct_req(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.direct_req_insns);
  const bool req2 = c.abi == ffa::Abi::MSG_SEND_DIRECT_REQ2;
  const ffa::EndpointId sender = ffa::sender_of(c.a[1]), receiver = ffa::receiver_of(c.a[1]);
  if (c.caller.is_nwd() && !req2 && sender == ffa::kSpmdId &&
      receiver == ffa::EndpointId(cfg.core.spmc_id) && (uint32_t(c.a[2]) & kFwkBit))
    return framework_req(c);
  if (c.caller.is_nwd() ? sender.is_secure() : sender != c.caller.vcpu->partition->id)
    return reply_error(ffa::Error::INVALID_PARAMETERS);
  Partition* target = find(receiver);
  if (!target) return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (!req2 && uint32_t(c.a[2]) != 0) return reply_error(ffa::Error::INVALID_PARAMETERS);
  namespace mm = ffa::messaging_method;
  if (req2) {
    if (cfg.flavour == Flavour::TfaEl3Spmc) {
      if (caller_version(c.caller) < ffa::kV1_2) return reply_error(ffa::Error::NOT_SUPPORTED);
    } else if (caller_version(c.caller) < ffa::kV1_2 || target->version < ffa::kV1_2) {
      return reply_error(ffa::Error::DENIED);
    }
    const ffa::Uuid u = ffa::Uuid::from_words(uint32_t(c.a[2]), uint32_t(c.a[2] >> 32),
                                              uint32_t(c.a[3]), uint32_t(c.a[3] >> 32));
    bool known = u.is_null();
    for (auto& mu : target->manifest.uuids) known = known || mu == u;
    if (!known) return reply_error(ffa::Error::INVALID_PARAMETERS);
  }
  const uint32_t recv_bit = req2 ? mm::kDirectReq2Recv : mm::kDirectReqRecv;
  const uint32_t send_bit = req2 ? mm::kDirectReq2Send : mm::kDirectReqSend;
  if (!(target->messaging & recv_bit)) return reply_error(ffa::Error::DENIED);
  if (c.caller.vcpu && !(c.caller.vcpu->partition->messaging & send_bit))
    return reply_error(ffa::Error::DENIED);
  if (c.caller.vcpu && in_call_chain(c.caller.vcpu, target)) return reply_error(ffa::Error::DENIED);
  Vcpu* v = vcpu_for_pe(*target, c.pe.id());
  if (!v) return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (v->state == VcpuState::ABORTED) return reply_error(ffa::Error::ABORTED);
  if (v->state != VcpuState::WAITING) return reply_error(ffa::Error::BUSY);
  // The request is delivered: the receiver runs for it, a calling SP blocks.
  v->state = VcpuState::RUNNING;
  v->rtm = RuntimeModel::FFA_DIR_REQ;
  v->request_origin = sender;
  v->request_caller = c.caller.vcpu;
  v->request_is_req2 = req2;
  if (c.caller.vcpu) c.caller.vcpu->state = VcpuState::BLOCKED;
  sim::ArgRegs msg = c.a;
  // 32-bit and v1.0/v1.1 requests carry x0-x7; REQ2 and v1.2 SMC64 requests x0-x17.
  if (!req2 && !(c.smc64 && ffa::kV1_2 <= caller_version(c.caller)))
    for (size_t i = 8; i < msg.size(); ++i) msg[i] = 0;
  return run_vcpu(v, msg);
}

// FFA_MSG_SEND_DIRECT_RESP{,2} from the vCPU handling a request. Errors: DENIED if it handles no
// request, or answers REQ2 with RESP (or the reverse), or addresses anyone but the originator;
// INVALID_PARAMETERS if the sender is not itself or w2 (RESP) is not zero.
Action Spmc::Impl::direct_resp(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.direct_resp_insns);
  Vcpu* v = c.caller.vcpu;
  const bool resp2 = c.abi == ffa::Abi::MSG_SEND_DIRECT_RESP2;
  if (ffa::sender_of(c.a[1]) != v->partition->id || (!resp2 && uint32_t(c.a[2]) != 0))
    return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (v->rtm != RuntimeModel::FFA_DIR_REQ || resp2 != v->request_is_req2 ||
      ffa::receiver_of(c.a[1]) != v->request_origin)
    return reply_error(ffa::Error::DENIED);
  v->state = VcpuState::WAITING;
  v->rtm = RuntimeModel::NONE;
  Vcpu* caller = v->request_caller;
  v->request_caller = nullptr;
  sim::ArgRegs msg = c.a;
  if (!resp2 && !(c.smc64 && ffa::kV1_2 <= v->partition->version))
    for (size_t i = 8; i < msg.size(); ++i) msg[i] = 0;
  if (caller) {
    caller->state = VcpuState::RUNNING;
    return run_vcpu(caller, msg);
  }
  return to_nwd(msg);
}

}  // namespace ffasim::spmc
