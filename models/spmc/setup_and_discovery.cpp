// Setup and discovery (Hafnium src/ffa/spmc/setup_and_discovery.c, api.c): FFA_VERSION,
// FFA_FEATURES, FFA_ID_GET, FFA_SPM_ID_GET, FFA_RXTX_MAP/UNMAP, FFA_RX_RELEASE and
// FFA_PARTITION_INFO_GET. Facts: ../shared/reference/ffa-abi.md sections 1.2, 2, 3, 5.5.
#include <vector>

#include "models/ffa/descriptors.h"
#include "models/spmc/spmc_impl.h"

namespace ffasim::spmc {

namespace {
constexpr uint64_t kPage = 4096;
}  // namespace

// FFA_VERSION from an SP (w1 = its version; w0 = ours on success). Errors, all as x0 =
// NOT_SUPPORTED sign-extended to 64 bits (Hafnium's api_ffa_version sets .func, not .arg2): bit 31
// set; another major; a minor above ours; a different version after the SP called another ABI.
Action Spmc::Impl::version(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.simple_call_insns);
  const uint32_t req = uint32_t(c.a[1]);
  const ffa::Version mine = spmc_version();
  const sim::ArgRegs not_supported = ffa::regs(uint64_t(int64_t(ffa::Error::NOT_SUPPORTED)));
  const ffa::Version asked = ffa::Version::from_raw(req);
  if ((req & 0x80000000u) || asked.major != mine.major || asked.minor > mine.minor)
    return reply(not_supported);
  Partition* p = c.caller.vcpu->partition;
  if (p->version_locked && req != p->version.raw()) return reply(not_supported);
  p->version = ffa::Version::from_raw(req);
  return reply(ffa::regs(mine.raw()));
}

// FFA_FEATURES (section 2): w1 bit 31 set = a function ID, answered from the ABI table; clear =
// a feature ID (feature_id, notifications.cpp). Non-zero input properties (w2) with a function
// ID: Hafnium ignores them; the TF-A EL3 SPMC answers NOT_SUPPORTED.
Action Spmc::Impl::features(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.simple_call_insns);
  const uint32_t w1 = uint32_t(c.a[1]);
  if (!(w1 & 0x80000000u)) return feature_id(c);
  const auto abi = ffa::decode(w1);
  const AbiEntry* e = abi ? entry_for(*abi) : nullptr;
  const bool callable = e && (c.caller.is_nwd() ? e->from_nwd : e->from_sp) &&
                        ffa::info(*abi).since_minor <= caller_version(c.caller).minor;
  if (!callable) return reply_error(ffa::Error::NOT_SUPPORTED);
  if (e->features) return (this->*(e->features))(c);  // rows with properties (section 2.2)
  if (uint32_t(c.a[2]) != 0 && cfg.flavour == Flavour::TfaEl3Spmc)
    return reply_error(ffa::Error::NOT_SUPPORTED);
  uint32_t props = 0;
  if (*abi == ffa::Abi::RXTX_MAP) {
    // bits[1:0] = 0: 4 KiB minimum size and alignment; v1.2: bits[31:16] max pages.
    if (ffa::kV1_2 <= caller_version(c.caller)) props |= cfg.rxtx_max_pages << 16;
  }
  return reply(ffa::success(props));
}

Action Spmc::Impl::id_get(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.simple_call_insns);
  return reply(ffa::success(c.caller.id(nwd).value));
}

Action Spmc::Impl::spm_id_get(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.simple_call_insns);
  return reply(ffa::success(cfg.core.spmc_id));
}

Mailbox& Spmc::Impl::mailbox_of(const Caller& c) {
  return c.vcpu ? c.vcpu->partition->mailbox : nwd.mailbox;
}

bool Spmc::Impl::in_ns_memory(uint64_t pa, uint64_t size) const {
  for (auto& m : cfg.core.memory)
    if (m.device_type == "ns-memory" && pa >= m.base && size <= m.size && pa - m.base <= m.size - size)
      return true;
  return false;
}

// FFA_RXTX_MAP (x1 = TX, x2 = RX, w3 = pages). Hafnium handles only the 64-bit FID (the TF-A EL3
// SPMC both). Errors: INVALID_PARAMETERS for a page count of 0 or above the maximum, an address
// not 4 KiB aligned, TX and RX overlapping, or a normal-world buffer outside NS memory; DENIED
// when buffers are already mapped. Hafnium checks "already mapped" first, the EL3 SPMC last.
Action Spmc::Impl::rxtx_map(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.rxtx_map_insns);
  if (!c.smc64 && cfg.flavour == Flavour::Hafnium) return reply_error(ffa::Error::NOT_SUPPORTED);
  Mailbox& mb = mailbox_of(c.caller);
  const uint64_t tx = c.a[1], rx = c.a[2];
  const uint32_t pages = uint32_t(c.a[3]) & 0x3F;  // bits[5:0]
  const bool hafnium = cfg.flavour == Flavour::Hafnium;
  if (hafnium && mb.mapped) return reply_error(ffa::Error::DENIED);
  if (pages == 0 || pages > cfg.rxtx_max_pages) return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (tx % kPage || rx % kPage) return reply_error(ffa::Error::INVALID_PARAMETERS);
  const uint64_t len = uint64_t(pages) * kPage;
  if (tx < rx + len && rx < tx + len) return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (c.caller.is_nwd() && (!in_ns_memory(tx, len) || !in_ns_memory(rx, len)))
    return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (mb.mapped) return reply_error(ffa::Error::DENIED);
  mb = Mailbox{true, tx, rx, pages, false};
  return reply(ffa::success());
}

// FFA_RXTX_UNMAP: w1[31:16] must be 0 without a hypervisor; nothing mapped is
// INVALID_PARAMETERS.
Action Spmc::Impl::rxtx_unmap(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.simple_call_insns);
  Mailbox& mb = mailbox_of(c.caller);
  if (uint32_t(c.a[1]) >> 16) return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (!mb.mapped) return reply_error(ffa::Error::INVALID_PARAMETERS);
  mb = Mailbox{};
  return reply(ffa::success());
}

// FFA_RX_RELEASE: an SP must pass 0 in w1 (INVALID_PARAMETERS otherwise); releasing a buffer the
// caller does not hold is DENIED.
Action Spmc::Impl::rx_release(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.simple_call_insns);
  Mailbox& mb = mailbox_of(c.caller);
  if (c.caller.vcpu && uint32_t(c.a[1]) != 0) return reply_error(ffa::Error::INVALID_PARAMETERS);
  if (!mb.mapped || !mb.rx_full) return reply_error(ffa::Error::DENIED);
  mb.rx_full = false;
  return reply(ffa::success());
}

// Partition properties as Hafnium reports them to this caller (section 3.4).
uint32_t Spmc::Impl::properties_for(const Partition& p, const Caller& c) const {
  namespace pp = ffa::partition_props;
  namespace mm = ffa::messaging_method;
  uint32_t props = pp::kAArch64;
  if (p.messaging & mm::kDirectReqRecv) props |= pp::kDirectReqRecv;
  if (!c.is_nwd() && (p.messaging & mm::kDirectReqSend)) props |= pp::kDirectReqSend;
  if (p.version.raw() >= ffa::kV1_1.raw()) {
    if (p.messaging & mm::kIndirect) props |= pp::kIndirectMsg;
    if (p.manifest.notification_support) props |= pp::kNotifRecv;
  }
  if (p.version.raw() >= ffa::kV1_2.raw()) {
    if (p.messaging & mm::kDirectReq2Recv) props |= pp::kDirectReq2Recv;
    if (!c.is_nwd() && (p.messaging & mm::kDirectReq2Send)) props |= pp::kDirectReq2Send;
  }
  if (c.is_nwd() && (props & pp::kDirectReqRecv)) {
    if (p.manifest.vm_availability_messages & 1) props |= pp::kVmCreated;
    if (p.manifest.vm_availability_messages & 2) props |= pp::kVmDestroyed;
  }
  if (caller_version(c) < ffa::kV1_1) props &= 0x7;
  return props;
}

// FFA_PARTITION_INFO_GET (w1-w4 = UUID, w5 = flags; bit0 = count only, v1.1+). Errors: flags
// other than bit0, INVALID_PARAMETERS; an unknown UUID, INVALID_PARAMETERS; no RX buffer mapped
// or RX still full, BUSY; descriptors that do not fit, NO_MEMORY.
Action Spmc::Impl::partition_info_get(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.partition_info_insns);
  const ffa::Uuid uuid = ffa::Uuid::from_words(uint32_t(c.a[1]), uint32_t(c.a[2]), uint32_t(c.a[3]),
                                               uint32_t(c.a[4]));
  const ffa::Version v = caller_version(c.caller);
  const uint32_t flags = ffa::kV1_1 <= v ? uint32_t(c.a[5]) : 0;
  if ((flags & ~1u) && cfg.flavour == Flavour::Hafnium) return reply_error(ffa::Error::INVALID_PARAMETERS);
  // One descriptor per partition, or per service UUID for NULL-UUID queries by v1.2+ callers.
  std::vector<ffa::PartitionInfo> found;
  for (auto& p : partitions) {
    const auto& uuids = p->manifest.uuids;
    for (size_t u = 0; u < uuids.size(); ++u) {
      const bool match = uuid.is_null() ? (u == 0 || ffa::kV1_2 <= v) : uuids[u] == uuid;
      if (!match) continue;
      ffa::PartitionInfo info;
      info.id = p->id;
      info.exec_ctx_count = uint16_t(p->vcpus.size());
      info.properties = properties_for(*p, c.caller);
      if (uuid.is_null()) info.uuid = uuids[u];  // a query by UUID gets 0 there (Hafnium)
      info.ffa_version = p->version.raw();
      found.push_back(info);
      if (!uuid.is_null()) break;
    }
  }
  if (found.empty()) return reply_error(ffa::Error::INVALID_PARAMETERS);
  const uint32_t size = ffa::partition_info_size(v, cfg.partition_info_size);
  // Hafnium returns w3 = descriptor size even to v1.0 callers (8); the EL3 SPMC returns 0 there.
  const uint32_t w3 = (v < ffa::kV1_1 && cfg.flavour == Flavour::TfaEl3Spmc) ? 0 : size;
  if (flags & 1) return reply(ffa::success(found.size()));
  Mailbox& mb = mailbox_of(c.caller);
  if (!mb.mapped || mb.rx_full) return reply_error(ffa::Error::BUSY);
  if (found.size() * size > uint64_t(mb.pages) * kPage) return reply_error(ffa::Error::NO_MEMORY);
  std::vector<uint8_t> bytes;
  for (auto& f : found) {
    insns(c.pe, sim::Cost::Dispatch, t.partition_info_entry_insns);
    ffa::write_partition_info(bytes, f, size);
  }
  const sim::Security pas = c.caller.is_nwd() ? sim::Security::NonSecure : sim::Security::Secure;
  if (!c.pe.mem_write(mb.rx, bytes.data(), bytes.size(), pas)) {
    errors.push_back("SPMC: RX buffer at 0x" + std::to_string(mb.rx) + " is not backed by memory");
    return reply_error(ffa::Error::ABORTED);
  }
  mb.rx_full = true;
  return reply(ffa::success(found.size(), w3));
}

}  // namespace ffasim::spmc
