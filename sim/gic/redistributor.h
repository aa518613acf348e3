// The GICv3 redistributors, one per PE: SGIs and PPIs (INTIDs 0-31), the SGI forwarding rules,
// power (GICR_WAKER) and the RD_base + SGI_base register frames. Plain functions on GicState;
// register writes end with gic_update(). Facts: ../shared/reference/armv8-gicv3-mmu.md
// sections 2.2, 2.4, 2.7, 2.11.
#pragma once

#include <cstdint>

#include "sim/gic/gic_state.h"

namespace ffasim::sim::gic {

namespace gicr {
inline constexpr uint32_t kStride = 0x20000;    // RD_base + SGI_base, 64 KB each (GICv3)
inline constexpr uint32_t SGI_base = 0x10000;
// RD_base
inline constexpr uint32_t CTLR = 0x0000, IIDR = 0x0004, TYPER = 0x0008, STATUSR = 0x0010;
inline constexpr uint32_t WAKER = 0x0014, PROPBASER = 0x0070, PENDBASER = 0x0078;
// SGI_base
inline constexpr uint32_t IGROUPR0 = SGI_base + 0x080, ISENABLER0 = SGI_base + 0x100;
inline constexpr uint32_t ICENABLER0 = SGI_base + 0x180, ISPENDR0 = SGI_base + 0x200;
inline constexpr uint32_t ICPENDR0 = SGI_base + 0x280, ISACTIVER0 = SGI_base + 0x300;
inline constexpr uint32_t ICACTIVER0 = SGI_base + 0x380, IPRIORITYR = SGI_base + 0x400;
inline constexpr uint32_t ICFGR0 = SGI_base + 0xC00, ICFGR1 = SGI_base + 0xC04;
inline constexpr uint32_t IGRPMODR0 = SGI_base + 0xD00, NSACR = SGI_base + 0xE00;
inline constexpr uint32_t kIcfgr0 = 0xAAAAAAAA;  // SGIs: always edge
}  // namespace gicr

// GICR_TYPER of PE `cpu`: Affinity_Value [63:32], Processor_Number [23:8] = cpu, DPGS [5],
// Last [4] on the highest-numbered redistributor; no LPIs.
uint64_t read_gicr_typer(const GicState& s, unsigned cpu);
bool gicr_asleep(const GicState& s, unsigned cpu);  // GICR_WAKER.ProcessorSleep

// The input wire of PPI `intid` (16-31) of PE `cpu`; an edge latches pending on 0 -> 1.
void gicr_set_ppi_level(GicState& s, unsigned cpu, uint32_t intid, bool level);

// Section 2.7: does a request for group `requested` from a sender in the given state reach an
// SGI configured as `configured` at a target whose GICR_NSACR field for it is `nsacr`?
// Gem5: the sheet's table (gem5 Gicv3Redistributor::sendSGI). Qemu: the group must match, a
// Secure Group 1 request is accepted by a Group 0 SGI, Group 1 requests become Group 0 when
// DS = 1, and Non-secure senders need NSACR >= 1 (G0) or >= 2 (G1S) (gicv3_redist_send_sgi).
bool sgi_forwarded(SgiForwarding variant, bool sender_secure, Group requested, Group configured,
                   bool ds, unsigned nsacr);
// Delivers (or drops) SGI `intid` at redistributor `target` by sgi_forwarded(). No update.
void gicr_send_sgi(GicState& s, unsigned target, uint32_t intid, Group requested,
                   bool sender_secure);

// Folds each PE's SGIs and PPIs into its highest-priority pending interrupt (gic_update()).
void gicr_update_hppi(GicState& s);

// Memory-mapped access at `offset` inside redistributor `cpu`'s 128 KB frame pair. Secure-only
// fields are RAZ/WI to Non-secure accesses when DS = 0; guest errors as for gicd_read.
bool gicr_read(GicState& s, unsigned cpu, uint32_t offset, unsigned size, Security sec,
               uint64_t& value);
bool gicr_write(GicState& s, unsigned cpu, uint32_t offset, unsigned size, Security sec,
                uint64_t value);

}  // namespace ffasim::sim::gic
