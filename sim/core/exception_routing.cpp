#include "sim/core/exception_routing.h"

namespace ffasim::sim {

bool el2_enabled(const PeState& s, Security sec) {
  return sec == Security::NonSecure || (s.scr_el3 & scr::EEL2) != 0;
}

uint64_t effective_hcr(const PeState& s, Security sec) {
  if (!el2_enabled(s, sec)) return 0;
  uint64_t h = s.hcr_el2;
  if (h & hcr::TGE) h |= hcr::IMO | hcr::FMO | hcr::AMO;
  return h;
}

El undefined_target(const PeState& s) {
  const El el = s.pstate.el;
  if (el != El::EL0) return el;
  return (effective_hcr(s, current_security(s)) & hcr::TGE) ? El::EL2 : El::EL1;
}

static Routing undefined(const PeState& s) {
  return {Outcome::Undefined, undefined_target(s), make_esr(ec::UNKNOWN, 0), false};
}

Routing route_smc(const PeState& s, uint16_t imm16) {
  const El el = s.pstate.el;
  const Security sec = current_security(s);
  if (el == El::EL0) return undefined(s);
  // HCR_EL2.TSC has priority over SCR_EL3.SMD, and applies in Secure state when EEL2=1.
  if (el == El::EL1 && (effective_hcr(s, sec) & hcr::TSC))
    return {Outcome::Taken, El::EL2, make_esr(ec::SMC64, imm16), false};
  if (s.scr_el3 & scr::SMD) return undefined(s);
  return {Outcome::Taken, El::EL3, make_esr(ec::SMC64, imm16), true};
}

Routing route_hvc(const PeState& s, uint16_t imm16) {
  const El el = s.pstate.el;
  if (el == El::EL0) return undefined(s);
  if (el == El::EL1 && !el2_enabled(s, current_security(s))) return undefined(s);
  if (!(s.scr_el3 & scr::HCE)) return undefined(s);
  const El target = el == El::EL3 ? El::EL3 : El::EL2;
  return {Outcome::Taken, target, make_esr(ec::HVC64, imm16), true};
}

Routing route_svc(const PeState& s, uint16_t imm16) {
  const El el = s.pstate.el;
  El target = el;
  if (el == El::EL0)
    target = (effective_hcr(s, current_security(s)) & hcr::TGE) ? El::EL2 : El::EL1;
  return {Outcome::Taken, target, make_esr(ec::SVC64, imm16), true};
}

EretTarget eret_target(const PeState& s) {
  const El cur = s.pstate.el;
  const uint64_t spsr = s.spsr_el[index(cur)];
  const Pstate to = Pstate::from_spsr(spsr);
  // M[4] = 1 is AArch32, M[1] is reserved, and EL0 has no SP_ELx: not one of the seven
  // AArch64 modes (EL0t, EL1t/h, EL2t/h, EL3t/h), so the return is illegal.
  const bool aarch64_mode = !(spsr & 0x12) && !(to.el == El::EL0 && to.sp_sel);
  if (cur == El::EL0 || !aarch64_mode || int(to.el) > int(cur)) return {false, cur, current_security(s)};
  const Security sec = cur == El::EL3 ? security_of(s, to.el) : current_security(s);
  if (to.el == El::EL3) return {true, El::EL3, Security::Secure};
  if (to.el == El::EL2 && !el2_enabled(s, sec)) return {false, cur, current_security(s)};
  return {true, to.el, sec};
}

InterruptRouting route_interrupt(const PeState& s, Interrupt kind) {
  const El cur = s.pstate.el;
  const Security sec = current_security(s);
  const uint64_t h = effective_hcr(s, sec);
  uint64_t scr_bit = 0, hcr_bit = 0;
  uint8_t mask = 0;
  switch (kind) {
    case Interrupt::IRQ: scr_bit = scr::IRQ; hcr_bit = hcr::IMO; mask = daif::I; break;
    case Interrupt::FIQ: scr_bit = scr::FIQ; hcr_bit = hcr::FMO; mask = daif::F; break;
    case Interrupt::SError: scr_bit = scr::EA; hcr_bit = hcr::AMO; mask = daif::A; break;
  }
  El target = El::EL1;
  if (s.scr_el3 & scr_bit) target = El::EL3;
  else if (h & hcr_bit) target = El::EL2;

  const bool masked_by_pstate = (s.pstate.daif & mask) != 0;
  bool taken;
  if (int(target) < int(cur)) taken = false;  // stays pending until a lower EL runs
  else if (target == cur) taken = !masked_by_pstate;
  else if (target == El::EL3) taken = true;
  else if (target == El::EL2)
    // A VHE host (E2H=1, TGE=1): from EL0 the PSTATE masks apply (Arm ARM Table D1-21).
    taken = !((h & hcr::E2H) && (h & hcr::TGE) && cur == El::EL0) || !masked_by_pstate;
  else taken = !masked_by_pstate;  // EL1 from EL0
  return {target, taken};
}

uint64_t Pstate::to_spsr() const {
  return (uint64_t(nzcv) << 28) | (uint64_t(daif & 0xF) << 6) | (uint64_t(el) << 2) |
         (sp_sel ? 1u : 0u);
}

Pstate Pstate::from_spsr(uint64_t spsr) {
  Pstate p;
  p.nzcv = uint8_t((spsr >> 28) & 0xF);
  p.daif = uint8_t((spsr >> 6) & 0xF);
  p.el = El((spsr >> 2) & 3);
  p.sp_sel = (spsr & 1) != 0;
  return p;
}

const char* name(El el) {
  static const char* n[] = {"EL0", "EL1", "EL2", "EL3"};
  return n[index(el)];
}
const char* name(Security s) { return s == Security::Secure ? "S" : "NS"; }
const char* name(El el, Security s) {
  static const char* n[2][4] = {{"S-EL0", "S-EL1", "S-EL2", "EL3"},
                                {"NS-EL0", "NS-EL1", "NS-EL2", "EL3"}};
  return n[index(s)][index(el)];
}

}  // namespace ffasim::sim
