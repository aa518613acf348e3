#include "sim/gic/cpu_interface.h"

#include <bit>

#include "sim/core/pe_state.h"
#include "sim/gic/distributor.h"
#include "sim/gic/gic.h"
#include "sim/gic/redistributor.h"

namespace ffasim::sim::gic {

bool pe_is_secure(const PeInputs& pe) { return pe.el == El::EL3 || !(pe.scr_el3 & scr::NS); }
bool pe_uses_ns_bank(const PeInputs& pe) { return pe.scr_el3 & scr::NS; }

uint64_t pe_effective_hcr(const PeInputs& pe) {
  const bool el2_enabled = (pe.scr_el3 & scr::NS) || (pe.scr_el3 & scr::EEL2);
  if (!el2_enabled) return 0;
  uint64_t h = pe.hcr_el2;
  if (h & hcr::TGE) h |= hcr::IMO | hcr::FMO | hcr::AMO;
  return h;
}

Line signal_for(Group g, const PeInputs& pe) {
  const bool secure = pe_is_secure(pe);
  switch (g) {
    case Group::G0: return Line::FIQ;
    case Group::G1S: return (!secure || pe.el == El::EL3) ? Line::FIQ : Line::IRQ;
    case Group::G1NS: return secure ? Line::FIQ : Line::IRQ;
  }
  return Line::FIQ;
}

// ---------------------------------------------------------------------------------------------
// Priority model (section 2.9)

uint8_t icc_min_bpr(const GicState& s) { return uint8_t(7 - s.cfg.pri_bits); }
uint8_t icc_min_bpr_ns(const GicState& s) { return uint8_t(icc_min_bpr(s) + 1); }
unsigned icc_num_aprs(const GicState& s) { return 1u << (s.cfg.pri_bits > 5 ? s.cfg.pri_bits - 5 : 0); }

uint8_t icc_gprio_mask(const GicState& s, unsigned cpu, Group g) {
  const IccState& c = s.cpu[cpu].icc;
  // ICC_CTLR_EL1.CBPR of a bank makes BPR0 govern that bank's Group 1 too.
  if ((g == Group::G1S && (c.icc_ctlr_el1[0] & icc_ctlr_el1::CBPR)) ||
      (g == Group::G1NS && (c.icc_ctlr_el1[1] & icc_ctlr_el1::CBPR)))
    g = Group::G0;
  unsigned bpr = c.icc_bpr[int(g)] & 7;
  if (g == Group::G1NS) --bpr;  // NS BPR1 = n keeps bits [7:n]
  return uint8_t(0xFFu << (bpr + 1));
}

uint8_t icc_highest_active_prio(const GicState& s, unsigned cpu) {
  const auto& apr = s.cpu[cpu].icc.icc_apr;
  for (unsigned i = 0; i < icc_num_aprs(s); ++i) {
    const uint32_t a = apr[0][i] | apr[1][i] | apr[2][i];
    if (a) return uint8_t((i * 32 + unsigned(std::countr_zero(a))) << (icc_min_bpr(s) + 1));
  }
  return kIdlePriority;
}

int icc_highest_active_group(const GicState& s, unsigned cpu) {
  const auto& apr = s.cpu[cpu].icc.icc_apr;
  for (unsigned i = 0; i < 4; ++i) {
    const int g0 = std::countr_zero(apr[0][i]), g1 = std::countr_zero(apr[1][i]),
              g1ns = std::countr_zero(apr[2][i]);
    if (g1ns < g0 && g1ns < g1) return int(Group::G1NS);
    if (g1 < g0) return int(Group::G1S);
    if (g0 < 32) return int(Group::G0);
  }
  return -1;
}

static bool icc_no_enabled_hppi(const GicState& s, unsigned cpu) {
  const GicCpuState& c = s.cpu[cpu];
  return c.hppi.prio == kIdlePriority || !c.icc.icc_igrpen[int(c.hppi.group)];
}

bool icc_hppi_can_preempt(const GicState& s, unsigned cpu) {
  const GicCpuState& c = s.cpu[cpu];
  if (icc_no_enabled_hppi(s, cpu)) return false;
  if (c.hppi.prio >= c.icc.icc_pmr_el1) return false;
  const uint8_t rprio = icc_highest_active_prio(s, cpu);
  if (rprio == kIdlePriority) return true;
  const uint8_t mask = icc_gprio_mask(s, cpu, c.hppi.group);
  return (c.hppi.prio & mask) < (rprio & mask);
}

bool icc_eoi_split(const GicState& s, unsigned cpu) {
  const GicCpuState& c = s.cpu[cpu];
  if (c.pe.el == El::EL3) return c.icc.icc_ctlr_el3 & icc_ctlr_el3::EOImode_EL3;
  return c.icc.icc_ctlr_el1[pe_uses_ns_bank(c.pe) ? 1 : 0] & icc_ctlr_el1::EOImode;
}

void cpuif_update_lines(GicState& s, unsigned cpu) {
  GicCpuState& c = s.cpu[cpu];
  c.irq = c.fiq = false;
  if (!icc_hppi_can_preempt(s, cpu)) return;
  (signal_for(c.hppi.group, c.pe) == Line::FIQ ? c.fiq : c.irq) = true;
}

void icc_reset(GicState& s, unsigned cpu) {
  IccState& c = s.cpu[cpu].icc;
  c = IccState{};
  // IDbits = 0 (16-bit INTIDs), A3V, RSS (range selector honoured), PRIbits.
  const uint64_t ro = icc_ctlr_el1::A3V | icc_ctlr_el1::RSS |
                      uint64_t(s.cfg.pri_bits - 1) << icc_ctlr_el1::PRIbits_SHIFT;
  c.icc_ctlr_el1 = {ro, ro};
  c.icc_ctlr_el3 = icc_ctlr_el3::nDS | icc_ctlr_el3::A3V | icc_ctlr_el3::RSS |
                   uint64_t(s.cfg.pri_bits - 1) << icc_ctlr_el3::PRIbits_SHIFT;
  c.icc_bpr = {icc_min_bpr(s), icc_min_bpr(s), icc_min_bpr_ns(s)};
}

// ---------------------------------------------------------------------------------------------
// PMR, BPR, APR, RPR

// Non-secure accesses see the Non-secure view of PMR and RPR when Group 0 is out of their
// reach, i.e. SCR_EL3.FIQ = 1 (QEMU icc_pmr_read).
static bool ns_priority_view(const PeInputs& pe) {
  return !pe_is_secure(pe) && (pe.scr_el3 & scr::FIQ);
}

static uint8_t ns_view(uint8_t p) {
  if (!(p & 0x80)) return 0;  // Secure half invisible
  return p == kIdlePriority ? p : uint8_t(p << 1);
}

uint64_t icc_pmr_read(const GicState& s, unsigned cpu) {
  const GicCpuState& c = s.cpu[cpu];
  return ns_priority_view(c.pe) ? ns_view(c.icc.icc_pmr_el1) : c.icc.icc_pmr_el1;
}

void icc_pmr_write(GicState& s, unsigned cpu, uint64_t v) {
  GicCpuState& c = s.cpu[cpu];
  uint8_t p = uint8_t(v) & fullprio_mask(s);
  if (ns_priority_view(c.pe)) {
    if (!(c.icc.icc_pmr_el1 & 0x80)) return;  // PMR in the Secure range: NS may not change it
    p = uint8_t((p >> 1) | 0x80) & fullprio_mask(s);
  }
  c.icc.icc_pmr_el1 = p;
  gic_update(s);
}

// Which BPR an access reaches: BPR1 is banked; CBPR redirects (QEMU icc_bpr_read/write).
// `satinc`: a Non-secure BPR1 access below EL3 with CBPR set reads BPR0 + 1 and ignores writes.
static Group bpr_group(const GicState& s, unsigned cpu, bool bpr1, bool& satinc) {
  const GicCpuState& c = s.cpu[cpu];
  satinc = false;
  if (!bpr1) return Group::G0;
  Group g = pe_uses_ns_bank(c.pe) ? Group::G1NS : Group::G1S;
  if (g == Group::G1S && c.pe.el != El::EL3 && (c.icc.icc_ctlr_el1[0] & icc_ctlr_el1::CBPR))
    g = Group::G0;
  if (g == Group::G1NS && c.pe.el != El::EL3 && (c.icc.icc_ctlr_el1[1] & icc_ctlr_el1::CBPR)) {
    g = Group::G0;
    satinc = true;
  }
  return g;
}

uint64_t icc_bpr_read(const GicState& s, unsigned cpu, bool bpr1) {
  bool satinc;
  const Group g = bpr_group(s, cpu, bpr1, satinc);
  const unsigned v = s.cpu[cpu].icc.icc_bpr[int(g)];
  return satinc ? (v + 1 > 7 ? 7 : v + 1) : v;
}

void icc_bpr_write(GicState& s, unsigned cpu, bool bpr1, uint64_t v) {
  bool satinc;
  const Group g = bpr_group(s, cpu, bpr1, satinc);
  if (satinc) return;
  const uint64_t min = g == Group::G1NS ? icc_min_bpr_ns(s) : icc_min_bpr(s);
  s.cpu[cpu].icc.icc_bpr[int(g)] = uint8_t((v < min ? min : v) & 7);
  gic_update(s);
}

static Group ap_group(const GicCpuState& c, bool ap1) {
  if (!ap1) return Group::G0;
  return pe_uses_ns_bank(c.pe) ? Group::G1NS : Group::G1S;
}

uint64_t icc_ap_read(const GicState& s, unsigned cpu, bool ap1, unsigned n) {
  if (n >= icc_num_aprs(s)) return 0;
  return s.cpu[cpu].icc.icc_apr[int(ap_group(s.cpu[cpu], ap1))][n];
}

void icc_ap_write(GicState& s, unsigned cpu, bool ap1, unsigned n, uint64_t v) {
  GicCpuState& c = s.cpu[cpu];
  // Non-secure software may not claim activity at a priority (QEMU icc_ap_write).
  if (n >= icc_num_aprs(s) || !pe_is_secure(c.pe)) return;
  c.icc.icc_apr[int(ap_group(c, ap1))][n] = uint32_t(v);
  gic_update(s);
}

uint64_t icc_rpr_read(const GicState& s, unsigned cpu) {
  const uint8_t p = icc_highest_active_prio(s, cpu);
  return ns_priority_view(s.cpu[cpu].pe) ? ns_view(p) : p;
}

// ---------------------------------------------------------------------------------------------
// Acknowledge, EOI, deactivate (section 2.10)

// CheckGroup0ForSpecialIdentifiers: at EL3 a Group 1 HPPI reads as 1020 / 1021.
static uint32_t hppir0_value(const GicState& s, unsigned cpu) {
  const GicCpuState& c = s.cpu[cpu];
  if (icc_no_enabled_hppi(s, cpu)) return INTID_SPURIOUS;
  const bool irq_secure = !gic_ds(s) && c.hppi.group != Group::G1NS;
  if (c.hppi.group != Group::G0 && c.pe.el != El::EL3) return INTID_SPURIOUS;
  if (irq_secure && !pe_is_secure(c.pe)) return INTID_SPURIOUS;
  if (c.hppi.group != Group::G0) return irq_secure ? INTID_SECURE : INTID_NONSECURE;
  return c.hppi.intid;
}

// CheckGroup1ForSpecialIdentifiers: each state sees its own Group 1; EL3 sees both.
static uint32_t hppir1_value(const GicState& s, unsigned cpu) {
  const GicCpuState& c = s.cpu[cpu];
  if (icc_no_enabled_hppi(s, cpu)) return INTID_SPURIOUS;
  const bool irq_secure = !gic_ds(s) && c.hppi.group != Group::G1NS;
  if (c.hppi.group == Group::G0) return INTID_SPURIOUS;
  if (irq_secure) return pe_is_secure(c.pe) ? c.hppi.intid : INTID_SPURIOUS;
  if (c.pe.el != El::EL3 && pe_is_secure(c.pe)) return INTID_SPURIOUS;
  return c.hppi.intid;
}

uint64_t icc_hppir_read(const GicState& s, unsigned cpu, bool group1) {
  return group1 ? hppir1_value(s, cpu) : hppir0_value(s, cpu);
}

// Pending -> active: set the APR bit of the group priority, mark active, clear the latch.
static void activate(GicState& s, unsigned cpu) {
  GicCpuState& c = s.cpu[cpu];
  const uint32_t id = c.hppi.intid;
  const uint8_t gprio = c.hppi.prio & icc_gprio_mask(s, cpu, c.hppi.group);
  const unsigned aprbit = gprio >> (8 - s.cfg.pri_bits);
  c.icc.icc_apr[int(c.hppi.group)][aprbit / 32] |= 1u << (aprbit % 32);
  set(s, cpu, id, IrqBit::Active, true);
  set(s, cpu, id, IrqBit::Pending, false);
  if (id >= kInternalCount) s.one_of_n_target[id] = -1;
}

uint64_t icc_iar_read(GicState& s, unsigned cpu, bool group1) {
  if (!icc_hppi_can_preempt(s, cpu)) return INTID_SPURIOUS;
  const uint32_t id = group1 ? hppir1_value(s, cpu) : hppir0_value(s, cpu);
  if (is_special_intid(id)) return id;
  activate(s, cpu);
  gic_update(s);
  return id;
}

static void drop_priority(GicState& s, unsigned cpu, Group g) {
  auto& apr = s.cpu[cpu].icc.icc_apr[int(g)];
  for (unsigned i = 0; i < icc_num_aprs(s); ++i)
    if (apr[i]) {
      apr[i] &= apr[i] - 1;  // the lowest set bit is the highest active priority
      return;
    }
}

void icc_eoir_write(GicState& s, unsigned cpu, bool group1, uint64_t v) {
  const uint32_t id = uint32_t(v & 0xFFFFFF);
  const PeInputs& pe = s.cpu[cpu].pe;
  if (id >= s.cfg.num_irq) return;  // 1020-1023 and unimplemented INTIDs are ignored
  const int g = icc_highest_active_group(s, cpu);
  if (g < 0) return guest_error(s, "ICC_EOIR" + std::to_string(int(group1)) +
                                       "_EL1: no active interrupt for INTID " + std::to_string(id));
  // The register must match the group of the highest active priority, and the PE's state must
  // own it (QEMU icc_eoir_write).
  switch (Group(g)) {
    case Group::G0:
      if (group1 || (!gic_ds(s) && !pe_is_secure(pe))) return;
      break;
    case Group::G1S:
      if (!group1 || !pe_is_secure(pe)) return;
      break;
    case Group::G1NS:
      if (!group1 || (pe.el != El::EL3 && pe_is_secure(pe))) return;
      break;
  }
  drop_priority(s, cpu, Group(g));
  if (!icc_eoi_split(s, cpu)) set(s, cpu, id, IrqBit::Active, false);
  gic_update(s);
}

// Whether the current EL and state may deactivate an interrupt of group `g` (the ICC_DIR_EL1
// pseudocode as in QEMU icc_dir_write). QEMU predates FEAT_SEL2: for Secure EL2 this model uses
// the Secure EL1 rule (Hafnium deactivates Secure Group 1 interrupts from S-EL2 with EOImode 1).
static bool dir_allowed(const GicState& s, const PeInputs& pe, Group g) {
  const bool single = gic_ds(s), grp0 = g == Group::G0;
  const bool irq_secure = !single && g != Group::G1NS;
  const bool fiq3 = pe.scr_el3 & scr::FIQ, irq3 = pe.scr_el3 & scr::IRQ;
  const uint64_t h = pe_effective_hcr(pe);
  const bool fiq2 = h & hcr::FMO, irq2 = h & hcr::IMO;
  const bool ns = pe_uses_ns_bank(pe);
  switch (pe.el) {
    case El::EL3: return true;
    case El::EL2:
      if (ns) return (single && grp0 && !fiq3) || (!irq_secure && !grp0 && !irq3);
      return (grp0 && !fiq3) || (!grp0 && !irq3);
    case El::EL1:
      if (ns) return (single && grp0 && !fiq3 && !fiq2) || (!irq_secure && !grp0 && !irq3 && !irq2);
      return (grp0 && !fiq3) || (!grp0 && !irq3);
    default: return false;
  }
}

void icc_dir_write(GicState& s, unsigned cpu, uint64_t v) {
  const uint32_t id = uint32_t(v & 0xFFFFFF);
  if (!icc_eoi_split(s, cpu) || id >= s.cfg.num_irq) return;
  if (!dir_allowed(s, s.cpu[cpu].pe, irq_group(s, cpu, id))) return;
  set(s, cpu, id, IrqBit::Active, false);
  gic_update(s);
}

// ---------------------------------------------------------------------------------------------
// Control and group enables

uint64_t icc_ctlr_el1_read(const GicState& s, unsigned cpu) {
  const GicCpuState& c = s.cpu[cpu];
  return c.icc.icc_ctlr_el1[pe_uses_ns_bank(c.pe) ? 1 : 0];
}

void icc_ctlr_el1_write(GicState& s, unsigned cpu, uint64_t v) {
  GicCpuState& c = s.cpu[cpu];
  // With two security states CBPR is set through ICC_CTLR_EL3 only; PMHE is RAZ/WI.
  const uint64_t m = gic_ds(s) ? (icc_ctlr_el1::CBPR | icc_ctlr_el1::EOImode) : icc_ctlr_el1::EOImode;
  uint64_t& r = c.icc.icc_ctlr_el1[pe_uses_ns_bank(c.pe) ? 1 : 0];
  r = (r & ~m) | (v & m);
  gic_update(s);
}

uint64_t icc_ctlr_el3_read(const GicState& s, unsigned cpu) {
  const IccState& c = s.cpu[cpu].icc;
  uint64_t v = c.icc_ctlr_el3;
  // Aliases of the two ICC_CTLR_EL1 banks (QEMU reads the NS bank for the S aliases; this
  // model reads the Secure bank).
  if (c.icc_ctlr_el1[1] & icc_ctlr_el1::EOImode) v |= icc_ctlr_el3::EOImode_EL1NS;
  if (c.icc_ctlr_el1[1] & icc_ctlr_el1::CBPR) v |= icc_ctlr_el3::CBPR_EL1NS;
  if (c.icc_ctlr_el1[0] & icc_ctlr_el1::EOImode) v |= icc_ctlr_el3::EOImode_EL1S;
  if (c.icc_ctlr_el1[0] & icc_ctlr_el1::CBPR) v |= icc_ctlr_el3::CBPR_EL1S;
  return v;
}

void icc_ctlr_el3_write(GicState& s, unsigned cpu, uint64_t v) {
  IccState& c = s.cpu[cpu].icc;
  const uint64_t both = icc_ctlr_el1::CBPR | icc_ctlr_el1::EOImode;
  auto bank = [&](int b, uint64_t eoi, uint64_t cbpr) {
    c.icc_ctlr_el1[b] = (c.icc_ctlr_el1[b] & ~both) | ((v & eoi) ? icc_ctlr_el1::EOImode : 0) |
                        ((v & cbpr) ? icc_ctlr_el1::CBPR : 0);
  };
  bank(1, icc_ctlr_el3::EOImode_EL1NS, icc_ctlr_el3::CBPR_EL1NS);
  bank(0, icc_ctlr_el3::EOImode_EL1S, icc_ctlr_el3::CBPR_EL1S);
  c.icc_ctlr_el3 = (c.icc_ctlr_el3 & ~icc_ctlr_el3::EOImode_EL3) | (v & icc_ctlr_el3::EOImode_EL3);
  gic_update(s);
}

static Group igrpen_group(const GicCpuState& c, bool group1) {
  if (!group1) return Group::G0;
  return pe_uses_ns_bank(c.pe) ? Group::G1NS : Group::G1S;
}

uint64_t icc_igrpen_read(const GicState& s, unsigned cpu, bool group1) {
  return s.cpu[cpu].icc.icc_igrpen[int(igrpen_group(s.cpu[cpu], group1))];
}

void icc_igrpen_write(GicState& s, unsigned cpu, bool group1, uint64_t v) {
  GicCpuState& c = s.cpu[cpu];
  c.icc.icc_igrpen[int(igrpen_group(c, group1))] = v & 1;
  gic_update(s);
}

uint64_t icc_igrpen1_el3_read(const GicState& s, unsigned cpu) {
  const IccState& c = s.cpu[cpu].icc;
  return uint64_t(c.icc_igrpen[int(Group::G1NS)]) | uint64_t(c.icc_igrpen[int(Group::G1S)]) << 1;
}

void icc_igrpen1_el3_write(GicState& s, unsigned cpu, uint64_t v) {
  IccState& c = s.cpu[cpu].icc;
  c.icc_igrpen[int(Group::G1NS)] = v & 1;  // EnableGrp1NS
  c.icc_igrpen[int(Group::G1S)] = v & 2;   // EnableGrp1S
  gic_update(s);
}

// ---------------------------------------------------------------------------------------------
// SGI generation (section 2.7)

SgiRequest decode_sgir(uint64_t v) {
  return {uint16_t(v & 0xFFFF), uint8_t(v >> 16), uint8_t((v >> 24) & 0xF), uint8_t(v >> 32),
          bool((v >> 40) & 1),  uint8_t((v >> 44) & 0xF), uint8_t(v >> 48)};
}

Group sgi_requested_group(SgiRegister r, bool sender_secure) {
  switch (r) {
    case SgiRegister::SGI0R: return Group::G0;
    case SgiRegister::SGI1R: return sender_secure ? Group::G1S : Group::G1NS;
    case SgiRegister::ASGI1R: return sender_secure ? Group::G1NS : Group::G1S;
  }
  return Group::G0;
}

// Whether PE `t` is named by the request: IRM = 1 is every PE but the sender; otherwise
// Aff3.Aff2.Aff1 must match and Aff0 = RS * 16 + n with TargetList bit n set.
static bool sgi_targets(const GicState& s, unsigned sender, unsigned t, const SgiRequest& q) {
  if (q.irm) return t != sender;
  const uint32_t aff = s.cfg.affinity[t];
  const uint32_t upper = uint32_t(q.aff3) << 16 | uint32_t(q.aff2) << 8 | q.aff1;
  if ((aff >> 8) != upper) return false;
  const unsigned aff0 = aff & 0xFF, lo = q.rs * 16u;
  return aff0 >= lo && aff0 < lo + 16 && bit(q.target_list, aff0 - lo);
}

void icc_sgi_write(GicState& s, unsigned cpu, SgiRegister r, uint64_t v) {
  const bool secure = pe_is_secure(s.cpu[cpu].pe);
  const SgiRequest q = decode_sgir(v);
  const Group req = sgi_requested_group(r, secure);
  for (unsigned t = 0; t < s.cfg.num_cpu; ++t)
    if (sgi_targets(s, cpu, t, q)) gicr_send_sgi(s, t, q.intid, req, secure);
  gic_update(s);
}

}  // namespace ffasim::sim::gic
