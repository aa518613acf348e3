// FF-A function IDs, names and routing attributes, all generated from abi.def; error codes.
// Facts: ../shared/reference/ffa-abi.md sections 1.1-1.6.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "models/ffa/types.h"

namespace ffasim::ffa {

inline constexpr uint32_t kFid32 = 0x84000000u;  // fast call, SMC32, standard secure service
inline constexpr uint32_t kFid64 = 0xC4000000u;  // fast call, SMC64
inline constexpr uint32_t kFnumMin = 0x60, kFnumMax = 0x97;

// Every FF-A ABI, independent of the calling convention.
enum class Abi : uint8_t {
#define FFA_ABI(NAME, fnum, forms, since, spmd, flow) NAME,
#include "models/ffa/abi.def"
#undef FFA_ABI
  kCount
};

// Every function ID that exists, e.g. Fid::MSG_SEND_DIRECT_REQ_32 = 0x8400006F.
enum class Fid : uint32_t {
#define FFA_ABI(NAME, fnum, forms, since, spmd, flow) \
  NAME##_32 = kFid32 | fnum, NAME##_64 = kFid64 | fnum,
#include "models/ffa/abi.def"
#undef FFA_ABI
};

enum Forms : uint8_t { F32 = 1, F64 = 2 };
enum class SpmdRoute : uint8_t { Fwd, NwdOnly, SwdOnly, Local };
enum class Flow : uint8_t { Call, Handoff };

struct AbiInfo {
  Abi abi;
  const char* name;  // "FFA_MSG_SEND_DIRECT_REQ"
  uint8_t fnum;
  uint8_t forms;
  uint8_t since_minor;
  SpmdRoute spmd;
  Flow flow;
};

const AbiInfo& info(Abi abi);
// The ABI a function ID names, if it is an FF-A FID in a form that exists (a 64-bit FID for a
// 32-bit-only ABI is not an FF-A call). Ignores bit 16 (SMCCC SVE hint), as TF-A does.
std::optional<Abi> decode(uint64_t x0);
bool is_64bit(uint64_t x0);
// True for any function number in the FF-A range [0x60, 0x97] of the standard secure service,
// whether or not this table knows it (the SPMD answers those with FFA_ERROR(NOT_SUPPORTED)).
bool in_ffa_range(uint64_t x0);
// The FID of an ABI in a convention; the convention must exist for it.
uint32_t fid(Abi abi, bool smc64 = false);
// The spec's name: "FFA_VERSION" for an ABI with one calling convention, "FFA_RXTX_MAP_64" or
// "FFA_MSG_SEND_DIRECT_REQ_32" for one with both; "FID 0x12345678" for anything not in the table.
std::string fid_name(uint64_t x0);

// FF-A error codes, signed 32-bit in w2 of FFA_ERROR (section 1.3).
enum class Error : int32_t {
  NOT_SUPPORTED = -1,
  INVALID_PARAMETERS = -2,
  NO_MEMORY = -3,
  BUSY = -4,
  INTERRUPTED = -5,
  DENIED = -6,
  RETRY = -7,
  ABORTED = -8,
  NO_DATA = -9,
  NOT_READY = -10,
};
const char* error_name(Error e);  // "FFA_INVALID_PARAMETERS"

// Result-register builders. Unused registers are zero.
Regs error(Error e);                           // w0 = FFA_ERROR_32, w2 = code as u32
Regs success(uint64_t w2 = 0, uint64_t w3 = 0, bool smc64 = false);
Regs regs(uint64_t x0, uint64_t x1 = 0, uint64_t x2 = 0, uint64_t x3 = 0, uint64_t x4 = 0,
          uint64_t x5 = 0, uint64_t x6 = 0, uint64_t x7 = 0);
// True for FFA_ERROR with code `e`.
bool is_error(const Regs& r, Error e);

}  // namespace ffasim::ffa
