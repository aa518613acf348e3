#include "sim/gic/pe_lines.h"

#include <limits>
#include <stdexcept>

namespace ffasim::sim::gic {

namespace {
constexpr Picos kNoRise = std::numeric_limits<Picos>::max();
constexpr Interrupt kKinds[2] = {Interrupt::IRQ, Interrupt::FIQ};
}  // namespace

GicPeLines::GicPeLines(sc_core::sc_module_name name, Gic& gic, std::vector<Pe*> pes)
    : sc_module(name), pes_(std::move(pes)), rise_at_(pes_.size(), {kNoRise, kNoRise}),
      target_(pes_.size(), {false, false}) {
  if (pes_.size() != gic.pe_count())
    throw std::invalid_argument("GicPeLines: " + std::to_string(pes_.size()) + " PEs for a GIC with " +
                                std::to_string(gic.pe_count()) + " CPU interfaces");
  for (Pe* p : pes_) p->enable_interrupt_lines();
  SC_HAS_PROCESS(GicPeLines);
  SC_METHOD(deliver);
  sensitive << ev_;
  dont_initialize();
  gic.on_lines([this](PeId pe, const InterruptLines& l) { on_change(pe, l); });
}

void GicPeLines::on_change(PeId pe, const InterruptLines& l) {
  const bool level[2] = {l.irq, l.fiq};
  for (int k = 0; k < 2; ++k) {
    const bool was = target_[pe][k];
    target_[pe][k] = level[k];
    if (!level[k]) {
      rise_at_[pe][k] = kNoRise;
      pes_[pe]->set_line(kKinds[k], false);
    } else if (!was) {
      rise_at_[pe][k] = l.at;
    }
  }
  schedule();
}

void GicPeLines::deliver() {
  const Picos now = sc_core::sc_time_stamp().value();
  for (size_t pe = 0; pe < pes_.size(); ++pe)
    for (int k = 0; k < 2; ++k)
      if (rise_at_[pe][k] <= now) {
        rise_at_[pe][k] = kNoRise;
        pes_[pe]->set_line(kKinds[k], true);
      }
  schedule();
}

void GicPeLines::schedule() {
  Picos next = kNoRise;
  for (auto& r : rise_at_) next = std::min({next, r[0], r[1]});
  ev_.cancel();
  if (next == kNoRise) return;
  const Picos now = sc_core::sc_time_stamp().value();
  ev_.notify(sc_core::sc_time::from_value(next > now ? next - now : 0));
}

}  // namespace ffasim::sim::gic
