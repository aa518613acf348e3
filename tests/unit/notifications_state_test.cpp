// The notification state (models/spmc/notifications_state.h) without a simulation: bindings,
// pending bits, and the FFA_NOTIFICATION_INFO_GET packing of ../shared/reference/ffa-abi.md
// section 6.4 in both forms, with per-vCPU lists.
#include <gtest/gtest.h>

#include "models/spmc/notifications_state.h"

namespace ffasim::spmc {
namespace {

using ffa::EndpointId;
constexpr EndpointId kSp{0x8002}, kOtherSp{0x8001}, kVm{0};

NotificationsState one_sp(unsigned vcpus) {
  NotificationsState s;
  s.sps.resize(1);
  init_receiver(s.sps[0], kSp, vcpus, true);
  return s;
}

TEST(NotificationState, BoundToIsTrueOnlyWhenEveryIdHasThatSender) {
  NotificationReceiver r;
  init_receiver(r, kSp, 1, true);
  update_bindings(r.from_vm, 0b11, kVm, false);
  EXPECT_TRUE(bound_to(r.from_vm, 0b11, kVm));
  EXPECT_FALSE(bound_to(r.from_vm, 0b111, kVm));
  EXPECT_FALSE(bound_to(r.from_vm, 0b1, ffa::kInvalidVmId));
  EXPECT_TRUE(bound_to(r.from_vm, 0b100, ffa::kInvalidVmId));
  update_bindings(r.from_vm, 0b1, ffa::kInvalidVmId, false);
  EXPECT_TRUE(bound_to(r.from_vm, 0b1, ffa::kInvalidVmId));
}

TEST(NotificationState, TheSourceClassFollowsTheSendersWorld) {
  NotificationReceiver r;
  init_receiver(r, kSp, 1, true);
  EXPECT_EQ(&source_set(r, kOtherSp), &r.from_sp);
  EXPECT_EQ(&source_set(r, kVm), &r.from_vm);
}

TEST(NotificationState, TakePendingReturnsGlobalAndThisVcpusBitsAndClearsThem) {
  NotificationReceiver r;
  init_receiver(r, kSp, 2, true);
  set_pending(r, r.from_sp, 0x1, false, 0, true);
  set_pending(r, r.from_sp, 0x2, true, 1, true);
  EXPECT_TRUE(r.npi_pending);
  EXPECT_TRUE(r.npi_pending_vcpu[1]);
  EXPECT_EQ(take_pending(r.from_sp, 0), 0x1u);
  EXPECT_EQ(take_pending(r.from_sp, 1), 0x2u);
  EXPECT_FALSE(any_pending(r));
}

TEST(NotificationState, PerVcpuListsHoldAtMostThreeVcpuIdsAfterTheReceiverId) {
  NotificationsState s = one_sp(4);
  NotificationReceiver& r = s.sps[0];
  set_pending(r, r.from_vm, 1, false, 0, true);
  for (unsigned v = 0; v < 4; ++v) set_pending(r, r.from_vm, 2, true, v, true);
  std::array<uint64_t, 6> x{};
  ASSERT_TRUE(info_get(s, true, x));
  // Lists [0x8002, 0, 1, 2] (3 vCPU IDs) and [0x8002, 3] (1): 2 lists, sizes 3 and 1.
  EXPECT_EQ(x[0], 2u << 7 | 3u << 12 | 1u << 14);
  EXPECT_EQ(x[1], 0x0002'0001'0000'8002u);
  EXPECT_EQ(x[2], 0x0000'0000'0003'8002u);
  EXPECT_EQ(x[3], 0u);
  EXPECT_FALSE(info_get(s, true, x));  // all reported
}

TEST(NotificationState, The32BitFormPacksTwoIdsPerRegisterAndStopsAtTen) {
  NotificationsState s;
  for (uint16_t vm = 1; vm <= 11; ++vm) {
    init_receiver(s.vms[vm], EndpointId(vm), 1, true);
    set_pending(s.vms[vm], s.vms[vm].from_sp, 1, false, 0, false);
  }
  std::array<uint64_t, 6> x{};
  ASSERT_TRUE(info_get(s, false, x));
  EXPECT_EQ(x[0], 1u | 10u << 7);
  EXPECT_EQ(x[1], 0x0002'0001u);
  EXPECT_EQ(x[5], 0x000A'0009u);
  ASSERT_TRUE(info_get(s, false, x));
  EXPECT_EQ(x[0], 1u << 7);
  EXPECT_EQ(x[1], 0x000Bu);
}

TEST(NotificationState, AReceiverThatDoesNotFitIsReportedByTheNextCall) {
  NotificationsState s = one_sp(2);
  for (uint16_t vm = 1; vm <= 19; ++vm) {
    init_receiver(s.vms[vm], EndpointId(vm), 1, true);
    set_pending(s.vms[vm], s.vms[vm].from_sp, 1, false, 0, false);
  }
  // The SP (listed first) takes 2 IDs for vCPU 1: [0x8002, 1]; then 18 VMs fit, VM 19 does not.
  set_pending(s.sps[0], s.sps[0].from_vm, 1, true, 1, true);
  std::array<uint64_t, 6> x{};
  ASSERT_TRUE(info_get(s, true, x));
  EXPECT_EQ(x[0] & 1, 1u);
  EXPECT_EQ((x[0] >> 7) & 0x1F, 19u);
  EXPECT_EQ(x[1] & 0xFFFF'FFFF, 0x0001'8002u);
  ASSERT_TRUE(info_get(s, true, x));
  EXPECT_EQ(x[0], 1u << 7);
  EXPECT_EQ(x[1], 19u);
}

}  // namespace
}  // namespace ffasim::spmc
