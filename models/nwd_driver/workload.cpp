// The client workload: the threads a scenario runs on each PE once the drivers are up (the kinds
// and parameters are listed in nwd_kernel.h).
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>

#include "models/nwd_driver/nwd_internal.h"
#include "models/ffa/test_sp_protocol.h"
#include "sim/core/pe.h"

namespace ffasim::nwd::detail {

using ffa::Abi;
using ffa::fid;

namespace {

const std::map<std::string, std::set<std::string>>& kinds() {
  static const std::map<std::string, std::set<std::string>> k = {
      {"optee_invoke", {"func", "session", "think_cycles"}},
      {"direct_echo", {"target", "smc64", "think_cycles"}},
      {"direct_req2_echo", {"target", "think_cycles"}},
      {"ffa_version", {"think_cycles"}},
      {"id_get", {"think_cycles"}},
      {"psci_version", {"think_cycles"}},
      {"features", {"fid", "think_cycles"}},
      {"partition_info_get", {"think_cycles"}},
      {"mm_set_variable", {"size", "index", "attributes", "expect", "think_cycles"}},
      {"mm_get_variable", {"size", "index", "expect", "think_cycles"}},
      {"notification_set_get", {"target", "id", "delay_sri", "per_vcpu", "think_cycles"}},
      {"mem_share", {"target", "pages", "constituents", "op", "think_cycles"}},
  };
  return k;
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

void validate_params(const WorkloadItem& item, const std::string& key, const std::set<std::string>& allowed) {
  for (auto& [name, value] : item.params) {
    if (!allowed.count(name))
      throw std::invalid_argument(key + ".params." + name + ": not a parameter of " + item.kind + " (expected " +
                                  join(allowed) + ")");
    if (!(value >= 0) || value != double(uint64_t(value)))
      throw std::invalid_argument(key + ".params." + name + ": expected a non-negative whole number");
  }
  if (item.kind.find("echo") != std::string::npos || item.kind == "notification_set_get" || item.kind == "mem_share") {
    auto t = item.params.find("target");
    if (t == item.params.end() || t->second > 0xFFFF)
      throw std::invalid_argument(key + ".params.target: required, the FF-A ID of the partition to call");
  }
  if (item.params.count("smc64") && item.params.at("smc64") > 1)
    throw std::invalid_argument(key + ".params.smc64: expected 0 or 1");
  for (const char* flag : {"delay_sri", "per_vcpu"})
    if (item.params.count(flag) && item.params.at(flag) > 1)
      throw std::invalid_argument(key + ".params." + flag + ": expected 0 or 1");
  if (item.params.count("id") && item.params.at("id") > 63)
    throw std::invalid_argument(key + ".params.id: expected a notification ID from 0 to 63");
  if (item.kind == "mem_share") {
    const double pages = item_param(item, "pages", 1);
    if (pages < 1 || pages > 65536) throw std::invalid_argument(key + ".params.pages: expected 1 to 65536 pages");
    if (item_param(item, "constituents", 0) > 1)
      throw std::invalid_argument(key + ".params.constituents: expected 0 (contiguous) or 1 (scattered)");
    if (item_param(item, "op", 0) > 2)
      throw std::invalid_argument(key + ".params.op: expected 0 (share), 1 (lend) or 2 (donate)");
  }
}

}  // namespace

void validate_workload(const NwdConfig& cfg) {
  std::set<std::string> names;
  for (auto& [n, _] : kinds()) names.insert(n);
  for (size_t i = 0; i < cfg.workload.size(); ++i) {
    const WorkloadItem& item = cfg.workload[i];
    const std::string key = "workload[" + std::to_string(i) + "]";
    auto k = kinds().find(item.kind);
    if (k == kinds().end())
      throw std::invalid_argument(key + ".kind: unknown kind '" + item.kind + "' (expected one of " + join(names) + ")");
    if (item.pes.empty()) throw std::invalid_argument(key + ".pes: expected at least one PE");
    for (unsigned p : item.pes)
      if (p >= cfg.pe_count)
        throw std::invalid_argument(key + ".pes: PE " + std::to_string(p) + " does not exist (pe_count " +
                                    std::to_string(cfg.pe_count) + ")");
    validate_params(item, key, k->second);
    if (item.kind == "optee_invoke" && (cfg.optee_shm_base == 0 || cfg.optee_shm_size < kSlotSize * cfg.pe_count))
      throw std::invalid_argument("optee_shm_size: optee_invoke needs the static carve-out (optee_shm_base) with one "
                                  "4 KiB slot per PE, " + std::to_string(kSlotSize * cfg.pe_count) + " bytes");
    if (item.kind.rfind("mm_", 0) == 0 && (cfg.mm_shm_base == 0 || cfg.mm_shm_size / cfg.pe_count < kSlotSize))
      throw std::invalid_argument("mm_shm_size: " + item.kind + " needs the MM carve-out (mm_shm_base) with at least one "
                                  "4 KiB slot per PE, " + std::to_string(kSlotSize * cfg.pe_count) + " bytes");
    if (item.kind.rfind("mm_", 0) == 0 && !cfg.linux_driver)
      throw std::invalid_argument(key + ".kind: " + item.kind + " needs the FF-A driver (nwd.linux_driver) for discovery");
  }
}

bool uses_mm(const NwdConfig& cfg) {
  for (auto& item : cfg.workload)
    if (item.kind.rfind("mm_", 0) == 0) return true;
  return false;
}

double item_param(const WorkloadItem& item, const char* key, double def) {
  auto it = item.params.find(key);
  return it == item.params.end() ? def : it->second;
}

Task<void> NwdThread::run_workload() {
  for (const WorkloadItem& item : k_.cfg.workload)
    if (std::find(item.pes.begin(), item.pes.end(), index_) != item.pes.end()) co_await run_item(item);
}

Task<void> NwdThread::run_item(const WorkloadItem& item) {
  const double think = item_param(item, "think_cycles", 0);
  for (uint64_t n = 0; n < item.count; ++n) {
    spend_cycles(think);
    if (item.kind == "optee_invoke") {
      co_await optee_invoke(uint32_t(item_param(item, "func", 0)), uint32_t(item_param(item, "session", 1)));
      if (!k_.optee_ready) co_return;  // one error line, not one per call
    } else if (item.kind == "direct_echo") {
      co_await direct_echo(item, n);
    } else if (item.kind == "mm_set_variable" || item.kind == "mm_get_variable") {
      co_await mm_item(item, n);
      if (!k_.mm_ready) co_return;  // one error line, not one per call
    } else if (item.kind == "mem_share") {
      const bool ok = co_await mem_share(item);
      if (!ok) co_return;  // one error line, not one per call
    } else if (item.kind == "direct_req2_echo") {
      co_await direct_req2_echo(item, n);
    } else if (item.kind == "notification_set_get") {
      if (!co_await notification_set_get(item)) co_return;  // one error line, not one per call
    } else {
      co_await simple_call(item);
    }
  }
}

// DIRECT_REQ ECHO (test SP vocabulary) with a counter pattern in x4-x7; the answer must be x3 = 0
// and the same four values (32-bit requests carry w registers: the upper halves are dropped).
Task<bool> NwdThread::direct_echo(const WorkloadItem& item, uint64_t n) {
  if (&item != echo_item_) {  // the item's parameters, read once per item
    echo_item_ = &item;
    echo_smc64_ = item_param(item, "smc64", 0) != 0;
    echo_target_ = uint16_t(item_param(item, "target", 0));
  }
  const bool smc64 = echo_smc64_;
  const uint64_t mask = smc64 ? ~0ull : 0xFFFFFFFFull;
  ArgRegs call = ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ, smc64), src_dst(echo_target_), 0, ffa::test_sp::CMD_ECHO);
  for (int i = 4; i <= 7; ++i)
    call[i] = ((uint64_t(n + 1) << 32) | uint64_t(0xEC00 + index_) << 16 | uint16_t(n * 4 + i)) & mask;
  const ArgRegs r = co_await direct_req(call);
  if (r[0] != fid(Abi::MSG_SEND_DIRECT_RESP, smc64)) {
    error("direct_echo", call, r);
    co_return false;
  }
  bool same = (r[3] & mask) == ffa::test_sp::STATUS_OK;
  for (int i = 4; i <= 7; ++i) same = same && (r[i] & mask) == call[i];
  if (!same)
    error("direct_echo", "echo mismatch: sent x4-x7 " + hex(call[4]) + " " + hex(call[5]) + " " + hex(call[6]) + " " +
                             hex(call[7]) + ", got x3 " + hex(r[3]) + " x4-x7 " + hex(r[4]) + " " + hex(r[5]) + " " +
                             hex(r[6]) + " " + hex(r[7]));
  co_return same;
}

// DIRECT_REQ2 to the target's protocol UUID (NULL if discovery did not give one), x4-x17 a
// counter pattern that DIRECT_RESP2 must echo.
Task<bool> NwdThread::direct_req2_echo(const WorkloadItem& item, uint64_t n) {
  const uint16_t target = uint16_t(item_param(item, "target", 0));
  ffa::Uuid uuid;
  for (auto& d : k_.st.devices)
    if (d.id == target) uuid = d.uuid;
  const auto w = uuid.words();
  ArgRegs call = ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ2, true), src_dst(target), uint64_t(w[1]) << 32 | w[0],
                           uint64_t(w[3]) << 32 | w[2]);
  for (size_t i = 4; i < call.size(); ++i) call[i] = (uint64_t(n + 1) << 32) | uint64_t(0xE2 + index_) << 16 | i;
  const ArgRegs r = co_await direct_req(call);
  if (r[0] != fid(Abi::MSG_SEND_DIRECT_RESP2, true)) {
    error("direct_req2_echo", call, r);
    co_return false;
  }
  for (size_t i = 4; i < call.size(); ++i)
    if (r[i] != call[i]) {
      error("direct_req2_echo", "echo mismatch in x" + std::to_string(i) + ": sent " + hex(call[i]) + ", got " + hex(r[i]));
      co_return false;
    }
  co_return true;
}

// One notification round trip: the test SP sets `id` for this kernel (CMD_NOTIFICATION_SET; with
// per_vcpu, for this PE's vCPU), then the SRI handler runs here; the ID's callback must fire
// once. The first call binds the ID.
Task<bool> NwdThread::notification_set_get(const WorkloadItem& item) {
  const uint16_t target = uint16_t(item_param(item, "target", 0));
  const uint32_t id = uint32_t(item_param(item, "id", 1));
  const bool per_vcpu = item_param(item, "per_vcpu", 0) != 0;
  // FFA_NOTIFICATIONS_FLAG_DELAY_SRI, FFA_NOTIFICATIONS_FLAG_PER_VCPU with the vCPU ID in [31:16]
  uint32_t flags = item_param(item, "delay_sri", 1) != 0 ? 2u : 0u;
  if (per_vcpu) flags |= 1u | index_ << 16;
  if (!k_.st.notifications_enabled) {
    error("notification_set_get", "FF-A notifications are not enabled");
    co_return false;
  }
  if (!co_await notify_request(target, id, per_vcpu)) co_return false;
  sim::Tracer* tr = k_.env.tracer;
  const int64_t op = tr ? tr->begin_operation(k_.notif_key, 0, target, pe().id(), exact_now(), component,
                                              exact_now() - pe().now())
                        : -1;
  const uint64_t bit = 1ull << id;
  const uint64_t before = k_.st.notif_callbacks[id];
  const ArgRegs call = ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), src_dst(target), 0, ffa::test_sp::CMD_NOTIFICATION_SET,
                                 own_id(), flags, uint32_t(bit), uint32_t(bit >> 32));
  const ArgRegs r = co_await direct_req(call);
  bool ok = r[0] == fid(Abi::MSG_SEND_DIRECT_RESP) && uint32_t(r[3]) == ffa::test_sp::STATUS_OK;
  if (!ok) error("notification_set_get", call, r);
  if (ok) {
    co_await sri_handler();
    ok = k_.st.notif_callbacks[id] == before + 1;
    if (!ok) error("notification_set_get", "notification " + std::to_string(id) + " set by " + hex(target) +
                                               " did not reach its callback");
  }
  if (tr) tr->end_operation(op, pe().id(), exact_now(), ok ? 0 : 1, component, exact_now() - pe().now());
  co_return ok;
}

// The single-call kinds; each expects its ABI's success form.
Task<bool> NwdThread::simple_call(const WorkloadItem& item) {
  ArgRegs call;
  if (item.kind == "ffa_version") call = ffa::regs(fid(Abi::VERSION), k_.cfg.driver_version.raw());
  else if (item.kind == "id_get") call = ffa::regs(fid(Abi::ID_GET));
  else if (item.kind == "psci_version") call = ffa::regs(kPsciVersion);
  else if (item.kind == "features")
    call = ffa::regs(fid(Abi::FEATURES), uint32_t(item_param(item, "fid", fid(Abi::MSG_SEND_DIRECT_REQ))));
  else call = ffa::regs(fid(Abi::PARTITION_INFO_GET), 0, 0, 0, 0, 1);  // NULL UUID, count only
  const ArgRegs r = co_await ffa_call(call);
  bool ok;
  if (item.kind == "ffa_version" || item.kind == "psci_version") ok = !(uint32_t(r[0]) & (1u << 31));
  else if (item.kind == "features") ok = r[0] == fid(Abi::SUCCESS) || ffa::is_error(r, ffa::Error::NOT_SUPPORTED);
  else ok = r[0] == fid(Abi::SUCCESS);
  if (!ok) error(item.kind, call, r);
  co_return ok;
}

}  // namespace ffasim::nwd::detail
