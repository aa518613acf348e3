#include "sim/gic/distributor.h"

#include <cstdio>

#include "sim/gic/cpu_interface.h"
#include "sim/gic/gic.h"

namespace ffasim::sim::gic {

Group group_from_bits(bool igroupr, bool igrpmodr, bool ds) {
  if (igroupr) return Group::G1NS;
  if (ds) return Group::G0;
  return igrpmodr ? Group::G1S : Group::G0;
}

Group irq_group(const GicState& s, unsigned cpu, uint32_t intid) {
  return group_from_bits(get(s, cpu, intid, IrqBit::Group), get(s, cpu, intid, IrqBit::Grpmod),
                         gic_ds(s));
}

bool group_enabled_in_distributor(const GicState& s, Group g) {
  const uint32_t c = s.gicd.ctlr;
  switch (g) {
    case Group::G0: return c & gicd_ctlr::EnableGrp0;
    case Group::G1S: return !gic_ds(s) && (c & gicd_ctlr::EnableGrp1S);
    case Group::G1NS: return c & gicd_ctlr::EnableGrp1NS;
  }
  return false;
}

bool ns_access_blocked(const GicState& s, unsigned cpu, uint32_t intid, Security sec) {
  return sec == Security::NonSecure && !gic_ds(s) && irq_group(s, cpu, intid) != Group::G1NS;
}

uint8_t fullprio_mask(const GicState& s) { return uint8_t(0xFF00u >> s.cfg.pri_bits); }

void gicd_set_spi_level(GicState& s, uint32_t intid, bool level) {
  if (intid < kInternalCount || intid >= s.cfg.num_irq)
    throw std::out_of_range("gic: SPI INTID " + std::to_string(intid) + " is outside this GIC's SPIs (32.." +
                            std::to_string(s.cfg.num_irq - 1) + ")");
  const bool was = bit(s.gicd.level, intid);
  put(s.gicd.level, intid, level);
  if (level && !was && irq_is_edge(s, 0, intid)) put(s.gicd.ispendr, intid, true);
  gic_update(s);
}

// ---------------------------------------------------------------------------------------------
// Routing

bool one_of_n_eligible(const GicState& s, unsigned cpu, Group g) {
  const GicCpuState& c = s.cpu[cpu];
  if (c.gicr.waker & gicr_waker::ProcessorSleep) return false;
  const uint32_t dpg[] = {gicr_ctlr::DPG0, gicr_ctlr::DPG1S, gicr_ctlr::DPG1NS};
  if (c.gicr.ctlr & dpg[int(g)]) return false;
  return c.icc.icc_igrpen[int(g)];
}

int choose_one_of_n(GicState& s, Group g) {
  const unsigned n = s.cfg.num_cpu;
  bool any_idle = false;
  for (unsigned p = 0; p < n; ++p)
    if (one_of_n_eligible(s, p, g) && icc_highest_active_prio(s, p) == kIdlePriority) any_idle = true;
  for (unsigned k = 0; k < n; ++k) {
    const unsigned p = (s.one_of_n_next + k) % n;
    if (!one_of_n_eligible(s, p, g)) continue;
    if (any_idle && icc_highest_active_prio(s, p) != kIdlePriority) continue;
    s.one_of_n_next = (p + 1) % n;
    return int(p);
  }
  return -1;
}

int spi_target(GicState& s, uint32_t intid) {
  const uint64_t r = s.gicd.irouter[intid];
  if (r & irouter::Interrupt_Routing_Mode) {
    int& t = s.one_of_n_target[intid];
    const Group g = irq_group(s, 0, intid);
    if (t >= 0 && !one_of_n_eligible(s, unsigned(t), g)) t = -1;
    if (t < 0) t = choose_one_of_n(s, g);
    return t;
  }
  const uint32_t aff = uint32_t((r >> 32) & 0xFF) << 24 | uint32_t(r & 0xFFFFFF);
  for (unsigned p = 0; p < s.cfg.num_cpu; ++p)
    if (s.cfg.affinity[p] == aff) return int(p);
  return -1;
}

void gicd_update_hppi(GicState& s) {
  GicdState& d = s.gicd;
  for (uint32_t w = 1; w < s.cfg.num_irq / 32; ++w) {
    const uint32_t maybe = (d.ispendr[w] | d.level[w]) & d.isenabler[w] & ~d.isactiver[w];
    for (uint32_t b = 0; b < 32; ++b) {
      const uint32_t id = w * 32 + b;
      const bool cand = bit(maybe, b) && irq_pending(s, 0, id) &&
                        group_enabled_in_distributor(s, irq_group(s, 0, id));
      if (!cand) {
        s.one_of_n_target[id] = -1;
        continue;
      }
      const int t = spi_target(s, id);
      if (t >= 0) consider_hppi(s.cpu[unsigned(t)].hppi, id, d.ipriorityr[id], irq_group(s, 0, id));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Register file

uint32_t read_gicd_typer(const GicState& s) {
  using namespace gicd_typer;
  // CPUNumber = 0 (affinity routing is always on), IDbits = 15 (16-bit INTIDs, matching
  // ICC_CTLR_EL1.IDbits = 0), A3V = 1, RSS = 1 (targeted SGIs to Aff0 0-255), No1N = 0 (1-of-N
  // is implemented), no LPIs, no message-based SPIs.
  return uint32_t(s.cfg.num_irq / 32 - 1) << ITLinesNumber_SHIFT | (gic_ds(s) ? 0 : SecurityExtn) |
         15u << IDbits_SHIFT | A3V | RSS;
}

bool id_register(uint32_t offset, uint32_t& value) {
  // PIDR4..7 at 0xFFD0, PIDR0..3 at 0xFFE0, CIDR0..3 at 0xFFF0 (gem5's values; ArchRev = 3).
  static const uint32_t ids[12] = {0x44, 0, 0, 0, 0x92, 0xB4, 0x3B, 0, 0x0D, 0xF0, 0x05, 0xB1};
  if (offset < 0xFFD0 || offset > 0xFFFC || offset % 4) return false;
  value = ids[(offset - 0xFFD0) / 4];
  return true;
}

uint32_t read_irq_bits(const GicState& s, unsigned cpu, uint32_t first, IrqBit b, Security sec) {
  uint32_t v = 0;
  for (uint32_t i = 0; i < 32; ++i) {
    const uint32_t id = first + i;
    if (id >= s.cfg.num_irq || ns_access_blocked(s, cpu, id, sec)) continue;
    // A set-pending read shows the pending state, including an asserted level input.
    const bool on = b == IrqBit::Pending ? irq_pending(s, cpu, id) : get(s, cpu, id, b);
    put(v, i, on);
  }
  return v;
}

void write_irq_bits(GicState& s, unsigned cpu, uint32_t first, IrqBit b, BitOp op, uint32_t v,
                    Security sec) {
  for (uint32_t i = 0; i < 32; ++i) {
    const uint32_t id = first + i;
    if (id >= s.cfg.num_irq || ns_access_blocked(s, cpu, id, sec)) continue;
    if (op == BitOp::Write) set(s, cpu, id, b, bit(v, i));
    else if (bit(v, i)) set(s, cpu, id, b, op == BitOp::Set);
  }
}

namespace {

constexpr uint32_t kIrqBitRegs[][3] = {
    // offset, IrqBit, BitOp
    {gicd::IGROUPR, uint32_t(IrqBit::Group), uint32_t(BitOp::Write)},
    {gicd::ISENABLER, uint32_t(IrqBit::Enable), uint32_t(BitOp::Set)},
    {gicd::ICENABLER, uint32_t(IrqBit::Enable), uint32_t(BitOp::Clear)},
    {gicd::ISPENDR, uint32_t(IrqBit::Pending), uint32_t(BitOp::Set)},
    {gicd::ICPENDR, uint32_t(IrqBit::Pending), uint32_t(BitOp::Clear)},
    {gicd::ISACTIVER, uint32_t(IrqBit::Active), uint32_t(BitOp::Set)},
    {gicd::ICACTIVER, uint32_t(IrqBit::Active), uint32_t(BitOp::Clear)},
    {gicd::IGRPMODR, uint32_t(IrqBit::Grpmod), uint32_t(BitOp::Write)},
};

// Registers that only Secure accesses see when DS = 0, and that DS = 1 leaves as they are.
bool secure_only(uint32_t base) { return base == gicd::IGROUPR || base == gicd::IGRPMODR; }

// One of the bitmap registers: fills `base`, `bitkind`, `op` and the first INTID it covers.
bool bit_register(uint32_t off, uint32_t& base, IrqBit& b, BitOp& op) {
  for (auto& r : kIrqBitRegs)
    if (off >= r[0] && off < r[0] + 0x80) {
      base = r[0];
      b = IrqBit(r[1]);
      op = BitOp(r[2]);
      return true;
    }
  return false;
}

uint32_t ctlr_read(const GicState& s, Security sec) {
  const uint32_t c = s.gicd.ctlr;
  if (gic_ds(s))  // DS = 1 view: EnableGrp0 [0], EnableGrp1 [1], ARE [4], DS [6]
    return (c & (gicd_ctlr::EnableGrp0 | gicd_ctlr::EnableGrp1NS)) | gicd_ctlr::ARE_S | gicd_ctlr::DS;
  if (sec == Security::Secure) return c & ~gicd_ctlr::RWP;
  return gicd_ctlr::NS_ARE_NS | ((c & gicd_ctlr::EnableGrp1NS) ? gicd_ctlr::NS_EnableGrp1A : 0);
}

// As QEMU: ARE_S/ARE_NS are RAO/WI, E1NWF RAZ/WI; Secure (DS = 0) writes the three group
// enables and DS; Non-secure writes only EnableGrp1A; DS = 1 leaves EnableGrp0 and EnableGrp1.
void ctlr_write(GicState& s, Security sec, uint32_t v) {
  uint32_t& c = s.gicd.ctlr;
  if (gic_ds(s)) {
    const uint32_t m = gicd_ctlr::EnableGrp0 | gicd_ctlr::EnableGrp1NS;
    c = (c & ~m) | (v & m);
  } else if (sec == Security::Secure) {
    const uint32_t m = gicd_ctlr::EnableGrp0 | gicd_ctlr::EnableGrp1NS | gicd_ctlr::EnableGrp1S |
                       gicd_ctlr::DS;
    c = (c & ~m) | (v & m);
    if (c & gicd_ctlr::DS) c &= ~(gicd_ctlr::EnableGrp1S | gicd_ctlr::ARE_NS);
  } else {
    c = (v & gicd_ctlr::NS_EnableGrp1A) ? (c | gicd_ctlr::EnableGrp1NS) : (c & ~gicd_ctlr::EnableGrp1NS);
  }
}

uint8_t prio_read(const GicState& s, unsigned cpu, uint32_t id, Security sec) {
  if (id >= s.cfg.num_irq || ns_access_blocked(s, cpu, id, sec)) return 0;
  const uint8_t p = irq_priority(s, cpu, id);
  // Non-secure view of a Non-secure Group 1 priority (section 2.9).
  return (sec == Security::NonSecure && !gic_ds(s)) ? uint8_t(p << 1) : p;
}

void prio_write(GicState& s, unsigned cpu, uint32_t id, Security sec, uint8_t v) {
  if (id >= s.cfg.num_irq || ns_access_blocked(s, cpu, id, sec)) return;
  if (sec == Security::NonSecure && !gic_ds(s)) v = uint8_t((v >> 1) | 0x80);
  irq_priority(s, cpu, id) = v & fullprio_mask(s);
}

bool irouter_access(GicState& s, uint32_t off, unsigned size, Security sec, uint64_t* rd,
                    uint64_t wr) {
  if (!(size == 8 && off % 8 == 0) && !(size == 4 && off % 4 == 0)) return false;
  const uint32_t id = (off - gicd::IROUTER) / 8;
  const unsigned shift = (off % 8) * 8;
  if (id < kInternalCount || id >= s.cfg.num_irq || ns_access_blocked(s, 0, id, sec)) {
    if (rd) *rd = 0;
    return true;
  }
  uint64_t& r = s.gicd.irouter[id];
  const uint64_t mask = (size == 8 ? ~0ull : 0xFFFFFFFFull) << shift;
  if (rd) {
    *rd = (r & mask) >> shift;
  } else {
    r = ((r & ~mask) | ((wr << shift) & mask)) & irouter::kWritable;
    s.one_of_n_target[id] = -1;
  }
  return true;
}

bool cfg_access(GicState& s, uint32_t off, Security sec, uint64_t* rd, uint32_t wr) {
  const uint32_t first = (off - gicd::ICFGR) / 4 * 16;
  uint32_t v = 0;
  for (uint32_t m = 0; m < 16; ++m) {
    const uint32_t id = first + m;
    if (id < kInternalCount || id >= s.cfg.num_irq || ns_access_blocked(s, 0, id, sec)) continue;
    uint32_t& word = s.gicd.icfgr[id / 16];
    if (rd) put(v, 2 * m + 1, bit(word, 2 * m + 1));
    else put(word, 2 * m + 1, bit(wr, 2 * m + 1));  // bit 2m is reserved (RES0)
  }
  if (rd) *rd = v;
  return true;
}

// The per-INTID ranges and the fixed registers. `rd` is null for a write.
bool gicd_access(GicState& s, uint32_t off, unsigned size, Security sec, uint64_t* rd, uint64_t wr) {
  if (off >= gicd::IROUTER && off < gicd::IROUTER + 8 * 1020) return irouter_access(s, off, size, sec, rd, wr);
  if (off >= gicd::IPRIORITYR && off < gicd::IPRIORITYR + 1020) {
    if (!(size == 1 || (size == 4 && off % 4 == 0))) return false;
    if (rd) *rd = 0;
    for (unsigned i = 0; i < size; ++i) {
      const uint32_t id = off - gicd::IPRIORITYR + i;
      if (id < kInternalCount) continue;
      if (rd) *rd |= uint64_t(prio_read(s, 0, id, sec)) << (8 * i);
      else prio_write(s, 0, id, sec, uint8_t(wr >> (8 * i)));
    }
    return true;
  }
  if (size != 4 || off % 4) return false;
  const bool ns_secure_only = sec == Security::NonSecure && !gic_ds(s);
  uint32_t base;
  IrqBit b;
  BitOp op;
  if (bit_register(off, base, b, op)) {
    const uint32_t first = (off - base) * 8;
    const bool raz = first < kInternalCount || (secure_only(base) && ns_secure_only) ||
                     (base == gicd::IGRPMODR && gic_ds(s));
    if (rd) *rd = raz ? 0 : read_irq_bits(s, 0, first, b, sec);
    else if (!raz) write_irq_bits(s, 0, first, b, op, uint32_t(wr), sec);
    return true;
  }
  if (off >= gicd::ICFGR && off < gicd::ICFGR + 0x100) return cfg_access(s, off, sec, rd, uint32_t(wr));
  if (off >= gicd::NSACR && off < gicd::NSACR + 0x100) {  // stored; RAZ/WI to NS and with DS = 1
    const uint32_t n = (off - gicd::NSACR) / 4;
    const bool raz = ns_secure_only || gic_ds(s) || n < 2;
    if (rd) *rd = raz ? 0 : s.gicd.nsacr[n];
    else if (!raz) s.gicd.nsacr[n] = uint32_t(wr);
    return true;
  }
  // Legacy (affinity routing off) registers: RAZ/WI with ARE = 1.
  if ((off >= gicd::ITARGETSR && off < gicd::ITARGETSR + 0x400) || off == gicd::SGIR ||
      (off >= gicd::CPENDSGIR && off < gicd::SPENDSGIR + 0x10)) {
    if (rd) *rd = 0;
    return true;
  }
  return false;
}

bool fixed_read(const GicState& s, uint32_t off, Security sec, uint32_t& v) {
  switch (off) {
    case gicd::CTLR: v = ctlr_read(s, sec); return true;
    case gicd::TYPER: v = read_gicd_typer(s); return true;
    case gicd::IIDR: v = s.cfg.iidr; return true;
    case gicd::TYPER2: v = 0; return true;
    case gicd::STATUSR: v = 0; return true;
  }
  return id_register(off, v);
}

std::string describe(const char* what, uint32_t off, unsigned size, Security sec) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "GICD %s at offset 0x%04x, size %u, %s", what, off, size,
                sim::name(sec));
  return buf;
}

}  // namespace

bool gicd_read(GicState& s, uint32_t offset, unsigned size, Security sec, uint64_t& value) {
  value = 0;
  uint32_t v = 0;
  if (size == 4 && offset % 4 == 0 && fixed_read(s, offset, sec, v)) {
    value = v;
    return true;
  }
  if (gicd_access(s, offset, size, sec, &value, 0)) return true;
  value = 0;
  guest_error(s, describe("read of an unimplemented register", offset, size, sec));
  return false;
}

bool gicd_write(GicState& s, uint32_t offset, unsigned size, Security sec, uint64_t value) {
  bool ok = true;
  uint32_t ro;
  if (size == 4 && offset == gicd::CTLR) {
    ctlr_write(s, sec, uint32_t(value));
  } else if (size == 4 && offset == gicd::STATUSR) {
    // optional error-reporting register: RAZ/WI
  } else if (size == 4 && offset % 4 == 0 && fixed_read(s, offset, sec, ro)) {
    ok = false;
    guest_error(s, describe("write to a read-only register", offset, size, sec));
  } else if (!gicd_access(s, offset, size, sec, nullptr, value)) {
    ok = false;
    guest_error(s, describe("write to an unimplemented register", offset, size, sec));
  }
  gic_update(s);
  return ok;
}

}  // namespace ffasim::sim::gic
