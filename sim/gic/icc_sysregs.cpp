#include "sim/gic/icc_sysregs.h"

#include "sim/core/pe_state.h"
#include "sim/gic/cpu_interface.h"

namespace ffasim::sim::gic {

const char* name(SysregAccess a) {
  switch (a) {
    case SysregAccess::Ok: return "Ok";
    case SysregAccess::Undefined: return "Undefined";
    case SysregAccess::TrapEl2: return "TrapEl2";
    case SysregAccess::TrapEl3: return "TrapEl3";
    case SysregAccess::Virtual: return "Virtual";
  }
  return "?";
}

namespace {

using S = GicState;
constexpr uint64_t IMO = hcr::IMO, FMO = hcr::FMO;

template <unsigned N> uint64_t ap0r_read(S& s, unsigned c) { return icc_ap_read(s, c, false, N); }
template <unsigned N> void ap0r_write(S& s, unsigned c, uint64_t v) { icc_ap_write(s, c, false, N, v); }
template <unsigned N> uint64_t ap1r_read(S& s, unsigned c) { return icc_ap_read(s, c, true, N); }
template <unsigned N> void ap1r_write(S& s, unsigned c, uint64_t v) { icc_ap_write(s, c, true, N, v); }
template <bool G1> uint64_t iar(S& s, unsigned c) { return icc_iar_read(s, c, G1); }
template <bool G1> uint64_t hppir(S& s, unsigned c) { return icc_hppir_read(s, c, G1); }
template <bool G1> void eoir(S& s, unsigned c, uint64_t v) { icc_eoir_write(s, c, G1, v); }
template <bool G1> uint64_t bpr_r(S& s, unsigned c) { return icc_bpr_read(s, c, G1); }
template <bool G1> void bpr_w(S& s, unsigned c, uint64_t v) { icc_bpr_write(s, c, G1, v); }
template <bool G1> uint64_t igrpen_r(S& s, unsigned c) { return icc_igrpen_read(s, c, G1); }
template <bool G1> void igrpen_w(S& s, unsigned c, uint64_t v) { icc_igrpen_write(s, c, G1, v); }
template <SgiRegister R> void sgi(S& s, unsigned c, uint64_t v) { icc_sgi_write(s, c, R, v); }
uint64_t pmr_r(S& s, unsigned c) { return icc_pmr_read(s, c); }
uint64_t rpr_r(S& s, unsigned c) { return icc_rpr_read(s, c); }
uint64_t ctlr1_r(S& s, unsigned c) { return icc_ctlr_el1_read(s, c); }
uint64_t ctlr3_r(S& s, unsigned c) { return icc_ctlr_el3_read(s, c); }
uint64_t igrpen1_el3_r(S& s, unsigned c) { return icc_igrpen1_el3_read(s, c); }
uint64_t sre1_r(S& s, unsigned c) { return s.cpu[c].icc.icc_sre_el1; }
uint64_t sre2_r(S& s, unsigned c) { return s.cpu[c].icc.icc_sre_el2; }
uint64_t sre3_r(S& s, unsigned c) { return s.cpu[c].icc.icc_sre_el3; }
void ignore(S&, unsigned, uint64_t) {}  // RAO/WI

constexpr El EL1 = El::EL1, EL2 = El::EL2, EL3 = El::EL3;
constexpr Path CPU = Path::CpuInterface;
using T = IccTrap;

// name, op0 op1 CRn CRm op2, min EL, trap, ICV redirect, path, banked, read, write
const IccReg kRegs[] = {
    {"ICC_PMR_EL1", 3, 0, 4, 6, 0, EL1, T::IrqFiq, IMO | FMO, CPU, false, pmr_r, icc_pmr_write},
    {"ICC_IAR0_EL1", 3, 0, 12, 8, 0, EL1, T::Fiq, FMO, CPU, false, iar<false>, nullptr},
    {"ICC_EOIR0_EL1", 3, 0, 12, 8, 1, EL1, T::Fiq, FMO, Path::Deactivate, false, nullptr, eoir<false>},
    {"ICC_HPPIR0_EL1", 3, 0, 12, 8, 2, EL1, T::Fiq, FMO, CPU, false, hppir<false>, nullptr},
    {"ICC_BPR0_EL1", 3, 0, 12, 8, 3, EL1, T::Fiq, FMO, CPU, false, bpr_r<false>, bpr_w<false>},
    {"ICC_AP0R0_EL1", 3, 0, 12, 8, 4, EL1, T::Fiq, FMO, CPU, false, ap0r_read<0>, ap0r_write<0>},
    {"ICC_AP0R1_EL1", 3, 0, 12, 8, 5, EL1, T::Fiq, FMO, CPU, false, ap0r_read<1>, ap0r_write<1>},
    {"ICC_AP0R2_EL1", 3, 0, 12, 8, 6, EL1, T::Fiq, FMO, CPU, false, ap0r_read<2>, ap0r_write<2>},
    {"ICC_AP0R3_EL1", 3, 0, 12, 8, 7, EL1, T::Fiq, FMO, CPU, false, ap0r_read<3>, ap0r_write<3>},
    {"ICC_AP1R0_EL1", 3, 0, 12, 9, 0, EL1, T::Irq, IMO, CPU, true, ap1r_read<0>, ap1r_write<0>},
    {"ICC_AP1R1_EL1", 3, 0, 12, 9, 1, EL1, T::Irq, IMO, CPU, true, ap1r_read<1>, ap1r_write<1>},
    {"ICC_AP1R2_EL1", 3, 0, 12, 9, 2, EL1, T::Irq, IMO, CPU, true, ap1r_read<2>, ap1r_write<2>},
    {"ICC_AP1R3_EL1", 3, 0, 12, 9, 3, EL1, T::Irq, IMO, CPU, true, ap1r_read<3>, ap1r_write<3>},
    {"ICC_DIR_EL1", 3, 0, 12, 11, 1, EL1, T::IrqFiq, IMO | FMO, Path::Deactivate, false, nullptr, icc_dir_write},
    {"ICC_RPR_EL1", 3, 0, 12, 11, 3, EL1, T::IrqFiq, IMO | FMO, CPU, false, rpr_r, nullptr},
    {"ICC_SGI1R_EL1", 3, 0, 12, 11, 5, EL1, T::Sgi, 0, Path::Sgi, false, nullptr, sgi<SgiRegister::SGI1R>},
    {"ICC_ASGI1R_EL1", 3, 0, 12, 11, 6, EL1, T::Sgi, 0, Path::Sgi, false, nullptr, sgi<SgiRegister::ASGI1R>},
    {"ICC_SGI0R_EL1", 3, 0, 12, 11, 7, EL1, T::Sgi, 0, Path::Sgi, false, nullptr, sgi<SgiRegister::SGI0R>},
    {"ICC_IAR1_EL1", 3, 0, 12, 12, 0, EL1, T::Irq, IMO, CPU, false, iar<true>, nullptr},
    {"ICC_EOIR1_EL1", 3, 0, 12, 12, 1, EL1, T::Irq, IMO, Path::Deactivate, false, nullptr, eoir<true>},
    {"ICC_HPPIR1_EL1", 3, 0, 12, 12, 2, EL1, T::Irq, IMO, CPU, false, hppir<true>, nullptr},
    {"ICC_BPR1_EL1", 3, 0, 12, 12, 3, EL1, T::Irq, IMO, CPU, true, bpr_r<true>, bpr_w<true>},
    {"ICC_CTLR_EL1", 3, 0, 12, 12, 4, EL1, T::IrqFiq, IMO | FMO, CPU, true, ctlr1_r, icc_ctlr_el1_write},
    {"ICC_SRE_EL1", 3, 0, 12, 12, 5, EL1, T::None, 0, CPU, true, sre1_r, ignore},
    {"ICC_IGRPEN0_EL1", 3, 0, 12, 12, 6, EL1, T::Fiq, FMO, CPU, false, igrpen_r<false>, igrpen_w<false>},
    {"ICC_IGRPEN1_EL1", 3, 0, 12, 12, 7, EL1, T::Irq, IMO, CPU, true, igrpen_r<true>, igrpen_w<true>},
    {"ICC_SRE_EL2", 3, 4, 12, 9, 5, EL2, T::None, 0, CPU, false, sre2_r, ignore},
    {"ICC_CTLR_EL3", 3, 6, 12, 12, 4, EL3, T::None, 0, CPU, false, ctlr3_r, icc_ctlr_el3_write},
    {"ICC_SRE_EL3", 3, 6, 12, 12, 5, EL3, T::None, 0, CPU, false, sre3_r, ignore},
    {"ICC_IGRPEN1_EL3", 3, 6, 12, 12, 7, EL3, T::None, 0, CPU, false, igrpen1_el3_r, icc_igrpen1_el3_write},
};

}  // namespace

std::span<const IccReg> icc_registers() { return kRegs; }

const IccReg* find_icc_register(std::string_view n) {
  for (const IccReg& r : icc_registers())
    if (r.name == n) return &r;
  return nullptr;
}

const IccReg* find_icc_register(uint8_t op0, uint8_t op1, uint8_t crn, uint8_t crm, uint8_t op2) {
  for (const IccReg& r : icc_registers())
    if (r.op0 == op0 && r.op1 == op1 && r.crn == crn && r.crm == crm && r.op2 == op2) return &r;
  return nullptr;
}

// SCR_EL3 routing traps (QEMU gicv3_fiq_access / gicv3_irq_access / gicv3_irqfiq_access): an
// EL2 access always traps when the routing bit(s) are set; an EL1 access unless HCR_EL2 routes
// the same interrupts to EL2 (then it is a virtual access).
static bool traps_to_el3(IccTrap t, const PeInputs& pe, uint64_t h) {
  const bool irq = pe.scr_el3 & scr::IRQ, fiq = pe.scr_el3 & scr::FIQ;
  bool routed;
  uint64_t hcr_bits;
  switch (t) {
    case IccTrap::Fiq: routed = fiq; hcr_bits = FMO; break;
    case IccTrap::Irq: routed = irq; hcr_bits = IMO; break;
    case IccTrap::IrqFiq:
    case IccTrap::Sgi: routed = irq && fiq; hcr_bits = IMO | FMO; break;
    default: return false;
  }
  if (!routed || pe.el == El::EL3) return false;
  return pe.el == El::EL2 || !(h & hcr_bits);
}

SysregAccess icc_check_access(const IccReg& r, const PeInputs& pe, bool write) {
  if (pe.el == El::EL0 || int(pe.el) < int(r.min_el)) return SysregAccess::Undefined;
  if (write ? !r.write : !r.read) return SysregAccess::Undefined;
  const uint64_t h = pe_effective_hcr(pe);
  if (r.trap == IccTrap::Sgi && pe.el == El::EL1 && (h & (IMO | FMO))) return SysregAccess::TrapEl2;
  if (traps_to_el3(r.trap, pe, h)) return SysregAccess::TrapEl3;
  if (pe.el == El::EL1 && (r.virt & h)) return SysregAccess::Virtual;
  return SysregAccess::Ok;
}

}  // namespace ffasim::sim::gic
