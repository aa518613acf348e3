// The memory-mapped GICD_* and GICR_* registers as a TLM-2.0 target. Addresses are absolute
// physical addresses (QEMU virt's map by default: GICD at 0x08000000, 64 KB; GICR at 0x080A0000,
// 0x20000 per PE). The security state of each access comes from the sim::Sideband extension
// (Non-secure when it is missing, as for sim::Memory), so Secure and Non-secure software see
// their own views. A guest mistake (bad offset or size, a write to a read-only register) is
// RAZ/WI with TLM_OK_RESPONSE and counted in Gic::guest_errors(); an address outside both
// frames is a TLM_ADDRESS_ERROR_RESPONSE. Each access adds gic.dist_pio_ns or gic.redist_pio_ns
// to the transaction's delay. Facts: ../shared/reference/armv8-gicv3-mmu.md sections 2.4, 5.3.
#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "sim/gic/gic.h"

namespace ffasim::sim::gic {

inline constexpr uint64_t kGicrStride = 0x20000;  // GICv3: RD_base + SGI_base

struct GicMap {
  uint64_t gicd_base = 0x08000000;
  uint64_t gicr_base = 0x080A0000;
};

class GicMmio : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<GicMmio> socket;  // one binding per initiator

  GicMmio(sc_core::sc_module_name name, Gic& gic, const GicMap& map = {});

  const GicMap& map() const { return map_; }
  uint64_t gicr_size() const { return uint64_t(gic_.pe_count()) * kGicrStride; }
  // Whether `pa` falls in the GICD frame or the redistributor region (for a router).
  bool contains(uint64_t pa) const;

 private:
  void b_transport(int initiator, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

  Gic& gic_;
  GicMap map_;
};

}  // namespace ffasim::sim::gic
