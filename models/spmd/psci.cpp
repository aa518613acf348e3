#include "models/spmd/psci.h"

namespace ffasim::spmd::psci {

bool is_psci(uint64_t x0) {
  const uint32_t w0 = uint32_t(x0);
  return (x0 >> 32) == 0 && ((w0 & 0xBFFFFFE0u) == 0x84000000u);
}

static bool supported(uint32_t fid) {
  switch (fid) {
    case PSCI_VERSION: case PSCI_FEATURES: case CPU_ON_32: case CPU_ON_64:
    case AFFINITY_INFO_32: case AFFINITY_INFO_64:
      return true;
    default:
      return false;
  }
}

Result handle(sim::Platform& platform, sim::Pe& caller, const sim::ArgRegs& a,
              std::vector<SpmdPeState>& pes) {
  const uint32_t fid = uint32_t(a[0]);
  switch (fid) {
    case PSCI_VERSION:
      return {kVersion};
    case PSCI_FEATURES:
      return {supported(uint32_t(a[1])) ? SUCCESS : NOT_SUPPORTED};
    case CPU_ON_32:
    case CPU_ON_64: {
      const int target = platform.pe_for_mpidr(fid == CPU_ON_32 ? uint32_t(a[1]) : a[1]);
      if (target < 0) return {INVALID_PARAMETERS};
      sim::Pe& pe = platform.pe(sim::PeId(target));
      if (pe.is_on()) return {ALREADY_ON};
      if (pes[target].spmc == SpmcLifecycle::OnPending) return {ON_PENDING};
      pes[target].ns_entry_context_id = fid == CPU_ON_32 ? uint32_t(a[3]) : a[3];
      pes[target].spmc = SpmcLifecycle::OnPending;
      pe.power_on(caller.now());
      return {SUCCESS, true};
    }
    case AFFINITY_INFO_32:
    case AFFINITY_INFO_64: {
      const int target = platform.pe_for_mpidr(fid == AFFINITY_INFO_32 ? uint32_t(a[1]) : a[1]);
      if (target < 0) return {INVALID_PARAMETERS};
      return {platform.pe(sim::PeId(target)).is_on() ? 0 : 1};
    }
    default:
      return {NOT_SUPPORTED};
  }
}

}  // namespace ffasim::spmd::psci
