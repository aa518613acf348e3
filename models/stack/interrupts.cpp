#include "models/stack/interrupts.h"

#include <stdexcept>

#include "sim/gic/gic_mmio.h"
#include "sim/gic/pe_lines.h"
#include "sim/gic/timer_module.h"

namespace ffasim {

using sim::Security;
namespace gic = sim::gic;

namespace {
// Distributor and redistributor register offsets (reference sheet section 2.4).
constexpr uint32_t GICD_CTLR = 0x0000, GICD_IGROUPR = 0x0080, GICD_ISENABLER = 0x0100,
                   GICD_IPRIORITYR = 0x0400, GICD_ICFGR = 0x0C00, GICD_IGRPMODR = 0x0D00,
                   GICD_IROUTER = 0x6000;
constexpr uint64_t GICR_WAKER = 0x0014, GICR_SGI = 0x10000, GICR_IGROUPR0 = GICR_SGI + 0x0080,
                   GICR_ISENABLER0 = GICR_SGI + 0x0100, GICR_IPRIORITYR = GICR_SGI + 0x0400,
                   GICR_IGRPMODR0 = GICR_SGI + 0x0D00;
constexpr uint32_t kVirtTimerPpi = 27;
}  // namespace

struct InterruptHw::Impl {
  gic::GicTiming timing;
  std::unique_ptr<gic::Gic> g;
  std::unique_ptr<gic::GenericTimer> timer;
  std::unique_ptr<gic::GenericTimerModule> timer_module;
  std::unique_ptr<gic::GicPeLines> lines;
  std::unique_ptr<gic::GicSysregBus> bus;

  void gicd(uint32_t off, uint64_t v) { g->gicd_write(off, 4, Security::Secure, v, 0); }
  void gicd_ns(uint32_t off, unsigned size, uint64_t v) { g->gicd_write(off, size, Security::NonSecure, v, 0); }
  void gicr(unsigned pe, uint64_t off, uint64_t v, Security s = Security::Secure, unsigned size = 4) {
    g->gicr_write(uint64_t(pe) * gic::kGicrStride + off, size, s, v, 0);
  }
  uint64_t gicd_read(uint32_t off) {
    uint64_t v = 0;
    g->gicd_read(off, 4, Security::Secure, v, 0);
    return v;
  }
  uint64_t gicr_read(unsigned pe, uint64_t off) {
    uint64_t v = 0;
    g->gicr_read(uint64_t(pe) * gic::kGicrStride + off, 4, Security::Secure, v, 0);
    return v;
  }

  // TF-A gicv3_distif_init / gicv3_rdistif_init (Secure): affinity routing and the three group
  // enables; every interrupt Non-secure Group 1 by default; redistributors awake. Then EL3's
  // CPU-interface init on each PE (ICC_IGRPEN1_EL3: both Group 1 enables; Group 0 enabled).
  void firmware_init(unsigned pes) {
    gicd(GICD_CTLR, gic::gicd_ctlr::ARE_S | gic::gicd_ctlr::ARE_NS);
    const unsigned words = g->state().cfg.num_irq / 32;
    for (unsigned w = 1; w < words; ++w) gicd(GICD_IGROUPR + 4 * w, 0xFFFFFFFF);
    gicd(GICD_CTLR, gic::gicd_ctlr::ARE_S | gic::gicd_ctlr::ARE_NS | gic::gicd_ctlr::EnableGrp0 |
                        gic::gicd_ctlr::EnableGrp1NS | gic::gicd_ctlr::EnableGrp1S);
    const gic::PeInputs el3{sim::El::EL3, 0, 0};
    for (unsigned p = 0; p < pes; ++p) {
      gicr(p, GICR_WAKER, 0);
      gicr(p, GICR_IGROUPR0, 0xFFFFFFFF);
      g->set_pe(p, el3, 0);
      g->sysreg_write(p, *gic::find_icc_register("ICC_IGRPEN1_EL3"), 3, 0);
      g->sysreg_write(p, *gic::find_icc_register("ICC_IGRPEN0_EL1"), 1, 0);
      g->sysreg_write(p, *gic::find_icc_register("ICC_PMR_EL1"), 0xFF, 0);
    }
  }

  // Linux's gic_dist_init / gic_cpu_init and enable_percpu_irq for its timer (Non-secure view):
  // priority 0xA0 and enable for the virtual timer PPI on every PE.
  void linux_init(unsigned pes) {
    for (unsigned p = 0; p < pes; ++p) {
      gicr(p, GICR_IPRIORITYR + kVirtTimerPpi, kLinuxIrqPriority, Security::NonSecure, 1);
      gicr(p, GICR_ISENABLER0, 1u << kVirtTimerPpi, Security::NonSecure);
    }
  }

  // Hafnium's plat_interrupts_configure_interrupt for each interrupt of an SP's device regions
  // (attr bits[7:0] priority, bit 8 secure, bit 9 level, bits[11:10] type; reference sheet 8.2):
  // Secure Group 1, its priority and trigger, routed to PE 0, enabled.
  void sp_interrupts(const std::vector<spmc::PartitionManifest>& parts, const std::vector<std::string>& paths,
                     unsigned pes) {
    const unsigned num_irq = g->state().cfg.num_irq;
    for (size_t k = 0; k < parts.size(); ++k)
      for (auto& r : parts[k].device_regions)
        for (auto& i : r.interrupts) {
          const std::string where = paths[k] + ": /device-regions/" + r.name + ": interrupts: INTID " + std::to_string(i.id);
          if (i.id < gic::kSgiCount || i.id >= num_irq)
            throw std::runtime_error(where + ": expected a PPI or an SPI below " + std::to_string(num_irq));
          const bool secure = i.attributes & 0x100, level = i.attributes & 0x200;
          const uint8_t prio = uint8_t(i.attributes & 0xFF);
          if (!secure) continue;  // a Non-secure device interrupt is not the SPMC's to configure
          if (i.id < gic::kInternalCount) {
            for (unsigned p = 0; p < pes; ++p) {
              gicr(p, GICR_IGROUPR0, gicr_read(p, GICR_IGROUPR0) & ~(1u << i.id));
              gicr(p, GICR_IGRPMODR0, gicr_read(p, GICR_IGRPMODR0) | (1u << i.id));
              gicr(p, GICR_IPRIORITYR + i.id, prio, Security::Secure, 1);
              gicr(p, GICR_ISENABLER0, 1u << i.id);
            }
            continue;
          }
          const uint32_t w = 4 * (i.id / 32), b = 1u << (i.id % 32);
          gicd(GICD_IGROUPR + w, gicd_read(GICD_IGROUPR + w) & ~b);
          gicd(GICD_IGRPMODR + w, gicd_read(GICD_IGRPMODR + w) | b);
          g->gicd_write(GICD_IPRIORITYR + i.id, 1, Security::Secure, prio, 0);
          const uint32_t cw = 4 * (i.id / 16), cb = 2u << (2 * (i.id % 16));
          gicd(GICD_ICFGR + cw, level ? gicd_read(GICD_ICFGR + cw) & ~cb : gicd_read(GICD_ICFGR + cw) | cb);
          g->gicd_write(GICD_IROUTER + 8 * i.id, 8, Security::Secure, g->state().cfg.affinity.empty() ? 0 : g->state().cfg.affinity[0], 0);
          gicd(GICD_ISENABLER + w, b);
        }
  }
};

InterruptHw::InterruptHw(const InterruptHwConfig& cfg, sim::Platform& platform, const sim::Profile& profile,
                         const std::vector<spmc::PartitionManifest>& partitions,
                         const std::vector<std::string>& manifest_paths)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.timing.load(profile);
  gic::GicConfig gc;
  gc.num_cpu = unsigned(platform.pe_count());
  if (cfg.sgi_forwarding == "gem5") gc.sgi_forwarding = gic::SgiForwarding::Gem5;
  else if (cfg.sgi_forwarding == "qemu") gc.sgi_forwarding = gic::SgiForwarding::Qemu;
  else throw std::runtime_error("gic.sgi_forwarding: expected 'gem5' or 'qemu', got '" + cfg.sgi_forwarding + "'");
  gc.one_of_n_seed = cfg.one_of_n_seed;
  std::vector<sim::Pe*> pes;
  for (unsigned p = 0; p < gc.num_cpu; ++p) {
    sim::Pe& pe = platform.pe(sim::PeId(p));
    gc.affinity.push_back(gic::affinity_from_mpidr(pe.state().mpidr_el1));
    pes.push_back(&pe);
  }
  m.g = std::make_unique<gic::Gic>(gc, m.timing);
  m.timer = std::make_unique<gic::GenericTimer>(gc.num_cpu, uint64_t(m.timing.timer_frequency_hz));
  for (unsigned p = 0; p < gc.num_cpu; ++p) m.timer->write_cntfrq(p, uint64_t(m.timing.timer_frequency_hz));
  gic::Gic* g = m.g.get();
  m.timer->on_ppi([g](sim::PeId pe, uint32_t id, bool level, sim::Picos at) { g->set_ppi(pe, id, level, at); });
  m.timer_module = std::make_unique<gic::GenericTimerModule>("timer", *m.timer);
  m.lines = std::make_unique<gic::GicPeLines>("gic_lines", *m.g, pes);
  m.bus = std::make_unique<gic::GicSysregBus>(*m.g, *m.timer);
  for (sim::Pe* pe : pes) {
    pe->set_sysreg_bus(m.bus.get());
    pe->set_state_hook([g](sim::Pe& p) { g->set_pe(p.id(), gic::pe_inputs(p.state()), p.now()); });
  }
  m.firmware_init(gc.num_cpu);
  m.linux_init(gc.num_cpu);
  m.sp_interrupts(partitions, manifest_paths, gc.num_cpu);
}

InterruptHw::~InterruptHw() = default;
void InterruptHw::declare(sim::Profile& p) { gic::GicTiming::declare(p); }
gic::Gic& InterruptHw::gic() { return *impl_->g; }
gic::GenericTimer& InterruptHw::timer() { return *impl_->timer; }
uint64_t InterruptHw::sysreg_accesses() const { return impl_->bus->accesses(); }

}  // namespace ffasim
