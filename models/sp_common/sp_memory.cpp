#include "models/sp_common/sp_memory.h"

#include <algorithm>

#include "sim/mmu_s2/mmu_timing.h"
#include "sim/mmu_s2/regs.h"

namespace ffasim::sp {

namespace mmu = sim::mmu;

SpAccess SpMemory::read(sim::Pe& pe, uint64_t ipa, void* dst, size_t n, bool ns) {
  return access(pe, ipa, static_cast<uint8_t*>(dst), n, ns, mmu::AccessType::Read);
}

SpAccess SpMemory::write(sim::Pe& pe, uint64_t ipa, const void* src, size_t n, bool ns) {
  return access(pe, ipa, const_cast<uint8_t*>(static_cast<const uint8_t*>(src)), n, ns, mmu::AccessType::Write);
}

SpAccess SpMemory::access(sim::Pe& pe, uint64_t ipa, uint8_t* buf, size_t n, bool ns, mmu::AccessType type) {
  SpAccess out;
  const sim::Security space = ns ? sim::Security::NonSecure : sim::Security::Secure;
  const mmu::MmuRegs regs = mmu::mmu_regs(pe.state(), {});
  mmu::Mmu& m = mmus_->mmu(pe.id());
  while (n > 0) {
    const size_t chunk = std::min<size_t>(n, 0x1000 - (ipa & 0xFFF));
    const mmu::TranslateResult t = m.translate_ipa(regs, mmu::IPA(ipa), space, {mmu::VA(ipa), type, sim::El::EL1});
    pe.charge_ps(sim::Cost::Memory, mmu::translation_cost(t, mmus_->timing(), pe.period_ps()));
    if (t.translated && !t.tlb_hit) ++out.tlb_misses;
    if (!t.ok()) {
      out.fault = t.fault;
      if (on_abort_) on_abort_(pe, t.fault);
      return out;
    }
    const bool done = type == mmu::AccessType::Write ? pe.mem_write(t.pa.value(), buf, chunk, t.pa_space)
                                                     : pe.mem_read(t.pa.value(), buf, chunk, t.pa_space);
    if (!done) {
      out.bus_error = true;
      return out;
    }
    ipa += chunk;
    buf += chunk;
    n -= chunk;
  }
  return out;
}

}  // namespace ffasim::sp
