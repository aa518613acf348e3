// OP-TEE as an S-EL1 SP: boot (spmc_init), the message loop (thread_spmc_msg_recv) and the
// blocking calls (handle_blocking_call). Yielding calls are in optee_yielding.cpp.
// Behaviour follows OP-TEE 4.x core/arch/arm/kernel/thread_spmc.c built without
// CFG_CORE_SEL1_SPMC and without CFG_NS_VIRTUALIZATION.
#include <cstdio>
#include <stdexcept>

#include "models/sp_optee/optee_internal.h"
#include "sim/core/pe.h"

namespace ffasim::sp {
namespace optee_impl {

using ffa::Abi;
using ffa::fid;

namespace {

constexpr uint32_t kFrameworkBit = 1u << 31;
constexpr uint32_t kFwkVersionReq = 8, kFwkVersionResp = 9;  // FFA_MSG_VERSION_REQ/_RESP

bool is_success(uint64_t x0) { return x0 == fid(Abi::SUCCESS) || x0 == fid(Abi::SUCCESS, true); }

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

bool parse_uint(const std::string& text, uint64_t& out) {
  double d;
  if (!sim::parse_number(text, d) || d < 0 || d != double(uint64_t(d))) return false;
  out = uint64_t(d);
  return true;
}

// "cmd.<func>.work_cycles" / "cmd.<func>.rpcs".
void parse_cmd_key(Config& c, const std::string& key, const std::string& value) {
  const size_t dot = key.find('.', 4);
  uint64_t func = 0;
  if (dot == std::string::npos || !parse_uint(key.substr(4, dot - 4), func) || func > 0xFFFFFFFFu)
    throw std::invalid_argument(key + ": expected cmd.<func>.work_cycles or cmd.<func>.rpcs with <func> a 32-bit TA command id");
  const std::string field = key.substr(dot + 1);
  CmdConfig& cc = c.cmds.try_emplace(uint32_t(func), CmdConfig{c.default_work_cycles, 0}).first->second;
  uint64_t n = 0;
  double d = 0;
  if (field == "work_cycles") {
    if (!sim::parse_number(value, d) || d < 0) throw std::invalid_argument(key + ": expected a non-negative number of cycles");
    cc.work_cycles = d;
  } else if (field == "rpcs") {
    if (!parse_uint(value, n) || n > 1000000) throw std::invalid_argument(key + ": expected a whole number of RPCs (0..1000000)");
    cc.rpcs = uint32_t(n);
  } else {
    throw std::invalid_argument(key + ": expected cmd.<func>.work_cycles or cmd.<func>.rpcs");
  }
}

}  // namespace

CmdConfig Config::for_func(uint32_t func) const {
  auto it = cmds.find(func);
  return it != cmds.end() ? it->second : CmdConfig{default_work_cycles, 0};
}

Config parse_config(const std::map<std::string, std::string>& params) {
  Config c;
  // default_work_cycles first: cmd.<func> entries without work_cycles inherit it.
  if (auto it = params.find("default_work_cycles"); it != params.end()) {
    if (!sim::parse_number(it->second, c.default_work_cycles) || c.default_work_cycles < 0)
      throw std::invalid_argument("default_work_cycles: expected a non-negative number of cycles");
  }
  for (auto& [key, value] : params) {
    uint64_t n = 0;
    if (key == "default_work_cycles") continue;
    if (key == "threads") {
      if (!parse_uint(value, n) || n < 1 || n > 1024) throw std::invalid_argument("threads: expected a whole number of threads (1..1024)");
      c.threads = unsigned(n);
    } else if (key == "static_shm_base") {
      if (!parse_uint(value, n) || n % 4096) throw std::invalid_argument("static_shm_base: expected a 4 KiB-aligned physical address");
      c.shm_base = n;
    } else if (key == "static_shm_size") {
      if (!parse_uint(value, n) || n == 0) throw std::invalid_argument("static_shm_size: expected a size in bytes");
      c.shm_size = n;
    } else if (key.rfind("cmd.", 0) == 0) {
      parse_cmd_key(c, key, value);
    } else {
      throw std::invalid_argument(key + ": not an OP-TEE parameter (expected threads, default_work_cycles, "
                                  "cmd.<func>.work_cycles, cmd.<func>.rpcs, static_shm_base, static_shm_size)");
    }
  }
  return c;
}

OpteeVcpu::OpteeVcpu(OpteeState& s, unsigned index) : s_(s), index_(index) {
  component = s.env.component;
  start(body());
}

sim::CoContext::Call OpteeVcpu::call(const ArgRegs& a) {
  return Call{*this, s_.env.conduit == sim::Insn::HVC ? sim::Insn::HVC : sim::Insn::SMC, a};
}

void OpteeVcpu::panic(const std::string& why) const {
  throw std::runtime_error(s_.name + " vCPU " + std::to_string(index_) + ": panic: " + why);
}

Task<void> OpteeVcpu::body() {
  if (index_ == 0) {
    co_await spmc_init();
  } else {
    work(cycles(s_.t.secondary_boot_insns));
    if (s_.own_id >= 0) endpoint = s_.own_id;
  }
  // The end of initialisation; later messages arrive as the results of OP-TEE's own calls.
  ArgRegs msg = co_await call(ffa::regs(fid(Abi::MSG_WAIT)));
  for (;;) msg = co_await call(msg_recv(msg));
}

// spmc_init() of a non-SPMC build. Every failure panics, as OP-TEE does.
Task<void> OpteeVcpu::spmc_init() {
  work(cycles(s_.t.cold_boot_insns));
  const uint32_t my_vers = s_.env.manifest->ffa_version;
  ArgRegs r = co_await call(ffa::regs(fid(Abi::VERSION), my_vers));
  const uint32_t vers = uint32_t(r[0]);
  if (vers & (1u << 31)) panic("FF-A version failed with error " + hex(vers));
  if (((vers >> 16) & 0x7FFF) != ((my_vers >> 16) & 0x7FFF))
    panic("incompatible FF-A major version " + hex(vers) + ", expected " + hex(my_vers >> 16));
  s_.ffa_version = vers < my_vers ? vers : my_vers;

  if (s_.env.rx_buffer && s_.env.tx_buffer) {
    r = co_await call(ffa::regs(fid(Abi::RXTX_MAP, true), s_.env.tx_buffer, s_.env.rx_buffer, 1));
    if (!is_success(r[0])) panic("rxtx map failed: " + ffa::fid_name(r[0]) + " " + hex(r[2]));
  }
  r = co_await call(ffa::regs(fid(Abi::SPM_ID_GET)));
  if (!is_success(r[0])) panic("get spm id failed: " + ffa::fid_name(r[0]) + " " + hex(r[2]));
  s_.spmc_id = uint16_t(r[2]);

  r = co_await call(ffa::regs(fid(Abi::ID_GET)));
  if (!is_success(r[0])) panic("get id failed: " + ffa::fid_name(r[0]) + " " + hex(r[2]));
  s_.own_id = uint16_t(r[2]);
  endpoint = s_.own_id;

  r = co_await call(ffa::regs(fid(Abi::FEATURES), fid(Abi::NOTIFICATION_SET)));
  s_.notif_ready = is_success(r[0]);
}

ArgRegs OpteeVcpu::msg_recv(const ArgRegs& msg) {
  running_thread_ = -1;  // the previous call was made: no thread's work is in flight
  const uint64_t x0 = msg[0];
  if (x0 == fid(Abi::MSG_SEND_DIRECT_REQ) || x0 == fid(Abi::MSG_SEND_DIRECT_REQ, true))
    return direct_request(msg);
  if (x0 == fid(Abi::MSG_SEND_DIRECT_REQ2, true)) {
    // OP-TEE has no DIRECT_REQ2 handler (its manifest does not declare REQ2 reception, so an
    // SPMC following the binding refuses it first). Real OP-TEE would answer FFA_ERROR
    // (NOT_SUPPORTED) from its default case; the model answers DIRECT_RESP2 so that the
    // sender's call completes: x4 = TEE_ERROR_BAD_PARAMETERS, x5-x17 = 0.
    work(cycles(s_.t.fast_call_insns));
    const uint32_t w1 = uint32_t(msg[1]);
    return ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP2, true), uint32_t((w1 >> 16) | (w1 << 16)), 0, 0,
                     optee::TEE_ERROR_BAD_PARAMETERS);
  }
  work(cycles(s_.t.fast_call_insns));
  if (x0 == fid(Abi::INTERRUPT)) return ffa::regs(fid(Abi::MSG_WAIT));  // handled natively, then wait
  if (x0 == fid(Abi::ERROR)) panic("FFA_ERROR(" + hex(uint32_t(msg[2])) + ") from SPMC is fatal");
  return ffa::error(ffa::Error::NOT_SUPPORTED);  // "Unhandled FFA function ID"
}

ArgRegs OpteeVcpu::direct_request(const ArgRegs& msg) {
  const bool is64 = ffa::is_64bit(msg[0]);
  const uint32_t resp_fid = fid(Abi::MSG_SEND_DIRECT_RESP, is64);
  const uint32_t w1 = uint32_t(msg[1]);
  const uint32_t src_dst = (w1 >> 16) | (w1 << 16);  // swap_src_dst
  if (s_.own_id < 0) s_.own_id = w1 & 0xFFFF;
  if (endpoint < 0) endpoint = s_.own_id;
  if (uint32_t(msg[2]) & kFrameworkBit) return framework_request(msg, resp_fid, src_dst);
  if (uint32_t(msg[3]) & (1u << 31)) return yielding_call(msg, resp_fid, src_dst);
  return blocking_call(msg, resp_fid, src_dst);
}

// handle_framework_direct_request without CFG_NS_VIRTUALIZATION: only the version exchange is
// answered; VM created/destroyed, PSCI and the rest get FFA_ERROR(NOT_SUPPORTED).
ArgRegs OpteeVcpu::framework_request(const ArgRegs& msg, uint32_t resp_fid, uint32_t src_dst) {
  work(cycles(s_.t.fast_call_insns));
  if ((uint32_t(msg[2]) & 0xFF) != kFwkVersionReq) return ffa::error(ffa::Error::NOT_SUPPORTED);
  const uint32_t vers = uint32_t(msg[3]) < 0x10001u ? 0x10000u : 0x10001u;  // spmc_exchange_version
  return ffa::regs(resp_fid, src_dst, kFrameworkBit | kFwkVersionResp, vers);
}

ArgRegs OpteeVcpu::blocking_call(const ArgRegs& msg, uint32_t resp_fid, uint32_t src_dst) {
  work(cycles(s_.t.fast_call_insns));
  const uint32_t w3 = uint32_t(msg[3]);
  switch (w3) {
    case optee::GET_API_VERSION:
      return ffa::regs(resp_fid, src_dst, 0, optee::API_MAJOR, optee::API_MINOR, 0);
    case optee::GET_OS_VERSION:  // w5 = TEE_IMPL_GIT_SHA1 >> 32, 0 in a build without git
      return ffa::regs(resp_fid, src_dst, 0, optee::OS_MAJOR, optee::OS_MINOR, 0);
    case optee::EXCHANGE_CAPABILITIES: {
      uint32_t caps = optee::CAP_ARG_OFFSET;
      if (s_.notif_ready) caps |= optee::CAP_ASYNC_NOTIF;
      return ffa::regs(resp_fid, src_dst, 0, 0, optee::RPC_PARAMS, caps, 0);
    }
    case optee::UNREGISTER_SHM:
      // No FF-A shared memory is registered yet, and "not found" counts as success.
      return ffa::regs(resp_fid, src_dst, 0, 0);
    case optee::ENABLE_ASYNC_NOTIF:
      return ffa::regs(resp_fid, src_dst, 0, enable_async_notif(uint32_t(msg[4]), uint16_t(src_dst)));
    default:  // "Unhandled blocking service ID"
      return ffa::regs(resp_fid, src_dst, 0, optee::TEE_ERROR_BAD_PARAMETERS);
  }
}

// spmc_enable_async_notif. The NOTIF_EVENT_STARTED delivered to OP-TEE's own drivers afterwards
// makes no FF-A call and is not modelled.
uint32_t OpteeVcpu::enable_async_notif(uint32_t value, uint16_t vm_id) {
  if (!s_.notif_ready) return optee::TEE_ERROR_NOT_IMPLEMENTED;
  if (value >= optee::MAX_ASYNC_NOTIF_VALUE) return optee::TEE_ERROR_BAD_PARAMETERS;
  if (vm_id != 0) return optee::TEE_ERROR_BAD_PARAMETERS;  // no guest bitmaps without virtualization
  s_.bottom_half_value = value;
  return 0;
}

// The partition: one OpteeVcpu per execution context, sharing one thread pool.
class OpteeSp final : public SpModel {
 public:
  explicit OpteeSp(const SpEnv& env) {
    if (!env.manifest) throw std::invalid_argument("manifest: the OP-TEE SP needs its partition manifest");
    s_.env = env;
    s_.cfg = parse_config(env.params);
    if (env.profile) s_.t.load(*env.profile);
    s_.threads.resize(s_.cfg.threads);
    const char* d = env.manifest->description.empty() ? "op-tee" : env.manifest->description.c_str();
    s_.name = std::string(d) + (env.manifest->id ? " (" + hex(*env.manifest->id) + ")" : "");
    const unsigned n = env.manifest->execution_ctx_count ? env.manifest->execution_ctx_count : 1;
    for (unsigned i = 0; i < n; ++i) vcpus_.push_back(std::make_unique<OpteeVcpu>(s_, i));
  }
  sim::ExecContext& vcpu(unsigned index) override { return *vcpus_.at(index); }
  sim::ExceptionHandler* vector() override { return &vector_; }

 private:
  OpteeVector vector_;
  OpteeState s_;
  std::vector<std::unique_ptr<OpteeVcpu>> vcpus_;
};

}  // namespace optee_impl

std::unique_ptr<SpModel> make_optee_sp(const SpEnv& env) {
  return std::make_unique<optee_impl::OpteeSp>(env);
}

void declare_optee_params(sim::Profile& p) { OpteeTiming::declare(p); }

}  // namespace ffasim::sp
