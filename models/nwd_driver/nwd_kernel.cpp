// The normal-world kernel: boot order, the SMCCC wrapper, PSCI CPU_ON, host driving, and the
// NwdKernel facade. The drivers are in arm_ffa.cpp and optee_driver.cpp, the client threads in
// workload.cpp.
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "models/nwd_driver/nwd_internal.h"
#include "sim/core/pe.h"

namespace ffasim::nwd {
namespace detail {

using ffa::Abi;
using ffa::fid;

namespace {
// The PA a secondary starts at. The model's secondary entry is its context, so any non-zero value
// does; this is the arm64 Linux image base on the FVP/QEMU virt memory maps.
constexpr uint64_t kSecondaryEntry = 0x80080000;

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}
}  // namespace

std::string describe_result(const ArgRegs& r) {
  if (r[0] == fid(Abi::ERROR)) {
    const int32_t code = int32_t(uint32_t(r[2]));
    if (code <= -1 && code >= -10) return std::string("FFA_ERROR ") + ffa::error_name(ffa::Error(code));
    return "FFA_ERROR " + hex(uint32_t(r[2]));
  }
  std::string s = ffa::fid_name(r[0]);
  if (r[0] == fid(Abi::MSG_SEND_DIRECT_RESP) || r[0] == fid(Abi::MSG_SEND_DIRECT_RESP, true))
    s += " w3=" + hex(uint32_t(r[3])) + " w4=" + hex(uint32_t(r[4]));
  return s;
}

NwdThread::NwdThread(KernelState& k, unsigned pe_index) : k_(k), index_(pe_index) {
  component = k.env.component;
  endpoint = 0;  // the OS kernel's FF-A ID without a hypervisor (FFA_NS_ENDPOINT_ID)
  start(body());
}

sim::Picos NwdThread::exact_now() const {
  return pe().now() + sim::Picos(std::llround(pending_ * pe().period_ps()));
}

void NwdThread::error(const std::string& where, const std::string& what) {
  k_.st.errors.push_back("PE" + std::to_string(index_) + ": " + where + ": " + what);
}

void NwdThread::error(const std::string& where, const ArgRegs& call, const ArgRegs& result) {
  error(where, describe_result(result) + " from " + ffa::fid_name(call[0]));
}

Task<void> NwdThread::body() {
  interrupts_init();
  if (index_ == 0) {
    // No co_await inside && or ?: : g++ 12 miscompiles coroutine suspensions in conditional
    // expressions (both arms get suspended).
    if (k_.cfg.linux_driver) {
      const bool probed = co_await arm_ffa_probe();
      if (probed && k_.st.optee_found) co_await optee_probe();
      if (probed && uses_mm(k_.cfg)) co_await mm_init();
    }
    co_await cpu_on_secondaries();
  } else {
    spend_insns(k_.t.secondary_start_insns);
  }
  co_await run_workload();
  --k_.pes_pending;
  co_await host_loop();
}

// __arm_smccc_1_2_smc: x0-x17 in and out, SMC conduit.
Task<ArgRegs> NwdThread::smccc(ArgRegs a) {
  spend_insns(k_.t.smc_pre_insns);
  const ArgRegs r = co_await smc(a);
  pending_ = 0;
  k_.channels[index_].last_input = r;
  spend_insns(k_.t.smc_post_insns);
  co_return r;
}

Task<ArgRegs> NwdThread::ffa_call(ArgRegs a) {
  spend_insns(k_.t.ffa_call_insns);
  co_return co_await smccc(a);
}

// ffa_msg_send_direct_req / _req2: while the result is FFA_INTERRUPT or FFA_YIELD the target was
// preempted; FFA_RUN (w1 as returned) gives it cycles again. FFA_YIELD sleeps first (fsleep), so
// that time is idle, not work.
Task<ArgRegs> NwdThread::direct_req(ArgRegs a) {
  ArgRegs r = co_await ffa_call(a);
  while (r[0] == fid(Abi::INTERRUPT) || r[0] == fid(Abi::YIELD)) {
    if (r[0] == fid(Abi::YIELD))
      pe().charge(sim::Cost::Idle, k_.t.yield_sleep_ns * 1000.0 / pe().period_ps());
    r = co_await smccc(ffa::regs(fid(Abi::RUN), uint32_t(r[1])));
  }
  co_return r;
}

// PSCI CPU_ON (SMC64): x1 = target MPIDR, x2 = entry point, x3 = context ID; x0 = 0 on success.
Task<void> NwdThread::cpu_on_secondaries() {
  for (unsigned p = 1; p < k_.cfg.pe_count; ++p) {
    if (!k_.active[p]) continue;
    spend_insns(k_.t.cpu_on_insns);
    const ArgRegs r = co_await smccc(ffa::regs(kPsciCpuOn64, k_.cfg.mpidr[p], kSecondaryEntry, p));
    if (r[0] != 0) {
      error("cpu_on", "PSCI CPU_ON of PE" + std::to_string(p) + " returned " + std::to_string(int32_t(r[0])));
      --k_.pes_pending;  // that PE will never run its workload
    }
  }
}

// Host driving: wait (WFI) while the queue is empty; the host pushes a call and wakes the PE.
Task<void> NwdThread::host_loop() {
  sim::HostChannel& ch = k_.channels[index_];
  for (;;) {
    while (ch.queue.empty()) {
      ch.waiting = true;
      ch.pe = &pe();
      co_await wfi();
      pending_ = 0;
      ch.waiting = false;
    }
    const sim::HostCall c = ch.queue.front();
    ch.queue.pop_front();
    ArgRegs r;
    if (c.insn == sim::Insn::HVC) r = co_await hvc(c.args);
    else if (c.insn == sim::Insn::SVC) r = co_await svc(c.args);
    else r = co_await smc(c.args);
    pending_ = 0;
    ch.last_input = r;
    ch.last_result = r;
    ++ch.calls_done;
  }
}

}  // namespace detail

struct NwdKernel::Impl {
  detail::KernelState k;
  std::vector<std::unique_ptr<detail::NwdThread>> threads;
  std::unique_ptr<detail::NwdIrqHandler> irq;
};

NwdKernel::NwdKernel(const NwdConfig& cfg, const NwdEnv& env) : impl_(std::make_unique<Impl>()) {
  if (cfg.pe_count == 0) throw std::invalid_argument("pe_count: expected at least one PE");
  if (cfg.rxtx_pages == 0 || cfg.rxtx_pages > 64) throw std::invalid_argument("rxtx_pages: expected 1..64 pages");
  if (cfg.linux_driver && !env.memory) throw std::invalid_argument("memory: the Linux driver needs memory for its RX/TX buffers");
  detail::validate_workload(cfg);
  detail::KernelState& k = impl_->k;
  k.cfg = cfg;
  k.env = env;
  if (env.profile) k.t.load(*env.profile);
  k.channels.resize(cfg.pe_count);
  k.active.assign(cfg.pe_count, cfg.cpu_on_idle_pes);
  k.active[0] = true;
  for (auto& item : cfg.workload)
    for (unsigned p : item.pes) k.active[p] = true;
  k.timers.resize(cfg.pe_count);
  if (cfg.timer_period_ns < 0 || cfg.timer_start_ns < 0) throw std::invalid_argument("timer: periods must not be negative");
  for (unsigned p : cfg.timer_pes) {
    if (p >= cfg.pe_count) throw std::invalid_argument("timer.pes: PE" + std::to_string(p) + " does not exist");
    if (!cfg.gic) throw std::invalid_argument("timer: the arch timer needs the GIC");
    if (cfg.timer_period_ns <= 0) throw std::invalid_argument("timer.period_ns: expected a period > 0");
    k.timers[p].on = cfg.timer_ticks > 0;
    k.active[p] = true;
  }
  for (unsigned p = 1; p < cfg.pe_count; ++p)
    if (k.active[p] && cfg.mpidr.size() < cfg.pe_count)
      throw std::invalid_argument("mpidr: one MPIDR per PE is needed to bring PE" + std::to_string(p) + " up with PSCI CPU_ON");
  for (bool a : k.active) k.pes_pending += a ? 1 : 0;
  if (env.tracer) {
    k.invoke_key = env.tracer->operation_key("optee.invoke");
    k.mm_set_key = env.tracer->operation_key("mm.set_variable");
    k.mm_get_key = env.tracer->operation_key("mm.get_variable");
    k.notif_key = env.tracer->operation_key("notification.set_get");
  }
  impl_->irq = std::make_unique<detail::NwdIrqHandler>(k);
  for (unsigned p = 0; p < cfg.pe_count; ++p) impl_->threads.push_back(std::make_unique<detail::NwdThread>(k, p));
}

NwdKernel::~NwdKernel() = default;

void NwdKernel::declare(sim::Profile& p) { detail::NwdTiming::declare(p); }

sim::ExecContext& NwdKernel::context(unsigned pe) { return *impl_->threads.at(pe); }
sim::ExceptionHandler& NwdKernel::irq_handler() { return *impl_->irq; }
sim::HostChannel& NwdKernel::host_channel(unsigned pe) { return impl_->k.channels.at(pe); }
const DriverState& NwdKernel::state() const { return impl_->k.st; }
bool NwdKernel::workload_done() const { return impl_->k.pes_pending == 0; }

}  // namespace ffasim::nwd
