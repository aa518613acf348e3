// Helpers for the memory-management tests that drive the assembled stack: the normal world calls
// on PE 1 while the host holds the test SP (0x8002) on PE 0 (CMD_HOST), the isolation checker is
// on, and descriptors are built with models/ffa/mem_descriptors.h and written into TX buffers.
#pragma once

#include "tests/unit/stack_fixture.h"

#include <string>
#include <vector>

#include "models/ffa/mem_descriptors.h"
#include "models/ffa/test_sp_protocol.h"

namespace ffasim::testing {

namespace mem = ffa::mem;

inline constexpr uint64_t kDonate32 = 0x84000071, kLend32 = 0x84000072, kShare32 = 0x84000073;
inline constexpr uint64_t kShare64 = 0xC4000073, kLend64 = 0xC4000072;
inline constexpr uint64_t kRetrieveReq32 = 0x84000074, kRetrieveReq64 = 0xC4000074, kRetrieveResp = 0x84000075;
inline constexpr uint64_t kRelinquish = 0x84000076, kReclaim = 0x84000077;
inline constexpr uint64_t kFragRx = 0x8400007A, kFragTx = 0x8400007B;
inline constexpr uint64_t kFfaVersion = 0x84000063, kFfaFeatures = 0x84000064, kRxRelease = 0x84000065;
inline constexpr uint64_t kRxtxMap = 0xC4000066, kDirectReq32 = 0x8400006F, kDirectResp32 = 0x84000070;
// Buffers: the normal world's (mapped by the fixture) and the test SP's (mapped at its boot, see
// scenarios/platforms/fvp_test_sp_manifest.dts).
inline constexpr uint64_t kNwdTx = 0x80100000, kNwdRx = 0x80101000;
inline constexpr uint64_t kSpRx = 0x7100000, kSpTx = 0x7101000;
inline constexpr uint64_t kPool = 0x80200000;  // NS memory the normal world gives away

inline ScenarioConfig mem_platform(const std::string& flavour = "hafnium") {
  ScenarioConfig c = bare_platform(2);
  c.cpu_on_idle_pes = true;  // the normal world calls on PE 1 while the SP is held on PE 0
  c.check_isolation = true;
  c.spmc_flavour = flavour;
  return c;
}

inline uint16_t le16(const std::vector<uint8_t>& b, size_t o) { return uint16_t(b[o] | b[o + 1] << 8); }
inline uint32_t le32(const std::vector<uint8_t>& b, size_t o) { return le16(b, o) | uint32_t(le16(b, o + 2)) << 16; }
inline uint64_t le64(const std::vector<uint8_t>& b, size_t o) { return le32(b, o) | uint64_t(le32(b, o + 4)) << 32; }

// The normal world's send descriptor: sender 0, one borrower, the attributes Hafnium wants for
// the transaction type (Normal WB inner-shareable for SHARE, unspecified otherwise), RW for
// SHARE/LEND and unspecified for DONATE.
inline mem::Descriptor nwd_send(std::vector<mem::Constituent> c, uint16_t to = kTestSp,
                                mem::Transaction t = mem::Transaction::Share) {
  mem::Descriptor d;
  d.sender = ffa::EndpointId(0);
  d.attributes = t == mem::Transaction::Share ? mem::attr::kNormalWbInner : 0;
  d.receivers = {mem::Emad{ffa::EndpointId(to), t == mem::Transaction::Donate ? uint8_t(0) : mem::perm::kRW}};
  mem::set_constituents(d, std::move(c));
  return d;
}

// A retrieve request from the test SP; LEND and DONATE must ask for instruction access.
inline std::vector<uint8_t> sp_retrieve(uint64_t handle, mem::Transaction t, uint16_t sender = 0,
                                        uint32_t emad_size = mem::kEmadV1_0) {
  mem::Descriptor d;
  d.sender = ffa::EndpointId(sender);
  d.handle = handle;
  d.flags = mem::type_flags(t);
  d.emad_size = emad_size;
  const uint8_t perms = t == mem::Transaction::Share ? 0 : mem::perm::kNX;
  d.receivers = {mem::Emad{ffa::EndpointId(kTestSp), perms}};
  return mem::build_retrieve_request(d, mem::Layout::V1_1);
}

inline uint32_t size32(const std::vector<uint8_t>& b) { return uint32_t(b.size()); }

// The stack with the normal world at v1.2 with its RX/TX buffers mapped, and the test SP held.
struct MemStack {
  Stack s;
  explicit MemStack(const std::string& flavour = "hafnium", bool nwd_v12 = true) : MemStack(mem_platform(flavour), nwd_v12) {}
  explicit MemStack(const ScenarioConfig& c, bool nwd_v12 = true) : s(c) {
    if (nwd_v12) {
      EXPECT_EQ(nwd(R(kFfaVersion, 0x10002))[0], 0x10002u);
    }
    EXPECT_TRUE(regs_eq(R(kSuccess32), nwd(R(kRxtxMap, kNwdTx, kNwdRx, 1))));
    Regs out{};
    EXPECT_FALSE(s.call(0, 0, R(kDirectReq32, kTestSp, 0, ffa::test_sp::CMD_HOST), out));
    EXPECT_TRUE(s.host_waiting(kTestSp, 0));
  }
  ~MemStack() {
    const auto e = s.errors();
    EXPECT_TRUE(e.empty()) << e.size() << " errors, the first: " << e.front();
  }
  Regs nwd(const Regs& in) { return nwd_call(s, in, 1); }
  Regs sp(const Regs& in) {
    Regs out{};
    EXPECT_TRUE(s.call(kTestSp, 0, in, out)) << "the SP's call did not return";
    return out;
  }
  // Writes a descriptor into the normal world's TX buffer and sends it in one fragment.
  Regs nwd_send_regs(const std::vector<uint8_t>& b, uint64_t fid = kShare32) {
    EXPECT_TRUE(s.write(kNwdTx, b, false));
    return nwd(R(fid, b.size(), b.size()));
  }
  uint64_t send(const mem::Descriptor& d, uint64_t fid = kShare32) {
    const Regs r = nwd_send_regs(mem::build_transaction(d, mem::Layout::V1_1), fid);
    EXPECT_EQ(r[0], kSuccess32) << ffa::fid_name(r[0]) << " error " << int32_t(r[2]);
    return uint32_t(r[2]) | uint64_t(uint32_t(r[3])) << 32;
  }
  Regs sp_retrieve_regs(const std::vector<uint8_t>& req, uint64_t fid = kRetrieveReq32) {
    EXPECT_TRUE(s.write(kSpTx, req, true));
    return sp(R(fid, req.size(), req.size()));
  }
  Regs sp_relinquish(uint64_t handle, uint32_t flags = 0, uint16_t who = kTestSp) {
    EXPECT_TRUE(s.write(kSpTx, mem::build_relinquish({handle, flags, {ffa::EndpointId(who)}}), true));
    return sp(R(kRelinquish));
  }
  std::vector<uint8_t> sp_rx(size_t n) {
    std::vector<uint8_t> b;
    EXPECT_TRUE(s.read(kSpRx, n, true, b));
    return b;
  }
};

}  // namespace ffasim::testing
