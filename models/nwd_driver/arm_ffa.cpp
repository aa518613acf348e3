// The Linux arm_ffa driver's probe (drivers/firmware/arm_ffa/driver.c, ffa_init), call for call.
// Facts: ../shared/reference/ffa-abi.md sections 1.2, 2, 3 and 7.5.
#include <algorithm>
#include <cstdio>

#include "models/nwd_driver/nwd_internal.h"
#include "sim/core/memory.h"
#include "sim/core/pe.h"

namespace ffasim::nwd::detail {

using ffa::Abi;
using ffa::fid;

namespace {

constexpr int32_t kNotSupported = int32_t(ffa::Error::NOT_SUPPORTED);
constexpr uint32_t kFeatNpi = 1, kFeatSri = 2;  // FFA_FEAT_NOTIFICATION_PENDING_INT, _SCHEDULE_RECEIVER_INT
constexpr uint32_t kCountOnly = 1;              // PARTITION_INFO_GET_RETURN_COUNT_ONLY

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

// A partition information descriptor (8, 24 or 48 bytes) as Linux copies it: ID, execution
// contexts, properties, and the protocol UUID when the descriptor has one.
DriverState::Device parse_descriptor(const uint8_t* d, uint32_t size) {
  DriverState::Device dev{};
  dev.id = uint16_t(d[0] | d[1] << 8);
  dev.exec_ctx = uint16_t(d[2] | d[3] << 8);
  dev.properties = uint32_t(d[4] | d[5] << 8 | d[6] << 16 | uint32_t(d[7]) << 24);
  if (size >= 24) std::copy(d + 8, d + 24, dev.uuid.bytes.begin());
  return dev;
}

}  // namespace

Task<bool> NwdThread::arm_ffa_probe() {
  const bool version_ok = co_await version_check();
  if (!version_ok) co_return false;
  const ArgRegs call = ffa::regs(fid(Abi::ID_GET));
  const ArgRegs r = co_await ffa_call(call);
  if (r[0] == fid(Abi::ERROR)) {
    error("ffa_init", call, r);  // "failed to obtain VM id for self"
    co_return false;
  }
  k_.st.own_id = uint16_t(r[2]);
  const bool mapped = co_await rxtx_setup();
  if (!mapped) co_return false;
  co_await drvinfo_flags_init();
  co_await notifications_setup();
  const bool found = co_await setup_partitions();
  if (found) co_return true;
  // ffa_init's failure path: undo the notifications and the buffers.
  co_await notifications_cleanup();
  const ArgRegs unmap = ffa::regs(fid(Abi::RXTX_UNMAP));
  const ArgRegs u = co_await ffa_call(unmap);
  if (u[0] == fid(Abi::ERROR)) error("ffa_init", unmap, u);
  co_return false;
}

// ffa_version_check + ffa_compatible_version_find.
Task<bool> NwdThread::version_check() {
  const uint32_t drv = k_.cfg.driver_version.raw();
  const ArgRegs call = ffa::regs(fid(Abi::VERSION), drv);
  const ArgRegs r = co_await ffa_call(call);
  const uint32_t v = uint32_t(r[0]);
  k_.st.firmware_version = v;
  if (int32_t(v) == kNotSupported) {
    error("ffa_version_check", "FFA_VERSION returned NOT_SUPPORTED");
    co_return false;
  }
  const uint32_t major = (v >> 16) & 0x7FFF, minor = v & 0xFFFF;
  if (major > k_.cfg.driver_version.major || v < ffa::kV1_0.raw()) {
    error("ffa_version_check", "incompatible firmware version " + hex(v) + " (driver " + hex(drv) + ")");
    co_return false;
  }
  const bool lower = major < k_.cfg.driver_version.major || minor <= k_.cfg.driver_version.minor;
  k_.st.ffa_version = lower ? v : drv;
  co_return true;
}

// FFA_FEATURES(id, 0): 0, or the FF-A error code. Any result other than FFA_ERROR is success.
Task<int> NwdThread::features(uint32_t id, uint32_t* w2) {
  const ArgRegs r = co_await ffa_call(ffa::regs(fid(Abi::FEATURES), id, 0));
  if (r[0] == fid(Abi::ERROR)) co_return int32_t(uint32_t(r[2]));
  if (w2) *w2 = uint32_t(r[2]);
  co_return 0;
}

// RX/TX buffers of the minimum size FFA_FEATURES(RXTX_MAP_64) asks for (bits[1:0]: 0 = 4 KiB,
// 1 = 64 KiB, 2 = 16 KiB), or rxtx_pages if that is larger; RX is allocated first, as in Linux.
Task<bool> NwdThread::rxtx_setup() {
  uint32_t props = 0;
  uint32_t min_pages = 1;
  const int rc = co_await features(fid(Abi::RXTX_MAP, true), &props);
  if (rc == 0)
    min_pages = (props & 3) == 1 ? 16 : (props & 3) == 2 ? 4 : 1;
  const uint32_t pages = std::max(k_.cfg.rxtx_pages, min_pages);
  spend_insns(k_.t.rxtx_alloc_insns);
  sim::Memory& mem = *k_.env.memory;
  const uint64_t rx = mem.allocate(4096ull * pages, 4096, sim::Security::NonSecure, "nwd rx");
  const uint64_t tx = rx ? mem.allocate(4096ull * pages, 4096, sim::Security::NonSecure, "nwd tx") : 0;
  if (!rx || !tx) {
    if (rx) mem.release(rx, sim::Security::NonSecure);
    error("ffa_init", "no non-secure memory for " + std::to_string(pages) + "-page RX/TX buffers");
    co_return false;
  }
  const ArgRegs call = ffa::regs(fid(Abi::RXTX_MAP, true), tx, rx, pages);
  const ArgRegs r = co_await ffa_call(call);
  if (r[0] == fid(Abi::ERROR)) {
    error("ffa_rxtx_map", call, r);
    mem.release(tx, sim::Security::NonSecure);
    mem.release(rx, sim::Security::NonSecure);
    co_return false;
  }
  k_.st.rx = rx;
  k_.st.tx = tx;
  k_.st.rxtx_pages = pages;
  co_return true;
}

// ffa_drvinfo_flags_init: the second query of each pair is made only if the first one failed.
Task<void> NwdThread::drvinfo_flags_init() {
  int rc = co_await features(fid(Abi::MEM_LEND, true));
  if (rc != 0) rc = co_await features(fid(Abi::MEM_SHARE, true));
  k_.mem_ops_native = rc == 0;
  rc = co_await features(fid(Abi::MSG_SEND_DIRECT_REQ2, true));
  if (rc != 0) rc = co_await features(fid(Abi::MSG_SEND_DIRECT_RESP2, true));
  k_.msg_direct_req2_supp = rc == 0;
}

// ffa_notifications_setup: bitmap (if the SPMC offers it), then the SRI and NPI interrupt IDs.
// Without either interrupt notifications stay disabled (a pr_info in Linux, not an error).
Task<void> NwdThread::notifications_setup() {
  const int create_rc = co_await features(fid(Abi::NOTIFICATION_BITMAP_CREATE));
  if (create_rc == 0) {
    const ArgRegs call = ffa::regs(fid(Abi::NOTIFICATION_BITMAP_CREATE), own_id(), k_.cfg.pe_count);
    const ArgRegs r = co_await ffa_call(call);
    if (r[0] == fid(Abi::ERROR)) {
      error("ffa_notifications_setup", call, r);  // "Notification bitmap create error"
      co_return;
    }
    k_.bitmap_created = true;
  }
  bool have_irq = false;
  for (uint32_t feat : {kFeatSri, kFeatNpi}) {  // ffa_irq_map
    uint32_t intid = 0;
    const int rc = co_await features(feat, &intid);
    if (rc == 0) have_irq = true;
    else if (rc != kNotSupported)
      error("ffa_irq_map", "FFA_FEATURES(" + std::to_string(feat) + ") returned error " + std::to_string(rc));
  }
  if (!have_irq) {
    co_await notifications_cleanup();
    co_return;
  }
  k_.st.notifications_enabled = true;
}

Task<void> NwdThread::notifications_cleanup() {
  if (k_.bitmap_created) {
    const ArgRegs call = ffa::regs(fid(Abi::NOTIFICATION_BITMAP_DESTROY), own_id());
    const ArgRegs r = co_await ffa_call(call);
    if (r[0] == fid(Abi::ERROR)) error("ffa_notifications_cleanup", call, r);
    k_.bitmap_created = false;
  }
  k_.st.notifications_enabled = false;
}

// ffa_setup_partitions: discovery with the NULL UUID, one device per descriptor. FF-A v1.0
// descriptors carry no UUID: the bus then asks, for each device, which partitions have the
// optee driver's UUID (ffa_device_match_uuid).
Task<bool> NwdThread::setup_partitions() {
  std::vector<DriverState::Device> found;
  const int count = co_await partition_probe(ffa::Uuid{}, &found);
  if (count <= 0) {
    error("ffa_setup_partitions", "no partitions found");
    co_return false;
  }
  for (auto& d : found) {
    spend_insns(k_.t.device_register_insns);
    k_.st.devices.push_back(d);
  }
  if (k_.st.ffa_version == ffa::kV1_0.raw()) {
    for (auto& d : k_.st.devices) {
      if (!d.uuid.is_null()) continue;
      std::vector<DriverState::Device> match;
      const int n = co_await partition_probe(optee_uuid(), &match);
      if (n <= 0) continue;
      for (auto& m : match)
        if (m.id == d.id) d.uuid = optee_uuid();
    }
  }
  for (auto& d : k_.st.devices)
    if (!k_.st.optee_found && d.uuid == optee_uuid()) {
      k_.st.optee_found = true;
      k_.st.optee_id = d.id;
    }
  co_return true;
}

// ffa_partition_probe: the register form if FFA_FEATURES offers it, else the RX-buffer form;
// first the count, then the descriptors.
Task<int> NwdThread::partition_probe(ffa::Uuid uuid, std::vector<DriverState::Device>* out) {
  const bool reg_mode = co_await features(fid(Abi::PARTITION_INFO_GET_REGS, true)) == 0;
  // if/else, not ?: : g++ 12 suspends both arms of a conditional holding co_await.
  int count;
  if (reg_mode) count = co_await partition_info_get_regs(uuid, nullptr);
  else count = co_await partition_info_get(uuid, nullptr);
  if (count <= 0) co_return count;
  if (reg_mode) count = co_await partition_info_get_regs(uuid, out);
  else count = co_await partition_info_get(uuid, out);
  co_return count;
}

// __ffa_partition_info_get. Without `out` a v1.1+ driver asks for the count only (RX untouched);
// a v1.0 driver has no such flag, so the SPMC fills RX and the driver releases it.
Task<int> NwdThread::partition_info_get(ffa::Uuid uuid, std::vector<DriverState::Device>* out) {
  const bool v10 = k_.st.ffa_version <= ffa::kV1_0.raw();
  const uint32_t flags = (!v10 && !out) ? kCountOnly : 0;
  const auto w = uuid.words();
  const ArgRegs call = ffa::regs(fid(Abi::PARTITION_INFO_GET), w[0], w[1], w[2], w[3], flags);
  const ArgRegs r = co_await ffa_call(call);
  if (r[0] == fid(Abi::ERROR)) {
    error("ffa_partition_probe", call, r);
    co_return -1;
  }
  const uint32_t count = uint32_t(r[2]);
  const uint32_t size = v10 ? 8 : uint32_t(r[3]);
  if (out && count > 0) {
    if (size < 8 || uint64_t(count) * size > 4096ull * k_.st.rxtx_pages) {
      error("ffa_partition_probe", std::to_string(count) + " descriptors of " + std::to_string(size) +
                                       " bytes do not fit the RX buffer");
    } else {
      std::vector<uint8_t> buf(size_t(count) * size);
      if (!pe().mem_read(k_.st.rx, buf.data(), buf.size(), sim::Security::NonSecure))
        error("ffa_partition_probe", "RX buffer " + hex(k_.st.rx) + " is not readable");
      for (uint32_t i = 0; i < count; ++i) out->push_back(parse_descriptor(buf.data() + size_t(i) * size, size));
    }
  }
  if (!(flags & kCountOnly)) {
    const ArgRegs rel = ffa::regs(fid(Abi::RX_RELEASE));
    const ArgRegs rr = co_await ffa_call(rel);
    if (rr[0] == fid(Abi::ERROR)) error("ffa_rx_release", rel, rr);
  }
  co_return int(count);
}

// __ffa_partition_info_get_regs: x2 of each result = last index [15:0], current index [31:16],
// UUID info tag [47:32], descriptor size [63:48]; the descriptors follow from x3. Deviation from
// Linux v6.x, which steps by 3 registers whatever the size: the stride comes from the size field
// (ffa-abi.md section 1.5), so v1.3's 48-byte form parses too. A chunk that makes no progress is
// an error instead of Linux's endless loop.
Task<int> NwdThread::partition_info_get_regs(ffa::Uuid uuid, std::vector<DriverState::Device>* out) {
  const auto w = uuid.words();
  const uint64_t lo = uint64_t(w[1]) << 32 | w[0], hi = uint64_t(w[3]) << 32 | w[2];
  uint32_t count = 0, start = 0, tag = 0;
  for (;;) {
    const ArgRegs call = ffa::regs(fid(Abi::PARTITION_INFO_GET_REGS, true), lo, hi, start | tag << 16);
    const ArgRegs r = co_await ffa_call(call);
    if (r[0] == fid(Abi::ERROR)) {
      error("ffa_partition_probe", call, r);
      co_return -1;
    }
    if (!count) count = uint32_t(r[2] & 0xFFFF) + 1;
    if (!out) co_return int(count);
    const uint32_t cur = uint32_t(r[2] >> 16) & 0xFFFF;
    tag = uint32_t(r[2] >> 32) & 0xFFFF;
    const uint32_t stride = std::max<uint32_t>(3, uint32_t(r[2] >> 48) / 8);
    if (cur < start || 3 + (cur - start + 1) * stride > r.size()) {
      error("ffa_partition_probe", "FFA_PARTITION_INFO_GET_REGS returned indices " + std::to_string(start) +
                                       ".." + std::to_string(cur) + " with " + std::to_string(stride) + " registers each");
      co_return -1;
    }
    for (uint32_t i = 0; i <= cur - start; ++i) {
      const size_t b = 3 + i * stride;
      uint8_t d[24];
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 8; ++k) d[j * 8 + k] = uint8_t(r[b + size_t(j)] >> (8 * k));
      out->push_back(parse_descriptor(d, 24));
    }
    if (cur + 1 >= count) co_return int(count);
    start = cur + 1;
  }
}

}  // namespace ffasim::nwd::detail
