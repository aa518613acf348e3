// The UEFI variable store of the MM partition and the SMM variable protocol on it, as plain state
// and functions (no simulation needed to test them). Semantics: UEFI 2.10 section 8.2
// (GetVariable, GetNextVariableName, SetVariable, QueryVariableInfo) as EDK2's VariableSmm.c
// serves them over MM communicate. Byte layouts: models/ffa/mm_protocol.h.
//
// IMPLEMENTATION DEFINED choices, written down:
//   - Storage accounting: each variable costs kVariableHeaderSize (EDK2's 60-byte
//     AUTHENTICATED_VARIABLE_HEADER) + its name (with the NUL) + its data; `capacity` bounds the sum.
//   - GetNextVariableName walks variables in creation order (EDK2 walks its store in write order).
//   - Variable properties (read-only variables) are not modelled: PROPERTY_GET answers
//     EFI_NOT_FOUND, PROPERTY_SET EFI_UNSUPPORTED (any function not listed here too).
//   - Authenticated writes (attributes 0x10, 0x20) and hardware error records (0x8) are not
//     modelled: EFI_UNSUPPORTED.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/ffa/mm_protocol.h"

namespace ffasim::sp::mm_store {

inline constexpr uint64_t kVariableHeaderSize = 60;

struct Variable {
  ffa::mm::Guid guid;
  std::u16string name;        // without the terminating NUL
  uint32_t attributes = 0;    // without EFI_VARIABLE_APPEND_WRITE
  std::vector<uint8_t> data;
};

struct VariableStoreState {
  std::vector<Variable> variables;  // creation order
  uint64_t capacity = 0;            // bytes of storage (QueryVariableInfo MaximumVariableStorageSize)
  uint64_t max_variable_size = 0;   // name + data of one variable (MaximumVariableSize)
  uint64_t max_payload_size = 0;    // SMM_VARIABLE_FUNCTION_GET_PAYLOAD_SIZE answer
  uint64_t used = 0;                // bytes taken (derived: the sum over `variables`)
};

// What one request did, for the timing model.
struct Work {
  uint64_t variables_scanned = 0;  // store entries compared while looking a variable up
  uint64_t bytes_moved = 0;        // name and data bytes copied between the message and the store
  bool commit = false;             // a non-volatile variable changed: the store is written back
  uint64_t commit_bytes = 0;       // bytes of the variable(s) written back
};

uint64_t storage_of(const Variable& v);

// Handles one message of the variable protocol in place. `msg` holds the bytes after the
// EFI_MM_COMMUNICATE_HEADER (MessageLength of them): smm_variable_communicate_header + payload.
// On return `msg` holds the response (its new size is the response MessageLength) and
// ret_status is set. Malformed payloads give EFI_ACCESS_DENIED in ret_status, as VariableSmm.c
// does for sizes that do not add up and names that are not NUL-terminated. A message shorter than
// the variable header is refused with MM_INVALID_PARAMETER (returned; `msg` untouched). Otherwise
// returns MM_SUCCESS: the variable service's own result is ret_status.
int32_t handle_message(VariableStoreState& s, std::vector<uint8_t>& msg, Work& work);

}  // namespace ffasim::sp::mm_store
