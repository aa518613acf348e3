// Conformance of FF-A memory management (FFA_MEM_SHARE/LEND/DONATE, FFA_MEM_FRAG_TX/RX,
// FFA_MEM_RETRIEVE_REQ/RESP, FFA_MEM_RELINQUISH, FFA_MEM_RECLAIM and their FFA_FEATURES) with
// exact registers: the normal world on PE 1, the test SP held by the host on PE 0, the isolation
// checker on (any violation fails the test from ~MemStack). Expected values:
// ../shared/reference/ffa-abi.md sections 1.5, 2.2, 4 and the Hafnium/TF-A behaviour recorded in
// models/spmc/memory_share.cpp.
#include "tests/unit/mem_fixture.h"

namespace ffasim::testing {
namespace {

using mem::Transaction;

Regs success_handle(uint64_t h) { return R(kSuccess32, 0, uint32_t(h), uint32_t(h >> 32)); }
Regs invalid() { return error_regs(ffa::Error::INVALID_PARAMETERS); }
Regs denied() { return error_regs(ffa::Error::DENIED); }

// --- share, retrieve, relinquish, reclaim ----------------------------------------------------------

TEST(MemShare, ANormalWorldShareToTheTestSpReturnsHandleZeroInW2W3) {
  MemStack m;
  const auto b = mem::build_transaction(nwd_send({{kPool, 1}}), mem::Layout::V1_1);
  EXPECT_TRUE(regs_eq(success_handle(0), m.nwd_send_regs(b)));
  const PageAccessInfo p = m.s.page_access(kPool);
  EXPECT_EQ(p.handle, 0u);
  EXPECT_EQ(p.access, (std::map<uint16_t, std::string>{{0, "rwx"}}));  // SHARE keeps the lender's access
}

TEST(MemShare, TheNextShareGetsTheNextSlotAsItsHandle) {
  MemStack m;
  EXPECT_EQ(m.send(nwd_send({{kPool, 1}})), 0u);
  EXPECT_EQ(m.send(nwd_send({{kPool + 0x1000, 1}})), 1u);
}

TEST(MemShare, TheTestSpRetrievesTheShareAndReadsTheResponseFromItsRxBuffer) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  EXPECT_TRUE(regs_eq(R(kRetrieveResp, 96, 96), m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share))));
  const std::vector<uint8_t> rx = m.sp_rx(96);
  EXPECT_EQ(le16(rx, 0), 0u);          // sender
  EXPECT_EQ(le16(rx, 2), 0x6Fu);       // Normal WB inner-shareable, NS bit for a v1.2 borrower
  EXPECT_EQ(le32(rx, 4), 0x8u);        // transaction type: share
  EXPECT_EQ(le64(rx, 8), h);
  EXPECT_EQ(le32(rx, 24), 16u);        // EMAD size as in the request
  EXPECT_EQ(le32(rx, 28), 1u);
  EXPECT_EQ(le32(rx, 32), 48u);
  EXPECT_EQ(le16(rx, 48), kTestSp);
  EXPECT_EQ(rx[50], 0x6u);             // RW, NX (SHARE to an SP)
  EXPECT_EQ(le32(rx, 52), 64u);        // composite offset
  EXPECT_EQ(le32(rx, 64), 1u);         // pages
  EXPECT_EQ(le32(rx, 68), 1u);         // constituents
  EXPECT_EQ(le64(rx, 80), kPool);
  EXPECT_EQ(le32(rx, 88), 1u);
  const PageAccessInfo p = m.s.page_access(kPool);
  EXPECT_EQ(p.access, (std::map<uint16_t, std::string>{{0, "rwx"}, {kTestSp, "rw-"}}));
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.sp(R(kRxRelease))));
}

TEST(MemShare, ARetrieveWhileTheRxBufferIsFullIsBusy) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  const uint64_t h2 = m.send(nwd_send({{kPool + 0x1000, 1}}));
  m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::BUSY), m.sp_retrieve_regs(sp_retrieve(h2, Transaction::Share))));
  m.sp(R(kRxRelease));
  EXPECT_EQ(m.sp_retrieve_regs(sp_retrieve(h2, Transaction::Share))[0], kRetrieveResp);
}

TEST(MemShare, ASecondRetrieveByTheSameBorrowerIsDenied) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share));
  m.sp(R(kRxRelease));
  EXPECT_TRUE(regs_eq(denied(), m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share))));
}

TEST(MemShare, ReclaimWhileTheBorrowerHoldsTheMemoryIsDeniedAndAfterRelinquishSucceeds) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share));
  m.sp(R(kRxRelease));
  EXPECT_TRUE(regs_eq(denied(), m.nwd(R(kReclaim, uint32_t(h), uint32_t(h >> 32)))));
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.sp_relinquish(h)));
  EXPECT_EQ(m.s.page_access(kPool).access.count(kTestSp), 0u);
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.nwd(R(kReclaim, uint32_t(h), uint32_t(h >> 32)))));
  EXPECT_TRUE(regs_eq(invalid(), m.nwd(R(kReclaim, uint32_t(h), uint32_t(h >> 32)))));  // the handle is gone
  EXPECT_EQ(m.s.page_access(kPool).handle, ~0ull);
}

TEST(MemShare, ARetrieveByAnEndpointThatIsNotABorrowerIsInvalidParameters) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}, kOptee));
  EXPECT_TRUE(regs_eq(invalid(), m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share))));
}

TEST(MemShare, ARetrieveOfAnUnknownHandleOrAHypervisorHandleIsInvalidParameters) {
  MemStack m;
  EXPECT_TRUE(regs_eq(invalid(), m.sp_retrieve_regs(sp_retrieve(7, Transaction::Share))));
  EXPECT_TRUE(regs_eq(invalid(), m.sp_retrieve_regs(sp_retrieve(1ull << 63, Transaction::Share))));
}

TEST(MemShare, ARetrieveNamingTheWrongSenderIsDenied) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  EXPECT_TRUE(regs_eq(denied(), m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share, 0x0005))));
}

TEST(MemShare, ARetrieveAskingForTheWrongTransactionTypeIsInvalidParameters) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  EXPECT_TRUE(regs_eq(invalid(), m.sp_retrieve_regs(sp_retrieve(h, Transaction::Lend))));
}

TEST(MemShare, AV12RetrieveRequestWith32ByteEmadsGetsA32ByteEmadBack) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  EXPECT_TRUE(regs_eq(R(kRetrieveResp, 112, 112),
                      m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share, 0, mem::kEmadV1_2), kRetrieveReq64)));
  const std::vector<uint8_t> rx = m.sp_rx(112);
  EXPECT_EQ(le32(rx, 24), 32u);
  EXPECT_EQ(le32(rx, 52), 80u);
  EXPECT_EQ(le64(rx, 96), kPool);
}

TEST(MemShare, ARetrieveRequestWithADescriptorInMemoryIsInvalidParameters) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  const auto req = sp_retrieve(h, Transaction::Share);
  m.s.write(kSpTx, req, true);
  EXPECT_TRUE(regs_eq(invalid(), m.sp(R(kRetrieveReq64, req.size(), req.size(), 0x7200000))));
  EXPECT_TRUE(regs_eq(invalid(), m.sp(R(kRetrieveReq32, req.size() + 16, req.size()))));  // fragmented
}

TEST(MemShare, RelinquishByAnEndpointOtherThanTheCallerIsInvalidParameters) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share));
  m.sp(R(kRxRelease));
  EXPECT_TRUE(regs_eq(invalid(), m.sp_relinquish(h, 0, kOptee)));
  EXPECT_TRUE(regs_eq(invalid(), m.sp_relinquish(h + 1)));
}

TEST(MemShare, RelinquishBeforeRetrieveIsInvalidParameters) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  EXPECT_TRUE(regs_eq(invalid(), m.sp_relinquish(h)));
}

TEST(MemShare, RelinquishWithTheZeroFlagOnAShareIsInvalidParameters) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share));
  m.sp(R(kRxRelease));
  EXPECT_TRUE(regs_eq(invalid(), m.sp_relinquish(h, mem::flags::kZeroMemory)));
}

TEST(MemShare, ReclaimOfAnotherEndpointsHandleIsInvalidParameters) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  EXPECT_TRUE(regs_eq(invalid(), m.sp(R(kReclaim, uint32_t(h), uint32_t(h >> 32)))));
}

TEST(MemShare, TheSameMemoryCannotBeSharedTwice) {
  MemStack m;
  m.send(nwd_send({{kPool, 2}}));
  EXPECT_TRUE(regs_eq(denied(), m.nwd_send_regs(mem::build_transaction(nwd_send({{kPool + 0x1000, 1}}), mem::Layout::V1_1))));
}

TEST(MemShare, ASecondShareIsRefusedOnceAllHundredShareStatesAreInUse) {
  MemStack m;
  for (uint64_t i = 0; i < 100; ++i) ASSERT_EQ(m.send(nwd_send({{kPool + i * 0x1000, 1}})), i);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NO_MEMORY),
                      m.nwd_send_regs(mem::build_transaction(nwd_send({{kPool + 0x200000, 1}}), mem::Layout::V1_1))));
}

// --- descriptor validation through the stack --------------------------------------------------------

struct BadDescriptor {
  const char* what;
  size_t offset;   // byte to patch (with `value`), or SIZE_MAX for none
  uint32_t value;
  std::vector<mem::Constituent> constituents;
  ffa::Error error;
};

TEST(MemShareValidation, EveryDescriptorErrorReturnsItsFfaError) {
  const std::vector<BadDescriptor> cases = {
      {"composite offset not 16-byte aligned", 52, 72, {{kPool, 1}}, ffa::Error::INVALID_PARAMETERS},
      {"composite offset inside the EMADs", 52, 48, {{kPool, 1}}, ffa::Error::INVALID_PARAMETERS},
      {"constituent count not matching the total length", 68, 2, {{kPool, 1}}, ffa::Error::INVALID_PARAMETERS},
      {"total page count not the sum", 64, 5, {{kPool, 1}}, ffa::Error::INVALID_PARAMETERS},
      {"reserved data access encoding", 50, 3, {{kPool, 1}}, ffa::Error::INVALID_PARAMETERS},
      {"instruction access on send", 50, 0x6, {{kPool, 1}}, ffa::Error::INVALID_PARAMETERS},
      {"no data access on a share", 50, 0, {{kPool, 1}}, ffa::Error::INVALID_PARAMETERS},
      {"reserved header bytes", 40, 1, {{kPool, 1}}, ffa::Error::INVALID_PARAMETERS},
      {"the NS bit in a send", 2, 0x6F, {{kPool, 1}}, ffa::Error::INVALID_PARAMETERS},
      {"non-cacheable memory shared", 2, 0x27, {{kPool, 1}}, ffa::Error::DENIED},
      {"a secure sender claimed by the normal world", 0, 0x8001, {{kPool, 1}}, ffa::Error::DENIED},
      {"a receiver that is not a partition", 48, 0x8009, {{kPool, 1}}, ffa::Error::INVALID_PARAMETERS},
      {"the sender as its own receiver", 48, 0, {{kPool, 1}}, ffa::Error::INVALID_PARAMETERS},
      {"a constituent of zero pages", SIZE_MAX, 0, {{kPool, 1}, {kPool + 0x4000, 0}}, ffa::Error::INVALID_PARAMETERS},
      {"overlapping constituents", SIZE_MAX, 0, {{kPool, 2}, {kPool + 0x1000, 1}}, ffa::Error::INVALID_PARAMETERS},
      {"an unaligned constituent", SIZE_MAX, 0, {{kPool + 0x10, 1}}, ffa::Error::INVALID_PARAMETERS},
      {"secure memory from the normal world", SIZE_MAX, 0, {{0x7000000, 1}}, ffa::Error::DENIED},
      {"memory outside RAM", SIZE_MAX, 0, {{0x40000000, 1}}, ffa::Error::DENIED},
  };
  MemStack m;
  for (auto& c : cases) {
    std::vector<uint8_t> b = mem::build_transaction(nwd_send(c.constituents), mem::Layout::V1_1);
    if (c.offset == 0 || c.offset == 48 || c.offset == 2) {
      b[c.offset] = uint8_t(c.value);
      b[c.offset + 1] = uint8_t(c.value >> 8);
    } else if (c.offset != SIZE_MAX) {
      b[c.offset] = uint8_t(c.value);
    }
    EXPECT_TRUE(regs_eq(error_regs(c.error), m.nwd_send_regs(b))) << c.what;
  }
  // None of them left a transaction behind: the next share still gets handle 0.
  EXPECT_EQ(m.send(nwd_send({{kPool, 1}})), 0u);
}

TEST(MemShareValidation, ATotalLengthThatIsNotAMultipleOf16IsInvalidParameters) {
  MemStack m;
  std::vector<uint8_t> b = mem::build_transaction(nwd_send({{kPool, 1}}), mem::Layout::V1_1);
  m.s.write(kNwdTx, b, false);
  EXPECT_TRUE(regs_eq(invalid(), m.nwd(R(kShare32, b.size() + 8, b.size()))));
  EXPECT_TRUE(regs_eq(invalid(), m.nwd(R(kShare32, b.size() - 16, b.size() - 16))));  // wrong total length
  EXPECT_TRUE(regs_eq(invalid(), m.nwd(R(kShare32, b.size(), b.size() + 16))));       // fragment > total
}

TEST(MemShareValidation, ABufferAddressOrPageCountIsInvalidParametersAsHafnium) {
  MemStack m;
  std::vector<uint8_t> b = mem::build_transaction(nwd_send({{kPool, 1}}), mem::Layout::V1_1);
  m.s.write(kNwdTx, b, false);
  EXPECT_TRUE(regs_eq(invalid(), m.nwd(R(kShare64, b.size(), b.size(), 1ull << 40))));
  EXPECT_TRUE(regs_eq(invalid(), m.nwd(R(kShare32, b.size(), b.size(), 0, 1))));
}

TEST(MemShareValidation, TheZeroFlagOnAShareIsInvalidParameters) {
  MemStack m;
  mem::Descriptor d = nwd_send({{kPool, 1}});
  d.flags = mem::flags::kZeroMemory;
  EXPECT_TRUE(regs_eq(invalid(), m.nwd_send_regs(mem::build_transaction(d, mem::Layout::V1_1))));
}

TEST(MemShareValidation, AnSpCannotShareWithTheNormalWorldButMayShareItsOwnMemoryWithAnotherSp) {
  MemStack m;
  mem::Descriptor d;
  d.sender = ffa::EndpointId(kTestSp);
  d.attributes = mem::attr::kNormalWbInner;
  d.receivers = {mem::Emad{ffa::EndpointId(0), mem::perm::kRW}};
  mem::set_constituents(d, {{0x7080000, 1}});
  m.s.write(kSpTx, mem::build_transaction(d, mem::Layout::V1_1), true);
  const uint64_t n = mem::build_transaction(d, mem::Layout::V1_1).size();
  EXPECT_TRUE(regs_eq(denied(), m.sp(R(kShare32, n, n))));
  d.receivers[0].receiver = ffa::EndpointId(kOptee);
  m.s.write(kSpTx, mem::build_transaction(d, mem::Layout::V1_1), true);
  EXPECT_TRUE(regs_eq(success_handle(0), m.sp(R(kShare32, n, n))));  // its own memory, to OP-TEE
}

// --- lend and donate -----------------------------------------------------------------------------------

TEST(MemLend, LendRemovesTheNormalWorldsAccessUntilReclaim) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 2}}, kTestSp, Transaction::Lend), kLend32);
  EXPECT_TRUE(m.s.page_access(kPool).access.empty());
  EXPECT_TRUE(m.s.page_access(kPool + 0x1000).access.empty());
  EXPECT_EQ(m.s.page_access(kPool).owner, 0u);
  EXPECT_EQ(m.sp_retrieve_regs(sp_retrieve(h, Transaction::Lend))[0], kRetrieveResp);
  EXPECT_EQ(m.s.page_access(kPool).access, (std::map<uint16_t, std::string>{{kTestSp, "rw-"}}));
  EXPECT_EQ(m.sp_rx(52)[50], 0x6u);  // RW, NX as asked
  m.sp(R(kRxRelease));
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.sp_relinquish(h)));
  EXPECT_TRUE(m.s.page_access(kPool).access.empty());
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.nwd(R(kReclaim, uint32_t(h), uint32_t(h >> 32)))));
  EXPECT_EQ(m.s.page_access(kPool).access, (std::map<uint16_t, std::string>{{0, "rwx"}}));
}

TEST(MemLend, ALendRetrieveWithoutInstructionAccessIsInvalidParameters) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}, kTestSp, Transaction::Lend), kLend64);
  std::vector<uint8_t> req = sp_retrieve(h, Transaction::Lend);
  req[50] = mem::perm::kRW;  // data access only
  EXPECT_TRUE(regs_eq(invalid(), m.sp_retrieve_regs(req)));
}

TEST(MemLend, ALendWithTheZeroFlagZeroesThePagesBeforeTheBorrowerSeesThem) {
  MemStack m;
  m.s.write(kPool, std::vector<uint8_t>(64, 0xA5), false);
  mem::Descriptor d = nwd_send({{kPool, 1}}, kTestSp, Transaction::Lend);
  d.flags = mem::flags::kZeroMemory;
  const uint64_t h = m.send(d, kLend32);
  std::vector<uint8_t> b;
  m.s.read(kPool, 64, false, b);
  EXPECT_EQ(b, std::vector<uint8_t>(64, 0));
  std::vector<uint8_t> req = sp_retrieve(h, Transaction::Lend);
  req[4] |= mem::flags::kZeroMemory;  // the borrower may ask for it since the lender set it
  EXPECT_EQ(m.sp_retrieve_regs(req)[0], kRetrieveResp);
  EXPECT_EQ(le32(m.sp_rx(8), 4), mem::flags::kZeroMemory | 0x10u);  // zeroed, type lend
}

TEST(MemLend, ReclaimWithTheZeroFlagZeroesTheMemory) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}, kTestSp, Transaction::Lend), kLend32);
  m.sp_retrieve_regs(sp_retrieve(h, Transaction::Lend));
  m.sp(R(kRxRelease));
  m.s.write(kPool + 0xFF0, std::vector<uint8_t>(16, 0x5A), false);  // the borrower's data
  m.sp_relinquish(h);
  std::vector<uint8_t> b;
  m.s.read(kPool + 0xFF0, 16, false, b);
  EXPECT_EQ(b, std::vector<uint8_t>(16, 0x5A));
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.nwd(R(kReclaim, uint32_t(h), uint32_t(h >> 32), 1))));
  m.s.read(kPool + 0xFF0, 16, false, b);
  EXPECT_EQ(b, std::vector<uint8_t>(16, 0));
}

TEST(MemLend, RelinquishWithTheZeroFlagZeroesTheMemory) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}, kTestSp, Transaction::Lend), kLend32);
  m.sp_retrieve_regs(sp_retrieve(h, Transaction::Lend));
  m.sp(R(kRxRelease));
  m.s.write(kPool, std::vector<uint8_t>(16, 0x5A), false);
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.sp_relinquish(h, mem::flags::kZeroMemory)));
  std::vector<uint8_t> b;
  m.s.read(kPool, 16, false, b);
  EXPECT_EQ(b, std::vector<uint8_t>(16, 0));
}

TEST(MemLend, ALendToTheNormalWorldIsDenied) {
  MemStack m;
  mem::Descriptor d = nwd_send({{kPool, 1}}, kTestSp, Transaction::Lend);
  d.receivers[0].receiver = ffa::EndpointId(0x0005);
  EXPECT_TRUE(regs_eq(denied(), m.nwd_send_regs(mem::build_transaction(d, mem::Layout::V1_1), kLend32)));
}

TEST(MemDonate, DonatedPagesBelongToTheBorrowerOnceRetrievedAndTheHandleIsFreed) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}, kTestSp, Transaction::Donate), kDonate32);
  EXPECT_TRUE(m.s.page_access(kPool).access.empty());
  EXPECT_EQ(m.sp_retrieve_regs(sp_retrieve(h, Transaction::Donate))[0], kRetrieveResp);
  m.sp(R(kRxRelease));
  const PageAccessInfo p = m.s.page_access(kPool);
  EXPECT_EQ(p.owner, kTestSp);
  EXPECT_EQ(p.handle, ~0ull);
  EXPECT_EQ(p.access, (std::map<uint16_t, std::string>{{kTestSp, "rw-"}}));
  EXPECT_TRUE(regs_eq(invalid(), m.nwd(R(kReclaim, uint32_t(h), uint32_t(h >> 32)))));
  EXPECT_TRUE(regs_eq(invalid(), m.sp_relinquish(h)));
}

TEST(MemDonate, ADonateNotYetRetrievedCanBeReclaimed) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}, kTestSp, Transaction::Donate), kDonate32);
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.nwd(R(kReclaim, uint32_t(h), uint32_t(h >> 32)))));
  EXPECT_EQ(m.s.page_access(kPool).access, (std::map<uint16_t, std::string>{{0, "rwx"}}));
}

TEST(MemDonate, ADonateWithDataAccessIsInvalidParameters) {
  MemStack m;
  mem::Descriptor d = nwd_send({{kPool, 1}}, kTestSp, Transaction::Donate);
  d.receivers[0].permissions = mem::perm::kRW;
  EXPECT_TRUE(regs_eq(invalid(), m.nwd_send_regs(mem::build_transaction(d, mem::Layout::V1_1), kDonate32)));
}

// --- fragmentation -------------------------------------------------------------------------------------

// 300 one-page constituents, every other page: 80 + 300 * 16 = 4880 bytes, more than one 4 KiB
// TX buffer. The first fragment carries 251 constituents (4096 bytes), the second 49 (784).
std::vector<mem::Constituent> scattered(unsigned n) {
  std::vector<mem::Constituent> c;
  for (unsigned i = 0; i < n; ++i) c.push_back({kPool + uint64_t(i) * 0x2000, 1});
  return c;
}

TEST(MemFragments, ALargeDescriptorIsSentInTwoFragmentsAndRetrievedInTwo) {
  MemStack m;
  const std::vector<uint8_t> b = mem::build_transaction(nwd_send(scattered(300)), mem::Layout::V1_1);
  ASSERT_EQ(b.size(), 4880u);
  m.s.write(kNwdTx, std::vector<uint8_t>(b.begin(), b.begin() + 4096), false);
  EXPECT_TRUE(regs_eq(R(kFragRx, 0, 0, 4096), m.nwd(R(kShare32, 4880, 4096))));
  // Not fully sent: no retrieve, no reclaim, and the pages have not moved.
  EXPECT_TRUE(regs_eq(invalid(), m.nwd(R(kReclaim, 0, 0))));
  EXPECT_TRUE(regs_eq(invalid(), m.sp_retrieve_regs(sp_retrieve(0, Transaction::Share))));
  EXPECT_EQ(m.s.page_access(kPool).handle, ~0ull);
  m.s.write(kNwdTx, std::vector<uint8_t>(b.begin() + 4096, b.end()), false);
  EXPECT_TRUE(regs_eq(success_handle(0), m.nwd(R(kFragTx, 0, 0, 784))));
  EXPECT_EQ(m.s.page_access(kPool + 299 * 0x2000).handle, 0u);
  // The response mirrors the lender's fragments.
  EXPECT_TRUE(regs_eq(R(kRetrieveResp, 4880, 4096), m.sp_retrieve_regs(sp_retrieve(0, Transaction::Share))));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::BUSY), m.sp(R(kFragRx, 0, 0, 4096))));  // RX still full
  m.sp(R(kRxRelease));
  EXPECT_TRUE(regs_eq(invalid(), m.sp(R(kFragRx, 0, 0, 4000))));  // not where the first fragment ended
  EXPECT_TRUE(regs_eq(invalid(), m.sp_relinquish(0)));             // not fully retrieved yet
  EXPECT_TRUE(regs_eq(R(kFragTx, 0, 0, 784), m.sp(R(kFragRx, 0, 0, 4096))));
  EXPECT_EQ(le64(m.sp_rx(16), 0), kPool + 251 * 0x2000);
  m.sp(R(kRxRelease));
  EXPECT_TRUE(regs_eq(invalid(), m.sp(R(kFragRx, 0, 0, 4880))));  // nothing left
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.sp_relinquish(0)));
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.nwd(R(kReclaim, 0, 0))));
}

TEST(MemFragments, FragTxErrorsAreInvalidParameters) {
  MemStack m;
  const std::vector<uint8_t> b = mem::build_transaction(nwd_send(scattered(300)), mem::Layout::V1_1);
  m.s.write(kNwdTx, std::vector<uint8_t>(b.begin(), b.begin() + 4096), false);
  m.nwd(R(kShare32, 4880, 4096));
  m.s.write(kNwdTx, std::vector<uint8_t>(b.begin() + 4096, b.end()), false);
  EXPECT_TRUE(regs_eq(invalid(), m.nwd(R(kFragTx, 1, 0, 784))));         // unknown handle
  EXPECT_TRUE(regs_eq(invalid(), m.nwd(R(kFragTx, 0, 0, 8))));           // not whole constituents
  EXPECT_TRUE(regs_eq(invalid(), m.nwd(R(kFragTx, 0, 0, 800))));         // past the total length
  EXPECT_TRUE(regs_eq(invalid(), m.nwd(R(kFragTx, 0, 0, 784, 5u << 16))));  // a sender ID
  EXPECT_TRUE(regs_eq(invalid(), m.sp(R(kFragTx, 0, 0, 784))));          // not the sender
  EXPECT_TRUE(regs_eq(success_handle(0), m.nwd(R(kFragTx, 0, 0, 784))));
  EXPECT_TRUE(regs_eq(invalid(), m.nwd(R(kFragTx, 0, 0, 16))));          // already complete
}

TEST(MemFragments, AFragmentedDescriptorFromAV10CallerIsNotSupportedByHafnium) {
  MemStack m("hafnium", false);
  const std::vector<uint8_t> b = mem::build_transaction(nwd_send(scattered(300)), mem::Layout::V1_0);
  m.s.write(kNwdTx, std::vector<uint8_t>(b.begin(), b.begin() + 4096), false);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), m.nwd(R(kShare32, b.size(), 4096))));
}

TEST(MemFragments, AV10CallerSharesWithThe32ByteHeader) {
  MemStack m("hafnium", false);
  const std::vector<uint8_t> b = mem::build_transaction(nwd_send({{kPool, 1}}), mem::Layout::V1_0);
  EXPECT_TRUE(regs_eq(success_handle(0), m.nwd_send_regs(b)));
}

// --- FFA_FEATURES -------------------------------------------------------------------------------------

TEST(MemFeatures, MemShareAndLend64AreSupportedWithNoProperties) {
  MemStack m;
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.nwd(R(kFfaFeatures, kShare64))));
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.nwd(R(kFfaFeatures, kLend64))));
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.nwd(R(kFfaFeatures, kFragTx))));
}

TEST(MemFeatures, RetrieveReqFromAV12CallerNeedsTheNsBitInputAndReturns6) {
  MemStack m;
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), m.nwd(R(kFfaFeatures, kRetrieveReq32))));
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 0x6), m.nwd(R(kFfaFeatures, kRetrieveReq32, 0x2))));
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 0x6), m.sp(R(kFfaFeatures, kRetrieveReq64, 0x2))));
}

TEST(MemFeatures, RetrieveReqFromAV10CallerNeedsNoInput) {
  MemStack m("hafnium", false);
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 0x6), m.nwd(R(kFfaFeatures, kRetrieveReq32))));
}

TEST(MemFeatures, RetrieveRespIsListedButCallingItIsNotSupported) {
  MemStack m;
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.nwd(R(kFfaFeatures, kRetrieveResp))));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), m.sp(R(kRetrieveResp))));
}

TEST(MemFeatures, ANormalWorldHypervisorRetrieveRequestIsNotSupported) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  mem::Descriptor d;
  d.handle = h;
  const auto req = mem::build_retrieve_request(d, mem::Layout::V1_1);
  m.s.write(kNwdTx, req, false);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), m.nwd(R(kRetrieveReq32, req.size(), req.size()))));
}

// --- costs (simulated time) ----------------------------------------------------------------------------

double param(const Stack& s, const std::string& name) {
  for (auto& r : s.profile())
    if (r.name == name) return r.value;
  ADD_FAILURE() << "no profile parameter " << name;
  return 0;
}

// The SPMC's share of each normal-world call of `abi`, in order.
std::vector<double> spmc_ns(const Stack& s, const std::string& abi) {
  std::vector<double> out;
  for (auto& sp : s.spans())
    if (sp.abi == abi && sp.caller == "nwd") out.push_back(sp.ns_by_component.count("spmc") ? sp.ns_by_component.at("spmc") : 0);
  return out;
}

TEST(MemCost, EachMorePageOfAShareCostsOnePageUpdateInTheSpmc) {
  ScenarioConfig c = mem_platform();
  c.keep_spans = true;
  MemStack m(c);
  m.send(nwd_send({{kPool, 1}}));
  m.send(nwd_send({{kPool + 0x100000, 64}}));
  const std::vector<double> ns = spmc_ns(m.s, "FFA_MEM_SHARE_32");
  ASSERT_EQ(ns.size(), 2u);
  const double ns_per_insn = param(m.s, "core.cpi") * 1e9 / param(m.s, "core.clock_hz");
  EXPECT_NEAR(ns[1] - ns[0], 63 * param(m.s, "spmc.mem_page_update_insns") * ns_per_insn, 0.01);
}

TEST(MemCost, ZeroingALentPageCostsItsLinesAndTheMemoryWrite) {
  ScenarioConfig c = mem_platform();
  c.keep_spans = true;
  MemStack m(c);
  m.send(nwd_send({{kPool, 1}}, kTestSp, Transaction::Lend), kLend32);
  mem::Descriptor d = nwd_send({{kPool + 0x1000, 1}}, kTestSp, Transaction::Lend);
  d.flags = mem::flags::kZeroMemory;
  m.send(d, kLend32);
  const std::vector<double> ns = spmc_ns(m.s, "FFA_MEM_LEND_32");
  ASSERT_EQ(ns.size(), 2u);
  const double ns_per_insn = param(m.s, "core.cpi") * 1e9 / param(m.s, "core.clock_hz");
  const double write_ns = param(m.s, "mem.latency_ns") + 63 * param(m.s, "mem.line_ns");  // 64 lines
  EXPECT_NEAR(ns[1] - ns[0], 64 * param(m.s, "spmc.mem_zero_insns_per_line") * ns_per_insn + write_ns, 0.01);
}

// --- the TF-A EL3 SPMC's choices --------------------------------------------------------------------------

TEST(MemEl3Spmc, HandlesCountFrom0xFFFFFFC0) {
  MemStack m("tfa-el3-spmc");
  EXPECT_EQ(m.send(nwd_send({{kPool, 1}})), 0xFFFFFFC0u);
  EXPECT_EQ(m.send(nwd_send({{kPool + 0x1000, 1}})), 0xFFFFFFC1u);
}

TEST(MemEl3Spmc, RetrievalsAreCountedAndReclaimWaitsForEveryRelinquish) {
  MemStack m("tfa-el3-spmc");
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  EXPECT_EQ(m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share))[0], kRetrieveResp);
  m.sp(R(kRxRelease));
  EXPECT_EQ(m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share))[0], kRetrieveResp);
  m.sp(R(kRxRelease));
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.sp_relinquish(h)));
  EXPECT_EQ(m.s.page_access(kPool).access.count(kTestSp), 1u);  // still one retrieval held
  EXPECT_TRUE(regs_eq(denied(), m.nwd(R(kReclaim, uint32_t(h), uint32_t(h >> 32)))));
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.sp_relinquish(h)));
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.nwd(R(kReclaim, uint32_t(h), uint32_t(h >> 32)))));
}

TEST(MemEl3Spmc, ReclaimFlagsMustBeZeroAndOnlyTheNormalWorldReclaims) {
  MemStack m("tfa-el3-spmc");
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  EXPECT_TRUE(regs_eq(invalid(), m.nwd(R(kReclaim, uint32_t(h), uint32_t(h >> 32), 1))));
  EXPECT_TRUE(regs_eq(invalid(), m.sp(R(kReclaim, uint32_t(h), uint32_t(h >> 32)))));
}

TEST(MemEl3Spmc, ABusyRxBufferIsDeniedAndRelinquishFlagsMustBeZero) {
  MemStack m("tfa-el3-spmc");
  const uint64_t h = m.send(nwd_send({{kPool, 1}}));
  m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share));
  EXPECT_TRUE(regs_eq(denied(), m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share))));
  m.sp(R(kRxRelease));
  EXPECT_TRUE(regs_eq(invalid(), m.sp_relinquish(h, mem::flags::kTimeSlice)));
}

TEST(MemEl3Spmc, RetrieveReqFeaturesRefuseTheNsBitFromTheNormalWorld) {
  MemStack m("tfa-el3-spmc");
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), m.nwd(R(kFfaFeatures, kRetrieveReq32, 0x2))));
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.nwd(R(kFfaFeatures, kRetrieveReq32))));
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 0x2), m.sp(R(kFfaFeatures, kRetrieveReq32, 0x2))));
}

}  // namespace
}  // namespace ffasim::testing
