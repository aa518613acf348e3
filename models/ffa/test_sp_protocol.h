// The command vocabulary of the scriptable test SP (models/sp_test), carried in x3 of a direct
// request with arguments in x4..; answered in the matching direct response with x3 = status.
// Shared by the SP, the normal-world workload and the tests.
#pragma once

#include <cstdint>

namespace ffasim::ffa {

namespace test_sp {
inline constexpr uint64_t CMD_ECHO = 1;      // answer x4-x7 unchanged
inline constexpr uint64_t CMD_REQ_ECHO = 2;  // x4 = target SP: DIRECT_REQ ECHO(x5, x6, x7) to it,
                                             // answer x3 = 0 and the target's x4-x6, or x3 =
                                             // the FF-A error code if the request failed
                                             // (STATUS_UNKNOWN for any other result); an
                                             // FFA_INTERRUPT result is resumed with FFA_RUN
inline constexpr uint64_t CMD_SLEEP = 3;     // work x4 cycles, then answer x4 = cycles
inline constexpr uint64_t CMD_HOST = 4;      // hand the vCPU to the host: it issues host calls
                                             // (HostChannel) until one of them is a handoff
                                             // (DIRECT_RESP*, MSG_WAIT); what that returns is
                                             // handled as a new command
inline constexpr uint64_t CMD_ID_GET = 5;    // FFA_ID_GET, answer x4 = own ID
inline constexpr uint64_t CMD_NOTIFICATION_SET = 10;  // FFA_NOTIFICATION_SET(own ID << 16 | x4,
                                                    // flags x5, IDs x6 (bits[31:0]) and x7
                                                    // (bits[63:32])); answer x3 = 0, or the
                                                    // FF-A error code (STATUS_UNKNOWN for any
                                                    // other result)
// Memory through the SP's stage 2 (x5 bit 0: the Non-secure IPA space, as a stage-1 NS mapping
// would give). A stage-2 fault answers x3 = STATUS_DATA_ABORT, x4 = ESR_EL2 of the abort, x5 =
// the faulting IPA, x6 = HPFAR_EL2.
inline constexpr uint64_t CMD_MEM_READ = 6;   // x4 = address: answer x4 = the 64-bit word there
inline constexpr uint64_t CMD_MEM_WRITE = 7;  // x4 = address, x6 = value: store the 64-bit word
// Memory management from the SP (its TX/RX buffers; the retrieve request is v1.1 layout, one
// 16-byte EMAD for itself, permissions left to the lender for SHARE, NX for LEND and DONATE).
// Answer x3 = 0, or the FF-A error code of the call that failed (STATUS_UNKNOWN: another result).
inline constexpr uint64_t CMD_MEM_RETRIEVE = 8;    // x4 = handle, x5 = type (1 share, 2 lend,
                                                   // 3 donate), x6 = sender: FFA_MEM_RETRIEVE_REQ,
                                                   // FFA_MEM_FRAG_RX until the whole response is
                                                   // in, FFA_RX_RELEASE after each fragment;
                                                   // answer x4 = response length, x5 = fragments
inline constexpr uint64_t CMD_MEM_RELINQUISH = 9;  // x4 = handle: FFA_MEM_RELINQUISH
inline constexpr uint64_t STATUS_OK = 0, STATUS_UNKNOWN = 0xFFFFFFFF;
inline constexpr uint64_t STATUS_DATA_ABORT = 0xDA;   // the access took a stage-2 abort
inline constexpr uint64_t STATUS_BUS_ERROR = 0xBE;    // translated, but no memory there
inline constexpr uint64_t STATUS_HOST_BUSY = 0xFFFFFFFC;  // FFA_BUSY's code: another vCPU is in host mode
}  // namespace test_sp

}  // namespace ffasim::ffa
