// Conformance of the FF-A notification ABIs (FFA_NOTIFICATION_BITMAP_CREATE/DESTROY, BIND/UNBIND,
// SET, GET, INFO_GET), FFA_FEATURES' interrupt IDs and the SRI, with exact registers. The test
// SP sets notifications with CMD_NOTIFICATION_SET; held by the host (CMD_HOST) it makes any call.
// Expected values: ../shared/reference/ffa-abi.md sections 1.3, 1.5, 2.1, 6 and the Hafnium checks
// listed in models/spmc/notifications.cpp.
#include "tests/unit/stack_fixture.h"

#include "models/sp_test/test_sp.h"

namespace ffasim::testing {
namespace {

constexpr uint64_t kVersion = 0x84000063, kFeatures = 0x84000064, kReq32 = 0x8400006F, kResp32 = 0x84000070;
constexpr uint64_t kCreate = 0x8400007D, kDestroy = 0x8400007E, kBind = 0x8400007F, kUnbind = 0x84000080;
constexpr uint64_t kSet = 0x84000081, kGet = 0x84000082, kInfoGet32 = 0x84000083, kInfoGet64 = 0xC4000083;
constexpr uint64_t kSuccess64 = 0xC4000061;
constexpr uint64_t kGetSp = 1, kGetVm = 2, kGetSpm = 4, kGetHyp = 8;
constexpr uint64_t kPerVcpu = 1, kDelaySri = 2;
constexpr uint64_t kDenied = 0xFFFFFFFA, kInvalid = 0xFFFFFFFE;  // FF-A error codes as w3 of the test SP
namespace cmd = sp::test_sp;

uint64_t pair(uint16_t sender, uint16_t receiver) { return uint64_t(sender) << 16 | receiver; }

// The normal world at v1.2 with its bitmap (VM 0, one vCPU per PE), as Linux leaves it.
void nwd_ready(Stack& s) {
  ASSERT_EQ(nwd_call(s, R(kVersion, 0x10002))[0], 0x10002u);
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kCreate, 0, 2))));
}

// The test SP sets `ids` for `receiver` with `flags`; returns its direct response.
Regs sp_sets(Stack& s, uint16_t receiver, uint64_t flags, uint64_t ids, unsigned pe = 0) {
  return nwd_call(s, R(kReq32, pair(0, kTestSp), 0, cmd::CMD_NOTIFICATION_SET, receiver, flags, uint32_t(ids),
                       uint32_t(ids >> 32)), pe);
}
Regs sp_status(uint64_t status) { return R(kResp32, pair(kTestSp, 0), 0, status); }

TEST(NotificationBitmaps, CreatingTheBitmapOfAVmTwiceIsDenied) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kCreate, 0, 2))));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), nwd_call(s, R(kCreate, 0, 2))));
}

TEST(NotificationBitmaps, CreatingTheBitmapOfASecureIdIsInvalidParameters) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kCreate, 0x8002, 1))));
}

TEST(NotificationBitmaps, DestroyingABitmapThatWasNeverCreatedIsDenied) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), nwd_call(s, R(kDestroy, 3))));
}

TEST(NotificationBitmaps, DestroyingABitmapWithPendingNotificationsIsDeniedAndSucceedsOnceTheyAreRetrieved) {
  Stack s(bare_platform());
  nwd_ready(s);
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kBind, pair(kTestSp, 0), 0, 1u << 2))));
  ASSERT_TRUE(regs_eq(sp_status(0), sp_sets(s, 0, 0, 1u << 2)));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), nwd_call(s, R(kDestroy, 0))));
  ASSERT_TRUE(regs_eq(R(kSuccess32, 0, 1u << 2), nwd_call(s, R(kGet, 0, kGetSp))));
  EXPECT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kDestroy, 0))));
}

TEST(NotificationBind, BindingAnIdAlreadyBoundToAnotherSenderIsDenied) {
  Stack s(bare_platform());
  nwd_ready(s);
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kBind, pair(kOptee, 0), 0, 1u << 3))));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), nwd_call(s, R(kBind, pair(kTestSp, 0), 0, 1u << 3))));
}

TEST(NotificationBind, BindingWithAnEmptyBitmapIsInvalidParameters) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kBind, pair(kTestSp, 0), 0, 0, 0))));
}

TEST(NotificationBind, BindingForAVmWithoutABitmapIsInvalidParameters) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kBind, pair(kTestSp, 5), 0, 1))));
}

TEST(NotificationBind, BindingBeforeTheNormalWorldNegotiatedV1_1IsNotSupported) {
  Stack s(bare_platform());
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kCreate, 0, 2))));  // the caller is still v1.0
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(kBind, pair(kTestSp, 0), 0, 1))));
}

TEST(NotificationBind, TheNormalWorldBindingAVmAsSenderIsInvalidParameters) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kBind, pair(1, 0), 0, 1))));
}

TEST(NotificationBind, UnbindingWhileTheNotificationIsPendingIsDenied) {
  Stack s(bare_platform());
  nwd_ready(s);
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kBind, pair(kTestSp, 0), 0, 1u << 9))));
  ASSERT_TRUE(regs_eq(sp_status(0), sp_sets(s, 0, 0, 1u << 9)));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), nwd_call(s, R(kUnbind, pair(kTestSp, 0), 0, 1u << 9))));
  ASSERT_TRUE(regs_eq(R(kSuccess32, 0, 1u << 9), nwd_call(s, R(kGet, 0, kGetSp))));
  EXPECT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kUnbind, pair(kTestSp, 0), 0, 1u << 9))));
}

TEST(NotificationBind, BindFlagsOtherThanPerVcpuAreInvalidParameters) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kBind, pair(kTestSp, 0), 2, 1))));
}

TEST(NotificationBind, UnbindIgnoresW2AsHafniumDoes) {
  Stack s(bare_platform());
  nwd_ready(s);
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kBind, pair(kTestSp, 0), 0, 1))));
  EXPECT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kUnbind, pair(kTestSp, 0), 0xFF, 1))));
}

TEST(NotificationBind, UnbindingAnIdBoundToAnotherSenderIsDenied) {
  Stack s(bare_platform());
  nwd_ready(s);
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kBind, pair(kOptee, 0), 0, 1u << 1))));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), nwd_call(s, R(kUnbind, pair(kTestSp, 0), 0, 1u << 1))));
}

TEST(NotificationSet, SettingAnUnboundNotificationIsDenied) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(sp_status(kDenied), sp_sets(s, 0, 0, 1u << 5)));
}

TEST(NotificationSet, SettingANotificationBoundToAnotherSenderIsDenied) {
  Stack s(bare_platform());
  nwd_ready(s);
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kBind, pair(kOptee, 0), 0, 1u << 4))));
  EXPECT_TRUE(regs_eq(sp_status(kDenied), sp_sets(s, 0, 0, 1u << 4)));
}

TEST(NotificationSet, SettingForAVmWithoutABitmapIsInvalidParameters) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(sp_status(kInvalid), sp_sets(s, 7, 0, 1)));
}

TEST(NotificationSet, TheNormalWorldSettingAsAnSpIsInvalidParameters) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kSet, pair(kOptee, kTestSp), 0, 1))));
}

TEST(NotificationSet, TheNormalWorldAskingForADelayedSriIsInvalidParameters) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kSet, pair(0, kTestSp), kDelaySri, 1))));
}

TEST(NotificationSet, AnImmediateSetRaisesTheSriAtOnce) {
  Stack s(bare_platform());
  nwd_ready(s);
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kBind, pair(kTestSp, 0), 0, 1))));
  ASSERT_TRUE(regs_eq(sp_status(0), sp_sets(s, 0, 0, 1)));
  const auto st = s.notification_stats();
  EXPECT_EQ(st.at("sri_raised"), 1u);
  EXPECT_EQ(st.at("sri_delayed"), 0u);
  EXPECT_EQ(st.at("npi_recorded"), 0u);  // the receiver is the normal world
}

// Per-vCPU notifications: off (current Hafnium) and on.
TEST(NotificationPerVcpu, ThePerVcpuBindFlagIsInvalidParametersWhenTheSwitchIsOff) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS),
                      nwd_call(s, R(kBind, pair(kTestSp, 0), kPerVcpu, 1u << 10))));
}

TEST(NotificationPerVcpu, APerVcpuSetIsInvalidParametersWhenTheSwitchIsOff) {
  Stack s(bare_platform());
  nwd_ready(s);
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kBind, pair(kTestSp, 0), 0, 1u << 10))));
  EXPECT_TRUE(regs_eq(sp_status(kInvalid), sp_sets(s, 0, kPerVcpu | 1u << 16, 1u << 10)));
}

TEST(NotificationPerVcpu, APerVcpuNotificationIsListedWithItsVcpuAndRetrievedOnIt) {
  ScenarioConfig c = bare_platform();
  c.per_vcpu_notifications = true;
  Stack s(c);
  nwd_ready(s);
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kBind, pair(kTestSp, 0), kPerVcpu, 1u << 10))));
  // Bound per-vCPU: setting it as global is INVALID_PARAMETERS.
  EXPECT_TRUE(regs_eq(sp_status(kInvalid), sp_sets(s, 0, 0, 1u << 10)));
  ASSERT_TRUE(regs_eq(sp_status(0), sp_sets(s, 0, kPerVcpu | 1u << 16, 1u << 10)));
  // One list (bits[11:7] = 1) holding one vCPU ID (bits[13:12] = 1): x3 = ID 0, vCPU 1.
  EXPECT_TRUE(regs_eq(R(kSuccess64, 0, 1u << 7 | 1u << 12, 0x0001'0000), nwd_call(s, R(kInfoGet64))));
  EXPECT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kGet, 0, kGetSp))));  // vCPU 0 has none
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 1u << 10), nwd_call(s, R(kGet, 1u << 16 | 0, kGetSp))));
}

TEST(NotificationPerVcpu, AVcpuIdBeyondTheReceiversVcpusIsInvalidParameters) {
  ScenarioConfig c = bare_platform();
  c.per_vcpu_notifications = true;
  Stack s(c);
  nwd_ready(s);  // VM 0 has one vCPU per PE: 2
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kBind, pair(kTestSp, 0), kPerVcpu, 1))));
  EXPECT_TRUE(regs_eq(sp_status(kInvalid), sp_sets(s, 0, kPerVcpu | 2u << 16, 1)));
}

TEST(NotificationGet, TheSpBitmapIsReturnedInW2W3AndClearedByTheGet) {
  Stack s(bare_platform());
  nwd_ready(s);
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kBind, pair(kTestSp, 0), 0, 0, 1u << 1))));  // ID 33
  ASSERT_TRUE(regs_eq(sp_status(0), sp_sets(s, 0, 0, 1ull << 33)));
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 0, 1u << 1), nwd_call(s, R(kGet, 0, kGetSp | kGetSpm))));
  EXPECT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kGet, 0, kGetSp | kGetSpm))));
}

TEST(NotificationGet, TheSpmFrameworkFlagAloneReturnsNoSpNotifications) {
  Stack s(bare_platform());
  nwd_ready(s);
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kBind, pair(kTestSp, 0), 0, 1))));
  ASSERT_TRUE(regs_eq(sp_status(0), sp_sets(s, 0, 0, 1)));
  EXPECT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kGet, 0, kGetSpm))));
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 1), nwd_call(s, R(kGet, 0, kGetSp))));  // still pending
}

TEST(NotificationGet, TheVmBitmapFlagForAVmReceiverIsInvalidParameters) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kGet, 0, kGetVm))));
}

TEST(NotificationGet, TheHypervisorBitmapFlagForAVmReceiverIsInvalidParameters) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kGet, 0, kGetHyp))));
}

TEST(NotificationGet, FlagBitsAbove3AreInvalidParameters) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kGet, 0, 0x10))));
}

TEST(NotificationGet, TheNormalWorldGettingAnSpsNotificationsIsInvalidParameters) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kGet, kTestSp, kGetSp))));
}

TEST(NotificationInfoGet, NothingPendingIsNoData) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NO_DATA), nwd_call(s, R(kInfoGet64))));
}

TEST(NotificationInfoGet, TheSmc32FormIsNotSupportedAsInHafnium) {
  Stack s(bare_platform());
  nwd_ready(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(kInfoGet32))));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(kFeatures, kInfoGet32))));
  EXPECT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kFeatures, kInfoGet64))));
}

TEST(NotificationInfoGet, AGlobalNotificationIsOneListOfSizeZeroReportedOnce) {
  Stack s(bare_platform());
  nwd_ready(s);
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kBind, pair(kTestSp, 0), 0, 1))));
  ASSERT_TRUE(regs_eq(sp_status(0), sp_sets(s, 0, 0, 1)));
  EXPECT_TRUE(regs_eq(R(kSuccess64, 0, 1u << 7, 0), nwd_call(s, R(kInfoGet64))));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NO_DATA), nwd_call(s, R(kInfoGet64))));
}

// 25 VMs with a pending notification each: 20 lists fit in x3-x7 with "more pending" set, the
// other 5 come with the next call.
TEST(NotificationInfoGet, MorePendingThanFitSetsTheMorePendingFlagAndTheRestComesNext) {
  Stack s(bare_platform());
  nwd_ready(s);
  for (uint16_t vm = 1; vm <= 25; ++vm) {
    ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kCreate, vm, 1))));
    ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kBind, pair(kTestSp, vm), 0, 1))));
    ASSERT_TRUE(regs_eq(sp_status(0), sp_sets(s, vm, 0, 1)));
  }
  EXPECT_TRUE(regs_eq(R(kSuccess64, 0, 1 | 20u << 7, 0x0004'0003'0002'0001, 0x0008'0007'0006'0005,
                        0x000C'000B'000A'0009, 0x0010'000F'000E'000D, 0x0014'0013'0012'0011),
                      nwd_call(s, R(kInfoGet64))));
  EXPECT_TRUE(regs_eq(R(kSuccess64, 0, 5u << 7, 0x0018'0017'0016'0015, 0x0019), nwd_call(s, R(kInfoGet64))));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NO_DATA), nwd_call(s, R(kInfoGet64))));
}

TEST(NotificationFeatures, TheNormalWorldGetsTheSriSgi8AndNoNpiOrMei) {
  Stack s(bare_platform());
  ASSERT_EQ(nwd_call(s, R(kVersion, 0x10002))[0], 0x10002u);
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 8), nwd_call(s, R(kFeatures, 2))));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(kFeatures, 1))));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(kFeatures, 3))));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(kFeatures, 2, 1))));  // w2 not 0
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(kFeatures, 4))));  // v1.3 only
  EXPECT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kFeatures, kCreate))));
}

TEST(NotificationFeatures, TheTfaEl3SpmcFlavourAnswersNoFeatureId) {
  ScenarioConfig c = bare_platform();
  c.spmc_flavour = "tfa-el3-spmc";
  Stack s(c);
  ASSERT_EQ(nwd_call(s, R(kVersion, 0x10002))[0], 0x10002u);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(kFeatures, 2))));
}

TEST(NotificationFeatures, TheNotificationAbisAreNotSupportedToAV1_0Caller) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(kFeatures, kCreate))));
}

}  // namespace
}  // namespace ffasim::testing

namespace ffasim::testing {
namespace {

// The test SP held by the host on PE 0 (its vCPU 0); the normal world works on PE 1.
struct HeldSp {
  Stack s;
  static ScenarioConfig config() {
    ScenarioConfig c = bare_platform();
    c.cpu_on_idle_pes = true;
    return c;
  }
  HeldSp() : s(config()) {
    nwd_ready(s);
    Regs out{};
    EXPECT_FALSE(s.call(0, 0, R(kReq32, pair(0, kTestSp), 0, cmd::CMD_HOST), out));
    EXPECT_TRUE(s.host_waiting(kTestSp, 0));
  }
  Regs call(const Regs& in) {
    Regs out{};
    EXPECT_TRUE(s.call(kTestSp, 0, in, out)) << "the SP's call did not return";
    return out;
  }
};

TEST(NotificationSp, AnSpBindsTheNormalWorldAndGetsWhatItSetFromTheVmBitmap) {
  HeldSp h;
  ASSERT_TRUE(regs_eq(R(kSuccess32), h.call(R(kBind, pair(0, kTestSp), 0, 1u << 7))));
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(h.s, R(kSet, pair(0, kTestSp), 0, 1u << 7), 1)));
  EXPECT_EQ(h.s.notification_stats().at("npi_recorded"), 1u);
  // INFO_GET lists the SP: one list, x3 = 0x8002.
  EXPECT_TRUE(regs_eq(R(kSuccess64, 0, 1u << 7, kTestSp), nwd_call(h.s, R(kInfoGet64), 1)));
  EXPECT_TRUE(regs_eq(R(kSuccess32), h.call(R(kGet, kTestSp, kGetSp))));  // nothing from SPs
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 0, 0, 1u << 7), h.call(R(kGet, kTestSp, kGetVm | kGetHyp))));
}

TEST(NotificationSp, AnSpBindingForAnotherReceiverIsInvalidParameters) {
  HeldSp h;
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), h.call(R(kBind, pair(0, kOptee), 0, 1))));
}

TEST(NotificationSp, AnSpSettingAsAnotherSenderIsInvalidParameters) {
  HeldSp h;
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), h.call(R(kSet, pair(kOptee, 0), 0, 1))));
}

TEST(NotificationSp, AnSpGettingAnotherReceiversNotificationsIsInvalidParameters) {
  HeldSp h;
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), h.call(R(kGet, 0, kGetSp))));
}

TEST(NotificationSp, InfoGetAndBitmapCreateFromAnSpAreNotSupported) {
  HeldSp h;
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), h.call(R(kInfoGet64))));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), h.call(R(kCreate, 1, 1))));
}

TEST(NotificationSp, AnS_El1SpGetsTheNpi5AndMei4ButNoSri) {
  HeldSp h;
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 5), h.call(R(kFeatures, 1))));
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 4), h.call(R(kFeatures, 3))));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), h.call(R(kFeatures, 2))));
}

TEST(NotificationSp, ADelayedSriWaitsForTheReturnToTheNormalWorld) {
  HeldSp h;
  ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(h.s, R(kBind, pair(kTestSp, 0), 0, 1u << 3), 1)));
  ASSERT_TRUE(regs_eq(R(kSuccess32), h.call(R(kSet, pair(kTestSp, 0), kDelaySri, 1u << 3))));
  EXPECT_EQ(h.s.notification_stats().at("sri_delayed"), 1u);
  EXPECT_EQ(h.s.notification_stats().at("sri_raised"), 0u);  // the SP still runs on PE 0
  Regs out{};
  EXPECT_FALSE(h.s.call(kTestSp, 0, R(kResp32, pair(kTestSp, 0)), out));  // back to the normal world
  EXPECT_EQ(h.s.notification_stats().at("sri_raised"), 1u);
}

TEST(NotificationSp, TheSetterOfAnSpsNotificationCannotBeTheSpItself) {
  HeldSp h;
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), h.call(R(kSet, pair(kTestSp, kTestSp), 0, 1))));
}

}  // namespace
}  // namespace ffasim::testing

namespace ffasim::testing {
namespace {

// The Linux drivers against the SPMC: the probe creates the bitmap, finds the SRI and binds
// OP-TEE's bottom-half notification (ID 0, the first free one).
TEST(NotificationDriver, TheLinuxProbeEnablesNotificationsAndBindsOpteesBottomHalf) {
  ScenarioConfig c = bare_platform();
  c.linux_driver = true;
  Stack s(c);
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
  EXPECT_TRUE(s.driver().notifications_enabled);
  EXPECT_EQ(s.driver().optee_bottom_half, 0);
  EXPECT_NE(s.driver().optee_caps & 2u, 0u);  // OPTEE_FFA_SEC_CAP_ASYNC_NOTIF
}

TEST(NotificationDriver, EachSetGetRoundTripReachesTheCallbackThroughTheSriHandler) {
  ScenarioConfig c = bare_platform();
  c.linux_driver = true;
  c.workload = {{"notification_set_get", {1}, 5, {{"target", kTestSp}, {"id", 4}}}};
  Stack s(c);
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
  const auto& d = s.driver();
  EXPECT_EQ(d.sri_handled, 5u);
  EXPECT_EQ(d.info_gets, 5u);  // one each: it lists the kernel with "more pending" clear
  EXPECT_EQ(d.notification_gets, 5u);
  EXPECT_EQ(d.notif_callbacks.at(4), 5u);
  EXPECT_EQ(d.notif_unhandled, 0u);
  EXPECT_EQ(d.receivers_unscheduled, 0u);
  const auto st = s.notification_stats();
  EXPECT_EQ(st.at("sri_delayed"), 5u);
  EXPECT_EQ(st.at("sri_raised"), 5u);
}

// A per-vCPU notification for PE 1's vCPU: INFO_GET lists [0, 1], the handler gets it on vCPU 1.
TEST(NotificationDriver, APerVcpuRoundTripIsListedWithThePesVcpuAndRetrievedOnIt) {
  ScenarioConfig c = bare_platform();
  c.linux_driver = true;
  c.per_vcpu_notifications = true;
  c.workload = {{"notification_set_get", {1}, 3, {{"target", kTestSp}, {"id", 9}, {"per_vcpu", 1}}}};
  Stack s(c);
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
  EXPECT_EQ(s.driver().notif_callbacks.at(9), 3u);
  EXPECT_EQ(s.driver().notification_gets, 3u);
}

TEST(NotificationDriver, APerVcpuWorkloadWithTheSwitchOffFailsAtTheBindWithOneLine) {
  ScenarioConfig c = bare_platform();
  c.linux_driver = true;
  c.workload = {{"notification_set_get", {1}, 3, {{"target", kTestSp}, {"per_vcpu", 1}}}};
  Stack s(c);
  ASSERT_EQ(s.errors().size(), 1u);
  EXPECT_NE(s.errors()[0].find("ffa_notify_request"), std::string::npos) << s.errors()[0];
  EXPECT_NE(s.errors()[0].find("FFA_INVALID_PARAMETERS"), std::string::npos) << s.errors()[0];
}

}  // namespace
}  // namespace ffasim::testing
