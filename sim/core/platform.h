// The hardware platform: N PEs in clusters, physical memory, the timing profile of the core,
// and the run control. SystemC elaborates once per process, so there is one Platform per process
// (a second one throws).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/core/core_timing.h"
#include "sim/core/memory.h"
#include "sim/core/pe.h"
#include "sim/core/profile.h"
#include "sim/core/tracer.h"

namespace ffasim::sim {

struct PlatformConfig {
  unsigned pe_count = 8;         // FVP Base RevC: 2 clusters x 4
  unsigned pes_per_cluster = 4;  // MPIDR: Aff1 = cluster, Aff0 = core
  double quantum_ns = 1000;      // temporal-decoupling quantum (cross-PE timing accuracy)
  std::vector<MemoryRegion> memory;
};

class Platform {
 public:
  // `profile` must already hold every override; the core timing is read from it here.
  Platform(const PlatformConfig& cfg, const Profile& profile);
  ~Platform();

  Pe& pe(PeId id) { return *pes_.at(id); }
  size_t pe_count() const { return pes_.size(); }
  Memory& memory() { return *memory_; }
  Tracer& tracer() { return tracer_; }
  const CoreTiming& core_timing() const { return timing_; }
  const PlatformConfig& config() const { return cfg_; }
  // PE id for an MPIDR affinity value, or -1.
  int pe_for_mpidr(uint64_t mpidr) const;

  // Runs until nothing is left to do (every PE waits with no wake-up pending), or until `limit`
  // simulated picoseconds more have passed (0 = no limit). Errors inside the models propagate as
  // exceptions.
  void run(Picos limit = 0);
  Picos now() const;
  // Closes the open trace segments at the current time (before writing a trace).
  void finish_trace();

 private:
  PlatformConfig cfg_;
  CoreTiming timing_;
  Tracer tracer_;
  std::unique_ptr<Memory> memory_;
  std::vector<std::unique_ptr<Pe>> pes_;
  std::exception_ptr error_;
  bool started_ = false;
};

}  // namespace ffasim::sim
