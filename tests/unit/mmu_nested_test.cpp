// Two stages together: the nested walk's descriptor count ((n1 + 1)(n2 + 1) - 1), stage-2
// faults on stage-1 table walks (S1PTW), permissions and attributes combined across stages, and
// FEAT_SEL2's two IPA spaces with the SA/SW and NSA/NSW PA-space selections. Facts:
// ../shared/reference/armv8-gicv3-mmu.md s3.6-3.9. Tables are built with the page-table builder.
#include "sim/mmu_s2/mmu.h"

#include <gtest/gtest.h>

#include "sim/mmu_s2/page_tables.h"

namespace ffasim::sim::mmu {
namespace {

constexpr Security NS = Security::NonSecure;
constexpr uint64_t kVa = 0x0000008040201234ull;
constexpr uint64_t kTableIpa = 0x40000000;   // stage-1 table pages live at IPAs from here
constexpr uint64_t kTablePa = 0x88000000;    // ... and at these PAs
constexpr uint64_t kDataIpa = 0x60000000, kDataPa = 0x90000000;

// Non-secure EL1: stage 1 (tables at IPAs) over stage 2, both built with the builder.
class Nested : public ::testing::Test {
 protected:
  void build(unsigned s1_bits, unsigned s2_bits) {
    s2_fmt = stage2_format(s2_bits, Granule::K4, NS, cfg);
    s2 = std::make_unique<Stage2Tables>(mem, s2_alloc, s2_fmt);
    ASSERT_EQ(s2->init(), MapStatus::Ok);
    // Every stage-1 table page gets its own 4K stage-2 page (no blocks), so nothing is shared.
    ASSERT_EQ(s2->map(IPA(kTableIpa), PA(kTablePa), 0x100000, Stage2Attrs::normal_rw(), false),
              MapStatus::Ok);
    ASSERT_EQ(s2->map(IPA(kDataIpa), PA(kDataPa), 0x1000, Stage2Attrs::normal_rwx(), false),
              MapStatus::Ok);
    s1 = std::make_unique<Stage1Tables>(mem, s1_alloc, stage1_format(s1_bits, Granule::K4, NS),
                                        [](uint64_t ipa) { return PA(ipa - kTableIpa + kTablePa); });
    ASSERT_EQ(s1->init(), MapStatus::Ok);
    const uint64_t va = kVa & ((1ull << s1_bits) - 1) & ~0xFFFull;
    ASSERT_EQ(s1->map(VA(va), IPA(kDataIpa), 0x1000, s1_rw(), false), MapStatus::Ok);
    r.scr_el3 = scr::RES1 | scr::RW | scr::NS;
    r.hcr_el2 = hcr::VM;
    r.sctlr_el1 = sctlr::M;
    r.tcr_el1 = (64 - s1_bits) | (5ull << 32) | (1ull << tcr::EPD1);
    r.mair_el1 = 0xFF | (0x04ull << 8);
    r.ttbr0_el1 = make_ttbr(s1->root(), 1);
    r.vtcr_el2 = vtcr::RES1 | stage2_walk_fields(s2_fmt) | (5ull << vtcr::PS_LO);
    r.vttbr_el2 = make_ttbr(s2->root().value(), 9);
  }
  static Stage1Attrs s1_rw() { return {}; }
  TranslateResult tr(uint64_t va, AccessType t = AccessType::Read, El el = El::EL1) {
    return mmu.translate(r, {VA(va), t, el});
  }
  // The IPA of the stage-1 descriptor read at `level` for kVa.
  uint64_t s1_descriptor_ipa(int level) {
    uint64_t table = s1->root();
    for (int l = s1->tables().format().start_level; l < level; ++l) {
      const uint64_t d = mem.peek(PA(table - kTableIpa + kTablePa + idx(kVa, l) * 8), NS);
      table = d & desc::ADDR_MASK;
    }
    return table + idx(kVa, level) * 8;
  }
  static uint64_t idx(uint64_t va, int level) { return (va >> (12 + 9 * (3 - level))) & 0x1FF; }

  MapMemory mem{1000};
  MmuConfig cfg;
  Mmu mmu{cfg, mem};
  MmuRegs r;
  PoolAllocator s2_alloc{0x80000000, 0x400000};
  PoolAllocator s1_alloc{kTableIpa, 0x100000};
  TableFormat s2_fmt;
  std::unique_ptr<Stage2Tables> s2;
  std::unique_ptr<Stage1Tables> s1;
};

// ---------------------------------------------------------------------------------------------
// Descriptor counts (s3.7)

TEST_F(Nested, AColdNestedWalkWithFourLevelsAtEachStageMakesExactly24DescriptorReads) {
  build(48, 48);
  mem.reset_counts();
  const TranslateResult t = tr(kVa);
  ASSERT_TRUE(t.ok()) << name(t.fault.type) << " stage " << t.fault.stage << " level " << t.fault.level;
  EXPECT_EQ(t.pa, PA(kDataPa + 0x234));
  EXPECT_EQ(t.ipa, IPA(kDataIpa + 0x234));
  EXPECT_EQ(t.walk.s1_reads, 4u);
  EXPECT_EQ(t.walk.s2_reads, 20u);
  EXPECT_EQ(t.walk.reads(), 24u);  // (4 + 1)(4 + 1) - 1
  EXPECT_EQ(mem.reads(), 24u);
  EXPECT_EQ(t.walk.memory, 24u * 1000);
}

TEST_F(Nested, ThreeLevelsAtEachStageMake15ReadsAndFourOverThreeMake19) {
  build(39, 39);
  EXPECT_EQ(tr(kVa & 0x7FFFFFFFFFull).walk.reads(), 15u);
  mmu.tlb().clear();
  build(48, 39);
  EXPECT_EQ(tr(kVa).walk.reads(), 19u);
}

TEST_F(Nested, TheSameVaAgainHitsTheTlbWithoutReadingMemory) {
  build(48, 48);
  ASSERT_TRUE(tr(kVa).ok());
  mem.reset_counts();
  const TranslateResult t = tr(kVa + 0x10);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t.tlb_hit);
  EXPECT_EQ(t.walk.reads(), 0u);
  EXPECT_EQ(mem.reads(), 0u);
  EXPECT_EQ(t.pa, PA(kDataPa + 0x244));
}

TEST_F(Nested, ANeighbourPageReusesTheCachedStage2TranslationsOfTheTablePages) {
  build(48, 48);
  ASSERT_EQ(s2->map(IPA(kDataIpa + 0x1000), PA(kDataPa + 0x1000), 0x1000, Stage2Attrs::normal_rw()),
            MapStatus::Ok);
  ASSERT_EQ(s1->map(VA((kVa & ~0xFFFull) + 0x1000), IPA(kDataIpa + 0x1000), 0x1000, s1_rw()),
            MapStatus::Ok);
  ASSERT_TRUE(tr(kVa).ok());
  const TranslateResult t = tr(kVa + 0x1000);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.walk.s2_tlb_hits, 4u);  // the four table pages
  EXPECT_EQ(t.walk.s1_reads, 4u);
  EXPECT_EQ(t.walk.s2_reads, 4u);     // only the new data page
}

// ---------------------------------------------------------------------------------------------
// Stage-2 faults on the stage-1 walk (S1PTW)

TEST_F(Nested, AnUnmappedStage1TablePageIsAStage2FaultWithS1ptwAndTheDescriptorIpa) {
  build(48, 48);
  const uint64_t desc_ipa = s1_descriptor_ipa(2);
  ASSERT_EQ(s2->unmap(IPA(desc_ipa & ~0xFFFull), 0x1000), MapStatus::Ok);
  const TranslateResult t = tr(kVa, AccessType::Write);
  EXPECT_EQ(t.fault.type, FaultType::Translation);
  EXPECT_EQ(t.fault.stage, 2u);
  EXPECT_EQ(t.fault.level, 3);  // the stage-2 level
  EXPECT_TRUE(t.fault.s1ptw);
  EXPECT_EQ(t.fault.ipa, IPA(desc_ipa));
  EXPECT_EQ(t.fault.va, VA(kVa));
  EXPECT_EQ(t.fault.target_el, El::EL2);
  EXPECT_FALSE(t.fault.wnr);  // the walk read the descriptor
  EXPECT_EQ(abort_esr(t.fault), make_esr(0x24, 0x80 | 0x07));
  EXPECT_EQ(hpfar_el2(t.fault), (desc_ipa >> 12) << 4);
  EXPECT_TRUE(hpfar_valid(t.fault));
  EXPECT_EQ(t.walk.s1_reads, 2u);  // levels 0 and 1 were read
}

TEST_F(Nested, AnS1ptwFaultOnAnInstructionFetchIsAnInstructionAbort) {
  build(48, 48);
  ASSERT_EQ(s2->unmap(IPA(s1->root()), 0x1000), MapStatus::Ok);
  const TranslateResult t = tr(kVa, AccessType::Execute);
  EXPECT_TRUE(t.fault.s1ptw);
  EXPECT_EQ(t.fault.ipa, IPA(s1_descriptor_ipa(0)));
  EXPECT_EQ(abort_ec(t.fault), 0x20u);
}

TEST_F(Nested, QemusReadingCopiesTheAccessWnrIntoAnS1ptwFault) {
  cfg.s1ptw_wnr_from_access = true;
  Mmu qemu(cfg, mem);
  build(48, 48);
  ASSERT_EQ(s2->unmap(IPA(s1->root()), 0x1000), MapStatus::Ok);
  EXPECT_TRUE(qemu.translate(r, {VA(kVa), AccessType::Write, El::EL1}).fault.wnr);
}

TEST_F(Nested, AStage1TablePageWithoutStage2ReadPermissionIsAnS1ptwPermissionFault) {
  build(48, 48);
  const uint64_t desc_ipa = s1_descriptor_ipa(3);
  Stage2Attrs wo;
  wo.s2ap = desc::S2AP_WO;
  ASSERT_EQ(s2->map(IPA(desc_ipa & ~0xFFFull), PA((desc_ipa - kTableIpa + kTablePa) & ~0xFFFull),
                    0x1000, wo), MapStatus::Ok);
  const TranslateResult t = tr(kVa);
  EXPECT_EQ(t.fault.type, FaultType::Permission);
  EXPECT_EQ(t.fault.stage, 2u);
  EXPECT_TRUE(t.fault.s1ptw);
  EXPECT_EQ(t.fault.ipa, IPA(desc_ipa));
  EXPECT_TRUE(hpfar_valid(t.fault));
}

TEST_F(Nested, AStage1TablePageWithAStage2AccessFlagOfZeroIsAnS1ptwAccessFlagFault) {
  build(48, 48);
  const uint64_t desc_ipa = s1_descriptor_ipa(1);
  Stage2Attrs no_af;
  no_af.af = false;
  ASSERT_EQ(s2->map(IPA(desc_ipa & ~0xFFFull), PA((desc_ipa - kTableIpa + kTablePa) & ~0xFFFull),
                    0x1000, no_af), MapStatus::Ok);
  const TranslateResult t = tr(kVa);
  EXPECT_EQ(t.fault.type, FaultType::AccessFlag);
  EXPECT_EQ(t.fault.stage, 2u);
  EXPECT_EQ(t.fault.level, 3);
  EXPECT_TRUE(t.fault.s1ptw);
  EXPECT_EQ(abort_iss(t.fault), 0x80u | 0x0Bu);
}

TEST_F(Nested, WithHcrPtwAStage1WalkIntoStage2DeviceMemoryIsAnS1ptwPermissionFault) {
  build(48, 48);
  const uint64_t table_page = s1->root();
  ASSERT_EQ(s2->map(IPA(table_page), PA(table_page - kTableIpa + kTablePa), 0x1000,
                    Stage2Attrs::device_rw()), MapStatus::Ok);
  EXPECT_TRUE(tr(kVa).ok());  // PTW = 0: allowed
  mmu.tlb().clear();
  r.hcr_el2 |= hcr_mmu::PTW;
  const TranslateResult t = tr(kVa);
  EXPECT_EQ(t.fault.type, FaultType::Permission);
  EXPECT_TRUE(t.fault.s1ptw);
  EXPECT_EQ(t.fault.level, 3);
}

TEST_F(Nested, AStage1FaultUnderStage2GoesToEl1WithoutS1ptw) {
  build(48, 48);
  ASSERT_EQ(s1->unmap(VA(kVa & ~0xFFFull), 0x1000), MapStatus::Ok);
  const TranslateResult t = tr(kVa);
  EXPECT_EQ(t.fault.type, FaultType::Translation);
  EXPECT_EQ(t.fault.stage, 1u);
  EXPECT_EQ(t.fault.level, 3);
  EXPECT_FALSE(t.fault.s1ptw);
  EXPECT_EQ(t.fault.target_el, El::EL1);
  EXPECT_EQ(t.walk.reads(), 20u);  // four stage-1 reads, each after a four-read stage-2 walk
}

// ---------------------------------------------------------------------------------------------
// Permissions and attributes combined (s3.6)

TEST_F(Nested, AnAccessNeedsBothStagesAndTheFirstStageThatRefusesIsReported) {
  build(48, 48);
  Stage1Attrs ro;
  ro.ap = desc::AP_RO_EL1;
  // Stage 1 RW, stage 2 RO: a write faults at stage 2 (EL2, HPFAR = the data IPA).
  ASSERT_EQ(s2->map(IPA(kDataIpa), PA(kDataPa), 0x1000, Stage2Attrs::normal_ro()), MapStatus::Ok);
  mmu.tlb().clear();
  TranslateResult t = tr(kVa, AccessType::Write);
  EXPECT_EQ(t.fault.type, FaultType::Permission);
  EXPECT_EQ(t.fault.stage, 2u);
  EXPECT_EQ(t.fault.target_el, El::EL2);
  EXPECT_EQ(t.fault.ipa, IPA(kDataIpa + 0x234));
  // The same fault again from the TLB.
  t = tr(kVa, AccessType::Write);
  EXPECT_TRUE(t.tlb_hit);
  EXPECT_EQ(t.fault.stage, 2u);
  EXPECT_EQ(t.fault.level, 3);
  // Stage 1 RO as well: stage 1 is checked first.
  ASSERT_EQ(s1->map(VA(kVa & ~0xFFFull), IPA(kDataIpa), 0x1000, ro), MapStatus::Ok);
  mmu.tlb().clear();
  t = tr(kVa, AccessType::Write);
  EXPECT_EQ(t.fault.stage, 1u);
  EXPECT_EQ(t.fault.target_el, El::EL1);
  // Stage 1 RO, stage 2 RW.
  ASSERT_EQ(s2->map(IPA(kDataIpa), PA(kDataPa), 0x1000, Stage2Attrs::normal_rw()), MapStatus::Ok);
  mmu.tlb().clear();
  EXPECT_EQ(tr(kVa, AccessType::Write).fault.stage, 1u);
  EXPECT_TRUE(tr(kVa, AccessType::Read).ok());
}

TEST_F(Nested, AStage1PermissionFaultSkipsTheFinalStage2Walk) {
  build(48, 48);
  Stage1Attrs ro;
  ro.ap = desc::AP_RO_EL1;
  ASSERT_EQ(s1->map(VA(kVa & ~0xFFFull), IPA(kDataIpa), 0x1000, ro), MapStatus::Ok);
  const TranslateResult t = tr(kVa, AccessType::Write);
  EXPECT_EQ(t.fault.stage, 1u);
  EXPECT_EQ(t.walk.reads(), 20u);
}

TEST_F(Nested, Stage2DeviceMemoryMakesTheCombinedTypeDevice) {
  build(48, 48);
  ASSERT_EQ(s2->map(IPA(kDataIpa), PA(kDataPa), 0x1000, Stage2Attrs::device_rw()), MapStatus::Ok);
  const TranslateResult t = tr(kVa);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.attrs.type, MemType::Device);
  EXPECT_EQ(t.attrs.device, DeviceType::nGnRE);
  EXPECT_EQ(t.attrs.sh, Shareability::OSH);
}

TEST(MmuAttrs, CombiningTakesTheStricterDeviceTypeTheWeakerCacheabilityAndTheWiderShareability) {
  const MemAttrs dev_e = stage1_attrs(0x04, 0), dev_ne = stage2_attrs(0x0, 0);
  EXPECT_EQ(combine_stages(dev_e, dev_ne).device, DeviceType::nGnRnE);
  const MemAttrs wb_nsh = stage1_attrs(0xFF, 0), wt_ish = stage2_attrs(0xA, 3);
  const MemAttrs c = combine_stages(wb_nsh, wt_ish);
  EXPECT_EQ(c.type, MemType::Normal);
  EXPECT_EQ(c.inner, Cacheability::WriteThrough);
  EXPECT_EQ(c.outer, Cacheability::WriteThrough);
  EXPECT_EQ(c.sh, Shareability::ISH);
  const MemAttrs nc = combine_stages(stage1_attrs(0xFF, 3), stage2_attrs(0x5, 3));
  EXPECT_EQ(nc.inner, Cacheability::NonCacheable);
  EXPECT_EQ(nc.sh, Shareability::OSH);  // Normal Non-cacheable is Outer Shareable
  EXPECT_EQ(combine_stages(stage1_attrs(0xFF, 2), stage2_attrs(0xF, 3)).sh, Shareability::OSH);
}

TEST_F(Nested, HcrCdMakesStage2NormalMemoryNonCacheable) {
  build(48, 48);
  r.hcr_el2 |= hcr_mmu::CD;
  const TranslateResult t = tr(kVa);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.attrs.inner, Cacheability::NonCacheable);
}

}  // namespace
}  // namespace ffasim::sim::mmu
