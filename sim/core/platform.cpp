#include "sim/core/platform.h"

#include <stdexcept>

namespace ffasim::sim {

namespace {
bool g_elaborated = false;
}

static CoreTiming load_core(const Profile& p) {
  CoreTiming t;
  t.load(p);
  if (!(t.clock_hz > 0)) throw ProfileError("profile: core.clock_hz: expected a positive frequency in Hz");
  return t;
}

Platform::Platform(const PlatformConfig& cfg, const Profile& profile)
    : cfg_(cfg), timing_(load_core(profile)), tracer_(cfg.pe_count) {
  if (g_elaborated)
    throw std::logic_error("SystemC elaborates once per process: only one ffasim Platform per process");
  g_elaborated = true;
  if (cfg.pe_count == 0 || cfg.pes_per_cluster == 0) throw std::invalid_argument("platform needs at least one PE");
  sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
  memory_ = std::make_unique<Memory>("memory", timing_);
  for (auto& r : cfg.memory) memory_->add_region(r);
  const Picos quantum = Picos(cfg.quantum_ns * 1000.0);
  for (unsigned i = 0; i < cfg.pe_count; ++i) {
    const uint64_t mpidr = (1ull << 31) | (uint64_t(i / cfg.pes_per_cluster) << 8) | (i % cfg.pes_per_cluster);
    auto pe = std::make_unique<Pe>(("pe" + std::to_string(i)).c_str(), PeId(i), mpidr, timing_,
                                   tracer_, quantum);
    pe->socket.bind(memory_->socket);
    pe->set_error_sink(&error_);
    pes_.push_back(std::move(pe));
  }
}

Platform::~Platform() = default;

int Platform::pe_for_mpidr(uint64_t mpidr) const {
  const uint64_t aff = mpidr & 0xFF00FFFFFFull;
  for (size_t i = 0; i < pes_.size(); ++i)
    if ((pes_[i]->state().mpidr_el1 & 0xFF00FFFFFFull) == aff) return int(i);
  return -1;
}

void Platform::run(Picos limit) {
  if (error_) std::rethrow_exception(error_);
  // Nothing to do (every PE waits): sc_start would only warn about it.
  if (started_ && !sc_core::sc_pending_activity()) return;
  started_ = true;
  if (limit) sc_core::sc_start(sc_core::sc_time::from_value(limit));
  else sc_core::sc_start();
  if (error_) std::rethrow_exception(error_);
}

Picos Platform::now() const { return sc_core::sc_time_stamp().value(); }

void Platform::finish_trace() {
  for (auto& pe : pes_) pe->close_segment();
}

}  // namespace ffasim::sim
