#include "sim/mmu_s2/mmu_system.h"

namespace ffasim::sim::mmu {

MmuSystem::MmuSystem(Memory& mem, const CoreTiming& core, const Profile& profile, unsigned pe_count,
                     const MmuConfig& cfg)
    : port_(mem, core) {
  timing_.load(profile);
  for (unsigned i = 0; i < pe_count; ++i) {
    mmus_.push_back(std::make_unique<Mmu>(cfg, port_, tlb_config(timing_)));
    domain_.attach(PeId(i), mmus_.back()->tlb());
  }
}

size_t MmuSystem::tlbi(PeId issuer, const TlbiScope& scope, bool broadcast) {
  ++tlbis_;
  if (broadcast) ++tlbi_broadcasts_;
  return domain_.invalidate(issuer, scope, broadcast);
}

}  // namespace ffasim::sim::mmu
