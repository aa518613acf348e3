// The ICC_* system registers as one table (QEMU's ARMCPRegInfo style): name, encoding, the
// lowest EL that may access it, its trap class, the HCR_EL2 bits that redirect it to the
// virtual interface, and its read/write functions. The PE model and the ISS reach the CPU
// interface only through this table (Gic::sysreg_read / sysreg_write). Encodings and traps:
// ../shared/reference/armv8-gicv3-mmu.md section 2.6; access rules as QEMU gicv3_*_access.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "sim/gic/gic_state.h"

namespace ffasim::sim::gic {

// The outcome of an MRS/MSR to an ICC register. Anything but Ok leaves the GIC untouched.
enum class SysregAccess : uint8_t {
  Ok,
  Undefined,  // below the register's EL, or the wrong direction (MRS of ICC_EOIR0_EL1...)
  TrapEl2,    // EC 0x18 to EL2 (ICC_SGI*R_EL1 at EL1 with HCR_EL2.IMO/FMO)
  TrapEl3,    // EC 0x18 to EL3 (SCR_EL3.IRQ/FIQ routing, QEMU gicv3_irq/fiq/irqfiq_access)
  Virtual,    // EL1 with HCR_EL2.IMO/FMO: the access goes to ICV_* (not modelled)
};
const char* name(SysregAccess a);

// Which SCR_EL3 routing bits trap EL1/EL2 accesses to EL3.
enum class IccTrap : uint8_t {
  None,    // EL-only registers, ICC_SRE_EL1
  Fiq,     // SCR_EL3.FIQ (Group 0 registers)
  Irq,     // SCR_EL3.IRQ (Group 1 registers)
  IrqFiq,  // both set (PMR, RPR, CTLR, DIR)
  Sgi,     // as IrqFiq, and EL1 with HCR_EL2.IMO/FMO traps to EL2 first
};

// The path a change made through the register travels before the PE sees it (gic_params.def).
enum class Path : uint8_t {
  CpuInterface,   // PMR, BPR, group enables, IAR, priority drop
  Redistributor,  // PPI input, GICR writes
  Distributor,    // SPI input, GICD writes
  Sgi,            // SGI generation
  Deactivate,     // EOIR/DIR: Redistributor for INTIDs 0-31, Distributor for SPIs
  PeState,        // the PE changed EL or security state: the IRQ/FIQ choice is remade
};

struct IccReg {
  std::string_view name;
  uint8_t op0, op1, crn, crm, op2;
  El min_el;        // EL0 never has access
  IccTrap trap;
  uint64_t virt;    // HCR_EL2 IMO/FMO bits that send an EL1 access to ICV_*
  Path path;
  bool banked;      // a Secure and a Non-secure copy, selected by SCR_EL3.NS
  uint64_t (*read)(GicState& s, unsigned cpu);            // null: write-only
  void (*write)(GicState& s, unsigned cpu, uint64_t v);   // null: read-only
  // "S3_0_C12_C12_0" encoding as an MRS/MSR immediate: op0:op1:CRn:CRm:op2.
  constexpr uint32_t encoding() const {
    return uint32_t(op0) << 14 | uint32_t(op1) << 11 | uint32_t(crn) << 7 | uint32_t(crm) << 3 | op2;
  }
};

std::span<const IccReg> icc_registers();
const IccReg* find_icc_register(std::string_view name);
const IccReg* find_icc_register(uint8_t op0, uint8_t op1, uint8_t crn, uint8_t crm, uint8_t op2);
// May the PE, in state `pe`, read (write = false) or write register `r`?
SysregAccess icc_check_access(const IccReg& r, const PeInputs& pe, bool write);

}  // namespace ffasim::sim::gic
