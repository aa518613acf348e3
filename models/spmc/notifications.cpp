// Notifications (FF-A v1.1 chapter "Notifications", Hafnium src/api.c api_ffa_notification_* and
// src/ffa/spmc/notifications.c): FFA_NOTIFICATION_BITMAP_CREATE/DESTROY, BIND/UNBIND, SET, GET,
// INFO_GET, the feature IDs of FFA_FEATURES, the Schedule Receiver Interrupt (SRI) and the
// Notification Pending Interrupt (NPI). Facts: ../shared/reference/ffa-abi.md sections 2.1, 6.
//
// Without a hypervisor the normal world's kernel (ID 0) stands where Hafnium's SPMC sees "the
// hypervisor": it creates bitmaps for normal-world VM IDs (its own, 0, as Linux does) and binds
// and gets on their behalf. The state and the INFO_GET packing are in notifications_state.h.
#include "models/spmc/spmc_impl.h"

namespace ffasim::spmc {

namespace {

constexpr uint32_t kPerVcpu = 1u << 0;   // FFA_NOTIFICATIONS_FLAG_PER_VCPU (BIND, SET)
constexpr uint32_t kDelaySri = 1u << 1;  // FFA_NOTIFICATIONS_FLAG_DELAY_SRI (SET)
constexpr uint32_t kGetSp = 1u << 0, kGetVm = 1u << 1, kGetSpm = 1u << 2, kGetHyp = 1u << 3;
constexpr uint32_t kFeatNpi = 1, kFeatSri = 2, kFeatMei = 3, kFeatNotification = 4;

uint64_t bitmap_of(const sim::ArgRegs& a) { return uint64_t(uint32_t(a[3])) | uint64_t(uint32_t(a[4])) << 32; }

// Every ID of `ids` is bound to `sender` with the per-vCPU flag equal to `per_vcpu` (Hafnium
// vm_notifications_validate_binding).
bool bound_as(const NotificationSet& s, uint64_t ids, ffa::EndpointId sender, bool per_vcpu) {
  return bound_to(s, ids, sender) && (per_vcpu ? (s.bound_per_vcpu & ids) == ids : (s.bound_per_vcpu & ids) == 0);
}

}  // namespace

// SPs with `notification-support` have their bitmaps from boot; normal-world VMs get theirs
// with FFA_NOTIFICATION_BITMAP_CREATE.
void Spmc::Impl::notifications_setup() {
  notif.sps.resize(partitions.size());
  for (auto& p : partitions)
    init_receiver(notif.sps[p->index], p->id, unsigned(p->vcpus.size()), p->manifest.notification_support);
  notif.sri_delayed.assign(pes.size(), false);
}

NotificationReceiver* Spmc::Impl::notification_receiver(ffa::EndpointId id) {
  if (id.is_secure()) {
    Partition* p = find(id);
    return p ? &notif.sps[p->index] : nullptr;
  }
  auto it = notif.vms.find(id.value);
  return it == notif.vms.end() ? nullptr : &it->second;
}

void Spmc::Impl::sri_raise(unsigned pe) {
  ++notif.counters.sri_raised;
  if (raise_sri) raise_sri(pe);
}

// Hafnium plat_ffa_sri_trigger_if_delayed, on every return to the normal world.
void Spmc::Impl::sri_trigger_if_delayed(unsigned pe) {
  if (pe >= notif.sri_delayed.size() || !notif.sri_delayed[pe]) return;
  notif.sri_delayed[pe] = false;
  sri_raise(pe);
}

// FFA_NOTIFICATION_BITMAP_CREATE (w1 = VM ID, w2 = vCPU count), from the normal world only.
// Errors: INVALID_PARAMETERS for a secure (bit 15) ID; DENIED if the VM has a bitmap already.
// VM 0 (the kernel itself) has one vCPU per PE whatever w2 says, as Hafnium's other-world VM.
Action Spmc::Impl::notification_bitmap_create(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.notification_insns);
  const ffa::EndpointId vm(uint16_t(c.a[1]));
  if (vm.is_secure()) return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (notif.vms.count(vm.value)) return reply_error(ffa::Error::DENIED);
  const unsigned vcpus = vm == ffa::kNsEndpointId ? unsigned(pes.size()) : unsigned(uint16_t(c.a[2]));
  init_receiver(notif.vms[vm.value], vm, vcpus, true);
  return reply(ffa::success());
}

// FFA_NOTIFICATION_BITMAP_DESTROY (w1 = VM ID). Errors: INVALID_PARAMETERS for a secure ID;
// DENIED if the VM has no bitmap or notifications pending.
Action Spmc::Impl::notification_bitmap_destroy(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.notification_insns);
  const ffa::EndpointId vm(uint16_t(c.a[1]));
  if (vm.is_secure()) return reply_error(ffa::Error::INVALID_PARAMETERS);
  auto it = notif.vms.find(vm.value);
  if (it == notif.vms.end() || any_pending(it->second)) return reply_error(ffa::Error::DENIED);
  notif.vms.erase(it);
  return reply(ffa::success());
}

Action Spmc::Impl::notification_bind(Call& c) { return notification_update_bindings(c, true); }
Action Spmc::Impl::notification_unbind(Call& c) { return notification_update_bindings(c, false); }

// FFA_NOTIFICATION_BIND / UNBIND (w1 = sender << 16 | receiver, w2 = flags, w3/w4 = IDs), in
// Hafnium's order of checks (Hafnium ignores w2 of UNBIND: its dispatcher passes flags 0):
//   INVALID_PARAMETERS  BIND flags other than per-vCPU; the per-vCPU
//                       flag with per-vCPU notifications off; sender = receiver; an SP binding
//                       for a receiver other than itself; the normal world binding anything but
//                       an SP sender for a VM receiver; no IDs; an unknown receiver (a VM without
//                       a bitmap); an SP sender that does not exist (BIND);
//   NOT_SUPPORTED       a receiver below v1.1 or without notifications (no notification-support);
//   DENIED              BIND of an ID bound already (to anyone), UNBIND of an ID not bound to this
//                       sender; any of the IDs pending.
Action Spmc::Impl::notification_update_bindings(Call& c, bool bind) {
  insns(c.pe, sim::Cost::Dispatch, t.notification_insns);
  const uint32_t flags = bind ? uint32_t(c.a[2]) : 0;
  if (flags & ~kPerVcpu) return reply_error(ffa::Error::INVALID_PARAMETERS);
  const bool per_vcpu = flags & kPerVcpu;
  if (per_vcpu && !cfg.per_vcpu_notifications) return reply_error(ffa::Error::INVALID_PARAMETERS);
  const ffa::EndpointId sender = ffa::sender_of(c.a[1]), receiver = ffa::receiver_of(c.a[1]);
  const bool valid = sender != receiver && (c.caller.is_nwd() ? sender.is_secure() && !receiver.is_secure()
                                                              : receiver == c.caller.vcpu->partition->id);
  if (!valid) return reply_error(ffa::Error::INVALID_PARAMETERS);
  const uint64_t ids = bitmap_of(c.a);
  if (ids == 0) return reply_error(ffa::Error::INVALID_PARAMETERS);
  NotificationReceiver* r = notification_receiver(receiver);
  if (!r) return reply_error(ffa::Error::INVALID_PARAMETERS);
  const ffa::Version rv = receiver.is_secure() ? find(receiver)->version : nwd.version;
  if (rv < ffa::kV1_1 || !r->enabled) return reply_error(ffa::Error::NOT_SUPPORTED);
  if (bind && sender.is_secure() && !find(sender)) return reply_error(ffa::Error::INVALID_PARAMETERS);
  NotificationSet& set = source_set(*r, sender);
  if (!bound_to(set, ids, bind ? ffa::kInvalidVmId : sender)) return reply_error(ffa::Error::DENIED);
  if (any_pending(set, ids)) return reply_error(ffa::Error::DENIED);
  update_bindings(set, ids, bind ? sender : ffa::kInvalidVmId, per_vcpu);
  return reply(ffa::success());
}

// FFA_NOTIFICATION_SET (w1 = sender << 16 | receiver, w2 = flags: bit0 per-vCPU, bit1 delay SRI,
// bits[31:16] vCPU ID; w3/w4 = IDs). Errors, in Hafnium's order:
//   INVALID_PARAMETERS  other flag bits; the per-vCPU flag or a vCPU ID with per-vCPU
//                       notifications off; a vCPU ID for global notifications; sender =
//                       receiver; an SP setting as someone else; the normal world setting as
//                       an SP or for a VM; no IDs; delay SRI from a normal-world sender; an
//                       unknown receiver; IDs bound with the other per-vCPU flag; a vCPU ID at
//                       or above the receiver's vCPU count;
//   DENIED              a receiver without notifications; IDs not bound to this sender.
// On success the IDs are pending for the receiver; an SP receiver's NPI becomes pending; the SRI
// is raised on this PE now, or (delay flag) when the SPMC next returns to the normal world here.
Action Spmc::Impl::notification_set(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.notification_insns);
  const uint32_t flags = uint32_t(c.a[2]);
  const bool per_vcpu = flags & kPerVcpu, delay = flags & kDelaySri;
  const unsigned vcpu = flags >> 16;
  if (flags & ~(kPerVcpu | kDelaySri | 0xFFFF0000u)) return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (!cfg.per_vcpu_notifications && (per_vcpu || vcpu != 0)) return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (!per_vcpu && vcpu != 0) return reply_error(ffa::Error::INVALID_PARAMETERS);
  const ffa::EndpointId sender = ffa::sender_of(c.a[1]), receiver = ffa::receiver_of(c.a[1]);
  const bool valid = sender != receiver && (c.caller.is_nwd() ? !sender.is_secure() && receiver.is_secure()
                                                              : sender == c.caller.vcpu->partition->id);
  if (!valid) return reply_error(ffa::Error::INVALID_PARAMETERS);
  const uint64_t ids = bitmap_of(c.a);
  if (ids == 0) return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (delay && !sender.is_secure()) return reply_error(ffa::Error::INVALID_PARAMETERS);
  NotificationReceiver* r = notification_receiver(receiver);
  if (!r) return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (!r->enabled) return reply_error(ffa::Error::DENIED);
  NotificationSet& set = source_set(*r, sender);
  if (bound_as(set, ids, sender, !per_vcpu)) return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (!bound_as(set, ids, sender, per_vcpu)) return reply_error(ffa::Error::DENIED);
  if (per_vcpu && vcpu >= r->vcpu_count) return reply_error(ffa::Error::INVALID_PARAMETERS);
  set_pending(*r, set, ids, per_vcpu, vcpu, receiver.is_secure());
  if (receiver.is_secure()) ++notif.counters.npi_recorded;
  if (delay) {
    ++notif.counters.sri_delayed;
    notif.sri_delayed[c.pe.id()] = true;
  } else {
    notif.sri_delayed[c.pe.id()] = false;  // Hafnium plat_ffa_sri_trigger_not_delayed
    sri_raise(c.pe.id());
  }
  return reply(ffa::success());
}

// FFA_NOTIFICATION_GET (w1 = vCPU ID << 16 | receiver, w2 = which bitmaps). Returns and clears
// them: w2/w3 from SPs, w4/w5 from VMs, w6 SPM framework, w7 hypervisor framework. Errors, all
// INVALID_PARAMETERS: flag bits [31:4]; an SP asking for another receiver; the normal world
// asking for an SP; the VM or hypervisor bitmap for a VM receiver (the hypervisor keeps those);
// a vCPU ID at or above the receiver's vCPU count. A VM without a bitmap is INVALID_PARAMETERS
// too (IMPLEMENTATION DEFINED: Hafnium asserts there).
Action Spmc::Impl::notification_get(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.notification_insns);
  const uint32_t flags = uint32_t(c.a[2]);
  const ffa::EndpointId receiver = ffa::receiver_of(c.a[1]);
  const unsigned vcpu = uint16_t(c.a[1] >> 16);
  if (flags & ~0xFu) return reply_error(ffa::Error::INVALID_PARAMETERS);
  const bool valid = c.caller.is_nwd() ? !receiver.is_secure() : receiver == c.caller.vcpu->partition->id;
  if (!valid || (!receiver.is_secure() && (flags & (kGetVm | kGetHyp))))
    return reply_error(ffa::Error::INVALID_PARAMETERS);
  NotificationReceiver* r = notification_receiver(receiver);
  if (!r || vcpu >= r->vcpu_count) return reply_error(ffa::Error::INVALID_PARAMETERS);
  const uint64_t from_sp = (flags & kGetSp) ? take_pending(r->from_sp, vcpu) : 0;
  const uint64_t from_vm = (flags & kGetVm) ? take_pending(r->from_vm, vcpu) : 0;
  uint64_t fwk_mask = 0;
  if (flags & kGetSpm) fwk_mask |= 0xFFFFFFFFull;
  if (flags & kGetHyp) fwk_mask |= 0xFFFFFFFFull << 32;
  const uint64_t fwk = r->framework & fwk_mask;
  r->framework &= ~fwk_mask;
  if (!r->from_sp.pending && !r->from_vm.pending) r->npi_pending = false;
  if (!r->from_sp.pending_vcpu[vcpu] && !r->from_vm.pending_vcpu[vcpu]) r->npi_pending_vcpu[vcpu] = false;
  return reply(ffa::regs(ffa::fid(ffa::Abi::SUCCESS), 0, uint32_t(from_sp), uint32_t(from_sp >> 32),
                         uint32_t(from_vm), uint32_t(from_vm >> 32), uint32_t(fwk), uint32_t(fwk >> 32)));
}

// FFA_NOTIFICATION_INFO_GET_64 (and _32 with notification_info_get_32), from the normal world
// only: the receivers with notifications not reported yet (encoding: notifications_state.h).
// Errors: NOT_SUPPORTED for the 32-bit FID when off; NO_DATA when nothing is left to report.
Action Spmc::Impl::notification_info_get(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.notification_info_get_insns);
  if (!c.smc64 && !cfg.notification_info_get_32) return reply_error(ffa::Error::NOT_SUPPORTED);
  insns(c.pe, sim::Cost::Dispatch, t.notification_info_get_receiver_insns * double(notif.sps.size() + notif.vms.size()));
  std::array<uint64_t, 6> x{};
  if (!info_get(notif, c.smc64, x)) return reply_error(ffa::Error::NO_DATA);
  return reply(ffa::regs(ffa::fid(ffa::Abi::SUCCESS, c.smc64), 0, x[0], x[1], x[2], x[3], x[4], x[5]));
}

// FFA_FEATURES(FFA_NOTIFICATION_INFO_GET_32/_64): the 32-bit form only when it is implemented.
Action Spmc::Impl::notification_info_get_features(Call& c) {
  if (!ffa::is_64bit(uint32_t(c.a[1])) && !cfg.notification_info_get_32) return reply_error(ffa::Error::NOT_SUPPORTED);
  return reply(ffa::success());
}

// FFA_FEATURES with a feature ID (w1 bit 31 clear; section 2.1), as Hafnium answers it: NPI (1)
// and MEI (3) only to S-EL1 SPs (their virtual interrupt IDs), SRI (2) only to the normal world
// (a physical SGI); all three only from an SPMC of v1.2 or later. Notification features (4, v1.3
// SPMC): bit0/bit1 = per-vCPU notifications not supported for VMs/SPs. Everything else, bits
// [30:8] set, or input properties (w2) not zero: NOT_SUPPORTED. The TF-A EL3 SPMC answers no
// feature ID (NOT_SUPPORTED for all).
Action Spmc::Impl::feature_id(Call& c) {
  const uint32_t w1 = uint32_t(c.a[1]);
  if ((w1 & 0x7FFFFF00u) || uint32_t(c.a[2]) != 0 || cfg.flavour == Flavour::TfaEl3Spmc)
    return reply_error(ffa::Error::NOT_SUPPORTED);
  const bool el1_sp = c.caller.vcpu && c.caller.vcpu->partition->manifest.exception_level != 1;
  const ffa::Version v = spmc_version();
  switch (w1) {
    case kFeatNpi:
      if (v < ffa::kV1_2 || !el1_sp) break;
      return reply(ffa::success(cfg.npi_intid));
    case kFeatMei:
      if (v < ffa::kV1_2 || !el1_sp) break;
      return reply(ffa::success(cfg.mei_intid));
    case kFeatSri:
      if (v < ffa::kV1_2 || !c.caller.is_nwd()) break;
      return reply(ffa::success(cfg.sri_intid));
    case kFeatNotification:
      if (v < ffa::kV1_3) break;
      return reply(ffa::success(cfg.per_vcpu_notifications ? 0 : 0x3));
    default:
      break;
  }
  return reply_error(ffa::Error::NOT_SUPPORTED);
}

}  // namespace ffasim::spmc
