#include "sim/mmu_s2/mmu.h"

#include <algorithm>
#include <bit>

namespace ffasim::sim::mmu {

// Reads descriptors straight from physical memory: stage-2 walks, and stage-1 walks when stage 2
// is off. A bus error is a synchronous external abort on the walk at that level and stage.
class Mmu::DirectFetcher final : public DescriptorFetcher {
 public:
  DirectFetcher(DescriptorMemory& mem, unsigned stage, WalkStats& st) : mem_(mem), stage_(stage), st_(st) {}
  bool fetch(uint64_t addr, Security space, int level, uint64_t& d, Fault& fault) override {
    const DescriptorRead rd = mem_.read64(PA(addr), space);
    ++(stage_ == 1 ? st_.s1_reads : st_.s2_reads);
    st_.memory += rd.latency;
    if (!rd.ok) {
      fault = Fault{};
      fault.type = FaultType::ExternalAbortOnWalk;
      fault.level = level;
      fault.stage = stage_;
      return false;
    }
    d = rd.value;
    return true;
  }

 private:
  DescriptorMemory& mem_;
  unsigned stage_;
  WalkStats& st_;
};

// A stage-1 walk with stage 2 on: each table address is an IPA, translated by stage 2 (TLB or
// walk) before the read. Stage-2 faults here have S1PTW = 1 and report the descriptor's IPA.
// The walk's accesses need stage-2 read permission; with HCR_EL2.PTW, stage-2 Device memory is a
// stage-2 Permission fault (s3.6).
class Mmu::NestedFetcher final : public DescriptorFetcher {
 public:
  NestedFetcher(Mmu& m, const MmuRegs& r, const RegimeContext& c, WalkStats& st)
      : m_(m), r_(r), c_(c), st_(st) {}
  bool fetch(uint64_t addr, Security space, int level, uint64_t& d, Fault& fault) override {
    Stage2Out s2;
    if (m_.stage2(r_, c_, addr, space, st_, s2, fault)) {
      const bool ptw_device = (c_.hcr & hcr_mmu::PTW) && s2.attrs.type == MemType::Device;
      if (!(s2.perms & perm::R1) || ptw_device) {
        fault = Fault{};
        fault.type = FaultType::Permission;
        fault.level = s2.level;
        fault.stage = 2;
      }
    }
    if (fault.is_fault()) {
      fault.s1ptw = true;
      fault.ipa = IPA(addr);
      fault.ipa_space = space;
      return false;
    }
    DirectFetcher direct(m_.mem_, 1, st_);
    return direct.fetch(s2.pa, s2.pa_space, level, d, fault);
  }

 private:
  Mmu& m_;
  const MmuRegs& r_;
  const RegimeContext& c_;
  WalkStats& st_;
};

Mmu::Mmu(const MmuConfig& cfg, DescriptorMemory& mem, const TlbConfig& tlb)
    : cfg_(cfg), mem_(mem), tlb_(tlb) {}

bool Mmu::stage2(const MmuRegs& r, const RegimeContext& c, uint64_t ipa, Security ipa_space,
                 WalkStats& st, Stage2Out& out, Fault& f) {
  f = Fault{};
  if (const TlbEntry* e = tlb_.lookup_ipa(c.security, c.vmid, ipa_space, ipa)) {
    ++st.s2_tlb_hits;
    out = {e->output | (ipa & (e->size() - 1)), e->output_space, e->s2_perms, e->attrs,
           e->s2_level, e->size()};
    return true;
  }
  const WalkSetup w = stage2_setup(r, c.security, ipa_space, ipa, cfg_);
  WalkLeaf leaf;
  if (w.fault != FaultType::None) {
    f.type = w.fault;
    f.level = 0;
    f.stage = 2;
  } else {
    DirectFetcher fetch(mem_, 2, st);
    walk(w, ipa, fetch, leaf, f);
  }
  if (f.is_fault()) {
    f.ipa = IPA(ipa);
    f.ipa_space = ipa_space;
    return false;
  }
  out = decode_stage2(leaf, r, c, ipa_space, cfg_);
  TlbEntry e;
  e.kind = TlbEntryKind::Stage2Only;
  e.security = c.security;
  e.vmid = c.vmid;
  e.ipa_space = ipa_space;
  e.input = ipa;
  e.size_log2 = uint8_t(std::countr_zero(out.size));
  e.output = out.pa & ~(out.size - 1);
  e.output_space = out.pa_space;
  e.s2_perms = out.perms;
  e.s2_level = int8_t(out.level);
  e.attrs = out.attrs;
  tlb_.insert(e);
  return true;
}

bool Mmu::stage1(const MmuRegs& r, const RegimeContext& c, uint64_t va, const Access& a,
                 Stage1Out& out, TranslateResult& res) {
  Fault& f = res.fault;
  if (!c.s1_enabled) {
    if (va >> cfg_.pa_bits) {  // VA beyond the PA size with stage 1 off: level-0 Address size
      f.type = FaultType::AddressSize;
      return false;
    }
    out = stage1_flat(va, c, r, a.type);
    return true;
  }
  const WalkSetup w = stage1_setup(r, c, va, cfg_);
  if (w.fault != FaultType::None) {
    f.type = w.fault;
    return false;
  }
  WalkLeaf leaf;
  DirectFetcher direct(mem_, 1, res.walk);
  NestedFetcher nested(*this, r, c, res.walk);
  if (!walk(w, va, c.s2_enabled ? static_cast<DescriptorFetcher&>(nested) : direct, leaf, f))
    return false;
  out = decode_stage1(leaf, c, r);
  return true;
}

TlbEntry Mmu::fill(const RegimeContext& c, uint64_t va, const Stage1Out& s1, const Stage2Out* s2) {
  const uint64_t size = s2 ? std::min(s1.size, s2->size) : s1.size;
  TlbEntry e;
  e.kind = TlbEntryKind::Combined;
  e.regime = c.regime;
  e.security = c.security;
  e.vmid = c.vmid;
  e.asid = c.asid;
  e.global = s1.global;
  e.input = va & ~(size - 1);
  e.size_log2 = uint8_t(std::countr_zero(size));
  e.s1_perms = s1.perms;
  e.s1_level = int8_t(s1.level);
  e.ipa_space = s1.oa_space;
  if (s2) {
    e.stage2 = true;
    e.ipa = s1.oa & ~(size - 1);
    e.output = s2->pa & ~(size - 1);
    e.output_space = s2->pa_space;
    e.s2_perms = s2->perms;
    e.s2_level = int8_t(s2->level);
    e.attrs = combine_stages(s1.attrs, s2->attrs);
  } else {
    e.output = s1.oa & ~(size - 1);
    e.output_space = s1.oa_space;
    e.attrs = s1.attrs;
  }
  tlb_.insert(e);
  return e;
}

void Mmu::complete(const TlbEntry& e, uint64_t va, const Access& a, const RegimeContext& c,
                   TranslateResult& res) const {
  const uint64_t off = va & (e.size() - 1);
  res.pa = PA(e.output | off);
  res.pa_space = e.output_space;
  res.attrs = e.attrs;
  res.stage2 = e.stage2;
  if (e.stage2) {
    res.ipa = IPA(e.ipa | off);
    res.ipa_space = e.ipa_space;
  }
  Fault& f = res.fault;
  if (!permits(e.s1_perms, a.type, c.unprivileged)) {
    f.type = FaultType::Permission;
    f.stage = 1;
    f.level = e.s1_level;
  } else if (e.stage2 && !permits(e.s2_perms, a.type, c.unprivileged)) {
    f.type = FaultType::Permission;
    f.stage = 2;
    f.level = e.s2_level;
    f.ipa = res.ipa;
    f.ipa_space = res.ipa_space;
  }
}

void Mmu::finish_fault(Fault& f, const RegimeContext& c, const MmuRegs& r, const Access& a) const {
  f.va = a.va;
  f.access = a.type;
  f.from_el = a.el;
  f.security = c.security;
  f.wnr = a.type == AccessType::Write && (!f.s1ptw || cfg_.s1ptw_wnr_from_access);
  f.target_el = f.stage == 2 ? El::EL2 : c.s1_fault_el;
  // An external abort is taken to EL3 when SCR_EL3.EA routes it there.
  if (f.type == FaultType::ExternalAbortOnWalk && (r.scr_el3 & scr::EA)) f.target_el = El::EL3;
  // Never to a lower EL than the access came from.
  if (index(f.target_el) < index(a.el)) f.target_el = a.el;
}

TranslateResult Mmu::translate(const MmuRegs& r, const Access& a) {
  TranslateResult res;
  const RegimeContext c = regime_context(r, a.el);
  const uint64_t va = effective_va(r, c, a.va);
  if (!c.s1_enabled && !c.s2_enabled) {
    if (va >> cfg_.pa_bits) {
      res.fault.type = FaultType::AddressSize;
      finish_fault(res.fault, c, r, a);
      return res;
    }
    const Stage1Out flat = stage1_flat(va, c, r, a.type);
    res.pa = PA(va);
    res.pa_space = c.security;
    res.attrs = flat.attrs;
    return res;
  }
  res.translated = true;
  if (const TlbEntry* e = tlb_.lookup_va(c.regime, c.security, c.vmid, c.asid, va)) {
    res.tlb_hit = true;
    complete(*e, va, a, c, res);
  } else if (Stage1Out s1; stage1(r, c, va, a, s1, res)) {
    if (!permits(s1.perms, a.type, c.unprivileged)) {
      res.fault.type = FaultType::Permission;
      res.fault.level = s1.level;
    } else if (!c.s2_enabled) {
      complete(fill(c, va, s1, nullptr), va, a, c, res);
    } else if (Stage2Out s2; stage2(r, c, s1.oa, s1.oa_space, res.walk, s2, res.fault)) {
      complete(fill(c, va, s1, &s2), va, a, c, res);
    } else {
      res.ipa = IPA(s1.oa);
      res.ipa_space = s1.oa_space;
    }
  }
  if (res.fault.is_fault()) finish_fault(res.fault, c, r, a);
  return res;
}

TranslateResult Mmu::translate_ipa(const MmuRegs& r, IPA ipa, Security ipa_space, const Access& a) {
  TranslateResult res;
  const RegimeContext c = regime_context(r, a.el);
  res.ipa = ipa;
  res.ipa_space = ipa_space;
  if (!c.s2_enabled) {
    res.pa = PA(ipa.value());
    res.pa_space = ipa_space;
    return res;
  }
  res.translated = true;
  res.stage2 = true;
  Stage2Out s2;
  if (stage2(r, c, ipa.value(), ipa_space, res.walk, s2, res.fault)) {
    res.tlb_hit = res.walk.s2_reads == 0;
    res.pa = PA(s2.pa);
    res.pa_space = s2.pa_space;
    res.attrs = s2.attrs;
    if (!permits(s2.perms, a.type, c.unprivileged)) {
      res.fault.type = FaultType::Permission;
      res.fault.stage = 2;
      res.fault.level = s2.level;
      res.fault.ipa = ipa;
      res.fault.ipa_space = ipa_space;
    }
  }
  if (res.fault.is_fault()) finish_fault(res.fault, c, r, a);
  return res;
}

}  // namespace ffasim::sim::mmu
