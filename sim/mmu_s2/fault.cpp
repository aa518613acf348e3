#include "sim/mmu_s2/fault.h"

#include "sim/core/pe_state.h"

namespace ffasim::sim::mmu {

const char* name(FaultType t) {
  switch (t) {
    case FaultType::None: return "none";
    case FaultType::AddressSize: return "address size";
    case FaultType::Translation: return "translation";
    case FaultType::AccessFlag: return "access flag";
    case FaultType::Permission: return "permission";
    case FaultType::ExternalAbortOnWalk: return "synchronous external abort on table walk";
  }
  return "?";
}

uint32_t fault_status_code(const Fault& f) {
  const uint32_t level = uint32_t(f.level) & 3;
  switch (f.type) {
    case FaultType::AddressSize: return 0x00 + level;
    case FaultType::Translation: return 0x04 + level;
    case FaultType::AccessFlag: return 0x08 + level;
    case FaultType::Permission: return 0x0C + level;
    case FaultType::ExternalAbortOnWalk: return 0x14 + level;
    case FaultType::None: break;
  }
  return 0;
}

uint32_t abort_ec(const Fault& f) {
  const bool lower = index(f.from_el) < index(f.target_el);
  if (f.access == AccessType::Execute) return lower ? ec::IABT_LOW : ec::IABT_CUR;
  return lower ? ec::DABT_LOW : ec::DABT_CUR;
}

uint32_t abort_iss(const Fault& f) {
  uint32_t iss = fault_status_code(f);
  if (f.access != AccessType::Execute && f.wnr) iss |= 1u << 6;
  if (f.s1ptw) iss |= 1u << 7;
  return iss;
}

uint32_t abort_esr(const Fault& f) { return make_esr(abort_ec(f), abort_iss(f), true); }

uint64_t hpfar_el2(const Fault& f) {
  if (f.stage != 2) return 0;
  uint64_t v = ((f.ipa.value() >> 12) << 4) & 0x00000FFFFFFFFFF0ull;  // FIPA [43:4]
  if (f.security == Security::Secure && f.ipa_space == Security::NonSecure) v |= 1ull << 63;
  return v;
}

bool hpfar_valid(const Fault& f) {
  return f.stage == 2 && (f.s1ptw || f.type != FaultType::Permission);
}

}  // namespace ffasim::sim::mmu
