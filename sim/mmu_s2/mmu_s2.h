// The component's one header: two-stage address translation for ffasim's PEs and the SPMC.
// Facts: ../shared/reference/armv8-gicv3-mmu.md s1.5-1.7 and s3.
//
// What is in it:
//   addr.h         VA / IPA / PA, distinct types.
//   regs.h         MmuRegs: the translation registers by their Arm names (TTBRn_ELx, TCR_ELx,
//                  MAIR_ELx, SCTLR_ELx, HCR_EL2, SCR_EL3, VTTBR/VTCR/VSTTBR/VSTCR_EL2).
//   mmu.h          Mmu (one per PE): translate(regs, {va, access, el}) -> TranslateResult with
//                  the PA and PA space, attributes, TLB hit or walk statistics, or a Fault.
//   fault.h        Fault and the syndrome helpers: abort_esr(), hpfar_el2(), FAR = fault.va.
//   tlb.h tlbi.h   Tlb (in each Mmu), TlbDomain (all PEs' TLBs, for broadcast), decode_tlbi().
//   mmu_timing.h   MmuTiming (mmu_params.def), translation_cost(), tlbi_cost().
//   page_tables.h  Stage2Tables / Stage1Tables: the page-table builder.
//   memory_port.h  DescriptorMemory / DescriptorStore (and MapMemory for tests);
//   sim_memory_port.h  the sim::Memory and TLM implementations.
//
// A PE (ISS or behavioural) per access:
//   TranslateResult t = mmu.translate(regs, {VA(addr), AccessType::Read, el});
//   charge translation_cost(t, timing, period_ps); on !t.ok() take an abort to
//   t.fault.target_el with ESR = abort_esr(t.fault), FAR = t.fault.va and, for stage 2,
//   HPFAR_EL2 = hpfar_el2(t.fault); else access t.pa in t.pa_space.
// A TLBI instruction at `el`:
//   if (auto d = decode_tlbi({op, is_form, xt}, regs, el)) domain.invalidate(pe, d->scope, d->broadcast);
//   else UNDEFINED.
// The SPMC, per partition:
//   Stage2Tables s2(store, allocator, stage2_format(ipa_bits, Granule::K4, Security::Secure, cfg));
//   s2.init(); s2.map(IPA(ipa), PA(pa), size, Stage2Attrs::normal_rw());
//   VSTTBR_EL2 = s2.root(), VSTCR_EL2 = vtcr::RES1 | stage2_walk_fields(format) (+ SA/SW);
//   after unmap/remap: domain.invalidate(pe, <IPAS2E1IS scope>, true) then <VMALLE1IS scope>.
#pragma once

#include "sim/mmu_s2/addr.h"
#include "sim/mmu_s2/fault.h"
#include "sim/mmu_s2/memory_port.h"
#include "sim/mmu_s2/mmu.h"
#include "sim/mmu_s2/mmu_timing.h"
#include "sim/mmu_s2/page_tables.h"
#include "sim/mmu_s2/regs.h"
#include "sim/mmu_s2/tlb.h"
#include "sim/mmu_s2/tlbi.h"
