// The scriptable test SP (see test_sp.h for the command vocabulary and the host protocol).
#include "models/sp_test/test_sp.h"

#include <cstdio>
#include <stdexcept>
#include <vector>

#include "models/ffa/abi.h"
#include "models/ffa/mem_descriptors.h"
#include "sim/core/coroutine.h"
#include "sim/core/pe.h"

namespace ffasim::sp {
namespace {

using ffa::Abi;
using ffa::fid;
using sim::ArgRegs;
using sim::Task;
using namespace test_sp;

constexpr uint32_t kFrameworkBit = 1u << 31;
// Framework message types (ffa-abi.md section 5.1): request -> response.
constexpr uint32_t kFwkPsciReq = 0, kFwkPsciResp = 2, kFwkVmCreatedReq = 4, kFwkVmDestroyedReq = 6;

bool is_success(uint64_t x0) { return x0 == fid(Abi::SUCCESS) || x0 == fid(Abi::SUCCESS, true); }

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

// Calls that give the vCPU's cycles away: what they return is the next message.
bool is_handoff(uint64_t x0) {
  return x0 == fid(Abi::MSG_SEND_DIRECT_RESP) || x0 == fid(Abi::MSG_SEND_DIRECT_RESP, true) ||
         x0 == fid(Abi::MSG_SEND_DIRECT_RESP2, true) || x0 == fid(Abi::MSG_WAIT);
}

struct TestSpState {
  SpEnv env;
  TestSpTiming t;
  int32_t own_id = -1;
  sim::HostChannel channel;
  bool host_busy = false;  // a vCPU is in host mode
  std::string name;
};

class TestSpVcpu : public sim::CoContext {
 public:
  TestSpVcpu(TestSpState& s, unsigned index) : s_(s), index_(index) {
    component = s.env.component;
    start(body());
  }

 private:
  double cycles(double insns) const { return pe().cycles_for_insns(insns); }

  // Every resume, whatever the call, is recorded for the host.
  Task<ArgRegs> issue(sim::Insn insn, ArgRegs a) {
    ArgRegs r = co_await Call{*this, insn, a};
    s_.channel.last_input = r;
    co_return r;
  }
  Task<ArgRegs> call(ArgRegs a) {
    const sim::Insn insn = s_.env.conduit == sim::Insn::HVC ? sim::Insn::HVC : sim::Insn::SMC;
    co_return co_await issue(insn, a);
  }

  Task<void> body() {
    if (index_ == 0) co_await boot();
    else work(cycles(s_.t.secondary_boot_insns));
    if (endpoint < 0 && s_.own_id >= 0) endpoint = s_.own_id;
    ArgRegs msg = co_await call(ffa::regs(fid(Abi::MSG_WAIT)));
    for (;;) {
      work(cycles(s_.t.command_insns));
      msg = co_await handle(msg);
    }
  }

  Task<void> boot() {
    work(cycles(s_.t.boot_insns));
    const uint32_t vers = s_.env.manifest->ffa_version;
    ArgRegs r = co_await call(ffa::regs(fid(Abi::VERSION), vers));
    if (uint32_t(r[0]) & (1u << 31)) fail("FFA_VERSION(" + hex(vers) + ") returned " + hex(uint32_t(r[0])));
    r = co_await call(ffa::regs(fid(Abi::ID_GET)));
    if (!is_success(r[0])) fail("FFA_ID_GET returned " + ffa::fid_name(r[0]) + " " + hex(r[2]));
    s_.own_id = uint16_t(r[2]);
    endpoint = s_.own_id;
    if (s_.env.rx_buffer && s_.env.tx_buffer) {
      r = co_await call(ffa::regs(fid(Abi::RXTX_MAP, true), s_.env.tx_buffer, s_.env.rx_buffer, 1));
      if (!is_success(r[0])) fail("FFA_RXTX_MAP_64 returned " + ffa::fid_name(r[0]) + " " + hex(r[2]));
    }
  }

  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error(s_.name + " vCPU " + std::to_string(index_) + ": " + why);
  }

  // Handles one message and makes the call that answers it; returns the next message.
  Task<ArgRegs> handle(ArgRegs m) {
    const uint64_t x0 = m[0];
    if (x0 == fid(Abi::MSG_SEND_DIRECT_REQ2, true)) {
      ArgRegs r = m;  // x4-x17 echoed
      r[0] = fid(Abi::MSG_SEND_DIRECT_RESP2, true);
      r[1] = swap(m[1]);
      r[2] = r[3] = 0;
      co_return co_await call(r);
    }
    if (x0 != fid(Abi::MSG_SEND_DIRECT_REQ) && x0 != fid(Abi::MSG_SEND_DIRECT_REQ, true))
      co_return co_await call(ffa::regs(fid(Abi::MSG_WAIT)));
    if (s_.own_id < 0) s_.own_id = uint16_t(m[1]);
    if (endpoint < 0) endpoint = s_.own_id;
    if (uint32_t(m[2]) & kFrameworkBit) co_return co_await call(framework_response(m));
    if ((m[3] & width_mask(m[0])) == CMD_HOST) co_return co_await host_mode(m);
    const ArgRegs answer = co_await command(m);
    co_return co_await call(answer);
  }

  // 32-bit calls carry w registers: the upper halves are not part of the message.
  static uint64_t width_mask(uint64_t x0) { return ffa::is_64bit(x0) ? ~0ull : 0xFFFFFFFFull; }
  static uint32_t swap(uint64_t w1) { return uint32_t((uint32_t(w1) >> 16) | (uint32_t(w1) << 16)); }

  static ArgRegs framework_response(const ArgRegs& m) {
    const uint32_t type = uint32_t(m[2]) & 0xFF;
    if (type != kFwkPsciReq && type != kFwkVmCreatedReq && type != kFwkVmDestroyedReq)
      return ffa::error(ffa::Error::NOT_SUPPORTED);
    const uint32_t resp = type == kFwkPsciReq ? kFwkPsciResp : type + 1;
    return ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP, ffa::is_64bit(m[0])), swap(m[1]), kFrameworkBit | resp, 0);
  }

  // A command of a DIRECT_REQ_32/64; returns the DIRECT_RESP of the same width.
  Task<ArgRegs> command(ArgRegs m) {
    const bool is64 = ffa::is_64bit(m[0]);
    const uint64_t mask = width_mask(m[0]);
    ArgRegs r = ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP, is64), swap(m[1]), 0, STATUS_OK);
    switch (m[3] & mask) {
      case CMD_ECHO:
        for (int i = 4; i <= 7; ++i) r[i] = m[i] & mask;
        break;
      case CMD_REQ_ECHO:
        co_await req_echo(m, r);
        break;
      case CMD_SLEEP:
        work(double(m[4] & mask));
        r[4] = m[4] & mask;
        break;
      case CMD_MEM_READ:
      case CMD_MEM_WRITE:
        memory(m, r);
        break;
      case CMD_MEM_RETRIEVE:
        co_await mem_retrieve(m, r);
        break;
      case CMD_MEM_RELINQUISH:
        co_await mem_relinquish(m, r);
        break;
      case CMD_ID_GET: {
        const ArgRegs id = co_await call(ffa::regs(fid(Abi::ID_GET)));
        if (is_success(id[0])) r[4] = uint16_t(id[2]);
        else r[3] = id[0] == fid(Abi::ERROR) ? uint32_t(id[2]) : STATUS_UNKNOWN;
        break;
      }
      case CMD_NOTIFICATION_SET: {
        const uint32_t w1 = uint32_t(uint16_t(s_.own_id)) << 16 | uint16_t(m[4]);
        const ArgRegs res = co_await call(ffa::regs(fid(Abi::NOTIFICATION_SET), w1, uint32_t(m[5]),
                                                    uint32_t(m[6]), uint32_t(m[7])));
        if (!is_success(res[0])) r[3] = res[0] == fid(Abi::ERROR) ? uint32_t(res[2]) : STATUS_UNKNOWN;
        break;
      }
      default:
        r[3] = STATUS_UNKNOWN;
    }
    co_return r;
  }

  // CMD_MEM_READ / CMD_MEM_WRITE: one 64-bit access through the stage 2.
  void memory(const ArgRegs& m, ArgRegs& r) {
    const uint64_t mask = width_mask(m[0]);
    if (!s_.env.memory.enabled()) {
      r[3] = STATUS_UNKNOWN;
      return;
    }
    const uint64_t addr = m[4] & mask;
    const bool ns = m[5] & 1;
    uint64_t value = m[6] & mask;
    const bool write = (m[3] & mask) == CMD_MEM_WRITE;
    const SpAccess a = write ? s_.env.memory.write(pe(), addr, &value, 8, ns) : s_.env.memory.read(pe(), addr, &value, 8, ns);
    if (a.fault.is_fault()) {
      r[3] = STATUS_DATA_ABORT;
      r[4] = sim::mmu::abort_esr(a.fault);
      r[5] = a.fault.ipa.value();
      r[6] = sim::mmu::hpfar_el2(a.fault) & mask;
    } else if (a.bus_error) {
      r[3] = STATUS_BUS_ERROR;
    } else if (!write) {
      r[4] = value & mask;
    }
  }

  // The status of a failed memory-management call: its FF-A error code, or STATUS_UNKNOWN.
  static uint64_t status_of(const ArgRegs& res) { return res[0] == fid(Abi::ERROR) ? uint32_t(res[2]) : STATUS_UNKNOWN; }

  bool put_tx(const std::vector<uint8_t>& b) {
    return s_.env.tx_buffer && pe().mem_write(s_.env.tx_buffer, b.data(), b.size(), sim::Security::Secure);
  }

  // CMD_MEM_RETRIEVE: one operation "mem.retrieve" from the request to the last RX release.
  Task<void> mem_retrieve(ArgRegs m, ArgRegs& r) {
    namespace mem = ffa::mem;
    const auto type = mem::Transaction(m[5] & 3);
    mem::Descriptor d;
    d.sender = ffa::EndpointId(uint16_t(m[6]));
    d.handle = m[4];
    d.flags = mem::type_flags(type);
    d.receivers = {mem::Emad{ffa::EndpointId(uint16_t(s_.own_id)), type == mem::Transaction::Share ? uint8_t(0) : mem::perm::kNX}};
    const std::vector<uint8_t> req = mem::build_retrieve_request(d, mem::Layout::V1_1);
    if (!put_tx(req)) {
      r[3] = STATUS_UNKNOWN;
      co_return;
    }
    const int64_t op = begin_op("mem.retrieve");
    ArgRegs res = co_await call(ffa::regs(fid(Abi::MEM_RETRIEVE_REQ), req.size(), req.size()));
    uint64_t total = 0, got = 0, fragments = 0;
    if (res[0] == fid(Abi::MEM_RETRIEVE_RESP)) {
      total = uint32_t(res[1]);
      got = uint32_t(res[2]);
      fragments = 1;
      for (;;) {
        res = co_await call(ffa::regs(fid(Abi::RX_RELEASE)));
        if (res[0] != fid(Abi::SUCCESS) || got >= total) break;
        res = co_await call(ffa::regs(fid(Abi::MEM_FRAG_RX), uint32_t(d.handle), uint32_t(d.handle >> 32), got));
        if (res[0] != fid(Abi::MEM_FRAG_TX)) break;
        got += uint32_t(res[3]);
        ++fragments;
      }
    }
    end_op(op);
    if (res[0] == fid(Abi::SUCCESS) && got == total) {
      r[4] = total;
      r[5] = fragments;
    } else {
      r[3] = status_of(res);
    }
  }

  // CMD_MEM_RELINQUISH: one operation "mem.relinquish".
  Task<void> mem_relinquish(ArgRegs m, ArgRegs& r) {
    if (!put_tx(ffa::mem::build_relinquish({m[4], 0, {ffa::EndpointId(uint16_t(s_.own_id))}}))) {
      r[3] = STATUS_UNKNOWN;
      co_return;
    }
    const int64_t op = begin_op("mem.relinquish");
    const ArgRegs res = co_await call(ffa::regs(fid(Abi::MEM_RELINQUISH)));
    end_op(op);
    if (res[0] != fid(Abi::SUCCESS)) r[3] = status_of(res);
  }

  // An operation span from when the work so far is done (the command's decode is not in it).
  int64_t begin_op(const char* name) {
    sim::Tracer* tr = s_.env.tracer;
    if (!tr) return -1;
    return tr->begin_operation(tr->operation_key(name), s_.own_id, -1, pe().id(), done_time(), component,
                               done_time() - pe().now());
  }
  void end_op(int64_t op) {
    if (s_.env.tracer && op >= 0)
      s_.env.tracer->end_operation(op, pe().id(), done_time(), 0, component, done_time() - pe().now());
  }

  // CMD_REQ_ECHO: x4 = target, x5-x7 its ECHO arguments.
  Task<void> req_echo(ArgRegs m, ArgRegs& r) {
    const bool is64 = ffa::is_64bit(m[0]);
    const uint64_t mask = width_mask(m[0]);
    const uint32_t w1 = uint32_t(uint16_t(s_.own_id)) << 16 | uint16_t(m[4]);
    ArgRegs res = co_await call(ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ, is64), w1, 0, CMD_ECHO,
                                          m[5] & mask, m[6] & mask, m[7] & mask));
    // The target was preempted: give it cycles until it answers.
    while (res[0] == fid(Abi::INTERRUPT)) res = co_await call(ffa::regs(fid(Abi::RUN), uint32_t(res[1])));
    if (res[0] == fid(Abi::MSG_SEND_DIRECT_RESP, is64)) {
      r[3] = STATUS_OK;
      for (int i = 4; i <= 6; ++i) r[i] = res[i] & mask;
    } else {
      r[3] = res[0] == fid(Abi::ERROR) ? uint32_t(res[2]) : STATUS_UNKNOWN;
    }
  }

  // CMD_HOST: issues host calls until a handoff; returns what the handoff returned.
  Task<ArgRegs> host_mode(ArgRegs m) {
    if (s_.host_busy) {
      ArgRegs r = ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP, ffa::is_64bit(m[0])), swap(m[1]), 0, STATUS_HOST_BUSY);
      co_return co_await call(r);
    }
    s_.host_busy = true;
    sim::HostChannel& ch = s_.channel;
    for (;;) {
      while (ch.queue.empty()) {
        ch.waiting = true;
        ch.pe = &pe();
        co_await wfi();
        ch.waiting = false;
      }
      const sim::HostCall c = ch.queue.front();
      ch.queue.pop_front();
      const ArgRegs r = co_await issue(c.insn, c.args);
      ch.last_result = r;
      ++ch.calls_done;
      // A refused handoff (FFA_ERROR) leaves the cycles with this vCPU: the host keeps it.
      if (is_handoff(c.args[0]) && r[0] != fid(Abi::ERROR)) {
        s_.host_busy = false;
        co_return r;
      }
    }
  }

  TestSpState& s_;
  unsigned index_;
};

class TestSp final : public SpModel {
 public:
  explicit TestSp(const SpEnv& env) {
    if (!env.manifest) throw std::invalid_argument("manifest: the test SP needs its partition manifest");
    if (!env.params.empty())
      throw std::invalid_argument(env.params.begin()->first + ": the test SP takes no parameters");
    s_.env = env;
    if (env.profile) s_.t.load(*env.profile);
    const char* d = env.manifest->description.empty() ? "test-sp" : env.manifest->description.c_str();
    s_.name = std::string(d) + (env.manifest->id ? " (" + hex(*env.manifest->id) + ")" : "");
    const unsigned n = env.manifest->execution_ctx_count ? env.manifest->execution_ctx_count : 1;
    for (unsigned i = 0; i < n; ++i) vcpus_.push_back(std::make_unique<TestSpVcpu>(s_, i));
  }
  sim::ExecContext& vcpu(unsigned index) override { return *vcpus_.at(index); }
  sim::HostChannel* host_channel() override { return &s_.channel; }

 private:
  TestSpState s_;
  std::vector<std::unique_ptr<TestSpVcpu>> vcpus_;
};

}  // namespace

std::unique_ptr<SpModel> make_test_sp(const SpEnv& env) { return std::make_unique<TestSp>(env); }

void declare_test_sp_params(sim::Profile& p) { TestSpTiming::declare(p); }

}  // namespace ffasim::sp
