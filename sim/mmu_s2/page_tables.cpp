#include "sim/mmu_s2/page_tables.h"

#include <algorithm>
#include <stdexcept>

#include "sim/mmu_s2/walk.h"

namespace ffasim::sim::mmu {

std::optional<uint64_t> PoolAllocator::allocate(uint64_t bytes) {
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->bytes == bytes) {
      const uint64_t a = it->addr;
      free_.erase(it);
      in_use_ += bytes;
      return a;
    }
  }
  const uint64_t a = (next_ + bytes - 1) & ~(bytes - 1);
  if (a + bytes > end_ || a + bytes < a) return std::nullopt;
  next_ = a + bytes;
  in_use_ += bytes;
  return a;
}

void PoolAllocator::release(uint64_t addr, uint64_t bytes) {
  in_use_ -= bytes;
  const auto pos = std::lower_bound(free_.begin(), free_.end(), addr,
                                    [](const Block& b, uint64_t a) { return b.addr < a; });
  free_.insert(pos, {addr, bytes});
}

const char* name(MapStatus s) {
  switch (s) {
    case MapStatus::Ok: return "ok";
    case MapStatus::OutOfTables: return "out of table memory";
    case MapStatus::Unaligned: return "address or size not aligned to the granule";
    case MapStatus::OutOfRange: return "range outside the input address space";
    case MapStatus::BusError: return "bus error writing a descriptor";
  }
  return "?";
}

TableFormat stage1_format(unsigned va_bits, Granule g, Security space) {
  TableFormat f;
  f.stage = 1;
  f.granule = g;
  f.input_bits = va_bits;
  f.start_level = 4 - int((va_bits - 4) / stride(g));
  f.start_index_bits = va_bits - (granule_bits(g) + unsigned(3 - f.start_level) * stride(g));
  f.space = space;
  return f;
}

TableFormat stage2_format(unsigned ipa_bits, Granule g, Security space, const MmuConfig& cfg) {
  const int gb = int(granule_bits(g)), st = int(stride(g));
  const unsigned max_txsz = cfg.feat_ttst ? (g == Granule::K4 ? 48 : 47) : 39;
  for (int level = 3; level >= 0 && ipa_bits <= 48 && ipa_bits >= 64 - max_txsz; --level) {
    if (stage2_start_level(stage2_sl0(level, g), g, cfg) != level) continue;
    const int min_ia = (3 - level) * st + gb + 1, max_ia = min_ia + st - 1 + 4;
    if (int(ipa_bits) < min_ia || int(ipa_bits) > max_ia) continue;
    TableFormat f;
    f.stage = 2;
    f.granule = g;
    f.input_bits = ipa_bits;
    f.start_level = level;
    f.start_index_bits = ipa_bits - unsigned(gb + (3 - level) * st);
    f.space = space;
    return f;
  }
  throw std::invalid_argument("mmu: no valid stage-2 start level for a " + std::to_string(ipa_bits) +
                              "-bit IPA space");
}

uint64_t stage2_walk_fields(const TableFormat& f) {
  return uint64_t(64 - f.input_bits) | uint64_t(stage2_sl0(f.start_level, f.granule)) << vtcr::SL0_LO |
         encode_tg0(f.granule) << vtcr::TG0_LO;
}

uint64_t stage1_walk_fields(const TableFormat& f) {
  return uint64_t(64 - f.input_bits) | encode_tg0(f.granule) << tcr::TG0_LO;
}

uint64_t Stage2Attrs::bits() const {
  return desc::field(memattr & 0xF, desc::S2_MEMATTR_LO) | desc::field(s2ap & 3, desc::S2AP_LO) |
         desc::field(sh & 3, desc::SH_LO) | (af ? 1ull << desc::AF : 0) |
         desc::field(xn & 3, desc::S2_XN_LO);
}

uint64_t Stage1Attrs::bits() const {
  return desc::field(attr_indx & 7, desc::ATTR_INDX_LO) | (ns ? 1ull << desc::NS : 0) |
         desc::field(ap & 3, desc::AP_LO) | desc::field(sh & 3, desc::SH_LO) |
         (af ? 1ull << desc::AF : 0) | (ng ? 1ull << desc::NG : 0) |
         (pxn ? 1ull << desc::PXN : 0) | (uxn ? 1ull << desc::UXN : 0);
}

namespace {

constexpr uint64_t kLeafAttrMask = ~(desc::ADDR_MASK | 3ull);

bool is_table(uint64_t d, int level) { return level < 3 && (d & desc::TYPE_TABLE) == desc::TYPE_TABLE; }

uint64_t leaf(int level, uint64_t out, uint64_t attrs) {
  return (level == 3 ? desc::TYPE_PAGE : desc::TYPE_BLOCK) | (out & desc::ADDR_MASK) | (attrs & kLeafAttrMask);
}

}  // namespace

TranslationTables::TranslationTables(DescriptorStore& mem, TableAllocator& alloc,
                                     const TableFormat& fmt, TableToPa table_to_pa)
    : mem_(mem), alloc_(alloc), fmt_(fmt), to_pa_(std::move(table_to_pa)) {
  if (!to_pa_) to_pa_ = [](uint64_t a) { return PA(a); };
}

bool TranslationTables::read(uint64_t addr, uint64_t& d) {
  const DescriptorRead r = mem_.read64(to_pa_(addr), fmt_.space);
  d = r.value;
  return r.ok;
}

bool TranslationTables::write(uint64_t addr, uint64_t d) {
  ++writes_;
  return mem_.write64(to_pa_(addr), fmt_.space, d);
}

MapStatus TranslationTables::fill_table(uint64_t table, uint64_t d, int level) {
  // `d` is the block being split at `level` (0: a new empty table).
  const uint64_t n = table_bytes() / 8, child = level_size(fmt_.granule, level + 1);
  const uint64_t base = d & desc::ADDR_MASK & ~(level_size(fmt_.granule, level) - 1);
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t v = (d & desc::VALID) ? leaf(level + 1, base + i * child, d) : 0;
    if (!write(table + i * 8, v)) return MapStatus::BusError;
  }
  return MapStatus::Ok;
}

MapStatus TranslationTables::init() {
  const uint64_t bytes = table_bytes() * fmt_.root_tables();
  const auto a = alloc_.allocate(bytes);
  if (!a) return MapStatus::OutOfTables;
  root_ = *a;
  ++tables_;
  for (uint64_t off = 0; off < bytes; off += 8)
    if (!write(root_ + off, 0)) return MapStatus::BusError;
  return MapStatus::Ok;
}

uint64_t TranslationTables::index_of(uint64_t in, int level) const {
  const unsigned shift = granule_bits(fmt_.granule) + unsigned(3 - level) * stride(fmt_.granule);
  const unsigned bits_here = level == fmt_.start_level ? fmt_.start_index_bits : stride(fmt_.granule);
  return (in >> shift) & ((1ull << bits_here) - 1);
}

MapStatus TranslationTables::check(uint64_t in, uint64_t size) const {
  const uint64_t g = table_bytes() - 1;
  if ((in & g) || (size & g) || size == 0) return MapStatus::Unaligned;
  // Inputs of a TTBR1 tree have bits [63:IA] all ones; the index uses [IA-1:0].
  const uint64_t top = in >> fmt_.input_bits, ones = (1ull << (64 - fmt_.input_bits)) - 1;
  const uint64_t low = in & ((1ull << fmt_.input_bits) - 1);
  if ((top != 0 && top != ones) || size > (1ull << fmt_.input_bits) - low) return MapStatus::OutOfRange;
  return MapStatus::Ok;
}

MapStatus TranslationTables::ensure_table(uint64_t entry, uint64_t d, int level, uint64_t& next) {
  if (is_table(d, level)) {
    next = d & desc::ADDR_MASK & ~(table_bytes() - 1);
    return MapStatus::Ok;
  }
  const auto a = alloc_.allocate(table_bytes());
  if (!a) return MapStatus::OutOfTables;
  ++tables_;
  next = *a;
  if (MapStatus s = fill_table(next, d, level); s != MapStatus::Ok) return s;
  return write(entry, next | desc::TYPE_TABLE) ? MapStatus::Ok : MapStatus::BusError;
}

void TranslationTables::free_subtree(uint64_t table, int level) {
  if (level < 3) {
    for (uint64_t i = 0; i < table_bytes() / 8; ++i) {
      uint64_t d = 0;
      if (read(table + i * 8, d) && is_table(d, level))
        free_subtree(d & desc::ADDR_MASK & ~(table_bytes() - 1), level + 1);
    }
  }
  alloc_.release(table, table_bytes());
  --tables_;
}

MapStatus TranslationTables::map(uint64_t in, uint64_t out, uint64_t size, uint64_t attrs,
                                 bool allow_blocks) {
  if (MapStatus s = check(in, size); s != MapStatus::Ok) return s;
  if (out & (table_bytes() - 1)) return MapStatus::Unaligned;
  return map_range(root_, fmt_.start_level, in, out, size, attrs, allow_blocks);
}

MapStatus TranslationTables::map_range(uint64_t table, int level, uint64_t in, uint64_t out,
                                       uint64_t size, uint64_t attrs, bool blocks) {
  const uint64_t esize = level_size(fmt_.granule, level);
  while (size) {
    const uint64_t entry = table + index_of(in, level) * 8;
    const uint64_t chunk = std::min(size, esize - (in & (esize - 1)));
    uint64_t d = 0;
    if (!read(entry, d)) return MapStatus::BusError;
    const bool as_leaf = level == 3 || (blocks && block_allowed(fmt_.granule, level) &&
                                        chunk == esize && (out & (esize - 1)) == 0);
    if (as_leaf) {
      if (is_table(d, level)) free_subtree(d & desc::ADDR_MASK & ~(table_bytes() - 1), level + 1);
      if (!write(entry, leaf(level, out, attrs))) return MapStatus::BusError;
    } else {
      uint64_t next = 0;
      if (MapStatus s = ensure_table(entry, d, level, next); s != MapStatus::Ok) return s;
      if (MapStatus s = map_range(next, level + 1, in, out, chunk, attrs, blocks); s != MapStatus::Ok)
        return s;
    }
    in += chunk;
    out += chunk;
    size -= chunk;
  }
  return MapStatus::Ok;
}

MapStatus TranslationTables::unmap(uint64_t in, uint64_t size) {
  if (MapStatus s = check(in, size); s != MapStatus::Ok) return s;
  return unmap_range(root_, fmt_.start_level, in, size);
}

MapStatus TranslationTables::unmap_range(uint64_t table, int level, uint64_t in, uint64_t size) {
  const uint64_t esize = level_size(fmt_.granule, level);
  while (size) {
    const uint64_t entry = table + index_of(in, level) * 8;
    const uint64_t chunk = std::min(size, esize - (in & (esize - 1)));
    uint64_t d = 0;
    if (!read(entry, d)) return MapStatus::BusError;
    if (d & desc::VALID) {
      if (chunk == esize) {
        if (is_table(d, level)) free_subtree(d & desc::ADDR_MASK & ~(table_bytes() - 1), level + 1);
        if (!write(entry, 0)) return MapStatus::BusError;
      } else {
        uint64_t next = 0;
        if (MapStatus s = ensure_table(entry, d, level, next); s != MapStatus::Ok) return s;
        if (MapStatus s = unmap_range(next, level + 1, in, chunk); s != MapStatus::Ok) return s;
      }
    }
    in += chunk;
    size -= chunk;
  }
  return MapStatus::Ok;
}

std::optional<TranslationTables::Leaf> TranslationTables::lookup(uint64_t in) {
  uint64_t table = root_;
  for (int level = fmt_.start_level; level <= 3; ++level) {
    uint64_t d = 0;
    if (!read(table + index_of(in, level) * 8, d) || !(d & desc::VALID)) return std::nullopt;
    if (is_table(d, level)) {
      table = d & desc::ADDR_MASK & ~(table_bytes() - 1);
      continue;
    }
    if (level == 3 && !(d & desc::TABLE)) return std::nullopt;
    const uint64_t size = level_size(fmt_.granule, level);
    return Leaf{(d & desc::ADDR_MASK & ~(size - 1)) | (in & (size - 1)), d, level, size};
  }
  return std::nullopt;
}

}  // namespace ffasim::sim::mmu
