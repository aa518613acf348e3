#include "sim/mmu_s2/walk.h"

#include "sim/mmu_s2/descriptor.h"

namespace ffasim::sim::mmu {

bool permits(Perms p, AccessType t, bool unprivileged) {
  const Perms need = t == AccessType::Read ? perm::R1 : t == AccessType::Write ? perm::W1 : perm::X1;
  return p & (unprivileged ? Perms(need >> 3) : need);
}

bool block_allowed(Granule g, int level) {
  return g == Granule::K4 ? (level == 1 || level == 2) : level == 2;
}

namespace {

Fault walk_fault(FaultType t, const WalkSetup& w, int level) {
  Fault f;
  f.type = t;
  f.level = level;
  f.stage = w.stage;
  return f;
}

// Address field of a descriptor at the granule: [47:granule].
uint64_t next_table(uint64_t d, Granule g) {
  return d & desc::ADDR_MASK & ~((1ull << granule_bits(g)) - 1);
}

}  // namespace

bool walk(const WalkSetup& w, uint64_t input, DescriptorFetcher& f, WalkLeaf& leaf, Fault& fault) {
  int level = w.start_level;
  unsigned index_bits = w.start_index_bits;
  uint64_t table = w.base;
  Security space = w.space;
  uint64_t table_attrs = 0;
  for (;;) {
    const unsigned shift = granule_bits(w.granule) + unsigned(3 - level) * stride(w.granule);
    const uint64_t index = (input >> shift) & ((1ull << index_bits) - 1);
    uint64_t d = 0;
    if (!f.fetch(table + index * 8, space, level, d, fault)) return false;
    const bool is_table_bit = d & desc::TABLE;
    if (!(d & desc::VALID) || (level == 3 && !is_table_bit)) {
      fault = walk_fault(FaultType::Translation, w, level);
      return false;
    }
    if (level < 3 && is_table_bit) {
      const uint64_t next = next_table(d, w.granule);
      if (next >> w.output_bits) {
        fault = walk_fault(FaultType::AddressSize, w, level);
        return false;
      }
      if (w.stage == 1) {
        table_attrs |= d >> 59;
        if (w.secure_regime && bit(d, desc::NS_TABLE)) space = Security::NonSecure;
      }
      table = next;
      index_bits = stride(w.granule);
      ++level;
      continue;
    }
    if (level < 3 && !block_allowed(w.granule, level)) {
      fault = walk_fault(FaultType::Translation, w, level);
      return false;
    }
    const uint64_t size = 1ull << shift;
    const uint64_t base = d & desc::ADDR_MASK & ~(size - 1);
    if (base >> w.output_bits) {
      fault = walk_fault(FaultType::AddressSize, w, level);
      return false;
    }
    if (!bit(d, desc::AF)) {
      fault = walk_fault(FaultType::AccessFlag, w, level);
      return false;
    }
    leaf = {d, level, size, base | (input & (size - 1)), table_attrs};
    return true;
  }
}

namespace {

Perms stage1_perms(uint64_t d, uint64_t tattrs, const RegimeContext& c, bool wxn) {
  unsigned ap = unsigned(bits(d, 7, 6));           // bit 0 = AP[1] (EL0), bit 1 = AP[2] (RO)
  if (bit(tattrs, 2)) ap &= ~1u;                   // APTable[0]: no EL0 access below
  if (bit(tattrs, 3)) ap |= 2u;                    // APTable[1]: read-only below
  const bool priv_w = !(ap & 2);
  if (!c.two_ranges) {                             // EL2 (E2H = 0), EL3: AP[1] is RES1
    const bool xn = bit(d, desc::UXN) || bit(tattrs, 1);
    Perms p = perm::R1 | (priv_w ? perm::W1 : 0);
    if (!xn && !(wxn && priv_w)) p |= perm::X1;
    return p;
  }
  const bool user_r = ap & 1, user_w = ap == 1;
  const bool uxn = bit(d, desc::UXN) || bit(tattrs, 1);
  const bool pxn = bit(d, desc::PXN) || bit(tattrs, 0);
  Perms p = perm::R1 | (priv_w ? perm::W1 : 0) | (user_r ? perm::R0 : 0) | (user_w ? perm::W0 : 0);
  if (!uxn && !(wxn && user_w)) p |= perm::X0;
  // Privileged execution is never allowed from memory writable at EL0.
  if (!pxn && !user_w && !(wxn && priv_w)) p |= perm::X1;
  return p;
}

}  // namespace

Stage1Out decode_stage1(const WalkLeaf& leaf, const RegimeContext& c, const MmuRegs& r) {
  const uint64_t d = leaf.descriptor;
  Stage1Out o;
  o.oa = leaf.output;
  o.level = leaf.level;
  o.size = leaf.size;
  const bool ns = c.security == Security::NonSecure || bit(d, desc::NS) || bit(leaf.table_attrs, 4);
  o.oa_space = ns ? Security::NonSecure : Security::Secure;
  o.perms = stage1_perms(d, leaf.table_attrs, c, regime_sctlr(r, c.regime) & sctlr::WXN);
  const unsigned attr_indx = unsigned(bits(d, 4, 2));
  o.attrs = stage1_attrs(uint8_t(regime_mair(r, c.regime) >> (8 * attr_indx)), unsigned(bits(d, 9, 8)));
  o.global = !c.two_ranges || !bit(d, desc::NG);
  return o;
}

Stage1Out stage1_flat(uint64_t va, const RegimeContext& c, const MmuRegs& r, AccessType t) {
  Stage1Out o;
  o.oa = va;
  o.oa_space = c.security;
  o.perms = perm::ALL;
  o.size = 1ull << 62;
  o.level = 0;
  if (c.regime == Regime::EL10 && (c.hcr & hcr_mmu::DC)) {
    o.attrs = MemAttrs::normal_wb(Shareability::NSH);
  } else if (t == AccessType::Execute) {
    const Cacheability ca = (regime_sctlr(r, c.regime) & sctlr::I) ? Cacheability::WriteThrough
                                                                     : Cacheability::NonCacheable;
    o.attrs = normalise_shareability({MemType::Normal, DeviceType::nGnRnE, ca, ca, Shareability::OSH});
  } else {
    o.attrs = MemAttrs::device_ngnrne();
  }
  return o;
}

Stage2Out decode_stage2(const WalkLeaf& leaf, const MmuRegs& r, const RegimeContext& c,
                        Security ipa_space, const MmuConfig& cfg) {
  const uint64_t d = leaf.descriptor;
  Stage2Out o;
  o.pa = leaf.output;
  o.level = leaf.level;
  o.size = leaf.size;
  o.pa_space = stage2_output_space(r, c.security, ipa_space);
  const unsigned s2ap = unsigned(bits(d, 7, 6));
  Perms p = 0;
  if (s2ap & 1) p |= perm::R0 | perm::R1;
  if (s2ap & 2) p |= perm::W0 | perm::W1;
  const unsigned xn = cfg.feat_xnx ? unsigned(bits(d, 54, 53)) : (bit(d, 54) ? 2u : 0u);
  if (xn == 0 || xn == 1) p |= perm::X0;  // 00 all, 01 EL0 only
  if (xn == 0 || xn == 3) p |= perm::X1;  // 11 EL1 only
  o.perms = p;
  MemAttrs a = stage2_attrs(unsigned(bits(d, 5, 2)), unsigned(bits(d, 9, 8)));
  if ((c.hcr & hcr_mmu::CD) && a.type == MemType::Normal) {
    a.inner = a.outer = Cacheability::NonCacheable;
    a = normalise_shareability(a);
  }
  o.attrs = a;
  return o;
}

}  // namespace ffasim::sim::mmu
