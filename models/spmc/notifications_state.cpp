// Notification state transitions (see notifications_state.h).
#include "models/spmc/notifications_state.h"

namespace ffasim::spmc {

void init_receiver(NotificationReceiver& r, ffa::EndpointId id, unsigned vcpu_count, bool enabled) {
  r = NotificationReceiver{};
  r.id = id;
  r.enabled = enabled;
  r.vcpu_count = vcpu_count ? vcpu_count : 1;
  for (NotificationSet* s : {&r.from_sp, &r.from_vm}) {
    s->pending_vcpu.assign(r.vcpu_count, 0);
    s->reported_vcpu.assign(r.vcpu_count, 0);
  }
  r.npi_pending_vcpu.assign(r.vcpu_count, false);
}

NotificationSet& source_set(NotificationReceiver& r, ffa::EndpointId sender) {
  return sender.is_secure() ? r.from_sp : r.from_vm;
}

bool bound_to(const NotificationSet& set, uint64_t ids, ffa::EndpointId sender) {
  for (unsigned i = 0; i < kMaxNotifications; ++i) {
    if (!(ids >> i & 1)) continue;
    const bool bound = set.bound >> i & 1;
    if (sender == ffa::kInvalidVmId ? bound : (!bound || set.sender[i] != sender.value)) return false;
  }
  return true;
}

bool any_pending(const NotificationSet& set, uint64_t ids) {
  if (set.pending & ids) return true;
  for (uint64_t p : set.pending_vcpu)
    if (p & ids) return true;
  return false;
}

bool any_pending(const NotificationReceiver& r) {
  return any_pending(r.from_sp, ~0ull) || any_pending(r.from_vm, ~0ull) || r.framework != 0;
}

void update_bindings(NotificationSet& set, uint64_t ids, ffa::EndpointId sender, bool per_vcpu) {
  const bool bind = sender != ffa::kInvalidVmId;
  for (unsigned i = 0; i < kMaxNotifications; ++i)
    if (ids >> i & 1) set.sender[i] = bind ? sender.value : 0;
  if (bind) {
    set.bound |= ids;
    if (per_vcpu) set.bound_per_vcpu |= ids;
    else set.bound_per_vcpu &= ~ids;
  } else {
    set.bound &= ~ids;
    set.bound_per_vcpu &= ~ids;
  }
}

void set_pending(NotificationReceiver& r, NotificationSet& set, uint64_t ids, bool per_vcpu, unsigned vcpu,
                 bool receiver_is_sp) {
  if (per_vcpu) set.pending_vcpu.at(vcpu) |= ids;
  else set.pending |= ids;
  if (!receiver_is_sp) return;
  if (per_vcpu) r.npi_pending_vcpu.at(vcpu) = true;
  else r.npi_pending = true;
}

uint64_t take_pending(NotificationSet& set, unsigned vcpu) {
  const uint64_t got = set.pending | set.pending_vcpu.at(vcpu);
  set.pending = 0;
  set.reported = 0;
  set.pending_vcpu[vcpu] = 0;
  set.reported_vcpu[vcpu] = 0;
  return got;
}

namespace {

uint64_t unreported_global(const NotificationReceiver& r) {
  return (r.from_sp.pending & ~r.from_sp.reported) | (r.from_vm.pending & ~r.from_vm.reported);
}
uint64_t unreported_vcpu(const NotificationReceiver& r, unsigned v) {
  return (r.from_sp.pending_vcpu[v] & ~r.from_sp.reported_vcpu[v]) |
         (r.from_vm.pending_vcpu[v] & ~r.from_vm.reported_vcpu[v]);
}
bool anything_unreported(const NotificationReceiver& r) {
  if (unreported_global(r)) return true;
  for (unsigned v = 0; v < r.vcpu_count; ++v)
    if (unreported_vcpu(r, v)) return true;
  return false;
}
void mark_global_reported(NotificationReceiver& r) {
  r.from_sp.reported |= r.from_sp.pending;
  r.from_vm.reported |= r.from_vm.pending;
}
void mark_vcpu_reported(NotificationReceiver& r, unsigned v) {
  r.from_sp.reported_vcpu[v] |= r.from_sp.pending_vcpu[v];
  r.from_vm.reported_vcpu[v] |= r.from_vm.pending_vcpu[v];
}

// The lists being built: IDs in order and the vCPU count of each list.
struct Lists {
  unsigned max_ids;
  std::vector<uint16_t> ids;
  std::vector<unsigned> sizes;
  bool full = false;
};

// Adds one receiver's lists; sets `full` when an ID did not fit.
void add_receiver(Lists& l, NotificationReceiver& r) {
  bool open = false;  // this receiver has a list that can take more vCPU IDs
  if (unreported_global(r)) {
    if (l.ids.size() + 1 > l.max_ids) {
      l.full = true;
      return;
    }
    l.ids.push_back(r.id.value);
    l.sizes.push_back(0);
    open = true;
    mark_global_reported(r);
  }
  for (unsigned v = 0; v < r.vcpu_count; ++v) {
    if (!unreported_vcpu(r, v)) continue;
    if (open && l.sizes.back() < 3) {
      if (l.ids.size() + 1 > l.max_ids) {
        l.full = true;
        return;
      }
      l.ids.push_back(uint16_t(v));
      ++l.sizes.back();
    } else {
      if (l.ids.size() + 2 > l.max_ids) {
        l.full = true;
        return;
      }
      l.ids.push_back(r.id.value);
      l.ids.push_back(uint16_t(v));
      l.sizes.push_back(1);
      open = true;
    }
    mark_vcpu_reported(r, v);
  }
}

}  // namespace

bool info_get(NotificationsState& s, bool smc64, std::array<uint64_t, 6>& x) {
  Lists l{smc64 ? 20u : 10u, {}, {}, false};
  for (auto& r : s.sps) {
    if (l.full) break;
    add_receiver(l, r);
  }
  for (auto& [id, r] : s.vms) {
    if (l.full) break;
    add_receiver(l, r);
  }
  x = {};
  if (l.ids.empty()) return false;
  bool more = false;
  for (auto& r : s.sps) more = more || anything_unreported(r);
  for (auto& [id, r] : s.vms) more = more || anything_unreported(r);
  x[0] = (more ? 1u : 0u) | uint64_t(l.sizes.size() & 0x1F) << 7;
  for (size_t n = 0; n < l.sizes.size(); ++n) x[0] |= uint64_t(l.sizes[n] & 3) << (12 + 2 * n);
  const unsigned per_reg = smc64 ? 4 : 2;
  for (size_t i = 0; i < l.ids.size(); ++i) x[1 + i / per_reg] |= uint64_t(l.ids[i]) << (16 * (i % per_reg));
  return true;
}

}  // namespace ffasim::spmc
