// The interrupt hardware wired into the stack: Linux's timer tick reaches the normal world's IRQ
// handler through the GIC, with the latency the profile gives, hop by hop.
#include <gtest/gtest.h>

#include "tests/unit/stack_fixture.h"

namespace ffasim::testing {
namespace {

const ResultRow* row(const std::vector<ResultRow>& rows, const std::string& abi) {
  for (auto& r : rows)
    if (r.abi == abi) return &r;
  return nullptr;
}

ScenarioConfig timer_platform(uint64_t ticks) {
  ScenarioConfig c = bare_platform(2);
  c.interrupts.timer_pes = {0, 1};
  c.interrupts.timer_period_ns = 50000;
  c.interrupts.timer_ticks = ticks;
  return c;
}

TEST(TimerInterrupt, EveryTickOfEveryTimerPeIsServedOnceWithNoError) {
  Stack s(timer_platform(7));
  EXPECT_EQ(s.driver().timer_irqs, 14u);
  EXPECT_EQ(s.driver().irqs, 14u);
  EXPECT_EQ(s.driver().spurious_irqs, 0u);
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
  const std::vector<ResultRow> results = s.results();
  const ResultRow* r = row(results, "irq.timer");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->count, 14u);
}

// Default profile: PPI 27 crosses redistributor -> CPU interface (10 ns) and CPU interface -> PE
// (10 ns); then exception entry (24 cycles at 2 GHz = 12 ns), Linux's IRQ entry (80 instructions,
// 40 ns) and the ICC_IAR1_EL1 access (10 ns): 82 ns, of which 20 ns before the PE takes it.
TEST(TimerInterrupt, TheLatencyToTheHandlerIsTheSumOfItsHopsInTheDefaultProfile) {
  Stack s(timer_platform(3));
  const std::vector<ResultRow> results = s.results();
  const ResultRow* r = row(results, "irq.timer");
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(r->min_ns, 82.0);
  EXPECT_DOUBLE_EQ(r->max_ns, 82.0);
  EXPECT_DOUBLE_EQ(r->mean_ns_by_component.at("irq-pending"), 20.0);
  EXPECT_DOUBLE_EQ(r->mean_ns_by_component.at("nwd"), 62.0);
}

// The a53-gic400 profile reproduces the published bare-metal timer-IRQ latency of a Cortex-A53 at
// 1.2 GHz with a GIC-400 (ZCU104, RTAS 2023 artifact): 220 ns median.
TEST(TimerInterrupt, TheA53Gic400ProfileGivesThePublished220NanosecondMedian) {
  ScenarioConfig c = timer_platform(50);
  c.profile = "a53-gic400";
  Stack s(c);
  const std::vector<ResultRow> results = s.results();
  const ResultRow* r = row(results, "irq.timer");
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(r->median_ns, 220.0);
  EXPECT_EQ(r->median_cycles, 264u);
}

TEST(TimerInterrupt, ATimerOnAMissingPeIsOneClearError) {
  ScenarioConfig c = timer_platform(1);
  c.interrupts.timer_pes = {5};
  try {
    Stack s(c);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "workload: timer.pes: PE5 does not exist");
  }
}

TEST(Gic, AnUnknownSgiForwardingReadingIsOneClearError) {
  ScenarioConfig c = bare_platform(1);
  c.interrupts.sgi_forwarding = "arm";
  try {
    Stack s(c);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "gic.sgi_forwarding: expected 'gem5' or 'qemu', got 'arm'");
  }
}

}  // namespace
}  // namespace ffasim::testing
