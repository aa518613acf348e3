// The MMU of one PE: TLB lookup, then on a miss the stage-1 walk (its descriptor reads translated
// by stage 2 when stage 2 is enabled: the nested walk of s3.7), the stage-2 walk of the output
// IPA, permission checks in stage order, attribute combining, and a TLB fill. Faults come back
// as values; nothing here needs SystemC.
//
// Use from a PE / the ISS, per load, store or instruction fetch:
//   MmuRegs regs = mmu_regs(pe.state(), stage1_regs);
//   TranslateResult t = mmu.translate(regs, {VA(addr), AccessType::Write, pe.el()});
//   pe.charge_ps(Cost::Memory, translation_cost(t, timing, pe.period_ps()));
//   if (!t.ok()) take a Data Abort to t.fault.target_el with ESR = abort_esr(t.fault),
//                FAR = t.fault.va, and HPFAR_EL2 = hpfar_el2(t.fault) for stage-2 faults;
//   else access t.pa in PA space t.pa_space.
#pragma once

#include <cstdint>

#include "sim/core/types.h"
#include "sim/mmu_s2/addr.h"
#include "sim/mmu_s2/attrs.h"
#include "sim/mmu_s2/fault.h"
#include "sim/mmu_s2/memory_port.h"
#include "sim/mmu_s2/regime.h"
#include "sim/mmu_s2/regs.h"
#include "sim/mmu_s2/tlb.h"
#include "sim/mmu_s2/walk.h"

namespace ffasim::sim::mmu {

struct Access {
  VA va;
  AccessType type = AccessType::Read;
  El el = El::EL1;  // the EL the access is made at (EL0 for EL0 and for LDTR/STTR)
};

// What one translation cost in descriptor accesses (the 24 of a cold 4x4 nested walk).
struct WalkStats {
  uint32_t s1_reads = 0;     // stage-1 descriptor reads
  uint32_t s2_reads = 0;     // stage-2 descriptor reads: those of the nested walk and the final one
  uint32_t s2_tlb_hits = 0;  // stage-2 translations (nested or final) found in the TLB
  Picos memory = 0;          // summed latency the memory interface reported for the reads
  uint32_t reads() const { return s1_reads + s2_reads; }
};

struct TranslateResult {
  Fault fault;               // FaultType::None when the access may proceed
  PA pa;
  Security pa_space = Security::NonSecure;
  IPA ipa;                   // the stage-1 output, when stage 2 was applied
  Security ipa_space = Security::NonSecure;
  bool stage2 = false;       // stage 2 applied
  MemAttrs attrs;
  bool translated = false;   // false: both stages disabled, PA = VA, no TLB lookup
  bool tlb_hit = false;
  WalkStats walk;
  bool ok() const { return !fault.is_fault(); }
};

class Mmu {
 public:
  Mmu(const MmuConfig& cfg, DescriptorMemory& mem, const TlbConfig& tlb = {});

  TranslateResult translate(const MmuRegs& r, const Access& a);
  // The stage-2 half of an EL1&0 access whose stage 1 produced `ipa` in IPA space `ipa_space`
  // (a behavioural guest's own stage 1, which is not walked): the Stage2Only TLB entry or the
  // stage-2 walk of VTTBR_EL2 / VSTTBR_EL2, the stage-2 permission check, and a TLB fill. Needs
  // stage 2 enabled (HCR_EL2.VM for the access's security state); otherwise the IPA is the PA.
  // A fault is a stage-2 fault with the IPA for HPFAR_EL2; FAR reports `ipa` (the flat VA).
  TranslateResult translate_ipa(const MmuRegs& r, IPA ipa, Security ipa_space, const Access& a);

  Tlb& tlb() { return tlb_; }
  const Tlb& tlb() const { return tlb_; }
  const MmuConfig& config() const { return cfg_; }

 private:
  class DirectFetcher;
  class NestedFetcher;

  bool stage1(const MmuRegs& r, const RegimeContext& c, uint64_t va, const Access& a,
              Stage1Out& out, TranslateResult& res);
  bool stage2(const MmuRegs& r, const RegimeContext& c, uint64_t ipa, Security ipa_space,
              WalkStats& st, Stage2Out& out, Fault& f);
  // Inserts the Combined entry of a completed walk and returns it.
  TlbEntry fill(const RegimeContext& c, uint64_t va, const Stage1Out& s1, const Stage2Out* s2);
  void complete(const TlbEntry& e, uint64_t va, const Access& a, const RegimeContext& c,
                TranslateResult& res) const;
  void finish_fault(Fault& f, const RegimeContext& c, const MmuRegs& r, const Access& a) const;

  MmuConfig cfg_;
  DescriptorMemory& mem_;
  Tlb tlb_;
};

}  // namespace ffasim::sim::mmu
