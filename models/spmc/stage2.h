// Private to models/spmc: each partition's stage-2 translation (Hafnium's vm->ptable for the
// Secure IPA space and arch.ptable_ns for the Non-secure one), as real VMSAv8-64 tables that the
// SPMC writes with sim/mmu_s2's builder into secure memory it owns (a table pool after its
// image). IPA = PA in both spaces, as Hafnium maps SPs.
//
//   Built at SPMC init from the manifest: the partition's memory (load address, mem-size or the
//   end of its memory regions) read-write-execute, then each memory region with its attributes
//   (0x1 R, 0x2 W, 0x4 X; 0x8 NS puts it in the Non-secure IPA space), then each device region
//   as Device-nGnRE. Later regions refine earlier ones.
//   Changed after every memory-management ABI from MemoryState's AccessChanges: access 0 unmaps
//   the page, otherwise it is (re)mapped with S2AP from R/W and XN from X, in the Secure IPA space
//   for secure pages and the Non-secure one for NS pages. Runs of consecutive pages with the same
//   change are one builder call, so aligned runs become blocks.
//
// Registers a vCPU entry installs: VSTTBR_EL2 = the secure root, VSTCR_EL2 = T0SZ/SL0/TG0 (SA =
// SW = 0: Secure IPA -> Secure PA, walks in Secure PA); VTTBR_EL2 = the NS root with the VMID,
// VTCR_EL2 = T0SZ/SL0/TG0, PS, NSA = 1 (Non-secure IPA -> Non-secure PA), NSW = 0 (its tables
// are secure memory too).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/spmc/manifest.h"
#include "models/spmc/memory_state.h"
#include "sim/mmu_s2/page_tables.h"

namespace ffasim::spmc {

// One partition's two trees.
struct PartitionStage2 {
  ffa::EndpointId id;
  uint16_t vmid = 0;  // Hafnium: the partition's index + 1 (VMID 0 is unused)
  std::unique_ptr<sim::mmu::Stage2Tables> secure, ns;
};

// What applying one ABI's changes did.
struct Stage2Update {
  uint64_t pages_mapped = 0;    // pages given access, or whose access changed
  uint64_t pages_unmapped = 0;  // pages whose access was removed
  std::vector<uint16_t> invalidate_vmids;  // VMIDs that lost or narrowed a mapping (TLBI needed), ascending
};

class Stage2Manager {
 public:
  // Tables come from [pool_base, pool_base + pool_size) of secure memory.
  Stage2Manager(sim::mmu::DescriptorStore& mem, uint64_t pool_base, uint64_t pool_size);

  // Builds the partition's tables from its manifest; `memory_size` is its memory from the load
  // address. A table pool too small, or a region the builder refuses, is one line in `errors`.
  void add_partition(ffa::EndpointId id, uint16_t vmid, const PartitionManifest& m, uint64_t memory_size,
                     std::vector<std::string>& errors);
  const PartitionStage2* find(ffa::EndpointId id) const;
  PartitionStage2* find(ffa::EndpointId id);
  const std::vector<std::unique_ptr<PartitionStage2>>& partitions() const { return parts_; }

  // Applies the access changes of partitions (other endpoints have no stage 2 here).
  Stage2Update apply(const std::vector<AccessChange>& changes, std::vector<std::string>& errors);

  // The access bits (access::kR/kW/kX) the partition's real tables give to `page`, by a software
  // walk of the descriptors in memory; 0 if unmapped or not a partition.
  uint8_t mapped_access(ffa::EndpointId id, const PageKey& page);

  // The translation registers for a vCPU of `p`.
  uint64_t vsttbr_el2(const PartitionStage2& p) const;
  uint64_t vstcr_el2() const;
  uint64_t vttbr_el2(const PartitionStage2& p) const;
  uint64_t vtcr_el2() const;

  uint64_t pool_in_use() const { return pool_.in_use(); }
  uint64_t pool_base() const { return pool_base_; }
  static constexpr unsigned kIpaBits = 40;

 private:
  bool map(PartitionStage2& p, bool ns, uint64_t base, uint64_t size, const sim::mmu::Stage2Attrs& a,
           const std::string& what, std::vector<std::string>& errors);
  sim::mmu::DescriptorStore& mem_;
  sim::mmu::PoolAllocator pool_;
  uint64_t pool_base_;
  sim::mmu::TableFormat fmt_;
  std::vector<std::unique_ptr<PartitionStage2>> parts_;
};

// Stage-2 leaf attributes for access bits: S2AP from R/W, XN[1:0] none if X else all.
sim::mmu::Stage2Attrs stage2_attrs(uint8_t access_bits);
// The access bits a stage-2 leaf descriptor grants (S2AP, XN[1:0] at EL1).
uint8_t access_of_descriptor(uint64_t descriptor);

}  // namespace ffasim::spmc
