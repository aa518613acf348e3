// The PE on a real SystemC platform: an NS-EL1 coroutine context calls a fake EL3 firmware with
// SMC, and the test checks the architectural state at entry (section 1.4 of
// ../shared/reference/armv8-gicv3-mmu.md), the ERET back, the exact simulated time, and the
// tracer's spans.
//
// SystemC elaborates once per process: every TEST builds exactly one sim::Platform, and the
// build runs each TEST in its own process (gtest_discover_tests).
#include "sim/core/pe.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/coroutine.h"
#include "sim/core/platform.h"

namespace ffasim::sim {
namespace {

constexpr Security S = Security::Secure;
constexpr Security NS = Security::NonSecure;

// Values a TF-A-like EL3 would program (section 1.1 bit numbers): NS | RES1(4,5) | HCE | RW.
constexpr uint64_t kScrNsWorld = (1u << 0) | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 10);
constexpr uint64_t kScrSMD = 1u << 7;
constexpr uint64_t kHcrTSC = 1ull << 19;

// The NS-EL1 entry: PC and SPSR_EL3 (N flag set, EL1h, I and F masked) - chosen so that every
// field of the saved SPSR is distinguishable.
constexpr uint64_t kEntryPc = 0x80080000;
constexpr uint64_t kEntrySpsr = (1ull << 31) | (1u << 7) | (1u << 6) | 0b0101;  // 0x800000C5

constexpr uint32_t kEsrSmc64 = 0x5E000000;  // EC 0x17, IL 1
constexpr uint32_t kEsrHvc64 = 0x5A000000;  // EC 0x16, IL 1
constexpr uint32_t kEsrUnknown = 0x02000000;

constexpr uint64_t kFfaIdGet = 0x84000069, kFfaMsgWait = 0x8400006B, kFfaSuccess = 0x84000061;

// What a firmware saw when it was entered.
struct Entry {
  ExceptionKind kind;
  El from_el;
  Security from_security;
  uint32_t info_esr;
  El el;  // PSTATE at entry
  Security security;
  bool sp_sel;
  uint8_t daif;
  uint64_t esr, elr, spsr;
  ArgRegs args;
};

// Firmware at one EL: on Reset (EL3 only) it enters `first` at EL1 of the state `scr` selects; on a synchronous
// exception it records the entry, writes x0/x2, does `work_cycles` and ERETs to `next` (or to
// the caller when `next` is null). `elr_step` is added to ELR before the ERET (a hypervisor
// skipping a trapped SMC).
struct Firmware : ExceptionHandler {
  El at = El::EL3;
  ExecContext* first = nullptr;
  ExecContext* next = nullptr;
  uint64_t scr = kScrNsWorld, hcr = 0;
  double work_cycles = 0;
  uint64_t reply_x0 = kFfaSuccess, reply_x2 = 0x8000;
  uint64_t elr_step = 0;
  uint64_t eret_spsr = 0;  // non-zero: SPSR to ERET with instead of the saved one
  std::vector<Entry> entries;
  Picos reset_at = ~Picos(0);  // PE local time when the Reset was taken

  Step take(Pe& pe, const ExceptionInfo& e) override {
    PeState& s = pe.state();
    const int el = index(at);
    if (e.kind == ExceptionKind::Reset) {
      reset_at = pe.now();
      s.scr_el3 = scr;
      s.hcr_el2 = hcr;
      s.elr_el[3] = kEntryPc;
      s.spsr_el[3] = kEntrySpsr;
      pe.set_context(El::EL1, (scr & 1) ? NS : S, first);
      return {0, Insn::ERET, 0};
    }
    entries.push_back({e.kind, e.from_el, e.from_security, e.esr, pe.el(), pe.security(),
                       s.pstate.sp_sel, s.pstate.daif, s.esr_el[el], s.elr_el[el], s.spsr_el[el],
                       pe.args()});
    s.x[0] = reply_x0;
    s.x[2] = reply_x2;
    s.elr_el[el] += elr_step;
    if (eret_spsr) s.spsr_el[el] = eret_spsr;
    if (next) pe.set_context(El::EL1, NS, next);
    return {work_cycles, Insn::ERET, 0};
  }
};

// NS-EL1 software: `work_before` cycles, then `calls` SMCs (or HVCs) with `call`, then
// `work_after` cycles, then it ends.
struct Caller : CoContext {
  ArgRegs call{};
  std::vector<ArgRegs> results;
  double work_before = 0, work_after = 0;
  int calls = 1;
  bool use_hvc = false;
  std::vector<uint64_t> pc_after;  // PE pc when each call returned

  Caller() { start(body()); }
  Task<void> body() {
    work(work_before);
    for (int i = 0; i < calls; ++i) {
      // (if/else, not ?: - g++ 12 mis-compiles co_await in both arms of a conditional)
      if (use_hvc) {
        results.push_back(co_await hvc(call));
      } else {
        results.push_back(co_await smc(call));
      }
      pc_after.push_back(pe().state().pc);
    }
    work(work_after);
  }
};

Profile timing_profile() {
  Profile p;
  CoreTiming::declare(p);
  p.set("core.clock_hz", 2.5e9, "test");  // 400 ps per cycle
  p.set("core.exception_entry_cycles", 30, "test");
  p.set("core.eret_cycles", 20, "test");
  return p;
}
constexpr Picos kPs = 400;

PlatformConfig one_pe() {
  PlatformConfig cfg;
  cfg.pe_count = 1;
  cfg.pes_per_cluster = 1;
  return cfg;
}

ArgRegs args(uint64_t x0) {
  ArgRegs r{};
  r[0] = x0;
  for (size_t i = 1; i < r.size(); ++i) r[i] = 0x100 + i;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Entry and return

TEST(PeSmc, AnSmcFromNsEl1ReachesTheEl3HandlerWithEc0x17) {
  Profile prof = timing_profile();
  Platform plat(one_pe(), prof);
  Caller nwd;
  nwd.call = args(kFfaIdGet);
  Firmware el3;
  el3.first = &nwd;
  plat.pe(0).install_handler(El::EL3, S, &el3);
  plat.pe(0).power_on(0);
  plat.run();

  ASSERT_EQ(el3.entries.size(), 1u);
  const Entry& e = el3.entries[0];
  EXPECT_EQ(e.kind, ExceptionKind::Sync);
  EXPECT_EQ(e.from_el, El::EL1);
  EXPECT_EQ(e.from_security, NS);
  EXPECT_EQ(e.info_esr, kEsrSmc64);
  EXPECT_EQ(e.esr, kEsrSmc64);  // ESR_EL3
  EXPECT_EQ(e.args, nwd.call);  // x0-x17 arrive as the caller left them
  EXPECT_EQ(plat.pe(0).exceptions_taken(), 1u);
}

TEST(PeSmc, EntryToEl3SavesPstateInSpsrAndTheNextInstructionInElr) {
  Profile prof = timing_profile();
  Platform plat(one_pe(), prof);
  Caller nwd;
  nwd.call = args(kFfaIdGet);
  nwd.calls = 2;
  Firmware el3;
  el3.first = &nwd;
  plat.pe(0).install_handler(El::EL3, S, &el3);
  plat.pe(0).power_on(0);
  plat.run();

  ASSERT_EQ(el3.entries.size(), 2u);
  // SMC taken as a call: ELR = address of the next instruction (section 1.4).
  EXPECT_EQ(el3.entries[0].elr, kEntryPc + 4);
  EXPECT_EQ(el3.entries[1].elr, kEntryPc + 8);
  // SPSR_EL3 = PSTATE of the caller: NZCV, DAIF and M[3:0] = EL1h as it was entered.
  EXPECT_EQ(el3.entries[0].spsr, kEntrySpsr);
  EXPECT_EQ(el3.entries[1].spsr, kEntrySpsr);
}

TEST(PeSmc, TheHandlerRunsAtEl3hWithEverythingMasked) {
  Profile prof = timing_profile();
  Platform plat(one_pe(), prof);
  Caller nwd;
  Firmware el3;
  el3.first = &nwd;
  plat.pe(0).install_handler(El::EL3, S, &el3);
  plat.pe(0).power_on(0);
  plat.run();

  ASSERT_EQ(el3.entries.size(), 1u);
  EXPECT_EQ(el3.entries[0].el, El::EL3);
  EXPECT_EQ(el3.entries[0].security, S);
  EXPECT_TRUE(el3.entries[0].sp_sel);
  EXPECT_EQ(el3.entries[0].daif, 0xF);
}

TEST(PeSmc, EretReturnsToTheCallerWithTheHandlersRegisters) {
  Profile prof = timing_profile();
  Platform plat(one_pe(), prof);
  Caller nwd;
  nwd.call = args(kFfaIdGet);
  Firmware el3;
  el3.first = &nwd;
  el3.reply_x0 = kFfaSuccess;
  el3.reply_x2 = 0x8001;
  plat.pe(0).install_handler(El::EL3, S, &el3);
  plat.pe(0).power_on(0);
  plat.run();

  ASSERT_EQ(nwd.results.size(), 1u);
  EXPECT_EQ(nwd.results[0][0], kFfaSuccess);
  EXPECT_EQ(nwd.results[0][2], 0x8001u);
  EXPECT_EQ(nwd.results[0][1], nwd.call[1]);    // untouched registers come back unchanged
  EXPECT_EQ(nwd.results[0][17], nwd.call[17]);
  // ERET restored PC from ELR_EL3 and PSTATE from SPSR_EL3.
  ASSERT_EQ(nwd.pc_after.size(), 1u);
  EXPECT_EQ(nwd.pc_after[0], kEntryPc + 4);
  EXPECT_EQ(plat.pe(0).state().pstate.to_spsr(), kEntrySpsr);
}

TEST(PeSmc, Imm16OfTheSmcIsInEsrIss) {
  // A raw ExecContext: CoContext::smc always issues SMC #0.
  struct Raw : ExecContext {
    int n = 0;
    Step resume(Pe&) override { return n++ == 0 ? Step{0, Insn::SMC, 0x1234} : Step{0, Insn::OFF, 0}; }
  } raw;
  Profile prof = timing_profile();
  Platform plat(one_pe(), prof);
  Firmware el3;
  el3.first = &raw;
  plat.pe(0).install_handler(El::EL3, S, &el3);
  plat.pe(0).power_on(0);
  plat.run();
  ASSERT_EQ(el3.entries.size(), 1u);
  EXPECT_EQ(el3.entries[0].esr, kEsrSmc64 | 0x1234);
}

TEST(PeSmc, AnSmcTrappedByTscEntersNsEl2WithElrAtTheSmcItself) {
  Profile prof = timing_profile();
  Platform plat(one_pe(), prof);
  Caller nwd;
  Firmware el3, el2;
  el3.first = &nwd;
  el3.hcr = kHcrTSC;
  el2.at = El::EL2;
  el2.elr_step = 4;  // the hypervisor skips the trapped SMC
  plat.pe(0).install_handler(El::EL3, S, &el3);
  plat.pe(0).install_handler(El::EL2, NS, &el2);
  plat.pe(0).power_on(0);
  plat.run();

  EXPECT_EQ(el3.entries.size(), 0u);
  ASSERT_EQ(el2.entries.size(), 1u);
  EXPECT_EQ(el2.entries[0].el, El::EL2);
  EXPECT_EQ(el2.entries[0].security, NS);
  EXPECT_EQ(el2.entries[0].esr, kEsrSmc64);        // ESR_EL2: EC 0x17 also for the TSC trap
  EXPECT_EQ(el2.entries[0].elr, kEntryPc);         // the SMC itself
  EXPECT_EQ(el2.entries[0].spsr, kEntrySpsr);      // SPSR_EL2
  ASSERT_EQ(nwd.pc_after.size(), 1u);
  EXPECT_EQ(nwd.pc_after[0], kEntryPc + 4);
}

TEST(PeSmc, AnSmcWithSmdSetIsUndefinedAndEntersNsEl1AtTheSmcItself) {
  Profile prof = timing_profile();
  Platform plat(one_pe(), prof);
  Caller nwd;
  Firmware el3, el1;
  el3.first = &nwd;
  el3.scr = kScrNsWorld | kScrSMD;
  el1.at = El::EL1;
  el1.elr_step = 4;
  plat.pe(0).install_handler(El::EL3, S, &el3);
  plat.pe(0).install_handler(El::EL1, NS, &el1);
  plat.pe(0).power_on(0);
  plat.run();

  EXPECT_EQ(el3.entries.size(), 0u);
  ASSERT_EQ(el1.entries.size(), 1u);
  EXPECT_EQ(el1.entries[0].esr, kEsrUnknown);  // ESR_EL1: EC 0x00
  EXPECT_EQ(el1.entries[0].elr, kEntryPc);
  EXPECT_EQ(el1.entries[0].spsr, kEntrySpsr);
  EXPECT_EQ(el1.entries[0].el, El::EL1);
  EXPECT_EQ(el1.entries[0].daif, 0xF);
}

TEST(PeHvc, AnHvcFromNsEl1EntersNsEl2WithEc0x16AndTheNextInstructionInElr) {
  Profile prof = timing_profile();
  Platform plat(one_pe(), prof);
  Caller nwd;
  nwd.use_hvc = true;
  Firmware el3, el2;
  el3.first = &nwd;
  el2.at = El::EL2;
  plat.pe(0).install_handler(El::EL3, S, &el3);
  plat.pe(0).install_handler(El::EL2, NS, &el2);
  plat.pe(0).power_on(0);
  plat.run();

  ASSERT_EQ(el2.entries.size(), 1u);
  EXPECT_EQ(el2.entries[0].esr, kEsrHvc64);
  EXPECT_EQ(el2.entries[0].elr, kEntryPc + 4);
  EXPECT_EQ(el2.entries[0].spsr, kEntrySpsr);
  ASSERT_EQ(nwd.results.size(), 1u);
  EXPECT_EQ(nwd.results[0][0], kFfaSuccess);
}

TEST(PeEret, AnIllegalEretToSecureEl2WithoutEel2StopsTheRunWithAClearError) {
  Profile prof = timing_profile();
  Platform plat(one_pe(), prof);
  Caller nwd;
  Firmware el3;
  el3.first = &nwd;
  el3.scr = (1u << 4) | (1u << 5) | (1u << 10);  // Secure, EEL2 = 0
  el3.eret_spsr = 0x3C9;                          // EL2h
  plat.pe(0).install_handler(El::EL3, S, &el3);  // the reset ERET enters the caller at S-EL1
  plat.pe(0).power_on(0);
  try {
    plat.run();
    FAIL() << "an illegal ERET did not stop the run";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("illegal ERET from EL3"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------------------------------------
// Time

TEST(PeTime, SimulatedTimeIsExactlyTheChargedCyclesAtTheProfileClock) {
  Profile prof = timing_profile();
  Platform plat(one_pe(), prof);
  Caller nwd;
  nwd.call = args(kFfaIdGet);
  nwd.work_before = 100;
  nwd.work_after = 50;
  Firmware el3;
  el3.first = &nwd;
  el3.work_cycles = 250;
  plat.pe(0).install_handler(El::EL3, S, &el3);
  plat.pe(0).power_on(0);
  plat.run();

  // Reset (no exception entry: the PE starts in the vector) + ERET 20 + caller 100 + entry 30 + handler 250 + ERET 20 + caller 50 = 470 cycles.
  EXPECT_EQ(plat.now(), 470 * kPs);
  EXPECT_EQ(plat.now(), 188000u);
  const Tracer& tr = plat.tracer();
  EXPECT_EQ(tr.time_of(0, Cost::ExceptionEntry), 30 * kPs);
  EXPECT_EQ(tr.time_of(0, Cost::ExceptionReturn), 40 * kPs);
  EXPECT_EQ(tr.time_of(0, Cost::Work), 400 * kPs);
}

TEST(PeTime, PowerOnAtALaterTimeStartsThere) {
  struct Off : ExecContext {
    Step resume(Pe&) override { return {7, Insn::OFF, 0}; }
  } off;
  Profile prof = timing_profile();
  Platform plat(one_pe(), prof);
  Firmware el3;
  el3.first = &off;
  plat.pe(0).install_handler(El::EL3, S, &el3);
  plat.pe(0).power_on(1000000);  // Pe::power_on: "take a Reset exception to EL3 at `at`"
  plat.run();
  EXPECT_EQ(el3.reset_at, 1000000u);
  EXPECT_EQ(plat.now(), 1000000u + 27 * kPs);
}

// ---------------------------------------------------------------------------------------------
// Tracer spans

TEST(PeTrace, ACallFromAnEndpointIsOneSpanFromTheSmcToTheResume) {
  Profile prof = timing_profile();
  Platform plat(one_pe(), prof);
  Tracer& tr = plat.tracer();
  tr.keep_spans(true);
  const ComponentId nwd_c = tr.add_component("nwd");
  const ComponentId spmd_c = tr.add_component("spmd");
  Caller nwd;
  nwd.call = args(kFfaIdGet);
  nwd.endpoint = 0x0001;
  nwd.component = nwd_c;
  nwd.work_before = 100;
  nwd.work_after = 50;
  Firmware el3;
  el3.component = spmd_c;
  el3.first = &nwd;
  el3.work_cycles = 250;
  el3.reply_x2 = 0x8000;
  plat.pe(0).install_handler(El::EL3, S, &el3);
  plat.pe(0).power_on(0);
  plat.run();

  ASSERT_EQ(tr.spans().size(), 1u);
  const Span& s = tr.spans()[0];
  EXPECT_EQ(s.caller, 0x0001);
  EXPECT_EQ(s.callee, -1);
  EXPECT_EQ(s.key, kFfaIdGet);
  EXPECT_EQ(s.x0, kFfaIdGet);
  EXPECT_EQ(s.x1, nwd.call[1]);
  EXPECT_EQ(s.x2, nwd.call[2]);
  EXPECT_EQ(s.r0, kFfaSuccess);
  EXPECT_EQ(s.r2, 0x8000u);
  EXPECT_EQ(s.pe, 0);
  // Starts at the SMC (after the reset ERET and the caller's 100 cycles), ends when the caller
  // resumes: entry 30 + handler 250 + ERET 20.
  EXPECT_EQ(s.start, 120 * kPs);
  EXPECT_EQ(s.end, 420 * kPs);
  // All of it was spent in the EL3 firmware.
  const std::vector<Picos>& pool = tr.breakdown_pool();
  ASSERT_GE(pool.size(), s.breakdown + tr.components().size());
  EXPECT_EQ(pool[s.breakdown + spmd_c], 300 * kPs);
  EXPECT_EQ(pool[s.breakdown + nwd_c], 0u);
  EXPECT_EQ(pool[s.breakdown + 0], 0u);

  const std::vector<StatRow> stats = tr.stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].count, 1u);
  EXPECT_EQ(stats[0].min, 300 * kPs);
  EXPECT_EQ(stats[0].max, 300 * kPs);
}

TEST(PeTrace, SoftwareWithoutAnEndpointMakesNoSpans) {
  Profile prof = timing_profile();
  Platform plat(one_pe(), prof);
  plat.tracer().keep_spans(true);
  Caller nwd;  // endpoint stays -1
  Firmware el3;
  el3.first = &nwd;
  plat.pe(0).install_handler(El::EL3, S, &el3);
  plat.pe(0).power_on(0);
  plat.run();
  EXPECT_EQ(plat.tracer().spans().size(), 0u);
}

TEST(PeTrace, AHandoffSpanEndsWhenTheNextEndpointResumesNotWhenItsCallerDoes) {
  Profile prof = timing_profile();
  Platform plat(one_pe(), prof);
  Tracer& tr = plat.tracer();
  tr.keep_spans(true);
  tr.set_classifier([](const ArgRegs& r) {
    return SpanClass{r[0], -1, r[0] == kFfaMsgWait};
  });
  // The SP hands its cycles away with FFA_MSG_WAIT; the firmware then runs the NWd, which makes
  // an ordinary call. The SP never runs again.
  Caller sp, nwd;
  sp.endpoint = 0x8001;
  sp.call = args(kFfaMsgWait);
  sp.work_before = 10;
  nwd.endpoint = 0x0000;
  nwd.call = args(kFfaIdGet);
  nwd.work_before = 5;
  Firmware el3;
  el3.first = &sp;
  el3.next = &nwd;
  el3.work_cycles = 100;
  el3.reply_x2 = 0x77;
  plat.pe(0).install_handler(El::EL3, S, &el3);
  plat.pe(0).power_on(0);
  plat.run();

  // Timeline in cycles: reset ERET 20; SP 10 -> MSG_WAIT at 30; entry 30 + 100 + ERET 20 -> NWd
  // resumes at 180; NWd 5 -> SMC at 185; 30 + 100 + 20 -> NWd resumes at 335 and ends.
  ASSERT_EQ(tr.spans().size(), 2u);
  const Span& handoff = tr.spans()[0];
  EXPECT_EQ(handoff.caller, 0x8001);
  EXPECT_EQ(handoff.key, kFfaMsgWait);
  EXPECT_EQ(handoff.start, 30 * kPs);
  EXPECT_EQ(handoff.end, 180 * kPs);
  EXPECT_EQ(handoff.r0, 0u);  // a handoff has no result
  EXPECT_EQ(handoff.r2, 0u);
  const Span& call = tr.spans()[1];
  EXPECT_EQ(call.caller, 0x0000);
  EXPECT_EQ(call.key, kFfaIdGet);
  EXPECT_EQ(call.start, 185 * kPs);
  EXPECT_EQ(call.end, 335 * kPs);
  EXPECT_EQ(call.r0, kFfaSuccess);
  EXPECT_EQ(call.r2, 0x77u);
  EXPECT_EQ(plat.now(), 335 * kPs);
  EXPECT_TRUE(sp.results.empty());
  EXPECT_EQ(nwd.results.size(), 1u);
}

}  // namespace
}  // namespace ffasim::sim
