// The distributor side: edge- and level-sensitive inputs (sheet 2.11), SPI routing through
// GICD_IROUTER including the 1-of-N rule (2.5), and the timing of the lines the GIC drives into
// the PEs (2.13, gic_params.def). Pure logic: no SystemC.
#include <gtest/gtest.h>

#include <vector>

#include "sim/core/profile.h"
#include "tests/unit/gic_fixture.h"

namespace ffasim::sim::gic {
namespace {

using namespace testing;
constexpr Group G0 = Group::G0, G1NS = Group::G1NS;

// ---------------------------------------------------------------------------------------------
// Edge and level

TEST(GicEdge, ARisingEdgeLatchesPendingAndFallingDoesNotClearIt) {
  GicState s = ready_gic(1);
  configure(s, 0, 40, G1NS, 0x80, /*edge=*/true);
  gicd_set_spi_level(s, 40, true);
  EXPECT_TRUE(irq_pending(s, 0, 40));
  gicd_set_spi_level(s, 40, false);
  EXPECT_TRUE(irq_pending(s, 0, 40));
  EXPECT_TRUE(s.cpu[0].irq);
}

TEST(GicEdge, AHeldHighInputLatchesOnlyOnce) {
  GicState s = ready_gic(1);
  configure(s, 0, 40, G1NS, 0x80, true);
  gicd_set_spi_level(s, 40, true);
  ASSERT_EQ(icc_iar_read(s, 0, true), 40u);
  gicd_set_spi_level(s, 40, true);  // no new edge
  icc_eoir_write(s, 0, true, 40);
  EXPECT_FALSE(irq_pending(s, 0, 40));
  EXPECT_FALSE(s.cpu[0].irq);
}

TEST(GicEdge, AnEdgeWhileActiveMakesItActiveAndPending) {
  GicState s = ready_gic(1);
  configure(s, 0, 40, G1NS, 0x80, true);
  gicd_set_spi_level(s, 40, true);
  ASSERT_EQ(icc_iar_read(s, 0, true), 40u);
  gicd_set_spi_level(s, 40, false);
  gicd_set_spi_level(s, 40, true);
  EXPECT_TRUE(get(s, 0, 40, IrqBit::Active));
  EXPECT_TRUE(irq_pending(s, 0, 40));
  icc_eoir_write(s, 0, true, 40);
  EXPECT_TRUE(s.cpu[0].irq);  // taken again after deactivation
}

TEST(GicLevel, PendingFollowsTheInputUntilAcknowledged) {
  GicState s = ready_gic(1);
  configure(s, 0, 41, G1NS, 0x80, /*edge=*/false);
  gicd_set_spi_level(s, 41, true);
  EXPECT_TRUE(s.cpu[0].irq);
  gicd_set_spi_level(s, 41, false);
  EXPECT_FALSE(irq_pending(s, 0, 41));
  EXPECT_FALSE(s.cpu[0].irq);
}

TEST(GicLevel, AStillAssertedInputIsPendingAgainAfterDeactivation) {
  GicState s = ready_gic(1);
  configure(s, 0, 41, G1NS, 0x80, false);
  gicd_set_spi_level(s, 41, true);
  ASSERT_EQ(icc_iar_read(s, 0, true), 41u);
  EXPECT_TRUE(get(s, 0, 41, IrqBit::Active));
  EXPECT_TRUE(irq_pending(s, 0, 41));  // active and pending
  EXPECT_FALSE(s.cpu[0].irq);
  icc_eoir_write(s, 0, true, 41);
  EXPECT_TRUE(s.cpu[0].irq);
  EXPECT_EQ(icc_iar_read(s, 0, true), 41u);
  gicd_set_spi_level(s, 41, false);
  icc_eoir_write(s, 0, true, 41);
  EXPECT_FALSE(irq_pending(s, 0, 41));
  EXPECT_FALSE(s.cpu[0].irq);
}

TEST(GicLevel, IcpendrClearsTheLatchButNotAnAssertedInput) {
  GicState s = ready_gic(1);
  configure(s, 0, 41, G1NS, 0x80, false);
  gicd_set_spi_level(s, 41, true);
  ASSERT_TRUE(gicd_write(s, gicd::ICPENDR + 4, 4, Security::Secure, 1u << 9));
  EXPECT_TRUE(irq_pending(s, 0, 41));
}

TEST(GicLevel, IspendrLatchesPendingWithoutTheInput) {
  GicState s = ready_gic(1);
  configure(s, 0, 41, G1NS, 0x80, false);
  ASSERT_TRUE(gicd_write(s, gicd::ISPENDR + 4, 4, Security::Secure, 1u << 9));
  EXPECT_TRUE(irq_pending(s, 0, 41));
  ASSERT_TRUE(gicd_write(s, gicd::ICPENDR + 4, 4, Security::Secure, 1u << 9));
  EXPECT_FALSE(irq_pending(s, 0, 41));
}

TEST(GicLevel, AnSpiResetsLevelSensitiveAndGicdIcfgrBitTwoMPlusOneMakesItEdge) {
  GicState s = ready_gic(1);
  EXPECT_FALSE(irq_is_edge(s, 0, 40));
  ASSERT_TRUE(gicd_write(s, gicd::ICFGR + 8, 4, Security::Secure, 0b10u << (2 * (40 % 16))));
  EXPECT_TRUE(irq_is_edge(s, 0, 40));
  EXPECT_FALSE(irq_is_edge(s, 0, 41));
}

TEST(GicLevel, APpiInputBehavesLikeAnSpiInput) {
  GicState s = ready_gic(2);
  configure(s, 1, 30, G1NS, 0x80, false);
  gicr_set_ppi_level(s, 1, 30, true);
  EXPECT_TRUE(s.cpu[1].irq);
  EXPECT_FALSE(s.cpu[0].irq);
  gicr_set_ppi_level(s, 1, 30, false);
  EXPECT_FALSE(s.cpu[1].irq);
}

// ---------------------------------------------------------------------------------------------
// GICD_IROUTER

GicConfig two_clusters(unsigned per_cluster = 4) {
  GicConfig c = config(2 * per_cluster);
  for (unsigned i = 0; i < c.num_cpu; ++i)
    c.affinity.push_back(affinity_from_mpidr((i / per_cluster) << 8 | (i % per_cluster)));
  return c;
}

TEST(GicRouting, IrouterFieldsAreAff0Aff1Aff2IrmAndAff3) {
  GicState s = ready_gic(1);
  uint64_t v = 0;
  ASSERT_TRUE(gicd_write(s, gicd::IROUTER + 8 * 40, 8, Security::Secure, ~0ull));
  ASSERT_TRUE(gicd_read(s, gicd::IROUTER + 8 * 40, 8, Security::Secure, v));
  EXPECT_EQ(v, 0x000000FF'80FFFFFFull);  // Aff3 [39:32], IRM [31], Aff2-0 [23:0]
}

TEST(GicRouting, AnSpiGoesToThePeItsIrouterNames) {
  GicState s = ready_gic(two_clusters());
  configure(s, 0, 50, G1NS, 0x80);
  ASSERT_TRUE(gicd_write(s, gicd::IROUTER + 8 * 50, 8, Security::Secure, 1u << 8 | 1));  // 0.0.1.1
  make_pending(s, 0, 50);
  for (unsigned p = 0; p < 8; ++p) EXPECT_EQ(s.cpu[p].irq, p == 5) << "PE " << p;
}

TEST(GicRouting, Aff3TakesPartInTheMatch) {
  GicConfig c = config(2);
  c.affinity = {affinity_from_mpidr(0), affinity_from_mpidr(2ull << 32)};
  GicState s = ready_gic(c);
  configure(s, 0, 50, G1NS, 0x80);
  ASSERT_TRUE(gicd_write(s, gicd::IROUTER + 8 * 50 + 4, 4, Security::Secure, 2));  // Aff3 = 2
  make_pending(s, 0, 50);
  EXPECT_FALSE(s.cpu[0].irq);
  EXPECT_TRUE(s.cpu[1].irq);
}

TEST(GicRouting, AnSpiRoutedToNoPeStaysPendingAndUnsignalled) {
  GicState s = ready_gic(2);
  configure(s, 0, 50, G1NS, 0x80);
  ASSERT_TRUE(gicd_write(s, gicd::IROUTER + 8 * 50, 8, Security::Secure, 7));
  make_pending(s, 0, 50);
  EXPECT_FALSE(s.cpu[0].irq || s.cpu[1].irq);
  EXPECT_TRUE(irq_pending(s, 0, 50));
}

// ---------------------------------------------------------------------------------------------
// 1-of-N

std::vector<int> targets_of(GicState& s, std::vector<uint32_t> ids) {
  std::vector<int> out;
  for (uint32_t id : ids) {
    configure(s, 0, id, G1NS, 0x80);
    s.gicd.irouter[id] = irouter::Interrupt_Routing_Mode;
    make_pending(s, 0, id);
    out.push_back(s.one_of_n_target[id]);
  }
  return out;
}

TEST(GicOneOfN, IdlePesAreChosenRoundRobinFromTheSeed) {
  GicState s = ready_gic(4);
  EXPECT_EQ(targets_of(s, {40, 41, 42, 43, 44}), (std::vector<int>{0, 1, 2, 3, 0}));
  GicConfig c = config(4);
  c.one_of_n_seed = 2;
  GicState t = ready_gic(c);
  EXPECT_EQ(targets_of(t, {40, 41, 42}), (std::vector<int>{2, 3, 0}));
}

TEST(GicOneOfN, TheSameInputsGiveTheSameChoices) {
  GicState a = ready_gic(4), b = ready_gic(4);
  EXPECT_EQ(targets_of(a, {40, 45, 47, 52, 60, 33}), targets_of(b, {40, 45, 47, 52, 60, 33}));
}

TEST(GicOneOfN, APeAlreadyHandlingAnInterruptIsPassedOverWhileAnotherIsIdle) {
  GicState s = ready_gic(3);
  configure(s, 0, 5, G1NS, 0x40);
  make_pending(s, 0, 5);
  ASSERT_EQ(icc_iar_read(s, 0, true), 5u);  // PE0 busy
  EXPECT_EQ(targets_of(s, {40}), std::vector<int>{1});
}

TEST(GicOneOfN, AllPesBusyStillGivesTheInterruptToOne) {
  GicState s = ready_gic(2);
  for (unsigned p = 0; p < 2; ++p) {
    configure(s, p, 5, G1NS, 0x40);
    make_pending(s, p, 5);
    ASSERT_EQ(icc_iar_read(s, p, true), 5u);
  }
  EXPECT_EQ(targets_of(s, {40}), std::vector<int>{0});
}

TEST(GicOneOfN, SleepingPesPesThatDisableTheGroupAndDpgPesAreNotEligible) {
  GicState s = ready_gic(4);
  s.cpu[0].gicr.waker = gicr_waker::ProcessorSleep | gicr_waker::ChildrenAsleep;
  s.cpu[1].icc.icc_igrpen[int(G1NS)] = false;
  s.cpu[2].gicr.ctlr = gicr_ctlr::DPG1NS;
  EXPECT_EQ(targets_of(s, {40, 41}), (std::vector<int>{3, 3}));
}

TEST(GicOneOfN, TheChoiceHoldsUntilTheInterruptIsAcknowledged) {
  GicState s = ready_gic(2);
  ASSERT_EQ(targets_of(s, {40}), std::vector<int>{0});
  gic_update(s);
  gic_update(s);
  EXPECT_EQ(s.one_of_n_target[40], 0);
  ASSERT_EQ(icc_iar_read(s, 0, true), 40u);
  EXPECT_EQ(s.one_of_n_target[40], -1);
  icc_eoir_write(s, 0, true, 40);
  make_pending(s, 0, 40);
  EXPECT_EQ(s.one_of_n_target[40], 1);  // the round robin moved on
}

TEST(GicOneOfN, WithNoEligiblePeTheInterruptWaitsForOneToWake) {
  GicState s = ready_gic(2);
  for (auto& c : s.cpu) c.gicr.waker = gicr_waker::ProcessorSleep | gicr_waker::ChildrenAsleep;
  EXPECT_EQ(targets_of(s, {40}), std::vector<int>{-1});
  ASSERT_TRUE(gicr_write(s, 1, gicr::WAKER, 4, Security::Secure, 0));
  EXPECT_EQ(s.one_of_n_target[40], 1);
  EXPECT_TRUE(s.cpu[1].irq);
}

TEST(GicOneOfN, GicdTyperSaysOneOfNIsSupported) {
  GicState s = ready_gic(1);
  EXPECT_EQ(read_gicd_typer(s) & gicd_typer::No1N, 0u);
}

// ---------------------------------------------------------------------------------------------
// Timing of the lines

struct Recorder {
  std::vector<InterruptLines> seen;
  void attach(Gic& g) { g.on_lines([this](PeId, const InterruptLines& l) { seen.push_back(l); }); }
};

Gic ready_facade(unsigned pes, const GicTiming& t = GicTiming{}) {
  Gic gic(config(pes), t);
  make_ready(gic.state());
  return gic;
}

TEST(GicTimingParams, EveryHopIsAParameterWithAUnitADefaultAndASource) {
  Profile p;
  GicTiming::declare(p);
  for (const char* k : {"gic.cpuif_to_pe_ns", "gic.redist_to_cpuif_ns", "gic.dist_to_redist_ns",
                        "gic.cpuif_to_redist_ns", "gic.redist_to_dist_ns", "gic.dist_pio_ns",
                        "gic.redist_pio_ns", "gic.sysreg_ns"}) {
    ASSERT_TRUE(p.has(k)) << k;
    const auto& e = p.entries().at(k);
    EXPECT_EQ(e.spec.unit, Unit::Ns) << k;
    EXPECT_EQ(e.value, 10.0) << k << ": gem5's placeholder";
    EXPECT_NE(std::string(e.spec.source), "") << k;
  }
  EXPECT_EQ(p.entries().at("timer.frequency_hz").spec.unit, Unit::Hz);
}

TEST(GicLineTiming, AnSpiReachesThePeAfterDistributorRedistributorAndCpuInterfaceHops) {
  Gic gic = ready_facade(1);
  configure(gic.state(), 0, 40, G1NS, 0x80);
  Recorder r;
  r.attach(gic);
  gic.set_spi(40, true, 1'000'000);
  ASSERT_EQ(r.seen.size(), 1u);
  EXPECT_TRUE(r.seen[0].irq);
  EXPECT_EQ(r.seen[0].at, 1'000'000u + 30'000u);
  EXPECT_FALSE(r.seen[0].irq_at(1'029'999));
  EXPECT_TRUE(r.seen[0].irq_at(1'030'000));
}

TEST(GicLineTiming, APpiSkipsTheDistributor) {
  Gic gic = ready_facade(1);
  configure(gic.state(), 0, 30, G1NS, 0x80, false);
  Recorder r;
  r.attach(gic);
  gic.set_ppi(0, 30, true, 5'000);
  ASSERT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(r.seen[0].at, 5'000u + 20'000u);
}

TEST(GicLineTiming, AnSgiTravelsThroughTheDistributorAndBack) {
  Gic gic = ready_facade(2);
  configure(gic.state(), 1, 1, G1NS, 0x80);
  Recorder r;
  r.attach(gic);
  ASSERT_EQ(gic.sysreg_write(0, *find_icc_register("ICC_SGI1R_EL1"), 1ull << 24 | 0b10, 0),
            SysregAccess::Ok);
  ASSERT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(r.seen[0].at, 50'000u);
}

TEST(GicLineTiming, EachHopFollowsItsProfileValue) {
  Profile p;
  GicTiming::declare(p);
  p.set("gic.dist_to_redist_ns", 100, "test");
  GicTiming t;
  t.load(p);
  Gic gic = ready_facade(1, t);
  configure(gic.state(), 0, 40, G1NS, 0x80);
  Recorder r;
  r.attach(gic);
  gic.set_spi(40, true, 0);
  ASSERT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(r.seen[0].at, 120'000u);
}

TEST(GicLineTiming, AcknowledgingDropsTheLineAfterTheCpuInterfaceHopOnly) {
  Gic gic = ready_facade(1);
  configure(gic.state(), 0, 40, G1NS, 0x80);
  Recorder r;
  r.attach(gic);
  gic.set_spi(40, true, 0);
  uint64_t v = 0;
  ASSERT_EQ(gic.sysreg_read(0, *find_icc_register("ICC_IAR1_EL1"), v, 100'000), SysregAccess::Ok);
  ASSERT_EQ(r.seen.size(), 2u);
  EXPECT_FALSE(r.seen[1].irq);
  EXPECT_EQ(r.seen[1].at, 110'000u);
}

TEST(GicLineTiming, ALaterChangeOnAShorterPathIsNotPublishedBeforeAnEarlierOne) {
  Gic gic = ready_facade(1);
  configure(gic.state(), 0, 40, G1NS, 0x80);
  Recorder r;
  r.attach(gic);
  gic.set_spi(40, true, 0);  // IRQ at 30 ns
  ASSERT_EQ(gic.sysreg_write(0, *find_icc_register("ICC_PMR_EL1"), 0, 1'000), SysregAccess::Ok);
  ASSERT_EQ(r.seen.size(), 2u);
  EXPECT_FALSE(r.seen[1].irq);
  EXPECT_EQ(r.seen[1].at, 30'000u);
}

}  // namespace
}  // namespace ffasim::sim::gic
