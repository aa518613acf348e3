// How the walker reads descriptors and the page-table builder writes them: a small interface
// over physical memory, so unit tests use a plain map (MapMemory) and the simulator uses
// sim::Memory or a PE's TLM socket (sim_memory_port.h).
#pragma once

#include <cstdint>
#include <set>
#include <unordered_map>

#include "sim/core/types.h"
#include "sim/mmu_s2/addr.h"

namespace ffasim::sim::mmu {

struct DescriptorRead {
  uint64_t value = 0;
  Picos latency = 0;  // what the access cost in the memory system
  bool ok = false;    // false: bus error (the walker reports an external abort on the walk)
};

class DescriptorMemory {
 public:
  virtual ~DescriptorMemory() = default;
  // A 64-bit little-endian read of `pa` (8-byte aligned) in PA space `space`.
  virtual DescriptorRead read64(PA pa, Security space) = 0;
};

class DescriptorStore : public DescriptorMemory {
 public:
  // False on a bus error.
  virtual bool write64(PA pa, Security space, uint64_t value) = 0;
};

// Sparse 64-bit words in two PA spaces; unwritten words read as zero. Every read costs
// `latency`. reads() counts read64 calls (what a walk did), writes() write64 calls.
class MapMemory final : public DescriptorStore {
 public:
  explicit MapMemory(Picos latency = 0) : latency_(latency) {}

  DescriptorRead read64(PA pa, Security space) override {
    ++reads_;
    if (bus_errors_.count(key(pa, space))) return {0, latency_, false};
    auto it = words_.find(key(pa, space));
    return {it == words_.end() ? 0 : it->second, latency_, true};
  }
  bool write64(PA pa, Security space, uint64_t value) override {
    ++writes_;
    if (bus_errors_.count(key(pa, space))) return false;
    words_[key(pa, space)] = value;
    return true;
  }
  // Untimed, uncounted peek (tests).
  uint64_t peek(PA pa, Security space) const {
    auto it = words_.find(key(pa, space));
    return it == words_.end() ? 0 : it->second;
  }
  // Accesses to this word fail from now on.
  void set_bus_error(PA pa, Security space) { bus_errors_.insert(key(pa, space)); }

  uint64_t reads() const { return reads_; }
  uint64_t writes() const { return writes_; }
  void reset_counts() { reads_ = writes_ = 0; }

 private:
  // PAs are below 2^52, so the space fits in bit 63.
  static uint64_t key(PA pa, Security s) {
    return (pa.value() & ~7ull) | (s == Security::NonSecure ? 1ull << 63 : 0);
  }
  Picos latency_;
  std::unordered_map<uint64_t, uint64_t> words_;
  std::set<uint64_t> bus_errors_;
  uint64_t reads_ = 0, writes_ = 0;
};

}  // namespace ffasim::sim::mmu
