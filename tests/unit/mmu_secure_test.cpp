// FEAT_SEL2: the Secure EL1&0 regime's two IPA spaces. Stage 1's NS bit picks the IPA space;
// the Secure one is translated by VSTTBR_EL2/VSTCR_EL2, the Non-secure one by VTTBR_EL2/VTCR_EL2;
// VSTCR_EL2.SW / VTCR_EL2.NSW pick the PA space the stage-2 tables are read from, and SA/SW/
// NSA/NSW the PA space of the output. Facts: ../shared/reference/armv8-gicv3-mmu.md s3.2, s3.8.
#include "sim/mmu_s2/mmu.h"

#include <gtest/gtest.h>

#include <memory>

#include "sim/mmu_s2/page_tables.h"

namespace ffasim::sim::mmu {
namespace {

constexpr Security S = Security::Secure;
constexpr Security NS = Security::NonSecure;
constexpr uint64_t AF = 1ull << desc::AF;

constexpr uint64_t kS1Table = 0x100000;  // IPA (Secure IPA space) = PA of the stage-1 table
constexpr uint64_t kSecureIpa = 0x40000000, kSecurePa = 0x70000000;   // VA 1 GiB
constexpr uint64_t kNsIpa = 0x80000000, kNsPa = 0x71000000;           // VA 2 GiB

class SecureStage2 : public ::testing::Test {
 protected:
  void SetUp() override {
    r.scr_el3 = scr::RES1 | scr::RW | scr::EEL2;  // Secure state, S-EL2 implemented
    r.hcr_el2 = hcr::VM;
    r.sctlr_el1 = sctlr::M;
    r.tcr_el1 = 25 | (5ull << 32) | (1ull << tcr::EPD1);  // 39-bit VA: one level-1 table
    r.mair_el1 = 0xFF;
    r.ttbr0_el1 = kS1Table;
    // Stage 1: VA 1 GiB -> Secure IPA space; VA 2 GiB -> Non-secure IPA space (NS = 1).
    // The table is written to both PA spaces, wherever stage 2 puts it.
    for (Security s : {S, NS}) {
      mem.write64(PA(kS1Table + 1 * 8), s, kSecureIpa | desc::TYPE_BLOCK | AF);
      mem.write64(PA(kS1Table + 2 * 8), s, kNsIpa | desc::TYPE_BLOCK | AF | 1ull << desc::NS);
    }
  }
  // The Secure IPA space's stage 2, its tables in `tables` PA space.
  void secure_s2(Security tables, uint64_t vstcr_bits) {
    const TableFormat f = stage2_format(40, Granule::K4, tables, cfg);
    secure_ = std::make_unique<Stage2Tables>(mem, alloc_, f);
    ASSERT_EQ(secure_->init(), MapStatus::Ok);
    ASSERT_EQ(secure_->map(IPA(kS1Table), PA(kS1Table), 0x1000, Stage2Attrs::normal_rw()), MapStatus::Ok);
    ASSERT_EQ(secure_->map(IPA(kSecureIpa), PA(kSecurePa), 0x1000, Stage2Attrs::normal_rw()), MapStatus::Ok);
    r.vsttbr_el2 = secure_->root().value();
    r.vstcr_el2 = vtcr::RES1 | stage2_walk_fields(f) | vstcr_bits;
  }
  // The Non-secure IPA space's stage 2, its tables in `tables` PA space.
  void ns_s2(Security tables, uint64_t vtcr_bits) {
    const TableFormat f = stage2_format(40, Granule::K4, tables, cfg);
    ns_ = std::make_unique<Stage2Tables>(mem, alloc_, f);
    ASSERT_EQ(ns_->init(), MapStatus::Ok);
    ASSERT_EQ(ns_->map(IPA(kNsIpa), PA(kNsPa), 0x1000, Stage2Attrs::normal_rw()), MapStatus::Ok);
    r.vttbr_el2 = make_ttbr(ns_->root().value(), 3);
    r.vtcr_el2 = vtcr::RES1 | stage2_walk_fields(f) | (5ull << vtcr::PS_LO) | vtcr_bits;
  }
  TranslateResult tr(uint64_t va) {
    mmu.tlb().clear();
    return mmu.translate(r, {VA(va), AccessType::Read, El::EL1});
  }

  MapMemory mem;
  MmuConfig cfg;
  Mmu mmu{cfg, mem};
  MmuRegs r;
  PoolAllocator alloc_{0x200000, 0x100000};
  std::unique_ptr<Stage2Tables> secure_, ns_;
};

constexpr uint64_t SA = 1ull << vtcr::SA, SW = 1ull << vtcr::SW;
constexpr uint64_t NSA = 1ull << vtcr::NSA, NSW = 1ull << vtcr::NSW;

TEST_F(SecureStage2, TheSecureIpaSpaceWalksVsttbrTablesInSecurePaAndOutputsSecurePa) {
  secure_s2(S, 0);
  ns_s2(S, 0);
  const TranslateResult t = tr(0x40000000);
  ASSERT_TRUE(t.ok()) << name(t.fault.type) << " stage " << t.fault.stage;
  EXPECT_EQ(t.ipa, IPA(kSecureIpa));
  EXPECT_EQ(t.ipa_space, S);
  EXPECT_EQ(t.pa, PA(kSecurePa));
  EXPECT_EQ(t.pa_space, S);
}

TEST_F(SecureStage2, VstcrSaOutputsTheSecureIpaSpaceToNonSecurePa) {
  secure_s2(S, SA);
  ns_s2(S, 0);
  const TranslateResult t = tr(0x40000000);
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_EQ(t.pa, PA(kSecurePa));
  EXPECT_EQ(t.pa_space, NS);
}

TEST_F(SecureStage2, VstcrSwReadsTheTablesFromNonSecurePaAndActsAsSa) {
  secure_s2(NS, SW);  // tables only in the Non-secure PA space; SA = 0 behaves as 1
  ns_s2(S, 0);
  const TranslateResult t = tr(0x40000000);
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_EQ(t.pa_space, NS);
  // The same tables read from the Secure PA space are empty: with SW = 0 the walk faults.
  r.vstcr_el2 &= ~SW;
  const TranslateResult bad = tr(0x40000000);
  EXPECT_EQ(bad.fault.type, FaultType::Translation);
  EXPECT_TRUE(bad.fault.s1ptw);  // the stage-1 table's IPA is the first to miss
}

TEST_F(SecureStage2, TheNonSecureIpaSpaceWalksVttbrAndOutputsSecurePaWhenNsaAndNswAreClear) {
  secure_s2(S, 0);
  ns_s2(S, 0);
  const TranslateResult t = tr(0x80000000);
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_EQ(t.ipa, IPA(kNsIpa));
  EXPECT_EQ(t.ipa_space, NS);
  EXPECT_EQ(t.pa, PA(kNsPa));
  EXPECT_EQ(t.pa_space, S);  // s3.8: NS IPA, NSA = NSW = 0 -> Secure PA
}

TEST_F(SecureStage2, VtcrNsaOutputsTheNonSecureIpaSpaceToNonSecurePa) {
  secure_s2(S, 0);
  ns_s2(S, NSA);  // Hafnium's setting
  const TranslateResult t = tr(0x80000000);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.pa_space, NS);
}

TEST_F(SecureStage2, VtcrNswReadsTheNonSecureIpaSpaceTablesFromNonSecurePa) {
  secure_s2(S, 0);
  ns_s2(NS, NSW);
  const TranslateResult t = tr(0x80000000);
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_EQ(t.pa_space, NS);
  r.vtcr_el2 &= ~NSW;
  EXPECT_EQ(tr(0x80000000).fault.type, FaultType::Translation);
}

TEST_F(SecureStage2, VstcrSaAlsoSendsTheNonSecureIpaSpaceToNonSecurePaInQemusReading) {
  secure_s2(S, SA);
  ns_s2(S, 0);
  EXPECT_EQ(tr(0x80000000).pa_space, NS);  // [DIVERGENCE] s3.8, last row
}

TEST_F(SecureStage2, HpfarNsTellsWhichIpaSpaceFaulted) {
  secure_s2(S, 0);
  ns_s2(S, NSA);
  TranslateResult t = tr(0x80001000);  // Non-secure IPA 0x80001000: unmapped
  EXPECT_EQ(t.fault.type, FaultType::Translation);
  EXPECT_EQ(t.fault.stage, 2u);
  EXPECT_EQ(t.fault.ipa_space, NS);
  EXPECT_EQ(hpfar_el2(t.fault), (1ull << 63) | (0x80001ull << 4));
  t = tr(0x40001000);  // Secure IPA 0x40001000: unmapped
  EXPECT_EQ(t.fault.ipa_space, S);
  EXPECT_EQ(hpfar_el2(t.fault), 0x40001ull << 4);
}

TEST_F(SecureStage2, InNonSecureStateEveryStage2AccessAndOutputIsNonSecure) {
  r.scr_el3 = scr::RES1 | scr::RW | scr::NS;
  ns_s2(NS, 0);  // NSA = NSW = 0 behave as 1 in Non-secure state
  // Stage 1 off: the VA is an IPA of the (only) Non-secure IPA space.
  r.sctlr_el1 = 0;
  const TranslateResult t = tr(kNsIpa);
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_EQ(t.pa, PA(kNsPa));
  EXPECT_EQ(t.pa_space, NS);
}

TEST(MmuPaSpaces, TheOutputSpaceTableOfSection3_8) {
  struct Row { Security ipa; uint64_t vstcr, vtcr; Security out; };
  const Row rows[] = {{S, 0, 0, S},      {S, 0, NSA, S},   {S, SA, 0, NS},  {S, SW, 0, NS},
                      {NS, 0, 0, S},     {NS, 0, NSA, NS}, {NS, 0, NSW, NS}, {NS, SA, 0, NS}};
  for (const Row& row : rows) {
    MmuRegs r;
    r.vstcr_el2 = row.vstcr;
    r.vtcr_el2 = row.vtcr;
    EXPECT_EQ(stage2_output_space(r, S, row.ipa), row.out)
        << "IPA space " << name(row.ipa) << " VSTCR " << row.vstcr << " VTCR " << row.vtcr;
    EXPECT_EQ(stage2_output_space(r, NS, row.ipa), NS);
  }
  MmuRegs r;
  r.vstcr_el2 = SW;
  EXPECT_EQ(stage2_walk_space(r, S, S), NS);
  EXPECT_EQ(stage2_walk_space(r, S, NS), S);
  r.vtcr_el2 = NSW;
  EXPECT_EQ(stage2_walk_space(r, S, NS), NS);
}

}  // namespace
}  // namespace ffasim::sim::mmu
