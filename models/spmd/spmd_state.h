// SPMD state: per-PE world contexts (TF-A's cpu_context_t) and SPMC lifecycle. Plain data.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/core/pe_state.h"

namespace ffasim::spmd {

// The registers one world leaves behind on a PE while the other runs.
struct WorldContext {
  bool valid = false;
  std::array<uint64_t, 31> x{};
  uint64_t spsr_el3 = 0, elr_el3 = 0;
  // EL1 (not banked by security state: the SPMD swaps them).
  uint64_t sctlr_el1 = 0, vbar_el1 = 0, elr_el1 = 0, spsr_el1 = 0, esr_el1 = 0, far_el1 = 0;
  uint64_t tpidr_el1 = 0, sp_el1 = 0;
  // EL2 (swapped too when the SPMC runs at S-EL2).
  uint64_t hcr_el2 = 0, sctlr_el2 = 0, vbar_el2 = 0, elr_el2 = 0, spsr_el2 = 0, esr_el2 = 0;
  uint64_t vttbr_el2 = 0, vtcr_el2 = 0, vsttbr_el2 = 0, vstcr_el2 = 0, tpidr_el2 = 0, sp_el2 = 0;
};

enum class SpmcLifecycle : uint8_t { Off, OnPending, On, Failed };

// A framework request the SPMD sent to the SPMC on behalf of the normal world.
enum class PendingFramework : uint8_t { None, Version };

struct SpmdPeState {
  std::array<WorldContext, 2> world;  // index: sim::Security
  SpmcLifecycle spmc = SpmcLifecycle::Off;
  PendingFramework pending = PendingFramework::None;
  uint64_t ns_entry_context_id = 0;   // x0 for the NWd's entry after CPU_ON
};

struct SpmdState {
  std::vector<SpmdPeState> pe;
  bool nwd_version_negotiated = false;  // another FF-A ABI was called: FFA_VERSION is locked
  uint32_t nwd_version = 0;
};

}  // namespace ffasim::spmd
