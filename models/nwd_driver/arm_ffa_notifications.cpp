// The notification half of the Linux arm_ffa driver (drivers/firmware/arm_ffa/driver.c): the
// SRI work (ffa_sched_recv_irq_work_fn -> ffa_notification_info_get), the scheduling callbacks,
// notif_get_and_handle and notify_request. Facts: ../shared/reference/ffa-abi.md section 6.
#include "models/nwd_driver/nwd_internal.h"
#include "sim/core/pe.h"

namespace ffasim::nwd::detail {

using ffa::Abi;
using ffa::fid;

namespace {

constexpr uint32_t kGetSp = 1u << 0, kGetSpm = 1u << 2;  // SECURE_PARTITION_BITMAP, SPM_FRAMEWORK_BITMAP
constexpr unsigned kMaxIds64 = 20, kMaxIds32 = 10;        // MAX_IDS_64, MAX_IDS_32

}  // namespace

// ffa_notification_info_get: INFO_GET (the native 64-bit FID) until the "more pending" bit is
// clear. x2: bits[11:7] = number of lists, bits[12+2n+1:12+2n] = vCPU IDs in list n; the IDs
// are u16 values packed from x3 (4 per register; 2 per w register for a 32-bit answer).
// NO_DATA ends it quietly; any other error is one line, as Linux's pr_err.
Task<void> NwdThread::sri_handler() {
  ++k_.st.sri_handled;
  for (;;) {
    const ArgRegs call = ffa::regs(fid(Abi::NOTIFICATION_INFO_GET, true));
    const ArgRegs r = co_await ffa_call(call);
    ++k_.st.info_gets;
    const bool is64 = r[0] == fid(Abi::SUCCESS, true);
    if (!is64 && r[0] != fid(Abi::SUCCESS)) {
      if (!ffa::is_error(r, ffa::Error::NO_DATA)) error("ffa_notification_info_get", call, r);
      co_return;
    }
    const unsigned max_ids = is64 ? kMaxIds64 : kMaxIds32;
    const unsigned lists = unsigned(r[2] >> 7) & 0x1F;
    auto id_at = [&](unsigned i) {
      return is64 ? uint16_t(r[3 + i / 4] >> (16 * (i % 4))) : uint16_t(r[3 + i / 2] >> (16 * (i % 2)));
    };
    unsigned done = 0;
    for (unsigned list = 0; list < lists; ++list) {
      if (done >= max_ids - 1) break;  // Linux's bound, kept as it is
      const unsigned count = (unsigned(r[2] >> (12 + 2 * list)) & 3) + 1;
      const uint16_t part = id_at(done++);
      if (count == 1) {  // global
        co_await sched_recv(part, 0, false);
        continue;
      }
      for (unsigned i = 1; i < count; ++i) {
        if (done >= max_ids - 1) break;
        co_await sched_recv(part, id_at(done++), true);
      }
    }
    if (!(r[2] & 1)) co_return;
  }
}

// __do_sched_recv_cb: the callback registered for the receiver. The kernel registers one for its
// own ID (ffa_self_notif_handle); Linux's drivers register none for SPs (a scheduling driver would
// give the SP cycles with FFA_RUN there), so an SP receiver is only counted.
Task<void> NwdThread::sched_recv(uint16_t part_id, uint16_t vcpu, bool per_vcpu) {
  if (part_id == own_id()) co_await self_notif_handle(vcpu, per_vcpu);
  else ++k_.st.receivers_unscheduled;
}

// ffa_self_notif_handle + notif_get_and_handle: FFA_NOTIFICATION_GET of the SP and SPM
// framework bitmaps, w1 = vCPU << 16 | own ID (smp_processor_id() in Linux: this PE, or the
// listed vCPU for a per-vCPU list), then the callbacks: VM map (always 0 here: Linux does not
// ask for it), SP map, framework map.
Task<void> NwdThread::self_notif_handle(uint16_t vcpu, bool per_vcpu) {
  const uint16_t cpu = per_vcpu ? vcpu : uint16_t(index_);
  const ArgRegs call = ffa::regs(fid(Abi::NOTIFICATION_GET), uint32_t(cpu) << 16 | own_id(), kGetSp | kGetSpm);
  const ArgRegs r = co_await ffa_call(call);
  ++k_.st.notification_gets;
  if (r[0] != fid(Abi::SUCCESS)) {
    error("notif_get_and_handle", call, r);  // "Failed to retrieve notifications"
    co_return;
  }
  handle_notif_callbacks(uint64_t(uint32_t(r[4])) | uint64_t(uint32_t(r[5])) << 32);
  handle_notif_callbacks(uint64_t(uint32_t(r[2])) | uint64_t(uint32_t(r[3])) << 32);
  handle_notif_callbacks(uint64_t(uint32_t(r[6])) | uint64_t(uint32_t(r[7])) << 32);
}

// handle_notif_callbacks: each set bit goes to the callback registered for that ID; without one
// Linux drops it silently (counted here).
void NwdThread::handle_notif_callbacks(uint64_t bitmap) {
  for (uint32_t id = 0; id < 64; ++id) {
    if (!(bitmap >> id & 1)) continue;
    bool registered = int64_t(id) == k_.st.optee_bottom_half;
    for (auto& [sender, nid] : k_.notif_requested) registered = registered || nid == id;
    if (registered) ++k_.st.notif_callbacks[id];
    else ++k_.st.notif_unhandled;
  }
}

// ffa_notify_request: FFA_NOTIFICATION_BIND(sender -> own ID, flags: bit0 per-vCPU, BIT(id)) and
// the callback registration. False, with one error line, if the bind failed.
Task<bool> NwdThread::notify_request(uint16_t sender, uint32_t id, bool per_vcpu) {
  if (k_.notif_requested.count({sender, id})) co_return true;
  k_.notif_requested.insert({sender, id});  // now: another PE of the same item must not bind again
  const uint64_t bit = 1ull << id;
  const ArgRegs call = ffa::regs(fid(Abi::NOTIFICATION_BIND), uint32_t(sender) << 16 | own_id(), per_vcpu ? 1u : 0u,
                                 uint32_t(bit), uint32_t(bit >> 32));
  const ArgRegs r = co_await ffa_call(call);
  if (r[0] != fid(Abi::SUCCESS)) {
    error("ffa_notify_request", call, r);
    k_.notif_requested.erase({sender, id});
    co_return false;
  }
  co_return true;
}

}  // namespace ffasim::nwd::detail
