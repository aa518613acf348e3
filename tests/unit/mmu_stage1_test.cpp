// The stage-1 walker against hand-built tables: start levels, blocks, every fault type at every
// level where it can occur, permissions, table attributes, regimes and granules. Facts:
// ../shared/reference/armv8-gicv3-mmu.md s3.1, s3.3, s3.5, s3.9.
#include "sim/mmu_s2/mmu.h"

#include <gtest/gtest.h>

#include "sim/mmu_s2/descriptor.h"

namespace ffasim::sim::mmu {
namespace {

constexpr Security S = Security::Secure;
constexpr Security NS = Security::NonSecure;
constexpr uint64_t AF = 1ull << desc::AF;

uint64_t table_desc(uint64_t next) { return next | desc::TYPE_TABLE; }
uint64_t page_desc(uint64_t pa, uint64_t attrs = 0) { return pa | desc::TYPE_PAGE | AF | attrs; }
uint64_t block_desc(uint64_t pa, uint64_t attrs = 0) { return pa | desc::TYPE_BLOCK | AF | attrs; }
uint64_t ap(uint64_t v) { return v << desc::AP_LO; }
uint64_t idx4k(uint64_t va, int level) { return (va >> (12 + 9 * (3 - level))) & 0x1FF; }

// TCR_EL1: T0SZ, 4K, IPS = 48 bits, TTBR1 walks disabled.
constexpr uint64_t tcr_el1(unsigned t0sz, uint64_t ips = 5) {
  return t0sz | (ips << 32) | (1ull << tcr::EPD1);
}

// VA 0x80_4020_1234: index 1 at every level of a 48-bit, 4K walk.
constexpr uint64_t kVa = 0x0000008040201234ull;
constexpr uint64_t kL0 = 0x10000, kL1 = 0x11000, kL2 = 0x12000, kL3 = 0x13000;
constexpr uint64_t kPage = 0x80005000;

class Stage1Walk : public ::testing::Test {
 protected:
  void SetUp() override {
    r.scr_el3 = scr::RES1 | scr::NS | scr::RW;
    r.sctlr_el1 = sctlr::M;
    r.tcr_el1 = tcr_el1(16);
    r.mair_el1 = 0xFF | (0x04ull << 8) | (0x44ull << 16);  // 0 Normal WB, 1 Device-nGnRE, 2 NC
    r.ttbr0_el1 = kL0;
  }
  void put(uint64_t table, uint64_t index, uint64_t d, Security s = NS) {
    mem.write64(PA(table + index * 8), s, d);
  }
  // The full 4-level chain for kVa, ending in `leaf` at level 3.
  void chain(uint64_t leaf, Security s = NS) {
    put(kL0, 1, table_desc(kL1), s);
    put(kL1, 1, table_desc(kL2), s);
    put(kL2, 1, table_desc(kL3), s);
    put(kL3, 1, leaf, s);
  }
  TranslateResult tr(uint64_t va, AccessType t = AccessType::Read, El el = El::EL1) {
    return mmu.translate(r, {VA(va), t, el});
  }

  MapMemory mem{1000};
  MmuConfig cfg;
  Mmu mmu{cfg, mem};
  MmuRegs r;
};

// ---------------------------------------------------------------------------------------------
// Successful walks, start levels, blocks

TEST_F(Stage1Walk, AFourLevelWalkReadsFourDescriptorsAndTranslatesThePage) {
  chain(page_desc(kPage));
  const TranslateResult t = tr(kVa);
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_EQ(t.pa, PA(kPage + 0x234));
  EXPECT_EQ(t.pa_space, NS);
  EXPECT_EQ(t.walk.s1_reads, 4u);
  EXPECT_EQ(t.walk.s2_reads, 0u);
  EXPECT_EQ(t.walk.memory, 4000u);  // four reads at the map's 1 ns
  EXPECT_TRUE(t.translated);
  EXPECT_FALSE(t.tlb_hit);
  EXPECT_FALSE(t.stage2);
}

TEST_F(Stage1Walk, A1GiBBlockAtLevel1EndsTheWalkAfterTwoReads) {
  put(kL0, 1, table_desc(kL1));
  put(kL1, 1, block_desc(0x40000000));
  const TranslateResult t = tr(kVa);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.pa, PA(0x40000000 + (kVa & 0x3FFFFFFF)));
  EXPECT_EQ(t.walk.s1_reads, 2u);
}

TEST_F(Stage1Walk, A2MiBBlockAtLevel2EndsTheWalkAfterThreeReads) {
  put(kL0, 1, table_desc(kL1));
  put(kL1, 1, table_desc(kL2));
  put(kL2, 1, block_desc(0x80200000));
  const TranslateResult t = tr(kVa);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.pa, PA(0x80200000 + (kVa & 0x1FFFFF)));
  EXPECT_EQ(t.walk.s1_reads, 3u);
}

TEST_F(Stage1Walk, T0sz25StartsAtLevel1AndT0sz34AtLevel2) {
  // 39-bit VA: start level 1, index VA[38:30] from the TTBR.
  r.tcr_el1 = tcr_el1(25);
  r.ttbr0_el1 = kL1;
  const uint64_t va = 0x40201234;  // L1 index 1, L2 index 1, L3 index 1
  put(kL1, 1, table_desc(kL2));
  put(kL2, 1, table_desc(kL3));
  put(kL3, 1, page_desc(kPage));
  TranslateResult t = tr(va);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.walk.s1_reads, 3u);
  EXPECT_EQ(t.pa, PA(kPage + 0x234));
  // 30-bit VA: start level 2.
  mmu.tlb().clear();
  r.tcr_el1 = tcr_el1(34);
  r.ttbr0_el1 = kL2;
  t = tr(0x201234);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.walk.s1_reads, 2u);
  EXPECT_EQ(t.pa, PA(kPage + 0x234));
}

TEST_F(Stage1Walk, TheUpperVaRangeWalksTtbr1) {
  r.tcr_el1 = 16 | (16ull << 16) | (2ull << tcr::TG1_LO) | (5ull << 32);  // T1SZ 16, TG1 4K
  r.ttbr1_el1 = 0x20000;
  const uint64_t va = 0xFFFF800040201234ull;
  put(0x20000, idx4k(va, 0), table_desc(0x21000));
  put(0x21000, idx4k(va, 1), table_desc(0x22000));
  put(0x22000, idx4k(va, 2), table_desc(0x23000));
  put(0x23000, idx4k(va, 3), page_desc(kPage));
  const TranslateResult t = tr(va);
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_EQ(t.pa, PA(kPage + 0x234));
}

TEST_F(Stage1Walk, TopByteIgnoreDropsTheTagOfAVa) {
  chain(page_desc(kPage));
  r.tcr_el1 |= 1ull << tcr::TBI0;
  const TranslateResult t = tr(0x5A00000000000000ull | kVa);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.pa, PA(kPage + 0x234));
}

TEST_F(Stage1Walk, WithTheMmuOffTheVaIsThePaAndNothingIsRead) {
  r.sctlr_el1 = 0;
  const TranslateResult t = tr(0x80001234);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t.translated);
  EXPECT_EQ(t.pa, PA(0x80001234));
  EXPECT_EQ(t.walk.reads(), 0u);
  EXPECT_EQ(t.attrs.type, MemType::Device);
  EXPECT_EQ(mem.reads(), 0u);
}

TEST_F(Stage1Walk, WithTheMmuOffAVaBeyondThePaSizeIsALevel0AddressSizeFault) {
  r.sctlr_el1 = 0;
  const TranslateResult t = tr(1ull << 48);
  EXPECT_EQ(t.fault.type, FaultType::AddressSize);
  EXPECT_EQ(t.fault.level, 0);
}

TEST_F(Stage1Walk, A16KGranuleWalkStartsAtLevel0WithOneIndexBit) {
  r.tcr_el1 = 16 | (2ull << tcr::TG0_LO) | (5ull << 32) | (1ull << tcr::EPD1);  // TG0 16K
  // 16K: L0 VA[47], L1 VA[46:36], L2 VA[35:25], L3 VA[24:14].
  const uint64_t va = (1ull << 47) | (3ull << 36) | (5ull << 25) | (7ull << 14) | 0x123;
  const uint64_t t0 = 0x100000, t1 = 0x104000, t2 = 0x108000, t3 = 0x10C000;
  r.ttbr0_el1 = t0;
  put(t0, 1, table_desc(t1));
  put(t1, 3, table_desc(t2));
  put(t2, 5, table_desc(t3));
  put(t3, 7, page_desc(0x80008000));
  const TranslateResult t = tr(va);
  ASSERT_TRUE(t.ok()) << name(t.fault.type) << " level " << t.fault.level;
  EXPECT_EQ(t.walk.s1_reads, 4u);
  EXPECT_EQ(t.pa, PA(0x80008123));
}

TEST_F(Stage1Walk, A64KGranuleWalkOf48BitsStartsAtLevel1) {
  r.tcr_el1 = 16 | (1ull << tcr::TG0_LO) | (5ull << 32) | (1ull << tcr::EPD1);  // TG0 64K
  // 64K: L1 VA[47:42], L2 VA[41:29], L3 VA[28:16].
  const uint64_t va = (2ull << 42) | (9ull << 29) | (4ull << 16) | 0x1234;
  const uint64_t t1 = 0x200000, t2 = 0x210000, t3 = 0x220000;
  r.ttbr0_el1 = t1;
  put(t1, 2, table_desc(t2));
  put(t2, 9, table_desc(t3));
  put(t3, 4, page_desc(0x80010000));
  const TranslateResult t = tr(va);
  ASSERT_TRUE(t.ok()) << name(t.fault.type) << " level " << t.fault.level;
  EXPECT_EQ(t.walk.s1_reads, 3u);
  EXPECT_EQ(t.pa, PA(0x80011234));
}

// ---------------------------------------------------------------------------------------------
// Translation faults

TEST_F(Stage1Walk, AnInvalidDescriptorIsATranslationFaultAtItsLevel) {
  for (int level = 0; level <= 3; ++level) {
    mmu.tlb().clear();
    chain(page_desc(kPage));
    const uint64_t tables[] = {kL0, kL1, kL2, kL3};
    put(tables[level], 1, 0);
    const TranslateResult t = tr(kVa, AccessType::Write);
    EXPECT_EQ(t.fault.type, FaultType::Translation) << "level " << level;
    EXPECT_EQ(t.fault.level, level);
    EXPECT_EQ(t.fault.stage, 1u);
    EXPECT_FALSE(t.fault.s1ptw);
    EXPECT_EQ(t.fault.target_el, El::EL1);
    EXPECT_EQ(t.fault.va, VA(kVa));
    EXPECT_TRUE(t.fault.wnr);
    EXPECT_EQ(abort_esr(t.fault), make_esr(0x25, 0x44u + uint32_t(level)));
    EXPECT_EQ(t.walk.s1_reads, unsigned(level + 1));
  }
}

TEST_F(Stage1Walk, ABlockDescriptorAtLevel0IsATranslationFault) {
  put(kL0, 1, block_desc(0));
  const TranslateResult t = tr(kVa);
  EXPECT_EQ(t.fault.type, FaultType::Translation);
  EXPECT_EQ(t.fault.level, 0);
}

TEST_F(Stage1Walk, TheReservedLevel3EncodingIsATranslationFault) {
  chain(kPage | desc::VALID | AF);  // 0b01 at level 3
  const TranslateResult t = tr(kVa);
  EXPECT_EQ(t.fault.type, FaultType::Translation);
  EXPECT_EQ(t.fault.level, 3);
}

TEST_F(Stage1Walk, AVaOutsideBothRangesIsALevel0TranslationFaultWithoutReads) {
  chain(page_desc(kPage));
  const TranslateResult t = tr(0x0001000000000000ull | kVa);  // bit 48 set, T0SZ = 16
  EXPECT_EQ(t.fault.type, FaultType::Translation);
  EXPECT_EQ(t.fault.level, 0);
  EXPECT_EQ(t.walk.reads(), 0u);
}

TEST_F(Stage1Walk, Epd1DisablesWalksOfTheUpperRange) {
  const TranslateResult t = tr(0xFFFF800000000000ull);
  EXPECT_EQ(t.fault.type, FaultType::Translation);
  EXPECT_EQ(t.fault.level, 0);
  EXPECT_EQ(t.walk.reads(), 0u);
}

TEST_F(Stage1Walk, AT0szBelow16IsALevel0TranslationFault) {
  r.tcr_el1 = tcr_el1(12);
  const TranslateResult t = tr(kVa);
  EXPECT_EQ(t.fault.type, FaultType::Translation);
  EXPECT_EQ(t.fault.level, 0);
}

// ---------------------------------------------------------------------------------------------
// Address size faults: IPS = 40 bits here

TEST_F(Stage1Walk, ATtbrBaseBeyondIpsIsALevel0AddressSizeFault) {
  r.tcr_el1 = tcr_el1(16, 2);
  r.ttbr0_el1 = 1ull << 40;
  const TranslateResult t = tr(kVa);
  EXPECT_EQ(t.fault.type, FaultType::AddressSize);
  EXPECT_EQ(t.fault.level, 0);
  EXPECT_EQ(t.walk.reads(), 0u);
}

TEST_F(Stage1Walk, AnOutputOrTableAddressBeyondIpsIsAnAddressSizeFaultAtThatLevel) {
  r.tcr_el1 = tcr_el1(16, 2);
  const uint64_t far = 1ull << 41;
  struct Case { int level; uint64_t table, d; };
  const Case cases[] = {{0, kL0, table_desc(far)},
                        {1, kL1, block_desc(far)},
                        {2, kL2, block_desc(far)},
                        {3, kL3, page_desc(far)}};
  for (const Case& c : cases) {
    mmu.tlb().clear();
    chain(page_desc(kPage));
    put(c.table, 1, c.d);
    const TranslateResult t = tr(kVa);
    EXPECT_EQ(t.fault.type, FaultType::AddressSize) << "level " << c.level;
    EXPECT_EQ(t.fault.level, c.level);
    EXPECT_EQ(fault_status_code(t.fault), uint32_t(c.level));
  }
}

// ---------------------------------------------------------------------------------------------
// Access flag faults

TEST_F(Stage1Walk, AnAccessFlagOfZeroFaultsAtTheLevelOfTheBlockOrPage) {
  struct Case { int level; uint64_t table, d; };
  const Case cases[] = {{1, kL1, (0x40000000 | desc::TYPE_BLOCK)},
                        {2, kL2, (0x80200000 | desc::TYPE_BLOCK)},
                        {3, kL3, (kPage | desc::TYPE_PAGE)}};
  for (const Case& c : cases) {
    mmu.tlb().clear();
    chain(page_desc(kPage));
    put(c.table, 1, c.d);
    const TranslateResult t = tr(kVa);
    EXPECT_EQ(t.fault.type, FaultType::AccessFlag) << "level " << c.level;
    EXPECT_EQ(t.fault.level, c.level);
    EXPECT_EQ(fault_status_code(t.fault), 0x08u + uint32_t(c.level));
  }
}

// ---------------------------------------------------------------------------------------------
// Permission faults and permissions

TEST_F(Stage1Walk, AWriteToReadOnlyMemoryIsAPermissionFaultAtTheLeafLevel) {
  struct Case { int level; uint64_t table, d; };
  const Case cases[] = {{1, kL1, block_desc(0x40000000, ap(desc::AP_RO_EL1))},
                        {2, kL2, block_desc(0x80200000, ap(desc::AP_RO_EL1))},
                        {3, kL3, page_desc(kPage, ap(desc::AP_RO_EL1))}};
  for (const Case& c : cases) {
    mmu.tlb().clear();
    chain(page_desc(kPage));
    put(c.table, 1, c.d);
    EXPECT_TRUE(tr(kVa, AccessType::Read).ok());
    const TranslateResult t = tr(kVa, AccessType::Write);
    EXPECT_EQ(t.fault.type, FaultType::Permission) << "level " << c.level;
    EXPECT_EQ(t.fault.level, c.level);
    EXPECT_EQ(t.fault.stage, 1u);
    EXPECT_EQ(abort_iss(t.fault), 0x40u | (0x0Cu + uint32_t(c.level)));
  }
}

TEST_F(Stage1Walk, Ap00DeniesEl0AndAp01GrantsEl0ButForbidsPrivilegedExecution) {
  chain(page_desc(kPage, ap(desc::AP_RW_EL1)));
  EXPECT_TRUE(tr(kVa, AccessType::Read, El::EL1).ok());
  TranslateResult t = tr(kVa, AccessType::Read, El::EL0);
  EXPECT_EQ(t.fault.type, FaultType::Permission);
  EXPECT_EQ(t.fault.target_el, El::EL1);
  EXPECT_EQ(abort_ec(t.fault), 0x24u);  // from EL0 to EL1
  mmu.tlb().clear();
  chain(page_desc(kPage, ap(desc::AP_RW_ALL)));
  EXPECT_TRUE(tr(kVa, AccessType::Write, El::EL0).ok());
  EXPECT_TRUE(tr(kVa, AccessType::Execute, El::EL0).ok());
  t = tr(kVa, AccessType::Execute, El::EL1);
  EXPECT_EQ(t.fault.type, FaultType::Permission);
  EXPECT_EQ(abort_ec(t.fault), 0x21u);
}

TEST_F(Stage1Walk, Ap11IsReadOnlyForEveryone) {
  chain(page_desc(kPage, ap(desc::AP_RO_ALL)));
  EXPECT_TRUE(tr(kVa, AccessType::Read, El::EL0).ok());
  EXPECT_FALSE(tr(kVa, AccessType::Write, El::EL0).ok());
  EXPECT_FALSE(tr(kVa, AccessType::Write, El::EL1).ok());
}

TEST_F(Stage1Walk, UxnAndPxnForbidExecutionAtEl0AndEl1) {
  chain(page_desc(kPage, ap(desc::AP_RO_ALL) | 1ull << desc::UXN));
  EXPECT_FALSE(tr(kVa, AccessType::Execute, El::EL0).ok());
  EXPECT_TRUE(tr(kVa, AccessType::Execute, El::EL1).ok());
  mmu.tlb().clear();
  chain(page_desc(kPage, ap(desc::AP_RO_ALL) | 1ull << desc::PXN));
  EXPECT_TRUE(tr(kVa, AccessType::Execute, El::EL0).ok());
  EXPECT_FALSE(tr(kVa, AccessType::Execute, El::EL1).ok());
}

TEST_F(Stage1Walk, SctlrWxnMakesWritableMemoryExecuteNever) {
  chain(page_desc(kPage));
  r.sctlr_el1 |= sctlr::WXN;
  EXPECT_FALSE(tr(kVa, AccessType::Execute, El::EL1).ok());
}

TEST_F(Stage1Walk, ApTableAndXnTableRestrictEveryLevelBelow) {
  chain(page_desc(kPage, ap(desc::AP_RW_ALL)));
  put(kL1, 1, table_desc(kL2) | 1ull << 62);  // APTable[1]: read-only below
  EXPECT_TRUE(tr(kVa, AccessType::Read, El::EL0).ok());
  EXPECT_FALSE(tr(kVa, AccessType::Write, El::EL1).ok());
  mmu.tlb().clear();
  put(kL1, 1, table_desc(kL2) | 1ull << 61);  // APTable[0]: no EL0 access below
  EXPECT_FALSE(tr(kVa, AccessType::Read, El::EL0).ok());
  EXPECT_TRUE(tr(kVa, AccessType::Write, El::EL1).ok());
  mmu.tlb().clear();
  chain(page_desc(kPage, ap(desc::AP_RO_ALL)));
  put(kL1, 1, table_desc(kL2) | 1ull << desc::XN_TABLE);
  EXPECT_FALSE(tr(kVa, AccessType::Execute, El::EL0).ok());
  EXPECT_TRUE(tr(kVa, AccessType::Execute, El::EL1).ok());
}

// ---------------------------------------------------------------------------------------------
// Attributes, security, regimes

TEST_F(Stage1Walk, AttrIndxSelectsTheMairByte) {
  chain(page_desc(kPage, 1ull << desc::ATTR_INDX_LO));
  TranslateResult t = tr(kVa);
  EXPECT_EQ(t.attrs.type, MemType::Device);
  EXPECT_EQ(t.attrs.device, DeviceType::nGnRE);
  mmu.tlb().clear();
  chain(page_desc(kPage, desc::SH_ISH << desc::SH_LO));
  t = tr(kVa);
  EXPECT_EQ(t.attrs, MemAttrs::normal_wb(Shareability::ISH));
}

TEST_F(Stage1Walk, InSecureEl1TheNsBitAndNsTableSelectTheNonSecurePaSpace) {
  r.scr_el3 = scr::RES1 | scr::RW;  // Secure, no S-EL2: stage 1 outputs PAs
  chain(page_desc(kPage), S);
  TranslateResult t = tr(kVa);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.pa_space, S);
  mmu.tlb().clear();
  put(kL3, 1, page_desc(kPage, 1ull << desc::NS), S);
  EXPECT_EQ(tr(kVa).pa_space, NS);
  // NSTable at level 1: levels 2 and 3 are read from the Non-secure PA space, output NS.
  mmu.tlb().clear();
  put(kL1, 1, table_desc(kL2) | 1ull << desc::NS_TABLE, S);
  put(kL2, 1, table_desc(0x30000), NS);
  put(0x30000, 1, page_desc(0x90000000), NS);
  t = tr(kVa);
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_EQ(t.pa, PA(0x90000234));
  EXPECT_EQ(t.pa_space, NS);
}

TEST_F(Stage1Walk, InNonSecureStateTheNsBitIsIgnoredAndOutputIsAlwaysNonSecure) {
  chain(page_desc(kPage));  // NS = 0
  EXPECT_EQ(tr(kVa).pa_space, NS);
}

TEST_F(Stage1Walk, TheEl3RegimeUsesTtbr0El3AndItsFaultsStayAtEl3) {
  r.sctlr_el3 = sctlr::M;
  r.tcr_el3 = 16 | (5ull << tcr::PS_LO);
  r.ttbr0_el3 = kL0;
  r.mair_el3 = 0xFF;
  chain(page_desc(kPage, ap(desc::AP_RO_EL1)), S);
  EXPECT_TRUE(tr(kVa, AccessType::Read, El::EL3).ok());
  const TranslateResult t = tr(kVa, AccessType::Write, El::EL3);
  EXPECT_EQ(t.fault.type, FaultType::Permission);
  EXPECT_EQ(t.fault.target_el, El::EL3);
  EXPECT_EQ(abort_ec(t.fault), 0x25u);
}

TEST_F(Stage1Walk, TheEl2RegimeHasOneVaRangeAndTakesItsFaultsToEl2) {
  r.sctlr_el2 = sctlr::M;
  r.tcr_el2 = 16 | (5ull << tcr::PS_LO);
  r.ttbr0_el2 = kL0;
  chain(page_desc(kPage));
  EXPECT_TRUE(tr(kVa, AccessType::Read, El::EL2).ok());
  const TranslateResult t = tr(0xFFFF800000000000ull, AccessType::Read, El::EL2);
  EXPECT_EQ(t.fault.type, FaultType::Translation);
  EXPECT_EQ(t.fault.level, 0);
  EXPECT_EQ(t.fault.target_el, El::EL2);
}

TEST_F(Stage1Walk, ABusErrorOnADescriptorIsAnExternalAbortOnTheWalkAtThatLevel) {
  const uint64_t tables[] = {kL0, kL1, kL2, kL3};
  chain(page_desc(kPage));
  for (int level = 0; level <= 3; ++level) {
    MapMemory m;  // a copy of the chain with one word that fails
    for (uint64_t t : tables) m.write64(PA(t + 8), NS, mem.peek(PA(t + 8), NS));
    m.set_bus_error(PA(tables[level] + 8), NS);
    Mmu walker(cfg, m);
    const TranslateResult t = walker.translate(r, {VA(kVa), AccessType::Read, El::EL1});
    EXPECT_EQ(t.fault.type, FaultType::ExternalAbortOnWalk) << "level " << level;
    EXPECT_EQ(t.fault.level, level);
    EXPECT_EQ(fault_status_code(t.fault), 0x14u + uint32_t(level));
    EXPECT_EQ(t.fault.target_el, El::EL1);
  }
}

TEST_F(Stage1Walk, ScrEl3EaRoutesAnExternalAbortOnTheWalkToEl3) {
  chain(page_desc(kPage));
  mem.set_bus_error(PA(kL2 + 8), NS);
  r.scr_el3 |= scr::EA;
  const TranslateResult t = tr(kVa);
  EXPECT_EQ(t.fault.type, FaultType::ExternalAbortOnWalk);
  EXPECT_EQ(t.fault.target_el, El::EL3);
}

}  // namespace
}  // namespace ffasim::sim::mmu
