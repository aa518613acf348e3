// The stack's interrupt hardware: the GICv3 (sim/gic) with one CPU interface per PE, the generic
// timer, the PEs' IRQ/FIQ lines and their system-register bus, and the boot-time programming the
// firmware does before anything is measured (TF-A's gicv3 driver init at EL3 with Secure
// accesses; Linux's distributor and redistributor init with Non-secure accesses; the SPMC's
// configuration of each SP's secure interrupts from its manifest device-regions).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/spmc/manifest.h"
#include "sim/core/platform.h"
#include "sim/core/profile.h"
#include "sim/gic/generic_timer.h"
#include "sim/gic/gic.h"
#include "sim/gic/sysreg_bus.h"

namespace ffasim {

struct InterruptHwConfig {
  std::string sgi_forwarding = "gem5";  // "gem5" | "qemu" (sim/gic/gic_state.h SgiForwarding)
  unsigned one_of_n_seed = 0;
};

// Priorities as the firmware programs them (Secure view of GICD_IPRIORITYR).
inline constexpr uint8_t kLinuxIrqPriority = 0xA0;  // irq-gic-v3.c GICD_INT_DEF_PRI (NS write)

class InterruptHw {
 public:
  // Builds the GIC for every PE of `platform`, connects lines, state hooks and the sysreg bus.
  // std::runtime_error (one line) for a manifest interrupt the GIC cannot take.
  InterruptHw(const InterruptHwConfig& cfg, sim::Platform& platform, const sim::Profile& profile,
              const std::vector<spmc::PartitionManifest>& partitions,
              const std::vector<std::string>& manifest_paths);
  ~InterruptHw();
  static void declare(sim::Profile& p);

  sim::gic::Gic& gic();
  sim::gic::GenericTimer& timer();
  uint64_t sysreg_accesses() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ffasim
