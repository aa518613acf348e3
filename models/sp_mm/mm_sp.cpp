// The MM secure partition (see mm_sp.h for the protocol and the behaviour).
#include "models/sp_mm/mm_sp.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "models/ffa/abi.h"
#include "models/ffa/descriptors.h"
#include "models/sp_mm/variable_store.h"
#include "sim/core/coroutine.h"
#include "sim/core/pe.h"

namespace ffasim::sp {
namespace {

using ffa::Abi;
using ffa::fid;
using sim::ArgRegs;
using sim::Task;
namespace mm = ffa::mm;

constexpr uint32_t kFrameworkBit = 1u << 31;
constexpr uint32_t kFwkVmCreatedReq = 4, kFwkVmDestroyedReq = 6;  // ffa-abi.md section 5.1

bool is_success(uint64_t x0) { return x0 == fid(Abi::SUCCESS) || x0 == fid(Abi::SUCCESS, true); }

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

uint64_t get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

bool parse_uint(const std::string& text, uint64_t& out) {
  double d;
  if (!sim::parse_number(text, d) || d < 0 || d != double(uint64_t(d))) return false;
  out = uint64_t(d);
  return true;
}

struct MmSpConfig {
  uint64_t comm_base = 0, comm_size = 0;
};

struct MmSpState {
  SpEnv env;
  MmSpTiming t;
  MmSpConfig cfg;
  mm_store::VariableStoreState store;
  sim::Picos store_busy_until = 0;  // end of the commit in flight (the store lock)
  std::string name;
};

void parse_params(MmSpState& s, const std::map<std::string, std::string>& params) {
  uint64_t payload = 0;
  bool payload_set = false;
  s.store.capacity = 65536;
  s.store.max_variable_size = 32768;
  for (auto& [key, value] : params) {
    uint64_t n = 0;
    const bool ok = parse_uint(value, n);
    if (key == "comm_buffer_base") {
      if (!ok || n % 4096) throw std::invalid_argument("comm_buffer_base: expected a 4 KiB-aligned physical address");
      s.cfg.comm_base = n;
    } else if (key == "comm_buffer_size") {
      if (!ok || n < mm::PAYLOAD) throw std::invalid_argument("comm_buffer_size: expected a size in bytes of at least 40");
      s.cfg.comm_size = n;
    } else if (key == "store_size") {
      if (!ok || n == 0) throw std::invalid_argument("store_size: expected a positive number of bytes");
      s.store.capacity = n;
    } else if (key == "max_variable_size") {
      if (!ok || n < 4) throw std::invalid_argument("max_variable_size: expected a number of bytes of at least 4");
      s.store.max_variable_size = n;
    } else if (key == "max_payload_size") {
      if (!ok || n < mm::MM_VARIABLE_ACCESS_HEADER_SIZE + 0x20)
        throw std::invalid_argument("max_payload_size: expected at least 68 bytes (U-Boot's minimum)");
      payload = n;
      payload_set = true;
    } else {
      throw std::invalid_argument(key + ": not an MM SP parameter (expected comm_buffer_base, comm_buffer_size, "
                                        "store_size, max_variable_size, max_payload_size)");
    }
  }
  if (!s.cfg.comm_size || !s.cfg.comm_base)
    throw std::invalid_argument("comm_buffer_base: the MM SP needs the shared buffer (nwd.mm_shm_base and mm_shm_size)");
  s.store.max_payload_size = payload_set ? payload : s.store.max_variable_size + mm::MM_VARIABLE_ACCESS_HEADER_SIZE;
}

class MmSpVcpu : public sim::CoContext {
 public:
  MmSpVcpu(MmSpState& s, unsigned index) : s_(s), index_(index) {
    component = s.env.component;
    start(body());
  }

 private:
  double cycles(double insns) const { return pe().cycles_for_insns(insns); }
  double cycles_ns(double ns) const { return ns * 1000.0 / pe().period_ps(); }

  Call call(const ArgRegs& a) { return s_.env.conduit == sim::Insn::HVC ? hvc(a) : smc(a); }

  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error(s_.name + " vCPU " + std::to_string(index_) + ": " + why);
  }

  Task<void> body() {
    if (index_ == 0) {
      work(cycles(s_.t.boot_insns));
      const uint32_t vers = s_.env.manifest->ffa_version;
      ArgRegs r = co_await call(ffa::regs(fid(Abi::VERSION), vers));
      if (uint32_t(r[0]) & (1u << 31)) fail("FFA_VERSION(" + hex(vers) + ") returned " + hex(uint32_t(r[0])));
      r = co_await call(ffa::regs(fid(Abi::ID_GET)));
      if (!is_success(r[0])) fail("FFA_ID_GET returned " + ffa::fid_name(r[0]) + " " + hex(r[2]));
      endpoint = uint16_t(r[2]);
    } else {
      work(cycles(s_.t.secondary_boot_insns));
    }
    ArgRegs msg = co_await call(ffa::regs(fid(Abi::MSG_WAIT)));
    for (;;) {
      const ArgRegs answer = co_await handle(msg);
      msg = co_await call(answer);
    }
  }

  static uint32_t swap(uint64_t w1) { return uint32_t((uint32_t(w1) >> 16) | (uint32_t(w1) << 16)); }

  // The call that answers message `m`.
  Task<ArgRegs> handle(ArgRegs m) {
    const uint64_t x0 = m[0];
    if (x0 != fid(Abi::MSG_SEND_DIRECT_REQ) && x0 != fid(Abi::MSG_SEND_DIRECT_REQ, true))
      co_return ffa::regs(fid(Abi::MSG_WAIT));
    const bool is64 = ffa::is_64bit(x0);
    if (uint32_t(m[2]) & kFrameworkBit) {
      const uint32_t type = uint32_t(m[2]) & 0xFF;
      if (type != kFwkVmCreatedReq && type != kFwkVmDestroyedReq) co_return ffa::error(ffa::Error::NOT_SUPPORTED);
      co_return ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP, is64), swap(m[1]), kFrameworkBit | (type + 1), 0);
    }
    const uint64_t offset = is64 ? m[3] : uint32_t(m[3]);
    const int32_t rc = co_await communicate(offset);
    const uint64_t x3 = is64 ? uint64_t(int64_t(rc)) : uint32_t(rc);
    co_return ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP, is64), swap(m[1]), 0, x3);
  }

  // One MM communicate request whose header is at `offset` in the carve-out.
  Task<int32_t> communicate(uint64_t offset) {
    work(cycles(s_.t.request_insns));
    const uint64_t size = s_.cfg.comm_size;
    if (offset > size || size - offset < mm::MM_COMMUNICATE_HEADER_SIZE) co_return mm::MM_INVALID_PARAMETER;
    const uint64_t hdr_pa = s_.cfg.comm_base + offset;
    uint8_t hdr[mm::MM_COMMUNICATE_HEADER_SIZE];
    if (!pe().mem_read(hdr_pa, hdr, sizeof hdr, sim::Security::NonSecure)) co_return mm::MM_INVALID_PARAMETER;
    const uint64_t len = get64(hdr + mm::HDR_MESSAGE_LEN);
    if (len > size - offset - mm::MM_COMMUNICATE_HEADER_SIZE) co_return mm::MM_INVALID_PARAMETER;
    mm::Guid guid;
    std::copy(hdr, hdr + 16, guid.bytes);
    if (!(guid == mm::VARIABLE_GUID)) co_return mm::MM_NOT_SUPPORTED;
    std::vector<uint8_t> msg(len);
    const uint64_t msg_pa = hdr_pa + mm::MM_COMMUNICATE_HEADER_SIZE;
    if (len && !pe().mem_read(msg_pa, msg.data(), len, sim::Security::NonSecure)) co_return mm::MM_INVALID_PARAMETER;
    mm_store::Work w;
    const int32_t rc = mm_store::handle_message(s_.store, msg, w);
    if (rc != mm::MM_SUCCESS) co_return rc;
    work(cycles(s_.t.lookup_insns_per_variable * double(w.variables_scanned) + s_.t.insns_per_byte * double(w.bytes_moved)));
    if (w.commit) commit(w.commit_bytes);
    uint8_t out_len[8];
    for (int i = 0; i < 8; ++i) out_len[i] = uint8_t(uint64_t(msg.size()) >> (8 * i));
    pe().mem_write(hdr_pa + mm::HDR_MESSAGE_LEN, out_len, sizeof out_len, sim::Security::NonSecure);
    if (!msg.empty()) pe().mem_write(msg_pa, msg.data(), msg.size(), sim::Security::NonSecure);
    co_return mm::MM_SUCCESS;
  }

  // Writes `bytes` back to the store, after any commit in flight (the store lock).
  void commit(uint64_t bytes) {
    const sim::Picos now = done_time();
    const sim::Picos start = std::max(now, s_.store_busy_until);
    const double ns = s_.t.commit_ns + s_.t.commit_ns_per_byte * double(bytes);
    s_.store_busy_until = start + sim::Picos(ns * 1000.0);
    work(double(start - now) / pe().period_ps() + cycles_ns(ns));
  }

  MmSpState& s_;
  unsigned index_;
};

// A manifest that cannot be an MM partition is a user mistake: one line naming the file and key.
void check_manifest(const spmc::PartitionManifest& m) {
  bool has_uuid = false;
  for (auto& u : m.uuids) has_uuid = has_uuid || u == mm::sp_uuid();
  if (!has_uuid)
    throw std::runtime_error(m.file + ": uuid: an MM partition needs the MM service UUID " + mm::sp_uuid().str() +
                             " (uuid = <0xed32d533 0x99e64209 0x9cc02d72 0xcdd998a7>), got " +
                             (m.uuids.empty() ? std::string("none") : m.uuids.front().str()));
  const uint32_t mm_bits = m.messaging_method.empty() ? 0 : m.messaging_method.front();
  if (!(mm_bits & ffa::messaging_method::kDirectReqRecv))
    throw std::runtime_error(m.file + ": messaging-method: an MM partition must receive FFA_MSG_SEND_DIRECT_REQ "
                             "(bit 0), got " + hex(mm_bits));
}

class MmSp final : public SpModel {
 public:
  explicit MmSp(const SpEnv& env) {
    if (!env.manifest) throw std::invalid_argument("manifest: the MM SP needs its partition manifest");
    check_manifest(*env.manifest);
    s_.env = env;
    parse_params(s_, env.params);
    if (env.profile) s_.t.load(*env.profile);
    const char* d = env.manifest->description.empty() ? "mm-sp" : env.manifest->description.c_str();
    s_.name = std::string(d) + (env.manifest->id ? " (" + hex(*env.manifest->id) + ")" : "");
    const unsigned n = env.manifest->execution_ctx_count ? env.manifest->execution_ctx_count : 1;
    for (unsigned i = 0; i < n; ++i) vcpus_.push_back(std::make_unique<MmSpVcpu>(s_, i));
  }
  sim::ExecContext& vcpu(unsigned index) override { return *vcpus_.at(index); }

 private:
  MmSpState s_;
  std::vector<std::unique_ptr<MmSpVcpu>> vcpus_;
};

}  // namespace

std::unique_ptr<SpModel> make_mm_sp(const SpEnv& env) { return std::make_unique<MmSp>(env); }

void declare_mm_sp_params(sim::Profile& p) { MmSpTiming::declare(p); }

}  // namespace ffasim::sp
