#include "sim/mmu_s2/tlbi.h"

#include "sim/mmu_s2/regime.h"

namespace ffasim::sim::mmu {
namespace {

struct OpInfo {
  const char* name;
  int min_el;
};
constexpr OpInfo kOps[] = {
#define FFASIM_TLBI(op, min_el, doc) {#op, min_el},
#include "sim/mmu_s2/tlbi_ops.def"
#undef FFASIM_TLBI
};

// Xt[43:0] holds VA[55:12]; the upper VA bits follow bit 55.
uint64_t tlbi_va(uint64_t xt) {
  const uint64_t va = bits(xt, 43, 0) << 12;
  return bit(va, 55) ? (va | 0xFF00000000000000ull) : va;
}

uint16_t tlbi_asid(uint64_t xt, uint64_t tcr) {
  return uint16_t(bit(tcr, tcr::AS) ? bits(xt, 63, 48) : bits(xt, 55, 48));
}

// The EL1&0 (or EL2&0 with E2H = TGE = 1 at EL2) forms.
TlbiScope e1_scope(TlbiOp op, uint64_t xt, const MmuRegs& r, El el) {
  const RegimeContext c1 = regime_context(r, El::EL1);
  const bool host = el == El::EL2 && (c1.hcr & hcr_mmu::E2H) && (c1.hcr & hcr_mmu::TGE);
  TlbiScope s;
  s.security = c1.security;
  s.regimes = regime_bit(host ? Regime::EL20 : Regime::EL10);
  if (!host) s.vmid = c1.vmid;
  const uint64_t tcr = host ? r.tcr_el2 : r.tcr_el1;
  switch (op) {
    case TlbiOp::VAE1: case TlbiOp::VALE1:
      s.asid = tlbi_asid(xt, tcr);
      [[fallthrough]];
    case TlbiOp::VAAE1: case TlbiOp::VAALE1:
      s.address = tlbi_va(xt);
      s.last_level = op == TlbiOp::VALE1 || op == TlbiOp::VAALE1;
      break;
    case TlbiOp::ASIDE1:
      s.asid = tlbi_asid(xt, tcr);
      s.match_global = false;
      break;
    default:  // VMALLE1
      break;
  }
  return s;
}

TlbiScope stage2_scope(TlbiOp op, uint64_t xt, const MmuRegs& r) {
  const RegimeContext c1 = regime_context(r, El::EL1);
  TlbiScope s;
  s.security = c1.security;
  s.regimes = regime_bit(Regime::EL10);
  s.stage2_only = true;
  if (op == TlbiOp::ALLE1) return s;  // every VMID, both stages
  s.vmid = c1.vmid;
  if (op == TlbiOp::VMALLS12E1) return s;
  s.combined = false;  // IPAS2E1 leaves combined entries (software follows with VMALLE1)
  s.address = bits(xt, 35, 0) << 12;
  s.ipa_space = (c1.security == Security::Secure && !bit(xt, 63)) ? Security::Secure
                                                                   : Security::NonSecure;
  s.last_level = op == TlbiOp::IPAS2LE1;
  return s;
}

TlbiScope el2_scope(TlbiOp op, uint64_t xt, const MmuRegs& r) {
  const RegimeContext c2 = regime_context(r, El::EL2);
  TlbiScope s;
  s.security = c2.security;
  if (op == TlbiOp::ALLE2) {
    s.regimes = regime_bit(Regime::EL2) | regime_bit(Regime::EL20);
    return s;
  }
  s.regimes = regime_bit(c2.regime);
  s.address = tlbi_va(xt);
  s.last_level = op == TlbiOp::VALE2;
  if (c2.regime == Regime::EL20) s.asid = tlbi_asid(xt, r.tcr_el2);
  return s;
}

TlbiScope el3_scope(TlbiOp op, uint64_t xt) {
  TlbiScope s;
  s.security = Security::Secure;
  s.regimes = regime_bit(Regime::EL3);
  if (op != TlbiOp::ALLE3) {
    s.address = tlbi_va(xt);
    s.last_level = op == TlbiOp::VALE3;
  }
  return s;
}

}  // namespace

const char* name(TlbiOp op) { return kOps[unsigned(op)].name; }

std::optional<TlbiOp> tlbi_op_from_name(std::string_view n) {
  for (unsigned i = 0; i < std::size(kOps); ++i)
    if (n == kOps[i].name) return TlbiOp(i);
  return std::nullopt;
}

El lowest_el(TlbiOp op) { return El(kOps[unsigned(op)].min_el); }

std::optional<TlbiDecoded> decode_tlbi(const TlbiRequest& req, const MmuRegs& r, El el) {
  if (index(el) < index(lowest_el(req.op))) return std::nullopt;
  TlbiDecoded d;
  d.broadcast = req.inner_shareable;
  switch (req.op) {
    case TlbiOp::VMALLE1: case TlbiOp::VAE1: case TlbiOp::VALE1: case TlbiOp::VAAE1:
    case TlbiOp::VAALE1: case TlbiOp::ASIDE1:
      d.scope = e1_scope(req.op, req.xt, r, el);
      // HCR_EL2.FB: EL1 TLBIs are broadcast across the Inner Shareable domain.
      if (el == El::EL1 && (regime_context(r, El::EL1).hcr & hcr_mmu::FB)) d.broadcast = true;
      break;
    case TlbiOp::VMALLS12E1: case TlbiOp::IPAS2E1: case TlbiOp::IPAS2LE1: case TlbiOp::ALLE1:
      d.scope = stage2_scope(req.op, req.xt, r);
      break;
    case TlbiOp::ALLE2: case TlbiOp::VAE2: case TlbiOp::VALE2:
      d.scope = el2_scope(req.op, req.xt, r);
      break;
    case TlbiOp::ALLE3: case TlbiOp::VAE3: case TlbiOp::VALE3:
      d.scope = el3_scope(req.op, req.xt);
      break;
  }
  return d;
}

}  // namespace ffasim::sim::mmu
