// The CPU interface: priority mask, binary point, running priority and preemption (sheet 2.9),
// acknowledge / EOI / deactivate with both EOImodes and the special INTIDs (2.10), the
// ICC_CTLR/IGRPEN/SRE bit layouts and banking, and the ICC_* system register table with its
// access rules (2.6). Pure logic: no SystemC.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>

#include "tests/unit/gic_fixture.h"

namespace ffasim::sim::gic {
namespace {

using namespace testing;
constexpr Group G0 = Group::G0, G1S = Group::G1S, G1NS = Group::G1NS;

// ---------------------------------------------------------------------------------------------
// Priority mask and binary point

TEST(GicPriority, OnlyPrioritiesStrictlyBelowThePmrAreSignalled) {
  GicState s = ready_gic(1);
  configure(s, 0, 40, G1NS, 0x80);
  make_pending(s, 0, 40);
  s.cpu[0].icc.icc_pmr_el1 = 0x80;
  gic_update(s);
  EXPECT_FALSE(s.cpu[0].irq);
  s.cpu[0].icc.icc_pmr_el1 = 0x88;
  gic_update(s);
  EXPECT_TRUE(s.cpu[0].irq);
}

TEST(GicPriority, PmrResetsToZeroSoEverythingIsMasked) {
  GicState s = make_gic_state(config(1));
  EXPECT_EQ(s.cpu[0].icc.icc_pmr_el1, 0);
}

TEST(GicPriority, FiveImplementedBitsGiveThirtyTwoLevelsInPmrAndPriorityRegisters) {
  GicState s = ready_gic(1);
  set_pe(s, 0, el3());
  icc_pmr_write(s, 0, 0xFF);
  EXPECT_EQ(icc_pmr_read(s, 0), 0xF8u);
  uint64_t v = 0;
  ASSERT_TRUE(gicd_write(s, gicd::IPRIORITYR + 40, 1, Security::Secure, 0x47));
  ASSERT_TRUE(gicd_read(s, gicd::IPRIORITYR + 40, 1, Security::Secure, v));
  EXPECT_EQ(v, 0x40u);
}

TEST(GicPriority, Bpr0AndSecureBpr1KeepBitsSevenToNPlusOne) {
  GicState s = ready_gic(1);
  for (unsigned n = 2; n <= 7; ++n) {
    s.cpu[0].icc.icc_bpr = {uint8_t(n), uint8_t(n), 7};
    const uint8_t want = uint8_t(0xFFu << (n + 1));
    EXPECT_EQ(icc_gprio_mask(s, 0, G0), want) << "BPR0 = " << n;
    EXPECT_EQ(icc_gprio_mask(s, 0, G1S), want) << "Secure BPR1 = " << n;
  }
}

TEST(GicPriority, NonSecureBpr1KeepsBitsSevenToN) {
  GicState s = ready_gic(1);
  for (unsigned n = 3; n <= 7; ++n) {
    s.cpu[0].icc.icc_bpr[int(G1NS)] = uint8_t(n);
    EXPECT_EQ(icc_gprio_mask(s, 0, G1NS), uint8_t(0xFFu << n)) << "NS BPR1 = " << n;
  }
}

TEST(GicPriority, BinaryPointsCannotGoBelowTheCortexMinimaTwoAndThree) {
  GicState s = ready_gic(1);
  icc_bpr_write(s, 0, false, 0);  // NS EL1: BPR0
  icc_bpr_write(s, 0, true, 0);   // NS EL1: NS BPR1
  EXPECT_EQ(icc_bpr_read(s, 0, false), 2u);
  EXPECT_EQ(icc_bpr_read(s, 0, true), 3u);
}

TEST(GicPriority, CbprMakesBpr0GovernGroup1) {
  GicState s = ready_gic(1);
  s.cpu[0].icc.icc_bpr = {5, 2, 3};
  set_pe(s, 0, el3());
  icc_ctlr_el3_write(s, 0, icc_ctlr_el3::CBPR_EL1NS);
  EXPECT_EQ(icc_gprio_mask(s, 0, G1NS), 0xC0);  // BPR0 = 5: bits [7:6]
  set_pe(s, 0, ns_el1());
  EXPECT_EQ(icc_bpr_read(s, 0, true), 6u);  // NS BPR1 reads BPR0 + 1
}

// ---------------------------------------------------------------------------------------------
// Running priority and preemption

// Acknowledges INTID `id` (configured G1NS at `prio`) on PE 0 at NS EL1.
void acknowledge(GicState& s, uint32_t id, uint8_t prio) {
  configure(s, 0, id, G1NS, prio);
  make_pending(s, 0, id);
  ASSERT_EQ(icc_iar_read(s, 0, true), id);
}

TEST(GicPreemption, RunningPriorityIsIdleUntilAnInterruptIsAcknowledged) {
  GicState s = ready_gic(1);
  EXPECT_EQ(icc_rpr_read(s, 0), 0xFFu);
  acknowledge(s, 40, 0x88);
  EXPECT_EQ(icc_rpr_read(s, 0), 0x88u);
}

TEST(GicPreemption, RunningPriorityIsTheGroupPriorityOfTheActiveInterrupt) {
  GicState s = ready_gic(1);
  s.cpu[0].icc.icc_bpr[int(G1NS)] = 4;  // group priority bits [7:4]
  acknowledge(s, 40, 0x98);
  EXPECT_EQ(icc_rpr_read(s, 0), 0x90u);
}

TEST(GicPreemption, AHigherGroupPriorityPreemptsTheRunningInterrupt) {
  GicState s = ready_gic(1);
  acknowledge(s, 40, 0x80);
  EXPECT_FALSE(s.cpu[0].irq);
  configure(s, 0, 41, G1NS, 0x40);
  make_pending(s, 0, 41);
  EXPECT_TRUE(s.cpu[0].irq);
  EXPECT_EQ(icc_iar_read(s, 0, true), 41u);
  EXPECT_EQ(icc_rpr_read(s, 0), 0x40u);
}

TEST(GicPreemption, AnEqualOrLowerPriorityWaitsForTheRunningOne) {
  GicState s = ready_gic(1);
  acknowledge(s, 40, 0x80);
  configure(s, 0, 41, G1NS, 0x80);
  configure(s, 0, 42, G1NS, 0x90);
  make_pending(s, 0, 41);
  make_pending(s, 0, 42);
  EXPECT_FALSE(s.cpu[0].irq);
  EXPECT_EQ(icc_iar_read(s, 0, true), INTID_SPURIOUS);
}

TEST(GicPreemption, SubpriorityDoesNotPreempt) {
  GicState s = ready_gic(1);
  s.cpu[0].icc.icc_bpr[int(G1NS)] = 5;  // group priority bits [7:5]
  acknowledge(s, 40, 0x98);             // group priority 0x80
  configure(s, 0, 41, G1NS, 0x80);      // same group priority, better subpriority
  make_pending(s, 0, 41);
  EXPECT_FALSE(s.cpu[0].irq);
  configure(s, 0, 42, G1NS, 0x60);      // group priority 0x60
  make_pending(s, 0, 42);
  EXPECT_TRUE(s.cpu[0].irq);
}

TEST(GicPreemption, NonSecureSoftwareSeesTheShiftedViewOfPmrAndRprWhenScrFiqIsSet) {
  GicState s = ready_gic(1);
  set_pe(s, 0, el3());
  icc_pmr_write(s, 0, 0xF0);
  set_pe(s, 0, pe_at(El::EL1, true, scr::FIQ));
  EXPECT_EQ(icc_pmr_read(s, 0), 0xE0u);  // (0xF0 << 1) & 0xFF
  icc_pmr_write(s, 0, 0x80);
  EXPECT_EQ(s.cpu[0].icc.icc_pmr_el1, 0xC0);  // (0x80 >> 1) | 0x80
  set_pe(s, 0, el3());
  icc_pmr_write(s, 0, 0x40);  // Secure half
  set_pe(s, 0, pe_at(El::EL1, true, scr::FIQ));
  EXPECT_EQ(icc_pmr_read(s, 0), 0u);
  icc_pmr_write(s, 0, 0xFF);
  EXPECT_EQ(s.cpu[0].icc.icc_pmr_el1, 0x40);  // NS may not lift a Secure mask
}

// ---------------------------------------------------------------------------------------------
// Acknowledge, EOI, deactivate

TEST(GicEoi, WithEoiModeZeroEoirDropsPriorityAndDeactivates) {
  GicState s = ready_gic(1);
  acknowledge(s, 40, 0xA0);
  EXPECT_TRUE(get(s, 0, 40, IrqBit::Active));
  EXPECT_FALSE(get(s, 0, 40, IrqBit::Pending));
  icc_eoir_write(s, 0, true, 40);
  EXPECT_EQ(icc_rpr_read(s, 0), 0xFFu);
  EXPECT_FALSE(get(s, 0, 40, IrqBit::Active));
}

TEST(GicEoi, WithEoiModeOneEoirOnlyDropsPriorityAndDirDeactivates) {
  GicState s = ready_gic(1);
  icc_ctlr_el1_write(s, 0, icc_ctlr_el1::EOImode);
  acknowledge(s, 40, 0xA0);
  configure(s, 0, 41, G1NS, 0xB0);
  make_pending(s, 0, 41);
  EXPECT_FALSE(s.cpu[0].irq);  // 0xB0 cannot preempt 0xA0
  icc_eoir_write(s, 0, true, 40);
  EXPECT_EQ(icc_rpr_read(s, 0), 0xFFu);
  EXPECT_TRUE(get(s, 0, 40, IrqBit::Active));
  EXPECT_TRUE(s.cpu[0].irq);  // the priority drop lets 41 in
  icc_dir_write(s, 0, 40);
  EXPECT_FALSE(get(s, 0, 40, IrqBit::Active));
}

TEST(GicEoi, DirIsIgnoredWithEoiModeZero) {
  GicState s = ready_gic(1);
  acknowledge(s, 40, 0xA0);
  icc_dir_write(s, 0, 40);
  EXPECT_TRUE(get(s, 0, 40, IrqBit::Active));
}

TEST(GicEoi, El3UsesEoiModeEl3FromIccCtlrEl3) {
  GicState s = ready_gic(1);
  set_pe(s, 0, el3());
  icc_ctlr_el3_write(s, 0, icc_ctlr_el3::EOImode_EL3);
  configure(s, 0, 50, G0, 0x10);
  make_pending(s, 0, 50);
  ASSERT_EQ(icc_iar_read(s, 0, false), 50u);
  icc_eoir_write(s, 0, false, 50);
  EXPECT_TRUE(get(s, 0, 50, IrqBit::Active));
  icc_dir_write(s, 0, 50);
  EXPECT_FALSE(get(s, 0, 50, IrqBit::Active));
}

TEST(GicEoi, SecureEl2DeactivatesASecureGroup1InterruptWithDirAsHafniumDoes) {
  GicState s = ready_gic(1);
  set_pe(s, 0, s_el2());
  icc_ctlr_el1_write(s, 0, icc_ctlr_el1::EOImode);  // Secure bank
  configure(s, 0, 60, G1S, 0x20);
  make_pending(s, 0, 60);
  EXPECT_TRUE(s.cpu[0].irq);
  ASSERT_EQ(icc_iar_read(s, 0, true), 60u);
  icc_eoir_write(s, 0, true, 60);
  icc_dir_write(s, 0, 60);
  EXPECT_FALSE(get(s, 0, 60, IrqBit::Active));
}

TEST(GicEoi, WritesOfSpecialIntidsAreIgnored) {
  GicState s = ready_gic(1);
  acknowledge(s, 40, 0xA0);
  icc_eoir_write(s, 0, true, INTID_SPURIOUS);
  EXPECT_EQ(icc_rpr_read(s, 0), 0xA0u);
  EXPECT_TRUE(get(s, 0, 40, IrqBit::Active));
}

TEST(GicEoi, AnEoiOfTheWrongGroupIsIgnored) {
  GicState s = ready_gic(1);
  acknowledge(s, 40, 0xA0);
  icc_eoir_write(s, 0, false, 40);  // EOIR0 for a Group 1 interrupt
  EXPECT_EQ(icc_rpr_read(s, 0), 0xA0u);
}

TEST(GicAcknowledge, NothingPendingReadsSpurious) {
  GicState s = ready_gic(1);
  EXPECT_EQ(icc_iar_read(s, 0, true), INTID_SPURIOUS);
  EXPECT_EQ(icc_iar_read(s, 0, false), INTID_SPURIOUS);
}

TEST(GicAcknowledge, El3ReadsTenTwentyForAPendingSecureGroup1InterruptAndLeavesItPending) {
  GicState s = ready_gic(1);
  set_pe(s, 0, el3());
  configure(s, 0, 70, G1S, 0x20);
  make_pending(s, 0, 70);
  EXPECT_EQ(icc_hppir_read(s, 0, false), INTID_SECURE);
  EXPECT_EQ(icc_iar_read(s, 0, false), INTID_SECURE);
  EXPECT_TRUE(irq_pending(s, 0, 70));
  EXPECT_FALSE(get(s, 0, 70, IrqBit::Active));
}

TEST(GicAcknowledge, El3ReadsTenTwentyOneForAPendingNonSecureGroup1Interrupt) {
  GicState s = ready_gic(1);
  set_pe(s, 0, el3());
  configure(s, 0, 71, G1NS, 0x90);
  make_pending(s, 0, 71);
  EXPECT_EQ(icc_iar_read(s, 0, false), INTID_NONSECURE);
}

TEST(GicAcknowledge, SecureEl1AndEl2ReadSpuriousFromIar1WhenTheHppiIsNonSecure) {
  for (PeInputs pe : {s_el1(), s_el2()}) {
    GicState s = ready_gic(1);
    set_pe(s, 0, pe);
    configure(s, 0, 72, G1NS, 0x90);
    make_pending(s, 0, 72);
    EXPECT_EQ(icc_iar_read(s, 0, true), INTID_SPURIOUS);
  }
}

TEST(GicAcknowledge, NonSecureEl1ReadsSpuriousFromIar1WhenTheHppiIsSecure) {
  GicState s = ready_gic(1);
  configure(s, 0, 73, G1S, 0x10);
  make_pending(s, 0, 73);
  EXPECT_EQ(icc_iar_read(s, 0, true), INTID_SPURIOUS);
  EXPECT_TRUE(s.cpu[0].fiq);  // it is signalled as FIQ for EL3 to hand over
}

// ---------------------------------------------------------------------------------------------
// Bit layouts and banking (section 2.6)

TEST(GicIccCtlr, El1FieldsSitWhereTheSheetPutsThem) {
  GicState s = ready_gic(1);
  const uint64_t v = icc_ctlr_el1_read(s, 0);
  EXPECT_EQ((v >> 8) & 7, 4u);    // PRIbits [10:8] = bits - 1
  EXPECT_EQ((v >> 11) & 7, 0u);   // IDbits [13:11]: 16 bits
  EXPECT_EQ((v >> 14) & 1, 0u);   // SEIS
  EXPECT_EQ((v >> 15) & 1, 1u);   // A3V
  EXPECT_EQ((v >> 18) & 1, 1u);   // RSS
  icc_ctlr_el1_write(s, 0, 0x3);  // CBPR [0] is read-only with two security states
  EXPECT_EQ(icc_ctlr_el1_read(s, 0) & 3, 2u);  // EOImode [1]
}

TEST(GicIccCtlr, El3FieldsAliasTheTwoEl1Banks) {
  GicState s = ready_gic(1);
  set_pe(s, 0, el3());
  icc_ctlr_el3_write(s, 0, icc_ctlr_el3::EOImode_EL1NS | icc_ctlr_el3::CBPR_EL1S);
  EXPECT_EQ(s.cpu[0].icc.icc_ctlr_el1[1] & 3, icc_ctlr_el1::EOImode);  // NS bank
  EXPECT_EQ(s.cpu[0].icc.icc_ctlr_el1[0] & 3, icc_ctlr_el1::CBPR);     // Secure bank
  const uint64_t v = icc_ctlr_el3_read(s, 0);
  EXPECT_EQ(v & 0x1F, (1u << 4) | (1u << 0));  // EOImode_EL1NS [4], CBPR_EL1S [0]
  EXPECT_EQ((v >> 8) & 7, 4u);                 // PRIbits
  EXPECT_EQ((v >> 15) & 1, 1u);                // A3V
  set_pe(s, 0, s_el1());
  icc_ctlr_el1_write(s, 0, icc_ctlr_el1::EOImode);
  EXPECT_EQ(icc_ctlr_el3_read(s, 0) & (1u << 3), 1u << 3);  // EOImode_EL1S [3]
}

TEST(GicIgrpen, Igrpen1El3BitZeroIsNonSecureAndBitOneIsSecureGroup1) {
  GicState s = make_gic_state(config(1));
  icc_igrpen1_el3_write(s, 0, 0b01);
  EXPECT_TRUE(s.cpu[0].icc.icc_igrpen[int(G1NS)]);
  EXPECT_FALSE(s.cpu[0].icc.icc_igrpen[int(G1S)]);
  icc_igrpen1_el3_write(s, 0, 0b10);
  EXPECT_FALSE(s.cpu[0].icc.icc_igrpen[int(G1NS)]);
  EXPECT_TRUE(s.cpu[0].icc.icc_igrpen[int(G1S)]);
  EXPECT_EQ(icc_igrpen1_el3_read(s, 0), 0b10u);
}

TEST(GicIgrpen, El3WithScrNsSetReachesTheNonSecureBankAsTfaDoes) {
  GicState s = make_gic_state(config(1));
  s.cpu[0].pe = pe_at(El::EL3, true);
  icc_igrpen_write(s, 0, true, 1);
  EXPECT_TRUE(s.cpu[0].icc.icc_igrpen[int(G1NS)]);
  EXPECT_FALSE(s.cpu[0].icc.icc_igrpen[int(G1S)]);
  s.cpu[0].pe = el3();
  icc_igrpen_write(s, 0, true, 1);
  EXPECT_TRUE(s.cpu[0].icc.icc_igrpen[int(G1S)]);
}

TEST(GicSre, SreIsReadAsOneAtEveryLevelAndIgnoresWrites) {
  Gic gic(config(1), GicTiming{});
  gic.set_pe(0, el3(), 0);
  uint64_t v = 0;
  ASSERT_EQ(gic.sysreg_write(0, *find_icc_register("ICC_SRE_EL3"), 0, 0), SysregAccess::Ok);
  ASSERT_EQ(gic.sysreg_read(0, *find_icc_register("ICC_SRE_EL3"), v, 0), SysregAccess::Ok);
  EXPECT_EQ(v, icc_sre::SRE | icc_sre::DFB | icc_sre::DIB | icc_sre::Enable);
  EXPECT_EQ(v, 0xFu);  // SRE [0], DFB [1], DIB [2], Enable [3]
  ASSERT_EQ(gic.sysreg_read(0, *find_icc_register("ICC_SRE_EL1"), v, 0), SysregAccess::Ok);
  EXPECT_EQ(v & icc_sre::SRE, 1u);
}

// ---------------------------------------------------------------------------------------------
// The system register table

std::string encoding_name(const IccReg& r) {
  char b[32];
  std::snprintf(b, sizeof b, "S%u_%u_C%u_C%u_%u", r.op0, r.op1, r.crn, r.crm, r.op2);
  return b;
}

TEST(GicSysregTable, EveryEncodingMatchesTheSheet) {
  const std::pair<const char*, const char*> want[] = {
      {"ICC_PMR_EL1", "S3_0_C4_C6_0"},     {"ICC_IAR0_EL1", "S3_0_C12_C8_0"},
      {"ICC_EOIR0_EL1", "S3_0_C12_C8_1"},  {"ICC_HPPIR0_EL1", "S3_0_C12_C8_2"},
      {"ICC_BPR0_EL1", "S3_0_C12_C8_3"},   {"ICC_AP0R0_EL1", "S3_0_C12_C8_4"},
      {"ICC_AP0R1_EL1", "S3_0_C12_C8_5"},  {"ICC_AP0R2_EL1", "S3_0_C12_C8_6"},
      {"ICC_AP0R3_EL1", "S3_0_C12_C8_7"},  {"ICC_AP1R0_EL1", "S3_0_C12_C9_0"},
      {"ICC_AP1R1_EL1", "S3_0_C12_C9_1"},  {"ICC_AP1R2_EL1", "S3_0_C12_C9_2"},
      {"ICC_AP1R3_EL1", "S3_0_C12_C9_3"},  {"ICC_DIR_EL1", "S3_0_C12_C11_1"},
      {"ICC_RPR_EL1", "S3_0_C12_C11_3"},   {"ICC_SGI1R_EL1", "S3_0_C12_C11_5"},
      {"ICC_ASGI1R_EL1", "S3_0_C12_C11_6"}, {"ICC_SGI0R_EL1", "S3_0_C12_C11_7"},
      {"ICC_IAR1_EL1", "S3_0_C12_C12_0"},  {"ICC_EOIR1_EL1", "S3_0_C12_C12_1"},
      {"ICC_HPPIR1_EL1", "S3_0_C12_C12_2"}, {"ICC_BPR1_EL1", "S3_0_C12_C12_3"},
      {"ICC_CTLR_EL1", "S3_0_C12_C12_4"},  {"ICC_SRE_EL1", "S3_0_C12_C12_5"},
      {"ICC_IGRPEN0_EL1", "S3_0_C12_C12_6"}, {"ICC_IGRPEN1_EL1", "S3_0_C12_C12_7"},
      {"ICC_SRE_EL2", "S3_4_C12_C9_5"},    {"ICC_CTLR_EL3", "S3_6_C12_C12_4"},
      {"ICC_SRE_EL3", "S3_6_C12_C12_5"},   {"ICC_IGRPEN1_EL3", "S3_6_C12_C12_7"},
  };
  EXPECT_EQ(icc_registers().size(), std::size(want));
  for (auto& [n, enc] : want) {
    const IccReg* r = find_icc_register(n);
    ASSERT_NE(r, nullptr) << n;
    EXPECT_EQ(encoding_name(*r), enc) << n;
    EXPECT_EQ(find_icc_register(r->op0, r->op1, r->crn, r->crm, r->op2), r) << n;
  }
}

TEST(GicSysregTable, TheBankedRegistersAreTheOnesTheSheetMarks) {
  std::set<std::string> banked;
  for (const IccReg& r : icc_registers())
    if (r.banked) banked.insert(std::string(r.name));
  EXPECT_EQ(banked, (std::set<std::string>{"ICC_AP1R0_EL1", "ICC_AP1R1_EL1", "ICC_AP1R2_EL1",
                                           "ICC_AP1R3_EL1", "ICC_BPR1_EL1", "ICC_CTLR_EL1",
                                           "ICC_SRE_EL1", "ICC_IGRPEN1_EL1"}));
}

SysregAccess check(const char* reg, const PeInputs& pe, bool write) {
  return icc_check_access(*find_icc_register(reg), pe, write);
}

TEST(GicSysregAccess, El0HasNoAccessToAnyIccRegister) {
  for (const IccReg& r : icc_registers())
    EXPECT_EQ(icc_check_access(r, pe_at(El::EL0, true), false), SysregAccess::Undefined) << r.name;
}

TEST(GicSysregAccess, El2AndEl3RegistersAreUndefinedBelowTheirLevel) {
  EXPECT_EQ(check("ICC_SRE_EL2", ns_el1(), false), SysregAccess::Undefined);
  EXPECT_EQ(check("ICC_SRE_EL2", s_el2(), false), SysregAccess::Ok);
  EXPECT_EQ(check("ICC_CTLR_EL3", s_el2(), false), SysregAccess::Undefined);
  EXPECT_EQ(check("ICC_IGRPEN1_EL3", el3(), true), SysregAccess::Ok);
}

TEST(GicSysregAccess, ReadingAWriteOnlyRegisterOrWritingAReadOnlyOneIsUndefined) {
  EXPECT_EQ(check("ICC_EOIR1_EL1", ns_el1(), false), SysregAccess::Undefined);
  EXPECT_EQ(check("ICC_SGI1R_EL1", ns_el1(), false), SysregAccess::Undefined);
  EXPECT_EQ(check("ICC_IAR1_EL1", ns_el1(), true), SysregAccess::Undefined);
  EXPECT_EQ(check("ICC_RPR_EL1", ns_el1(), true), SysregAccess::Undefined);
}

TEST(GicSysregAccess, ScrIrqTrapsGroup1RegistersAndScrFiqGroup0RegistersToEl3) {
  const PeInputs irq = pe_at(El::EL1, true, scr::IRQ), fiq = pe_at(El::EL1, false, scr::FIQ);
  EXPECT_EQ(check("ICC_IAR1_EL1", irq, false), SysregAccess::TrapEl3);
  EXPECT_EQ(check("ICC_IAR0_EL1", irq, false), SysregAccess::Ok);
  EXPECT_EQ(check("ICC_IAR0_EL1", fiq, false), SysregAccess::TrapEl3);
  EXPECT_EQ(check("ICC_IAR1_EL1", fiq, false), SysregAccess::Ok);
  EXPECT_EQ(check("ICC_PMR_EL1", irq, true), SysregAccess::Ok);  // needs both bits
  EXPECT_EQ(check("ICC_PMR_EL1", pe_at(El::EL2, true, scr::IRQ | scr::FIQ), true), SysregAccess::TrapEl3);
  EXPECT_EQ(check("ICC_IAR1_EL1", pe_at(El::EL3, false, scr::IRQ | scr::FIQ), false), SysregAccess::Ok);
}

TEST(GicSysregAccess, HcrImoAtEl1SendsGroup1RegistersToTheVirtualInterfaceAndSgisToEl2) {
  const PeInputs guest = pe_at(El::EL1, true, 0, hcr::IMO);
  EXPECT_EQ(check("ICC_IAR1_EL1", guest, false), SysregAccess::Virtual);
  EXPECT_EQ(check("ICC_IAR0_EL1", guest, false), SysregAccess::Ok);
  EXPECT_EQ(check("ICC_PMR_EL1", guest, true), SysregAccess::Virtual);
  EXPECT_EQ(check("ICC_SGI1R_EL1", guest, true), SysregAccess::TrapEl2);
  EXPECT_EQ(check("ICC_IAR1_EL1", pe_at(El::EL2, true, 0, hcr::IMO), false), SysregAccess::Ok);
}

TEST(GicSysregAccess, SecureEl1GoesVirtualOnlyWhenSecureEl2IsEnabled) {
  EXPECT_EQ(check("ICC_IAR1_EL1", pe_at(El::EL1, false, 0, hcr::IMO), false), SysregAccess::Ok);
  EXPECT_EQ(check("ICC_IAR1_EL1", pe_at(El::EL1, false, scr::EEL2, hcr::IMO), false),
            SysregAccess::Virtual);
}

TEST(GicSysregAccess, ATrappedAccessLeavesTheGicUntouched) {
  Gic gic(config(1), GicTiming{});
  make_ready(gic.state());
  configure(gic.state(), 0, 40, G1NS, 0x80);
  make_pending(gic.state(), 0, 40);
  gic.set_pe(0, pe_at(El::EL1, true, scr::IRQ), 0);
  uint64_t v = 0;
  EXPECT_EQ(gic.sysreg_read(0, *find_icc_register("ICC_IAR1_EL1"), v, 0), SysregAccess::TrapEl3);
  EXPECT_TRUE(irq_pending(gic.state(), 0, 40));
  gic.set_pe(0, ns_el1(), 0);
  EXPECT_EQ(gic.sysreg_read(0, *find_icc_register("ICC_IAR1_EL1"), v, 0), SysregAccess::Ok);
  EXPECT_EQ(v, 40u);
}

}  // namespace
}  // namespace ffasim::sim::gic
