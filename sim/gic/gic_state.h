// GICv3 architectural state as plain structs named after the registers (QEMU's GICv3State
// style): the distributor (GicdState), one redistributor and one CPU interface per PE (GicrState,
// IccState), and the PE inputs the CPU interface depends on. No logic here beyond bit access:
// distributor.h, redistributor.h and cpu_interface.h operate on it, and gic_update() (gic.h)
// rebuilds the fields marked "derived". Facts: ../shared/reference/armv8-gicv3-mmu.md s2.
//
// Only affinity routing is modelled (GICD_CTLR.ARE_S/ARE_NS read as one, as in QEMU and gem5), so
// INTIDs 0-31 live in the redistributors and the distributor's entries for them are unused.
// No LPIs, no ITS, no extended INTID ranges, no virtual CPU interface (ICV_*).
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/types.h"

namespace ffasim::sim::gic {

// INTID ranges (section 2.1).
inline constexpr uint32_t kSgiCount = 16;
inline constexpr uint32_t kInternalCount = 32;  // SGIs + PPIs, banked per PE
inline constexpr uint32_t INTID_SECURE = 1020;     // pending is Secure Group 1 (IAR0/HPPIR0 at EL3)
inline constexpr uint32_t INTID_NONSECURE = 1021;  // pending is Non-secure Group 1
inline constexpr uint32_t INTID_SPURIOUS = 1023;
inline constexpr uint8_t kIdlePriority = 0xFF;
constexpr bool is_special_intid(uint32_t id) { return id >= 1020 && id <= 1023; }

// Interrupt groups (section 2.2), numbered as QEMU's GICV3_G0 / G1 / G1NS.
enum class Group : uint8_t { G0 = 0, G1S = 1, G1NS = 2 };
const char* name(Group g);  // "G0", "G1S", "G1NS"

// The two readings of the SGI forwarding rules (section 2.7 [DIVERGENCE]).
enum class SgiForwarding : uint8_t { Gem5, Qemu };

// GICD_CTLR, Secure (DS = 0) layout (section 2.3).
namespace gicd_ctlr {
inline constexpr uint32_t EnableGrp0 = 1u << 0, EnableGrp1NS = 1u << 1, EnableGrp1S = 1u << 2;
inline constexpr uint32_t ARE_S = 1u << 4, ARE_NS = 1u << 5, DS = 1u << 6, E1NWF = 1u << 7;
inline constexpr uint32_t RWP = 1u << 31;
// Non-secure view: EnableGrp1A at bit 1, ARE_NS at bit 4.
inline constexpr uint32_t NS_EnableGrp1A = 1u << 1, NS_ARE_NS = 1u << 4;
}  // namespace gicd_ctlr

// GICD_TYPER fields (IHI 0069 register page; layout as in QEMU gicd_readl and gem5).
namespace gicd_typer {
inline constexpr unsigned ITLinesNumber_SHIFT = 0;  // [4:0]: (max SPI INTID + 1) / 32 - 1
inline constexpr unsigned CPUNumber_SHIFT = 5;      // [7:5]
inline constexpr uint32_t SecurityExtn = 1u << 10;
inline constexpr uint32_t MBIS = 1u << 16, LPIS = 1u << 17, DVIS = 1u << 18;
inline constexpr unsigned IDbits_SHIFT = 19;        // [23:19]: INTID bits - 1
inline constexpr uint32_t A3V = 1u << 24, No1N = 1u << 25, RSS = 1u << 26;
}  // namespace gicd_typer

// GICR_CTLR, GICR_WAKER, GICR_TYPER (section 2.4; DPG bits as in TF-A/gem5 headers).
namespace gicr_ctlr {
inline constexpr uint32_t DPG0 = 1u << 24, DPG1NS = 1u << 25, DPG1S = 1u << 26;
}
namespace gicr_waker {
inline constexpr uint32_t ProcessorSleep = 1u << 1, ChildrenAsleep = 1u << 2;
}
namespace gicr_typer {
inline constexpr uint64_t VLPIS = 1u << 1, Last = 1u << 4, DPGS = 1u << 5;
inline constexpr unsigned Processor_Number_SHIFT = 8;  // [23:8]
inline constexpr unsigned Affinity_Value_SHIFT = 32;   // [63:32] = Aff3.Aff2.Aff1.Aff0
}  // namespace gicr_typer

// ICC_CTLR_EL1 and ICC_CTLR_EL3 (section 2.6).
namespace icc_ctlr_el1 {
inline constexpr uint64_t CBPR = 1u << 0, EOImode = 1u << 1, PMHE = 1u << 6;
inline constexpr unsigned PRIbits_SHIFT = 8, IDbits_SHIFT = 11;
inline constexpr uint64_t SEIS = 1u << 14, A3V = 1u << 15, RSS = 1u << 18;
}  // namespace icc_ctlr_el1
namespace icc_ctlr_el3 {
inline constexpr uint64_t CBPR_EL1S = 1u << 0, CBPR_EL1NS = 1u << 1, EOImode_EL3 = 1u << 2;
inline constexpr uint64_t EOImode_EL1S = 1u << 3, EOImode_EL1NS = 1u << 4, RM = 1u << 5;
inline constexpr uint64_t PMHE = 1u << 6;
inline constexpr unsigned PRIbits_SHIFT = 8, IDbits_SHIFT = 11;
inline constexpr uint64_t SEIS = 1u << 14, A3V = 1u << 15, nDS = 1u << 17, RSS = 1u << 18;
}  // namespace icc_ctlr_el3
namespace icc_sre {
inline constexpr uint64_t SRE = 1u << 0, DFB = 1u << 1, DIB = 1u << 2, Enable = 1u << 3;
}

struct GicConfig {
  unsigned num_cpu = 1;
  // Implemented INTIDs are 0 .. num_irq-1: a multiple of 32 in [64, 1024) - 4 special INTIDs.
  // QEMU virt: 256 SPIs + 32 = 288.
  unsigned num_irq = 288;
  // Implemented priority bits, ICC_CTLR_EL1.PRIbits + 1 (section 2.9: Cortex-A cores have 5).
  // The distributor and redistributors implement the same number (lower bits RAZ/WI).
  unsigned pri_bits = 5;
  // Two security states: GICD_CTLR.DS resets to 0 and Secure software may set it. False: DS is
  // RAO/WI (a GIC with one security state).
  bool security_extn = true;
  SgiForwarding sgi_forwarding = SgiForwarding::Gem5;
  // GICR_WAKER from Non-secure with DS = 0: RAZ/WI as in gem5 (false) or writable as in QEMU.
  bool waker_ns_writable = false;
  // First PE the 1-of-N round robin considers (see distributor.h, choose_one_of_n).
  unsigned one_of_n_seed = 0;
  // Guest errors (bad offsets, writes to read-only registers, bad sizes) throw GuestError
  // instead of being counted (gem5's reserved_is_res0 in spirit), for tests.
  bool strict = false;
  // Affinity of each PE as Aff3 << 24 | Aff2 << 16 | Aff1 << 8 | Aff0 (GICR_TYPER[63:32]).
  // Empty: PE i has Aff0 = i. affinity_from_mpidr() converts an MPIDR_EL1 value.
  std::vector<uint32_t> affinity;
  uint32_t iidr = 0x0000043B;  // GICD_IIDR / GICR_IIDR: Implementer = Arm (JEP106 0x43B)
};

// MPIDR_EL1 (Aff3 [39:32], Aff2 [23:16], Aff1 [15:8], Aff0 [7:0]) to the 32-bit packing.
constexpr uint32_t affinity_from_mpidr(uint64_t mpidr) {
  return uint32_t(((mpidr >> 32) & 0xFF) << 24) | uint32_t(mpidr & 0xFFFFFF);
}

struct GicdState {
  uint32_t ctlr = gicd_ctlr::ARE_S | gicd_ctlr::ARE_NS;  // GICD_CTLR, Secure layout
  // One bit per INTID, word n = INTIDs 32n..32n+31 (word 0 unused: affinity routing).
  std::vector<uint32_t> igroupr, igrpmodr, isenabler, ispendr, isactiver;
  std::vector<uint32_t> level;       // the SPI input wires (not a register)
  std::vector<uint32_t> icfgr;       // GICD_ICFGR<n>: 2 bits per INTID, bit 2m+1 = edge
  std::vector<uint32_t> nsacr;       // GICD_NSACR<n>: 2 bits per INTID (stored only)
  std::vector<uint8_t> ipriorityr;   // one byte per INTID
  std::vector<uint64_t> irouter;     // GICD_IROUTER<n>, one per INTID
};

struct GicrState {
  uint32_t ctlr = 0;  // GICR_CTLR (DPG0/DPG1NS/DPG1S)
  uint32_t waker = gicr_waker::ProcessorSleep | gicr_waker::ChildrenAsleep;
  // SGI_base frame, INTIDs 0-31 of this PE.
  uint32_t igroupr0 = 0, igrpmodr0 = 0, isenabler0 = 0, ispendr0 = 0, isactiver0 = 0;
  uint32_t level0 = 0;                // PPI input wires (not a register)
  uint32_t icfgr1 = 0;                // GICR_ICFGR1 (PPIs); GICR_ICFGR0 reads 0xAAAAAAAA
  uint32_t nsacr = 0;                 // GICR_NSACR: 2 bits per SGI
  std::array<uint8_t, kInternalCount> ipriorityr{};
};

struct IccState {
  uint8_t icc_pmr_el1 = 0;                     // reset 0: everything masked
  std::array<uint8_t, 3> icc_bpr{};            // [Group]: BPR0, Secure BPR1, NS BPR1
  std::array<uint64_t, 2> icc_ctlr_el1{};      // [Security] banked
  uint64_t icc_ctlr_el3 = 0;                   // stored: EOImode_EL3 and the RO fields
  std::array<bool, 3> icc_igrpen{};            // [Group]: IGRPEN0, IGRPEN1 S / NS banks
  std::array<std::array<uint32_t, 4>, 3> icc_apr{};  // [Group][n]: ICC_AP0R<n>, AP1R<n> S/NS
  // ICC_SRE_EL1/EL2/EL3: RAO/WI, as in QEMU (no legacy interface, no bypass).
  uint64_t icc_sre_el1 = icc_sre::SRE | icc_sre::DFB | icc_sre::DIB;
  uint64_t icc_sre_el2 = icc_sre::SRE | icc_sre::DFB | icc_sre::DIB | icc_sre::Enable;
  uint64_t icc_sre_el3 = icc_sre::SRE | icc_sre::DFB | icc_sre::DIB | icc_sre::Enable;
};

// What the CPU interface needs to know about its PE: the current EL, SCR_EL3 (NS, IRQ, FIQ,
// EEL2) and HCR_EL2 (IMO, FMO, TGE). The PE model updates it on every change (Gic::set_pe).
struct PeInputs {
  El el = El::EL3;
  uint64_t scr_el3 = 0;
  uint64_t hcr_el2 = 0;
};

struct Hppi {
  uint32_t intid = INTID_SPURIOUS;
  uint8_t prio = kIdlePriority;  // 0xFF: nothing pending
  Group group = Group::G0;
};

struct GicCpuState {
  GicrState gicr;
  IccState icc;
  PeInputs pe;
  // Derived (rebuilt by gic_update): the highest-priority pending interrupt forwarded to this
  // CPU interface, and the IRQ and FIQ outputs.
  Hppi hppi;
  bool irq = false, fiq = false;
};

struct GicState {
  GicConfig cfg;
  GicdState gicd;
  std::vector<GicCpuState> cpu;
  // Model state, not architectural: the PE a pending 1-of-N SPI was given to (-1: none yet), and
  // where the round robin starts next.
  std::vector<int> one_of_n_target;
  unsigned one_of_n_next = 0;
  // Guest errors seen (RAZ/WI applied) and the last one's description.
  uint64_t guest_errors = 0;
  std::string last_guest_error;
};

// Thrown for a guest error when GicConfig::strict is set.
struct GuestError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Builds the reset state for `cfg` (std::invalid_argument if cfg is not a valid GIC).
GicState make_gic_state(const GicConfig& cfg);
// Counts a guest error (throws GuestError when strict).
void guest_error(GicState& s, const std::string& what);

// Bit helpers over the state's bitmaps.
constexpr bool bit(uint32_t w, uint32_t n) { return (w >> n) & 1; }
inline void put(uint32_t& w, uint32_t n, bool v) { w = v ? (w | (1u << n)) : (w & ~(1u << n)); }
inline bool bit(const std::vector<uint32_t>& w, uint32_t n) { return bit(w[n / 32], n % 32); }
inline void put(std::vector<uint32_t>& w, uint32_t n, bool v) { put(w[n / 32], n % 32, v); }

// Per-INTID views: INTIDs 0-31 of PE `cpu` live in its redistributor, SPIs in the distributor.
enum class IrqBit : uint8_t { Group, Grpmod, Enable, Pending, Active, Level };
inline uint32_t& irq_word(GicState& s, unsigned cpu, uint32_t id, IrqBit b) {
  if (id < kInternalCount) {
    GicrState& r = s.cpu[cpu].gicr;
    uint32_t* f[] = {&r.igroupr0, &r.igrpmodr0, &r.isenabler0, &r.ispendr0, &r.isactiver0, &r.level0};
    return *f[int(b)];
  }
  GicdState& d = s.gicd;
  std::vector<uint32_t>* f[] = {&d.igroupr, &d.igrpmodr, &d.isenabler, &d.ispendr, &d.isactiver, &d.level};
  return (*f[int(b)])[id / 32];
}
inline bool get(const GicState& s, unsigned cpu, uint32_t id, IrqBit b) {
  return bit(irq_word(const_cast<GicState&>(s), cpu, id, b), id % 32);
}
inline void set(GicState& s, unsigned cpu, uint32_t id, IrqBit b, bool v) {
  put(irq_word(s, cpu, id, b), id % 32, v);
}
inline uint8_t& irq_priority(GicState& s, unsigned cpu, uint32_t id) {
  return id < kInternalCount ? s.cpu[cpu].gicr.ipriorityr[id] : s.gicd.ipriorityr[id];
}
inline uint8_t irq_priority(const GicState& s, unsigned cpu, uint32_t id) {
  return id < kInternalCount ? s.cpu[cpu].gicr.ipriorityr[id] : s.gicd.ipriorityr[id];
}
// ICFGR bit [2m+1]: 1 = edge-triggered. SGIs are always edge (section 2.11).
inline bool irq_is_edge(const GicState& s, unsigned cpu, uint32_t id) {
  if (id < kSgiCount) return true;
  if (id < kInternalCount) return bit(s.cpu[cpu].gicr.icfgr1, 2 * (id - kSgiCount) + 1);
  return bit(s.gicd.icfgr[id / 16], 2 * (id % 16) + 1);
}
// Pending as the GIC sees it: the latch, or a level-sensitive input that is asserted.
inline bool irq_pending(const GicState& s, unsigned cpu, uint32_t id) {
  return get(s, cpu, id, IrqBit::Pending) ||
         (!irq_is_edge(s, cpu, id) && get(s, cpu, id, IrqBit::Level));
}
// Keeps the better of the recorded HPPI and this candidate. QEMU's tie-break (irqbetter): a
// lower priority value wins; equal priorities go to the lower INTID (IMPLEMENTATION DEFINED).
inline void consider_hppi(Hppi& h, uint32_t intid, uint8_t prio, Group g) {
  if (prio < h.prio || (prio == h.prio && intid < h.intid)) h = {intid, prio, g};
}
inline bool gic_ds(const GicState& s) { return s.gicd.ctlr & gicd_ctlr::DS; }

}  // namespace ffasim::sim::gic
