// Page ownership and access (models/spmc/memory_state.h) and the isolation checker
// (models/spmc/isolation_checker.h), driven without a simulation: the transitions of
// ../shared/reference/ffa-abi.md section 4.8, and a checker that catches each broken invariant.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/spmc/isolation_checker.h"
#include "models/spmc/memory_state.h"

namespace ffasim::spmc {
namespace {

using ffa::EndpointId;
using ffa::mem::Constituent;
using ffa::mem::Transaction;

constexpr EndpointId kNwd{0}, kSpmc{0x8000}, kSp{0x8002}, kOtherSp{0x8001};
constexpr uint64_t kNsPage = 0x80200000, kSpPage = 0x7000000, kSpmcPage = 0x6000000;

MemoryState platform() {
  MemoryState m;
  m.add_range({0x6000000, 0x2000000, true, kSpmc});
  m.add_range({0x80000000, 0x80000000, false, kNwd});
  m.add_range({0x7000000, 0x102000, true, kSp});
  m.add_range({0x6280000, 0x100000, true, kOtherSp});
  return m;
}

std::vector<PageKey> pages(const MemoryState& m, std::vector<Constituent> c) {
  std::vector<PageKey> out;
  EXPECT_TRUE(pages_of(m, c, out));
  return out;
}

// A transaction as memory_share.cpp records it, complete.
ShareState share_state(uint64_t handle, Transaction t, EndpointId sender, EndpointId borrower, uint64_t pa, uint32_t n) {
  ShareState s;
  s.handle = handle;
  s.type = t;
  s.complete = true;
  s.desc.sender = sender;
  s.desc.receivers = {ffa::mem::Emad{borrower, ffa::mem::perm::kRW}};
  ffa::mem::set_constituents(s.desc, {{pa, n}});
  s.receivers.resize(1);
  s.sender_access = access::kOwnerDefault;
  return s;
}

bool mentions(const std::vector<std::string>& v, const std::string& what) {
  for (auto& s : v)
    if (s.find(what) != std::string::npos) return true;
  return false;
}

TEST(MemoryState, InitialOwnersFollowTheRangesWithLaterRangesRefiningEarlierOnes) {
  const MemoryState m = platform();
  PageKey k;
  ASSERT_TRUE(m.page_of(kNsPage, k));
  EXPECT_FALSE(k.secure);
  EXPECT_EQ(m.get(k).owner, kNwd);
  EXPECT_EQ(m.get(k).of(kNwd), access::kOwnerDefault);
  ASSERT_TRUE(m.page_of(kSpPage + 0x1234, k));
  EXPECT_TRUE(k.secure);
  EXPECT_EQ(k.pa(), kSpPage + 0x1000);
  EXPECT_EQ(m.get(k).owner, kSp);
  ASSERT_TRUE(m.page_of(kSpmcPage, k));
  EXPECT_EQ(m.get(k).owner, kSpmc);
  EXPECT_FALSE(m.page_of(0x40000000, k));
}

TEST(MemoryState, APageBackAtItsInitialStateIsNoLongerTracked) {
  MemoryState m = platform();
  const auto p = pages(m, {{kNsPage, 1}});
  apply_send(m, p, 3, Transaction::Lend, kNwd);
  EXPECT_EQ(m.tracked().size(), 1u);
  apply_release(m, p, kNwd, access::kOwnerDefault);
  EXPECT_TRUE(m.tracked().empty());
}

TEST(MemoryState, EveryAccessChangeIsRecordedForTheStage2Builder) {
  MemoryState m = platform();
  const auto p = pages(m, {{kNsPage, 2}});
  apply_send(m, p, 3, Transaction::Lend, kNwd);
  apply_retrieve(m, p, kSp, access::kR | access::kW);
  const auto changes = m.take_changes();
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].endpoint, kNwd);
  EXPECT_EQ(changes[0].before, access::kOwnerDefault);
  EXPECT_EQ(changes[0].after, 0);
  EXPECT_EQ(changes[3].endpoint, kSp);
  EXPECT_EQ(changes[3].page.pa(), kNsPage + 0x1000);
  EXPECT_EQ(changes[3].after, access::kR | access::kW);
  EXPECT_TRUE(m.take_changes().empty());
}

TEST(MemoryState, OnlyTheOwnerWithExclusiveAccessMaySend) {
  MemoryState m = platform();
  uint8_t a = 0;
  EXPECT_TRUE(check_send(m, pages(m, {{kNsPage, 4}}), kNwd, access::kW, a));
  EXPECT_EQ(a, access::kOwnerDefault);
  EXPECT_FALSE(check_send(m, pages(m, {{kSpPage, 1}}), kNwd, 0, a));      // someone else's page
  EXPECT_FALSE(check_send(m, pages(m, {{kSpmcPage, 1}}), kSp, 0, a));     // the SPMC's own memory
  const auto p = pages(m, {{kNsPage, 1}});
  apply_send(m, p, 1, Transaction::Share, kNwd);
  EXPECT_FALSE(check_send(m, p, kNwd, 0, a));  // already in a transaction
}

TEST(MemoryState, ASenderCannotGrantAccessItDoesNotHave) {
  MemoryState m = platform();
  const auto p = pages(m, {{kNsPage, 1}});
  apply_release(m, p, kNwd, access::kR);  // read-only for its owner
  uint8_t a = 0;
  EXPECT_TRUE(check_send(m, p, kNwd, access::kR, a));
  EXPECT_FALSE(check_send(m, p, kNwd, access::kR | access::kW, a));
}

TEST(MemoryState, PagesOfMixedSecurityCannotBeSentTogether) {
  MemoryState m = platform();
  auto p = pages(m, {{kNsPage, 1}});
  apply_send(m, p, 1, Transaction::Donate, kNwd);
  apply_retrieve(m, p, kSp, access::kOwnerDefault);
  apply_release(m, p, kSp, access::kOwnerDefault);  // the SP now owns an NS page too
  p.push_back(pages(m, {{kSpPage, 1}})[0]);
  uint8_t a = 0;
  EXPECT_FALSE(check_send(m, p, kSp, 0, a));
}

TEST(MemoryState, LendRemovesTheLendersAccessAndShareKeepsIt) {
  MemoryState m = platform();
  const auto lent = pages(m, {{kNsPage, 1}}), shared = pages(m, {{kNsPage + 0x1000, 1}});
  apply_send(m, lent, 1, Transaction::Lend, kNwd);
  apply_send(m, shared, 2, Transaction::Share, kNwd);
  EXPECT_EQ(m.get(lent[0]).of(kNwd), 0);
  EXPECT_EQ(m.get(shared[0]).of(kNwd), access::kOwnerDefault);
  EXPECT_EQ(m.get(lent[0]).handle, 1u);
  EXPECT_EQ(m.get(lent[0]).owner, kNwd);
}

TEST(MemoryState, RetrieveGrantsRelinquishRemovesAndReleaseRestoresTheOwner) {
  MemoryState m = platform();
  const auto p = pages(m, {{kNsPage, 1}});
  apply_send(m, p, 1, Transaction::Lend, kNwd);
  apply_retrieve(m, p, kSp, access::kR);
  EXPECT_EQ(m.get(p[0]).of(kSp), access::kR);
  apply_relinquish(m, p, kSp);
  EXPECT_EQ(m.get(p[0]).of(kSp), 0);
  apply_release(m, p, kNwd, access::kOwnerDefault);
  EXPECT_EQ(m.get(p[0]).access.size(), 1u);
  EXPECT_EQ(m.get(p[0]).handle, ffa::mem::kInvalidHandle);
}

// --- the checker ----------------------------------------------------------------------------------

TEST(IsolationChecker, ALegalLendRetrieveRelinquishReclaimSequenceHasNoViolations) {
  MemoryState m = platform();
  IsolationChecker c;
  ShareState s = share_state(1, Transaction::Lend, kNwd, kSp, kNsPage, 2);
  const auto p = pages(m, s.desc.constituents);
  apply_send(m, p, 1, Transaction::Lend, kNwd);
  c.check(m, {&s}, "lend");
  apply_retrieve(m, p, kSp, access::kR | access::kW);
  s.receivers[0].retrievals = 1;
  s.receivers[0].granted = access::kR | access::kW;
  c.check(m, {&s}, "retrieve");
  apply_relinquish(m, p, kSp);
  s.receivers[0] = ReceiverState{};
  c.check(m, {&s}, "relinquish");
  apply_release(m, p, kNwd, access::kOwnerDefault);
  c.check(m, {}, "reclaim");
  c.expect_owner_only(m, p, kNwd, "reclaim");
  EXPECT_TRUE(c.violations().empty()) << c.violations().front();
  EXPECT_EQ(c.checks(), 4u);
}

TEST(IsolationChecker, ALenderThatKeptItsAccessIsAViolation) {
  MemoryState m = platform();
  ShareState s = share_state(1, Transaction::Lend, kNwd, kSp, kNsPage, 1);
  apply_send(m, pages(m, s.desc.constituents), 1, Transaction::Share, kNwd);  // the model "forgot"
  IsolationChecker c;
  c.check(m, {&s}, "FFA_MEM_LEND_32");
  EXPECT_TRUE(mentions(c.violations(), "the lender endpoint 0x0 can access NS page 0x80200000"));
  EXPECT_TRUE(mentions(c.violations(), "after FFA_MEM_LEND_32"));
}

TEST(IsolationChecker, ABorrowerStillMappedAfterRelinquishIsAViolation) {
  MemoryState m = platform();
  ShareState s = share_state(1, Transaction::Lend, kNwd, kSp, kNsPage, 1);
  const auto p = pages(m, s.desc.constituents);
  apply_send(m, p, 1, Transaction::Lend, kNwd);
  apply_retrieve(m, p, kSp, access::kR);  // and no retrieval recorded
  IsolationChecker c;
  c.check(m, {&s}, "relinquish");
  EXPECT_TRUE(mentions(c.violations(), "without holding a retrieval"));
  c.expect_no_access(m, p, kSp, "relinquish");
  EXPECT_TRUE(mentions(c.violations(), "endpoint 0x8002 still has r--"));
}

TEST(IsolationChecker, APageInNoTransactionAccessibleToAnotherEndpointIsAViolation) {
  MemoryState m = platform();
  const auto p = pages(m, {{kNsPage, 1}});
  apply_retrieve(m, p, kSp, access::kR);
  IsolationChecker c;
  c.check(m, {}, "reclaim");
  EXPECT_TRUE(mentions(c.violations(), "is in no transaction but endpoint 0x8002 has r--"));
  c.expect_owner_only(m, p, kNwd, "reclaim");
  EXPECT_TRUE(mentions(c.violations(), "is not back with endpoint 0x0 alone"));
}

TEST(IsolationChecker, SecureMemoryAccessibleToTheNormalWorldIsAViolation) {
  MemoryState m = platform();
  const auto p = pages(m, {{kSpPage, 1}});
  PageState s = m.get(p[0]);
  s.set(kNwd, access::kR);
  m.put(p[0], s);
  IsolationChecker c;
  c.check(m, {}, "share");
  EXPECT_TRUE(mentions(c.violations(), "secure page 0x7000000 is accessible to normal-world endpoint 0x0"));
}

TEST(IsolationChecker, TwoWritersOnAPageThatIsNotSharedIsAViolation) {
  MemoryState m = platform();
  ShareState s = share_state(1, Transaction::Lend, kNwd, kSp, kNsPage, 1);
  s.receivers[0].retrievals = 1;
  s.receivers[0].granted = access::kR | access::kW;
  const auto p = pages(m, s.desc.constituents);
  PageState st = m.get(p[0]);
  st.handle = 1;
  st.set(kSp, access::kR | access::kW);  // and the lender kept write access
  m.put(p[0], st);
  IsolationChecker c;
  c.check(m, {&s}, "retrieve");
  EXPECT_TRUE(mentions(c.violations(), "writable by 2 endpoints but not shared"));
}

TEST(IsolationChecker, TwoWritersOnASharedPageAreFine) {
  MemoryState m = platform();
  ShareState s = share_state(1, Transaction::Share, kNwd, kSp, kNsPage, 1);
  s.receivers[0].retrievals = 1;
  s.receivers[0].granted = access::kR | access::kW;
  const auto p = pages(m, s.desc.constituents);
  apply_send(m, p, 1, Transaction::Share, kNwd);
  apply_retrieve(m, p, kSp, access::kR | access::kW);
  IsolationChecker c;
  c.check(m, {&s}, "retrieve");
  EXPECT_TRUE(c.violations().empty()) << c.violations().front();
}

TEST(IsolationChecker, APageMarkedWithADeadHandleIsAViolation) {
  MemoryState m = platform();
  apply_send(m, pages(m, {{kNsPage, 1}}), 7, Transaction::Share, kNwd);
  IsolationChecker c;
  c.check(m, {}, "reclaim");
  EXPECT_TRUE(mentions(c.violations(), "handle 0x7, which is not a live transaction"));
}

TEST(IsolationChecker, ATransactionWhosePagesWereNotMovedIsAViolation) {
  MemoryState m = platform();
  ShareState s = share_state(2, Transaction::Share, kNwd, kSp, kNsPage, 1);
  IsolationChecker c;
  c.check(m, {&s}, "share");
  EXPECT_TRUE(mentions(c.violations(), "of handle 0x2 is not marked as in it"));
}

}  // namespace
}  // namespace ffasim::spmc
