#include "models/stack/stack.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "models/ffa/abi.h"
#include "models/nwd_driver/nwd_kernel.h"
#include "models/sp_mm/mm_sp.h"
#include "models/sp_optee/optee_sp.h"
#include "models/sp_test/test_sp.h"
#include "models/spmc/manifest.h"
#include "models/spmc/spmc.h"
#include "models/spmd/psci.h"
#include "models/spmd/spmd.h"
#include "models/stack/interrupts.h"
#include "sim/core/platform.h"
#include "sim/mmu_s2/mmu_system.h"

namespace ffasim {

namespace {

std::string platforms_dir() { return std::string(FFASIM_SOURCE_DIR) + "/scenarios/platforms/"; }
std::string profiles_dir() { return std::string(FFASIM_SOURCE_DIR) + "/scenarios/profiles/"; }

std::string hex16(uint16_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "%04x", v);
  return b;
}

std::string hex64(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

void declare_all(sim::Profile& p) {
  sim::CoreTiming::declare(p);
  sim::mmu::MmuTiming::declare(p);
  spmd::Spmd::declare(p);
  spmc::Spmc::declare(p);
  sp::declare_optee_params(p);
  sp::declare_test_sp_params(p);
  sp::declare_mm_sp_params(p);
  nwd::NwdKernel::declare(p);
  InterruptHw::declare(p);
}

std::string profile_path(const std::string& name) {
  if (name.find('/') != std::string::npos || name.find(".yaml") != std::string::npos) return name;
  return profiles_dir() + name + ".yaml";
}

// Which statistic a call belongs to, and whether the caller hands its cycles away.
sim::SpanClass classify(const sim::ArgRegs& r) {
  sim::SpanClass k{uint32_t(r[0]), -1, false};
  const auto abi = ffa::decode(r[0]);
  if (!abi) return k;
  using A = ffa::Abi;
  if (*abi == A::MSG_SEND_DIRECT_REQ || *abi == A::MSG_SEND_DIRECT_REQ2 ||
      *abi == A::MSG_SEND_DIRECT_RESP || *abi == A::MSG_SEND_DIRECT_RESP2)
    k.callee = ffa::receiver_of(r[1]).value;
  else if (*abi == A::RUN)
    k.callee = ffa::sender_of(r[1]).value;
  k.handoff = ffa::info(*abi).flow == ffa::Flow::Handoff;
  return k;
}

std::string key_name(uint64_t key) {
  if (ffa::decode(key)) return ffa::fid_name(key);
  switch (uint32_t(key)) {
    case spmd::psci::PSCI_VERSION: return "PSCI_VERSION";
    case spmd::psci::PSCI_FEATURES: return "PSCI_FEATURES";
    case spmd::psci::CPU_ON_32: return "PSCI_CPU_ON_32";
    case spmd::psci::CPU_ON_64: return "PSCI_CPU_ON_64";
    case spmd::psci::AFFINITY_INFO_64: return "PSCI_AFFINITY_INFO_64";
    default: break;
  }
  return ffa::fid_name(key);
}

}  // namespace

struct Stack::Impl {
  ScenarioConfig cfg;
  sim::Profile profile;
  std::unique_ptr<sim::Platform> platform;
  std::unique_ptr<InterruptHw> irq_hw;
  std::unique_ptr<sim::mmu::MmuSystem> mmus;
  spmc::CoreManifest core;
  std::vector<spmc::PartitionManifest> manifests;
  std::unique_ptr<spmc::Spmc> spmc;
  std::unique_ptr<nwd::NwdKernel> nwd;
  std::unique_ptr<spmd::Spmd> spmd;
  std::vector<sp::SpModel*> sp_models;  // owned by the SPMC
  std::vector<std::pair<uint16_t, std::string>> partition_names;
  std::vector<std::string> config_errors;

  explicit Impl(const ScenarioConfig& c) : cfg(c) {
    declare_all(profile);
    if (!cfg.profile.empty() && cfg.profile != "default") {
      try {
        profile.load_file(profile_path(cfg.profile));
      } catch (const sim::ProfileError& e) {
        throw std::runtime_error(e.what());
      }
    }
    for (auto& [k, v] : cfg.overrides) {
      try {
        profile.set(k, v, "override");
      } catch (const sim::ProfileError& e) {
        throw std::runtime_error(e.what());
      }
    }
    load_manifests();
    build();
  }

  void load_manifests() {
    if (cfg.spmc_manifest.empty()) cfg.spmc_manifest = platforms_dir() + "fvp_spmc_manifest.dts";
    if (cfg.partitions.empty()) {
      cfg.partitions.push_back({platforms_dir() + "fvp_optee_sp_manifest.dts", "optee",
                                {{"threads", "8"}, {"default_work_cycles", "20000"}}});
      cfg.partitions.push_back({platforms_dir() + "fvp_test_sp_manifest.dts", "test", {}});
    }
    try {
      core = spmc::load_core_manifest(cfg.spmc_manifest);
      for (auto& p : cfg.partitions) manifests.push_back(spmc::load_partition_manifest(p.manifest));
    } catch (const spmc::ManifestError& e) {
      throw std::runtime_error(e.problems().empty() ? e.what() : e.problems().front().line());
    }
    const std::string& act = cfg.interrupts.ns_interrupts_action;
    if (!act.empty()) {
      using A = spmc::NsInterruptsAction;
      if (act != "queued" && act != "managed-exit" && act != "signaled")
        throw std::runtime_error("interrupts.ns_interrupts_action: expected queued, managed-exit or signaled, got '" + act + "'");
      for (auto& m : manifests)
        m.ns_interrupts_action = act == "queued" ? A::Queued : act == "managed-exit" ? A::ManagedExit : A::Signaled;
    }
    auto problems = spmc::check_partition_set(manifests);
    if (!problems.empty()) throw std::runtime_error(problems.front().line());
  }

  std::vector<sim::MemoryRegion> memory_regions() const {
    if (!cfg.memory.empty()) return cfg.memory;
    std::vector<sim::MemoryRegion> m;
    for (auto& r : core.memory) {
      if (r.device_type == "memory") m.push_back({"secure-dram", r.base, r.size, sim::Security::Secure});
      if (r.device_type == "ns-memory") m.push_back({"ns-dram", r.base, r.size, sim::Security::NonSecure});
    }
    if (m.empty()) {
      m.push_back({"secure-dram", 0x06000000, 0x02000000, sim::Security::Secure});
      m.push_back({"ns-dram", 0x80000000, 0x80000000, sim::Security::NonSecure});
    }
    return m;
  }

  static uint64_t region_base(const spmc::PartitionManifest& m, const spmc::ManifestRegion& r) {
    return r.relative ? m.load_address + r.base_address : r.base_address;
  }

  void build() {
    sim::PlatformConfig pc;
    pc.pe_count = cfg.pe_count;
    pc.pes_per_cluster = cfg.pes_per_cluster;
    pc.quantum_ns = cfg.quantum_ns;
    pc.memory = memory_regions();
    platform = std::make_unique<sim::Platform>(pc, profile);
    sim::Tracer& tr = platform->tracer();
    tr.keep_spans(cfg.keep_spans);
    tr.keep_trace(cfg.keep_trace);
    tr.set_classifier(classify);
    tr.set_namer(key_name);
    sim::Memory& mem = platform->memory();
    const sim::ComponentId c_nwd = tr.add_component("nwd");
    const sim::ComponentId c_spmd = tr.add_component("spmd");
    const sim::ComponentId c_spmc = tr.add_component("spmc");
    // An interrupt's latency until the PE takes an exception for it: GIC delivery, and any time
    // it waits masked (queued) or behind a higher priority.
    const sim::ComponentId c_irq_pending = tr.add_component("irq-pending");
    {
      InterruptHwConfig ic;
      ic.sgi_forwarding = cfg.interrupts.sgi_forwarding;
      std::vector<std::string> paths;
      for (auto& p : cfg.partitions) paths.push_back(p.manifest);
      irq_hw = std::make_unique<InterruptHw>(ic, *platform, profile, manifests, paths);
      // Exact interrupt timing costs speed; a run with no interrupt source does not need it.
      const bool sources = !cfg.interrupts.timer_pes.empty() && cfg.interrupts.timer_ticks > 0;
      for (unsigned i = 0; i < cfg.pe_count; ++i) platform->pe(sim::PeId(i)).set_precise_interrupts(sources);
    }
    mem.claim(core.load_address, core.binary_size ? core.binary_size : 0x80000, sim::Security::Secure, "spmc");
    const uint64_t spmc_image = core.binary_size ? core.binary_size : 0x80000;
    mem.claim(core.load_address, spmc_image, sim::Security::Secure, "spmc");
    mmus = std::make_unique<sim::mmu::MmuSystem>(mem, platform->core_timing(), profile, cfg.pe_count);
    spmc::SpmcConfig sc;
    sc.s2_pool_base = (core.load_address + spmc_image + 0xFFF) & ~uint64_t(0xFFF);
    if (!mem.claim(sc.s2_pool_base, sc.s2_pool_size, sim::Security::Secure, "spmc stage-2 tables"))
      throw std::runtime_error(cfg.spmc_manifest + ": the SPMC's stage-2 table pool [" + hex64(sc.s2_pool_base) + ", +" +
                               hex64(sc.s2_pool_size) + ") after its image must be free secure memory");

    std::vector<spmc::PartitionSpec> specs;
    for (size_t i = 0; i < manifests.size(); ++i) {
      const auto& m = manifests[i];
      const uint16_t id = uint16_t(0x8001 + i);  // Hafnium's assignment (see SpmcConfig)
      const std::string label = (m.description.empty() ? cfg.partitions[i].model : m.description);
      sp::SpEnv env;
      env.manifest = &manifests[i];
      env.profile = &profile;
      env.tracer = &tr;
      env.component = tr.add_component("sp:" + hex16(id) + " " + label);
      for (auto& [k, v] : cfg.partitions[i].params) env.params[k] = v;
      env.memory = sp::SpMemory(mmus.get(), [this](sim::Pe& pe, const sim::mmu::Fault& f) { spmc->stage2_abort(pe, f); });
      if (cfg.partitions[i].model == "optee") {
        // OP-TEE's static carve-out for message arguments (see optee_sp.h), shared with the driver.
        env.params.try_emplace("static_shm_base", std::to_string(cfg.optee_shm_base));
        env.params.try_emplace("static_shm_size", std::to_string(cfg.optee_shm_size));
      }
      if (cfg.partitions[i].model == "mm") {
        // The MM communicate carve-out, shared with the MM client (see mm_sp.h).
        env.params.try_emplace("comm_buffer_base", std::to_string(cfg.mm_shm_base));
        env.params.try_emplace("comm_buffer_size", std::to_string(cfg.mm_shm_size));
      }
      for (auto& r : m.memory_regions) {
        const std::string n = r.description.empty() ? r.name : r.description;
        if (n.find("rx") != std::string::npos) env.rx_buffer = region_base(m, r);
        else if (n.find("tx") != std::string::npos) env.tx_buffer = region_base(m, r);
      }
      // The partition's memory: mem-size if given, else up to the end of its memory regions.
      uint64_t image = 0x100000;
      if (m.mem_size) image = *m.mem_size;
      for (auto& r : m.memory_regions)
        if (!m.mem_size) image = std::max(image, region_base(m, r) + uint64_t(r.pages_count) * 4096 - m.load_address);
      mem.claim(m.load_address, image, sim::Security::Secure, "sp:" + hex16(id) + " " + label);
      std::unique_ptr<sp::SpModel> model;
      try {
        if (cfg.partitions[i].model == "optee") model = sp::make_optee_sp(env);
        else if (cfg.partitions[i].model == "test") model = sp::make_test_sp(env);
        else if (cfg.partitions[i].model == "mm") model = sp::make_mm_sp(env);
        else
          throw std::invalid_argument("model: expected 'optee', 'test' or 'mm', got '" + cfg.partitions[i].model + "'");
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error(cfg.partitions[i].manifest + ": partition params: " + e.what());
      }
      sp_models.push_back(model.get());
      partition_names.push_back({id, label});
      specs.push_back({m, std::move(model), env.component, env.conduit});
    }
    sc.core = core;
    sc.flavour = cfg.spmc_flavour == "tfa-el3-spmc" ? spmc::Flavour::TfaEl3Spmc : spmc::Flavour::Hafnium;
    if (cfg.spmc_flavour != "hafnium" && cfg.spmc_flavour != "tfa-el3-spmc")
      throw std::runtime_error("spmc_flavour: expected 'hafnium' or 'tfa-el3-spmc', got '" + cfg.spmc_flavour + "'");
    if (cfg.partition_info_size != 24 && cfg.partition_info_size != 48)
      throw std::runtime_error("partition_info_size: expected 24 or 48");
    sc.partition_info_size = cfg.partition_info_size;
    sc.check_isolation = cfg.check_isolation;
    sc.per_vcpu_notifications = cfg.per_vcpu_notifications;
    spmc = std::make_unique<spmc::Spmc>(sc, std::move(specs), *platform, profile, c_spmc, *mmus);
    for (size_t i = 0; i < partition_names.size(); ++i) {
      partition_names[i].first = spmc->partition_id(i).value;
      // The tracer attributes each vCPU's calls to its partition from its first call on (the SP
      // itself learns its ID with FFA_ID_GET).
      for (unsigned v = 0; v < std::max(1u, manifests[i].execution_ctx_count); ++v)
        sp_models[i]->vcpu(v).endpoint = partition_names[i].first;
    }

    nwd::NwdConfig nc;
    nc.linux_driver = cfg.linux_driver;
    nc.cpu_on_idle_pes = cfg.cpu_on_idle_pes;
    nc.workload = cfg.workload;
    nc.pe_count = cfg.pe_count;
    for (unsigned i = 0; i < cfg.pe_count; ++i) nc.mpidr.push_back(platform->pe(sim::PeId(i)).state().mpidr_el1);
    nc.optee_shm_base = cfg.optee_shm_base;
    nc.optee_shm_size = cfg.optee_shm_size;
    nc.gic = true;
    nc.timer_pes = cfg.interrupts.timer_pes;
    nc.timer_period_ns = cfg.interrupts.timer_period_ns;
    nc.timer_start_ns = cfg.interrupts.timer_start_ns;
    nc.timer_ticks = cfg.interrupts.timer_ticks;
    if (cfg.optee_shm_size && !mem.claim(cfg.optee_shm_base, cfg.optee_shm_size, sim::Security::NonSecure, "optee static shm"))
      throw std::runtime_error("nwd.optee_shm_base: the OP-TEE carve-out must lie in NS DRAM");
    nc.mm_shm_base = cfg.mm_shm_base;
    nc.mm_shm_size = cfg.mm_shm_size;
    bool mm_used = false;
    for (auto& p : cfg.partitions) mm_used = mm_used || p.model == "mm";
    for (auto& w : cfg.workload) mm_used = mm_used || w.kind.rfind("mm_", 0) == 0;
    if (mm_used && cfg.mm_shm_size &&
        !mem.claim(cfg.mm_shm_base, cfg.mm_shm_size, sim::Security::NonSecure, "mm comm buffer"))
      throw std::runtime_error("nwd.mm_shm_base: the MM carve-out must lie in free NS DRAM");
    nwd::NwdEnv ne{&mem, &tr, c_nwd, &profile, c_irq_pending};
    try {
      nwd = std::make_unique<nwd::NwdKernel>(nc, ne);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(std::string("workload: ") + e.what());
    }

    spmd::SpmdConfig dc;
    dc.spmc_id = ffa::EndpointId(core.spmc_id);
    dc.spmc_version = {uint16_t(core.maj_ver), uint16_t(core.min_ver)};
    std::vector<sim::ExecContext*> spmc_entry, nwd_entry;
    for (unsigned i = 0; i < cfg.pe_count; ++i) {
      spmc_entry.push_back(&spmc->el2_context(i));
      nwd_entry.push_back(&nwd->context(i));
    }
    spmd = std::make_unique<spmd::Spmd>(dc, *platform, profile, spmc_entry, nwd_entry);
    spmd->component = c_spmd;
    for (unsigned i = 0; i < cfg.pe_count; ++i) {
      sim::Pe& pe = platform->pe(sim::PeId(i));
      pe.install_handler(sim::El::EL3, sim::Security::Secure, spmd.get());
      pe.install_handler(sim::El::EL2, sim::Security::Secure, spmc.get());
      pe.install_handler(sim::El::EL1, sim::Security::NonSecure, &nwd->irq_handler());
      pe.install_handler(sim::El::EL1, sim::Security::Secure, &spmc->sel1_vector(i));
    }
    platform->pe(0).power_on(0);
  }

  sim::HostChannel* channel(uint16_t endpoint, unsigned pe) const {
    if (endpoint == 0) return pe < cfg.pe_count ? &nwd->host_channel(pe) : nullptr;
    for (size_t i = 0; i < partition_names.size(); ++i)
      if (partition_names[i].first == endpoint) return sp_models[i]->host_channel();
    return nullptr;
  }

  // Picoseconds as PE cycles at the profile's clock (the figure a cycle counter would show).
  uint64_t cycles(double ps) const {
    return uint64_t(std::llround(ps * platform->core_timing().clock_hz / 1e12));
  }

  std::string endpoint_name(int32_t id) const {
    if (id < 0) return "-";
    if (id == 0) return "nwd";
    for (auto& [pid, label] : partition_names)
      if (pid == id) return "sp:" + hex16(pid) + " " + label;
    return "0x" + hex16(uint16_t(id));
  }
};

Stack::Stack(const ScenarioConfig& cfg) : impl_(std::make_unique<Impl>(cfg)) { run(); }
Stack::~Stack() = default;

void Stack::run() { impl_->platform->run(); }
double Stack::now_ns() const { return double(impl_->platform->now()) / 1000.0; }
double Stack::clock_hz() const { return impl_->platform->core_timing().clock_hz; }

std::vector<ResultRow> Stack::results() const {
  const sim::Tracer& tr = impl_->platform->tracer();
  auto cyc = [this](double ps) { return impl_->cycles(ps); };
  std::vector<ResultRow> out;
  for (auto& s : tr.stats()) {
    ResultRow r;
    r.abi = tr.key_name(s.key);
    r.caller = impl_->endpoint_name(s.caller);
    r.callee = impl_->endpoint_name(s.callee);
    r.count = s.count;
    r.min_ns = double(s.min) / 1000.0;
    r.median_ns = double(s.median) / 1000.0;
    r.p99_ns = double(s.p99) / 1000.0;
    r.max_ns = double(s.max) / 1000.0;
    r.mean_ns = s.mean / 1000.0;
    r.min_cycles = cyc(double(s.min));
    r.median_cycles = cyc(double(s.median));
    r.p99_cycles = cyc(double(s.p99));
    r.max_cycles = cyc(double(s.max));
    for (size_t c = 0; c < s.mean_by_component.size(); ++c)
      if (s.mean_by_component[c] > 0) r.mean_ns_by_component[tr.components()[c]] = s.mean_by_component[c] / 1000.0;
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<SpanRow> Stack::spans() const {
  const sim::Tracer& tr = impl_->platform->tracer();
  auto cyc = [this](double ps) { return impl_->cycles(ps); };
  std::vector<SpanRow> out;
  for (auto& s : tr.spans()) {
    SpanRow r;
    r.abi = tr.key_name(s.key);
    r.caller = impl_->endpoint_name(s.caller);
    r.callee = impl_->endpoint_name(s.callee);
    r.pe = s.pe;
    r.start_ns = double(s.start) / 1000.0;
    r.end_ns = double(s.end) / 1000.0;
    r.start_cycles = cyc(double(s.start));
    r.end_cycles = cyc(double(s.end));
    r.x0 = s.x0; r.x1 = s.x1; r.x2 = s.x2; r.result_x0 = s.r0; r.result_x2 = s.r2;
    for (size_t c = 0; c < tr.components().size(); ++c) {
      const sim::Picos v = tr.breakdown_pool()[s.breakdown + c];
      if (v) r.ns_by_component[tr.components()[c]] = double(v) / 1000.0;
    }
    out.push_back(std::move(r));
  }
  return out;
}

void Stack::write_trace(const std::string& path) {
  if (!impl_->cfg.keep_trace) throw std::runtime_error("no trace was recorded: the run needs keep_trace");
  impl_->platform->finish_trace();
  if (!impl_->platform->tracer().write_chrome_trace(path))
    throw std::runtime_error(path + ": cannot write the trace file");
}

const nwd::DriverState& Stack::driver() const { return impl_->nwd->state(); }

std::vector<std::string> Stack::guest_errors() const { return impl_->spmc->guest_errors(); }

std::string Stack::stage2_access(uint16_t endpoint, uint64_t pa, bool secure) const {
  const uint8_t a = impl_->spmc->stage2_access(ffa::EndpointId(endpoint), pa, secure);
  return std::string(a & 1 ? "r" : "-") + (a & 2 ? "w" : "-") + (a & 4 ? "x" : "-");
}

uint64_t Stack::tlbi_count() const { return impl_->spmc->tlbi_count(); }

std::vector<std::string> Stack::errors() const {
  std::vector<std::string> e = impl_->spmd->stats().errors;
  for (auto& s : impl_->spmc->errors()) e.push_back(s);
  for (auto& s : impl_->nwd->state().errors) e.push_back(s);
  return e;
}

std::vector<std::string> Stack::components() const { return impl_->platform->tracer().components(); }

bool Stack::call(uint16_t endpoint, unsigned pe, const sim::ArgRegs& args, sim::ArgRegs& out,
                 const std::string& insn) {
  sim::HostChannel* ch = impl_->channel(endpoint, pe);
  if (!ch) throw std::runtime_error("endpoint 0x" + hex16(endpoint) + " cannot be driven from the host");
  if (!ch->waiting || !ch->pe)
    throw std::runtime_error("endpoint 0x" + hex16(endpoint) + " is not waiting for host calls" +
                             (endpoint ? " (send it the test SP's CMD_HOST first)" : ""));
  sim::HostCall hc;
  hc.insn = insn == "hvc" ? sim::Insn::HVC : insn == "svc" ? sim::Insn::SVC : sim::Insn::SMC;
  if (insn != "smc" && insn != "hvc" && insn != "svc") throw std::runtime_error("insn: expected smc, hvc or svc");
  hc.args = args;
  const uint64_t before = ch->calls_done;
  ch->queue.push_back(hc);
  ch->pe->wake(impl_->platform->now());
  run();
  if (ch->calls_done == before) return false;
  out = ch->last_result;
  return true;
}

void Stack::arm_timer(unsigned pe, double after_ns) {
  if (pe >= impl_->cfg.pe_count) throw std::runtime_error("arm_timer: PE" + std::to_string(pe) + " does not exist");
  if (!(after_ns > 0)) throw std::runtime_error("arm_timer: expected a delay > 0 ns");
  sim::gic::GenericTimer& t = impl_->irq_hw->timer();
  const sim::Picos now = impl_->platform->now();
  const uint64_t ticks = uint64_t(std::llround(after_ns * double(t.frequency_hz()) / 1e9));
  t.write_cval(pe, sim::gic::TimerId::CNTV, t.cntvct(pe, now) + ticks, now);
  t.write_ctl(pe, sim::gic::TimerId::CNTV, 1, now);
  for (unsigned i = 0; i < impl_->cfg.pe_count; ++i) impl_->platform->pe(sim::PeId(i)).set_precise_interrupts(true);
}

sim::ArgRegs Stack::last_input(uint16_t endpoint, unsigned pe) const {
  sim::HostChannel* ch = impl_->channel(endpoint, pe);
  return ch ? ch->last_input : sim::ArgRegs{};
}

bool Stack::host_waiting(uint16_t endpoint, unsigned pe) const {
  sim::HostChannel* ch = impl_->channel(endpoint, pe);
  return ch && ch->waiting;
}

bool Stack::write(uint64_t pa, const std::vector<uint8_t>& data, bool secure) {
  return impl_->platform->memory().write(pa, data.data(), data.size(),
                                         secure ? sim::Security::Secure : sim::Security::NonSecure);
}

bool Stack::read(uint64_t pa, size_t size, bool secure, std::vector<uint8_t>& out) const {
  out.resize(size);
  return impl_->platform->memory().read(pa, out.data(), size,
                                        secure ? sim::Security::Secure : sim::Security::NonSecure);
}

std::vector<MemoryMapRow> Stack::memory_map() const {
  std::vector<MemoryMapRow> out;
  for (auto& e : impl_->platform->memory().memory_map())
    out.push_back({e.region, e.base, e.size, e.security == sim::Security::Secure, e.owner});
  return out;
}

std::map<std::string, uint64_t> Stack::notification_stats() const {
  const spmc::NotificationStats n = impl_->spmc->notification_stats();
  return {{"sri_raised", n.sri_raised}, {"sri_delayed", n.sri_delayed}, {"npi_recorded", n.npi_recorded}};
}

PageAccessInfo Stack::page_access(uint64_t pa) const {
  const spmc::PageAccessView v = impl_->spmc->page_access(pa);
  PageAccessInfo out;
  out.ram = v.ram;
  out.secure = v.secure;
  out.owner = v.owner.value;
  out.handle = v.handle;
  for (auto& [ep, bits] : v.access)
    out.access[ep.value] = std::string(bits & 1 ? "r" : "-") + (bits & 2 ? "w" : "-") + (bits & 4 ? "x" : "-");
  return out;
}

static std::vector<ProfileRow> rows_of(const sim::Profile& p) {
  std::vector<ProfileRow> out;
  for (auto& [name, e] : p.entries())
    out.push_back({name, sim::unit_name(e.spec.unit), e.spec.doc, e.spec.source, e.origin, e.value, e.spec.default_value});
  return out;
}

std::vector<ProfileRow> Stack::profile() const { return rows_of(impl_->profile); }

std::vector<ProfileRow> Stack::default_profile() {
  sim::Profile p;
  declare_all(p);
  return rows_of(p);
}

std::vector<std::pair<uint16_t, std::string>> Stack::partitions() const { return impl_->partition_names; }

}  // namespace ffasim
