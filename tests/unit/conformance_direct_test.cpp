// Conformance of direct messaging and CPU-cycle ABIs from the normal world, with the test SP's
// command vocabulary (models/sp_test/test_sp.h). Expected values: ../shared/reference/ffa-abi.md
// sections 1.5, 1.6, 5.1, 5.2 and the Hafnium checks noted in models/spmc.
#include "tests/unit/stack_fixture.h"

#include "models/sp_test/test_sp.h"

namespace ffasim::testing {
namespace {

constexpr uint64_t kReq32 = 0x8400006F, kResp32 = 0x84000070, kReq64 = 0xC400006F;
constexpr uint64_t kResp64 = 0xC4000070, kReq2 = 0xC400008D, kResp2 = 0xC400008E;
constexpr uint64_t kMsgWait = 0x8400006B, kRun = 0x8400006D, kVersion = 0x84000063;
constexpr uint64_t kIdGet = 0x84000069;
namespace cmd = sp::test_sp;

uint64_t to(uint16_t receiver, uint16_t sender = 0) { return (uint64_t(sender) << 16) | receiver; }
uint64_t from(uint16_t sender, uint16_t receiver = 0) { return (uint64_t(sender) << 16) | receiver; }

TEST(DirectMessaging, EchoToTheTestSpReturnsThePayloadInADirectResponse) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(R(kResp32, from(kTestSp), 0, cmd::STATUS_OK, 0x11, 0x22, 0x33, 0x44),
                      nwd_call(s, R(kReq32, to(kTestSp), 0, cmd::CMD_ECHO, 0x11, 0x22, 0x33, 0x44))));
}

TEST(DirectMessaging, A64BitRequestIsAnsweredWithA64BitResponse) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(R(kResp64, from(kTestSp), 0, cmd::STATUS_OK, 1ull << 40, 2, 3, 4),
                      nwd_call(s, R(kReq64, to(kTestSp), 0, cmd::CMD_ECHO, 1ull << 40, 2, 3, 4))));
}

TEST(DirectMessaging, ARequestToAnUnknownPartitionIsInvalidParameters) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kReq32, to(0x8009), 0, 1))));
}

TEST(DirectMessaging, ARequestToTheSpmcIdIsInvalidParameters) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kReq32, to(0x8000), 0, 1))));
}

TEST(DirectMessaging, ARequestToANormalWorldIdIsInvalidParameters) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kReq32, to(0x0001), 0, 1))));
}

TEST(DirectMessaging, ANormalWorldRequestClaimingASecureSenderIsInvalidParameters) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS),
                      nwd_call(s, R(kReq32, to(kTestSp, kOptee), 0, 1))));
}

TEST(DirectMessaging, ANonZeroW2InAPartitionMessageIsInvalidParameters) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kReq32, to(kTestSp), 5, 1))));
}

TEST(DirectMessaging, ARequestToAPartitionThatCannotReceiveThemIsDenied) {
  ScenarioConfig c = bare_platform();
  const std::string plat = std::string(FFASIM_SOURCE_DIR) + "/scenarios/platforms/";
  c.partitions = {{plat + "fvp_optee_sp_manifest.dts", "optee", {}},
                  {plat + "fvp_test_sp_manifest.dts", "test", {}},
                  {std::string(FFASIM_SOURCE_DIR) + "/tests/data/manifests/send_only_sp.dts", "test", {}}};
  Stack s(c);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), nwd_call(s, R(kReq32, to(0x8003), 0, 1))));
}

TEST(DirectMessaging, Req2ToTheTestSpEchoesX4ToX17) {
  Stack s(bare_platform());
  ASSERT_EQ(nwd_call(s, R(kVersion, 0x10002))[0], 0x10002u);
  Regs in{};
  in[0] = kReq2;
  in[1] = to(kTestSp);
  for (int i = 4; i < 18; ++i) in[i] = 0x100 + i;
  const Regs out = nwd_call(s, in);
  EXPECT_EQ(out[0], kResp2);
  EXPECT_EQ(out[1], from(kTestSp));
  EXPECT_EQ(out[2], 0u);
  EXPECT_EQ(out[3], 0u);
  for (int i = 4; i < 18; ++i) EXPECT_EQ(out[i], uint64_t(0x100 + i)) << "x" << i;
}

TEST(DirectMessaging, Req2WithAUuidTheReceiverDoesNotHaveIsInvalidParameters) {
  Stack s(bare_platform());
  nwd_call(s, R(kVersion, 0x10002));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kReq2, to(kTestSp), 0x1234, 0x5678))));
}

TEST(DirectMessaging, Req2ToOpteeIsDeniedBecauseItCannotReceiveReq2) {
  Stack s(bare_platform());
  nwd_call(s, R(kVersion, 0x10002));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), nwd_call(s, R(kReq2, to(kOptee)))));
}

TEST(DirectMessaging, Req2FromAV10CallerIsNotForwardedByTheSpmd) {
  Stack s(bare_platform());
  nwd_call(s, R(kVersion, 0x10000));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(kReq2, to(kTestSp)))));
}

TEST(DirectMessaging, ASpRequestingItselfThroughTheCallChainGetsDenied) {
  Stack s(bare_platform());
  const Regs out = nwd_call(s, R(kReq32, to(kTestSp), 0, cmd::CMD_REQ_ECHO, kTestSp, 7));
  EXPECT_EQ(out[0], kResp32);
  EXPECT_EQ(uint32_t(out[3]), uint32_t(int32_t(ffa::Error::DENIED)));
}

TEST(DirectMessaging, AnSpToSpRequestEchoReturnsTheTargetsAnswer) {
  ScenarioConfig c = bare_platform();
  const std::string plat = std::string(FFASIM_SOURCE_DIR) + "/scenarios/platforms/";
  c.partitions = {{plat + "fvp_optee_sp_manifest.dts", "optee", {}},
                  {plat + "fvp_test_sp_manifest.dts", "test", {}}};
  Stack s(c);
  // The test SP asks OP-TEE's service 0 (GET_API_VERSION: w3 = 1, w4 = 0) through CMD_REQ_ECHO,
  // since x3 of the relayed request is CMD_ECHO = 1 = OPTEE GET_OS_VERSION: w3 = 4, w4 = 10.
  const Regs out = nwd_call(s, R(kReq32, to(kTestSp), 0, cmd::CMD_REQ_ECHO, kOptee, 9, 9, 9));
  EXPECT_EQ(out[0], kResp32);
  EXPECT_EQ(out[3], cmd::STATUS_OK);
  EXPECT_EQ(out[4], 10u);  // the target's x4
}

TEST(CpuCycles, MsgWaitFromTheNormalWorldIsNotSupportedByTheSpmd) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(kMsgWait))));
}

TEST(CpuCycles, RunOfAWaitingSpReturnsItsMsgWaitToTheNormalWorld) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(R(kMsgWait), nwd_call(s, R(kRun, uint64_t(kTestSp) << 16 | 0))));
}

TEST(CpuCycles, RunOfAnotherPesVcpuOfAnMpPartitionIsInvalidParameters) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kRun, uint64_t(kTestSp) << 16 | 1))));
}

TEST(CpuCycles, RunOfAVcpuIndexBeyondThePartitionIsInvalidParameters) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kRun, uint64_t(kTestSp) << 16 | 8))));
}

TEST(CpuCycles, RunOfAnUnknownPartitionIsInvalidParameters) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kRun, uint64_t(0x8009) << 16))));
}

TEST(Spmd, AnUnknownSmcReturnsSmcUnknownAsMinusOne) {
  Stack s(bare_platform());
  EXPECT_EQ(nwd_call(s, R(0x82000010))[0], ~0ull);
}

TEST(Spmd, AnFfaFunctionNumberOutsideTheTableIsNotSupported) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(0x84000091))));
}

TEST(Spmd, PsciVersionIsAnsweredAtEl3As1_1) {
  Stack s(bare_platform());
  EXPECT_EQ(nwd_call(s, R(0x84000000))[0], 0x10001u);
}

TEST(HostDrivenSp, TheTestSpHandedToTheHostMakesCallsAndAnswersTheNormalWorld) {
  Stack s(bare_platform());
  Regs out{};
  // The request does not return yet: the SP now waits for the host.
  EXPECT_FALSE(s.call(0, 0, R(kReq32, to(kTestSp), 0, cmd::CMD_HOST), out));
  ASSERT_TRUE(s.host_waiting(kTestSp, 0));
  EXPECT_EQ(s.last_input(kTestSp, 0)[3], cmd::CMD_HOST);
  ASSERT_TRUE(s.call(kTestSp, 0, R(kIdGet), out));
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, kTestSp), out));
  // Answering hands the cycles back: the SP's call does not return, the normal world's does.
  EXPECT_FALSE(s.call(kTestSp, 0, R(kResp32, from(kTestSp), 0, 0, 42), out));
  EXPECT_TRUE(regs_eq(R(kResp32, from(kTestSp), 0, 0, 42), s.last_input(0, 0)));
}

TEST(HostDrivenSp, AResponseToAnEndpointOtherThanTheOriginatorIsDenied) {
  Stack s(bare_platform());
  Regs out{};
  EXPECT_FALSE(s.call(0, 0, R(kReq32, to(kTestSp), 0, cmd::CMD_HOST), out));
  ASSERT_TRUE(s.call(kTestSp, 0, R(kResp32, from(kTestSp, 0x0005)), out));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), out));
  ASSERT_TRUE(s.call(kTestSp, 0, R(kMsgWait), out));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), out));
}

}  // namespace
}  // namespace ffasim::testing

namespace ffasim::testing {
namespace {

constexpr uint64_t kReq32b = 0x8400006F, kRxRelease = 0x84000065, kRxtxMap64 = 0xC4000066;
constexpr uint64_t kVersion32 = 0x84000063, kRun32 = 0x8400006D, kFeatures32 = 0x84000064;

// The test SP held by the host: each call below is made from S-EL1 and trapped by the SPMC.
struct HeldSp {
  Stack s{bare_platform()};
  HeldSp() {
    Regs out{};
    EXPECT_FALSE(s.call(0, 0, R(kReq32b, kTestSp, 0, sp::test_sp::CMD_HOST), out));
    EXPECT_TRUE(s.host_waiting(kTestSp, 0));
  }
  Regs call(const Regs& in) {
    Regs out{};
    EXPECT_TRUE(s.call(kTestSp, 0, in, out)) << "the SP's call did not return";
    return out;
  }
};

TEST(SpCalls, ADirectRequestFromAnSpToTheNormalWorldIsInvalidParameters) {
  HeldSp h;
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), h.call(R(kReq32b, uint64_t(kTestSp) << 16 | 0))));
}

TEST(SpCalls, AnSpClaimingAnotherSpsIdAsSenderIsInvalidParameters) {
  HeldSp h;
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), h.call(R(kReq32b, uint64_t(kOptee) << 16 | kOptee))));
}

TEST(SpCalls, RxReleaseFromAnSpWithANonZeroIdIsInvalidParameters) {
  HeldSp h;
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), h.call(R(kRxRelease, kTestSp))));
}

TEST(SpCalls, ASecondRxtxMapFromAnSpThatMappedAtBootIsDenied) {
  HeldSp h;
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), h.call(R(kRxtxMap64, 0x7200000, 0x7201000, 1))));
}

TEST(SpCalls, FfaVersionWithBit31FromAnSpIsNotSupportedSignExtendedInX0) {
  HeldSp h;
  EXPECT_EQ(h.call(R(kVersion32, 0x80010002))[0], ~0ull);  // Hafnium sets .func, not .arg2
}

TEST(SpCalls, FfaRunFromAnSpIsNotSupported) {
  HeldSp h;
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), h.call(R(kRun32, uint64_t(kOptee) << 16))));
}

TEST(SpCalls, AnSpCanDirectlyRequestAnotherSpWhileItHandlesTheNormalWorldsRequest) {
  HeldSp h;
  // OP-TEE's GET_API_VERSION (service 0): w3 = 1, w4 = 0.
  EXPECT_TRUE(regs_eq(R(0x84000070, uint64_t(kOptee) << 16 | kTestSp, 0, 1, 0),
                      h.call(R(kReq32b, uint64_t(kTestSp) << 16 | kOptee, 0, 0))));
}

TEST(SpCalls, FeaturesOfFfaRunFromAnSpIsNotSupportedBecauseSpsCannotCallIt) {
  HeldSp h;
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), h.call(R(kFeatures32, kRun32))));
}

}  // namespace
}  // namespace ffasim::testing
