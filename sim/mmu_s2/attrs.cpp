#include "sim/mmu_s2/attrs.h"

#include <algorithm>

namespace ffasim::sim::mmu {
namespace {

// One MAIR nibble of Normal memory: 0100 NC; 00RW (RW != 00) WT transient; 01RW WB transient;
// 10RW WT; 11RW WB. Allocation hints are not modelled.
Cacheability mair_nibble(unsigned n) {
  if (n == 0x4) return Cacheability::NonCacheable;
  switch (n >> 2) {
    case 0b00: return Cacheability::WriteThrough;
    case 0b01: return Cacheability::WriteBack;
    case 0b10: return Cacheability::WriteThrough;
    default: return Cacheability::WriteBack;
  }
}

// One stage-2 MemAttr pair: 01 NC, 10 WT, 11 WB (00 with a Normal outer is UNPREDICTABLE:
// treated as NC).
Cacheability s2_pair(unsigned p) {
  switch (p) {
    case 0b10: return Cacheability::WriteThrough;
    case 0b11: return Cacheability::WriteBack;
    default: return Cacheability::NonCacheable;
  }
}

Shareability decode_sh(unsigned sh) {
  switch (sh & 3) {
    case 2: return Shareability::OSH;
    case 3: return Shareability::ISH;
    default: return Shareability::NSH;  // 01 is reserved: treated as NSH
  }
}

int sh_rank(Shareability s) {
  return s == Shareability::OSH ? 2 : s == Shareability::ISH ? 1 : 0;
}

}  // namespace

MemAttrs normalise_shareability(MemAttrs a) {
  if (a.type == MemType::Device ||
      (a.inner == Cacheability::NonCacheable && a.outer == Cacheability::NonCacheable))
    a.sh = Shareability::OSH;
  return a;
}

MemAttrs stage1_attrs(uint8_t mair_byte, unsigned sh) {
  MemAttrs a;
  const unsigned outer = mair_byte >> 4, inner = mair_byte & 0xF;
  if (outer == 0) {  // 0000dd00: Device
    a.type = MemType::Device;
    a.device = DeviceType((mair_byte >> 2) & 3);
  } else if (mair_byte == 0xF0) {  // Tagged Normal (FEAT_MTE2): Inner+Outer WB
    a.type = MemType::Normal;
    a.inner = a.outer = Cacheability::WriteBack;
  } else {
    a.type = MemType::Normal;
    a.outer = mair_nibble(outer);
    a.inner = inner == 0 ? Cacheability::NonCacheable : mair_nibble(inner);
  }
  a.sh = decode_sh(sh);
  return normalise_shareability(a);
}

MemAttrs stage2_attrs(unsigned memattr, unsigned sh) {
  MemAttrs a;
  if ((memattr >> 2) == 0) {
    a.type = MemType::Device;
    a.device = DeviceType(memattr & 3);
  } else {
    a.type = MemType::Normal;
    a.outer = s2_pair(memattr >> 2);
    a.inner = s2_pair(memattr & 3);
  }
  a.sh = decode_sh(sh);
  return normalise_shareability(a);
}

MemAttrs combine_stages(const MemAttrs& s1, const MemAttrs& s2) {
  MemAttrs r;
  if (s1.type == MemType::Device || s2.type == MemType::Device) {
    r.type = MemType::Device;
    const DeviceType d1 = s1.type == MemType::Device ? s1.device : DeviceType::GRE;
    const DeviceType d2 = s2.type == MemType::Device ? s2.device : DeviceType::GRE;
    r.device = std::min(d1, d2);
  } else {
    r.type = MemType::Normal;
    r.inner = std::min(s1.inner, s2.inner);
    r.outer = std::min(s1.outer, s2.outer);
  }
  r.sh = sh_rank(s1.sh) >= sh_rank(s2.sh) ? s1.sh : s2.sh;
  return normalise_shareability(r);
}

}  // namespace ffasim::sim::mmu
