// OP-TEE as an S-EL1 secure partition (behavioural), speaking the OP-TEE-over-FF-A ABI of
// ../shared/reference/ffa-abi.md section 7: blocking calls (GET_API_VERSION, GET_OS_VERSION,
// EXCHANGE_CAPABILITIES, UNREGISTER_SHM, ENABLE_ASYNC_NOTIF) and yielding calls
// (YIELDING_CALL_WITH_ARG, YIELDING_CALL_RESUME) on a pool of OP-TEE threads, with RPCs to the
// normal world. Timing parameters: optee_params.def.
//
// Scenario params (SpEnv::params):
//   threads             CFG_NUM_THREADS, the thread pool size (default 8)
//   default_work_cycles work of an invoke whose TA command has no entry (default 20000)
//   cmd.<func>.work_cycles, cmd.<func>.rpcs   per TA command (optee_msg_arg.func): the work and
//                       the number of RPC round trips to the normal world before it completes
//   static_shm_base, static_shm_size   the NS carve-out holding optee_msg_arg structures (see
//                       below); required for yielding calls
//
// Behaviour (OP-TEE 4.x core/arch/arm/kernel/thread_spmc.c, built as an SP: no
// CFG_CORE_SEL1_SPMC, no CFG_NS_VIRTUALIZATION):
//   vCPU 0 boot (spmc_init): FFA_VERSION(manifest ffa-version) -> FFA_RXTX_MAP_64(tx, rx, 1) if
//     the env gives buffers -> FFA_SPM_ID_GET -> FFA_ID_GET -> FFA_FEATURES(FFA_NOTIFICATION_SET)
//     (success: the ASYNC_NOTIF capability) -> FFA_MSG_WAIT. Other vCPUs: FFA_MSG_WAIT. A failed
//     step is an OP-TEE panic: std::runtime_error naming the partition, vCPU and result.
//   FFA_MSG_SEND_DIRECT_REQ_32 and _64 are served alike (thread_spmc.c answers with the RESP of
//     the request's width): w1 = own << 16 | sender, w2 = 0, w3.. per ffa-abi.md 7.2/7.3. A
//     framework request gets FFA_ERROR(NOT_SUPPORTED) except the FF-A version exchange.
//     ENABLE_ASYNC_NOTIF: TEE_ERROR_NOT_IMPLEMENTED without notification support, w4 >= 64 or a
//     sender other than VM 0 -> TEE_ERROR_BAD_PARAMETERS.
//   FFA_MSG_SEND_DIRECT_REQ2 (only if an SPMC lets it through): DIRECT_RESP2 with
//     x4 = TEE_ERROR_BAD_PARAMETERS (real OP-TEE would issue FFA_ERROR(NOT_SUPPORTED)).
//   FFA_INTERRUPT -> FFA_MSG_WAIT; FFA_ERROR -> panic; anything else -> FFA_ERROR(NOT_SUPPORTED).
//   Yielding calls: the thread pool is shared by all vCPUs (a RESUME may arrive on any vCPU);
//     no free thread -> w3 = TEE_ERROR_BUSY at once. A call's work is split evenly around its
//     RPCs; each RPC is OPTEE_RPC_CMD_GET_TIME written right after the call's arg (offset +
//     msg_arg_size(num_params)), answered w3 = 0, w4 = RETURN_RPC_CMD, w7 = thread. At the end
//     ret and ret_origin are written into the arg and the reply is w3 = 0, w4 = RETURN_DONE.
//     RETURN_INTERRUPT is never produced (no foreign interrupts reach the model yet).
//
// Until FF-A memory sharing is modelled, the message arguments of yielding calls live in a
// static non-secure carve-out (like OP-TEE's reserved SHM of the SMC ABI): the driver passes the
// carve-out base as the "handle" (w4/w5) and the arg offset in w6. A different handle gets
// TEE_ERROR_BAD_PARAMETERS. The memory-sharing work replaces this with FFA_MEM_SHARE cookies.
#pragma once

#include <memory>

#include "models/sp_common/sp_env.h"

namespace ffasim::sp {

// Throws std::invalid_argument("<key>: <what was expected>") for a bad scenario parameter.
std::unique_ptr<SpModel> make_optee_sp(const SpEnv& env);
// Declares the optee.* timing parameters (optee_params.def).
void declare_optee_params(sim::Profile& p);

// The timing parameters as read from a profile.
struct OpteeTiming {
#define FFASIM_PARAMS_FILE "models/sp_optee/optee_params.def"
#include "sim/core/profile_struct.inc"
};

// OP-TEE protocol constants (optee_ffa.h, optee_msg.h).
namespace optee {
inline constexpr uint32_t GET_API_VERSION = 0, GET_OS_VERSION = 1, EXCHANGE_CAPABILITIES = 2;
inline constexpr uint32_t UNREGISTER_SHM = 3, ENABLE_ASYNC_NOTIF = 5;
inline constexpr uint32_t YIELDING_CALL_WITH_ARG = 0x80000000u, YIELDING_CALL_RESUME = 0x80000001u;
inline constexpr uint32_t RETURN_DONE = 0, RETURN_RPC_CMD = 1, RETURN_INTERRUPT = 2;
inline constexpr uint32_t TEE_ERROR_GENERIC = 0xFFFF0000u, TEE_ERROR_BAD_PARAMETERS = 0xFFFF0006u;
inline constexpr uint32_t TEE_ERROR_NOT_IMPLEMENTED = 0xFFFF0009u, TEE_ERROR_BUSY = 0xFFFF000Du;
inline constexpr uint32_t TEE_ORIGIN_COMMS = 2, TEE_ORIGIN_TRUSTED_APP = 4;
inline constexpr uint32_t MAX_ASYNC_NOTIF_VALUE = 64;  // OPTEE_FFA_MAX_ASYNC_NOTIF_VALUE
inline constexpr uint32_t CAP_ARG_OFFSET = 1u << 0, CAP_ASYNC_NOTIF = 1u << 1;
inline constexpr uint32_t API_MAJOR = 1, API_MINOR = 0;
inline constexpr uint32_t OS_MAJOR = 4, OS_MINOR = 10;  // the release measured in real-stack-counts.md
inline constexpr uint32_t RPC_PARAMS = 4;               // THREAD_RPC_MAX_NUM_PARAMS
// struct optee_msg_arg: 8 u32 header (cmd, func, session, cancel_id, pad, ret, ret_origin,
// num_params) then num_params x 32-byte params.
inline constexpr uint32_t MSG_CMD_OPEN_SESSION = 0, MSG_CMD_INVOKE_COMMAND = 1, MSG_CMD_CLOSE_SESSION = 2;
inline constexpr uint32_t MSG_ARG_HEADER = 32, MSG_PARAM_SIZE = 32;
constexpr uint32_t msg_arg_size(uint32_t num_params) { return MSG_ARG_HEADER + num_params * MSG_PARAM_SIZE; }
// Byte offsets of the optee_msg_arg header fields.
inline constexpr uint32_t ARG_CMD = 0, ARG_FUNC = 4, ARG_SESSION = 8, ARG_CANCEL_ID = 12;
inline constexpr uint32_t ARG_RET = 20, ARG_RET_ORIGIN = 24, ARG_NUM_PARAMS = 28;
// struct optee_msg_param: u64 attr, then the value (a, b, c) or memref union.
inline constexpr uint32_t PARAM_ATTR = 0, PARAM_VALUE_A = 8, PARAM_VALUE_B = 16, PARAM_VALUE_C = 24;
inline constexpr uint32_t MSG_ATTR_TYPE_NONE = 0, MSG_ATTR_TYPE_VALUE_INPUT = 1;
inline constexpr uint32_t MSG_ATTR_TYPE_VALUE_OUTPUT = 2, MSG_ATTR_TYPE_VALUE_INOUT = 3;
inline constexpr uint32_t RPC_CMD_GET_TIME = 3;
}  // namespace optee

}  // namespace ffasim::sp
