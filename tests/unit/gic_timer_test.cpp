// The generic timer (sheet section 4): the counter from simulated time, CTL/CVAL/TVAL, the
// compare condition firing exactly at CVAL, the PPIs, the register table and its access rules,
// and one SystemC bench where the timer raises its PPI through the GIC. Only the last TEST
// elaborates SystemC (one module set per process; the build runs each TEST in its own process).
#include <gtest/gtest.h>

#include <systemc>
#include <vector>

#include "sim/gic/generic_timer.h"
#include "sim/gic/timer_module.h"
#include "tests/unit/gic_fixture.h"

namespace ffasim::sim::gic {
namespace {

using namespace testing;
constexpr uint64_t kGHz = 1'000'000'000, k62_5MHz = 62'500'000;

struct Edge {
  PeId pe;
  uint32_t intid;
  bool level;
  Picos at;
};

struct Bench {
  GenericTimer timer;
  std::vector<Edge> edges;
  explicit Bench(uint64_t hz = kGHz, unsigned pes = 1) : timer(pes, hz) {
    timer.on_ppi([this](PeId pe, uint32_t id, bool l, Picos at) { edges.push_back({pe, id, l, at}); });
  }
};

// ---------------------------------------------------------------------------------------------
// Counter

TEST(GenericTimerCounter, AtOneGigahertzTheCounterTicksEveryNanosecond) {
  EXPECT_EQ(counter_at(999, kGHz), 0u);
  EXPECT_EQ(counter_at(1000, kGHz), 1u);
  EXPECT_EQ(counter_at(5'000'000, kGHz), 5000u);
  EXPECT_EQ(time_of_count(5000, kGHz), 5'000'000u);
}

TEST(GenericTimerCounter, AtSixtyTwoAndAHalfMegahertzATickIsSixteenNanoseconds) {
  EXPECT_EQ(counter_at(15'999, k62_5MHz), 0u);
  EXPECT_EQ(counter_at(16'000, k62_5MHz), 1u);
  EXPECT_EQ(time_of_count(3, k62_5MHz), 48'000u);
}

TEST(GenericTimerCounter, CntfrqResetsToTheCounterFrequencyAndOnlyEl3WritesIt) {
  Bench b(k62_5MHz);
  uint64_t v = 0;
  const TimerReg& frq = *find_timer_register("CNTFRQ_EL0");
  ASSERT_EQ(b.timer.sysreg_read(0, frq, ns_el1(), v, 0), SysregAccess::Ok);
  EXPECT_EQ(v, k62_5MHz);
  EXPECT_EQ(b.timer.sysreg_write(0, frq, ns_el1(), 1, 0), SysregAccess::Undefined);
  EXPECT_EQ(b.timer.sysreg_write(0, frq, el3(), 100'000'000, 0), SysregAccess::Ok);
  ASSERT_EQ(b.timer.sysreg_read(0, frq, ns_el1(), v, 0), SysregAccess::Ok);
  EXPECT_EQ(v, 100'000'000u);
}

// ---------------------------------------------------------------------------------------------
// Compare

TEST(GenericTimerCompare, ThePpiRisesExactlyWhenTheCounterReachesCval) {
  Bench b;
  b.timer.write_cval(0, TimerId::CNTP, 5000, 0);
  b.timer.write_ctl(0, TimerId::CNTP, cnt_ctl::ENABLE, 0);
  EXPECT_EQ(b.timer.next_event(0), 5'000'000u);
  EXPECT_EQ(b.timer.cntpct(5'000'000 - 1), 4999u);
  EXPECT_EQ(b.timer.cntpct(5'000'000), 5000u);
  b.timer.advance(5'000'000 - 1);
  EXPECT_TRUE(b.edges.empty());
  b.timer.advance(5'000'000);
  ASSERT_EQ(b.edges.size(), 1u);
  EXPECT_EQ(b.edges[0].intid, 30u);
  EXPECT_TRUE(b.edges[0].level);
  EXPECT_EQ(b.edges[0].at, 5'000'000u);
}

TEST(GenericTimerCompare, ALateEvaluationStillReportsTheExactTime) {
  Bench b(k62_5MHz);
  b.timer.write_cval(0, TimerId::CNTP, 10, 0);
  b.timer.write_ctl(0, TimerId::CNTP, cnt_ctl::ENABLE, 0);
  b.timer.advance(1'000'000);
  ASSERT_EQ(b.edges.size(), 1u);
  EXPECT_EQ(b.edges[0].at, 160'000u);
}

TEST(GenericTimerCompare, EnablingWithCvalInThePastFiresAtOnce) {
  Bench b;
  b.timer.write_ctl(0, TimerId::CNTP, cnt_ctl::ENABLE, 7'000);
  ASSERT_EQ(b.edges.size(), 1u);
  EXPECT_EQ(b.edges[0].at, 7'000u);
}

TEST(GenericTimerCompare, CtlHasEnableImaskAndReadOnlyIstatus) {
  Bench b;
  b.timer.write_cval(0, TimerId::CNTP, 10, 0);
  b.timer.write_ctl(0, TimerId::CNTP, cnt_ctl::ENABLE | cnt_ctl::IMASK | cnt_ctl::ISTATUS, 0);
  EXPECT_EQ(b.timer.read_ctl(0, TimerId::CNTP, 0), 0b011u);       // ENABLE [0], IMASK [1]
  EXPECT_EQ(b.timer.read_ctl(0, TimerId::CNTP, 10'000), 0b111u);  // ISTATUS [2] once met
}

TEST(GenericTimerCompare, ImaskHoldsTheOutputLowWhileIstatusIsSet) {
  Bench b;
  b.timer.write_ctl(0, TimerId::CNTP, cnt_ctl::ENABLE | cnt_ctl::IMASK, 0);
  b.timer.advance(1'000'000);
  EXPECT_TRUE(b.edges.empty());
  EXPECT_EQ(b.timer.next_event(0), kNever);
  b.timer.write_ctl(0, TimerId::CNTP, cnt_ctl::ENABLE, 2'000'000);
  ASSERT_EQ(b.edges.size(), 1u);
  EXPECT_EQ(b.edges[0].at, 2'000'000u);
}

TEST(GenericTimerCompare, DisablingOrMovingCvalLowersTheOutput) {
  Bench b;
  b.timer.write_ctl(0, TimerId::CNTP, cnt_ctl::ENABLE, 0);
  b.timer.write_cval(0, TimerId::CNTP, 1'000'000, 5'000);
  ASSERT_EQ(b.edges.size(), 2u);
  EXPECT_FALSE(b.edges[1].level);
  EXPECT_EQ(b.edges[1].at, 5'000u);
}

TEST(GenericTimerCompare, TvalIsASignedDownCounterViewOfCval) {
  Bench b;
  b.timer.write_tval(0, TimerId::CNTP, 500, 1'000'000);  // count 1000
  EXPECT_EQ(b.timer.read_cval(0, TimerId::CNTP), 1500u);
  EXPECT_EQ(b.timer.read_tval(0, TimerId::CNTP, 1'200'000), 300u);
  EXPECT_EQ(b.timer.read_tval(0, TimerId::CNTP, 1'600'000), uint32_t(-100));
  b.timer.write_tval(0, TimerId::CNTP, 0xFFFFFFFF, 2'000'000);  // -1
  EXPECT_EQ(b.timer.read_cval(0, TimerId::CNTP), 1999u);
}

TEST(GenericTimerCompare, TheVirtualTimerComparesAgainstCntpctMinusCntvoff) {
  Bench b;
  b.timer.write_cntvoff(0, 1000, 0);
  b.timer.write_cval(0, TimerId::CNTV, 500, 0);
  b.timer.write_ctl(0, TimerId::CNTV, cnt_ctl::ENABLE, 0);
  EXPECT_EQ(b.timer.cntvct(0, 2'000'000), 1000u);
  EXPECT_EQ(b.timer.next_event(0), 1'500'000u);
  b.timer.advance(1'500'000);
  ASSERT_EQ(b.edges.size(), 1u);
  EXPECT_EQ(b.edges[0].intid, 27u);
}

TEST(GenericTimerCompare, EachTimerDrivesTheBsaPpi) {
  EXPECT_EQ(timer_intid(TimerId::CNTP), 30u);
  EXPECT_EQ(timer_intid(TimerId::CNTPS), 29u);
  EXPECT_EQ(timer_intid(TimerId::CNTV), 27u);
  EXPECT_EQ(timer_intid(TimerId::CNTHP), 26u);
  Bench b(kGHz, 2);
  b.timer.write_ctl(1, TimerId::CNTHP, cnt_ctl::ENABLE, 0);
  b.timer.write_ctl(1, TimerId::CNTPS, cnt_ctl::ENABLE, 0);
  ASSERT_EQ(b.edges.size(), 2u);
  EXPECT_EQ(b.edges[0].pe, 1);
  EXPECT_EQ(b.edges[0].intid, 26u);
  EXPECT_EQ(b.edges[1].intid, 29u);
}

// ---------------------------------------------------------------------------------------------
// Register table and access

TEST(GenericTimerRegisters, EncodingsAreTheArchitecturalOnes) {
  const std::pair<const char*, std::array<uint8_t, 5>> want[] = {
      {"CNTFRQ_EL0", {3, 3, 14, 0, 0}},     {"CNTPCT_EL0", {3, 3, 14, 0, 1}},
      {"CNTVCT_EL0", {3, 3, 14, 0, 2}},     {"CNTVOFF_EL2", {3, 4, 14, 0, 3}},
      {"CNTP_TVAL_EL0", {3, 3, 14, 2, 0}},  {"CNTP_CTL_EL0", {3, 3, 14, 2, 1}},
      {"CNTP_CVAL_EL0", {3, 3, 14, 2, 2}},  {"CNTV_TVAL_EL0", {3, 3, 14, 3, 0}},
      {"CNTV_CTL_EL0", {3, 3, 14, 3, 1}},   {"CNTV_CVAL_EL0", {3, 3, 14, 3, 2}},
      {"CNTHP_TVAL_EL2", {3, 4, 14, 2, 0}}, {"CNTHP_CTL_EL2", {3, 4, 14, 2, 1}},
      {"CNTHP_CVAL_EL2", {3, 4, 14, 2, 2}}, {"CNTPS_TVAL_EL1", {3, 7, 14, 2, 0}},
      {"CNTPS_CTL_EL1", {3, 7, 14, 2, 1}},  {"CNTPS_CVAL_EL1", {3, 7, 14, 2, 2}},
  };
  EXPECT_EQ(timer_registers().size(), std::size(want));
  for (auto& [n, e] : want) {
    const TimerReg* r = find_timer_register(n);
    ASSERT_NE(r, nullptr) << n;
    EXPECT_EQ((std::array<uint8_t, 5>{r->op0, r->op1, r->crn, r->crm, r->op2}), e) << n;
  }
}

TEST(GenericTimerRegisters, TheSecurePhysicalTimerNeedsEl3OrSecureWithScrSt) {
  Bench b;
  uint64_t v = 0;
  const TimerReg& ctl = *find_timer_register("CNTPS_CTL_EL1");
  EXPECT_EQ(b.timer.sysreg_read(0, ctl, ns_el1(), v, 0), SysregAccess::Undefined);
  EXPECT_EQ(b.timer.sysreg_read(0, ctl, s_el1(), v, 0), SysregAccess::TrapEl3);
  EXPECT_EQ(b.timer.sysreg_read(0, ctl, pe_at(El::EL1, false, scr::ST), v, 0), SysregAccess::Ok);
  EXPECT_EQ(b.timer.sysreg_read(0, ctl, el3(), v, 0), SysregAccess::Ok);
}

TEST(GenericTimerRegisters, El2TimerAndCntvoffNeedEl2AndTheCountersAreReadOnly) {
  Bench b;
  uint64_t v = 0;
  EXPECT_EQ(b.timer.sysreg_read(0, *find_timer_register("CNTHP_CTL_EL2"), ns_el1(), v, 0),
            SysregAccess::Undefined);
  EXPECT_EQ(b.timer.sysreg_read(0, *find_timer_register("CNTHP_CTL_EL2"), ns_el2(), v, 0),
            SysregAccess::Ok);
  EXPECT_EQ(b.timer.sysreg_write(0, *find_timer_register("CNTVOFF_EL2"), ns_el1(), 1, 0),
            SysregAccess::Undefined);
  EXPECT_EQ(b.timer.sysreg_write(0, *find_timer_register("CNTPCT_EL0"), el3(), 1, 0),
            SysregAccess::Undefined);
  ASSERT_EQ(b.timer.sysreg_read(0, *find_timer_register("CNTPCT_EL0"), ns_el1(), v, 3'000'000),
            SysregAccess::Ok);
  EXPECT_EQ(v, 3000u);
}

TEST(GenericTimerRegisters, AWriteThroughTheTableArmsTheTimer) {
  Bench b;
  ASSERT_EQ(b.timer.sysreg_write(0, *find_timer_register("CNTV_CVAL_EL0"), ns_el1(), 42, 0),
            SysregAccess::Ok);
  ASSERT_EQ(b.timer.sysreg_write(0, *find_timer_register("CNTV_CTL_EL0"), ns_el1(), 1, 0),
            SysregAccess::Ok);
  EXPECT_EQ(b.timer.next_event(0), 42'000u);
}

// ---------------------------------------------------------------------------------------------
// Under SystemC, through the GIC (the only TEST here that elaborates SystemC)

TEST(GenericTimerModuleBench, TheNonSecurePhysicalTimerRaisesAnIrqAtCvalPlusThePpiPath) {
  Gic gic(config(1), GicTiming{});
  make_ready(gic.state());
  configure(gic.state(), 0, 30, Group::G1NS, 0xA0, /*edge=*/false);
  GenericTimer timer(1, kGHz);
  std::vector<Edge> edges;
  timer.on_ppi([&](PeId pe, uint32_t id, bool level, Picos at) {
    edges.push_back({pe, id, level, Picos(sc_core::sc_time_stamp().value())});
    gic.set_ppi(pe, id, level, at);
  });
  std::vector<InterruptLines> lines;
  gic.on_lines([&](PeId, const InterruptLines& l) { lines.push_back(l); });
  GenericTimerModule module("timer", timer);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  timer.write_cval(0, TimerId::CNTP, 2000, 0);
  timer.write_ctl(0, TimerId::CNTP, cnt_ctl::ENABLE, 0);
  sc_core::sc_start(sc_core::sc_time(10, sc_core::SC_US));
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_EQ(edges[0].at, 2'000'000u);  // the module woke up exactly at CVAL
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].irq);
  EXPECT_EQ(lines[0].at, 2'000'000u + 20'000u);  // redist_to_cpuif + cpuif_to_pe
}

}  // namespace
}  // namespace ffasim::sim::gic
