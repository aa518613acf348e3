// Non-secure interrupts while an SP runs (../shared/reference/ffa-abi.md section 5.3), with exact
// registers: the test SP is "signaled" (ns-interrupts-action = 2), OP-TEE uses managed exit (1).
#include <gtest/gtest.h>

#include "models/ffa/test_sp_protocol.h"
#include "tests/unit/stack_fixture.h"

namespace ffasim::testing {
namespace {

using namespace ffa::test_sp;
constexpr uint64_t kDirectReq32 = 0x8400006F, kDirectResp32 = 0x84000070;
constexpr uint64_t kInterrupt = 0x84000062, kRun = 0x8400006D;

// The test SP is asked to work 1 ms (2 M cycles at 2 GHz) and Linux's timer on PE 0 is armed to
// fire 10 us later, in the middle of that work.
ScenarioConfig one_tick() { return bare_platform(2); }

Regs sleep_request(uint64_t cycles) { return R(kDirectReq32, 0x8002, 0, CMD_SLEEP, cycles); }

Regs preempted_sleep(Stack& s, unsigned pe = 0) {
  s.arm_timer(pe, 10000);
  return nwd_call(s, sleep_request(2000000), pe);
}

const ResultRow* row(const std::vector<ResultRow>& rows, const std::string& abi) {
  for (auto& r : rows)
    if (r.abi == abi) return &r;
  return nullptr;
}

TEST(SignaledInterrupt, ADirectRequestPreemptedByANonSecureInterruptReturnsFfaInterruptWithTheSpAndVcpu) {
  Stack s(one_tick());
  const Regs out = preempted_sleep(s);
  EXPECT_TRUE(regs_eq(R(kInterrupt, 0x8002u << 16 | 0), out));
  // The normal world took the timer interrupt on its way back.
  EXPECT_EQ(s.driver().timer_irqs, 1u);
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
}

TEST(SignaledInterrupt, ADirectRequestToThePreemptedSpIsBusy) {
  Stack s(one_tick());
  preempted_sleep(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::BUSY), nwd_call(s, R(kDirectReq32, 0x8002, 0, CMD_ECHO, 7))));
}

TEST(SignaledInterrupt, FfaRunResumesThePreemptedSpWhichFinishesItsWorkAndAnswers) {
  Stack s(one_tick());
  const Regs first = preempted_sleep(s);
  const double t_interrupted = s.now_ns();
  const Regs out = nwd_call(s, R(kRun, first[1]));
  EXPECT_TRUE(regs_eq(R(kDirectResp32, 0x80020000, 0, STATUS_OK, 2000000), out));
  // The SP resumed where it stopped: in all it worked 1 ms, and only the rest after FFA_RUN.
  EXPECT_LT(s.now_ns() - t_interrupted, 1000000.0);
  const std::vector<ResultRow> results = s.results();
  const ResultRow* r = row(results, "sp.preempted");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->count, 1u);
  EXPECT_EQ(r->callee, "sp:8002 test-sp");
}

TEST(SignaledInterrupt, FfaRunOfThePreemptedSpFromAnotherPeIsInvalidParameters) {
  ScenarioConfig c = one_tick();
  c.cpu_on_idle_pes = true;
  Stack s(c);
  const Regs first = preempted_sleep(s);
  // vCPU 0 of a multi-processor partition is pinned to PE 0.
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kRun, first[1]), 1)));
  EXPECT_TRUE(regs_eq(R(kDirectResp32, 0x80020000, 0, STATUS_OK, 2000000), nwd_call(s, R(kRun, first[1]), 0)));
}

TEST(SignaledInterrupt, TheInterruptIsTakenAtItsArrivalNotWhenTheSpFinishes) {
  Stack s(one_tick());
  preempted_sleep(s);
  const std::vector<ResultRow> results = s.results();
  const ResultRow* r = row(results, "irq.timer");
  ASSERT_NE(r, nullptr);
  // From the compare match to the normal world's handler: well under the SP's 1 ms of work.
  EXPECT_LT(r->max_ns, 5000.0);
  EXPECT_GT(r->mean_ns_by_component.at("spmc"), 0.0);
  EXPECT_GT(r->mean_ns_by_component.at("spmd"), 0.0);
}

// OP-TEE (ns-interrupts-action 1 in its manifest) running three 1 ms yielding calls on PE 0 while
// Linux's timer ticks every 700 us there: every tick lands inside a call.
ScenarioConfig long_invokes(const std::string& action) {
  ScenarioConfig c;
  c.pe_count = 2;
  c.partitions.push_back({FFASIM_SOURCE_DIR "/scenarios/platforms/fvp_optee_sp_manifest.dts", "optee",
                          {{"threads", "8"}, {"default_work_cycles", "2000000"}}});
  c.partitions.push_back({FFASIM_SOURCE_DIR "/scenarios/platforms/fvp_test_sp_manifest.dts", "test", {}});
  c.workload.push_back({"optee_invoke", {0}, 3, {}});
  c.interrupts.timer_pes = {0};
  c.interrupts.timer_period_ns = 700000;
  c.interrupts.timer_ticks = 3;
  c.interrupts.ns_interrupts_action = action;
  return c;
}

uint64_t count_of(const Stack& s, const std::string& abi) {
  const std::vector<ResultRow> results = s.results();
  const ResultRow* r = row(results, abi);
  return r ? r->count : 0;
}

TEST(ManagedExit, OpteeAnswersReturnInterruptAndTheDriverResumesTheThreadWithANewDirectRequest) {
  Stack s(long_invokes(""));
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
  EXPECT_EQ(s.driver().invokes_done, 3u);
  EXPECT_EQ(s.driver().timer_irqs, 3u);
  // The probe's 4 requests (API and OS version, capabilities, ENABLE_ASYNC_NOTIF); then per
  // invoke YIELDING_CALL_WITH_ARG and one YIELDING_CALL_RESUME after its managed exit.
  EXPECT_EQ(count_of(s, "FFA_MSG_SEND_DIRECT_REQ_32"), 4u + 6u);
  EXPECT_EQ(count_of(s, "FFA_RUN"), 0u);
  const std::vector<ResultRow> results = s.results();
  const ResultRow* irq = row(results, "irq.timer");
  ASSERT_NE(irq, nullptr);
  EXPECT_LT(irq->max_ns, 2000.0);
  EXPECT_GT(irq->mean_ns_by_component.at("sp:8001 op-tee"), 0.0);  // OP-TEE's own exit path
}

TEST(SignaledInterrupt, OpteeIsPreemptedAndTheDriverResumesItWithFfaRun) {
  Stack s(long_invokes("signaled"));
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
  EXPECT_EQ(s.driver().invokes_done, 3u);
  EXPECT_EQ(count_of(s, "FFA_MSG_SEND_DIRECT_REQ_32"), 4u + 3u);  // the probe's, and one per invoke
  EXPECT_EQ(count_of(s, "FFA_RUN"), 3u);
  EXPECT_EQ(count_of(s, "sp.preempted"), 3u);
}

TEST(QueuedInterrupt, TheNonSecureInterruptWaitsUntilOpteeFinishesItsCall) {
  Stack s(long_invokes("queued"));
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
  EXPECT_EQ(count_of(s, "FFA_MSG_SEND_DIRECT_REQ_32"), 4u + 3u);  // the probe's, and one per invoke
  EXPECT_EQ(count_of(s, "FFA_RUN"), 0u);
  const std::vector<ResultRow> results = s.results();
  const ResultRow* irq = row(results, "irq.timer");
  ASSERT_NE(irq, nullptr);
  EXPECT_EQ(irq->count, 3u);
  // Held off by ICC_PMR_EL1 for the rest of a 1 ms call: the wait is all "irq-pending".
  EXPECT_GT(irq->min_ns, 10000.0);
  EXPECT_GT(irq->mean_ns_by_component.at("irq-pending"), 0.99 * irq->mean_ns);
}

}  // namespace
}  // namespace ffasim::testing
