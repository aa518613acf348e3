// The GICv3 CPU interface of one PE: the IRQ/FIQ decision, the priority model (PMR, binary
// point, running priority, active priorities), acknowledge / EOI / deactivate, the group
// enables and SGI generation. Plain functions on GicState; the ICC_* system register table
// (icc_sysregs.h) calls them. Mutators end with gic_update(). The logic follows QEMU's
// arm_gicv3_cpuif.c; where this model departs from it the comment says so. Facts:
// ../shared/reference/armv8-gicv3-mmu.md sections 2.6-2.10.
#pragma once

#include <cstdint>

#include "sim/gic/gic_state.h"

namespace ffasim::sim::gic {

// The PE's state as the CPU interface reads it.
bool pe_is_secure(const PeInputs& pe);       // EL3, or SCR_EL3.NS = 0
// Banked ICC registers use the Non-secure copy when SCR_EL3.NS = 1, at every EL including EL3
// (QEMU gicv3_use_ns_bank; this is how TF-A programs the NS ICC_SRE_EL1 from EL3).
bool pe_uses_ns_bank(const PeInputs& pe);
// HCR_EL2 as it acts now: zero where EL2 is not enabled in the current state (NS, or Secure with
// SCR_EL3.EEL2); TGE forces IMO and FMO.
uint64_t pe_effective_hcr(const PeInputs& pe);

// Section 2.8: the output the highest-priority pending interrupt of group `g` is signalled on.
enum class Line : uint8_t { IRQ, FIQ };
Line signal_for(Group g, const PeInputs& pe);

// Section 2.9.
uint8_t icc_min_bpr(const GicState& s);     // BPR0 and Secure BPR1: 7 - pri_bits
uint8_t icc_min_bpr_ns(const GicState& s);  // Non-secure BPR1: one more
// GroupBits(): the mask keeping the group-priority bits of a priority of group `g`.
uint8_t icc_gprio_mask(const GicState& s, unsigned cpu, Group g);
unsigned icc_num_aprs(const GicState& s);   // AP0R<n>/AP1R<n> implemented (1 for 5 bits)
// Running priority from the active priorities (Secure view); 0xFF when nothing is active.
uint8_t icc_highest_active_prio(const GicState& s, unsigned cpu);
// Group of the highest-priority active interrupt, or -1 if none.
int icc_highest_active_group(const GicState& s, unsigned cpu);
// HPPI exists, its group is enabled here, prio < PMR, and it beats the running priority.
bool icc_hppi_can_preempt(const GicState& s, unsigned cpu);
// EOImode for the current EL and state (ICC_CTLR_EL3.EOImode_EL3 at EL3).
bool icc_eoi_split(const GicState& s, unsigned cpu);

// IRQ/FIQ outputs from the HPPI (the CPU-interface part of gic_update()).
void cpuif_update_lines(GicState& s, unsigned cpu);
// Reset values of one CPU interface.
void icc_reset(GicState& s, unsigned cpu);

// Register operations for the PE `cpu`, whose PeInputs must be current (section 2.6).
uint64_t icc_pmr_read(const GicState& s, unsigned cpu);
void icc_pmr_write(GicState& s, unsigned cpu, uint64_t v);
uint64_t icc_bpr_read(const GicState& s, unsigned cpu, bool bpr1);
void icc_bpr_write(GicState& s, unsigned cpu, bool bpr1, uint64_t v);
uint64_t icc_ap_read(const GicState& s, unsigned cpu, bool ap1, unsigned n);
void icc_ap_write(GicState& s, unsigned cpu, bool ap1, unsigned n, uint64_t v);
uint64_t icc_rpr_read(const GicState& s, unsigned cpu);
// Section 2.10.
uint64_t icc_hppir_read(const GicState& s, unsigned cpu, bool group1);
uint64_t icc_iar_read(GicState& s, unsigned cpu, bool group1);
void icc_eoir_write(GicState& s, unsigned cpu, bool group1, uint64_t v);
void icc_dir_write(GicState& s, unsigned cpu, uint64_t v);
uint64_t icc_ctlr_el1_read(const GicState& s, unsigned cpu);
void icc_ctlr_el1_write(GicState& s, unsigned cpu, uint64_t v);
uint64_t icc_ctlr_el3_read(const GicState& s, unsigned cpu);
void icc_ctlr_el3_write(GicState& s, unsigned cpu, uint64_t v);
uint64_t icc_igrpen_read(const GicState& s, unsigned cpu, bool group1);
void icc_igrpen_write(GicState& s, unsigned cpu, bool group1, uint64_t v);
uint64_t icc_igrpen1_el3_read(const GicState& s, unsigned cpu);
void icc_igrpen1_el3_write(GicState& s, unsigned cpu, uint64_t v);

// Section 2.7: ICC_SGI0R_EL1, ICC_SGI1R_EL1, ICC_ASGI1R_EL1.
enum class SgiRegister : uint8_t { SGI0R, SGI1R, ASGI1R };
struct SgiRequest {
  uint16_t target_list;  // [15:0]
  uint8_t aff1;          // [23:16]
  uint8_t intid;         // [27:24]
  uint8_t aff2;          // [39:32]
  bool irm;              // [40]: all PEs but the sender
  uint8_t rs;            // [47:44]: TargetList bit n is Aff0 = RS * 16 + n
  uint8_t aff3;          // [55:48]
};
SgiRequest decode_sgir(uint64_t v);
// The group a register requests for a Secure or Non-secure sender (EL3 counts as Secure).
Group sgi_requested_group(SgiRegister r, bool sender_secure);
void icc_sgi_write(GicState& s, unsigned cpu, SgiRegister r, uint64_t v);

}  // namespace ffasim::sim::gic
