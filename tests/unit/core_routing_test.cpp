// Exception routing as pure functions on PeState: SMC, HVC and SVC from every EL and security
// state, ERET legality, the physical IRQ/FIQ/SError routing table and its masking rules, and the
// PSTATE <-> SPSR encoding.
//
// Every expected value is taken from ../shared/reference/armv8-gicv3-mmu.md (section numbers in
// the comments), not from the implementation. Register bits are written out from the sheet's
// tables (kScr*, kHcr* below) so that a wrong constant in pe_state.h is caught too.
#include "sim/core/exception_routing.h"

#include <gtest/gtest.h>

#include <bitset>
#include <cstdint>
#include <string>
#include <vector>

namespace ffasim::sim {
namespace {

// SCR_EL3 bits, section 1.1.
constexpr uint64_t kScrNS = 1ull << 0;
constexpr uint64_t kScrIRQ = 1ull << 1;
constexpr uint64_t kScrFIQ = 1ull << 2;
constexpr uint64_t kScrEA = 1ull << 3;
constexpr uint64_t kScrRes1 = (1ull << 4) | (1ull << 5);
constexpr uint64_t kScrSMD = 1ull << 7;
constexpr uint64_t kScrHCE = 1ull << 8;
constexpr uint64_t kScrSIF = 1ull << 9;
constexpr uint64_t kScrRW = 1ull << 10;
constexpr uint64_t kScrST = 1ull << 11;
constexpr uint64_t kScrEEL2 = 1ull << 18;

// HCR_EL2 bits, section 1.2.
constexpr uint64_t kHcrVM = 1ull << 0;
constexpr uint64_t kHcrFMO = 1ull << 3;
constexpr uint64_t kHcrIMO = 1ull << 4;
constexpr uint64_t kHcrAMO = 1ull << 5;
constexpr uint64_t kHcrVF = 1ull << 6;
constexpr uint64_t kHcrVI = 1ull << 7;
constexpr uint64_t kHcrTSC = 1ull << 19;
constexpr uint64_t kHcrTGE = 1ull << 27;
constexpr uint64_t kHcrRW = 1ull << 31;
constexpr uint64_t kHcrE2H = 1ull << 34;

// ESR_ELx, section 1.5: EC[31:26], IL[25] (1 = 32-bit instruction), ISS[24:0]; for SVC/HVC/SMC
// ISS[15:0] = imm16. Written as the literal words a debugger shows.
constexpr uint32_t kEsrSvc64 = 0x56000000;     // EC 0x15, IL 1
constexpr uint32_t kEsrHvc64 = 0x5A000000;     // EC 0x16, IL 1
constexpr uint32_t kEsrSmc64 = 0x5E000000;     // EC 0x17, IL 1
constexpr uint32_t kEsrUnknown = 0x02000000;   // EC 0x00, IL 1 (an UNDEFINED A64 instruction)

// SPSR M[3:0] values, section 1.3.
constexpr uint64_t kEL0t = 0b0000, kEL1t = 0b0100, kEL1h = 0b0101, kEL2t = 0b1000,
                   kEL2h = 0b1001, kEL3t = 0b1100, kEL3h = 0b1101;
constexpr uint64_t kDaifMasked = 0xFull << 6;  // D A I F at bits 9..6

constexpr Security S = Security::Secure;
constexpr Security NS = Security::NonSecure;

// A PE at `el` in `sec` (for EL3 `sec` only chooses SCR_EL3.NS, the state of the lower ELs),
// with SCR_EL3 = RES1 | RW | NS-as-given | `scr`, and HCR_EL2 = `hcr`. DAIF all clear.
PeState at(El el, Security sec, uint64_t scr = 0, uint64_t hcr = 0) {
  PeState s;
  s.scr_el3 = kScrRes1 | kScrRW | (sec == NS ? kScrNS : 0) | scr;
  s.hcr_el2 = hcr;
  s.pstate.el = el;
  s.pstate.sp_sel = el != El::EL0;
  s.pstate.daif = 0;
  return s;
}

std::string describe(const PeState& s) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%s SCR_EL3=0x%llx HCR_EL2=0x%llx DAIF=0x%x",
                name(s.pstate.el, current_security(s)), (unsigned long long)s.scr_el3,
                (unsigned long long)s.hcr_el2, unsigned(s.pstate.daif));
  return buf;
}

void expect_taken(const Routing& r, El target, uint32_t esr, bool return_to_next) {
  EXPECT_EQ(r.outcome, Outcome::Taken);
  EXPECT_EQ(r.target, target);
  EXPECT_EQ(r.esr, esr);
  EXPECT_EQ(r.return_to_next, return_to_next);
}

// UNDEFINED: an EC 0x00 exception taken to `target`, preferred return = the instruction itself.
void expect_undefined(const Routing& r, El target) {
  EXPECT_EQ(r.outcome, Outcome::Undefined);
  EXPECT_EQ(r.target, target);
  EXPECT_EQ(r.esr, kEsrUnknown);
  EXPECT_FALSE(r.return_to_next);
}

// ---------------------------------------------------------------------------------------------
// Register bit definitions (sections 1.1, 1.2, 1.3, 1.5)

TEST(RegisterBits, ScrEl3BitsSitWhereTheSheetSays) {
  EXPECT_EQ(scr::NS, kScrNS);
  EXPECT_EQ(scr::IRQ, kScrIRQ);
  EXPECT_EQ(scr::FIQ, kScrFIQ);
  EXPECT_EQ(scr::EA, kScrEA);
  EXPECT_EQ(scr::RES1, kScrRes1);
  EXPECT_EQ(scr::SMD, kScrSMD);
  EXPECT_EQ(scr::HCE, kScrHCE);
  EXPECT_EQ(scr::RW, kScrRW);
  EXPECT_EQ(scr::ST, kScrST);
  EXPECT_EQ(scr::EEL2, kScrEEL2);
}

TEST(RegisterBits, HcrEl2BitsSitWhereTheSheetSays) {
  EXPECT_EQ(hcr::VM, kHcrVM);
  EXPECT_EQ(hcr::FMO, kHcrFMO);
  EXPECT_EQ(hcr::IMO, kHcrIMO);
  EXPECT_EQ(hcr::AMO, kHcrAMO);
  EXPECT_EQ(hcr::VF, kHcrVF);
  EXPECT_EQ(hcr::VI, kHcrVI);
  EXPECT_EQ(hcr::TSC, kHcrTSC);
  EXPECT_EQ(hcr::TGE, kHcrTGE);
  EXPECT_EQ(hcr::RW, kHcrRW);
  EXPECT_EQ(hcr::E2H, kHcrE2H);
}

TEST(RegisterBits, ExceptionClassesAreTheArchitecturalCodes) {
  EXPECT_EQ(ec::UNKNOWN, 0x00u);
  EXPECT_EQ(ec::SVC64, 0x15u);
  EXPECT_EQ(ec::HVC64, 0x16u);
  EXPECT_EQ(ec::SMC64, 0x17u);
  EXPECT_EQ(ec::SYSREG, 0x18u);
  EXPECT_EQ(ec::IABT_LOW, 0x20u);
  EXPECT_EQ(ec::IABT_CUR, 0x21u);
  EXPECT_EQ(ec::DABT_LOW, 0x24u);
  EXPECT_EQ(ec::DABT_CUR, 0x25u);
}

TEST(RegisterBits, EsrPutsEcAt31To26IlAt25AndIssAt24To0) {
  EXPECT_EQ(make_esr(0x17, 0x1234), 0x5E001234u);
  EXPECT_EQ(make_esr(0x17, 0x1234, false), 0x5C001234u);
  EXPECT_EQ(make_esr(0x3F, 0), 0xFE000000u);
  EXPECT_EQ(make_esr(0x00, 0x1FFFFFF), 0x03FFFFFFu);
  // ISS is 25 bits wide: nothing spills into IL or EC.
  EXPECT_EQ(make_esr(0x00, 0xFFFFFFFF, false), 0x01FFFFFFu);
  EXPECT_EQ(esr_ec(0x5E001234u), 0x17u);
  EXPECT_EQ(esr_ec(0x56000000u), 0x15u);
  EXPECT_EQ(esr_ec(0xFE000000u), 0x3Fu);
  // ISS2 (ESR[55:32]) does not leak into EC.
  EXPECT_EQ(esr_ec(0xFFFFFF005A000000ull), 0x16u);
}

TEST(RegisterBits, SecurityNamesAreTheUsualShortForms) {
  EXPECT_STREQ(name(El::EL1, NS), "NS-EL1");
  EXPECT_STREQ(name(El::EL0, S), "S-EL0");
  EXPECT_STREQ(name(El::EL2, S), "S-EL2");
  EXPECT_STREQ(name(El::EL3, S), "EL3");
  EXPECT_STREQ(name(El::EL3, NS), "EL3");  // EL3 has no NS form
  EXPECT_STREQ(name(El::EL2), "EL2");
  EXPECT_STREQ(name(S), "S");
  EXPECT_STREQ(name(NS), "NS");
}

// ---------------------------------------------------------------------------------------------
// Security state and "EL2 enabled" (section 1.1)

TEST(SecurityState, El3IsSecureWhateverScrNsSays) {
  EXPECT_EQ(current_security(at(El::EL3, NS)), S);
  EXPECT_EQ(current_security(at(El::EL3, S)), S);
}

TEST(SecurityState, BelowEl3ScrNsChoosesTheState) {
  for (El el : {El::EL0, El::EL1, El::EL2}) {
    EXPECT_EQ(current_security(at(el, NS)), NS) << name(el);
    EXPECT_EQ(current_security(at(el, S, kScrEEL2)), S) << name(el);
  }
}

TEST(SecurityState, El2IsEnabledInNonSecureStateWhateverEel2Says) {
  EXPECT_TRUE(el2_enabled(at(El::EL1, NS), NS));
  EXPECT_TRUE(el2_enabled(at(El::EL1, NS, kScrEEL2), NS));
}

TEST(SecurityState, El2IsEnabledInSecureStateOnlyWithEel2) {
  EXPECT_FALSE(el2_enabled(at(El::EL1, S), S));
  EXPECT_TRUE(el2_enabled(at(El::EL1, S, kScrEEL2), S));
}

TEST(SecurityState, EffectiveHcrIsZeroInSecureStateWithoutEel2) {
  const uint64_t all = kHcrVM | kHcrIMO | kHcrFMO | kHcrTSC | kHcrTGE | kHcrE2H;
  EXPECT_EQ(effective_hcr(at(El::EL1, S, 0, all), S), 0u);
}

TEST(SecurityState, EffectiveHcrIsLiveInSecureStateWithEel2) {
  EXPECT_EQ(effective_hcr(at(El::EL1, S, kScrEEL2, kHcrVM | kHcrTSC), S), kHcrVM | kHcrTSC);
}

TEST(SecurityState, TgeMakesImoFmoAndAmoActAsOne) {
  EXPECT_EQ(effective_hcr(at(El::EL0, NS, 0, kHcrTGE), NS),
            kHcrTGE | kHcrIMO | kHcrFMO | kHcrAMO);
}

// ---------------------------------------------------------------------------------------------
// SMC (section 1.10; ELR rules in 1.4)

TEST(SmcRouting, SmcFromNsEl1GoesToEl3WithEc0x17AndReturnsToTheNextInstruction) {
  expect_taken(route_smc(at(El::EL1, NS), 0), El::EL3, kEsrSmc64, true);
}

TEST(SmcRouting, SmcFromSEl1GoesToEl3WhenNothingTrapsIt) {
  expect_taken(route_smc(at(El::EL1, S), 0), El::EL3, kEsrSmc64, true);
  expect_taken(route_smc(at(El::EL1, S, kScrEEL2), 0), El::EL3, kEsrSmc64, true);
}

TEST(SmcRouting, SmcCarriesImm16InIss15To0) {
  expect_taken(route_smc(at(El::EL1, NS), 0x1234), El::EL3, kEsrSmc64 | 0x1234, true);
  expect_taken(route_smc(at(El::EL1, NS), 0xFFFF), El::EL3, kEsrSmc64 | 0xFFFF, true);
}

TEST(SmcRouting, SmcFromEl0IsUndefinedAndTakenToEl1) {
  expect_undefined(route_smc(at(El::EL0, NS), 0), El::EL1);
  expect_undefined(route_smc(at(El::EL0, S), 0), El::EL1);
  expect_undefined(route_smc(at(El::EL0, S, kScrEEL2), 0), El::EL1);
}

TEST(SmcRouting, SmcFromEl0WithTgeIsUndefinedAndTakenToEl2) {
  expect_undefined(route_smc(at(El::EL0, NS, 0, kHcrTGE), 0), El::EL2);
  expect_undefined(route_smc(at(El::EL0, S, kScrEEL2, kHcrTGE), 0), El::EL2);
}

TEST(SmcRouting, SmcFromSEl0WithTgeButWithoutEel2IsUndefinedAtEl1) {
  // HCR_EL2 has no effect in Secure state without EEL2 (section 1.1).
  expect_undefined(route_smc(at(El::EL0, S, 0, kHcrTGE), 0), El::EL1);
}

TEST(SmcRouting, SmcFromEl0IsUndefinedEvenWithTsc) {
  // TSC traps SMC executed at EL1 only; at EL0 SMC is UNDEFINED first (rule 1).
  expect_undefined(route_smc(at(El::EL0, NS, 0, kHcrTSC), 0), El::EL1);
}

TEST(SmcRouting, SmcFromNsEl1WithTscTrapsToEl2AndReturnsToTheSmcItself) {
  expect_taken(route_smc(at(El::EL1, NS, 0, kHcrTSC), 0x42), El::EL2, kEsrSmc64 | 0x42, false);
}

TEST(SmcRouting, SmcFromSEl1WithTscAndEel2TrapsToSEl2) {
  expect_taken(route_smc(at(El::EL1, S, kScrEEL2, kHcrTSC), 0x7), El::EL2, kEsrSmc64 | 0x7, false);
}

TEST(SmcRouting, SmcFromSEl1WithTscButWithoutEel2GoesToEl3) {
  expect_taken(route_smc(at(El::EL1, S, 0, kHcrTSC), 0x7), El::EL3, kEsrSmc64 | 0x7, true);
}

TEST(SmcRouting, TscHasPriorityOverSmdInNonSecureState) {
  expect_taken(route_smc(at(El::EL1, NS, kScrSMD, kHcrTSC), 0), El::EL2, kEsrSmc64, false);
}

TEST(SmcRouting, TscHasPriorityOverSmdInSecureStateWithEel2) {
  expect_taken(route_smc(at(El::EL1, S, kScrSMD | kScrEEL2, kHcrTSC), 0), El::EL2, kEsrSmc64,
               false);
}

TEST(SmcRouting, SmdMakesSmcFromSEl1UndefinedWhenTscIsInertWithoutEel2) {
  expect_undefined(route_smc(at(El::EL1, S, kScrSMD, kHcrTSC), 0), El::EL1);
}

TEST(SmcRouting, SmdMakesSmcUndefinedAtEl1El2AndEl3InBothStates) {
  expect_undefined(route_smc(at(El::EL1, NS, kScrSMD), 0), El::EL1);
  expect_undefined(route_smc(at(El::EL1, S, kScrSMD), 0), El::EL1);
  expect_undefined(route_smc(at(El::EL2, NS, kScrSMD), 0), El::EL2);
  expect_undefined(route_smc(at(El::EL2, S, kScrSMD | kScrEEL2), 0), El::EL2);
  expect_undefined(route_smc(at(El::EL3, NS, kScrSMD), 0), El::EL3);
  expect_undefined(route_smc(at(El::EL3, S, kScrSMD), 0), El::EL3);
}

TEST(SmcRouting, SmcFromNsEl2GoesToEl3EvenWithTsc) {
  // TSC traps SMC executed at EL1; EL2's own SMC is not trapped by it.
  expect_taken(route_smc(at(El::EL2, NS), 0), El::EL3, kEsrSmc64, true);
  expect_taken(route_smc(at(El::EL2, NS, 0, kHcrTSC), 0), El::EL3, kEsrSmc64, true);
}

TEST(SmcRouting, SmcFromSEl2GoesToEl3) {
  expect_taken(route_smc(at(El::EL2, S, kScrEEL2), 0x5), El::EL3, kEsrSmc64 | 0x5, true);
  expect_taken(route_smc(at(El::EL2, S, kScrEEL2, kHcrTSC), 0), El::EL3, kEsrSmc64, true);
}

TEST(SmcRouting, SmcAtEl3IsTakenToEl3) {
  expect_taken(route_smc(at(El::EL3, NS), 0), El::EL3, kEsrSmc64, true);
  expect_taken(route_smc(at(El::EL3, S), 0), El::EL3, kEsrSmc64, true);
}

// ---------------------------------------------------------------------------------------------
// HVC (section 1.10, A64 pseudocode)

TEST(HvcRouting, HvcFromNsEl1GoesToEl2WithEc0x16AndReturnsToTheNextInstruction) {
  expect_taken(route_hvc(at(El::EL1, NS, kScrHCE), 0x99), El::EL2, kEsrHvc64 | 0x99, true);
}

TEST(HvcRouting, HvcFromSEl1GoesToSEl2WhenEel2IsSet) {
  expect_taken(route_hvc(at(El::EL1, S, kScrHCE | kScrEEL2), 0), El::EL2, kEsrHvc64, true);
}

TEST(HvcRouting, HvcFromSEl1IsUndefinedWhenEel2IsClear) {
  expect_undefined(route_hvc(at(El::EL1, S, kScrHCE), 0), El::EL1);
}

TEST(HvcRouting, HvcIsUndefinedAtEveryElWhenHceIsClear) {
  expect_undefined(route_hvc(at(El::EL1, NS), 0), El::EL1);
  expect_undefined(route_hvc(at(El::EL1, S, kScrEEL2), 0), El::EL1);
  expect_undefined(route_hvc(at(El::EL2, NS), 0), El::EL2);
  expect_undefined(route_hvc(at(El::EL2, S, kScrEEL2), 0), El::EL2);
  expect_undefined(route_hvc(at(El::EL3, NS), 0), El::EL3);
  expect_undefined(route_hvc(at(El::EL3, S), 0), El::EL3);
}

TEST(HvcRouting, HvcFromEl0IsUndefinedAndTakenToEl1) {
  expect_undefined(route_hvc(at(El::EL0, NS, kScrHCE), 0), El::EL1);
  expect_undefined(route_hvc(at(El::EL0, S, kScrHCE | kScrEEL2), 0), El::EL1);
  expect_undefined(route_hvc(at(El::EL0, S, kScrHCE), 0), El::EL1);
}

TEST(HvcRouting, HvcFromEl0WithTgeIsUndefinedAndTakenToEl2) {
  expect_undefined(route_hvc(at(El::EL0, NS, kScrHCE, kHcrTGE), 0), El::EL2);
}

TEST(HvcRouting, HvcAtEl2IsTakenToEl2InBothStates) {
  expect_taken(route_hvc(at(El::EL2, NS, kScrHCE), 3), El::EL2, kEsrHvc64 | 3, true);
  expect_taken(route_hvc(at(El::EL2, S, kScrHCE | kScrEEL2), 3), El::EL2, kEsrHvc64 | 3, true);
}

TEST(HvcRouting, HvcAtEl3IsTakenToEl3) {
  expect_taken(route_hvc(at(El::EL3, NS, kScrHCE), 0), El::EL3, kEsrHvc64, true);
  expect_taken(route_hvc(at(El::EL3, S, kScrHCE), 0), El::EL3, kEsrHvc64, true);
}

TEST(HvcRouting, HvcIgnoresSmdAndTsc) {
  expect_taken(route_hvc(at(El::EL1, NS, kScrHCE | kScrSMD, kHcrTSC), 0), El::EL2, kEsrHvc64,
               true);
}

// ---------------------------------------------------------------------------------------------
// SVC (AArch64.CallSupervisor; ESR in 1.5, ELR in 1.4)

TEST(SvcRouting, SvcFromEl0GoesToEl1WithEc0x15AndReturnsToTheNextInstruction) {
  expect_taken(route_svc(at(El::EL0, NS), 0x10), El::EL1, kEsrSvc64 | 0x10, true);
  expect_taken(route_svc(at(El::EL0, S), 0x10), El::EL1, kEsrSvc64 | 0x10, true);
}

TEST(SvcRouting, SvcFromNsEl0WithTgeGoesToEl2) {
  expect_taken(route_svc(at(El::EL0, NS, 0, kHcrTGE), 0), El::EL2, kEsrSvc64, true);
}

TEST(SvcRouting, SvcFromSEl0WithTgeGoesToSEl2OnlyWithEel2) {
  expect_taken(route_svc(at(El::EL0, S, kScrEEL2, kHcrTGE), 0), El::EL2, kEsrSvc64, true);
  expect_taken(route_svc(at(El::EL0, S, 0, kHcrTGE), 0), El::EL1, kEsrSvc64, true);
}

TEST(SvcRouting, SvcAboveEl0IsTakenToTheCurrentEl) {
  expect_taken(route_svc(at(El::EL1, NS, 0, kHcrTGE), 1), El::EL1, kEsrSvc64 | 1, true);
  expect_taken(route_svc(at(El::EL1, S), 1), El::EL1, kEsrSvc64 | 1, true);
  expect_taken(route_svc(at(El::EL2, NS), 1), El::EL2, kEsrSvc64 | 1, true);
  expect_taken(route_svc(at(El::EL2, S, kScrEEL2), 1), El::EL2, kEsrSvc64 | 1, true);
  expect_taken(route_svc(at(El::EL3, S), 1), El::EL3, kEsrSvc64 | 1, true);
}

TEST(UndefinedRouting, AnUndefinedInstructionAtEl0GoesToEl1OrToEl2WithTge) {
  EXPECT_EQ(undefined_target(at(El::EL0, NS)), El::EL1);
  EXPECT_EQ(undefined_target(at(El::EL0, NS, 0, kHcrTGE)), El::EL2);
  EXPECT_EQ(undefined_target(at(El::EL0, S, 0, kHcrTGE)), El::EL1);
  EXPECT_EQ(undefined_target(at(El::EL0, S, kScrEEL2, kHcrTGE)), El::EL2);
}

TEST(UndefinedRouting, AnUndefinedInstructionAboveEl0StaysAtTheCurrentEl) {
  EXPECT_EQ(undefined_target(at(El::EL1, NS, 0, kHcrTGE)), El::EL1);
  EXPECT_EQ(undefined_target(at(El::EL2, NS)), El::EL2);
  EXPECT_EQ(undefined_target(at(El::EL3, S)), El::EL3);
}

// ---------------------------------------------------------------------------------------------
// Every EL, security state, SCR_EL3.{NS,EEL2,SMD,HCE} and HCR_EL2.{TSC,TGE}: the rules of 1.10
// applied literally, numbered as on the sheet.

struct Expect {
  bool undefined;
  El target;
  bool next;
};

Expect sheet_smc(El el, bool ns, bool eel2, bool smd, bool tsc, bool tge) {
  const bool el2_on = ns || eel2;
  const El undef_at = el == El::EL0 ? (el2_on && tge ? El::EL2 : El::EL1) : el;
  if (el == El::EL0) return {true, undef_at, false};               // rule 1
  if (el == El::EL1 && el2_on && tsc) return {false, El::EL2, false};  // rule 2
  if (smd) return {true, undef_at, false};                        // rule 3
  return {false, El::EL3, true};                                  // rule 4
}

Expect sheet_hvc(El el, bool ns, bool eel2, bool hce, bool tge) {
  const bool el2_on = ns || eel2;
  const El undef_at = el == El::EL0 ? (el2_on && tge ? El::EL2 : El::EL1) : el;
  if (el == El::EL0 || (el == El::EL1 && !el2_on)) return {true, undef_at, false};
  if (!hce) return {true, undef_at, false};
  return {false, el == El::EL3 ? El::EL3 : El::EL2, true};
}

Expect sheet_svc(El el, bool ns, bool eel2, bool tge) {
  const bool el2_on = ns || eel2;
  if (el == El::EL0) return {false, el2_on && tge ? El::EL2 : El::EL1, true};
  return {false, el, true};
}

void check(const Routing& r, const Expect& e, uint32_t taken_esr) {
  EXPECT_EQ(r.outcome, e.undefined ? Outcome::Undefined : Outcome::Taken);
  EXPECT_EQ(r.target, e.target);
  EXPECT_EQ(r.esr, e.undefined ? kEsrUnknown : taken_esr);
  EXPECT_EQ(r.return_to_next, e.next);
}

TEST(RoutingSweep, SmcHvcAndSvcFollowSection1_10ForEveryElStateAndControlBit) {
  int states = 0;
  for (int el_i = 0; el_i < 4; ++el_i)
    for (int bits = 0; bits < 64; ++bits) {
      const El el = El(el_i);
      const bool ns = bits & 1, eel2 = bits & 2, smd = bits & 4, hce = bits & 8;
      const bool tsc = bits & 16, tge = bits & 32;
      if (el == El::EL2 && !ns && !eel2) continue;  // no Secure EL2 without EEL2
      PeState s = at(el, ns ? NS : S, (eel2 ? kScrEEL2 : 0) | (smd ? kScrSMD : 0) |
                                          (hce ? kScrHCE : 0),
                     (tsc ? kHcrTSC : 0) | (tge ? kHcrTGE : 0));
      SCOPED_TRACE(describe(s));
      const uint16_t imm = uint16_t(0xA000 | bits);
      {
        SCOPED_TRACE("SMC");
        check(route_smc(s, imm), sheet_smc(el, ns, eel2, smd, tsc, tge), kEsrSmc64 | imm);
      }
      {
        SCOPED_TRACE("HVC");
        check(route_hvc(s, imm), sheet_hvc(el, ns, eel2, hce, tge), kEsrHvc64 | imm);
      }
      {
        SCOPED_TRACE("SVC");
        check(route_svc(s, imm), sheet_svc(el, ns, eel2, tge), kEsrSvc64 | imm);
      }
      ++states;
    }
  EXPECT_EQ(states, 4 * 64 - 16);  // S-EL2 needs EEL2: 16 combinations skipped
}

// ---------------------------------------------------------------------------------------------
// ERET (section 1.4: PSTATE from SPSR_ELx; illegal returns)

PeState eret_from(El el, Security sec, uint64_t spsr, uint64_t scr = 0) {
  PeState s = at(el, sec, scr);
  s.spsr_el[index(el)] = spsr;
  return s;
}

void expect_eret(const EretTarget& t, El el, Security sec) {
  EXPECT_TRUE(t.legal);
  EXPECT_EQ(t.el, el);
  EXPECT_EQ(t.security, sec);
}

TEST(Eret, FromEl3WithScrNsToEl1hReturnsToNsEl1) {
  expect_eret(eret_target(eret_from(El::EL3, NS, kEL1h | kDaifMasked)), El::EL1, NS);
}

TEST(Eret, FromEl3WithScrNsClearToEl1hReturnsToSEl1) {
  expect_eret(eret_target(eret_from(El::EL3, S, kEL1h)), El::EL1, S);
}

TEST(Eret, FromEl3WithEel2ToEl2hReturnsToSEl2) {
  expect_eret(eret_target(eret_from(El::EL3, S, kEL2h | kDaifMasked, kScrEEL2)), El::EL2, S);
}

TEST(Eret, FromEl3ToSecureEl2WithoutEel2IsIllegal) {
  EXPECT_FALSE(eret_target(eret_from(El::EL3, S, kEL2h | kDaifMasked)).legal);
  EXPECT_FALSE(eret_target(eret_from(El::EL3, S, kEL2t)).legal);
}

TEST(Eret, FromEl3WithScrNsToEl2hReturnsToNsEl2WhateverEel2Says) {
  expect_eret(eret_target(eret_from(El::EL3, NS, kEL2h)), El::EL2, NS);
  expect_eret(eret_target(eret_from(El::EL3, NS, kEL2h, kScrEEL2)), El::EL2, NS);
}

TEST(Eret, FromEl3ToEl3IsLegalAndSecure) {
  expect_eret(eret_target(eret_from(El::EL3, NS, kEL3h)), El::EL3, S);
  expect_eret(eret_target(eret_from(El::EL3, S, kEL3t)), El::EL3, S);
}

TEST(Eret, FromEl3ToEl0tReturnsToEl0OfTheStateScrNsSelects) {
  expect_eret(eret_target(eret_from(El::EL3, NS, kEL0t)), El::EL0, NS);
  expect_eret(eret_target(eret_from(El::EL3, S, kEL0t)), El::EL0, S);
}

TEST(Eret, FromSEl2ToSEl1StaysSecure) {
  expect_eret(eret_target(eret_from(El::EL2, S, kEL1h, kScrEEL2)), El::EL1, S);
  expect_eret(eret_target(eret_from(El::EL2, S, kEL0t, kScrEEL2)), El::EL0, S);
}

TEST(Eret, FromNsEl2ToNsEl1StaysNonSecure) {
  expect_eret(eret_target(eret_from(El::EL2, NS, kEL1t)), El::EL1, NS);
}

TEST(Eret, FromEl1ToEl0IsLegal) {
  expect_eret(eret_target(eret_from(El::EL1, NS, kEL0t)), El::EL0, NS);
  expect_eret(eret_target(eret_from(El::EL1, S, kEL0t)), El::EL0, S);
}

TEST(Eret, ToTheSameElIsLegal) {
  expect_eret(eret_target(eret_from(El::EL1, NS, kEL1h)), El::EL1, NS);
  expect_eret(eret_target(eret_from(El::EL2, NS, kEL2t)), El::EL2, NS);
}

TEST(Eret, ToAHigherElIsIllegal) {
  EXPECT_FALSE(eret_target(eret_from(El::EL1, NS, kEL2h)).legal);
  EXPECT_FALSE(eret_target(eret_from(El::EL1, S, kEL3h, kScrEEL2)).legal);
  EXPECT_FALSE(eret_target(eret_from(El::EL2, NS, kEL3h)).legal);
  EXPECT_FALSE(eret_target(eret_from(El::EL2, S, kEL3h, kScrEEL2)).legal);
}

TEST(Eret, ToAnMValueThatIsNotOneOfTheSevenAArch64ModesIsIllegal) {
  // Section 1.3 lists the only AArch64 M[3:0] values: 0000 0100 0101 1000 1001 1100 1101.
  // EL0 with SP_ELx (0001) and every value with M[1] = 1 are not modes; M[4] = 1 would be
  // AArch32, which the model does not have (SCR_EL3.RW = 1, HCR_EL2.RW = 1).
  for (uint64_t m : {0b0001u, 0b0010u, 0b0011u, 0b0110u, 0b0111u, 0b1010u, 0b1011u, 0b1110u,
                     0b1111u, 0b10000u, 0b10101u}) {
    EXPECT_FALSE(eret_target(eret_from(El::EL3, NS, m | kDaifMasked)).legal)
        << "SPSR_EL3.M = 0b" << std::bitset<5>(m);
  }
}

TEST(Eret, FromEl0IsIllegal) {
  EXPECT_FALSE(eret_target(eret_from(El::EL0, NS, kEL0t)).legal);
}

// ---------------------------------------------------------------------------------------------
// Physical interrupt routing, section 1.9, table row by row. Columns: the EL and state the
// interrupt arrives in. "not taken" = target below the current EL: stays pending.

struct Source {
  El el;
  Security sec;
  const char* name;
};
const Source kSources[] = {
    {El::EL0, NS, "NS EL0"}, {El::EL1, NS, "NS EL1"}, {El::EL2, NS, "NS EL2"},
    {El::EL0, S, "S EL0"},   {El::EL1, S, "S EL1"},   {El::EL2, S, "S EL2"},
    {El::EL3, S, "EL3"},
};
constexpr int kNotTaken = -1;

struct Kind {
  Interrupt kind;
  uint64_t scr_bit, hcr_bit;
  uint8_t pstate_mask;  // bit in Pstate::daif (D=8 A=4 I=2 F=1)
  const char* name;
};
const Kind kKinds[] = {
    {Interrupt::IRQ, kScrIRQ, kHcrIMO, daif::I, "IRQ"},
    {Interrupt::FIQ, kScrFIQ, kHcrFMO, daif::F, "FIQ"},
    {Interrupt::SError, kScrEA, kHcrAMO, daif::A, "SError"},
};

// One row of the table. The Secure columns run with EEL2=1 where the row's HCR bit must act
// (and S-EL2 always needs it); `secure_eel2` chooses it for the other Secure columns.
void check_row(const Kind& k, bool scr_bit, uint64_t hcr, const int (&expected)[7],
               bool secure_eel2) {
  for (int c = 0; c < 7; ++c) {
    const Source& src = kSources[c];
    const bool eel2 = src.sec == S && (secure_eel2 || src.el == El::EL2);
    PeState s = at(src.el, src.sec, (scr_bit ? k.scr_bit : 0) | (eel2 ? kScrEEL2 : 0), hcr);
    SCOPED_TRACE(std::string(k.name) + " from " + src.name + ": " + describe(s));
    const InterruptRouting r = route_interrupt(s, k.kind);
    if (expected[c] == kNotTaken) {
      EXPECT_FALSE(r.taken_now);
      EXPECT_LT(int(r.target), int(src.el)) << "'not taken' stores a target below the current EL";
    } else {
      EXPECT_EQ(r.target, El(expected[c]));
      EXPECT_TRUE(r.taken_now) << "unmasked (DAIF = 0) and not below the current EL";
    }
  }
}

constexpr int kRowScr0Hcr0[7] = {1, 1, kNotTaken, 1, 1, kNotTaken, kNotTaken};
constexpr int kRowScr0Hcr1[7] = {2, 2, 2, 2, 2, 2, kNotTaken};
constexpr int kRowScr1[7] = {3, 3, 3, 3, 3, 3, 3};

TEST(InterruptRoutingTable, RowScr0Hcr0TakesToEl1FromEl0AndEl1AndLeavesEl2AndEl3Pending) {
  for (const Kind& k : kKinds) {
    check_row(k, false, 0, kRowScr0Hcr0, false);
    check_row(k, false, 0, kRowScr0Hcr0, true);
  }
}

TEST(InterruptRoutingTable, RowScr0Hcr1TakesToEl2FromEveryElBelowEl3) {
  for (const Kind& k : kKinds) check_row(k, false, k.hcr_bit, kRowScr0Hcr1, true);
}

TEST(InterruptRoutingTable, RowScr0Hcr1AlsoAppliesWhenTgeStandsForTheHcrBit) {
  for (const Kind& k : kKinds) check_row(k, false, kHcrTGE, kRowScr0Hcr1, true);
}

TEST(InterruptRoutingTable, RowScr1TakesToEl3FromEverywhereWhateverHcrSays) {
  for (const Kind& k : kKinds) {
    check_row(k, true, 0, kRowScr1, false);
    check_row(k, true, k.hcr_bit, kRowScr1, true);
    check_row(k, true, kHcrTGE, kRowScr1, true);
  }
}

TEST(InterruptRoutingTable, InSecureStateWithoutEel2TheHcrBitHasNoEffect) {
  // Effective HCR_EL2 is zero in Secure state unless EEL2 = 1: S-EL0/S-EL1 use the HCR=0 row.
  for (const Kind& k : kKinds)
    for (uint64_t hcr : {k.hcr_bit, kHcrTGE}) {
      for (El el : {El::EL0, El::EL1}) {
        PeState s = at(el, S, 0, hcr);
        SCOPED_TRACE(std::string(k.name) + ": " + describe(s));
        const InterruptRouting r = route_interrupt(s, k.kind);
        EXPECT_EQ(r.target, El::EL1);
        EXPECT_TRUE(r.taken_now);
      }
    }
}

TEST(InterruptRoutingTable, EachKindUsesOnlyItsOwnScrAndHcrBits) {
  // IRQ follows SCR.IRQ/HCR.IMO only, FIQ follows FIQ/FMO, SError follows EA/AMO.
  for (const Kind& k : kKinds)
    for (const Kind& other : kKinds) {
      if (&k == &other) continue;
      PeState s = at(El::EL1, NS, other.scr_bit, other.hcr_bit);
      SCOPED_TRACE(std::string(k.name) + " with " + other.name + " routing bits: " + describe(s));
      EXPECT_EQ(route_interrupt(s, k.kind).target, El::EL1);
    }
}

// ---------------------------------------------------------------------------------------------
// Masking (section 1.9, from QEMU arm_excp_unmasked / Arm ARM Table D1-21)

PeState masked(PeState s, uint8_t daif_bits) {
  s.pstate.daif = daif_bits;
  return s;
}

TEST(InterruptMasking, ToTheCurrentElAnIrqIsMaskedByPstateI) {
  PeState s = at(El::EL1, NS);
  EXPECT_FALSE(route_interrupt(masked(s, daif::I), Interrupt::IRQ).taken_now);
  EXPECT_TRUE(route_interrupt(masked(s, daif::F | daif::A | daif::D), Interrupt::IRQ).taken_now);
  EXPECT_EQ(route_interrupt(masked(s, daif::I), Interrupt::IRQ).target, El::EL1);
}

TEST(InterruptMasking, ToTheCurrentElAFiqIsMaskedByPstateF) {
  PeState s = at(El::EL1, S);
  EXPECT_FALSE(route_interrupt(masked(s, daif::F), Interrupt::FIQ).taken_now);
  EXPECT_TRUE(route_interrupt(masked(s, daif::I | daif::A | daif::D), Interrupt::FIQ).taken_now);
}

TEST(InterruptMasking, ToTheCurrentElAnSErrorIsMaskedByPstateA) {
  PeState s = at(El::EL1, NS);
  EXPECT_FALSE(route_interrupt(masked(s, daif::A), Interrupt::SError).taken_now);
  EXPECT_TRUE(route_interrupt(masked(s, daif::I | daif::F | daif::D), Interrupt::SError).taken_now);
}

TEST(InterruptMasking, AtEl2WithImoAnIrqIsMaskedByPstateI) {
  EXPECT_FALSE(route_interrupt(masked(at(El::EL2, NS, 0, kHcrIMO), daif::I), Interrupt::IRQ).taken_now);
  EXPECT_TRUE(route_interrupt(at(El::EL2, NS, 0, kHcrIMO), Interrupt::IRQ).taken_now);
  EXPECT_FALSE(route_interrupt(masked(at(El::EL2, S, kScrEEL2, kHcrIMO), daif::I),
                               Interrupt::IRQ).taken_now);
}

TEST(InterruptMasking, AtEl3WithScrIrqAnIrqIsMaskedByPstateI) {
  EXPECT_FALSE(route_interrupt(masked(at(El::EL3, NS, kScrIRQ), daif::I), Interrupt::IRQ).taken_now);
  EXPECT_TRUE(route_interrupt(at(El::EL3, NS, kScrIRQ), Interrupt::IRQ).taken_now);
}

TEST(InterruptMasking, El3IsNeverMaskedFromBelow) {
  for (const Source& src : kSources) {
    if (src.el == El::EL3) continue;
    const uint64_t eel2 = src.sec == S && src.el == El::EL2 ? kScrEEL2 : 0;
    PeState s = masked(at(src.el, src.sec, kScrIRQ | kScrFIQ | kScrEA | eel2), 0xF);
    SCOPED_TRACE(src.name);
    for (const Kind& k : kKinds) {
      const InterruptRouting r = route_interrupt(s, k.kind);
      EXPECT_EQ(r.target, El::EL3) << k.name;
      EXPECT_TRUE(r.taken_now) << k.name;
    }
  }
}

TEST(InterruptMasking, El2IsNotMaskedFromNsEl1OrNsEl0) {
  for (El el : {El::EL0, El::EL1}) {
    PeState s = masked(at(el, NS, 0, kHcrIMO | kHcrFMO | kHcrAMO), 0xF);
    for (const Kind& k : kKinds) {
      const InterruptRouting r = route_interrupt(s, k.kind);
      EXPECT_EQ(r.target, El::EL2) << name(el) << " " << k.name;
      EXPECT_TRUE(r.taken_now) << name(el) << " " << k.name;
    }
  }
}

TEST(InterruptMasking, SEl2IsNotMaskedFromSEl1WithEel2) {
  PeState s = masked(at(El::EL1, S, kScrEEL2, kHcrIMO | kHcrFMO), 0xF);
  EXPECT_TRUE(route_interrupt(s, Interrupt::IRQ).taken_now);
  EXPECT_TRUE(route_interrupt(s, Interrupt::FIQ).taken_now);
  EXPECT_EQ(route_interrupt(s, Interrupt::FIQ).target, El::EL2);
}

TEST(InterruptMasking, El2IsNotMaskedFromEl0WithTgeAlone) {
  PeState s = masked(at(El::EL0, NS, 0, kHcrTGE), 0xF);
  EXPECT_EQ(route_interrupt(s, Interrupt::IRQ).target, El::EL2);
  EXPECT_TRUE(route_interrupt(s, Interrupt::IRQ).taken_now);
}

TEST(InterruptMasking, AVheHostEl0IsMaskedByPstateForInterruptsToEl2) {
  // E2H = 1 and TGE = 1: from EL0 the PSTATE masks apply (Arm ARM Table D1-21).
  PeState s = at(El::EL0, NS, 0, kHcrE2H | kHcrTGE);
  EXPECT_EQ(route_interrupt(masked(s, daif::I), Interrupt::IRQ).target, El::EL2);
  EXPECT_FALSE(route_interrupt(masked(s, daif::I), Interrupt::IRQ).taken_now);
  EXPECT_TRUE(route_interrupt(masked(s, daif::I), Interrupt::FIQ).taken_now);
  EXPECT_FALSE(route_interrupt(masked(s, daif::F), Interrupt::FIQ).taken_now);
  EXPECT_TRUE(route_interrupt(masked(s, 0), Interrupt::IRQ).taken_now);
}

TEST(InterruptMasking, E2hWithoutTgeLeavesEl0UnmaskedForInterruptsToEl2) {
  PeState s = masked(at(El::EL0, NS, 0, kHcrE2H | kHcrIMO), 0xF);
  EXPECT_TRUE(route_interrupt(s, Interrupt::IRQ).taken_now);
}

TEST(InterruptMasking, TheVheExceptionAppliesToEl0OnlyNotToEl1) {
  PeState s = masked(at(El::EL1, NS, 0, kHcrE2H | kHcrTGE), 0xF);
  EXPECT_EQ(route_interrupt(s, Interrupt::IRQ).target, El::EL2);
  EXPECT_TRUE(route_interrupt(s, Interrupt::IRQ).taken_now);
}

TEST(InterruptMasking, El1FromEl0IsMaskedByPstate) {
  EXPECT_FALSE(route_interrupt(masked(at(El::EL0, NS), daif::I), Interrupt::IRQ).taken_now);
  EXPECT_FALSE(route_interrupt(masked(at(El::EL0, S), daif::F), Interrupt::FIQ).taken_now);
  EXPECT_TRUE(route_interrupt(masked(at(El::EL0, S), daif::I), Interrupt::FIQ).taken_now);
}

TEST(InterruptMasking, ATargetBelowTheCurrentElStaysPendingEvenWhenUnmasked) {
  EXPECT_FALSE(route_interrupt(at(El::EL2, NS), Interrupt::IRQ).taken_now);
  EXPECT_FALSE(route_interrupt(at(El::EL3, S), Interrupt::FIQ).taken_now);
  EXPECT_FALSE(route_interrupt(at(El::EL3, S, 0, kHcrFMO), Interrupt::FIQ).taken_now);
}

// ---------------------------------------------------------------------------------------------
// PSTATE <-> SPSR (section 1.3)

Pstate pstate(El el, bool sp_sel, uint8_t daif_bits = 0, uint8_t nzcv = 0) {
  Pstate p;
  p.el = el;
  p.sp_sel = sp_sel;
  p.daif = daif_bits;
  p.nzcv = nzcv;
  return p;
}

TEST(Spsr, ModeFieldsAreTheSheetsEncodings) {
  EXPECT_EQ(pstate(El::EL0, false).to_spsr(), 0b0000u);  // EL0t
  EXPECT_EQ(pstate(El::EL1, false).to_spsr(), 0b0100u);  // EL1t
  EXPECT_EQ(pstate(El::EL1, true).to_spsr(), 0b0101u);   // EL1h
  EXPECT_EQ(pstate(El::EL2, false).to_spsr(), 0b1000u);  // EL2t
  EXPECT_EQ(pstate(El::EL2, true).to_spsr(), 0b1001u);   // EL2h
  EXPECT_EQ(pstate(El::EL3, false).to_spsr(), 0b1100u);  // EL3t
  EXPECT_EQ(pstate(El::EL3, true).to_spsr(), 0b1101u);   // EL3h
}

TEST(Spsr, DaifSitsInBits9To6) {
  EXPECT_EQ(pstate(El::EL1, true, daif::D).to_spsr(), (1u << 9) | kEL1h);
  EXPECT_EQ(pstate(El::EL1, true, daif::A).to_spsr(), (1u << 8) | kEL1h);
  EXPECT_EQ(pstate(El::EL1, true, daif::I).to_spsr(), (1u << 7) | kEL1h);
  EXPECT_EQ(pstate(El::EL1, true, daif::F).to_spsr(), (1u << 6) | kEL1h);
}

TEST(Spsr, NzcvSitsInBits31To28) {
  EXPECT_EQ(pstate(El::EL0, false, 0, 0b1000).to_spsr(), 1ull << 31);  // N
  EXPECT_EQ(pstate(El::EL0, false, 0, 0b0100).to_spsr(), 1ull << 30);  // Z
  EXPECT_EQ(pstate(El::EL0, false, 0, 0b0010).to_spsr(), 1ull << 29);  // C
  EXPECT_EQ(pstate(El::EL0, false, 0, 0b0001).to_spsr(), 1ull << 28);  // V
}

TEST(Spsr, MatchesTfaSpsr64ForEveryElSpAndDaif) {
  // TF-A: SPSR_64(el, sp, daif) = (el << 2) | sp | (daif << 6); M[4] = 0 (AArch64).
  for (int el = 0; el < 4; ++el)
    for (int sp = 0; sp < 2; ++sp) {
      if (el == 0 && sp == 1) continue;  // EL0 has no SP_ELx mode
      for (uint8_t d = 0; d < 16; ++d) {
        const uint64_t expected = (uint64_t(el) << 2) | uint64_t(sp) | (uint64_t(d) << 6);
        EXPECT_EQ(pstate(El(el), sp, d).to_spsr(), expected) << el << " " << sp << " " << int(d);
        EXPECT_EQ(pstate(El(el), sp, d).to_spsr() & (1u << 4), 0u);
      }
    }
}

TEST(Spsr, El1hWithEverythingMaskedIs0x3C5AndDecodesBack) {
  EXPECT_EQ(pstate(El::EL1, true, 0xF).to_spsr(), 0x3C5u);
  const Pstate p = Pstate::from_spsr(0x3C5);
  EXPECT_EQ(p.el, El::EL1);
  EXPECT_TRUE(p.sp_sel);
  EXPECT_EQ(p.daif, 0xF);
  EXPECT_EQ(p.nzcv, 0);
}

TEST(Spsr, DecodesEl2hUnmasked) {
  const Pstate p = Pstate::from_spsr(0x9);
  EXPECT_EQ(p.el, El::EL2);
  EXPECT_TRUE(p.sp_sel);
  EXPECT_EQ(p.daif, 0);
}

TEST(Spsr, DecodesEl0tWithOnlyIrqMasked) {
  const Pstate p = Pstate::from_spsr(0x80);
  EXPECT_EQ(p.el, El::EL0);
  EXPECT_FALSE(p.sp_sel);
  EXPECT_EQ(p.daif, daif::I);
}

TEST(Spsr, RoundTripsEveryModeDaifAndNzcv) {
  for (int el = 0; el < 4; ++el)
    for (int sp = 0; sp < 2; ++sp)
      for (uint8_t d = 0; d < 16; ++d)
        for (uint8_t f = 0; f < 16; ++f) {
          if (el == 0 && sp == 1) continue;
          const Pstate in = pstate(El(el), sp, d, f);
          const uint64_t spsr = in.to_spsr();
          const Pstate out = Pstate::from_spsr(spsr);
          EXPECT_EQ(out.el, in.el);
          EXPECT_EQ(out.sp_sel, in.sp_sel);
          EXPECT_EQ(out.daif, in.daif);
          EXPECT_EQ(out.nzcv, in.nzcv);
          EXPECT_EQ(out.to_spsr(), spsr);
        }
}

TEST(Spsr, ResetPstateIsEl3hWithEverythingMasked) {
  // Section 1.4 entry state: ELxh, DAIF = 1111. A fresh Pstate is the reset state at EL3.
  EXPECT_EQ(Pstate{}.to_spsr(), kEL3h | kDaifMasked);
}

}  // namespace
}  // namespace ffasim::sim
