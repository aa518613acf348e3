// Interrupt groups (sheet section 2.2), the IRQ-or-FIQ table (2.8) and the choice of the
// highest-priority pending interrupt (2.9). Pure logic: no SystemC.
#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/gic_fixture.h"

namespace ffasim::sim::gic {
namespace {

using namespace testing;

// ---------------------------------------------------------------------------------------------
// Section 2.2: IGROUPR + IGRPMODR

TEST(GicGroups, WithTwoSecurityStatesModifierZeroGroupZeroIsGroup0) {
  EXPECT_EQ(group_from_bits(false, false, false), Group::G0);
}
TEST(GicGroups, WithTwoSecurityStatesModifierZeroGroupOneIsNonSecureGroup1) {
  EXPECT_EQ(group_from_bits(true, false, false), Group::G1NS);
}
TEST(GicGroups, WithTwoSecurityStatesModifierOneGroupZeroIsSecureGroup1) {
  EXPECT_EQ(group_from_bits(false, true, false), Group::G1S);
}
TEST(GicGroups, TheReservedCombinationModifierOneGroupOneReadsAsNonSecureGroup1) {
  EXPECT_EQ(group_from_bits(true, true, false), Group::G1NS);
}
TEST(GicGroups, WithOneSecurityStateTheModifierIsIgnored) {
  EXPECT_EQ(group_from_bits(false, false, true), Group::G0);
  EXPECT_EQ(group_from_bits(false, true, true), Group::G0);
  EXPECT_EQ(group_from_bits(true, false, true), Group::G1NS);
  EXPECT_EQ(group_from_bits(true, true, true), Group::G1NS);
}

TEST(GicGroups, AnSpiTakesItsGroupFromTheDistributorRegisters) {
  GicState s = ready_gic();
  ASSERT_TRUE(gicd_write(s, gicd::IGRPMODR + 4, 4, Security::Secure, 1u << (40 - 32)));
  EXPECT_EQ(irq_group(s, 0, 40), Group::G1S);
  ASSERT_TRUE(gicd_write(s, gicd::IGROUPR + 4, 4, Security::Secure, 1u << (41 - 32)));
  EXPECT_EQ(irq_group(s, 0, 41), Group::G1NS);
  EXPECT_EQ(irq_group(s, 0, 42), Group::G0);
}

TEST(GicGroups, AnSgiTakesItsGroupFromItsOwnRedistributorNotTheDistributor) {
  GicState s = ready_gic();
  ASSERT_TRUE(gicr_write(s, 1, gicr::IGRPMODR0, 4, Security::Secure, 1u << 9));
  ASSERT_TRUE(gicd_write(s, gicd::IGROUPR, 4, Security::Secure, 0xFFFFFFFF));  // RAZ/WI: ARE
  EXPECT_EQ(irq_group(s, 1, 9), Group::G1S);
  EXPECT_EQ(irq_group(s, 0, 9), Group::G0);
}

// ---------------------------------------------------------------------------------------------
// Section 2.8: IRQ or FIQ

struct LineRow {
  Group group;
  PeInputs pe;
  Line expected;
  const char* where;
};

std::vector<LineRow> line_table() {
  const Line I = Line::IRQ, F = Line::FIQ;
  const PeInputs s_el0 = pe_at(El::EL0, false, scr::EEL2), ns_el0 = pe_at(El::EL0, true);
  return {
      {Group::G0, el3(), F, "G0 at EL3"},          {Group::G0, s_el0, F, "G0 at S-EL0"},
      {Group::G0, s_el1(), F, "G0 at S-EL1"},      {Group::G0, s_el2(), F, "G0 at S-EL2"},
      {Group::G0, ns_el0, F, "G0 at NS-EL0"},      {Group::G0, ns_el1(), F, "G0 at NS-EL1"},
      {Group::G0, ns_el2(), F, "G0 at NS-EL2"},    {Group::G1S, el3(), F, "G1S at EL3"},
      {Group::G1S, s_el0, I, "G1S at S-EL0"},      {Group::G1S, s_el1(), I, "G1S at S-EL1"},
      {Group::G1S, s_el2(), I, "G1S at S-EL2"},    {Group::G1S, ns_el0, F, "G1S at NS-EL0"},
      {Group::G1S, ns_el1(), F, "G1S at NS-EL1"},  {Group::G1S, ns_el2(), F, "G1S at NS-EL2"},
      {Group::G1NS, el3(), F, "G1NS at EL3"},      {Group::G1NS, s_el0, F, "G1NS at S-EL0"},
      {Group::G1NS, s_el1(), F, "G1NS at S-EL1"},  {Group::G1NS, s_el2(), F, "G1NS at S-EL2"},
      {Group::G1NS, ns_el0, I, "G1NS at NS-EL0"},  {Group::G1NS, ns_el1(), I, "G1NS at NS-EL1"},
      {Group::G1NS, ns_el2(), I, "G1NS at NS-EL2"},
  };
}

TEST(GicIrqOrFiq, EveryRowOfTheSignalTableMatchesTheSheet) {
  for (const LineRow& r : line_table())
    EXPECT_EQ(signal_for(r.group, r.pe), r.expected) << r.where;
}

TEST(GicIrqOrFiq, APendingInterruptDrivesTheLineTheTableNamesAndOnlyThatOne) {
  for (const LineRow& r : line_table()) {
    GicState s = ready_gic(1);
    configure(s, 0, 5, r.group, 0x40);
    set_pe(s, 0, r.pe);
    make_pending(s, 0, 5);
    EXPECT_EQ(s.cpu[0].irq, r.expected == Line::IRQ) << r.where;
    EXPECT_EQ(s.cpu[0].fiq, r.expected == Line::FIQ) << r.where;
  }
}

TEST(GicIrqOrFiq, TheDecisionIsRemadeWhenThePeChangesElOrSecurityState) {
  Gic gic(config(1), GicTiming{});
  make_ready(gic.state());
  configure(gic.state(), 0, 8, Group::G1NS, 0x80);
  std::vector<InterruptLines> seen;
  gic.on_lines([&](PeId, const InterruptLines& l) { seen.push_back(l); });
  gic.set_pe(0, ns_el1(), 0);
  make_pending(gic.state(), 0, 8);
  gic_update(gic.state());        // what a mutator would have done
  gic.set_pe(0, ns_el1(), 100);  // publishes the pending IRQ
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].irq);
  gic.set_pe(0, el3(), 200'000);  // SMC to EL3: the same interrupt is now an FIQ
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[1].irq);
  EXPECT_TRUE(seen[1].fiq);
  gic.set_pe(0, s_el1(), 400'000);  // ERET to S-EL1: still FIQ, nothing changes
  EXPECT_EQ(seen.size(), 2u);
  gic.set_pe(0, ns_el2(), 600'000);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_TRUE(seen[2].irq);
}

TEST(GicIrqOrFiq, NoLineIsDrivenWhileTheCpuInterfaceDisablesTheGroup) {
  GicState s = ready_gic(1);
  configure(s, 0, 3, Group::G1NS, 0x80);
  s.cpu[0].icc.icc_igrpen[int(Group::G1NS)] = false;
  make_pending(s, 0, 3);
  EXPECT_FALSE(s.cpu[0].irq || s.cpu[0].fiq);
  s.cpu[0].icc.icc_igrpen[int(Group::G1NS)] = true;
  gic_update(s);
  EXPECT_TRUE(s.cpu[0].irq);
}

// ---------------------------------------------------------------------------------------------
// Section 2.9: highest-priority pending interrupt

TEST(GicHppi, TheLowestPriorityValueWins) {
  GicState s = ready_gic(1);
  configure(s, 0, 40, Group::G1NS, 0xA0);
  configure(s, 0, 41, Group::G1NS, 0x90);
  configure(s, 0, 2, Group::G1NS, 0xB0);
  for (uint32_t id : {40u, 41u, 2u}) make_pending(s, 0, id);
  EXPECT_EQ(s.cpu[0].hppi.intid, 41u);
  EXPECT_EQ(s.cpu[0].hppi.prio, 0x90);
}

TEST(GicHppi, EqualPrioritiesGoToTheLowestIntid) {
  GicState s = ready_gic(1);
  configure(s, 0, 45, Group::G1NS, 0x80);
  configure(s, 0, 20, Group::G1NS, 0x80);
  make_pending(s, 0, 45);
  make_pending(s, 0, 20);
  EXPECT_EQ(s.cpu[0].hppi.intid, 20u);
}

TEST(GicHppi, AGroupDisabledInTheDistributorIsNotForwarded) {
  GicState s = ready_gic(1);
  configure(s, 0, 33, Group::G1S, 0x10);
  configure(s, 0, 34, Group::G1NS, 0x90);
  make_pending(s, 0, 33);
  make_pending(s, 0, 34);
  EXPECT_EQ(s.cpu[0].hppi.intid, 33u);
  s.gicd.ctlr &= ~gicd_ctlr::EnableGrp1S;
  gic_update(s);
  EXPECT_EQ(s.cpu[0].hppi.intid, 34u);
}

TEST(GicHppi, ActiveAndDisabledInterruptsAreNotCandidates) {
  GicState s = ready_gic(1);
  configure(s, 0, 33, Group::G1NS, 0x10);
  configure(s, 0, 34, Group::G1NS, 0x20);
  configure(s, 0, 35, Group::G1NS, 0x30);
  for (uint32_t id : {33u, 34u, 35u}) make_pending(s, 0, id);
  set(s, 0, 33, IrqBit::Active, true);
  set(s, 0, 34, IrqBit::Enable, false);
  gic_update(s);
  EXPECT_EQ(s.cpu[0].hppi.intid, 35u);
}

TEST(GicHppi, ASleepingRedistributorForwardsNothingToItsCpuInterface) {
  GicState s = ready_gic(1);
  configure(s, 0, 7, Group::G1NS, 0x80);
  make_pending(s, 0, 7);
  EXPECT_TRUE(s.cpu[0].irq);
  ASSERT_TRUE(gicr_write(s, 0, gicr::WAKER, 4, Security::Secure, gicr_waker::ProcessorSleep));
  EXPECT_FALSE(s.cpu[0].irq);
  EXPECT_EQ(s.cpu[0].hppi.intid, INTID_SPURIOUS);
  EXPECT_TRUE(irq_pending(s, 0, 7));  // still pending, delivered on wake-up
}

}  // namespace
}  // namespace ffasim::sim::gic
