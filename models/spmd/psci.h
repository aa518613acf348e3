// The minimal PSCI that EL3 answers (../shared/reference/armv8-gicv3-mmu.md section 5.1):
// PSCI_VERSION, PSCI_FEATURES, CPU_ON and AFFINITY_INFO. Everything else is NOT_SUPPORTED.
#pragma once

#include <cstdint>
#include <vector>

#include "models/spmd/spmd_state.h"
#include "sim/core/platform.h"

namespace ffasim::spmd::psci {

inline constexpr uint32_t PSCI_VERSION = 0x84000000, CPU_OFF = 0x84000002;
inline constexpr uint32_t CPU_ON_32 = 0x84000003, CPU_ON_64 = 0xC4000003;
inline constexpr uint32_t AFFINITY_INFO_32 = 0x84000004, AFFINITY_INFO_64 = 0xC4000004;
inline constexpr uint32_t PSCI_FEATURES = 0x8400000A;
inline constexpr int32_t SUCCESS = 0, NOT_SUPPORTED = -1, INVALID_PARAMETERS = -2, DENIED = -3;
inline constexpr int32_t ALREADY_ON = -4, ON_PENDING = -5;
inline constexpr uint32_t kVersion = 0x00010001;  // PSCI 1.1, as TF-A reports

bool is_psci(uint64_t x0);

struct Result {
  int64_t x0;
  bool cpu_on = false;  // a PE was powered on (costs the CPU_ON path)
};
Result handle(sim::Platform& platform, sim::Pe& caller, const sim::ArgRegs& a,
              std::vector<SpmdPeState>& pes);

}  // namespace ffasim::spmd::psci
