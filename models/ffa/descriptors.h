// Byte layouts of FF-A descriptors that live in memory (RX/TX buffers).
// Facts: ../shared/reference/ffa-abi.md sections 3.3-3.4 (partition info); the memory transaction
// descriptors of section 4 join this file with the memory-sharing work.
#pragma once

#include <cstdint>
#include <vector>

#include "models/ffa/types.h"

namespace ffasim::ffa {

// Partition properties (section 3.4).
namespace partition_props {
inline constexpr uint32_t kDirectReqRecv = 1u << 0;
inline constexpr uint32_t kDirectReqSend = 1u << 1;
inline constexpr uint32_t kIndirectMsg = 1u << 2;
inline constexpr uint32_t kNotifRecv = 1u << 3;
inline constexpr uint32_t kIdTypeShift = 4;  // bits[5:4]: 0 = PE endpoint ID
inline constexpr uint32_t kVmCreated = 1u << 6;
inline constexpr uint32_t kVmDestroyed = 1u << 7;
inline constexpr uint32_t kAArch64 = 1u << 8;
inline constexpr uint32_t kDirectReq2Recv = 1u << 9;
inline constexpr uint32_t kDirectReq2Send = 1u << 10;
}  // namespace partition_props

// Manifest messaging-method bits (section 8.2) and the valid mask.
namespace messaging_method {
inline constexpr uint32_t kDirectReqRecv = 1u << 0;
inline constexpr uint32_t kDirectReqSend = 1u << 1;
inline constexpr uint32_t kIndirect = 1u << 2;
inline constexpr uint32_t kDirectReq2Recv = 1u << 9;
inline constexpr uint32_t kDirectReq2Send = 1u << 10;
inline constexpr uint32_t kValidMask = 0x607;
}  // namespace messaging_method

struct PartitionInfo {
  EndpointId id;
  uint16_t exec_ctx_count = 0;
  uint32_t properties = 0;
  Uuid uuid;            // protocol UUID (v1.1+)
  Uuid image_uuid;      // v1.3
  uint32_t ffa_version = 0;  // v1.3: the partition's FF-A version
};

// Size of one partition information descriptor for a caller at `version`, as the SPMC writes it:
// 8 bytes for v1.0, `v11_plus_size` (24, or 48 for a v1.3-style SPMC) otherwise.
uint32_t partition_info_size(Version caller, uint32_t v11_plus_size);
// Appends the descriptor for `p` at `size` bytes (8, 24 or 48), little-endian.
void write_partition_info(std::vector<uint8_t>& out, const PartitionInfo& p, uint32_t size);

}  // namespace ffasim::ffa
