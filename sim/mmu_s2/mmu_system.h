// The MMUs of a platform: one Mmu (walker + TLB) per PE, their Inner Shareable TLB domain, and
// the descriptor memory the walks read (sim::Memory, each read priced at the DRAM latency). The
// assembly (models/stack) builds one and hands it to whoever translates or invalidates: the
// SPMC's TLB maintenance, and the SPs' loads and stores (models/sp_common/sp_memory.h).
#pragma once

#include <memory>
#include <vector>

#include "sim/core/core_timing.h"
#include "sim/core/memory.h"
#include "sim/core/profile.h"
#include "sim/mmu_s2/mmu.h"
#include "sim/mmu_s2/mmu_timing.h"
#include "sim/mmu_s2/sim_memory_port.h"
#include "sim/mmu_s2/tlbi.h"

namespace ffasim::sim::mmu {

class MmuSystem {
 public:
  // `timing` is read from `profile` (mmu.*); TLB sizes come from it.
  MmuSystem(Memory& mem, const CoreTiming& core, const Profile& profile, unsigned pe_count,
            const MmuConfig& cfg = {});

  Mmu& mmu(PeId pe) { return *mmus_.at(pe); }
  TlbDomain& domain() { return domain_; }
  DescriptorStore& memory() { return port_; }
  const MmuTiming& timing() const { return timing_; }
  unsigned pe_count() const { return unsigned(mmus_.size()); }

  // TLBI `scope` issued by `issuer` (the IS form when `broadcast`): removes the entries and
  // counts it; returns the entries removed. The caller charges tlbi_cost().
  size_t tlbi(PeId issuer, const TlbiScope& scope, bool broadcast);
  uint64_t tlbi_count() const { return tlbis_; }
  uint64_t tlbi_broadcast_count() const { return tlbi_broadcasts_; }

 private:
  MmuTiming timing_;
  SimMemoryPort port_;
  std::vector<std::unique_ptr<Mmu>> mmus_;
  TlbDomain domain_;
  uint64_t tlbis_ = 0, tlbi_broadcasts_ = 0;
};

}  // namespace ffasim::sim::mmu
