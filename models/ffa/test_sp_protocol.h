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
inline constexpr uint64_t CMD_NOTIFICATION_SET = 6;  // FFA_NOTIFICATION_SET(own ID << 16 | x4,
                                                    // flags x5, IDs x6 (bits[31:0]) and x7
                                                    // (bits[63:32])); answer x3 = 0, or the
                                                    // FF-A error code (STATUS_UNKNOWN for any
                                                    // other result)
inline constexpr uint64_t STATUS_OK = 0, STATUS_UNKNOWN = 0xFFFFFFFF;
inline constexpr uint64_t STATUS_HOST_BUSY = 0xFFFFFFFC;  // FFA_BUSY's code: another vCPU is in host mode
}  // namespace test_sp

}  // namespace ffasim::ffa
