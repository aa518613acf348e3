#include "sim/gic/gic.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "sim/gic/cpu_interface.h"
#include "sim/gic/distributor.h"
#include "sim/gic/redistributor.h"

namespace ffasim::sim::gic {

const char* name(Group g) {
  switch (g) {
    case Group::G0: return "G0";
    case Group::G1S: return "G1S";
    case Group::G1NS: return "G1NS";
  }
  return "?";
}

static void check_config(const GicConfig& c) {
  auto bad = [](const std::string& m) { throw std::invalid_argument("gic: " + m); };
  if (c.num_cpu == 0) bad("needs at least one PE");
  if (c.num_irq < 64 || c.num_irq > 992 || c.num_irq % 32)
    bad("num_irq " + std::to_string(c.num_irq) + " must be a multiple of 32 in [64, 992]");
  if (c.pri_bits < 5 || c.pri_bits > 7) bad("pri_bits must be 5, 6 or 7");
  if (!c.affinity.empty() && c.affinity.size() != c.num_cpu)
    bad("affinity lists " + std::to_string(c.affinity.size()) + " PEs, num_cpu is " +
        std::to_string(c.num_cpu));
  if (std::set<uint32_t>(c.affinity.begin(), c.affinity.end()).size() != c.affinity.size())
    bad("two PEs share an affinity value");
}

GicState make_gic_state(const GicConfig& cfg) {
  check_config(cfg);
  GicState s;
  s.cfg = cfg;
  if (s.cfg.affinity.empty())
    for (unsigned i = 0; i < cfg.num_cpu; ++i) s.cfg.affinity.push_back(i);
  const unsigned words = cfg.num_irq / 32;
  GicdState& d = s.gicd;
  for (auto* v : {&d.igroupr, &d.igrpmodr, &d.isenabler, &d.ispendr, &d.isactiver, &d.level})
    v->assign(words, 0);
  d.icfgr.assign(cfg.num_irq / 16, 0);  // SPIs reset level-sensitive
  d.nsacr.assign(cfg.num_irq / 16, 0);
  d.ipriorityr.assign(cfg.num_irq, 0);
  d.irouter.assign(cfg.num_irq, 0);
  if (!cfg.security_extn) d.ctlr = gicd_ctlr::ARE_S | gicd_ctlr::DS;
  s.cpu.resize(cfg.num_cpu);
  for (unsigned c = 0; c < cfg.num_cpu; ++c) icc_reset(s, c);
  s.one_of_n_target.assign(cfg.num_irq, -1);
  s.one_of_n_next = cfg.one_of_n_seed % cfg.num_cpu;
  gic_update(s);
  return s;
}

void guest_error(GicState& s, const std::string& what) {
  ++s.guest_errors;
  s.last_guest_error = what;
  if (s.cfg.strict) throw GuestError("gic guest error: " + what);
}

void gic_update(GicState& s) {
  for (GicCpuState& c : s.cpu) c.hppi = Hppi{};
  gicr_update_hppi(s);
  gicd_update_hppi(s);
  for (unsigned c = 0; c < s.cfg.num_cpu; ++c) {
    // A sleeping redistributor forwards nothing to its CPU interface (section 2.4).
    if (gicr_asleep(s, c)) s.cpu[c].hppi = Hppi{};
    cpuif_update_lines(s, c);
  }
}

// ---------------------------------------------------------------------------------------------

Gic::Gic(const GicConfig& cfg, const GicTiming& timing)
    : s_(make_gic_state(cfg)), timing_(timing), lines_(cfg.num_cpu) {}

Picos Gic::latency(Path p, uint32_t intid) const {
  const GicTiming& t = timing_;
  if (p == Path::PeState) return GicTiming::ps(t.state_change_ns);
  double ns = t.cpuif_to_pe_ns;
  switch (p) {
    case Path::PeState:
    case Path::CpuInterface: break;
    case Path::Redistributor: ns += t.redist_to_cpuif_ns; break;
    case Path::Distributor: ns += t.dist_to_redist_ns + t.redist_to_cpuif_ns; break;
    case Path::Sgi:
      ns += t.cpuif_to_redist_ns + t.redist_to_dist_ns + t.dist_to_redist_ns + t.redist_to_cpuif_ns;
      break;
    case Path::Deactivate:  // the message goes out, the next HPPI comes back
      ns += t.cpuif_to_redist_ns + t.redist_to_cpuif_ns;
      if (intid >= kInternalCount) ns += t.redist_to_dist_ns + t.dist_to_redist_ns;
      break;
  }
  return GicTiming::ps(ns);
}

void Gic::publish(Path p, Picos now, uint32_t intid) {
  const Picos at = now + latency(p, intid);
  for (unsigned c = 0; c < s_.cfg.num_cpu; ++c) {
    const GicCpuState& cs = s_.cpu[c];
    InterruptLines& l = lines_[c];
    if (cs.irq == l.irq && cs.fiq == l.fiq) continue;
    l.irq_before = l.irq;
    l.fiq_before = l.fiq;
    l.irq = cs.irq;
    l.fiq = cs.fiq;
    l.at = std::max(at, l.at);
    if (callback_) callback_(PeId(c), l);
  }
}

void Gic::set_spi(uint32_t intid, bool level, Picos now) {
  gicd_set_spi_level(s_, intid, level);
  publish(Path::Distributor, now);
}

void Gic::set_ppi(PeId pe, uint32_t intid, bool level, Picos now) {
  gicr_set_ppi_level(s_, pe, intid, level);
  publish(Path::Redistributor, now);
}

// The PE's state only changes the IRQ/FIQ choice of its own CPU interface (the HPPIs do not
// depend on it), so only that interface is re-evaluated: this runs on every exception and ERET.
void Gic::set_pe(PeId pe, const PeInputs& in, Picos now) {
  s_.cpu.at(pe).pe = in;
  cpuif_update_lines(s_, pe);
  publish(Path::PeState, now);
}

SysregAccess Gic::sysreg_read(PeId pe, const IccReg& r, uint64_t& value, Picos now) {
  const SysregAccess a = icc_check_access(r, s_.cpu.at(pe).pe, false);
  if (a != SysregAccess::Ok) return a;
  value = r.read(s_, pe);
  publish(r.path, now);
  return a;
}

SysregAccess Gic::sysreg_write(PeId pe, const IccReg& r, uint64_t value, Picos now) {
  const SysregAccess a = icc_check_access(r, s_.cpu.at(pe).pe, true);
  if (a != SysregAccess::Ok) return a;
  r.write(s_, pe, value);
  publish(r.path, now, uint32_t(value & 0xFFFFFF));
  return a;
}

bool Gic::gicd_read(uint32_t offset, unsigned size, Security sec, uint64_t& value, Picos) {
  return gic::gicd_read(s_, offset, size, sec, value);
}

bool Gic::gicd_write(uint32_t offset, unsigned size, Security sec, uint64_t value, Picos now) {
  const bool ok = gic::gicd_write(s_, offset, size, sec, value);
  publish(Path::Distributor, now);
  return ok;
}

bool Gic::gicr_read(uint64_t offset, unsigned size, Security sec, uint64_t& value, Picos) {
  const uint64_t cpu = offset / gicr::kStride;
  if (cpu >= s_.cfg.num_cpu) {
    value = 0;
    guest_error(s_, "GICR read beyond the last redistributor");
    return false;
  }
  return gic::gicr_read(s_, unsigned(cpu), uint32_t(offset % gicr::kStride), size, sec, value);
}

bool Gic::gicr_write(uint64_t offset, unsigned size, Security sec, uint64_t value, Picos now) {
  const uint64_t cpu = offset / gicr::kStride;
  if (cpu >= s_.cfg.num_cpu) {
    guest_error(s_, "GICR write beyond the last redistributor");
    return false;
  }
  const bool ok = gic::gicr_write(s_, unsigned(cpu), uint32_t(offset % gicr::kStride), size, sec, value);
  publish(Path::Redistributor, now);
  return ok;
}

}  // namespace ffasim::sim::gic
