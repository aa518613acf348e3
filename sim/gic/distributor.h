// The GICv3 distributor: interrupt groups, SPI inputs and routing (GICD_IROUTER, including the
// 1-of-N rule), and the GICD_* register file with its Secure and Non-secure views. Plain
// functions on GicState; every mutator ends with gic_update(). Facts:
// ../shared/reference/armv8-gicv3-mmu.md sections 2.2-2.5, 2.9, 2.11.
#pragma once

#include <cstdint>

#include "sim/gic/gic_state.h"

namespace ffasim::sim::gic {

// GICD frame offsets (section 2.4).
namespace gicd {
inline constexpr uint32_t CTLR = 0x000, TYPER = 0x004, IIDR = 0x008, TYPER2 = 0x00C;
inline constexpr uint32_t STATUSR = 0x010, IGROUPR = 0x080, ISENABLER = 0x100, ICENABLER = 0x180;
inline constexpr uint32_t ISPENDR = 0x200, ICPENDR = 0x280, ISACTIVER = 0x300, ICACTIVER = 0x380;
inline constexpr uint32_t IPRIORITYR = 0x400, ITARGETSR = 0x800, ICFGR = 0xC00, IGRPMODR = 0xD00;
inline constexpr uint32_t NSACR = 0xE00, SGIR = 0xF00, CPENDSGIR = 0xF10, SPENDSGIR = 0xF20;
inline constexpr uint32_t IROUTER = 0x6000, PIDR2 = 0xFFE8;
inline constexpr uint32_t kFrameSize = 0x10000;
}  // namespace gicd

// GICD_IROUTER<n> (section 2.5).
namespace irouter {
inline constexpr uint64_t Interrupt_Routing_Mode = 1ull << 31;
inline constexpr uint64_t kWritable = 0xFF00FFFFFFull | Interrupt_Routing_Mode;  // Aff3, IRM, Aff2-0
}  // namespace irouter

// Section 2.2: the group from IGROUPR/IGRPMODR. DS = 1 ignores IGRPMODR; the reserved
// combination IGRPMODR = 1, IGROUPR = 1 reads as Non-secure Group 1 (QEMU and gem5).
Group group_from_bits(bool igroupr, bool igrpmodr, bool ds);
Group irq_group(const GicState& s, unsigned cpu, uint32_t intid);
// GICD_CTLR.EnableGrp0 / EnableGrp1S / EnableGrp1NS for `g` (DS = 1: EnableGrp0, EnableGrp1).
bool group_enabled_in_distributor(const GicState& s, Group g);
// True when a Non-secure access must not see INTID `intid` (DS = 0 and not Non-secure Group 1).
bool ns_access_blocked(const GicState& s, unsigned cpu, uint32_t intid, Security sec);
// Priority bits the GIC implements, e.g. 0xF8 for 5 bits.
uint8_t fullprio_mask(const GicState& s);

// The input wire of SPI `intid` (an edge latches pending on 0 -> 1; section 2.11).
void gicd_set_spi_level(GicState& s, uint32_t intid, bool level);

// Where SPI `intid` is forwarded now: the PE named by GICD_IROUTER (Interrupt_Routing_Mode = 0),
// or the 1-of-N choice. -1: no PE (no affinity match, or no eligible PE).
int spi_target(GicState& s, uint32_t intid);
// 1-of-N (GICD_IROUTER.Interrupt_Routing_Mode = 1) is IMPLEMENTATION DEFINED; the rule here:
//  1. Eligible PEs: redistributor awake (GICR_WAKER.ProcessorSleep = 0), GICR_CTLR.DPG<group>
//     clear, and the CPU interface enables the group (ICC_IGRPEN<group>); gem5's rule plus the
//     CPU-interface enable.
//  2. If some eligible PE has no active interrupt (ICC_RPR_EL1 idle), only those are considered.
//  3. The first considered PE at or after the round-robin position, in PE order, wrapping; the
//     position starts at GicConfig::one_of_n_seed and moves just past each PE chosen.
//  4. The choice holds until the SPI is acknowledged, stops being a candidate (pending, enabled,
//     inactive, group enabled), its GICD_IROUTER is written, or the PE leaves rule 1.
// With no eligible PE the SPI stays pending and is reconsidered at every update.
bool one_of_n_eligible(const GicState& s, unsigned cpu, Group g);
int choose_one_of_n(GicState& s, Group g);

// Folds the SPIs into each PE's highest-priority pending interrupt (part of gic_update()).
void gicd_update_hppi(GicState& s);

// GICD_TYPER (values as this model implements them; see distributor.cpp).
uint32_t read_gicd_typer(const GicState& s);

// Memory-mapped access to the GICD frame at `offset`. Secure-only fields are RAZ/WI to
// Non-secure accesses when DS = 0. A bad offset, size or a write to a read-only register is a
// guest error: RAZ/WI, counted (or GuestError when strict); the functions then return false.
bool gicd_read(GicState& s, uint32_t offset, unsigned size, Security sec, uint64_t& value);
bool gicd_write(GicState& s, uint32_t offset, unsigned size, Security sec, uint64_t value);

// Shared with the redistributor: the one-bit-per-INTID registers and the ID registers.
enum class BitOp : uint8_t { Write, Set, Clear };
uint32_t read_irq_bits(const GicState& s, unsigned cpu, uint32_t first, IrqBit b, Security sec);
void write_irq_bits(GicState& s, unsigned cpu, uint32_t first, IrqBit b, BitOp op, uint32_t v,
                    Security sec);
// PIDR0-7 / CIDR0-3 at 0xFFD0-0xFFFC (GICD and RD_base): PIDR2.ArchRev = 3. False if not one.
bool id_register(uint32_t offset, uint32_t& value);

}  // namespace ffasim::sim::gic
