// What a behavioural secure partition model is given by the stack that builds it. SPs meet the
// SPMC only at the register ABI and in memory; nothing here reaches into the SPMC.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "models/sp_common/sp_memory.h"
#include "models/spmc/manifest.h"
#include "sim/core/host_channel.h"
#include "sim/core/profile.h"
#include "sim/core/software.h"
#include "sim/core/tracer.h"

namespace ffasim::sp {

struct SpEnv {
  const spmc::PartitionManifest* manifest = nullptr;
  // Where the manifest's regions ended up (the SP's own RX/TX pages, its memory), as PAs in the
  // secure PA space. rx/tx are 0 if the manifest declares none (the model then allocates none).
  uint64_t rx_buffer = 0, tx_buffer = 0;
  sim::Insn conduit = sim::Insn::SMC;  // SMC trapped to S-EL2 (HCR_EL2.TSC) or HVC
  sim::ComponentId component = 0;      // time attribution
  sim::Tracer* tracer = nullptr;
  const sim::Profile* profile = nullptr;  // timing parameters; null = the built-in defaults
  // Model parameters from the scenario (partitions[i].params); each model validates its keys
  // and throws std::invalid_argument("<key>: <what was expected>") on a bad one.
  std::map<std::string, std::string> params;
  // Loads and stores through the SP's stage 2 (sp_memory.h); disabled if the stack gives none.
  SpMemory memory;
};

}  // namespace ffasim::sp

namespace ffasim::sp {

// A behavioural SP: one ExecContext per execution context (vCPU). The SPMC resumes vcpu(i) for
// its vCPU i; the first resume is the cold entry (vCPU 0 runs the partition's init, others their
// secondary entry), and every later resume returns from the SP's last FF-A call.
class SpModel {
 public:
  virtual ~SpModel() = default;
  virtual sim::ExecContext& vcpu(unsigned index) = 0;
  // The channel of a host-driven vCPU, if this model supports host driving.
  virtual sim::HostChannel* host_channel() { return nullptr; }
  // The partition's S-EL1 vector (VBAR_EL1): takes the virtual interrupts the SPMC injects (a
  // managed exit, a secure interrupt). Null: the partition takes none.
  virtual sim::ExceptionHandler* vector() { return nullptr; }
};

}  // namespace ffasim::sp
