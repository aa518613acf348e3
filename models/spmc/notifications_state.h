// Private to models/spmc: the state of FF-A notifications (../shared/reference/ffa-abi.md section
// 6) and its transitions, as plain data and functions testable without a simulation. The ABI
// handlers (checks, errors, the SRI) live in notifications.cpp.
//
// Each receiver (an SP with `notification-support`, or a normal-world VM after
// FFA_NOTIFICATION_BITMAP_CREATE) holds one NotificationSet per source class: notifications from
// SPs and from VMs (Hafnium's vm->notifications.from_sp / from_vm), plus the framework bitmap
// (bits[31:0] SPM framework, bits[63:32] hypervisor framework; bit 0 = "RX buffer full").
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "models/ffa/types.h"

namespace ffasim::spmc {

inline constexpr unsigned kMaxNotifications = 64;  // MAX_FFA_NOTIFICATIONS

// The notifications one receiver accepts from one source class.
struct NotificationSet {
  std::array<uint16_t, kMaxNotifications> sender{};  // bound sender of each ID (where `bound`)
  uint64_t bound = 0;            // IDs with a sender (FFA_NOTIFICATION_BIND)
  uint64_t bound_per_vcpu = 0;   // of those, the ones bound with the per-vCPU flag
  uint64_t pending = 0;          // global notifications set and not yet retrieved
  uint64_t reported = 0;         // of `pending`, already listed by FFA_NOTIFICATION_INFO_GET
  std::vector<uint64_t> pending_vcpu, reported_vcpu;  // per-vCPU notifications, per vCPU
};

struct NotificationReceiver {
  ffa::EndpointId id;
  bool enabled = false;      // SP: manifest notification-support; VM: bitmap created
  unsigned vcpu_count = 1;
  NotificationSet from_sp, from_vm;
  uint64_t framework = 0;    // pending framework notifications (none are produced yet)
  // Notification Pending Interrupt: Hafnium injects it into the SP (virtual INTID 5) when it next
  // gets cycles with notifications pending. Recorded here; delivery comes with virtual interrupts.
  bool npi_pending = false;                 // for global notifications
  std::vector<bool> npi_pending_vcpu;       // for per-vCPU ones, per vCPU
};

struct NotificationCounters {
  uint64_t sri_raised = 0;    // SRIs handed to the raise_sri hook (immediate and delayed)
  uint64_t sri_delayed = 0;   // FFA_NOTIFICATION_SET calls with the delay-SRI flag
  uint64_t npi_recorded = 0;  // notifications set for an SP receiver (an NPI becomes pending)
};

struct NotificationsState {
  std::vector<NotificationReceiver> sps;         // by partition index
  std::map<uint16_t, NotificationReceiver> vms;  // normal-world VMs with a bitmap, by ID
  std::vector<bool> sri_delayed;                 // per PE: Hafnium's cpu->is_sri_delayed
  NotificationCounters counters;
};

// Sizes one receiver's per-vCPU vectors.
void init_receiver(NotificationReceiver& r, ffa::EndpointId id, unsigned vcpu_count, bool enabled);
// The source class a sender belongs to: SPs (bit 15 set) or VMs.
NotificationSet& source_set(NotificationReceiver& r, ffa::EndpointId sender);
// True if every ID of `ids` is bound to `sender` (ffa::kInvalidVmId: unbound) in `set`.
bool bound_to(const NotificationSet& set, uint64_t ids, ffa::EndpointId sender);
// True if any ID of `ids` is pending, globally or for any vCPU.
bool any_pending(const NotificationSet& set, uint64_t ids);
bool any_pending(const NotificationReceiver& r);
// BIND (`sender`, per-vCPU flag) or UNBIND (sender = ffa::kInvalidVmId) of `ids`.
void update_bindings(NotificationSet& set, uint64_t ids, ffa::EndpointId sender, bool per_vcpu);
// SET: marks `ids` pending (for vCPU `vcpu` if per_vcpu) and, for an SP receiver, its NPI.
void set_pending(NotificationReceiver& r, NotificationSet& set, uint64_t ids, bool per_vcpu, unsigned vcpu,
                 bool receiver_is_sp);
// GET: returns and clears the global and vCPU `vcpu` pending notifications of `set`; clears what
// INFO_GET reported of them.
uint64_t take_pending(NotificationSet& set, unsigned vcpu);

// FFA_NOTIFICATION_INFO_GET over every receiver: SPs in partition order, then VMs by ID, as
// Hafnium lists its own world and then the other world's VMs. One list per receiver with
// something pending that INFO_GET has not reported yet: its ID, then the vCPU IDs with per-vCPU
// notifications, at most 3 per list (a receiver with more continues in a new list). Returns
// false (FFA_NO_DATA) when there is nothing to report. Otherwise x2-x7 of the FFA_SUCCESS
// result: x2 bit0 = more pending (not reported), bits[11:7] = number of lists, bits[12+2n+1:12+2n]
// = vCPU IDs in list n; the IDs packed as u16 from x3 up, 4 per register and 20 at most for the
// 64-bit form (smc64), 2 per register (w3-w7) and 10 at most for the 32-bit form.
bool info_get(NotificationsState& s, bool smc64, std::array<uint64_t, 6>& x2_x7);

}  // namespace ffasim::spmc
