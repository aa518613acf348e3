// End to end: a device raises a Group 0 SPI while a PE runs Non-secure EL1 work; the GIC drives
// the PE's FIQ (SCR_EL3.FIQ routes it to EL3) after the SPI path latency; EL3 firmware
// acknowledges it through ICC_IAR0_EL1, ends it with ICC_EOIR0_EL1 and returns; the work
// finishes. Times are exact picoseconds at 2.5 GHz (400 ps per cycle).
//
// One sim::Platform per TEST process (gtest_discover_tests).
#include <gtest/gtest.h>

#include <vector>

#include "sim/core/coroutine.h"
#include "sim/core/platform.h"
#include "sim/gic/pe_lines.h"
#include "tests/unit/gic_fixture.h"

namespace ffasim::sim::gic {
namespace {

using namespace testing;
constexpr uint64_t kScr = scr::RES1 | scr::NS | scr::FIQ | scr::HCE | scr::RW;
constexpr uint64_t kEl1hUnmasked = 0b0101;

struct Worker : CoContext {
  explicit Worker(double cycles) { start(body(cycles)); }
  Task<void> body(double cycles) {
    work(cycles);
    co_await smc(ArgRegs{1});
    co_await wfi();
  }
};

// EL3 firmware. It tells the GIC about the PE's EL changes itself (the PE model does not yet).
struct El3 : ExceptionHandler {
  Gic& gic;
  ExecContext* ns_el1 = nullptr;
  std::vector<std::pair<ExceptionKind, Picos>> taken;
  std::vector<uint64_t> acknowledged;
  explicit El3(Gic& g) : gic(g) {}
  uint64_t icc(Pe& pe, const char* reg, uint64_t v, bool write) {
    const IccReg& r = *find_icc_register(reg);
    pe.charge_ps(Cost::Dispatch, GicTiming::ps(gic.timing().sysreg_ns));
    const SysregAccess a = write ? gic.sysreg_write(pe.id(), r, v, pe.now())
                                 : gic.sysreg_read(pe.id(), r, v, pe.now());
    EXPECT_EQ(a, SysregAccess::Ok) << reg;
    return v;
  }
  Step take(Pe& pe, const ExceptionInfo& e) override {
    taken.emplace_back(e.kind, pe.now());
    gic.set_pe(pe.id(), pe_inputs(pe.state()), pe.now());
    if (e.kind == ExceptionKind::Reset) {
      pe.state().scr_el3 = kScr;
      pe.state().spsr_el[3] = kEl1hUnmasked;
      pe.set_context(El::EL1, Security::NonSecure, ns_el1);
    }
    if (e.kind == ExceptionKind::FIQ) {
      const uint64_t id = icc(pe, "ICC_IAR0_EL1", 0, false);
      acknowledged.push_back(id);
      icc(pe, "ICC_EOIR0_EL1", id, true);
    }
    gic.set_pe(pe.id(), {El::EL1, pe.state().scr_el3, pe.state().hcr_el2}, pe.now());  // the ERET
    return {0, Insn::ERET};
  }
};

struct Device : sc_core::sc_module {
  Gic& gic;
  SC_HAS_PROCESS(Device);
  Device(sc_core::sc_module_name n, Gic& g) : sc_module(n), gic(g) { SC_THREAD(raise); }
  void raise() {
    wait(sc_core::sc_time(2, sc_core::SC_US));
    gic.set_spi(40, true, sc_core::sc_time_stamp().value());
    wait(sc_core::sc_time(100, sc_core::SC_NS));
    gic.set_spi(40, false, sc_core::sc_time_stamp().value());
  }
};

TEST(GicPeLines, ADeviceSpiReachesEl3AsAnFiqAfterThePathLatencyAndIsAcknowledged) {
  Profile prof;
  CoreTiming::declare(prof);
  prof.set("core.clock_hz", 2.5e9, "test");
  PlatformConfig cfg;
  cfg.pe_count = 1;
  Platform plat(cfg, prof);
  Gic gic(config(1), GicTiming{});
  make_ready(gic.state());
  configure(gic.state(), 0, 40, Group::G0, 0x10, /*edge=*/true);
  GicPeLines lines("gic_lines", gic, {&plat.pe(0)});
  Worker w(10000);  // 4 us of work
  El3 el3(gic);
  el3.ns_el1 = &w;
  plat.pe(0).install_handler(El::EL3, Security::Secure, &el3);
  Device dev("dev", gic);
  plat.pe(0).power_on(0);
  plat.run();
  ASSERT_EQ(el3.taken.size(), 3u);
  // SPI at 2 us + 30 ns (distributor, redistributor, CPU interface hops) + 9.6 ns entry.
  EXPECT_EQ(el3.taken[1].first, ExceptionKind::FIQ);
  EXPECT_EQ(el3.taken[1].second, 2'039'600u);
  EXPECT_EQ(el3.acknowledged, std::vector<uint64_t>{40});
  EXPECT_FALSE(plat.pe(0).line(Interrupt::FIQ));
  EXPECT_FALSE(get(gic.state(), 0, 40, IrqBit::Active));
  // Two ICC accesses (10 ns each), ERET, the 1979.6 ns of work left, the SMC's entry.
  EXPECT_EQ(el3.taken[2].first, ExceptionKind::Sync);
  EXPECT_EQ(el3.taken[2].second, 2'039'600u + 20'000u + 9'600u + 1'979'600u + 9'600u);
  EXPECT_EQ(plat.pe(0).interrupts_taken(), 1u);
}

}  // namespace
}  // namespace ffasim::sim::gic
