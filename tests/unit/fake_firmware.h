// A scripted stand-in for the SPMD + SPMC, for testing the behavioural software models (OP-TEE SP,
// test SP, NWd kernel) without the real firmware models. It is one EL3 ExceptionHandler that
//   - on Reset boots, on that PE, every SP that has a vCPU for it (entering vCPU <pe> at S-EL1
//     until its FFA_MSG_WAIT), then enters the NWd kernel at NS-EL1;
//   - routes direct requests (NWd -> SP, SP -> SP) into the target SP's vCPU on the same PE and
//     the responses back to the caller, like a world switch plus SPMC dispatch;
//   - answers every other call from a small script (version, IDs, features, partition info,
//     RX/TX map, notification ABIs, PSCI CPU_ON/VERSION), which tests adjust through hooks;
//   - records every call it takes, in order.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <vector>

#include "models/ffa/abi.h"
#include "models/ffa/descriptors.h"
#include "models/nwd_driver/nwd_kernel.h"
#include "models/sp_common/sp_env.h"
#include "sim/core/platform.h"

namespace ffasim::test {

using sim::ArgRegs;

struct FakeSp {
  uint16_t id = 0;
  sp::SpModel* model = nullptr;
  uint16_t exec_ctx = 1;
  ffa::Uuid uuid;
  uint32_t properties = 0x303;  // direct req recv + send, AArch64, REQ2 recv
};

struct LoggedCall {
  sim::PeId pe;
  int32_t caller;  // 0 = the normal world, else the SP's ID
  ArgRegs regs;
};

class FakeFirmware : public sim::ExceptionHandler {
 public:
  static constexpr uint32_t kPsciVersion = 0x84000000u, kPsciCpuOn64 = 0xC4000003u;

  explicit FakeFirmware(sim::Platform& plat) : plat_(plat), stack_(plat.pe_count()), booting_(plat.pe_count()) {}

  nwd::NwdKernel* nwd = nullptr;
  std::vector<FakeSp> sps;
  std::vector<LoggedCall> calls;
  std::set<uint64_t> features;       // FFA_FEATURES IDs answered FFA_SUCCESS (w2 = 0)
  uint32_t version = 0x10002;        // FFA_VERSION answer
  uint32_t partition_desc_size = 24; // 24 (v1.1/v1.2) or 48 (v1.3) byte descriptors
  // Called first for every NWd / SP call the firmware itself answers; a value overrides the script.
  std::function<std::optional<ArgRegs>(const ArgRegs&)> nwd_hook, sp_hook;
  uint64_t nwd_rx = 0, nwd_tx = 0;

  sim::Step take(sim::Pe& pe, const sim::ExceptionInfo& e) override {
    if (e.kind == sim::ExceptionKind::Reset) {
      auto& q = booting_[pe.id()];
      q.clear();
      for (auto& sp : sps)
        if (sp.model && pe.id() < sp.exec_ctx) q.push_back(&sp);
      return next_boot(pe);
    }
    const ArgRegs a = pe.args();
    if (e.from_security == sim::Security::NonSecure) {
      calls.push_back({pe.id(), 0, a});
      return from_nwd(pe, a);
    }
    calls.push_back({pe.id(), stack_[pe.id()].back(), a});
    return from_sp(pe, a);
  }

  // The calls one endpoint made, in order.
  std::vector<ArgRegs> calls_of(int32_t caller, int pe = -1) const {
    std::vector<ArgRegs> out;
    for (auto& c : calls)
      if (c.caller == caller && (pe < 0 || c.pe == pe)) out.push_back(c.regs);
    return out;
  }
  FakeSp* find(uint16_t id) {
    for (auto& sp : sps)
      if (sp.id == id) return &sp;
    return nullptr;
  }

 private:
  static bool one_of(uint64_t x0, std::initializer_list<uint32_t> fids) {
    for (uint32_t f : fids)
      if (x0 == f) return true;
    return false;
  }
  static uint32_t fid(ffa::Abi a, bool smc64 = false) { return ffa::fid(a, smc64); }
  bool is_request(uint64_t x0) const {
    return one_of(x0, {fid(ffa::Abi::MSG_SEND_DIRECT_REQ), fid(ffa::Abi::MSG_SEND_DIRECT_REQ, true),
                       fid(ffa::Abi::MSG_SEND_DIRECT_REQ2, true)});
  }

  sim::Step enter(sim::Pe& pe, sim::Security sec, sim::ExecContext* ctx, const ArgRegs& args) {
    auto& s = pe.state();
    if (sec == sim::Security::NonSecure) s.scr_el3 |= sim::scr::NS;
    else s.scr_el3 &= ~sim::scr::NS;
    sim::Pstate p;
    p.el = sim::El::EL1;
    p.sp_sel = true;
    p.daif = 0;
    s.spsr_el[3] = p.to_spsr();
    pe.set_context(sim::El::EL1, sec, ctx);
    pe.set_args(args);
    return sim::Step{0, sim::Insn::ERET, 0};
  }
  sim::Step enter_sp(sim::Pe& pe, uint16_t id, const ArgRegs& args) {
    return enter(pe, sim::Security::Secure, &find(id)->model->vcpu(pe.id()), args);
  }
  sim::Step enter_nwd(sim::Pe& pe, const ArgRegs& args) {
    if (!nwd) throw std::logic_error("fake firmware: no normal world to enter");
    return enter(pe, sim::Security::NonSecure, &nwd->context(pe.id()), args);
  }

  sim::Step next_boot(sim::Pe& pe) {
    auto& q = booting_[pe.id()];
    auto& st = stack_[pe.id()];
    st.clear();
    if (!q.empty()) {
      st.push_back(q.front()->id);
      return enter_sp(pe, q.front()->id, ArgRegs{});
    }
    st.push_back(0);
    return enter_nwd(pe, ArgRegs{});
  }

  sim::Step from_sp(sim::Pe& pe, const ArgRegs& a) {
    auto& st = stack_[pe.id()];
    const uint16_t who = uint16_t(st.back());
    auto& q = booting_[pe.id()];
    if (!q.empty() && q.front()->id == who) {
      if (a[0] == fid(ffa::Abi::MSG_WAIT)) {
        q.pop_front();
        return next_boot(pe);
      }
      return enter_sp(pe, who, sp_service(who, a));
    }
    if (one_of(a[0], {fid(ffa::Abi::MSG_SEND_DIRECT_RESP), fid(ffa::Abi::MSG_SEND_DIRECT_RESP, true),
                      fid(ffa::Abi::MSG_SEND_DIRECT_RESP2, true), fid(ffa::Abi::ERROR)})) {
      st.pop_back();
      if (st.back() == 0) return enter_nwd(pe, a);
      return enter_sp(pe, uint16_t(st.back()), a);
    }
    if (is_request(a[0])) {
      const uint16_t target = uint16_t(a[1]);
      if (!find(target)) return enter_sp(pe, who, ffa::error(ffa::Error::INVALID_PARAMETERS));
      st.push_back(target);
      return enter_sp(pe, target, a);
    }
    return enter_sp(pe, who, sp_service(who, a));
  }

  ArgRegs sp_service(uint16_t who, const ArgRegs& a) {
    if (sp_hook)
      if (auto r = sp_hook(a)) return *r;
    using ffa::Abi;
    if (a[0] == fid(Abi::VERSION)) return ffa::regs(version);
    if (a[0] == fid(Abi::ID_GET)) return ffa::success(who);
    if (a[0] == fid(Abi::SPM_ID_GET)) return ffa::success(0x8000);
    if (a[0] == fid(Abi::RXTX_MAP, true)) return ffa::success();
    if (a[0] == fid(Abi::FEATURES)) return features.count(uint32_t(a[1])) ? ffa::success() : ffa::error(ffa::Error::NOT_SUPPORTED);
    return ffa::error(ffa::Error::NOT_SUPPORTED);
  }

  sim::Step from_nwd(sim::Pe& pe, const ArgRegs& a) {
    if (nwd_hook)
      if (auto r = nwd_hook(a)) return enter_nwd(pe, *r);
    if (is_request(a[0])) {
      const uint16_t target = uint16_t(a[1]);
      if (!find(target) || !find(target)->model) return enter_nwd(pe, ffa::error(ffa::Error::INVALID_PARAMETERS));
      stack_[pe.id()].push_back(target);
      return enter_sp(pe, target, a);
    }
    return enter_nwd(pe, nwd_service(pe, a));
  }

  ArgRegs nwd_service(sim::Pe& pe, const ArgRegs& a) {
    using ffa::Abi;
    const uint64_t x0 = a[0];
    if (x0 == fid(Abi::VERSION)) return ffa::regs(version);
    if (x0 == fid(Abi::ID_GET)) return ffa::success(0);
    if (x0 == fid(Abi::FEATURES)) return features.count(uint32_t(a[1])) ? ffa::success() : ffa::error(ffa::Error::NOT_SUPPORTED);
    if (x0 == fid(Abi::RXTX_MAP, true)) {
      nwd_tx = a[1];
      nwd_rx = a[2];
      return ffa::success();
    }
    if (x0 == fid(Abi::PARTITION_INFO_GET)) return partition_info_get(a);
    if (x0 == fid(Abi::PARTITION_INFO_GET_REGS, true)) return partition_info_get_regs(a);
    if (one_of(x0, {fid(Abi::RX_RELEASE), fid(Abi::RXTX_UNMAP), fid(Abi::NOTIFICATION_BITMAP_CREATE),
                    fid(Abi::NOTIFICATION_BITMAP_DESTROY), fid(Abi::NOTIFICATION_BIND),
                    fid(Abi::NOTIFICATION_UNBIND)}))
      return ffa::success();
    if (x0 == kPsciVersion) return ffa::regs(0x10001);
    if (x0 == kPsciCpuOn64) {
      const int target = plat_.pe_for_mpidr(a[1]);
      if (target < 0) return ffa::regs(uint64_t(int64_t(-2)));  // PSCI_E_INVALID_PARAMS
      plat_.pe(sim::PeId(target)).power_on(pe.now());
      return ffa::regs(0);
    }
    return ffa::error(ffa::Error::NOT_SUPPORTED);
  }

  ffa::PartitionInfo info(const FakeSp& sp) const {
    ffa::PartitionInfo p;
    p.id = ffa::EndpointId(sp.id);
    p.exec_ctx_count = sp.exec_ctx;
    p.properties = sp.properties;
    p.uuid = sp.uuid;
    p.ffa_version = 0x10002;
    return p;
  }

  ArgRegs partition_info_get(const ArgRegs& a) {
    const bool count_only = a[5] & 1;
    const ffa::Uuid want = ffa::Uuid::from_words(uint32_t(a[1]), uint32_t(a[2]), uint32_t(a[3]), uint32_t(a[4]));
    std::vector<uint8_t> out;
    uint32_t count = 0;
    for (auto& sp : sps)
      if (want.is_null() || want == sp.uuid) {
        ++count;
        ffa::write_partition_info(out, info(sp), partition_desc_size);
      }
    if (!count) return ffa::error(ffa::Error::INVALID_PARAMETERS);
    if (count_only) return ffa::success(count);
    plat_.memory().write(nwd_rx, out.data(), out.size(), sim::Security::NonSecure);
    return ffa::success(count, partition_desc_size);
  }

  // NULL UUID only; 24-byte entries (3 registers, up to 5 a call) or 48-byte (6, up to 2).
  ArgRegs partition_info_get_regs(const ArgRegs& a) {
    const uint32_t start = uint32_t(a[3] & 0xFFFF), n = uint32_t(sps.size());
    if (start >= n) return ffa::error(ffa::Error::INVALID_PARAMETERS);
    const uint32_t regs_each = partition_desc_size / 8, per_call = 15 / regs_each;
    const uint32_t cur = std::min(n - 1, start + per_call - 1);
    ArgRegs r{};
    r[0] = fid(ffa::Abi::SUCCESS, true);
    r[2] = uint64_t(n - 1) | uint64_t(cur) << 16 | uint64_t(partition_desc_size) << 48;
    for (uint32_t i = start; i <= cur; ++i) {
      const FakeSp& sp = sps[i];
      const size_t b = 3 + size_t(i - start) * regs_each;
      r[b] = sp.id | uint64_t(sp.exec_ctx) << 16 | uint64_t(sp.properties) << 32;
      const auto w = sp.uuid.words();
      r[b + 1] = uint64_t(w[1]) << 32 | w[0];
      r[b + 2] = uint64_t(w[3]) << 32 | w[2];
      if (regs_each == 6) r[b + 5] = 0x10002;
    }
    return r;
  }

  sim::Platform& plat_;
  std::vector<std::vector<int32_t>> stack_;     // per PE: the running endpoint and its callers
  std::vector<std::deque<FakeSp*>> booting_;    // per PE: SPs still to boot there
};

}  // namespace ffasim::test
