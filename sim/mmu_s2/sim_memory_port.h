// The descriptor-memory interface over the simulator's memory:
//   SimMemoryPort  untimed host access to sim::Memory (the SPMC's table building, boot-time
//                  setup); a read reports one line of DRAM latency (core timing mem.latency_ns).
//   TlmMemoryPort  TLM-2.0 transactions through an initiator socket (a PE's), carrying the
//                  Sideband extension (PA space, EL, PE id); a read reports the delay the target
//                  annotated. It does not advance anyone's time: the caller prices the walk with
//                  translation_cost() (mmu_timing.h) and charges it.
#pragma once

#include <tlm>

#include "sim/core/core_timing.h"
#include "sim/core/memory.h"
#include "sim/mmu_s2/memory_port.h"

namespace ffasim::sim::mmu {

class SimMemoryPort final : public DescriptorStore {
 public:
  SimMemoryPort(Memory& mem, const CoreTiming& timing) : mem_(mem), timing_(timing) {}
  DescriptorRead read64(PA pa, Security space) override;
  bool write64(PA pa, Security space, uint64_t value) override;

 private:
  Memory& mem_;
  const CoreTiming& timing_;
};

class TlmMemoryPort final : public DescriptorStore {
 public:
  TlmMemoryPort(tlm::tlm_initiator_socket<>& socket, PeId pe);
  ~TlmMemoryPort() override;
  // The EL put in the Sideband of the walk's transactions.
  void set_el(El el) { sideband_->el = el; }
  DescriptorRead read64(PA pa, Security space) override;
  bool write64(PA pa, Security space, uint64_t value) override;

 private:
  bool transact(tlm::tlm_command cmd, PA pa, Security space, uint64_t& data, Picos& latency);
  tlm::tlm_initiator_socket<>& socket_;
  tlm::tlm_generic_payload gp_;
  Sideband* sideband_;
};

}  // namespace ffasim::sim::mmu
