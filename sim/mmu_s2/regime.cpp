#include "sim/mmu_s2/regime.h"

#include <algorithm>

namespace ffasim::sim::mmu {

const char* name(Regime r) {
  switch (r) {
    case Regime::EL10: return "EL1&0";
    case Regime::EL20: return "EL2&0";
    case Regime::EL2: return "EL2";
    case Regime::EL3: return "EL3";
  }
  return "?";
}

uint64_t regime_sctlr(const MmuRegs& r, Regime g) {
  return g == Regime::EL10 ? r.sctlr_el1 : g == Regime::EL3 ? r.sctlr_el3 : r.sctlr_el2;
}
uint64_t regime_tcr(const MmuRegs& r, Regime g) {
  return g == Regime::EL10 ? r.tcr_el1 : g == Regime::EL3 ? r.tcr_el3 : r.tcr_el2;
}
uint64_t regime_mair(const MmuRegs& r, Regime g) {
  return g == Regime::EL10 ? r.mair_el1 : g == Regime::EL3 ? r.mair_el3 : r.mair_el2;
}

namespace {

uint64_t regime_ttbr(const MmuRegs& r, Regime g, bool ttbr1) {
  switch (g) {
    case Regime::EL10: return ttbr1 ? r.ttbr1_el1 : r.ttbr0_el1;
    case Regime::EL20: return ttbr1 ? r.ttbr1_el2 : r.ttbr0_el2;
    case Regime::EL2: return r.ttbr0_el2;
    case Regime::EL3: return r.ttbr0_el3;
  }
  return 0;
}

// TCR_ELx.TxSZ bounds: 16 (48-bit) to 39 (25-bit), or 48/47 with FEAT_TTST. Out of range is a
// level-0 Translation fault (IMPLEMENTATION DEFINED; QEMU's choice, required with FEAT_LVA).
bool txsz_in_range(unsigned txsz, Granule g, const MmuConfig& cfg) {
  const unsigned max = cfg.feat_ttst ? (g == Granule::K4 ? 48 : 47) : 39;
  return txsz >= 16 && txsz <= max;
}

unsigned index_bits_at(int level, unsigned input_bits, Granule g) {
  return input_bits - (granule_bits(g) + unsigned(3 - level) * stride(g));
}

// The first table, aligned to its size (the TTBR's low RES0 bits are ignored, as QEMU does).
uint64_t table_base(uint64_t baddr, unsigned index_bits) {
  return baddr & ~((8ull << index_bits) - 1);
}

void finish_base(WalkSetup& w, uint64_t ttbr) {
  const uint64_t baddr = ttbr_baddr(ttbr);
  if (baddr >> w.output_bits) {
    w.fault = FaultType::AddressSize;
    return;
  }
  w.base = table_base(baddr, w.start_index_bits);
}

}  // namespace

RegimeContext regime_context(const MmuRegs& r, El el) {
  RegimeContext c;
  c.el = el;
  c.security = el == El::EL3 ? Security::Secure
                             : (r.scr_el3 & scr::NS) ? Security::NonSecure : Security::Secure;
  c.el2_enabled = c.security == Security::NonSecure || (r.scr_el3 & scr::EEL2);
  c.hcr = c.el2_enabled ? r.hcr_el2 : 0;
  const bool e2h = c.hcr & hcr_mmu::E2H, tge = c.hcr & hcr_mmu::TGE;
  if (el == El::EL3) {
    c.regime = Regime::EL3;
  } else if (el == El::EL2) {
    c.regime = e2h ? Regime::EL20 : Regime::EL2;
  } else {
    c.regime = (el == El::EL0 && e2h && tge) ? Regime::EL20 : Regime::EL10;
  }
  c.two_ranges = c.regime == Regime::EL10 || c.regime == Regime::EL20;
  c.unprivileged = el == El::EL0;
  c.s1_enabled = regime_sctlr(r, c.regime) & sctlr::M;
  c.s1_fault_el = c.regime == Regime::EL3 ? El::EL3 : c.regime == Regime::EL10 ? El::EL1 : El::EL2;
  if (c.regime == Regime::EL10) {
    // TGE: EL1&0 stage 1 behaves as disabled and EL0 faults go to EL2; DC: stage 1 disabled,
    // stage 2 behaves as if VM = 1 (s1.2, QEMU regime_translation_disabled).
    if (tge || (c.hcr & hcr_mmu::DC)) c.s1_enabled = false;
    if (tge) c.s1_fault_el = El::EL2;
    c.s2_enabled = c.hcr & (hcr_mmu::VM | hcr_mmu::DC);
    if (c.el2_enabled) c.vmid = ttbr_asid(r.vttbr_el2, bit(r.vtcr_el2, vtcr::VS));
  }
  if (c.two_ranges) {
    const uint64_t tcr = regime_tcr(r, c.regime);
    c.asid = ttbr_asid(regime_ttbr(r, c.regime, bit(tcr, tcr::A1)), bit(tcr, tcr::AS));
  }
  return c;
}

uint64_t effective_va(const MmuRegs& r, const RegimeContext& c, VA va) {
  const uint64_t v = va.value();
  const uint64_t tcr = regime_tcr(r, c.regime);
  const bool upper = bit(v, 55);
  const bool tbi = c.two_ranges ? bit(tcr, upper ? tcr::TBI1 : tcr::TBI0) : bit(tcr, tcr::TBI);
  if (!tbi) return v;
  return upper ? (v | 0xFF00000000000000ull) : (v & 0x00FFFFFFFFFFFFFFull);
}

WalkSetup stage1_setup(const MmuRegs& r, const RegimeContext& c, uint64_t va, const MmuConfig& cfg) {
  WalkSetup w;
  w.stage = 1;
  w.space = c.security;
  w.secure_regime = c.security == Security::Secure;
  const uint64_t tcr = regime_tcr(r, c.regime);
  const bool upper = c.two_ranges && bit(va, 55);
  unsigned txsz;
  bool epd = false;
  unsigned ps;
  if (c.two_ranges) {
    txsz = unsigned(upper ? bits(tcr, 21, 16) : bits(tcr, 5, 0));
    w.granule = upper ? decode_tg1(bits(tcr, 31, 30)) : decode_tg0(bits(tcr, 15, 14));
    epd = bit(tcr, upper ? tcr::EPD1 : tcr::EPD0);
    ps = decode_pa_size(bits(tcr, 34, 32));
  } else {
    txsz = unsigned(bits(tcr, 5, 0));
    w.granule = decode_tg0(bits(tcr, 15, 14));
    ps = decode_pa_size(bits(tcr, 18, 16));
  }
  w.output_bits = std::min({ps, cfg.pa_bits, 48u});
  if (!txsz_in_range(txsz, w.granule, cfg) || epd) {
    w.fault = FaultType::Translation;
    return w;
  }
  w.input_bits = 64 - txsz;
  // VA[63:IA] must be all zeros (TTBR0 range) or all ones (TTBR1 range).
  const uint64_t top = va >> w.input_bits;
  const uint64_t ones = (1ull << txsz) - 1;
  if (top != (upper ? ones : 0)) {
    w.fault = FaultType::Translation;
    return w;
  }
  // Start level = 4 - ceil((IA - granule) / stride) (s3.3; QEMU get_phys_addr_lpae).
  w.start_level = 4 - int((w.input_bits - 4) / stride(w.granule));
  w.start_index_bits = index_bits_at(w.start_level, w.input_bits, w.granule);
  finish_base(w, regime_ttbr(r, c.regime, upper));
  return w;
}

int stage2_start_level(unsigned sl0, Granule g, const MmuConfig& cfg) {
  switch (g) {
    case Granule::K4:
      if (sl0 == 3) return cfg.feat_ttst ? 3 : -1;
      if (sl0 == 2 && cfg.pa_bits < 44) return -1;
      return 2 - int(sl0);
    case Granule::K16:
      if (sl0 == 3) return -1;  // level 0 needs FEAT_LPA2
      if (sl0 == 2 && cfg.pa_bits < 42) return -1;
      return 3 - int(sl0);
    case Granule::K64:
      if (sl0 == 3) return -1;
      if (sl0 == 2 && cfg.pa_bits < 44) return -1;
      return 3 - int(sl0);
  }
  return -1;
}

unsigned stage2_sl0(int level, Granule g) {
  if (g == Granule::K4) return level == 3 ? 3 : unsigned(2 - level);
  return unsigned(3 - level);
}

Security stage2_walk_space(const MmuRegs& r, Security state, Security ipa_space) {
  if (state == Security::NonSecure) return Security::NonSecure;
  const bool ns = ipa_space == Security::Secure ? bit(r.vstcr_el2, vtcr::SW) : bit(r.vtcr_el2, vtcr::NSW);
  return ns ? Security::NonSecure : Security::Secure;
}

Security stage2_output_space(const MmuRegs& r, Security state, Security ipa_space) {
  if (state == Security::NonSecure) return Security::NonSecure;
  const bool s_override = bit(r.vstcr_el2, vtcr::SA) || bit(r.vstcr_el2, vtcr::SW);
  const bool ns_override = bit(r.vtcr_el2, vtcr::NSA) || bit(r.vtcr_el2, vtcr::NSW);
  const bool secure_pa = !s_override && (ipa_space == Security::Secure || !ns_override);
  return secure_pa ? Security::Secure : Security::NonSecure;
}

WalkSetup stage2_setup(const MmuRegs& r, Security state, Security ipa_space, uint64_t ipa,
                       const MmuConfig& cfg) {
  WalkSetup w;
  w.stage = 2;
  const bool secure_ipa = state == Security::Secure && ipa_space == Security::Secure;
  const uint64_t tcr = secure_ipa ? r.vstcr_el2 : r.vtcr_el2;
  w.granule = decode_tg0(bits(tcr, 15, 14));
  w.output_bits = std::min({decode_pa_size(bits(r.vtcr_el2, 18, 16)), cfg.pa_bits, 48u});
  w.space = stage2_walk_space(r, state, ipa_space);
  const unsigned t0sz = unsigned(bits(tcr, 5, 0));
  w.fault = FaultType::Translation;  // until the checks below pass
  if (!txsz_in_range(t0sz, w.granule, cfg)) return w;
  w.input_bits = 64 - t0sz;
  if (ipa >> w.input_bits) return w;
  const int level = stage2_start_level(unsigned(bits(tcr, 7, 6)), w.granule, cfg);
  if (level < 0) return w;
  // S2InconsistentSL: the start level must resolve between 1 and stride + 4 bits (up to 16
  // concatenated tables), s3.4.
  const int gb = int(granule_bits(w.granule)), st = int(stride(w.granule));
  const int min_ia = (3 - level) * st + gb + 1, max_ia = min_ia + st - 1 + 4;
  if (int(w.input_bits) < min_ia || int(w.input_bits) > max_ia) return w;
  w.fault = FaultType::None;
  w.start_level = level;
  w.start_index_bits = index_bits_at(level, w.input_bits, w.granule);
  finish_base(w, secure_ipa ? r.vsttbr_el2 : r.vttbr_el2);
  return w;
}

}  // namespace ffasim::sim::mmu
