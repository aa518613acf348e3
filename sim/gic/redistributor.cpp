#include "sim/gic/redistributor.h"

#include <cstdio>

#include "sim/gic/distributor.h"
#include "sim/gic/gic.h"

namespace ffasim::sim::gic {

uint64_t read_gicr_typer(const GicState& s, unsigned cpu) {
  const bool last = cpu + 1 == s.cfg.num_cpu;
  return uint64_t(s.cfg.affinity[cpu]) << gicr_typer::Affinity_Value_SHIFT |
         uint64_t(cpu & 0xFFFF) << gicr_typer::Processor_Number_SHIFT | gicr_typer::DPGS |
         (last ? gicr_typer::Last : 0);
}

bool gicr_asleep(const GicState& s, unsigned cpu) {
  return s.cpu[cpu].gicr.waker & gicr_waker::ProcessorSleep;
}

void gicr_set_ppi_level(GicState& s, unsigned cpu, uint32_t intid, bool level) {
  if (intid < kSgiCount || intid >= kInternalCount || cpu >= s.cfg.num_cpu)
    throw std::out_of_range("gic: PPI INTID " + std::to_string(intid) + " of PE " +
                            std::to_string(cpu) + " does not exist");
  GicrState& r = s.cpu[cpu].gicr;
  const bool was = bit(r.level0, intid);
  put(r.level0, intid, level);
  if (level && !was && irq_is_edge(s, cpu, intid)) put(r.ispendr0, intid, true);
  gic_update(s);
}

// ---------------------------------------------------------------------------------------------
// SGI forwarding (section 2.7)

static bool forwarded_gem5(bool sender_secure, Group req, Group cfg, bool ds, unsigned nsacr) {
  if (sender_secure) return req == cfg || (req == Group::G1S && cfg == Group::G0 && ds);
  switch (cfg) {
    case Group::G0: return ds || nsacr >= 1;
    case Group::G1S: return (req == Group::G1S || req == Group::G1NS) && nsacr == 2;
    case Group::G1NS: return req == Group::G1NS;
  }
  return false;
}

static bool forwarded_qemu(bool sender_secure, Group req, Group cfg, bool ds, unsigned nsacr) {
  if (ds && req == Group::G1S) req = Group::G0;           // icc_generate_sgi
  if (req == Group::G1S && cfg == Group::G0) req = Group::G0;
  if (req != cfg) return false;
  if (!sender_secure && !ds) {
    if (cfg == Group::G0) return nsacr >= 1;
    if (cfg == Group::G1S) return nsacr >= 2;
  }
  return true;
}

bool sgi_forwarded(SgiForwarding variant, bool sender_secure, Group requested, Group configured,
                   bool ds, unsigned nsacr) {
  return variant == SgiForwarding::Gem5 ? forwarded_gem5(sender_secure, requested, configured, ds, nsacr)
                                        : forwarded_qemu(sender_secure, requested, configured, ds, nsacr);
}

void gicr_send_sgi(GicState& s, unsigned target, uint32_t intid, Group requested,
                   bool sender_secure) {
  GicrState& r = s.cpu[target].gicr;
  const unsigned nsacr = (r.nsacr >> (2 * intid)) & 3;
  if (sgi_forwarded(s.cfg.sgi_forwarding, sender_secure, requested, irq_group(s, target, intid),
                    gic_ds(s), nsacr))
    put(r.ispendr0, intid, true);
}

void gicr_update_hppi(GicState& s) {
  for (unsigned c = 0; c < s.cfg.num_cpu; ++c) {
    const GicrState& r = s.cpu[c].gicr;
    const uint32_t maybe = (r.ispendr0 | r.level0) & r.isenabler0 & ~r.isactiver0;
    for (uint32_t id = 0; id < kInternalCount; ++id) {
      if (!bit(maybe, id) || !irq_pending(s, c, id)) continue;
      const Group g = irq_group(s, c, id);
      if (group_enabled_in_distributor(s, g)) consider_hppi(s.cpu[c].hppi, id, r.ipriorityr[id], g);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Register frames

namespace {

std::string describe(const char* what, unsigned cpu, uint32_t off, unsigned size, Security sec) {
  char buf[112];
  std::snprintf(buf, sizeof buf, "GICR%u %s at offset 0x%05x, size %u, %s", cpu, what, off, size,
                sim::name(sec));
  return buf;
}

// GICR_CTLR: DPG0 and DPG1S are Secure-only fields; no LPIs, so EnableLPIs is RES0.
uint32_t ctlr_mask(const GicState& s, Security sec) {
  if (sec == Security::NonSecure && !gic_ds(s)) return gicr_ctlr::DPG1NS;
  return gicr_ctlr::DPG0 | gicr_ctlr::DPG1NS | (gic_ds(s) ? 0 : gicr_ctlr::DPG1S);
}

bool waker_visible(const GicState& s, Security sec) {
  return sec == Security::Secure || gic_ds(s) || s.cfg.waker_ns_writable;
}

// Bit 1 ProcessorSleep; ChildrenAsleep (bit 2) follows it at once; bit 0 (IMPDEF) RAZ/WI.
void waker_write(GicrState& r, uint32_t v) {
  const bool sleep = v & gicr_waker::ProcessorSleep;
  r.waker = sleep ? (gicr_waker::ProcessorSleep | gicr_waker::ChildrenAsleep) : 0;
}

// RD_base: the fixed registers. `rd` null for a write. False: not a register here.
bool rd_access(GicState& s, unsigned cpu, uint32_t off, unsigned size, Security sec, uint64_t* rd,
               uint64_t wr, bool& read_only) {
  GicrState& r = s.cpu[cpu].gicr;
  read_only = false;
  if (off == gicr::TYPER || off == gicr::TYPER + 4) {
    if (!(size == 8 && off == gicr::TYPER) && size != 4) return false;
    read_only = !rd;
    if (rd) *rd = size == 8 ? read_gicr_typer(s, cpu) : (read_gicr_typer(s, cpu) >> ((off - gicr::TYPER) * 8)) & 0xFFFFFFFF;
    return true;
  }
  if ((off == gicr::PROPBASER || off == gicr::PENDBASER) && (size == 8 || size == 4)) {
    if (rd) *rd = 0;  // no LPIs: RAZ/WI
    return true;
  }
  if (size != 4 || off % 4) return false;
  uint32_t id;
  switch (off) {
    case gicr::CTLR:
      if (rd) *rd = r.ctlr & ctlr_mask(s, sec);
      else r.ctlr = (r.ctlr & ~ctlr_mask(s, sec)) | (uint32_t(wr) & ctlr_mask(s, sec));
      return true;
    case gicr::IIDR: read_only = !rd; if (rd) *rd = s.cfg.iidr; return true;
    case gicr::STATUSR: if (rd) *rd = 0; return true;
    case gicr::WAKER:
      if (rd) *rd = waker_visible(s, sec) ? r.waker : 0;
      else if (waker_visible(s, sec)) waker_write(r, uint32_t(wr));
      return true;
  }
  if (id_register(off, id)) {
    read_only = !rd;
    if (rd) *rd = id;
    return true;
  }
  return false;
}

constexpr uint32_t kSgiBitRegs[][3] = {
    {gicr::IGROUPR0, uint32_t(IrqBit::Group), uint32_t(BitOp::Write)},
    {gicr::ISENABLER0, uint32_t(IrqBit::Enable), uint32_t(BitOp::Set)},
    {gicr::ICENABLER0, uint32_t(IrqBit::Enable), uint32_t(BitOp::Clear)},
    {gicr::ISPENDR0, uint32_t(IrqBit::Pending), uint32_t(BitOp::Set)},
    {gicr::ICPENDR0, uint32_t(IrqBit::Pending), uint32_t(BitOp::Clear)},
    {gicr::ISACTIVER0, uint32_t(IrqBit::Active), uint32_t(BitOp::Set)},
    {gicr::ICACTIVER0, uint32_t(IrqBit::Active), uint32_t(BitOp::Clear)},
    {gicr::IGRPMODR0, uint32_t(IrqBit::Grpmod), uint32_t(BitOp::Write)},
};

// ICFGR0 (SGIs, read-only edge) and ICFGR1 (PPIs, bit 2m+1 writable), NS-filtered per INTID.
void cfg_access(GicState& s, unsigned cpu, uint32_t off, Security sec, uint64_t* rd, uint32_t wr) {
  const uint32_t first = off == gicr::ICFGR0 ? 0 : kSgiCount;
  uint32_t v = 0;
  for (uint32_t m = 0; m < 16; ++m) {
    const uint32_t id = first + m;
    if (ns_access_blocked(s, cpu, id, sec)) continue;
    if (rd) put(v, 2 * m + 1, irq_is_edge(s, cpu, id));
    else if (first == kSgiCount) put(s.cpu[cpu].gicr.icfgr1, 2 * m + 1, bit(wr, 2 * m + 1));
  }
  if (rd) *rd = v;
}

bool sgi_access(GicState& s, unsigned cpu, uint32_t off, unsigned size, Security sec, uint64_t* rd,
                uint64_t wr) {
  if (off >= gicr::IPRIORITYR && off < gicr::IPRIORITYR + kInternalCount) {
    if (!(size == 1 || (size == 4 && off % 4 == 0))) return false;
    if (rd) *rd = 0;
    const bool ns_view = sec == Security::NonSecure && !gic_ds(s);
    for (unsigned i = 0; i < size; ++i) {
      const uint32_t id = off - gicr::IPRIORITYR + i;
      if (ns_access_blocked(s, cpu, id, sec)) continue;
      uint8_t& p = s.cpu[cpu].gicr.ipriorityr[id];
      if (rd) *rd |= uint64_t(ns_view ? uint8_t(p << 1) : p) << (8 * i);
      else p = uint8_t(ns_view ? ((uint8_t(wr >> (8 * i)) >> 1) | 0x80) : uint8_t(wr >> (8 * i))) & fullprio_mask(s);
    }
    return true;
  }
  if (size != 4 || off % 4) return false;
  const bool ns_secure_only = sec == Security::NonSecure && !gic_ds(s);
  for (auto& reg : kSgiBitRegs) {
    if (off != reg[0]) continue;
    const bool raz = (ns_secure_only && (off == gicr::IGROUPR0 || off == gicr::IGRPMODR0)) ||
                     (off == gicr::IGRPMODR0 && gic_ds(s));
    if (rd) *rd = raz ? 0 : read_irq_bits(s, cpu, 0, IrqBit(reg[1]), sec);
    else if (!raz) write_irq_bits(s, cpu, 0, IrqBit(reg[1]), BitOp(reg[2]), uint32_t(wr), sec);
    return true;
  }
  if (off == gicr::ICFGR0 || off == gicr::ICFGR1) {
    cfg_access(s, cpu, off, sec, rd, uint32_t(wr));
    return true;
  }
  if (off == gicr::NSACR) {
    const bool raz = ns_secure_only || gic_ds(s);
    if (rd) *rd = raz ? 0 : s.cpu[cpu].gicr.nsacr;
    else if (!raz) s.cpu[cpu].gicr.nsacr = uint32_t(wr);
    return true;
  }
  return false;
}

}  // namespace

bool gicr_read(GicState& s, unsigned cpu, uint32_t offset, unsigned size, Security sec,
               uint64_t& value) {
  value = 0;
  bool ro = false;
  const bool ok = offset < gicr::SGI_base ? rd_access(s, cpu, offset, size, sec, &value, 0, ro)
                                          : sgi_access(s, cpu, offset, size, sec, &value, 0);
  if (ok) return true;
  value = 0;
  guest_error(s, describe("read of an unimplemented register", cpu, offset, size, sec));
  return false;
}

bool gicr_write(GicState& s, unsigned cpu, uint32_t offset, unsigned size, Security sec,
                uint64_t value) {
  bool ro = false;
  const bool ok = offset < gicr::SGI_base ? rd_access(s, cpu, offset, size, sec, nullptr, value, ro)
                                          : sgi_access(s, cpu, offset, size, sec, nullptr, value);
  if (!ok) guest_error(s, describe("write to an unimplemented register", cpu, offset, size, sec));
  else if (ro) guest_error(s, describe("write to a read-only register", cpu, offset, size, sec));
  gic_update(s);
  return ok && !ro;
}

}  // namespace ffasim::sim::gic
