// The stage-2 walker against hand-built tables (stage 1 off, so the VA is the IPA): every fault
// type at every level, faults taken to EL2 with HPFAR_EL2, start levels from SL0/T0SZ,
// concatenated initial tables, blocks, S2AP and XN. Facts: ../shared/reference/armv8-gicv3-mmu.md
// s3.2, s3.4, s3.5, s3.9.
#include "sim/mmu_s2/mmu.h"

#include <gtest/gtest.h>

#include "sim/mmu_s2/descriptor.h"

namespace ffasim::sim::mmu {
namespace {

constexpr Security NS = Security::NonSecure;
constexpr uint64_t AF = 1ull << desc::AF;

uint64_t s2(uint64_t s2ap, uint64_t xn = desc::S2XN_NONE, uint64_t memattr = desc::S2_NORMAL_WB) {
  return s2ap << desc::S2AP_LO | xn << desc::S2_XN_LO | memattr << desc::S2_MEMATTR_LO;
}
const uint64_t kRW = s2(desc::S2AP_RW);
uint64_t table_desc(uint64_t next) { return next | desc::TYPE_TABLE; }
uint64_t page_desc(uint64_t pa, uint64_t attrs) { return pa | desc::TYPE_PAGE | AF | attrs; }
uint64_t block_desc(uint64_t pa, uint64_t attrs) { return pa | desc::TYPE_BLOCK | AF | attrs; }

// VTCR_EL2: T0SZ, SL0, 4K, PS.
constexpr uint64_t vtcr(unsigned t0sz, unsigned sl0, uint64_t ps = 5) {
  return vtcr::RES1 | t0sz | uint64_t(sl0) << vtcr::SL0_LO | ps << vtcr::PS_LO;
}

constexpr uint64_t kIpa = 0x0000008040201234ull;  // index 1 at every level (48-bit, 4K)
constexpr uint64_t kS0 = 0x50000, kS1 = 0x51000, kS2 = 0x52000, kS3 = 0x53000;
constexpr uint64_t kPage = 0x90005000;
constexpr uint16_t kVmid = 7;

class Stage2Walk : public ::testing::Test {
 protected:
  void SetUp() override {
    r.scr_el3 = scr::RES1 | scr::NS | scr::RW;
    r.hcr_el2 = hcr::VM;
    r.vtcr_el2 = vtcr(16, 2);  // 48-bit IPA from level 0
    r.vttbr_el2 = make_ttbr(kS0, kVmid);
  }
  void put(uint64_t table, uint64_t index, uint64_t d) { mem.write64(PA(table + index * 8), NS, d); }
  void chain(uint64_t leaf) {
    put(kS0, 1, table_desc(kS1));
    put(kS1, 1, table_desc(kS2));
    put(kS2, 1, table_desc(kS3));
    put(kS3, 1, leaf);
  }
  TranslateResult tr(uint64_t va, AccessType t = AccessType::Read, El el = El::EL1) {
    mmu.tlb().clear();
    return mmu.translate(r, {VA(va), t, el});
  }
  void expect_stage2_fault(const TranslateResult& t, FaultType type, int level, uint64_t ipa) {
    EXPECT_EQ(t.fault.type, type) << name(t.fault.type);
    EXPECT_EQ(t.fault.level, level);
    EXPECT_EQ(t.fault.stage, 2u);
    EXPECT_FALSE(t.fault.s1ptw);
    EXPECT_EQ(t.fault.target_el, El::EL2);
    EXPECT_EQ(t.fault.ipa, IPA(ipa));
    EXPECT_EQ(abort_ec(t.fault), 0x24u);  // from EL1 (lower) to EL2
    EXPECT_EQ(hpfar_el2(t.fault), (ipa >> 12) << 4);
  }

  MapMemory mem;
  MmuConfig cfg;
  Mmu mmu{cfg, mem};
  MmuRegs r;
};

TEST_F(Stage2Walk, WithStage1OffTheVaIsTheIpaAndAFourLevelStage2WalkReadsFourDescriptors) {
  chain(page_desc(kPage, kRW));
  const TranslateResult t = tr(kIpa);
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_TRUE(t.stage2);
  EXPECT_EQ(t.ipa, IPA(kIpa));
  EXPECT_EQ(t.pa, PA(kPage + 0x234));
  EXPECT_EQ(t.walk.s2_reads, 4u);
  EXPECT_EQ(t.walk.s1_reads, 0u);
}

TEST_F(Stage2Walk, AnInvalidDescriptorIsAStage2TranslationFaultTakenToEl2AtItsLevel) {
  const uint64_t tables[] = {kS0, kS1, kS2, kS3};
  for (int level = 0; level <= 3; ++level) {
    chain(page_desc(kPage, kRW));
    put(tables[level], 1, 0);
    const TranslateResult t = tr(kIpa, AccessType::Write);
    expect_stage2_fault(t, FaultType::Translation, level, kIpa);
    EXPECT_TRUE(hpfar_valid(t.fault));
    EXPECT_EQ(abort_esr(t.fault), make_esr(0x24, 0x44u + uint32_t(level)));
  }
}

TEST_F(Stage2Walk, AnAccessFlagOfZeroIsAStage2AccessFlagFaultAtLevels1To3) {
  struct Case { int level; uint64_t table, d; };
  const Case cases[] = {{1, kS1, 0x40000000 | desc::TYPE_BLOCK | kRW},
                        {2, kS2, 0x80200000 | desc::TYPE_BLOCK | kRW},
                        {3, kS3, kPage | desc::TYPE_PAGE | kRW}};
  for (const Case& c : cases) {
    chain(page_desc(kPage, kRW));
    put(c.table, 1, c.d);
    expect_stage2_fault(tr(kIpa), FaultType::AccessFlag, c.level, kIpa);
  }
}

TEST_F(Stage2Walk, AVttbrBaseBeyondPsIsALevel0Stage2AddressSizeFault) {
  r.vtcr_el2 = vtcr(24, 1, 2);  // 40-bit IPA and PA
  r.vttbr_el2 = make_ttbr(1ull << 41, kVmid);
  expect_stage2_fault(tr(0x1000), FaultType::AddressSize, 0, 0x1000);
}

TEST_F(Stage2Walk, AnOutputOrTableAddressBeyondPsIsAStage2AddressSizeFaultAtThatLevel) {
  r.vtcr_el2 = vtcr(16, 2, 2);  // PS = 40 bits
  const uint64_t far = 1ull << 41;
  struct Case { int level; uint64_t table, d; };
  const Case cases[] = {{0, kS0, table_desc(far)},
                        {1, kS1, block_desc(far, kRW)},
                        {2, kS2, block_desc(far, kRW)},
                        {3, kS3, page_desc(far, kRW)}};
  for (const Case& c : cases) {
    chain(page_desc(kPage, kRW));
    put(c.table, 1, c.d);
    expect_stage2_fault(tr(kIpa), FaultType::AddressSize, c.level, kIpa);
  }
}

TEST_F(Stage2Walk, S2apDecidesReadAndWriteAndItsFaultsArePermissionFaultsAtTheLeafLevel) {
  chain(page_desc(kPage, s2(desc::S2AP_RO)));
  EXPECT_TRUE(tr(kIpa, AccessType::Read).ok());
  TranslateResult t = tr(kIpa, AccessType::Write);
  expect_stage2_fault(t, FaultType::Permission, 3, kIpa);
  EXPECT_FALSE(hpfar_valid(t.fault));  // UNKNOWN architecturally for a direct permission fault
  chain(page_desc(kPage, s2(desc::S2AP_WO)));
  EXPECT_TRUE(tr(kIpa, AccessType::Write).ok());
  EXPECT_EQ(tr(kIpa, AccessType::Read).fault.type, FaultType::Permission);
}

TEST_F(Stage2Walk, APermissionFaultIsReportedAtTheLevelOfTheBlockOrPage) {
  struct Case { int level; uint64_t table, d; };
  const Case cases[] = {{1, kS1, block_desc(0x40000000, s2(desc::S2AP_NONE))},
                        {2, kS2, block_desc(0x80200000, s2(desc::S2AP_NONE))},
                        {3, kS3, page_desc(kPage, s2(desc::S2AP_NONE))}};
  for (const Case& c : cases) {
    chain(page_desc(kPage, kRW));
    put(c.table, 1, c.d);
    const TranslateResult t = tr(kIpa, AccessType::Read);
    expect_stage2_fault(t, FaultType::Permission, c.level, kIpa);
    EXPECT_EQ(fault_status_code(t.fault), 0x0Cu + uint32_t(c.level));
  }
}

TEST_F(Stage2Walk, ABusErrorOnAStage2DescriptorIsAStage2ExternalAbortOnTheWalk) {
  const uint64_t tables[] = {kS0, kS1, kS2, kS3};
  chain(page_desc(kPage, kRW));
  for (int level = 0; level <= 3; ++level) {
    MapMemory m;  // a copy of the chain with one word that fails
    for (uint64_t t : tables) m.write64(PA(t + 8), NS, mem.peek(PA(t + 8), NS));
    m.set_bus_error(PA(tables[level] + 8), NS);
    Mmu walker(cfg, m);
    const TranslateResult t = walker.translate(r, {VA(kIpa), AccessType::Read, El::EL1});
    EXPECT_EQ(t.fault.type, FaultType::ExternalAbortOnWalk) << "level " << level;
    EXPECT_EQ(t.fault.level, level);
    EXPECT_EQ(t.fault.stage, 2u);
    EXPECT_EQ(t.fault.target_el, El::EL2);
  }
}

TEST_F(Stage2Walk, XnxEncodingsAllowExecutionAtEl0AndEl1AsHafniumNamesThem) {
  struct Case { uint64_t xn; bool el0, el1; };
  const Case cases[] = {{desc::S2XN_ALL, true, true}, {desc::S2XN_EL0_ONLY, true, false},
                        {desc::S2XN_NONE, false, false}, {desc::S2XN_EL1_ONLY, false, true}};
  for (const Case& c : cases) {
    chain(page_desc(kPage, s2(desc::S2AP_RO, c.xn)));
    EXPECT_EQ(tr(kIpa, AccessType::Execute, El::EL0).ok(), c.el0) << "XN " << c.xn;
    EXPECT_EQ(tr(kIpa, AccessType::Execute, El::EL1).ok(), c.el1) << "XN " << c.xn;
  }
}

TEST_F(Stage2Walk, WithoutFeatXnxBit54IsXnAndBit53IsIgnored) {
  cfg.feat_xnx = false;
  Mmu plain(cfg, mem);
  chain(page_desc(kPage, s2(desc::S2AP_RO, desc::S2XN_EL0_ONLY)));  // bit 53 only
  EXPECT_TRUE(plain.translate(r, {VA(kIpa), AccessType::Execute, El::EL1}).ok());
  plain.tlb().clear();
  chain(page_desc(kPage, s2(desc::S2AP_RO, desc::S2XN_EL1_ONLY)));  // bits 54 and 53
  EXPECT_FALSE(plain.translate(r, {VA(kIpa), AccessType::Execute, El::EL1}).ok());
}

TEST_F(Stage2Walk, BlocksAtLevel1AndLevel2EndTheWalkEarly) {
  put(kS0, 1, table_desc(kS1));
  put(kS1, 1, block_desc(0x40000000, kRW));
  TranslateResult t = tr(kIpa);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.pa, PA(0x40000000 + (kIpa & 0x3FFFFFFF)));
  EXPECT_EQ(t.walk.s2_reads, 2u);
  put(kS1, 1, table_desc(kS2));
  put(kS2, 1, block_desc(0x80200000, kRW));
  t = tr(kIpa);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.pa, PA(0x80200000 + (kIpa & 0x1FFFFF)));
  EXPECT_EQ(t.walk.s2_reads, 3u);
}

// ---------------------------------------------------------------------------------------------
// Start level and concatenation (s3.4)

TEST_F(Stage2Walk, Sl0Of1WithA40BitIpaStartsAtLevel1WithTwoConcatenatedTables) {
  r.vtcr_el2 = vtcr(24, 1);
  const uint64_t root = 0x60000;  // 8 KiB: two level-1 tables
  r.vttbr_el2 = make_ttbr(root, kVmid);
  const uint64_t ipa = (1ull << 39) | (1ull << 30) | (1ull << 21) | 0x1234;  // index 512 + 1
  put(root, 513, table_desc(kS2));
  put(kS2, 1, table_desc(kS3));
  put(kS3, 1, page_desc(kPage, kRW));
  const TranslateResult t = tr(ipa);
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_EQ(t.walk.s2_reads, 3u);
  EXPECT_EQ(t.pa, PA(kPage + 0x234));
}

TEST_F(Stage2Walk, Sl0Of0WithA34BitIpaStartsAtLevel2WithSixteenConcatenatedTables) {
  r.vtcr_el2 = vtcr(30, 0);
  const uint64_t root = 0x100000;  // 64 KiB: sixteen level-2 tables
  r.vttbr_el2 = make_ttbr(root, kVmid);
  const uint64_t ipa = 0x3C0201234ull;  // index IPA[33:21] = 0x1E01
  put(root, 0x1E01, table_desc(kS3));
  put(kS3, 1, page_desc(kPage, kRW));
  const TranslateResult t = tr(ipa);
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_EQ(t.walk.s2_reads, 2u);
  EXPECT_EQ(t.pa, PA(kPage + 0x234));
}

TEST_F(Stage2Walk, AnSl0AndT0szThatDoNotAgreeAreALevel0TranslationFaultWithoutReads) {
  struct Case { unsigned t0sz, sl0; };
  const Case cases[] = {{16, 0},   // 48 bits from level 2: more than 16 tables
                        {30, 2},   // 34 bits from level 0: fewer than one index bit at L0
                        {24, 3}};  // SL0 = 11 without FEAT_TTST
  for (const Case& c : cases) {
    r.vtcr_el2 = vtcr(c.t0sz, c.sl0);
    const TranslateResult t = tr(0x1000);
    expect_stage2_fault(t, FaultType::Translation, 0, 0x1000);
    EXPECT_EQ(t.walk.reads(), 0u) << "T0SZ " << c.t0sz << " SL0 " << c.sl0;
  }
}

TEST_F(Stage2Walk, Level0IsNotAValidStartWithA4KGranuleAndAPaSizeBelow44Bits) {
  cfg.pa_bits = 40;
  Mmu small(cfg, mem);
  chain(page_desc(kPage, kRW));
  const TranslateResult t = small.translate(r, {VA(0x1000), AccessType::Read, El::EL1});
  EXPECT_EQ(t.fault.type, FaultType::Translation);
  EXPECT_EQ(t.fault.level, 0);
}

TEST_F(Stage2Walk, WithFeatTtstSl0Of3StartsAtLevel3) {
  cfg.feat_ttst = true;
  Mmu ttst(cfg, mem);
  r.vtcr_el2 = vtcr(40, 3);  // 24-bit IPA: 12 index bits at level 3, 8 concatenated tables
  const uint64_t root = 0x100000;
  r.vttbr_el2 = make_ttbr(root, kVmid);
  put(root, 0xABC, page_desc(kPage, kRW));
  const TranslateResult t = ttst.translate(r, {VA(0xABC123), AccessType::Read, El::EL1});
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_EQ(t.walk.s2_reads, 1u);
  EXPECT_EQ(t.pa, PA(kPage + 0x123));
}

TEST_F(Stage2Walk, AnIpaBeyondT0szIsALevel0Stage2TranslationFault) {
  r.vtcr_el2 = vtcr(24, 1);
  const TranslateResult t = tr(1ull << 40);
  expect_stage2_fault(t, FaultType::Translation, 0, 1ull << 40);
  EXPECT_EQ(t.walk.reads(), 0u);
}

TEST_F(Stage2Walk, HcrDcTurnsStage2OnAndMakesStage1NormalWriteBack) {
  r.hcr_el2 = hcr_mmu::DC;
  chain(page_desc(kPage, kRW));
  const TranslateResult t = tr(kIpa);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t.stage2);
  EXPECT_EQ(t.attrs.type, MemType::Normal);
  EXPECT_EQ(t.attrs.inner, Cacheability::WriteBack);
}

TEST_F(Stage2Walk, Stage2IsOffInSecureStateWithoutSecureEl2) {
  r.scr_el3 = scr::RES1 | scr::RW;  // Secure, EEL2 = 0: HCR_EL2 has no effect
  const TranslateResult t = tr(0x1000);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t.translated);
  EXPECT_EQ(t.pa, PA(0x1000));
}

}  // namespace
}  // namespace ffasim::sim::mmu
