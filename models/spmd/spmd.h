// The TF-A SPM Dispatcher (SPMD) at EL3, with the minimal PSCI the platform needs. It owns the
// world switch: it saves the outgoing world's EL1/EL2 context, restores the other one, flips
// SCR_EL3.NS and forwards x0-x7 (x0-x17 for SMC64 calls when both sides speak v1.2), as
// spmd_smc_switch_state does. It boots the SPMC (which ends its init with FFA_MSG_WAIT) on each
// PE before the normal world runs there, answers FFA_VERSION, FFA_ID_GET and FFA_SPM_ID_GET, and
// enforces which world may call what (../shared/reference/ffa-abi.md sections 1.2, 1.6).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/ffa/types.h"
#include "sim/core/platform.h"
#include "sim/core/profile.h"
#include "sim/core/software.h"

namespace ffasim::spmd {

struct SpmdConfig {
  ffa::EndpointId spmc_id{0x8000};
  ffa::Version spmc_version{1, 2};   // from the SPMC core manifest (maj_ver, min_ver)
  ffa::Version spmd_version{1, 2};   // the SPMD's own compiled version
  bool spmc_at_sel2 = true;          // switch EL2 registers too (SPMD_SPM_AT_SEL2)
};

struct SpmdStats {
  uint64_t world_switches = 0;
  uint64_t smc_from_ns = 0, smc_from_s = 0;
  std::vector<std::string> errors;   // SPMC init failures and other fatal firmware events
};

class Spmd : public sim::ExceptionHandler {
 public:
  // `spmc_entry[pe]`: the SPMC's S-EL2 context on each PE. `nwd_entry[pe]`: the NS-EL1 context the
  // SPMD enters after SPMC init on that PE (the kernel on PE 0, the CPU_ON entry elsewhere).
  Spmd(const SpmdConfig& cfg, sim::Platform& platform, const sim::Profile& profile,
       std::vector<sim::ExecContext*> spmc_entry, std::vector<sim::ExecContext*> nwd_entry);
  ~Spmd() override;
  static void declare(sim::Profile& p);

  sim::Step take(sim::Pe& pe, const sim::ExceptionInfo& e) override;
  const SpmdStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ffasim::spmd
