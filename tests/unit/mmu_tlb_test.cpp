// TLBs and TLB maintenance: hits after misses, tags (regime, security state, VMID, ASID/global,
// IPA space), LRU replacement, the scope of each TLBI (s3.10 of
// ../shared/reference/armv8-gicv3-mmu.md), broadcast to every PE, and the MMU's costs.
#include "sim/mmu_s2/tlb.h"

#include <gtest/gtest.h>

#include "sim/core/core_timing.h"
#include "sim/mmu_s2/mmu.h"
#include "sim/mmu_s2/mmu_timing.h"
#include "sim/mmu_s2/page_tables.h"
#include "sim/mmu_s2/tlbi.h"

namespace ffasim::sim::mmu {
namespace {

constexpr Security S = Security::Secure;
constexpr Security NS = Security::NonSecure;
constexpr uint16_t kVmid = 5;

TlbEntry va_entry(uint64_t va, uint16_t asid, bool global = false, uint16_t vmid = kVmid,
                  Regime g = Regime::EL10, Security s = NS) {
  TlbEntry e;
  e.kind = TlbEntryKind::Combined;
  e.regime = g;
  e.security = s;
  e.vmid = vmid;
  e.asid = asid;
  e.global = global;
  e.input = va;
  e.output = 0x80000000 + (va & 0xFFFFF000);
  return e;
}

TlbEntry ipa_entry(uint64_t ipa, Security ipa_space = NS, uint16_t vmid = kVmid, Security s = NS) {
  TlbEntry e;
  e.kind = TlbEntryKind::Stage2Only;
  e.security = s;
  e.vmid = vmid;
  e.ipa_space = ipa_space;
  e.input = ipa;
  e.output = 0x90000000 + (ipa & 0xFFFFF000);
  return e;
}

bool has_va(Tlb& t, uint64_t va, uint16_t asid, uint16_t vmid = kVmid, Regime g = Regime::EL10,
            Security s = NS) {
  return t.lookup_va(g, s, vmid, asid, va) != nullptr;
}
bool has_ipa(Tlb& t, uint64_t ipa, Security space = NS, uint16_t vmid = kVmid, Security s = NS) {
  return t.lookup_ipa(s, vmid, space, ipa) != nullptr;
}

// Non-secure EL1 with EL2: VMID 5, 16-bit ASIDs.
MmuRegs ns_regs() {
  MmuRegs r;
  r.scr_el3 = scr::RES1 | scr::RW | scr::NS;
  r.vttbr_el2 = make_ttbr(0, kVmid);
  r.vtcr_el2 = 1ull << vtcr::VS;
  r.tcr_el1 = 1ull << tcr::AS;
  return r;
}
MmuRegs secure_regs() {
  MmuRegs r = ns_regs();
  r.scr_el3 = scr::RES1 | scr::RW | scr::EEL2;
  return r;
}

size_t tlbi(Tlb& t, TlbiOp op, uint64_t xt, const MmuRegs& r, El el = El::EL2) {
  auto d = decode_tlbi({op, false, xt}, r, el);
  EXPECT_TRUE(d.has_value());
  return t.invalidate(d->scope);
}
constexpr uint64_t xt_va(uint64_t va, uint16_t asid) { return uint64_t(asid) << 48 | ((va >> 12) & 0xFFFFFFFFFFFull); }

// ---------------------------------------------------------------------------------------------
// Lookups, tags, replacement

TEST(MmuTlb, ATranslationHitsTheTlbAfterTheMissThatFilledIt) {
  MapMemory mem;
  PoolAllocator alloc(0x10000, 0x100000);
  Stage1Tables s1(mem, alloc, stage1_format(48, Granule::K4, NS));
  ASSERT_EQ(s1.init(), MapStatus::Ok);
  ASSERT_EQ(s1.map(VA(0x400000), PA(0x80000000), 0x1000, {}), MapStatus::Ok);
  MmuRegs r = ns_regs();
  r.sctlr_el1 = sctlr::M;
  r.tcr_el1 |= 16 | (5ull << 32) | (1ull << tcr::EPD1);
  r.ttbr0_el1 = s1.root();
  Mmu mmu(MmuConfig{}, mem);
  const TranslateResult miss = mmu.translate(r, {VA(0x400010), AccessType::Read, El::EL1});
  ASSERT_TRUE(miss.ok());
  EXPECT_FALSE(miss.tlb_hit);
  EXPECT_EQ(miss.walk.reads(), 4u);
  const TranslateResult hit = mmu.translate(r, {VA(0x400FF0), AccessType::Read, El::EL1});
  EXPECT_TRUE(hit.tlb_hit);
  EXPECT_EQ(hit.walk.reads(), 0u);
  EXPECT_EQ(hit.pa, PA(0x80000FF0));
  EXPECT_EQ(mmu.tlb().stats().hits, 1u);
  // A TLBI VAE1 of that page makes the next access walk again.
  auto d = decode_tlbi({TlbiOp::VAE1, false, xt_va(0x400000, 0)}, r, El::EL1);
  ASSERT_TRUE(d);
  EXPECT_EQ(mmu.tlb().invalidate(d->scope), 1u);
  EXPECT_EQ(mmu.translate(r, {VA(0x400000), AccessType::Read, El::EL1}).walk.reads(), 4u);
}

TEST(MmuTlb, ABlockEntryCoversEveryPageOfTheBlock) {
  Tlb t;
  TlbEntry e = va_entry(0x40000000, 1, true);
  e.size_log2 = 21;
  t.insert(e);
  EXPECT_TRUE(has_va(t, 0x40000000, 1));
  EXPECT_TRUE(has_va(t, 0x401FF000, 2));
  EXPECT_FALSE(has_va(t, 0x40200000, 1));
}

TEST(MmuTlb, TheLeastRecentlyUsedEntryIsEvictedWhenTheTlbIsFull) {
  Tlb t(TlbConfig{2});
  t.insert(va_entry(0x1000, 1));  // A
  t.insert(va_entry(0x2000, 1));  // B
  EXPECT_TRUE(has_va(t, 0x1000, 1));  // A is now the most recent
  t.insert(va_entry(0x3000, 1));  // C evicts B
  EXPECT_EQ(t.stats().evictions, 1u);
  EXPECT_FALSE(has_va(t, 0x2000, 1));
  const auto order = t.entries_by_recency();
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0].input, 0x3000u);  // the last fill
  EXPECT_EQ(order[1].input, 0x1000u);
}

TEST(MmuTlb, FillingATagThatIsPresentReplacesItInPlace) {
  Tlb t(TlbConfig{4});
  t.insert(va_entry(0x1000, 1));
  TlbEntry again = va_entry(0x1000, 1);
  again.output = 0xA0000000;
  t.insert(again);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.lookup_va(Regime::EL10, NS, kVmid, 1, 0x1000)->output, 0xA0000000u);
}

TEST(MmuTlb, ANonGlobalEntryMatchesOnlyItsAsidAndAGlobalOneMatchesEveryAsid) {
  Tlb t;
  t.insert(va_entry(0x1000, 1));
  t.insert(va_entry(0x2000, 1, true));
  EXPECT_TRUE(has_va(t, 0x1000, 1));
  EXPECT_FALSE(has_va(t, 0x1000, 2));
  EXPECT_TRUE(has_va(t, 0x2000, 2));
}

TEST(MmuTlb, EntriesAreTaggedByVmidSecurityStateAndRegime) {
  Tlb t;
  t.insert(va_entry(0x1000, 1, true));
  EXPECT_FALSE(has_va(t, 0x1000, 1, kVmid + 1));
  EXPECT_FALSE(has_va(t, 0x1000, 1, kVmid, Regime::EL10, S));
  EXPECT_FALSE(has_va(t, 0x1000, 1, kVmid, Regime::EL2));
  EXPECT_TRUE(has_va(t, 0x1000, 1));
}

TEST(MmuTlb, Stage2EntriesAreTaggedByIpaSpace) {
  Tlb t;
  t.insert(ipa_entry(0x1000, S, kVmid, S));
  EXPECT_TRUE(has_ipa(t, 0x1000, S, kVmid, S));
  EXPECT_FALSE(has_ipa(t, 0x1000, NS, kVmid, S));
  EXPECT_FALSE(has_va(t, 0x1000, 0, kVmid, Regime::EL10, S));  // not a VA entry
}

// ---------------------------------------------------------------------------------------------
// TLBI scopes

TEST(MmuTlbi, Vmalle1RemovesTheCurrentVmidsStage1EntriesOnly) {
  Tlb t;
  t.insert(va_entry(0x1000, 1));
  t.insert(va_entry(0x2000, 1, true));
  t.insert(va_entry(0x1000, 1, false, kVmid + 1));
  t.insert(va_entry(0x1000, 0, true, 0, Regime::EL2));
  t.insert(va_entry(0x1000, 1, false, kVmid, Regime::EL10, S));
  t.insert(ipa_entry(0x1000));
  EXPECT_EQ(tlbi(t, TlbiOp::VMALLE1, 0, ns_regs(), El::EL1), 2u);
  EXPECT_TRUE(has_va(t, 0x1000, 1, kVmid + 1));
  EXPECT_TRUE(has_va(t, 0x1000, 0, 0, Regime::EL2));
  EXPECT_TRUE(has_va(t, 0x1000, 1, kVmid, Regime::EL10, S));
  EXPECT_TRUE(has_ipa(t, 0x1000));
}

TEST(MmuTlbi, Vae1RemovesTheVaForItsAsidAndGlobalEntriesButNotOtherAsids) {
  for (TlbiOp op : {TlbiOp::VAE1, TlbiOp::VALE1}) {
    Tlb t;
    t.insert(va_entry(0x5000, 1));
    t.insert(va_entry(0x5000, 2));
    t.insert(va_entry(0x6000, 1));
    TlbEntry g = va_entry(0x7000, 0, true);
    g.size_log2 = 21;  // a global 2 MiB block containing 0x7000... and 0x5000
    g.input = 0;
    t.insert(g);
    EXPECT_EQ(tlbi(t, op, xt_va(0x5000, 1), ns_regs(), El::EL1), 2u) << name(op);
    EXPECT_TRUE(has_va(t, 0x5000, 2));
    EXPECT_TRUE(has_va(t, 0x6000, 1));
  }
}

TEST(MmuTlbi, Vaae1RemovesTheVaForEveryAsid) {
  Tlb t;
  t.insert(va_entry(0x5000, 1));
  t.insert(va_entry(0x5000, 2));
  EXPECT_EQ(tlbi(t, TlbiOp::VAAE1, xt_va(0x5000, 7), ns_regs(), El::EL1), 2u);
}

TEST(MmuTlbi, Aside1RemovesTheNonGlobalEntriesOfOneAsid) {
  Tlb t;
  t.insert(va_entry(0x1000, 1));
  t.insert(va_entry(0x2000, 1));
  t.insert(va_entry(0x3000, 1, true));
  t.insert(va_entry(0x4000, 2));
  EXPECT_EQ(tlbi(t, TlbiOp::ASIDE1, xt_va(0, 1), ns_regs(), El::EL1), 2u);
  EXPECT_TRUE(has_va(t, 0x3000, 1));
  EXPECT_TRUE(has_va(t, 0x4000, 2));
}

TEST(MmuTlbi, WithEightBitAsidsTheTopByteOfTheAsidFieldIsIgnored) {
  Tlb t;
  t.insert(va_entry(0x1000, 0x12));
  MmuRegs r = ns_regs();
  r.tcr_el1 = 0;  // TCR_EL1.AS = 0
  EXPECT_EQ(tlbi(t, TlbiOp::ASIDE1, xt_va(0, 0xAB12), r, El::EL1), 1u);
}

TEST(MmuTlbi, ATtbr1VaIsSignExtendedFromBit55OfTheXtAddress) {
  Tlb t;
  t.insert(va_entry(0xFFFF800000001000ull, 1));
  EXPECT_EQ(tlbi(t, TlbiOp::VAE1, xt_va(0xFFFF800000001000ull, 1), ns_regs(), El::EL1), 1u);
}

TEST(MmuTlbi, Vmalls12e1RemovesBothStagesOfTheCurrentVmid) {
  Tlb t;
  t.insert(va_entry(0x1000, 1));
  t.insert(ipa_entry(0x1000));
  t.insert(ipa_entry(0x1000, NS, kVmid + 1));
  EXPECT_EQ(tlbi(t, TlbiOp::VMALLS12E1, 0, ns_regs()), 2u);
  EXPECT_TRUE(has_ipa(t, 0x1000, NS, kVmid + 1));
}

TEST(MmuTlbi, Ipas2e1RemovesStage2OnlyEntriesOfTheIpaAndLeavesCombinedOnes) {
  for (TlbiOp op : {TlbiOp::IPAS2E1, TlbiOp::IPAS2LE1}) {
    Tlb t;
    t.insert(va_entry(0x1000, 1));
    t.insert(ipa_entry(0x8000));
    t.insert(ipa_entry(0x9000));
    EXPECT_EQ(tlbi(t, op, 0x8000 >> 12, ns_regs()), 1u) << name(op);
    EXPECT_TRUE(has_va(t, 0x1000, 1));
    EXPECT_TRUE(has_ipa(t, 0x9000));
  }
}

TEST(MmuTlbi, InSecureStateXt63OfIpas2e1SelectsTheIpaSpace) {
  Tlb t;
  t.insert(ipa_entry(0x8000, S, kVmid, S));
  t.insert(ipa_entry(0x8000, NS, kVmid, S));
  EXPECT_EQ(tlbi(t, TlbiOp::IPAS2E1, 0x8, secure_regs()), 1u);  // NS = 0: Secure IPA space
  EXPECT_FALSE(has_ipa(t, 0x8000, S, kVmid, S));
  EXPECT_TRUE(has_ipa(t, 0x8000, NS, kVmid, S));
  EXPECT_EQ(tlbi(t, TlbiOp::IPAS2E1, 1ull << 63 | 0x8, secure_regs()), 1u);
  EXPECT_EQ(t.size(), 0u);
}

TEST(MmuTlbi, InNonSecureStateXt63IsIgnoredAndTheIpaSpaceIsNonSecure) {
  Tlb t;
  t.insert(ipa_entry(0x8000));
  EXPECT_EQ(tlbi(t, TlbiOp::IPAS2E1, 0x8, ns_regs()), 1u);
}

TEST(MmuTlbi, Alle1RemovesEveryVmidOfTheSecurityStateButNotEl2) {
  Tlb t;
  t.insert(va_entry(0x1000, 1, false, 1));
  t.insert(va_entry(0x1000, 1, false, 2));
  t.insert(ipa_entry(0x1000, NS, 3));
  t.insert(va_entry(0x1000, 0, true, 0, Regime::EL2));
  t.insert(va_entry(0x1000, 1, false, 1, Regime::EL10, S));
  EXPECT_EQ(tlbi(t, TlbiOp::ALLE1, 0, ns_regs()), 3u);
  EXPECT_EQ(t.size(), 2u);
}

TEST(MmuTlbi, Alle2RemovesEl2AndEl20EntriesAndAlle3OnlyEl3Entries) {
  Tlb t;
  t.insert(va_entry(0x1000, 0, true, 0, Regime::EL2));
  t.insert(va_entry(0x1000, 4, false, 0, Regime::EL20));
  t.insert(va_entry(0x1000, 1));
  t.insert(va_entry(0x1000, 0, true, 0, Regime::EL3, S));
  EXPECT_EQ(tlbi(t, TlbiOp::ALLE2, 0, ns_regs()), 2u);
  EXPECT_EQ(tlbi(t, TlbiOp::ALLE3, 0, ns_regs(), El::EL3), 1u);
  EXPECT_TRUE(has_va(t, 0x1000, 1));
}

TEST(MmuTlbi, Vae2UsesTheAsidOnlyWhenHcrE2hMakesEl2ATwoRangeRegime) {
  Tlb t;
  t.insert(va_entry(0x1000, 3, false, 0, Regime::EL20));
  t.insert(va_entry(0x1000, 4, false, 0, Regime::EL20));
  MmuRegs r = ns_regs();
  r.hcr_el2 = hcr::E2H;
  r.tcr_el2 = 1ull << tcr::AS;
  EXPECT_EQ(tlbi(t, TlbiOp::VAE2, xt_va(0x1000, 3), r), 1u);
  t.insert(va_entry(0x1000, 0, true, 0, Regime::EL2));
  EXPECT_EQ(tlbi(t, TlbiOp::VAE2, xt_va(0x1000, 3), ns_regs()), 1u);  // EL2 regime: no ASID
}

TEST(MmuTlbi, AnE1TlbiAtEl3ActsOnTheSecurityStateThatScrEl3NsSelects) {
  Tlb t;
  t.insert(va_entry(0x1000, 1, true, 0, Regime::EL10, S));
  t.insert(va_entry(0x1000, 1, true, kVmid, Regime::EL10, NS));
  MmuRegs r = ns_regs();
  r.scr_el3 = scr::RES1 | scr::RW;  // NS = 0, EEL2 = 0: Secure EL1&0 without a VMID
  EXPECT_EQ(tlbi(t, TlbiOp::VMALLE1, 0, r, El::EL3), 1u);
  EXPECT_TRUE(has_va(t, 0x1000, 1, kVmid, Regime::EL10, NS));
}

TEST(MmuTlbi, AnInstructionBelowItsLowestElIsUndefined) {
  const MmuRegs r = ns_regs();
  EXPECT_FALSE(decode_tlbi({TlbiOp::VMALLE1}, r, El::EL0));
  EXPECT_FALSE(decode_tlbi({TlbiOp::VMALLS12E1}, r, El::EL1));
  EXPECT_FALSE(decode_tlbi({TlbiOp::IPAS2E1}, r, El::EL1));
  EXPECT_FALSE(decode_tlbi({TlbiOp::ALLE3}, r, El::EL2));
  EXPECT_TRUE(decode_tlbi({TlbiOp::ALLE3}, r, El::EL3));
  EXPECT_TRUE(decode_tlbi({TlbiOp::VMALLE1}, r, El::EL3));
}

TEST(MmuTlbi, NamesComeFromTheTableAndRoundTrip) {
  EXPECT_STREQ(name(TlbiOp::IPAS2LE1), "IPAS2LE1");
  EXPECT_EQ(tlbi_op_from_name("VMALLS12E1"), TlbiOp::VMALLS12E1);
  EXPECT_FALSE(tlbi_op_from_name("VMALLE1IS"));  // IS is a flag, not a name
  EXPECT_EQ(lowest_el(TlbiOp::ALLE2), El::EL2);
}

// ---------------------------------------------------------------------------------------------
// Broadcast

TEST(MmuTlbi, ABroadcastTlbiReachesEveryPesTlbAndALocalOneOnlyTheIssuers) {
  Tlb pe0, pe1, pe2;
  TlbDomain domain;
  domain.attach(0, pe0);
  domain.attach(1, pe1);
  domain.attach(2, pe2);
  for (Tlb* t : {&pe0, &pe1, &pe2}) t->insert(va_entry(0x1000, 1));
  const MmuRegs r = ns_regs();
  auto local = decode_tlbi({TlbiOp::VMALLE1, false}, r, El::EL1);
  ASSERT_TRUE(local);
  EXPECT_FALSE(local->broadcast);
  EXPECT_EQ(domain.invalidate(1, local->scope, local->broadcast), 1u);
  EXPECT_EQ(pe1.size(), 0u);
  EXPECT_EQ(pe0.size(), 1u);
  pe1.insert(va_entry(0x1000, 1));
  auto is = decode_tlbi({TlbiOp::VMALLE1, true}, r, El::EL1);
  ASSERT_TRUE(is);
  EXPECT_TRUE(is->broadcast);
  EXPECT_EQ(domain.invalidate(1, is->scope, is->broadcast), 3u);
  EXPECT_EQ(pe0.size() + pe1.size() + pe2.size(), 0u);
}

TEST(MmuTlbi, HcrEl2FbTurnsAnEl1TlbiIntoABroadcast) {
  MmuRegs r = ns_regs();
  r.hcr_el2 = hcr_mmu::FB;
  EXPECT_TRUE(decode_tlbi({TlbiOp::VMALLE1, false}, r, El::EL1)->broadcast);
  EXPECT_FALSE(decode_tlbi({TlbiOp::VMALLE1, false}, r, El::EL2)->broadcast);
}

TEST(MmuTlbi, AttachingAPeTwiceIsAModelError) {
  Tlb t;
  TlbDomain domain;
  domain.attach(0, t);
  EXPECT_THROW(domain.attach(0, t), std::logic_error);
}

// ---------------------------------------------------------------------------------------------
// Stage-2 remapping seen through the TLB

TEST(MmuTlbi, AfterIpas2e1AloneTheCombinedEntryStillTranslatesUntilVmalle1) {
  MapMemory mem;
  PoolAllocator alloc(0x10000, 0x100000);
  const MmuConfig cfg;
  const TableFormat f = stage2_format(40, Granule::K4, NS, cfg);
  Stage2Tables s2(mem, alloc, f);
  ASSERT_EQ(s2.init(), MapStatus::Ok);
  ASSERT_EQ(s2.map(IPA(0x40000000), PA(0x80000000), 0x1000, Stage2Attrs::normal_rw()), MapStatus::Ok);
  MmuRegs r = ns_regs();
  r.hcr_el2 = hcr::VM;
  r.vtcr_el2 |= vtcr::RES1 | stage2_walk_fields(f) | (5ull << vtcr::PS_LO);
  r.vttbr_el2 = make_ttbr(s2.root().value(), kVmid);
  Mmu mmu(cfg, mem);
  const Access a{VA(0x40000000), AccessType::Read, El::EL1};
  ASSERT_EQ(mmu.translate(r, a).pa, PA(0x80000000));
  ASSERT_EQ(s2.map(IPA(0x40000000), PA(0x81000000), 0x1000, Stage2Attrs::normal_rw()), MapStatus::Ok);
  mmu.tlb().invalidate(decode_tlbi({TlbiOp::IPAS2E1, true, 0x40000}, r, El::EL2)->scope);
  EXPECT_EQ(mmu.translate(r, a).pa, PA(0x80000000));  // the combined entry survives
  mmu.tlb().invalidate(decode_tlbi({TlbiOp::VMALLE1, true}, r, El::EL2)->scope);
  EXPECT_EQ(mmu.translate(r, a).pa, PA(0x81000000));
}

// ---------------------------------------------------------------------------------------------
// Costs (mmu_params.def)

TEST(MmuTiming, ItsParametersJoinTheProfileBesideTheCoreOnes) {
  Profile p;
  CoreTiming::declare(p);
  MmuTiming::declare(p);
  EXPECT_TRUE(p.has("mmu.tlb_hit_cycles"));
  p.set("mmu.tlb_entries", 64, "test");
  MmuTiming m;
  m.load(p);
  EXPECT_EQ(tlb_config(m).entries, 64u);
}

TEST(MmuTiming, AMissCostsTheMissOverheadPerReadCyclesAndTheMemoryLatency) {
  MmuTiming m;  // defaults: hit 2, miss 10, per read 2 cycles
  const double period_ps = 500;  // 2 GHz
  TranslateResult t;
  t.translated = true;
  t.walk.s1_reads = 4;
  t.walk.s2_reads = 20;
  t.walk.memory = 24 * 90000;
  EXPECT_EQ(translation_cost(t, m, period_ps), Picos((10 + 2 * 24) * 500 + 24 * 90000));
  t.tlb_hit = true;
  EXPECT_EQ(translation_cost(t, m, period_ps), Picos(2 * 500));
  t.translated = false;
  EXPECT_EQ(translation_cost(t, m, period_ps), 0u);
  EXPECT_EQ(tlbi_cost(false, m, period_ps), Picos(30 * 500));
  EXPECT_EQ(tlbi_cost(true, m, period_ps), Picos(500 * 500));
}

}  // namespace
}  // namespace ffasim::sim::mmu
