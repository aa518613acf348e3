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

#include "models/ffa/optee_protocol.h"
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
// The OP-TEE-over-FF-A protocol constants, shared with the normal-world driver.
namespace optee = ffa::optee;

}  // namespace ffasim::sp
