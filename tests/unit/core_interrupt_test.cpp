// Interrupts at the PE: a physical FIQ routed to EL3 (SCR_EL3.FIQ) arrives in the middle of an
// NS-EL1 context's work; the PE takes it at its arrival time (not at the end of the work or of
// a quantum), and after the firmware's ERET finishes the interrupted work, then issues the
// instruction that followed it. Times are exact picoseconds at a 2.5 GHz clock (400 ps/cycle).
//
// One sim::Platform per TEST process (gtest_discover_tests).
#include <gtest/gtest.h>

#include <vector>

#include "sim/core/coroutine.h"
#include "sim/core/pe.h"
#include "sim/core/platform.h"

namespace ffasim::sim {
namespace {

constexpr uint64_t kScrNs = (1u << 0) | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 10);
constexpr uint64_t kScrFiq = 1u << 2;
constexpr uint64_t kEl1hMaskedNone = 0b0101;  // EL1h, DAIF clear

struct Worker : CoContext {
  double cycles;
  explicit Worker(double c) : cycles(c) { start(body()); }
  Task<void> body() {
    work(cycles);
    co_await smc(ArgRegs{1});
    co_await wfi();
  }
};

struct El3 : ExceptionHandler {
  ExecContext* ns_el1 = nullptr;
  std::vector<std::pair<ExceptionKind, Picos>> taken;
  Step take(Pe& pe, const ExceptionInfo& e) override {
    taken.emplace_back(e.kind, pe.now());
    if (e.kind == ExceptionKind::Reset) {
      pe.state().scr_el3 = kScrNs | kScrFiq;
      pe.state().spsr_el[3] = kEl1hMaskedNone;
      pe.set_context(El::EL1, Security::NonSecure, ns_el1);
    }
    if (e.kind == ExceptionKind::FIQ) pe.set_line(Interrupt::FIQ, false);  // the device is served
    return {0, Insn::ERET};
  }
};

// Raises a line at a fixed simulated time.
struct Device : sc_core::sc_module {
  Pe& pe;
  Interrupt kind;
  Picos at;
  SC_HAS_PROCESS(Device);
  Device(sc_core::sc_module_name n, Pe& p, Interrupt k, Picos t) : sc_module(n), pe(p), kind(k), at(t) {
    SC_THREAD(raise);
  }
  void raise() {
    wait(sc_core::sc_time::from_value(at));
    pe.set_line(kind, true);
  }
};

Profile clock_2_5ghz() {
  Profile p;
  CoreTiming::declare(p);
  p.set("core.clock_hz", 2.5e9, "test");
  return p;
}

TEST(PeInterrupts, AnFiqDuringWorkIsTakenAtItsArrivalAndTheWorkFinishesAfterTheEret) {
  Profile prof = clock_2_5ghz();
  PlatformConfig cfg;
  cfg.pe_count = 1;
  Platform plat(cfg, prof);
  Pe& pe = plat.pe(0);
  pe.enable_interrupt_lines();
  Worker w(10000);  // 4 us of work
  El3 el3;
  el3.ns_el1 = &w;
  pe.install_handler(El::EL3, Security::Secure, &el3);
  Device dev("dev", pe, Interrupt::FIQ, 2'000'000);  // at 2 us
  pe.power_on(0);
  plat.run();
  ASSERT_EQ(el3.taken.size(), 3u);
  EXPECT_EQ(el3.taken[0].second, 0u);
  // ERET at reset (24 cycles = 9.6 ns), work from 9.6 ns; FIQ at 2000 ns + entry 9.6 ns.
  EXPECT_EQ(el3.taken[1].first, ExceptionKind::FIQ);
  EXPECT_EQ(el3.taken[1].second, 2'009'600u);
  // ERET (9.6 ns), the remaining 2009.6 ns of work, then the SMC's entry (9.6 ns).
  EXPECT_EQ(el3.taken[2].first, ExceptionKind::Sync);
  EXPECT_EQ(el3.taken[2].second, 2'009'600u + 9'600u + 2'009'600u + 9'600u);
  EXPECT_EQ(pe.interrupts_taken(), 1u);
}

TEST(PeInterrupts, AMaskedFiqRoutedToTheCurrentElStaysPendingAndTheWorkRunsToItsEnd) {
  Profile prof = clock_2_5ghz();
  PlatformConfig cfg;
  cfg.pe_count = 1;
  Platform plat(cfg, prof);
  Pe& pe = plat.pe(0);
  pe.enable_interrupt_lines();
  Worker w(10000);
  struct El3NoFiqRouting : El3 {
    Step take(Pe& pe, const ExceptionInfo& e) override {
      Step s = El3::take(pe, e);
      // FIQ to EL1 (SCR_EL3.FIQ clear) and masked there (PSTATE.F): it must stay pending.
      if (e.kind == ExceptionKind::Reset) {
        pe.state().scr_el3 = kScrNs;
        pe.state().spsr_el[3] = kEl1hMaskedNone | (1u << 6);
      }
      return s;
    }
  } el3;
  el3.ns_el1 = &w;
  pe.install_handler(El::EL3, Security::Secure, &el3);
  Device dev("dev", pe, Interrupt::FIQ, 2'000'000);
  pe.power_on(0);
  plat.run();
  ASSERT_EQ(el3.taken.size(), 2u);
  EXPECT_EQ(el3.taken[1].first, ExceptionKind::Sync);
  EXPECT_EQ(el3.taken[1].second, 9'600u + 4'000'000u + 9'600u);
  EXPECT_EQ(pe.interrupts_taken(), 0u);
  EXPECT_TRUE(pe.line(Interrupt::FIQ));
}

}  // namespace
}  // namespace ffasim::sim
