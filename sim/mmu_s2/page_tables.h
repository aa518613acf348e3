// A page-table builder: writes real VMSAv8-64 descriptors (descriptor.h) into memory through a
// DescriptorStore, allocating table pages from a caller-given TableAllocator. The SPMC builds
// each SP's stage 2 with it; tests build stage-1 and stage-2 trees for the walker.
//
//   TableFormat f = stage2_format(40, Granule::K4, Security::Secure, cfg);  // L1, 2 tables
//   Stage2Tables s2(store, alloc, f);
//   if (s2.init() != MapStatus::Ok) ...
//   s2.map(IPA(0x80000000), PA(0x6000000), 0x200000, Stage2Attrs::normal_rw());
//   regs.vsttbr_el2 = s2.root().value();
//   regs.vstcr_el2 = vtcr::RES1 | stage2_walk_fields(f);
//
// map() uses the largest block the alignment allows (unless blocks are disallowed); mapping or
// unmapping part of a block splits it into a next-level table that reproduces the block, then
// changes the part. Replacing a table with a block, or unmapping a whole table's range, frees
// the table pages below it. Writes are not break-before-make and nothing is invalidated: the
// caller issues TLBI (e.g. IPAS2E1IS then VMALLE1IS) after changing live tables. A failure
// (allocator exhausted, bus error) may leave the range partly changed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "sim/core/types.h"
#include "sim/mmu_s2/addr.h"
#include "sim/mmu_s2/descriptor.h"
#include "sim/mmu_s2/memory_port.h"
#include "sim/mmu_s2/regime.h"
#include "sim/mmu_s2/regs.h"

namespace ffasim::sim::mmu {

class TableAllocator {
 public:
  virtual ~TableAllocator() = default;
  // `bytes` (a multiple of the granule) aligned to `bytes`, addressed as the tables are (a PA,
  // or an IPA for stage-1 tables under stage 2); nullopt when exhausted.
  virtual std::optional<uint64_t> allocate(uint64_t bytes) = 0;
  virtual void release(uint64_t addr, uint64_t bytes) = 0;
};

// Tables from a pool [base, base + size): released blocks are reused first (smallest address),
// then the pool grows upwards. Deterministic.
class PoolAllocator final : public TableAllocator {
 public:
  PoolAllocator(uint64_t base, uint64_t size) : next_(base), end_(base + size) {}
  std::optional<uint64_t> allocate(uint64_t bytes) override;
  void release(uint64_t addr, uint64_t bytes) override;
  uint64_t in_use() const { return in_use_; }  // bytes

 private:
  struct Block { uint64_t addr, bytes; };
  uint64_t next_, end_, in_use_ = 0;
  std::vector<Block> free_;
};

// The shape of one table tree.
struct TableFormat {
  unsigned stage = 2;
  Granule granule = Granule::K4;
  unsigned input_bits = 40;        // 64 - TxSZ
  int start_level = 1;
  unsigned start_index_bits = 10;  // > stride: concatenated stage-2 root tables
  Security space = Security::Secure;  // PA (or IPA) space of the table pages
  unsigned root_tables() const {
    const unsigned s = stride(granule);
    return 1u << (start_index_bits > s ? start_index_bits - s : 0);
  }
};
// Stage 1 of a `va_bits` input: start level by s3.3.
TableFormat stage1_format(unsigned va_bits, Granule g, Security space);
// Stage 2 of an `ipa_bits` input: the valid start level with the fewest levels (up to 16
// concatenated root tables, s3.4); std::invalid_argument if none is valid (or T0SZ would be out
// of range).
TableFormat stage2_format(unsigned ipa_bits, Granule g, Security space, const MmuConfig& cfg);
// T0SZ | SL0 | TG0 for VTCR_EL2 / VSTCR_EL2 (the caller adds PS, SH0, RGN, NSA/NSW or SA/SW, RES1).
uint64_t stage2_walk_fields(const TableFormat& f);
// T0SZ | TG0 for the TTBR0 half of TCR_ELx (the caller adds IPS/PS, EPD1 ...).
uint64_t stage1_walk_fields(const TableFormat& f);

enum class MapStatus : uint8_t { Ok, OutOfTables, Unaligned, OutOfRange, BusError };
const char* name(MapStatus s);

// Leaf attributes: the descriptor bits other than type and address.
struct Stage2Attrs {
  uint64_t s2ap = desc::S2AP_RW;
  uint64_t xn = desc::S2XN_NONE;     // XN[1:0]
  uint64_t memattr = desc::S2_NORMAL_WB;
  uint64_t sh = desc::SH_ISH;
  bool af = true;
  uint64_t bits() const;
  static Stage2Attrs normal_rw() { return {}; }
  static Stage2Attrs normal_ro() { return {desc::S2AP_RO}; }
  static Stage2Attrs normal_rwx() { return {desc::S2AP_RW, desc::S2XN_ALL}; }
  static Stage2Attrs device_rw() { return {desc::S2AP_RW, desc::S2XN_NONE, desc::S2_DEVICE_nGnRE, desc::SH_OSH}; }
};
struct Stage1Attrs {
  unsigned attr_indx = 0;            // MAIR_ELx byte
  uint64_t ap = desc::AP_RW_EL1;     // AP[2:1]
  bool ns = false;
  uint64_t sh = desc::SH_ISH;
  bool af = true;
  bool ng = false;
  bool pxn = false, uxn = false;     // uxn = XN in single-privilege regimes
  uint64_t bits() const;
};

// One tree of translation tables, on plain 64-bit addresses (see the typed wrappers below).
class TranslationTables {
 public:
  // How a table address becomes a PA for the builder's own reads and writes: identity unless
  // the tables are addressed by IPA (stage 1 under stage 2).
  using TableToPa = std::function<PA(uint64_t)>;
  TranslationTables(DescriptorStore& mem, TableAllocator& alloc, const TableFormat& fmt,
                    TableToPa table_to_pa = {});

  MapStatus init();  // allocates and zeroes the root table(s)
  uint64_t root() const { return root_; }
  const TableFormat& format() const { return fmt_; }

  // `in`, `out` and `size` granule-aligned; [in, in + size) inside the input range.
  MapStatus map(uint64_t in, uint64_t out, uint64_t size, uint64_t leaf_attrs, bool allow_blocks = true);
  MapStatus unmap(uint64_t in, uint64_t size);

  struct Leaf {
    uint64_t out = 0;         // output address of `in`
    uint64_t descriptor = 0;
    int level = 0;
    uint64_t size = 0;
  };
  // A software walk (no timing, no permission checks); nullopt when `in` is unmapped.
  std::optional<Leaf> lookup(uint64_t in);

  uint64_t tables_allocated() const { return tables_; }
  uint64_t descriptors_written() const { return writes_; }

 private:
  uint64_t table_bytes() const { return 1ull << granule_bits(fmt_.granule); }
  uint64_t index_of(uint64_t in, int level) const;
  MapStatus check(uint64_t in, uint64_t size) const;
  bool read(uint64_t addr, uint64_t& d);
  bool write(uint64_t addr, uint64_t d);
  MapStatus map_range(uint64_t table, int level, uint64_t in, uint64_t out, uint64_t size,
                      uint64_t attrs, bool blocks);
  MapStatus unmap_range(uint64_t table, int level, uint64_t in, uint64_t size);
  MapStatus ensure_table(uint64_t entry, uint64_t d, int level, uint64_t& next);
  MapStatus fill_table(uint64_t table, uint64_t d, int level);
  void free_subtree(uint64_t table, int level);

  DescriptorStore& mem_;
  TableAllocator& alloc_;
  TableFormat fmt_;
  TableToPa to_pa_;
  uint64_t root_ = 0;
  uint64_t tables_ = 0, writes_ = 0;
};

// Stage 2: IPA -> PA, tables addressed by PA.
class Stage2Tables {
 public:
  Stage2Tables(DescriptorStore& mem, TableAllocator& alloc, const TableFormat& fmt)
      : t_(mem, alloc, fmt) {}
  MapStatus init() { return t_.init(); }
  PA root() const { return PA(t_.root()); }  // VTTBR_EL2 / VSTTBR_EL2 BADDR
  MapStatus map(IPA ipa, PA pa, uint64_t size, const Stage2Attrs& a, bool allow_blocks = true) {
    return t_.map(ipa.value(), pa.value(), size, a.bits(), allow_blocks);
  }
  MapStatus unmap(IPA ipa, uint64_t size) { return t_.unmap(ipa.value(), size); }
  std::optional<PA> translate(IPA ipa) {
    auto l = t_.lookup(ipa.value());
    return l ? std::optional<PA>(PA(l->out)) : std::nullopt;
  }
  TranslationTables& tables() { return t_; }

 private:
  TranslationTables t_;
};

// Stage 1: VA -> IPA (under stage 2) or VA -> PA.
class Stage1Tables {
 public:
  Stage1Tables(DescriptorStore& mem, TableAllocator& alloc, const TableFormat& fmt,
               TranslationTables::TableToPa table_to_pa = {})
      : t_(mem, alloc, fmt, std::move(table_to_pa)) {}
  MapStatus init() { return t_.init(); }
  uint64_t root() const { return t_.root(); }  // TTBRn_ELx BADDR (an IPA under stage 2)
  MapStatus map(VA va, PA pa, uint64_t size, const Stage1Attrs& a, bool allow_blocks = true) {
    return t_.map(va.value(), pa.value(), size, a.bits(), allow_blocks);
  }
  MapStatus map(VA va, IPA ipa, uint64_t size, const Stage1Attrs& a, bool allow_blocks = true) {
    return t_.map(va.value(), ipa.value(), size, a.bits(), allow_blocks);
  }
  MapStatus unmap(VA va, uint64_t size) { return t_.unmap(va.value(), size); }
  TranslationTables& tables() { return t_; }

 private:
  TranslationTables t_;
};

}  // namespace ffasim::sim::mmu
