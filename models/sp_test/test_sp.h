// A scriptable test SP (in the spirit of TF-A-tests' "cactus"): it answers direct requests whose
// x3 is a command from the vocabulary below, so scenarios and tests can drive the firmware.
// A command in FFA_MSG_SEND_DIRECT_REQ_{32,64} (x4.. are its arguments) gets its answer in the
// matching FFA_MSG_SEND_DIRECT_RESP with x3 = status (0 ok) and x4.. results; DIRECT_REQ2 is
// answered with DIRECT_RESP2 echoing x4-x17. Unknown commands answer x3 = 0xFFFFFFFF.
//
// Boot (vCPU 0): FFA_VERSION(manifest ffa-version) -> FFA_ID_GET -> FFA_RXTX_MAP_64 (if the
// manifest gives rx/tx pages) -> FFA_MSG_WAIT. Secondary vCPUs: FFA_MSG_WAIT. A failed
// FFA_VERSION, FFA_ID_GET or FFA_RXTX_MAP is a configuration error: std::runtime_error.
//
// Other messages: a framework request (w2 bit 31) gets the framework response (PSCI -> PSCI
// response with status 0, VM created/destroyed -> their responses with status 0; any other type ->
// FFA_ERROR(NOT_SUPPORTED)); anything that is not a direct request (FFA_INTERRUPT, FFA_RUN, ...)
// -> FFA_MSG_WAIT.
//
// Host driving (CMD_HOST): the vCPU parks in WFI with HostChannel::waiting set while the queue is
// empty; the host pushes a HostCall and calls pe->wake(). Each call is issued with its
// instruction; last_result and calls_done are updated when it returns, last_input on every
// resume of any vCPU. A handoff (FFA_MSG_SEND_DIRECT_RESP_32/64, _RESP2, FFA_MSG_WAIT) also
// updates last_result and calls_done, ends host mode, and what it returns is handled as a new
// message. The SP has one channel: while one vCPU is in host mode, CMD_HOST on another vCPU is
// answered x3 = STATUS_HOST_BUSY. No scenario parameters (any key is std::invalid_argument).
#pragma once

#include <memory>

#include "models/ffa/test_sp_protocol.h"
#include "models/sp_common/sp_env.h"

namespace ffasim::sp {

std::unique_ptr<SpModel> make_test_sp(const SpEnv& env);
// Declares the test_sp.* timing parameters (test_sp_params.def).
void declare_test_sp_params(sim::Profile& p);

struct TestSpTiming {
#define FFASIM_PARAMS_FILE "models/sp_test/test_sp_params.def"
#include "sim/core/profile_struct.inc"
};

// The command vocabulary, shared with whoever drives the SP.
namespace test_sp = ffa::test_sp;

}  // namespace ffasim::sp
