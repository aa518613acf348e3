// Memory attributes of a translation (type, cacheability, shareability) and how stage 1 and
// stage 2 combine them with HCR_EL2.FWB = 0: s3.5 (encodings) and s3.6 (combining) of
// ../shared/reference/armv8-gicv3-mmu.md.
#pragma once

#include <cstdint>

namespace ffasim::sim::mmu {

enum class MemType : uint8_t { Device, Normal };
// Ordered from the most to the least restrictive.
enum class DeviceType : uint8_t { nGnRnE = 0, nGnRE = 1, nGRE = 2, GRE = 3 };
// Ordered from the weakest: combining takes the minimum.
enum class Cacheability : uint8_t { NonCacheable = 0, WriteThrough = 1, WriteBack = 2 };
// Values are the SH[1:0] encoding.
enum class Shareability : uint8_t { NSH = 0, OSH = 2, ISH = 3 };

struct MemAttrs {
  MemType type = MemType::Device;
  DeviceType device = DeviceType::nGnRnE;            // Device only
  Cacheability inner = Cacheability::NonCacheable;   // Normal only
  Cacheability outer = Cacheability::NonCacheable;
  Shareability sh = Shareability::OSH;
  friend bool operator==(const MemAttrs&, const MemAttrs&) = default;

  static MemAttrs device_ngnrne() { return {}; }
  static MemAttrs normal_wb(Shareability sh) {
    return {MemType::Normal, DeviceType::nGnRnE, Cacheability::WriteBack, Cacheability::WriteBack, sh};
  }
};

// Stage 1: the MAIR_ELx byte selected by AttrIndx, and the descriptor's SH.
MemAttrs stage1_attrs(uint8_t mair_byte, unsigned sh);
// Stage 2: the descriptor's MemAttr[3:0] and SH.
MemAttrs stage2_attrs(unsigned memattr, unsigned sh);
// s3.6: Device if either is Device (the more restrictive type); per inner/outer the weaker
// cacheability; OSH > ISH > NSH; Device and Normal Non-cacheable results are OSH.
MemAttrs combine_stages(const MemAttrs& s1, const MemAttrs& s2);
// Device and Normal inner+outer Non-cacheable are always Outer Shareable.
MemAttrs normalise_shareability(MemAttrs a);

}  // namespace ffasim::sim::mmu
