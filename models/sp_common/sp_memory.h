// An SP's loads and stores through its stage 2: the hardware path a behavioural SP uses to touch
// memory. Each access is translated IPA -> PA by the PE's MMU (the Stage2Only TLB entry, or a
// stage-2 walk of VSTTBR_EL2 / VTTBR_EL2 as the SPMC installed them on the vCPU entry), priced
// with translation_cost() (mmu.* parameters, DRAM latency per descriptor read) and then made as
// a timed memory transaction in the PA space the stage 2 selected.
//
// The SP's own stage 1 is not walked: it is taken to be a flat map whose NS bit selects the IPA
// space (`ns` below), as OP-TEE and Hafnium's SPs map shared memory. A stage-2 fault is taken to
// S-EL2: the SPMC's handler (SpEnv::stage2_abort, Spmc::stage2_abort) records it with the IPA of
// HPFAR_EL2, and the access returns the fault, as Hafnium injects the abort back into the SP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "sim/core/pe.h"
#include "sim/mmu_s2/mmu_system.h"

namespace ffasim::sp {

struct SpAccess {
  sim::mmu::Fault fault;        // FaultType::None: the access was made
  bool bus_error = false;       // translated, but no memory at the PA
  uint32_t tlb_misses = 0;      // pages whose translation walked
  bool ok() const { return !fault.is_fault() && !bus_error; }
};

class SpMemory {
 public:
  using AbortHandler = std::function<void(sim::Pe&, const sim::mmu::Fault&)>;
  SpMemory() = default;
  SpMemory(sim::mmu::MmuSystem* mmus, AbortHandler on_abort) : mmus_(mmus), on_abort_(std::move(on_abort)) {}
  bool enabled() const { return mmus_ != nullptr; }

  // Reads or writes `n` bytes at `ipa` (in the Non-secure IPA space if `ns`) from the SP at EL1
  // on `pe`, page by page; stops at the first fault.
  SpAccess read(sim::Pe& pe, uint64_t ipa, void* dst, size_t n, bool ns = false);
  SpAccess write(sim::Pe& pe, uint64_t ipa, const void* src, size_t n, bool ns = false);

 private:
  SpAccess access(sim::Pe& pe, uint64_t ipa, uint8_t* buf, size_t n, bool ns, sim::mmu::AccessType type);
  sim::mmu::MmuSystem* mmus_ = nullptr;
  AbortHandler on_abort_;
};

}  // namespace ffasim::sp
