// The assembled stack: workloads complete without errors, spans add up, the n1sdp profile
// reproduces TF-A's published PSCI_VERSION range, and bad configuration is one clear line.
#include "tests/unit/stack_fixture.h"

#include <numeric>

namespace ffasim::testing {
namespace {

nwd::WorkloadItem item(const std::string& kind, std::vector<unsigned> pes, uint64_t count,
                       std::map<std::string, double> params = {}) {
  nwd::WorkloadItem w;
  w.kind = kind;
  w.pes = std::move(pes);
  w.count = count;
  w.params = std::move(params);
  return w;
}

const ResultRow* find(const std::vector<ResultRow>& rows, const std::string& abi, const std::string& caller = "nwd") {
  for (auto& r : rows)
    if (r.abi == abi && r.caller == caller) return &r;
  return nullptr;
}
// A pointer into a temporary would dangle once the statement ends.
const ResultRow* find(std::vector<ResultRow>&& rows, const std::string& abi, const std::string& caller = "nwd") = delete;

std::string first_error(const ScenarioConfig& c) {
  try {
    Stack s(c);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(Stack, TheLinuxProbeFindsBothPartitionsAndOpteeWithoutErrors) {
  ScenarioConfig c;
  c.pe_count = 2;
  Stack s(c);
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
  const auto& d = s.driver();
  EXPECT_EQ(d.firmware_version, 0x10002u);
  EXPECT_EQ(d.own_id, 0u);
  ASSERT_EQ(d.devices.size(), 2u);
  EXPECT_EQ(d.devices[0].id, kOptee);
  EXPECT_EQ(d.devices[1].id, kTestSp);
  EXPECT_TRUE(d.optee_found);
  EXPECT_EQ(d.optee_api_major, 1u);
}

TEST(Stack, OpteeInvokesFromFourPesAllCompleteAndAreReportedAsOperations) {
  ScenarioConfig c;
  c.pe_count = 4;
  c.workload.push_back(item("optee_invoke", {0, 1, 2, 3}, 25));
  Stack s(c);
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
  EXPECT_EQ(s.driver().invokes_done, 100u);
  const std::vector<ResultRow> rows = s.results();
  const ResultRow* op = find(rows, "optee.invoke");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->count, 100u);
}

TEST(Stack, AThreadPoolSmallerThanTheClientsMakesSomeInvokesRetryOnBusy) {
  ScenarioConfig c;
  c.pe_count = 4;
  const std::string plat = std::string(FFASIM_SOURCE_DIR) + "/scenarios/platforms/";
  c.partitions = {{plat + "fvp_optee_sp_manifest.dts", "optee",
                   {{"threads", "1"}, {"cmd.0.work_cycles", "200000"}, {"cmd.0.rpcs", "1"}}},
                  {plat + "fvp_test_sp_manifest.dts", "test", {}}};
  c.workload.push_back(item("optee_invoke", {0, 1, 2, 3}, 5));
  Stack s(c);
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
  EXPECT_EQ(s.driver().invokes_done, 20u);
  EXPECT_GT(s.driver().busy_retries, 0u);
  EXPECT_EQ(s.driver().rpcs_served, 20u);
}

TEST(Stack, EverySpanBreakdownAddsUpToItsDuration) {
  ScenarioConfig c = bare_platform(1);
  c.keep_spans = true;
  c.workload.push_back(item("direct_echo", {0}, 20, {{"target", kTestSp}}));
  Stack s(c);
  size_t direct = 0;
  for (auto& sp : s.spans()) {
    double sum = 0;
    for (auto& [k, v] : sp.ns_by_component) sum += v;
    EXPECT_NEAR(sum, sp.end_ns - sp.start_ns, 1e-6) << sp.abi;
    if (sp.abi == "FFA_MSG_SEND_DIRECT_REQ_32" && sp.caller == "nwd") {
      ++direct;
      EXPECT_GT(sp.ns_by_component.at("spmd"), 0);
      EXPECT_GT(sp.ns_by_component.at("spmc"), 0);
      EXPECT_EQ(sp.ns_by_component.count("nwd"), 0u) << "the caller does not run during its call";
    }
  }
  EXPECT_EQ(direct, 20u);
}

TEST(Stack, TheReportBreaksADirectRequestDownIntoSpmdSpmcAndTheSp) {
  ScenarioConfig c = bare_platform(1);
  c.workload.push_back(item("direct_echo", {0}, 10, {{"target", kTestSp}}));
  Stack s(c);
  const std::vector<ResultRow> rows = s.results();
  const ResultRow* r = find(rows, "FFA_MSG_SEND_DIRECT_REQ_32");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->count, 10u);
  EXPECT_EQ(r->callee, "sp:8002 test-sp");
  double sum = 0;
  for (auto& [k, v] : r->mean_ns_by_component) sum += v;
  EXPECT_NEAR(sum, r->mean_ns, 1e-6);
  EXPECT_EQ(r->mean_ns_by_component.size(), 3u);  // spmd, spmc, sp:8002
  EXPECT_LE(r->min_ns, r->median_ns);
  EXPECT_LE(r->median_ns, r->p99_ns);
  EXPECT_LE(r->p99_ns, r->max_ns);
}

TEST(Stack, TheN1sdpProfilePutsAPsciVersionRoundTripInTfasPublishedRange) {
  ScenarioConfig c = bare_platform(1);
  c.profile = "n1sdp";
  c.workload.push_back(item("psci_version", {0}, 100));
  Stack s(c);
  const std::vector<ResultRow> rows = s.results();
  const ResultRow* r = find(rows, "PSCI_VERSION");
  ASSERT_NE(r, nullptr);
  // TF-A docs/perf: PSCI_VERSION on N1SDP takes 120-340 ns.
  EXPECT_GE(r->median_ns, 120.0);
  EXPECT_LE(r->median_ns, 340.0);
  EXPECT_DOUBLE_EQ(s.clock_hz(), 2.6e9);
}

TEST(StackErrors, AnUnknownProfileParameterIsOneLineWithAHint) {
  ScenarioConfig c = bare_platform(1);
  c.overrides = {{"spmd.smc_handler_insn", 10}};
  EXPECT_EQ(first_error(c), "override: unknown profile parameter 'spmd.smc_handler_insn' (did you mean 'spmd.smc_handler_insns'?)");
}

TEST(StackErrors, AMissingManifestNamesTheFile) {
  ScenarioConfig c = bare_platform(1);
  c.partitions = {{"/nonexistent/sp.dts", "test", {}}};
  EXPECT_EQ(first_error(c), "/nonexistent/sp.dts: file not found");
}

TEST(StackErrors, AnUnknownPartitionModelIsNamed) {
  ScenarioConfig c = bare_platform(1);
  const std::string m = std::string(FFASIM_SOURCE_DIR) + "/scenarios/platforms/fvp_test_sp_manifest.dts";
  c.partitions = {{m, "cactus", {}}};
  EXPECT_EQ(first_error(c), m + ": partition params: model: expected 'optee', 'test' or 'mm', got 'cactus'");
}

TEST(StackErrors, AnUnknownWorkloadKindIsNamed) {
  ScenarioConfig c = bare_platform(1);
  c.workload.push_back(item("bogus", {0}, 1));
  EXPECT_NE(first_error(c).find("bogus"), std::string::npos);
}

}  // namespace
}  // namespace ffasim::testing

namespace ffasim::testing {
namespace {

// Regression: OP-TEE freed a thread before the last work of its call was done, so 3 threads
// served 4 simultaneous clients without a single TEE_ERROR_BUSY.
TEST(Stack, FourClientsOnThreeOpteeThreadsContendForThem) {
  ScenarioConfig c;
  c.pe_count = 4;
  const std::string plat = std::string(FFASIM_SOURCE_DIR) + "/scenarios/platforms/";
  c.partitions = {{plat + "fvp_optee_sp_manifest.dts", "optee", {{"threads", "3"}, {"cmd.0.work_cycles", "100000"}}},
                  {plat + "fvp_test_sp_manifest.dts", "test", {}}};
  nwd::WorkloadItem w;
  w.kind = "optee_invoke";
  w.pes = {0, 1, 2, 3};
  w.count = 10;
  c.workload.push_back(w);
  Stack s(c);
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
  EXPECT_EQ(s.driver().invokes_done, 40u);
  EXPECT_GT(s.driver().busy_retries, 0u);
}

}  // namespace
}  // namespace ffasim::testing
