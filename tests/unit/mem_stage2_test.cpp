// Each partition's real stage 2 (models/spmc/stage2.h) and SP memory accesses through it
// (models/sp_common/sp_memory.h): the tables the SPMC builds from the manifests, what
// FFA_MEM_RETRIEVE_REQ maps and FFA_MEM_RELINQUISH unmaps (read back by walking the
// descriptors), the broadcast TLBI, the stage-2 faults an SP takes with their syndrome (ESR_EL2,
// HPFAR_EL2: ../shared/reference/armv8-gicv3-mmu.md s1.5-1.7), and the exact SPMC cost per page.
// The normal world calls on PE 1 (PE 0 for test-SP commands), the isolation checker is on and
// also walks the tables after every memory ABI.
#include "tests/unit/mem_fixture.h"

#include <cstring>

namespace ffasim::testing {
namespace {

using mem::Transaction;
namespace cmd = ffa::test_sp;

constexpr uint64_t kDirectReq64 = 0xC400006F, kDirectResp64 = 0xC4000070;
constexpr uint64_t kOpteeMemory = 0x6280000, kTestSpImage = 0x7000000;

// A test-SP command from the normal world on PE 0: the host lets the SP go (DIRECT_RESP ends
// CMD_HOST), the normal world sends the command, then hands the SP back to the host.
Regs sp_command(MemStack& m, uint64_t command, uint64_t x4, uint64_t x5 = 0, uint64_t x6 = 0) {
  Regs out{};
  m.s.call(kTestSp, 0, R(kDirectResp64, uint32_t(kTestSp) << 16, 0, 0), out);
  const Regs r = nwd_call(m.s, R(kDirectReq64, kTestSp, 0, command, x4, x5, x6), 0);
  EXPECT_FALSE(m.s.call(0, 0, R(kDirectReq32, kTestSp, 0, cmd::CMD_HOST), out));
  EXPECT_TRUE(m.s.host_waiting(kTestSp, 0));
  return r;
}

uint64_t retrieve_share(MemStack& m, uint64_t base, uint32_t pages) {
  const uint64_t h = m.send(nwd_send({{base, pages}}));
  EXPECT_EQ(m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share))[0], kRetrieveResp);
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.sp(R(kRxRelease))));
  return h;
}

// --- the tables built at SPMC init ------------------------------------------------------------------

TEST(Stage2Init, TheTestSpsStage2MapsItsImageAndBuffersWithTheManifestAttributes) {
  MemStack m;
  EXPECT_EQ(m.s.stage2_access(kTestSp, kTestSpImage, true), "rw-");          // image: 0x3
  EXPECT_EQ(m.s.stage2_access(kTestSp, kSpRx, true), "r--");                 // rx-buffer: 0x1
  EXPECT_EQ(m.s.stage2_access(kTestSp, kSpTx, true), "rw-");                 // tx-buffer: 0x3
  EXPECT_EQ(m.s.stage2_access(kTestSp, kTestSpImage + 0x102000, true), "---");  // past its regions
}

TEST(Stage2Init, OpteesStage2MapsItsMemoryAndItsUartButNotTheTestSpsMemory) {
  MemStack m;
  EXPECT_EQ(m.s.stage2_access(kOptee, kOpteeMemory, true), "rwx");  // mem-size, no region over it
  EXPECT_EQ(m.s.stage2_access(kOptee, 0x6ffe000, true), "r--");     // rx-buffer
  EXPECT_EQ(m.s.stage2_access(kOptee, 0x1c0a0000, true), "rw-");    // uart1 device region
  EXPECT_EQ(m.s.stage2_access(kOptee, kTestSpImage, true), "---");
  EXPECT_EQ(m.s.stage2_access(kTestSp, kOpteeMemory, true), "---");
}

TEST(Stage2Init, NoPartitionMapsNormalWorldMemoryBeforeARetrieve) {
  MemStack m;
  EXPECT_EQ(m.s.stage2_access(kTestSp, kPool, false), "---");
  EXPECT_EQ(m.s.stage2_access(kOptee, kPool, false), "---");
}

// --- retrieve maps, relinquish unmaps -------------------------------------------------------------

TEST(Stage2Share, RetrieveMapsTheSharedPagesIntoTheBorrowersNonSecureStage2ReadWriteNoExecute) {
  MemStack m;
  m.send(nwd_send({{kPool, 2}}));
  EXPECT_EQ(m.s.stage2_access(kTestSp, kPool, false), "---");  // the share alone maps nothing
  retrieve_share(m, kPool + 0x10000, 1);
  EXPECT_EQ(m.s.stage2_access(kTestSp, kPool + 0x10000, false), "rw-");
  EXPECT_EQ(m.s.stage2_access(kTestSp, kPool + 0x11000, false), "---");
  EXPECT_EQ(m.s.stage2_access(kTestSp, kPool + 0x10000, true), "---");  // not in the secure IPA space
  EXPECT_EQ(m.s.stage2_access(kOptee, kPool + 0x10000, false), "---");
}

TEST(Stage2Share, RelinquishUnmapsThePagesAndIssuesOneBroadcastTlbi) {
  MemStack m;
  const uint64_t h = retrieve_share(m, kPool, 3);
  const uint64_t before = m.s.tlbi_count();
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.sp_relinquish(h)));
  EXPECT_EQ(m.s.tlbi_count(), before + 1);
  for (uint64_t p = 0; p < 3; ++p) EXPECT_EQ(m.s.stage2_access(kTestSp, kPool + p * 0x1000, false), "---");
}

TEST(Stage2Share, RetrieveAndReclaimIssueNoTlbi) {
  MemStack m;
  const uint64_t before = m.s.tlbi_count();
  const uint64_t h = retrieve_share(m, kPool, 1);
  EXPECT_EQ(m.s.tlbi_count(), before);
  m.sp_relinquish(h);
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.nwd(R(kReclaim, uint32_t(h), uint32_t(h >> 32)))));
  EXPECT_EQ(m.s.tlbi_count(), before + 1);  // the relinquish's only
}

TEST(Stage2Share, ADonateFullyRetrievedLeavesThePageMappedReadWriteExecuteForItsNewOwner) {
  MemStack m;
  const uint64_t h = m.send(nwd_send({{kPool, 1}}, kTestSp, Transaction::Donate), kDonate32);
  EXPECT_EQ(m.sp_retrieve_regs(sp_retrieve(h, Transaction::Donate))[0], kRetrieveResp);
  const PageAccessInfo p = m.s.page_access(kPool);
  EXPECT_EQ(p.owner, kTestSp);
  EXPECT_EQ(m.s.stage2_access(kTestSp, kPool, false), p.access.at(kTestSp));
}

TEST(Stage2Share, AnSpLendingItsOwnPageLosesItFromItsStage2WithATlbiAndGetsItBackOnReclaim) {
  MemStack m;
  constexpr uint64_t kOwn = kTestSpImage + 0x10000;
  mem::Descriptor d;
  d.sender = ffa::EndpointId(kTestSp);
  d.receivers = {mem::Emad{ffa::EndpointId(kOptee), mem::perm::kRW}};
  mem::set_constituents(d, {{kOwn, 2}});
  const std::vector<uint8_t> b = mem::build_transaction(d, mem::Layout::V1_1);
  ASSERT_TRUE(m.s.write(kSpTx, b, true));
  const uint64_t before = m.s.tlbi_count();
  const Regs r = m.sp(R(kLend32, b.size(), b.size()));
  ASSERT_EQ(r[0], kSuccess32) << ffa::fid_name(r[0]) << " error " << int32_t(r[2]);
  EXPECT_EQ(m.s.stage2_access(kTestSp, kOwn, true), "---");
  EXPECT_EQ(m.s.stage2_access(kTestSp, kOwn + 0x1000, true), "---");
  EXPECT_EQ(m.s.stage2_access(kTestSp, kOwn + 0x2000, true), "rw-");
  EXPECT_EQ(m.s.tlbi_count(), before + 1);
  EXPECT_EQ(m.s.stage2_access(kOptee, kOwn, true), "---");  // not retrieved
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.sp(R(kReclaim, uint32_t(r[2]), uint32_t(r[3]), 0))));
  EXPECT_EQ(m.s.stage2_access(kTestSp, kOwn, true), "rwx");  // the owner's access before the lend
  EXPECT_EQ(m.s.tlbi_count(), before + 1);
}

// --- SP accesses through the stage 2 -------------------------------------------------------------

TEST(Stage2Access, AfterRetrieveTheSpWritesTheSharedPageAndTheNormalWorldSeesTheValue) {
  MemStack m;
  retrieve_share(m, kPool, 1);
  EXPECT_EQ(sp_command(m, cmd::CMD_MEM_WRITE, kPool + 0x18, 1, 0x1122334455667788)[3], cmd::STATUS_OK);
  std::vector<uint8_t> b;
  ASSERT_TRUE(m.s.read(kPool + 0x18, 8, false, b));
  EXPECT_EQ(le64(b, 0), 0x1122334455667788u);
  const Regs r = sp_command(m, cmd::CMD_MEM_READ, kPool + 0x18, 1);
  EXPECT_EQ(r[3], cmd::STATUS_OK);
  EXPECT_EQ(r[4], 0x1122334455667788u);
  EXPECT_TRUE(m.s.guest_errors().empty());
}

TEST(Stage2Access, AfterRelinquishTheSpsReadTakesALevel3TranslationFaultOnTheIpa) {
  MemStack m;
  const uint64_t h = retrieve_share(m, kPool, 1);
  EXPECT_EQ(sp_command(m, cmd::CMD_MEM_READ, kPool, 1)[3], cmd::STATUS_OK);  // fills the TLB
  EXPECT_TRUE(regs_eq(R(kSuccess32), m.sp_relinquish(h)));
  const Regs r = sp_command(m, cmd::CMD_MEM_READ, kPool + 0x40, 1);
  EXPECT_EQ(r[3], cmd::STATUS_DATA_ABORT);
  EXPECT_EQ(r[4], 0x92000007u);  // EC 0x24 data abort from a lower EL, IL, DFSC translation L3
  EXPECT_EQ(r[5], kPool + 0x40);
  EXPECT_EQ(r[6], 0x8000000000802000u);  // HPFAR_EL2: NS (the Non-secure IPA space), FIPA 0x80200
  ASSERT_EQ(m.s.guest_errors().size(), 1u);
  EXPECT_EQ(m.s.guest_errors()[0],
            "SPMC: stage-2 data abort from SP 0x8002 (test-sp) vCPU 0 on PE 0: IPA 0x80200040 (non-secure), "
            "translation fault at level 3 (ESR_EL2 0x92000007, HPFAR_EL2 0x8000000000802000)");
}

TEST(Stage2Access, NeverRetrievedNormalWorldMemoryIsALevel1TranslationFault) {
  MemStack m;
  const Regs r = sp_command(m, cmd::CMD_MEM_READ, kPool, 1);
  EXPECT_EQ(r[3], cmd::STATUS_DATA_ABORT);
  EXPECT_EQ(r[4], 0x92000005u);  // nothing mapped below the root entry of 0x80000000
  EXPECT_EQ(r[6], 0x8000000000802000u);
}

TEST(Stage2Access, AWriteToOpteesMemoryIsALevel2TranslationFaultWithWnR) {
  MemStack m;
  const Regs r = sp_command(m, cmd::CMD_MEM_WRITE, kOpteeMemory + 0x8, 0, 0xBAD);
  EXPECT_EQ(r[3], cmd::STATUS_DATA_ABORT);
  EXPECT_EQ(r[4], 0x92000046u);  // DFSC translation L2 (0x06), WnR (bit 6)
  EXPECT_EQ(r[5], kOpteeMemory + 0x8);
  EXPECT_EQ(r[6], 0x62800u);     // secure IPA space: NS = 0
  std::vector<uint8_t> b;
  ASSERT_TRUE(m.s.read(kOpteeMemory + 0x8, 8, true, b));
  EXPECT_EQ(le64(b, 0), 0u);     // nothing was written
}

TEST(Stage2Access, AWriteToItsReadOnlyRxBufferIsALevel3PermissionFault) {
  MemStack m;
  const Regs r = sp_command(m, cmd::CMD_MEM_WRITE, kSpRx, 0, 1);
  EXPECT_EQ(r[3], cmd::STATUS_DATA_ABORT);
  EXPECT_EQ(r[4], 0x9200004Fu);  // DFSC permission L3 (0x0F), WnR
  EXPECT_EQ(r[5], kSpRx);
}

TEST(Stage2Access, ASharedPageRetrievedReadOnlyCannotBeWritten) {
  MemStack m;
  mem::Descriptor d = nwd_send({{kPool, 1}});
  d.receivers[0].permissions = mem::perm::kRO;
  const uint64_t h = m.send(d);
  EXPECT_EQ(m.sp_retrieve_regs(sp_retrieve(h, Transaction::Share))[0], kRetrieveResp);
  m.sp(R(kRxRelease));
  EXPECT_EQ(m.s.stage2_access(kTestSp, kPool, false), "r--");
  EXPECT_EQ(sp_command(m, cmd::CMD_MEM_READ, kPool, 1)[3], cmd::STATUS_OK);
  const Regs r = sp_command(m, cmd::CMD_MEM_WRITE, kPool, 1, 7);
  EXPECT_EQ(r[3], cmd::STATUS_DATA_ABORT);
  EXPECT_EQ(r[4], 0x9200004Fu);
}

// --- cost ------------------------------------------------------------------------------------------

// At 1 GHz and CPI 1 an instruction is 1 ns. Two relinquishes by the same SP differ only in their
// pages: each page costs spmc.mem_page_update_insns + spmc.s2_unmap_page_insns (20 + 1000 here);
// both issue one TLBI.
TEST(Stage2Cost, ARelinquishOfEightPagesCostsSevenPagesOfUnmapMoreThanOneOfOnePage) {
  ScenarioConfig c = mem_platform();
  c.overrides = {{"core.clock_hz", 1e9}, {"core.cpi", 1}, {"spmc.s2_unmap_page_insns", 1000}};
  MemStack m(c);
  const uint64_t h1 = retrieve_share(m, kPool, 1);
  const uint64_t h8 = retrieve_share(m, kPool + 0x100000, 8);
  m.sp_relinquish(h1);
  m.sp_relinquish(h8);
  double lo = 0, hi = 0;
  for (auto& r : m.s.results())
    if (r.abi == "FFA_MEM_RELINQUISH") {
      EXPECT_EQ(r.count, 2u);
      lo = r.min_ns;
      hi = r.max_ns;
    }
  EXPECT_DOUBLE_EQ(hi - lo, 7 * (20 + 1000));
}

}  // namespace
}  // namespace ffasim::testing

// --- the mem_share workload --------------------------------------------------------------------------

namespace ffasim::testing {
namespace {

ScenarioConfig workload_platform(const std::string& op, double pages, double scattered) {
  ScenarioConfig c;
  c.pe_count = 2;
  c.check_isolation = true;
  c.workload = {{"mem_share", {0}, 3, {{"target", kTestSp}, {"pages", pages}, {"constituents", scattered},
                                       {"op", op == "share" ? 0.0 : op == "lend" ? 1.0 : 2.0}}}};
  return c;
}

uint64_t count_of(const Stack& s, const std::string& abi) {
  for (auto& r : s.results())
    if (r.abi == abi) return r.count;
  return 0;
}

TEST(MemShareWorkload, ThreeSharesOfOnePageAreEachRetrievedRelinquishedAndReclaimed) {
  Stack s(workload_platform("share", 1, 0));
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
  EXPECT_EQ(count_of(s, "FFA_MEM_SHARE_32"), 3u);
  EXPECT_EQ(count_of(s, "FFA_MEM_RETRIEVE_REQ_32"), 3u);
  EXPECT_EQ(count_of(s, "FFA_MEM_RELINQUISH"), 3u);
  EXPECT_EQ(count_of(s, "FFA_MEM_RECLAIM"), 3u);
  EXPECT_EQ(count_of(s, "FFA_MEM_FRAG_TX"), 0u);
  EXPECT_EQ(s.tlbi_count(), 3u);  // one per relinquish
}

// 512 scattered pages: a 48 + 16 + 16 + 512 x 16 = 8272-byte descriptor through a 4 KiB TX
// buffer: 251 constituents in the first fragment, then 255 and 6 (two FRAG_TX per send).
TEST(MemShareWorkload, FiveHundredTwelveScatteredPagesAreSentInThreeFragments) {
  Stack s(workload_platform("lend", 512, 1));
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
  EXPECT_EQ(count_of(s, "FFA_MEM_LEND_32"), 3u);
  EXPECT_EQ(count_of(s, "FFA_MEM_FRAG_TX"), 6u);
  EXPECT_EQ(count_of(s, "FFA_MEM_RECLAIM"), 3u);
}

TEST(MemShareWorkload, ADonateEndsWithTheRetrieveAndTheSpOwnsThePages) {
  Stack s(workload_platform("donate", 4, 0));
  EXPECT_TRUE(s.errors().empty()) << s.errors().front();
  EXPECT_EQ(count_of(s, "FFA_MEM_DONATE_32"), 3u);
  EXPECT_EQ(count_of(s, "FFA_MEM_RETRIEVE_REQ_32"), 3u);
  EXPECT_EQ(count_of(s, "FFA_MEM_RELINQUISH"), 0u);
  EXPECT_EQ(count_of(s, "FFA_MEM_RECLAIM"), 0u);
}

TEST(MemShareWorkload, AnOpOutOfRangeIsOneLineNamingTheParameter) {
  ScenarioConfig c = workload_platform("share", 1, 0);
  c.workload[0].params["op"] = 3;
  try {
    Stack s(c);
    FAIL() << "accepted op 3";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "workload: workload[0].params.op: expected 0 (share), 1 (lend) or 2 (donate)");
  }
}

}  // namespace
}  // namespace ffasim::testing
