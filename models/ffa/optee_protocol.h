// The OP-TEE-over-FF-A protocol (optee_ffa.h, optee_msg.h) spoken between the normal-world
// driver and OP-TEE inside FF-A direct messages: ../shared/reference/ffa-abi.md section 7.
// Shared by both sides, as the header is in Linux and OP-TEE, so neither model includes the other.
#pragma once

#include <cstdint>

namespace ffasim::ffa {

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

}  // namespace ffasim::ffa
