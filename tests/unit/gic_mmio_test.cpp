// The memory-mapped GICD_* and GICR_* registers: bit layouts (GICD_CTLR, GICD_TYPER, GICR_TYPER,
// GICR_WAKER, GICR_CTLR, PIDR2), the Secure and Non-secure views (sheet 2.3, 2.9, 2.11), guest
// errors, and one TLM-2.0 bench at QEMU virt's addresses (5.3). Only the last TEST elaborates
// SystemC (one module set per process; the build runs each TEST in its own process).
#include <gtest/gtest.h>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "sim/core/memory.h"
#include "sim/gic/gic_mmio.h"
#include "tests/unit/gic_fixture.h"

namespace ffasim::sim::gic {
namespace {

using namespace testing;
constexpr Security S = Security::Secure, NS = Security::NonSecure;

uint64_t rd(GicState& s, uint32_t off, Security sec, unsigned size = 4) {
  uint64_t v = 0xDEAD;
  EXPECT_TRUE(gicd_read(s, off, size, sec, v)) << std::hex << off;
  return v;
}
uint64_t rr(GicState& s, unsigned cpu, uint32_t off, Security sec, unsigned size = 4) {
  uint64_t v = 0xDEAD;
  EXPECT_TRUE(gicr_read(s, cpu, off, size, sec, v)) << std::hex << off;
  return v;
}

// ---------------------------------------------------------------------------------------------
// GICD_TYPER (layout: IHI 0069; see distributor.cpp)

TEST(GicdTyper, ItLinesNumberSitsInBitsFourToZero) {
  GicState s = make_gic_state(config(1));  // 288 INTIDs
  EXPECT_EQ(rd(s, gicd::TYPER, S) & 0x1F, 288u / 32 - 1);
}

TEST(GicdTyper, CpuNumberIsNotMixedIntoItLinesNumber) {
  GicConfig c = config(4);
  c.num_irq = 96;
  GicState s = make_gic_state(c);
  const uint64_t v = rd(s, gicd::TYPER, S);
  EXPECT_EQ(v & 0x1F, 2u);         // ITLinesNumber [4:0]
  EXPECT_EQ((v >> 5) & 7, 0u);     // CPUNumber [7:5]: 0, affinity routing is always on
}

TEST(GicdTyper, TheFeatureBitsDescribeThisModel) {
  GicState s = make_gic_state(config(1));
  const uint64_t v = rd(s, gicd::TYPER, S);
  EXPECT_EQ((v >> 10) & 1, 1u);     // SecurityExtn
  EXPECT_EQ((v >> 16) & 1, 0u);     // MBIS: no message-based SPIs
  EXPECT_EQ((v >> 17) & 1, 0u);     // LPIS: no LPIs
  EXPECT_EQ((v >> 18) & 1, 0u);     // DVIS
  EXPECT_EQ((v >> 19) & 0x1F, 15u); // IDbits: 16-bit INTIDs
  EXPECT_EQ((v >> 24) & 1, 1u);     // A3V
  EXPECT_EQ((v >> 25) & 1, 0u);     // No1N: 1-of-N is supported
  EXPECT_EQ((v >> 26) & 1, 1u);     // RSS
}

TEST(GicdTyper, SecurityExtnIsClearedBySettingDs) {
  GicState s = make_gic_state(config(1));
  ASSERT_TRUE(gicd_write(s, gicd::CTLR, 4, S, gicd_ctlr::DS));
  EXPECT_EQ((rd(s, gicd::TYPER, S) >> 10) & 1, 0u);
}

TEST(GicdIdentification, IidrIsArmAndPidr2ArchRevIsThreeInBothFrames) {
  GicState s = make_gic_state(config(1));
  EXPECT_EQ(rd(s, gicd::IIDR, NS), 0x43Bu);
  EXPECT_EQ((rd(s, gicd::PIDR2, NS) >> 4) & 0xF, 3u);
  EXPECT_EQ((rr(s, 0, 0xFFE8, NS) >> 4) & 0xF, 3u);
}

// ---------------------------------------------------------------------------------------------
// GICD_CTLR views (section 2.3)

TEST(GicdCtlr, TheSecureViewHasTheGroupEnablesAndAffinityRoutingAlwaysOn) {
  GicState s = make_gic_state(config(1));
  EXPECT_EQ(rd(s, gicd::CTLR, S), 0x30u);  // ARE_S [4], ARE_NS [5]
  ASSERT_TRUE(gicd_write(s, gicd::CTLR, 4, S, 0x7));
  EXPECT_EQ(rd(s, gicd::CTLR, S), 0x37u);  // EnableGrp0 [0], EnableGrp1NS [1], EnableGrp1S [2]
  ASSERT_TRUE(gicd_write(s, gicd::CTLR, 4, S, 0));
  EXPECT_EQ(rd(s, gicd::CTLR, S), 0x30u);  // ARE bits are RAO/WI
}

TEST(GicdCtlr, TheNonSecureViewShowsEnableGrp1AAtBitOneAndAreNsAtBitFour) {
  GicState s = make_gic_state(config(1));
  ASSERT_TRUE(gicd_write(s, gicd::CTLR, 4, S, 0x7));
  EXPECT_EQ(rd(s, gicd::CTLR, NS), 0x12u);
  ASSERT_TRUE(gicd_write(s, gicd::CTLR, 4, NS, 0));
  EXPECT_EQ(rd(s, gicd::CTLR, S), 0x35u);  // only EnableGrp1NS cleared
  ASSERT_TRUE(gicd_write(s, gicd::CTLR, 4, NS, 0x13));  // what Linux writes
  EXPECT_EQ(rd(s, gicd::CTLR, S), 0x37u);
}

TEST(GicdCtlr, WithDsSetTheViewIsEnableGrp0EnableGrp1AreAndDs) {
  GicState s = make_gic_state(config(1));
  ASSERT_TRUE(gicd_write(s, gicd::CTLR, 4, S, gicd_ctlr::DS | 0x7));
  EXPECT_EQ(rd(s, gicd::CTLR, NS), 0x53u);  // bit 0, bit 1, ARE [4], DS [6]
  ASSERT_TRUE(gicd_write(s, gicd::CTLR, 4, NS, 0));
  EXPECT_EQ(rd(s, gicd::CTLR, S), 0x50u);   // DS stays set
}

TEST(GicdCtlr, AGicWithOneSecurityStateReadsDsAsOne) {
  GicConfig c = config(1);
  c.security_extn = false;
  GicState s = make_gic_state(c);
  EXPECT_EQ(rd(s, gicd::CTLR, S) & gicd_ctlr::DS, gicd_ctlr::DS);
}

// ---------------------------------------------------------------------------------------------
// Secure-only fields and the Non-secure priority view

TEST(GicdNonSecureView, GroupRegistersAreRazWiToNonSecure) {
  GicState s = make_gic_state(config(1));
  ASSERT_TRUE(gicd_write(s, gicd::IGROUPR + 4, 4, S, 0x0000FFFF));
  EXPECT_EQ(rd(s, gicd::IGROUPR + 4, NS), 0u);
  ASSERT_TRUE(gicd_write(s, gicd::IGROUPR + 4, 4, NS, 0xFFFFFFFF));
  EXPECT_EQ(rd(s, gicd::IGROUPR + 4, S), 0x0000FFFFu);
  ASSERT_TRUE(gicd_write(s, gicd::IGRPMODR + 4, 4, NS, 0xFFFFFFFF));
  EXPECT_EQ(rd(s, gicd::IGRPMODR + 4, S), 0u);
}

TEST(GicdNonSecureView, NonSecureSeesAndChangesOnlyNonSecureGroup1Bits) {
  GicState s = make_gic_state(config(1));
  ASSERT_TRUE(gicd_write(s, gicd::IGROUPR + 4, 4, S, 0x0000FFFF));  // 32-47 G1NS, 48-63 G0
  ASSERT_TRUE(gicd_write(s, gicd::ISENABLER + 4, 4, NS, 0xFFFFFFFF));
  EXPECT_EQ(rd(s, gicd::ISENABLER + 4, S), 0x0000FFFFu);
  ASSERT_TRUE(gicd_write(s, gicd::ISENABLER + 4, 4, S, 0xFFFFFFFF));
  EXPECT_EQ(rd(s, gicd::ISENABLER + 4, NS), 0x0000FFFFu);
  ASSERT_TRUE(gicd_write(s, gicd::ICENABLER + 4, 4, NS, 0xFFFFFFFF));
  EXPECT_EQ(rd(s, gicd::ISENABLER + 4, S), 0xFFFF0000u);
}

TEST(GicdNonSecureView, NonSecurePrioritiesAreShiftedIntoTheLowerHalf) {
  GicState s = make_gic_state(config(1));
  ASSERT_TRUE(gicd_write(s, gicd::IGROUPR + 4, 4, S, 1u << 8));  // INTID 40 G1NS
  ASSERT_TRUE(gicd_write(s, gicd::IPRIORITYR + 40, 1, NS, 0xA0));
  EXPECT_EQ(rd(s, gicd::IPRIORITYR + 40, S, 1), 0xD0u);  // (0xA0 >> 1) | 0x80
  EXPECT_EQ(rd(s, gicd::IPRIORITYR + 40, NS, 1), 0xA0u);
  ASSERT_TRUE(gicd_write(s, gicd::IPRIORITYR + 41, 1, S, 0x20));  // INTID 41 Group 0
  EXPECT_EQ(rd(s, gicd::IPRIORITYR + 41, NS, 1), 0u);
  ASSERT_TRUE(gicd_write(s, gicd::IPRIORITYR + 41, 1, NS, 0xFF));
  EXPECT_EQ(rd(s, gicd::IPRIORITYR + 41, S, 1), 0x20u);
}

TEST(GicdNonSecureView, IrouterAndNsacrOfSecureInterruptsAreRazWiToNonSecure) {
  GicState s = make_gic_state(config(1));
  ASSERT_TRUE(gicd_write(s, gicd::IROUTER + 8 * 40, 8, S, 0x1));
  EXPECT_EQ(rd(s, gicd::IROUTER + 8 * 40, NS, 8), 0u);
  ASSERT_TRUE(gicd_write(s, gicd::NSACR + 8, 4, S, 0x5));
  EXPECT_EQ(rd(s, gicd::NSACR + 8, NS), 0u);
  EXPECT_EQ(rd(s, gicd::NSACR + 8, S), 0x5u);
}

TEST(GicdRegisters, InterruptsZeroToThirtyOneAreRazWiInTheDistributor) {
  GicState s = make_gic_state(config(1));
  ASSERT_TRUE(gicd_write(s, gicd::ISENABLER, 4, S, 0xFFFFFFFF));
  EXPECT_EQ(rd(s, gicd::ISENABLER, S), 0u);
  EXPECT_EQ(s.cpu[0].gicr.isenabler0, 0u);
  EXPECT_EQ(s.guest_errors, 0u);
}

// ---------------------------------------------------------------------------------------------
// Redistributor frames (section 2.4)

GicConfig two_clusters() {
  GicConfig c = config(8);
  for (unsigned i = 0; i < 8; ++i) c.affinity.push_back(affinity_from_mpidr((i / 4) << 8 | (i % 4)));
  return c;
}

TEST(GicrTyper, AffinityProcessorNumberAndLastSitWhereTheSheetPutsThem) {
  GicState s = make_gic_state(two_clusters());
  const uint64_t v = rr(s, 5, gicr::TYPER, NS, 8);
  EXPECT_EQ(v >> 32, 0x00000101u);     // Aff3.Aff2.Aff1.Aff0 = 0.0.1.1
  EXPECT_EQ((v >> 8) & 0xFFFF, 5u);    // Processor_Number [23:8]
  EXPECT_EQ((v >> 4) & 1, 0u);         // Last [4]
  EXPECT_EQ((v >> 1) & 1, 0u);         // VLPIS [1]
  EXPECT_EQ((rr(s, 7, gicr::TYPER, NS, 8) >> 4) & 1, 1u);
  EXPECT_EQ(rr(s, 5, gicr::TYPER + 4, NS), 0x00000101u);  // 32-bit read of the upper half
  EXPECT_EQ(rr(s, 5, gicr::TYPER, NS), v & 0xFFFFFFFF);
}

TEST(GicrTyper, Aff3AndAff2ComeFromTheMpidr) {
  GicConfig c = config(1);
  c.affinity = {affinity_from_mpidr(0x12ull << 32 | 0x34 << 16 | 0x56 << 8 | 0x78)};
  GicState s = make_gic_state(c);
  EXPECT_EQ(rr(s, 0, gicr::TYPER, S, 8) >> 32, 0x12345678u);
}

TEST(GicrWaker, TheWakeUpHandshakeClearsChildrenAsleepWithProcessorSleep) {
  GicState s = make_gic_state(config(1));
  EXPECT_EQ(rr(s, 0, gicr::WAKER, S), 0x6u);  // ProcessorSleep [1], ChildrenAsleep [2]
  ASSERT_TRUE(gicr_write(s, 0, gicr::WAKER, 4, S, 0));
  EXPECT_EQ(rr(s, 0, gicr::WAKER, S), 0u);
  ASSERT_TRUE(gicr_write(s, 0, gicr::WAKER, 4, S, gicr_waker::ProcessorSleep));
  EXPECT_EQ(rr(s, 0, gicr::WAKER, S), 0x6u);
}

TEST(GicrWaker, NonSecureAccessesAreRazWiAsInGem5UnlessConfiguredLikeQemu) {
  GicState s = make_gic_state(config(1));
  EXPECT_EQ(rr(s, 0, gicr::WAKER, NS), 0u);
  ASSERT_TRUE(gicr_write(s, 0, gicr::WAKER, 4, NS, 0));
  EXPECT_EQ(rr(s, 0, gicr::WAKER, S), 0x6u);
  GicConfig c = config(1);
  c.waker_ns_writable = true;
  GicState q = make_gic_state(c);
  ASSERT_TRUE(gicr_write(q, 0, gicr::WAKER, 4, NS, 0));
  EXPECT_EQ(rr(q, 0, gicr::WAKER, NS), 0u);
  EXPECT_EQ(rr(q, 0, gicr::WAKER, S), 0u);
}

TEST(GicrCtlr, DpgBitsAreTwentyFourToTwentySixAndOnlyDpg1NsIsNonSecure) {
  GicState s = make_gic_state(config(1));
  ASSERT_TRUE(gicr_write(s, 0, gicr::CTLR, 4, S, 0x07000001));  // EnableLPIs is RES0
  EXPECT_EQ(rr(s, 0, gicr::CTLR, S), 0x07000000u);
  EXPECT_EQ(rr(s, 0, gicr::CTLR, NS), gicr_ctlr::DPG1NS);
  ASSERT_TRUE(gicr_write(s, 0, gicr::CTLR, 4, NS, 0));
  EXPECT_EQ(rr(s, 0, gicr::CTLR, S), gicr_ctlr::DPG0 | gicr_ctlr::DPG1S);
}

TEST(GicrSgiFrame, Icfgr0ReadsAllEdgeAndIgnoresWrites) {
  GicState s = make_gic_state(config(1));
  EXPECT_EQ(rr(s, 0, gicr::ICFGR0, S), 0xAAAAAAAAu);
  ASSERT_TRUE(gicr_write(s, 0, gicr::ICFGR0, 4, S, 0));
  EXPECT_EQ(rr(s, 0, gicr::ICFGR0, S), 0xAAAAAAAAu);
  EXPECT_EQ(s.guest_errors, 0u);
}

TEST(GicrSgiFrame, SgiAndPpiRegistersReachTheirOwnPeOnly) {
  GicState s = make_gic_state(config(2));
  ASSERT_TRUE(gicr_write(s, 1, gicr::ISENABLER0, 4, S, 1u << 27));
  ASSERT_TRUE(gicr_write(s, 1, gicr::IPRIORITYR + 27, 1, S, 0x48));
  EXPECT_EQ(rr(s, 1, gicr::ISENABLER0, S), 1u << 27);
  EXPECT_EQ(rr(s, 0, gicr::ISENABLER0, S), 0u);
  EXPECT_EQ(rr(s, 1, gicr::IPRIORITYR + 24, S), 0x48u << 24);
}

TEST(GicrSgiFrame, NonSecureCannotTouchASecureSgi) {
  GicState s = make_gic_state(config(1));
  ASSERT_TRUE(gicr_write(s, 0, gicr::IGROUPR0, 4, S, 0xFF));  // SGIs 0-7 G1NS
  ASSERT_TRUE(gicr_write(s, 0, gicr::ISENABLER0, 4, NS, 0xFFFF));
  EXPECT_EQ(rr(s, 0, gicr::ISENABLER0, S), 0xFFu);
  EXPECT_EQ(rr(s, 0, gicr::IGROUPR0, NS), 0u);
  EXPECT_EQ(rr(s, 0, gicr::NSACR, NS), 0u);
}

// ---------------------------------------------------------------------------------------------
// Guest errors

TEST(GicGuestErrors, AnUnimplementedOffsetReadsZeroAndIsCounted) {
  GicState s = make_gic_state(config(1));
  uint64_t v = 1;
  EXPECT_FALSE(gicd_read(s, 0x0020, 4, NS, v));
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(s.guest_errors, 1u);
  EXPECT_NE(s.last_guest_error.find("0x0020"), std::string::npos);
}

TEST(GicGuestErrors, AWriteToAReadOnlyRegisterIsIgnoredAndCounted) {
  GicState s = make_gic_state(config(1));
  const uint64_t typer = rd(s, gicd::TYPER, S);
  EXPECT_FALSE(gicd_write(s, gicd::TYPER, 4, S, 0));
  EXPECT_EQ(rd(s, gicd::TYPER, S), typer);
  EXPECT_FALSE(gicr_write(s, 0, gicr::TYPER, 8, S, 0));
  EXPECT_EQ(s.guest_errors, 2u);
}

TEST(GicGuestErrors, AWrongSizeIsAGuestError) {
  GicState s = make_gic_state(config(1));
  uint64_t v = 0;
  EXPECT_FALSE(gicd_read(s, gicd::CTLR, 2, S, v));
  EXPECT_FALSE(gicd_write(s, gicd::ISENABLER + 4, 1, S, 0xFF));
  EXPECT_EQ(s.guest_errors, 2u);
}

TEST(GicGuestErrors, StrictModeTurnsAGuestErrorIntoAnException) {
  GicConfig c = config(1);
  c.strict = true;
  GicState s = make_gic_state(c);
  uint64_t v = 0;
  EXPECT_THROW(gicd_read(s, 0x0020, 4, NS, v), GuestError);
}

TEST(GicGuestErrors, AnAccessBeyondTheLastRedistributorIsAGuestError) {
  Gic gic(config(2), GicTiming{});
  uint64_t v = 1;
  EXPECT_FALSE(gic.gicr_read(2 * gicr::kStride + gicr::TYPER, 8, S, v, 0));
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(gic.guest_errors(), 1u);
}

// ---------------------------------------------------------------------------------------------
// TLM-2.0 (the only TEST here that elaborates SystemC)

struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator> socket{"socket"};
  explicit Initiator(sc_core::sc_module_name n) : sc_module(n) {}
  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t pa, uint64_t& v, unsigned n,
                                  Sideband* sb, sc_core::sc_time& delay) {
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(pa);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    gp.set_data_length(n);
    gp.set_streaming_width(n);
    if (sb) gp.set_extension(sb);
    socket->b_transport(gp, delay);
    if (sb) gp.clear_extension(sb);
    return gp.get_response_status();
  }
};

TEST(GicMmioTlm, SecureAndNonSecureTransactionsSeeTheirViewsAtQemuVirtAddresses) {
  Gic gic(two_clusters(), GicTiming{});
  GicMmio mmio("gic", gic);
  Initiator init("init");
  init.socket.bind(mmio.socket);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);  // elaborate
  Sideband s_sb, ns_sb;
  s_sb.security = Security::Secure;
  ns_sb.security = Security::NonSecure;
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  uint64_t v = 0x7;
  ASSERT_EQ(init.access(tlm::TLM_WRITE_COMMAND, 0x08000000, v, 4, &s_sb, delay), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(delay, sc_core::sc_time(10, sc_core::SC_NS));  // gic.dist_pio_ns
  v = 0;
  ASSERT_EQ(init.access(tlm::TLM_READ_COMMAND, 0x08000000, v, 4, &s_sb, delay), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0x37u);
  ASSERT_EQ(init.access(tlm::TLM_READ_COMMAND, 0x08000000, v, 4, &ns_sb, delay), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0x12u);
  ASSERT_EQ(init.access(tlm::TLM_READ_COMMAND, 0x08000000, v, 4, nullptr, delay), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0x12u);  // no sideband: Non-secure
  ASSERT_EQ(init.access(tlm::TLM_READ_COMMAND, 0x080A0000 + 5 * 0x20000 + 8, v, 8, &ns_sb, delay),
            tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v >> 32, 0x101u);  // GICR_TYPER of PE5
  v = 0xFFFFFFFF;
  ASSERT_EQ(init.access(tlm::TLM_READ_COMMAND, 0x08000020, v, 4, &ns_sb, delay), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0u);  // bad offset: RAZ, counted
  EXPECT_EQ(gic.guest_errors(), 1u);
  EXPECT_EQ(init.access(tlm::TLM_READ_COMMAND, 0x08010000, v, 4, &ns_sb, delay),
            tlm::TLM_ADDRESS_ERROR_RESPONSE);  // GICv2 CPU interface: not this device
  EXPECT_EQ(init.access(tlm::TLM_READ_COMMAND, 0x080A0000 + 8 * 0x20000, v, 4, &ns_sb, delay),
            tlm::TLM_ADDRESS_ERROR_RESPONSE);  // past the last redistributor
  EXPECT_TRUE(mmio.contains(0x080A0000 + 7 * 0x20000 + 0x1FFFF));
}

}  // namespace
}  // namespace ffasim::sim::gic
