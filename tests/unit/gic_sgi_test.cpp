// SGI generation (sheet section 2.7): the register layout, the requested group per register and
// sender, every row of the forwarding table in both the gem5 and the QEMU variant, and the
// targeting by TargetList / Aff1-3 / IRM / RS. Pure logic: no SystemC.
#include <gtest/gtest.h>

#include "tests/unit/gic_fixture.h"

namespace ffasim::sim::gic {
namespace {

using namespace testing;
constexpr Group G0 = Group::G0, G1S = Group::G1S, G1NS = Group::G1NS;

// ---------------------------------------------------------------------------------------------
// Layout and requested group

TEST(GicSgiRegister, EveryFieldSitsWhereTheSheetPutsIt) {
  const uint64_t v = 0x00A5ull << 0 | 0x3Cull << 16 | 0x9ull << 24 | 0x5Aull << 32 | 1ull << 40 |
                     0x7ull << 44 | 0xC3ull << 48;
  const SgiRequest q = decode_sgir(v);
  EXPECT_EQ(q.target_list, 0x00A5);  // [15:0]
  EXPECT_EQ(q.aff1, 0x3C);           // [23:16]
  EXPECT_EQ(q.intid, 9);             // [27:24]
  EXPECT_EQ(q.aff2, 0x5A);           // [39:32]
  EXPECT_TRUE(q.irm);                // [40]
  EXPECT_EQ(q.rs, 7);                // [47:44]
  EXPECT_EQ(q.aff3, 0xC3);           // [55:48]
}

TEST(GicSgiRegister, BitsOutsideTheFieldsAreIgnored) {
  const SgiRequest q = decode_sgir(0xF000'00F0'0000'0000ull | (0xFull << 28) | (0x7ull << 41));
  EXPECT_EQ(q.target_list, 0);
  EXPECT_EQ(q.intid, 0);
  EXPECT_FALSE(q.irm);
  EXPECT_EQ(q.rs, 0);
}

TEST(GicSgiRegister, EachRegisterRequestsTheGroupTheSheetGivesForEachSender) {
  EXPECT_EQ(sgi_requested_group(SgiRegister::SGI0R, true), G0);
  EXPECT_EQ(sgi_requested_group(SgiRegister::SGI0R, false), G0);
  EXPECT_EQ(sgi_requested_group(SgiRegister::SGI1R, true), G1S);
  EXPECT_EQ(sgi_requested_group(SgiRegister::SGI1R, false), G1NS);
  EXPECT_EQ(sgi_requested_group(SgiRegister::ASGI1R, true), G1NS);
  EXPECT_EQ(sgi_requested_group(SgiRegister::ASGI1R, false), G1S);
}

// ---------------------------------------------------------------------------------------------
// The forwarding table, DS = 0. Columns: target configured as G0, G1S, G1NS.

struct Row {
  bool secure;
  Group request;
  // Expected per configured group, as a function of GICR_NSACR (0..3).
  bool (*expect)(Group configured, unsigned nsacr);
  const char* name;
};

void check_row(SgiForwarding v, const Row& r) {
  for (Group cfg : {G0, G1S, G1NS})
    for (unsigned nsacr = 0; nsacr < 4; ++nsacr)
      EXPECT_EQ(sgi_forwarded(v, r.secure, r.request, cfg, false, nsacr), r.expect(cfg, nsacr))
          << r.name << " to an SGI configured " << name(cfg) << ", NSACR " << nsacr;
}

// gem5 (the sheet's table).
TEST(GicSgiForwardingGem5, SecureSgi0rReachesOnlyGroup0) {
  check_row(SgiForwarding::Gem5, {true, G0, [](Group c, unsigned) { return c == G0; }, "S SGI0R"});
}
TEST(GicSgiForwardingGem5, SecureSgi1rReachesOnlySecureGroup1) {
  check_row(SgiForwarding::Gem5, {true, G1S, [](Group c, unsigned) { return c == G1S; }, "S SGI1R"});
}
TEST(GicSgiForwardingGem5, SecureAsgi1rReachesOnlyNonSecureGroup1) {
  check_row(SgiForwarding::Gem5, {true, G1NS, [](Group c, unsigned) { return c == G1NS; }, "S ASGI1R"});
}
TEST(GicSgiForwardingGem5, NonSecureSgi0rReachesGroup0OnlyWithNsacrAtLeastOne) {
  check_row(SgiForwarding::Gem5,
            {false, G0, [](Group c, unsigned n) { return c == G0 && n >= 1; }, "NS SGI0R"});
}
TEST(GicSgiForwardingGem5, NonSecureSgi1rReachesGroup0WithNsacrAtLeastOneAndSecureGroup1WithNsacrTwo) {
  check_row(SgiForwarding::Gem5, {false, G1NS,
                                  [](Group c, unsigned n) {
                                    return c == G1NS || (c == G0 && n >= 1) || (c == G1S && n == 2);
                                  },
                                  "NS SGI1R"});
}
TEST(GicSgiForwardingGem5, NonSecureAsgi1rReachesGroup0AndSecureGroup1ByNsacrButNeverNonSecureGroup1) {
  check_row(SgiForwarding::Gem5,
            {false, G1S,
             [](Group c, unsigned n) { return (c == G0 && n >= 1) || (c == G1S && n == 2); },
             "NS ASGI1R"});
}

// QEMU: the group must match; a Secure Group 1 request is accepted by a Group 0 SGI; NS
// senders need NSACR >= 1 for Group 0 and >= 2 for Secure Group 1.
TEST(GicSgiForwardingQemu, SecureSgi0rReachesOnlyGroup0) {
  check_row(SgiForwarding::Qemu, {true, G0, [](Group c, unsigned) { return c == G0; }, "S SGI0R"});
}
TEST(GicSgiForwardingQemu, SecureSgi1rAlsoReachesGroup0) {
  check_row(SgiForwarding::Qemu,
            {true, G1S, [](Group c, unsigned) { return c == G1S || c == G0; }, "S SGI1R"});
}
TEST(GicSgiForwardingQemu, SecureAsgi1rReachesOnlyNonSecureGroup1) {
  check_row(SgiForwarding::Qemu, {true, G1NS, [](Group c, unsigned) { return c == G1NS; }, "S ASGI1R"});
}
TEST(GicSgiForwardingQemu, NonSecureSgi0rReachesGroup0OnlyWithNsacrAtLeastOne) {
  check_row(SgiForwarding::Qemu,
            {false, G0, [](Group c, unsigned n) { return c == G0 && n >= 1; }, "NS SGI0R"});
}
TEST(GicSgiForwardingQemu, NonSecureSgi1rNeverReachesASecureSgi) {
  check_row(SgiForwarding::Qemu, {false, G1NS, [](Group c, unsigned) { return c == G1NS; }, "NS SGI1R"});
}
TEST(GicSgiForwardingQemu, NonSecureAsgi1rReachesSecureGroup1WithNsacrTwoOrThree) {
  check_row(SgiForwarding::Qemu,
            {false, G1S,
             [](Group c, unsigned n) { return (c == G0 && n >= 1) || (c == G1S && n >= 2); },
             "NS ASGI1R"});
}

TEST(GicSgiForwarding, TheVariantsDifferInExactlyTheThreeCasesAndNsacrThreeTheSheetLists) {
  int differ = 0;
  for (bool sec : {true, false})
    for (Group req : {G0, G1S, G1NS})
      for (Group cfg : {G0, G1S, G1NS})
        for (unsigned n : {0u, 1u, 2u})
          if (sgi_forwarded(SgiForwarding::Gem5, sec, req, cfg, false, n) !=
              sgi_forwarded(SgiForwarding::Qemu, sec, req, cfg, false, n))
            ++differ;
  // S SGI1R -> G0 (any NSACR: 3 cases), NS SGI1R -> G0 (NSACR 1, 2), NS SGI1R -> G1S (NSACR 2).
  EXPECT_EQ(differ, 3 + 2 + 1);
  EXPECT_FALSE(sgi_forwarded(SgiForwarding::Gem5, false, G1S, G1S, false, 3));
  EXPECT_TRUE(sgi_forwarded(SgiForwarding::Qemu, false, G1S, G1S, false, 3));
}

// DS = 1: only Group 0 and Group 1 exist.
TEST(GicSgiForwardingGem5, WithOneSecurityStateANonSecureSgi1rReachesGroup0SgisAsInKvm) {
  EXPECT_TRUE(sgi_forwarded(SgiForwarding::Gem5, false, G1NS, G0, true, 0));
  EXPECT_TRUE(sgi_forwarded(SgiForwarding::Gem5, false, G1NS, G1NS, true, 0));
  EXPECT_TRUE(sgi_forwarded(SgiForwarding::Gem5, false, G0, G0, true, 0));
  EXPECT_FALSE(sgi_forwarded(SgiForwarding::Gem5, false, G0, G1NS, true, 0));
  EXPECT_TRUE(sgi_forwarded(SgiForwarding::Gem5, true, G1S, G0, true, 0));
}
TEST(GicSgiForwardingQemu, WithOneSecurityStateANonSecureSgi1rDoesNotReachGroup0Sgis) {
  EXPECT_FALSE(sgi_forwarded(SgiForwarding::Qemu, false, G1NS, G0, true, 0));
  EXPECT_TRUE(sgi_forwarded(SgiForwarding::Qemu, false, G1NS, G1NS, true, 0));
  EXPECT_TRUE(sgi_forwarded(SgiForwarding::Qemu, true, G1S, G0, true, 0));  // G1 becomes G0
}

// ---------------------------------------------------------------------------------------------
// End to end through ICC_*SGI*R_EL1

GicState eight_pes(SgiForwarding v = SgiForwarding::Gem5) {
  GicConfig c = config(8);
  c.sgi_forwarding = v;
  for (unsigned i = 0; i < 8; ++i) c.affinity.push_back(affinity_from_mpidr((i / 4) << 8 | (i % 4)));
  return ready_gic(c);
}

TEST(GicSgiGeneration, HafniumsScheduleReceiverInterruptFromSecureEl2ReachesTheNormalWorldAsAnIrq) {
  GicState s = eight_pes();
  configure(s, 1, 8, G1NS, 0xA0);  // Linux's SGI 8, Non-secure Group 1
  set_pe(s, 0, s_el2());
  icc_sgi_write(s, 0, SgiRegister::ASGI1R, 8ull << 24 | 1u << 1);  // Aff1 0, TargetList bit 1
  EXPECT_TRUE(irq_pending(s, 1, 8));
  EXPECT_TRUE(s.cpu[1].irq);  // PE1 at NS-EL1
}

TEST(GicSgiGeneration, AnSgi1rFromSecureEl2ToANonSecureSgiIsDropped) {
  GicState s = eight_pes();
  configure(s, 1, 8, G1NS, 0xA0);
  set_pe(s, 0, s_el2());
  icc_sgi_write(s, 0, SgiRegister::SGI1R, 8ull << 24 | 1u << 1);
  EXPECT_FALSE(irq_pending(s, 1, 8));
}

TEST(GicSgiGeneration, TargetListAndAff1SelectPesInTheNamedCluster) {
  GicState s = eight_pes();
  for (unsigned p = 0; p < 8; ++p) configure(s, p, 1, G1NS, 0x80);
  icc_sgi_write(s, 0, SgiRegister::SGI1R, 1ull << 24 | 1ull << 16 | 0b1010);  // cluster 1, cores 1 3
  for (unsigned p = 0; p < 8; ++p) EXPECT_EQ(irq_pending(s, p, 1), p == 5 || p == 7) << "PE " << p;
}

TEST(GicSgiGeneration, Aff2AndAff3MustMatchToo) {
  GicState s = eight_pes();
  for (unsigned p = 0; p < 8; ++p) configure(s, p, 1, G1NS, 0x80);
  icc_sgi_write(s, 0, SgiRegister::SGI1R, 1ull << 24 | 1ull << 32 | 0xF);
  icc_sgi_write(s, 0, SgiRegister::SGI1R, 1ull << 24 | 1ull << 48 | 0xF);
  for (unsigned p = 0; p < 8; ++p) EXPECT_FALSE(irq_pending(s, p, 1)) << "PE " << p;
}

TEST(GicSgiGeneration, IrmOneTargetsEveryPeButTheSender) {
  GicState s = eight_pes();
  for (unsigned p = 0; p < 8; ++p) configure(s, p, 2, G1NS, 0x80);
  icc_sgi_write(s, 3, SgiRegister::SGI1R, 2ull << 24 | 1ull << 40);
  for (unsigned p = 0; p < 8; ++p) EXPECT_EQ(irq_pending(s, p, 2), p != 3) << "PE " << p;
}

TEST(GicSgiGeneration, RangeSelectorOneNamesAff0SixteenToThirtyOne) {
  GicConfig c = config(3);
  c.affinity = {0x00, 0x11, 0x12};  // Aff0 0, 17, 18
  GicState s = ready_gic(c);
  for (unsigned p = 0; p < 3; ++p) configure(s, p, 4, G1NS, 0x80);
  icc_sgi_write(s, 0, SgiRegister::SGI1R, 4ull << 24 | 1ull << 44 | 1u << 1);  // RS 1, bit 1
  EXPECT_FALSE(irq_pending(s, 0, 4));
  EXPECT_TRUE(irq_pending(s, 1, 4));
  EXPECT_FALSE(irq_pending(s, 2, 4));
}

TEST(GicSgiGeneration, TheSwitchSelectsTheVariantEndToEnd) {
  for (SgiForwarding v : {SgiForwarding::Gem5, SgiForwarding::Qemu}) {
    GicState s = eight_pes(v);
    configure(s, 1, 10, G0, 0x20);
    set_pe(s, 0, s_el1());
    icc_sgi_write(s, 0, SgiRegister::SGI1R, 10ull << 24 | 1u << 1);
    EXPECT_EQ(irq_pending(s, 1, 10), v == SgiForwarding::Qemu);
  }
}

TEST(GicSgiGeneration, ANonSecureSgi0rNeedsTheTargetsNsacr) {
  GicState s = eight_pes();
  configure(s, 1, 14, G0, 0x20);
  icc_sgi_write(s, 0, SgiRegister::SGI0R, 14ull << 24 | 1u << 1);
  EXPECT_FALSE(irq_pending(s, 1, 14));
  ASSERT_TRUE(gicr_write(s, 1, gicr::NSACR, 4, Security::Secure, 1u << 28));  // NS_access14 = 01
  icc_sgi_write(s, 0, SgiRegister::SGI0R, 14ull << 24 | 1u << 1);
  EXPECT_TRUE(irq_pending(s, 1, 14));
}

}  // namespace
}  // namespace ffasim::sim::gic
