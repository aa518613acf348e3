// A fixed-seed random sequence of memory-management ABIs from the normal world (SHARE, LEND,
// DONATE, RECLAIM) and the host-held test SP (RETRIEVE_REQ, RX_RELEASE, RELINQUISH), against a
// shadow model of what each call must return and who must then have access to each page, in the
// ownership state and in the test SP's real stage-2 tables. The SPMC's isolation checker runs
// after every call (and walks the tables too); any violation fails the test (~MemStack).
#include "tests/unit/mem_fixture.h"

#include <array>
#include <map>
#include <random>

namespace ffasim::testing {
namespace {

using mem::Transaction;

constexpr unsigned kPoolPages = 16;
constexpr int kFree = -1, kDonated = -2;

struct ShadowTx {
  Transaction type;
  unsigned first, count;
  uint16_t to;
  bool retrieved = false;
};

struct Shadow {
  std::map<uint64_t, ShadowTx> txs;  // by handle
  std::array<int64_t, kPoolPages> page;  // kFree, kDonated or the handle holding it
  Shadow() { page.fill(kFree); }
  uint64_t next_handle() const {  // Hafnium: the lowest free share-state slot
    uint64_t h = 0;
    while (txs.count(h)) ++h;
    return h;
  }
};

uint64_t pool(unsigned i) { return kPool + uint64_t(i) * 0x1000; }

class RandomMemoryRun {
 public:
  explicit RandomMemoryRun(uint32_t seed) : rng_(seed) {}

  void step() {
    switch (rng_() % 4) {
      case 0: send(); break;
      case 1: retrieve(); break;
      case 2: relinquish(); break;
      default: reclaim(); break;
    }
    check_pages();
  }

  unsigned successes = 0;

 private:
  // A live handle most of the time, otherwise one nobody holds.
  uint64_t pick_handle() {
    if (sh_.txs.empty() || rng_() % 8 == 0) return 50 + rng_() % 10;
    auto it = sh_.txs.begin();
    std::advance(it, rng_() % sh_.txs.size());
    return it->first;
  }

  void send() {
    const Transaction t = Transaction(1 + rng_() % 3);
    const unsigned first = rng_() % kPoolPages, count = std::min(1 + unsigned(rng_() % 3), kPoolPages - first);
    const uint16_t to = rng_() % 5 ? kTestSp : kOptee;
    mem::Descriptor d = nwd_send({{pool(first), count}}, to, t);
    if (t != Transaction::Share && rng_() % 2) d.flags = mem::flags::kZeroMemory;
    const uint64_t fid = t == Transaction::Share ? kShare32 : t == Transaction::Lend ? kLend32 : kDonate32;
    bool pages_free = true;
    for (unsigned i = first; i < first + count; ++i) pages_free &= sh_.page[i] == kFree;
    const Regs r = m_.nwd_send_regs(mem::build_transaction(d, mem::Layout::V1_1), fid);
    if (!pages_free) {
      EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), r)) << "send over busy pages";
      return;
    }
    const uint64_t h = sh_.next_handle();
    EXPECT_TRUE(regs_eq(R(kSuccess32, 0, h), r)) << "send of pages " << first << "+" << count;
    sh_.txs[h] = {t, first, count, to};
    for (unsigned i = first; i < first + count; ++i) sh_.page[i] = int64_t(h);
    ++successes;
  }

  void retrieve() {
    const uint64_t h = pick_handle();
    auto it = sh_.txs.find(h);
    const Transaction t = it != sh_.txs.end() ? it->second.type : Transaction::Share;
    const Regs r = m_.sp_retrieve_regs(sp_retrieve(h, t));
    if (it == sh_.txs.end() || it->second.to != kTestSp) {
      EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), r)) << "retrieve of " << h;
      return;
    }
    if (it->second.retrieved) {
      EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), r)) << "second retrieve of " << h;
      return;
    }
    EXPECT_TRUE(regs_eq(R(kRetrieveResp, 96, 96), r)) << "retrieve of " << h;
    EXPECT_TRUE(regs_eq(R(kSuccess32), m_.sp(R(kRxRelease))));
    ++successes;
    if (t != Transaction::Donate) {
      it->second.retrieved = true;
      return;
    }
    for (unsigned i = it->second.first; i < it->second.first + it->second.count; ++i) sh_.page[i] = kDonated;
    sh_.txs.erase(it);
  }

  void relinquish() {
    const uint64_t h = pick_handle();
    auto it = sh_.txs.find(h);
    const bool zero = it != sh_.txs.end() && it->second.type == Transaction::Lend && rng_() % 2;
    const Regs r = m_.sp_relinquish(h, zero ? mem::flags::kZeroMemory : 0);
    if (it == sh_.txs.end() || it->second.to != kTestSp || !it->second.retrieved) {
      EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), r)) << "relinquish of " << h;
      return;
    }
    EXPECT_TRUE(regs_eq(R(kSuccess32), r)) << "relinquish of " << h;
    it->second.retrieved = false;
    ++successes;
  }

  void reclaim() {
    const uint64_t h = pick_handle();
    auto it = sh_.txs.find(h);
    const Regs r = m_.nwd(R(kReclaim, uint32_t(h), uint32_t(h >> 32), rng_() % 2));
    if (it == sh_.txs.end()) {
      EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), r)) << "reclaim of " << h;
      return;
    }
    if (it->second.retrieved) {
      EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), r)) << "reclaim of retrieved " << h;
      return;
    }
    EXPECT_TRUE(regs_eq(R(kSuccess32), r)) << "reclaim of " << h;
    for (unsigned i = it->second.first; i < it->second.first + it->second.count; ++i) sh_.page[i] = kFree;
    sh_.txs.erase(it);
    ++successes;
  }

  // Who the shadow says may access each page, against the SPMC's ownership state.
  void check_pages() {
    using Access = std::map<uint16_t, std::string>;
    for (unsigned i = 0; i < kPoolPages; ++i) {
      const PageAccessInfo p = m_.s.page_access(pool(i));
      Access want = {{0, "rwx"}};
      uint16_t owner = 0;
      uint64_t handle = ~0ull;
      if (sh_.page[i] == kDonated) {
        owner = kTestSp;
        want = {{kTestSp, "rw-"}};
      } else if (sh_.page[i] != kFree) {
        const ShadowTx& t = sh_.txs.at(uint64_t(sh_.page[i]));
        handle = uint64_t(sh_.page[i]);
        if (t.type != Transaction::Share) want.clear();
        if (t.retrieved) want[kTestSp] = "rw-";
      }
      ASSERT_EQ(p.access, want) << "page " << i;
      // The real stage-2 tables, walked: the test SP maps exactly what the shadow grants it, and
      // OP-TEE never maps the pool.
      const auto sp = want.find(kTestSp);
      ASSERT_EQ(m_.s.stage2_access(kTestSp, pool(i), false), sp == want.end() ? "---" : sp->second) << "page " << i;
      ASSERT_EQ(m_.s.stage2_access(kOptee, pool(i), false), "---") << "page " << i;
      ASSERT_EQ(p.owner, owner) << "page " << i;
      ASSERT_EQ(p.handle, handle) << "page " << i;
    }
  }

  std::mt19937 rng_;
  MemStack m_;
  Shadow sh_;
};

TEST(MemRandom, FourHundredRandomMemoryCallsKeepIsolationAndMatchTheShadowModel) {
  RandomMemoryRun run(20240817);
  for (int i = 0; i < 400; ++i) {
    run.step();
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GT(run.successes, 100u);  // the sequence exercises the successful paths, not only errors
}

}  // namespace
}  // namespace ffasim::testing
