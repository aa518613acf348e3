// An MM secure partition (behavioural): the UEFI variable service of StandaloneMM or Trusted
// Services' smm-gateway, reached with MM communicate over FF-A (models/ffa/mm_protocol.h).
// Timing parameters: mm_sp_params.def. Store semantics: variable_store.h.
//
// Scenario params (SpEnv::params):
//   comm_buffer_base, comm_buffer_size  the NS carve-out shared with the MM client (the stack
//                       passes the scenario's nwd.mm_shm_base/size); required
//   store_size          bytes of variable storage (default 65536)
//   max_variable_size   name + data of one variable (default 32768)
//   max_payload_size    SMM_VARIABLE_FUNCTION_GET_PAYLOAD_SIZE answer (default max_variable_size
//                       + MM_VARIABLE_ACCESS_HEADER_SIZE)
//
// Behaviour:
//   vCPU 0 boot: FFA_VERSION(manifest ffa-version) -> FFA_ID_GET -> FFA_MSG_WAIT; other vCPUs:
//     FFA_MSG_WAIT. A failed step is a configuration error: std::runtime_error.
//   FFA_MSG_SEND_DIRECT_REQ_64 (or _32), not a framework message: x3 = offset of the
//     EFI_MM_COMMUNICATE_HEADER in the carve-out (smm-gateway mm_communicate_call_ep_receive).
//     Answer: the DIRECT_RESP of the request's width, x3 = MM return code (sign-extended in
//     SMC64), x4-x7 = 0:
//       MM_INVALID_PARAMETER  the header, or header + MessageLength, does not fit the carve-out
//                             from that offset; a message shorter than the variable header
//       MM_NOT_SUPPORTED      the header GUID is not EFI_MM_VARIABLE_GUID
//       MM_SUCCESS            otherwise; the variable service's result is ret_status, the
//                             response replaces the request and MessageLength is its length.
//     The SP copies the message from the carve-out, handles it, and copies the response back
//     (memory transactions of the PE).
//   A framework request: VM created/destroyed get their response with status 0, others
//     FFA_ERROR(NOT_SUPPORTED). Anything else (FFA_INTERRUPT, ...) -> FFA_MSG_WAIT.
//   Every vCPU serves requests on the one shared store. A change to a non-volatile variable is
//   written back under a store lock: a vCPU whose commit would overlap one in flight waits
//   (spinning: SP work) until it ends, so concurrent SetVariable calls from several PEs both land,
//   in the order they reached the store, and their commits never overlap in time.
#pragma once

#include <memory>

#include "models/ffa/mm_protocol.h"
#include "models/sp_common/sp_env.h"

namespace ffasim::sp {

// Throws std::invalid_argument("<key>: <what was expected>") for a bad scenario parameter.
std::unique_ptr<SpModel> make_mm_sp(const SpEnv& env);
// Declares the mm_sp.* timing parameters (mm_sp_params.def).
void declare_mm_sp_params(sim::Profile& p);

struct MmSpTiming {
#define FFASIM_PARAMS_FILE "models/sp_mm/mm_sp_params.def"
#include "sim/core/profile_struct.inc"
};

}  // namespace ffasim::sp
