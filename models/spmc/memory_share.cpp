// Memory management (Hafnium src/ffa_memory.c, src/api.c, src/ffa/spmc/ffa_memory.c):
// FFA_MEM_DONATE, FFA_MEM_LEND and FFA_MEM_SHARE (32 and 64), FFA_MEM_FRAG_TX and FFA_MEM_FRAG_RX,
// FFA_MEM_RETRIEVE_REQ (answered with FFA_MEM_RETRIEVE_RESP), FFA_MEM_RELINQUISH, FFA_MEM_RECLAIM.
// Facts: ../shared/reference/ffa-abi.md sections 1.5, 2.2, 4 and 5.5. Descriptor rules live in
// models/ffa/mem_descriptors.h, page ownership in memory_state.h, the invariants in
// isolation_checker.h. Descriptors are read from the caller's TX buffer and responses written to
// its RX buffer through the PE (timed memory transactions).
//
// Where the TF-A EL3 SPMC differs from Hafnium (SpmcConfig::flavour), the handlers say so:
// handles (slot index vs a counter from 0xFFFFFFC0), one retrieval per borrower vs an in_use
// count, who may call what (retrieve, FRAG_RX and relinquish from SPs only, reclaim from the
// normal world only), reclaim w3 and relinquish flags MBZ, RX busy as DENIED instead of BUSY.
// Not modelled: the hypervisor retrieve request (no hypervisor in this platform), descriptors in
// dynamically allocated buffers (x3 != 0, Hafnium refuses them too), FFA_MEM_OP_PAUSE/RESUME.
#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>

#include "models/ffa/mem_descriptors.h"
#include "models/spmc/spmc_impl.h"
#include "sim/mmu_s2/mmu_timing.h"

namespace ffasim::spmc {

namespace mem = ffa::mem;
using ffa::EndpointId;
using ffa::Error;
using mem::Check;
using mem::Transaction;

namespace {

using Impl = Spmc::Impl;
constexpr uint32_t kPage = mem::kPageSize;

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

bool el3(const Impl& s) { return s.cfg.flavour == Flavour::TfaEl3Spmc; }
EndpointId caller_id(const Impl& s, const Call& c) { return c.caller.id(s.nwd); }
sim::Security pas_of(const Caller& c) { return c.is_nwd() ? sim::Security::NonSecure : sim::Security::Secure; }
uint32_t mailbox_bytes(const Mailbox& mb) { return mb.pages * kPage; }
uint64_t handle_of(const Call& c) { return uint32_t(c.a[1]) | uint64_t(uint32_t(c.a[2])) << 32; }
Action fail(Error e) { return reply_error(e); }
Action fail(const Impl& s, Check k) { return reply_error(mem::error_of(k, el3(s))); }
std::string label(const Call& c) { return ffa::fid_name(c.a[0]); }

Transaction type_of(ffa::Abi a) {
  switch (a) {
    case ffa::Abi::MEM_SHARE: return Transaction::Share;
    case ffa::Abi::MEM_LEND: return Transaction::Lend;
    default: return Transaction::Donate;
  }
}

// The partition's memory, as the stack claims it: mem-size, else up to the end of its memory
// regions, at least 1 MiB.
uint64_t partition_memory_size(const PartitionManifest& m) {
  if (m.mem_size) return *m.mem_size;
  uint64_t size = 0x100000;
  for (auto& r : m.memory_regions) {
    const uint64_t base = r.relative ? m.load_address + r.base_address : r.base_address;
    if (base >= m.load_address) size = std::max(size, base + uint64_t(r.pages_count) * kPage - m.load_address);
  }
  return size;
}

bool read_tx(Impl& s, Call& c, uint32_t n, std::vector<uint8_t>& out) {
  const Mailbox& mb = s.mailbox_of(c.caller);
  out.assign(n, 0);
  if (n == 0 || c.pe.mem_read(mb.tx, out.data(), n, pas_of(c.caller))) return true;
  s.errors.push_back("SPMC: the TX buffer at " + hex(mb.tx) + " is not backed by memory");
  return false;
}

// --- share states -----------------------------------------------------------------------------

// A handle with bit 63 set was allocated by a hypervisor: never one of ours.
ShareState* find_share(Impl& s, uint64_t handle) {
  if (handle & mem::kHandleHypervisorBit) return nullptr;
  for (auto& slot : s.mm.slots)
    if (slot && slot->handle == handle) return slot.get();
  return nullptr;
}

// Hafnium: the lowest free slot, whose index is the handle (bit 63 = 0, SPMC allocator). TF-A EL3
// SPMC: the next value of a counter starting at 0xFFFFFFC0. Both hold at most 100 transactions
// (the EL3 SPMC's real limit is its datastore size).
ShareState* alloc_share(Impl& s) {
  for (size_t i = 0; i < s.mm.slots.size(); ++i) {
    if (s.mm.slots[i]) continue;
    s.mm.slots[i] = std::make_unique<ShareState>();
    s.mm.slots[i]->handle = el3(s) ? s.mm.next_el3_handle++ : uint64_t(i);
    return s.mm.slots[i].get();
  }
  return nullptr;
}

void free_share(Impl& s, const ShareState* st) {
  for (auto& slot : s.mm.slots)
    if (slot.get() == st) slot.reset();
}

std::vector<const ShareState*> live_shares(const Impl& s) {
  std::vector<const ShareState*> out;
  for (auto& slot : s.mm.slots)
    if (slot) out.push_back(slot.get());
  return out;
}

std::vector<PageKey> pages_of_share(const Impl& s, const ShareState& st) {
  std::vector<PageKey> pages;
  pages_of(s.mm.pages, st.desc.constituents, pages);  // validated when the send completed
  return pages;
}

int receiver_index(const ShareState& st, EndpointId ep) {
  for (size_t i = 0; i < st.desc.receivers.size(); ++i)
    if (st.desc.receivers[i].receiver == ep) return int(i);
  return -1;
}

// Zeroes pages through the PE (Hafnium clear_memory: the writes, DC ZVA and the cache clean).
void zero_pages(Impl& s, Call& c, const std::vector<PageKey>& pages) {
  static const std::array<uint8_t, kPage> zeros{};
  for (auto& k : pages) {
    s.insns(c.pe, sim::Cost::Work, s.t.mem_zero_insns_per_line * (kPage / 64));
    if (!c.pe.mem_write(k.pa(), zeros.data(), kPage, k.secure ? sim::Security::Secure : sim::Security::NonSecure))
      s.errors.push_back("SPMC: cannot zero page " + hex(k.pa()) + ": not backed by memory");
  }
}

// After every memory-management ABI: the page updates reach the partitions' stage-2 tables (with
// their costs and the TLB maintenance), and the isolation invariant is checked if asked for,
// against the ownership state and against the tables themselves.
Action finish(Impl& s, Call& c, Action act) {
  s.apply_stage2(c.pe);
  if (s.cfg.check_isolation) {
    s.checker.check(s.mm.pages, live_shares(s), label(c));
    std::vector<EndpointId> parts;
    for (auto& p : s.partitions) parts.push_back(p->id);
    s.checker.check_stage2(s.mm.pages, parts, [&](EndpointId ep, const PageKey& k) { return s.s2->mapped_access(ep, k); },
                           label(c));
  }
  for (size_t i = s.mm.violations_reported; i < s.checker.violations().size(); ++i)
    s.errors.push_back(s.checker.violations()[i]);
  s.mm.violations_reported = s.checker.violations().size();
  return act;
}

// --- sending ------------------------------------------------------------------------------------

// Hafnium api_ffa_mem_send's receiver checks and ffa_memory_is_send_valid (section 4.8 item 1):
// a secure receiver must be a partition (INVALID_PARAMETERS); DONATE and LEND go to SPs only;
// an SP shares with SPs only; the normal world shares with one SP, or with several borrowers of
// either world (DENIED otherwise).
std::optional<Error> check_receivers(Impl& s, const Call& c, const mem::Descriptor& d, Transaction type) {
  for (auto& r : d.receivers) {
    const bool to_sp = r.receiver.is_secure();
    if (to_sp && !s.find(r.receiver)) return Error::INVALID_PARAMETERS;
    bool valid = to_sp;
    if (type == Transaction::Share && c.caller.is_nwd() && d.receivers.size() > 1) valid = true;
    if (!valid) return Error::DENIED;
  }
  return std::nullopt;
}

// The last fragment arrived: validate the constituents and move the pages (Hafnium
// ffa_memory_send_complete). On an error the transaction is dropped.
Action complete_send(Impl& s, Call& c, ShareState& st) {
  auto dropped = [&](Error e) {
    free_share(s, &st);
    return fail(e);
  };
  if (Check k = mem::validate_constituents(st.desc); k != Check::Ok) return dropped(mem::error_of(k, el3(s)));
  uint8_t needed = 0;  // the sender must hold the data access it grants
  for (auto& r : st.desc.receivers) needed |= access::from_permissions(r.permissions & mem::perm::kDataMask);
  std::vector<PageKey> pages;
  if (!pages_of(s.mm.pages, st.desc.constituents, pages) ||
      !check_send(s.mm.pages, pages, st.desc.sender, needed, st.sender_access))
    return dropped(Error::DENIED);
  apply_send(s.mm.pages, pages, st.handle, st.type, st.desc.sender);
  if (st.desc.flags & mem::flags::kZeroMemory) zero_pages(s, c, pages);
  st.complete = true;
  if (s.cfg.check_isolation && st.type != Transaction::Share)
    s.checker.expect_no_access(s.mm.pages, pages, st.desc.sender, label(c));
  return reply(ffa::success(uint32_t(st.handle), uint32_t(st.handle >> 32)));
}

Action send_first(Impl& s, Call& c) {
  const uint64_t address = c.smc64 ? c.a[3] : uint32_t(c.a[3]);
  const uint32_t total = uint32_t(c.a[1]), frag = uint32_t(c.a[2]);
  if (address != 0 || uint32_t(c.a[4]) != 0) return fail(Error::INVALID_PARAMETERS);
  if (frag > total) return fail(Error::INVALID_PARAMETERS);
  const Mailbox& mb = s.mailbox_of(c.caller);
  if (!mb.mapped || frag > mailbox_bytes(mb)) return fail(Error::INVALID_PARAMETERS);
  const mem::Layout layout = mem::layout_for(s.caller_version(c.caller));
  // Hafnium converts v1.0 descriptors to v1.1 and cannot convert a fragmented one.
  if (layout == mem::Layout::V1_0 && frag != total && !el3(s)) return fail(Error::NOT_SUPPORTED);
  std::vector<uint8_t> buf;
  if (!read_tx(s, c, frag, buf)) return fail(Error::ABORTED);
  const Transaction type = type_of(c.abi);
  mem::Descriptor d;
  const mem::SendContext ctx{type, caller_id(s, c), c.caller.is_nwd()};
  if (Check k = mem::parse_send(buf.data(), frag, total, layout, ctx, d); k != Check::Ok) return fail(s, k);
  if (auto e = check_receivers(s, c, d, type)) return fail(*e);
  s.insns(c.pe, sim::Cost::Dispatch, s.t.mem_constituent_insns * double(d.constituents.size()));
  ShareState* st = alloc_share(s);
  if (!st) return fail(Error::NO_MEMORY);
  d.flags |= mem::type_flags(type);  // as Hafnium stores it, ready for the retrieve response
  d.handle = st->handle;
  st->type = type;
  st->smc64 = c.smc64;
  st->layout = layout;
  st->total_length = total;
  st->received_length = frag;
  st->fragment_constituents.push_back(uint32_t(d.constituents.size()));
  st->receivers.resize(d.receivers.size());
  st->desc = std::move(d);
  if (frag == total) return complete_send(s, c, *st);
  // More fragments: w3 = bytes received; w4[31:16] = the sender for a normal-world caller.
  const uint64_t w4 = c.caller.is_nwd() ? uint64_t(st->desc.sender.value) << 16 : 0;
  return reply(ffa::regs(ffa::fid(ffa::Abi::MEM_FRAG_RX), uint32_t(st->handle), uint32_t(st->handle >> 32), frag, w4));
}

Action frag_tx(Impl& s, Call& c) {
  const uint32_t len = uint32_t(c.a[3]);
  if (uint32_t(c.a[4]) >> 16) return fail(Error::INVALID_PARAMETERS);  // sender ID: hypervisor use
  const Mailbox& mb = s.mailbox_of(c.caller);
  if (!mb.mapped || len > mailbox_bytes(mb) || len < mem::kConstituentSize || len % mem::kConstituentSize)
    return fail(Error::INVALID_PARAMETERS);
  ShareState* st = find_share(s, handle_of(c));
  if (!st || st->desc.sender != caller_id(s, c) || st->complete) return fail(Error::INVALID_PARAMETERS);
  if (st->fragment_constituents.size() == kMaxFragments) {
    free_share(s, st);
    return fail(Error::NO_MEMORY);
  }
  if (uint64_t(st->received_length) + len > st->total_length) return fail(Error::INVALID_PARAMETERS);
  std::vector<uint8_t> buf;
  if (!read_tx(s, c, len, buf)) return fail(Error::ABORTED);
  std::vector<mem::Constituent> more;
  if (Check k = mem::parse_constituents(buf.data(), len, more); k != Check::Ok) return fail(s, k);
  s.insns(c.pe, sim::Cost::Dispatch, s.t.mem_constituent_insns * double(more.size()));
  st->desc.constituents.insert(st->desc.constituents.end(), more.begin(), more.end());
  st->fragment_constituents.push_back(uint32_t(more.size()));
  st->received_length += len;
  if (st->received_length == st->total_length) return complete_send(s, c, *st);
  return reply(ffa::regs(ffa::fid(ffa::Abi::MEM_FRAG_RX), uint32_t(st->handle), uint32_t(st->handle >> 32),
                         st->received_length));
}

// --- retrieving ---------------------------------------------------------------------------------

// Where the fragments of a retrieve response end: the constituents of each fragment the lender
// sent travel together (Hafnium's rule, so the borrower's FFA_MEM_FRAG_RX offsets follow the
// lender's fragments), split further where they would not fit the borrower's RX buffer.
std::vector<uint32_t> response_fragments(uint32_t head, const std::vector<uint32_t>& per_fragment, uint32_t rx) {
  std::vector<uint32_t> ends;
  uint32_t start = 0, pos = head;
  for (uint32_t n : per_fragment) {
    do {
      const uint32_t take = std::min<uint32_t>(n, (rx - (pos - start)) / mem::kConstituentSize);
      pos += take * mem::kConstituentSize;
      n -= take;
      ends.push_back(pos);
      start = pos;
    } while (n > 0);
  }
  return ends;
}

// The retrieve response for the caller (section 4.8 item 3): the lender's header and flags (with
// the transaction type), one EMAD for the caller with the access granted, the composite and
// every constituent; the NS bit for normal-world memory to v1.1+ borrowers (and, TF-A EL3 SPMC,
// to v1.0 SPs that asked for it with FFA_FEATURES).
void build_response(Impl& s, const Call& c, const ShareState& st, const mem::Descriptor& req, const mem::Grant& g,
                    bool ns_memory, ReceiverState& r) {
  const ffa::Version v = s.caller_version(c.caller);
  const mem::Layout l = mem::layout_for(v);
  const bool v10_asked = c.caller.vcpu && c.caller.vcpu->partition->mem_ns_bit_requested && el3(s);
  mem::Descriptor d = st.desc;
  if (ns_memory && (ffa::kV1_1 <= v || v10_asked)) d.attributes |= mem::attr::kNs;
  d.emad_size = l == mem::Layout::V1_0 ? mem::kEmadV1_0 : req.emad_size;
  d.emad_offset = mem::kHeaderV1_1;
  mem::Emad e = st.desc.receivers[g.receiver_index];
  e.permissions = g.permissions;
  d.receivers = {e};
  r.response = mem::build_transaction(d, l);
  r.frag_ends = response_fragments(mem::composite_offset(d, l) + mem::kCompositeSize, st.fragment_constituents,
                                   mailbox_bytes(s.mailbox_of(c.caller)));
  r.frags_sent = 0;
  s.insns(c.pe, sim::Cost::Dispatch, s.t.mem_constituent_insns * double(d.constituents.size()));
}

// Writes the next response fragment into the caller's RX buffer, which becomes full.
bool send_fragment(Impl& s, Call& c, ReceiverState& r, uint32_t& length) {
  const uint32_t start = r.frags_sent ? r.frag_ends[r.frags_sent - 1] : 0, end = r.frag_ends[r.frags_sent];
  Mailbox& mb = s.mailbox_of(c.caller);
  length = end - start;
  if (!c.pe.mem_write(mb.rx, r.response.data() + start, length, pas_of(c.caller))) {
    s.errors.push_back("SPMC: the RX buffer at " + hex(mb.rx) + " is not backed by memory");
    return false;
  }
  mb.rx_full = true;
  ++r.frags_sent;
  return true;
}

// The borrower has the whole response. A DONATE ends here: the borrower owns the pages and the
// handle is freed (Hafnium ffa_memory_retrieve_complete).
void retrieval_done(Impl& s, Call& c, ShareState& st, ReceiverState& r) {
  r.response.clear();
  r.response.shrink_to_fit();
  if (st.type != Transaction::Donate) return;
  const std::vector<PageKey> pages = pages_of_share(s, st);
  const EndpointId borrower = caller_id(s, c);
  apply_release(s.mm.pages, pages, borrower, r.granted);
  if (s.cfg.check_isolation) s.checker.expect_owner_only(s.mm.pages, pages, borrower, label(c));
  free_share(s, &st);
}

// Grants the access, writes the first fragment, and answers FFA_MEM_RETRIEVE_RESP (w1 = total
// length, w2 = length of this fragment).
Action deliver(Impl& s, Call& c, ShareState& st, const mem::Descriptor& req, const mem::Grant& g) {
  const std::vector<PageKey> pages = pages_of_share(s, st);
  ReceiverState& r = st.receivers[g.receiver_index];
  build_response(s, c, st, req, g, !pages.empty() && !pages[0].secure, r);
  uint32_t length = 0;
  if (!send_fragment(s, c, r, length)) return fail(Error::ABORTED);
  const uint8_t bits = access::from_permissions(g.permissions);
  r.granted = r.retrievals ? uint8_t(r.granted | bits) : bits;
  ++r.retrievals;
  apply_retrieve(s.mm.pages, pages, caller_id(s, c), r.granted);
  const uint32_t total = uint32_t(r.response.size());
  if (!r.retrieving()) retrieval_done(s, c, st, r);
  return reply(ffa::regs(ffa::fid(ffa::Abi::MEM_RETRIEVE_RESP), total, length));
}

Action retrieve(Impl& s, Call& c) {
  if (el3(s) && c.caller.is_nwd()) return fail(Error::INVALID_PARAMETERS);
  const uint64_t address = c.smc64 ? c.a[3] : uint32_t(c.a[3]);
  const uint32_t total = uint32_t(c.a[1]), frag = uint32_t(c.a[2]);
  if (address != 0 || uint32_t(c.a[4]) != 0 || frag != total) return fail(Error::INVALID_PARAMETERS);
  const Mailbox& mb = s.mailbox_of(c.caller);
  if (!mb.mapped || total > mailbox_bytes(mb)) return fail(Error::INVALID_PARAMETERS);
  if (mb.rx_full) return fail(el3(s) ? Error::DENIED : Error::BUSY);
  std::vector<uint8_t> buf;
  if (!read_tx(s, c, total, buf)) return fail(Error::ABORTED);
  mem::Descriptor req;
  if (Check k = mem::parse_retrieve_request(buf.data(), total, mem::layout_for(s.caller_version(c.caller)), req);
      k != Check::Ok)
    return fail(s, k);
  // No EMAD: a hypervisor retrieve request (not modelled: there is no hypervisor).
  if (req.receivers.empty()) return fail(c.caller.is_nwd() ? Error::NOT_SUPPORTED : Error::INVALID_PARAMETERS);
  ShareState* st = find_share(s, req.handle);
  if (!st || !st->complete) return fail(Error::INVALID_PARAMETERS);
  mem::Grant g;
  if (Check k = mem::validate_retrieve(req, st->desc, st->type, caller_id(s, c), g); k != Check::Ok)
    return fail(s, k);
  // Hafnium: the borrower's stage 2 already maps the pages (ffa_retrieve_check_transition).
  if (st->receivers[g.receiver_index].retrievals && !el3(s)) return fail(Error::DENIED);
  return deliver(s, c, *st, req, g);
}

Action frag_rx(Impl& s, Call& c) {
  if (el3(s) && c.caller.is_nwd()) return fail(Error::INVALID_PARAMETERS);
  if (!c.caller.is_nwd() && (uint32_t(c.a[4]) >> 16)) return fail(Error::INVALID_PARAMETERS);
  const Mailbox& mb = s.mailbox_of(c.caller);
  if (!mb.mapped) return fail(Error::INVALID_PARAMETERS);
  if (mb.rx_full) return fail(el3(s) ? Error::DENIED : Error::BUSY);
  ShareState* st = find_share(s, handle_of(c));
  if (!st || !st->complete) return fail(Error::INVALID_PARAMETERS);
  const int i = receiver_index(*st, caller_id(s, c));
  if (i < 0) return fail(Error::INVALID_PARAMETERS);
  ReceiverState& r = st->receivers[size_t(i)];
  if (r.frags_sent == 0 || !r.retrieving()) return fail(Error::INVALID_PARAMETERS);
  if (uint32_t(c.a[3]) != r.frag_ends[r.frags_sent - 1]) return fail(Error::INVALID_PARAMETERS);
  uint32_t length = 0;
  if (!send_fragment(s, c, r, length)) return fail(Error::ABORTED);
  const uint64_t h = st->handle;
  if (!r.retrieving()) retrieval_done(s, c, *st, r);
  return reply(ffa::regs(ffa::fid(ffa::Abi::MEM_FRAG_TX), uint32_t(h), uint32_t(h >> 32), length));
}

// --- giving back ----------------------------------------------------------------------------------

// Reads the relinquish descriptor: the 16-byte header, then its endpoint list if it fits.
Check read_relinquish(Impl& s, Call& c, mem::Relinquish& rq, bool& aborted) {
  const uint32_t room = mailbox_bytes(s.mailbox_of(c.caller));
  std::vector<uint8_t> buf;
  aborted = !read_tx(s, c, mem::kRelinquishHeader, buf);
  if (aborted) return Check::Ok;
  const uint64_t count = uint32_t(buf[12] | buf[13] << 8 | buf[14] << 16 | uint32_t(buf[15]) << 24);
  const uint32_t n = uint32_t(std::min<uint64_t>(mem::kRelinquishHeader + 2 * count, room));
  aborted = !read_tx(s, c, n, buf);
  return aborted ? Check::Ok : mem::parse_relinquish(buf.data(), n, rq);
}

Action relinquish(Impl& s, Call& c) {
  if (el3(s) && c.caller.is_nwd()) return fail(Error::INVALID_PARAMETERS);
  if (!s.mailbox_of(c.caller).mapped) return fail(Error::INVALID_PARAMETERS);
  mem::Relinquish rq;
  bool aborted = false;
  if (Check k = read_relinquish(s, c, rq, aborted); aborted || k != Check::Ok)
    return aborted ? fail(Error::ABORTED) : fail(s, k);
  if (el3(s) && rq.flags) return fail(Error::INVALID_PARAMETERS);
  const EndpointId who = rq.endpoints[0];
  if (c.caller.is_nwd() ? who.is_secure() : who != caller_id(s, c)) return fail(Error::INVALID_PARAMETERS);
  ShareState* st = find_share(s, rq.handle);
  if (!st || !st->complete) return fail(Error::INVALID_PARAMETERS);
  const int i = receiver_index(*st, who);
  if (i < 0) return fail(Error::INVALID_PARAMETERS);
  ReceiverState& r = st->receivers[size_t(i)];
  if (!r.retrievals || r.retrieving()) return fail(Error::INVALID_PARAMETERS);
  bool others_hold = false;
  for (size_t j = 0; j < st->receivers.size(); ++j) others_hold |= j != size_t(i) && st->receivers[j].retrievals;
  const bool clear = !others_hold && (rq.flags & mem::flags::kZeroMemory);
  if (clear && st->type == Transaction::Share) return fail(Error::INVALID_PARAMETERS);
  if (clear && !(r.granted & access::kW)) return fail(Error::DENIED);
  const std::vector<PageKey> pages = pages_of_share(s, *st);
  if (--r.retrievals == 0) {
    apply_relinquish(s.mm.pages, pages, who);
    r = ReceiverState{};
    if (s.cfg.check_isolation) s.checker.expect_no_access(s.mm.pages, pages, who, label(c));
  }
  if (clear) zero_pages(s, c, pages);
  return reply(ffa::success());
}

Action reclaim(Impl& s, Call& c) {
  const uint32_t flags = uint32_t(c.a[3]);
  if (el3(s) && (!c.caller.is_nwd() || flags)) return fail(Error::INVALID_PARAMETERS);
  ShareState* st = find_share(s, handle_of(c));
  if (!st || st->desc.sender != caller_id(s, c)) return fail(Error::INVALID_PARAMETERS);
  if (el3(s) && st->in_use()) return fail(Error::DENIED);  // the EL3 SPMC checks in_use first
  if (!st->complete) return fail(Error::INVALID_PARAMETERS);
  if (st->in_use()) return fail(Error::DENIED);
  const bool clear = flags & mem::flags::kZeroMemory;
  if (clear && !(st->sender_access & access::kW)) return fail(Error::DENIED);
  const std::vector<PageKey> pages = pages_of_share(s, *st);
  const EndpointId owner = st->desc.sender;
  apply_release(s.mm.pages, pages, owner, st->sender_access);
  if (clear) zero_pages(s, c, pages);
  free_share(s, st);
  if (s.cfg.check_isolation) s.checker.expect_owner_only(s.mm.pages, pages, owner, label(c));
  return reply(ffa::success());
}

}  // namespace

void Spmc::Impl::mem_setup() {
  if (mm.ready) return;
  mm.ready = true;
  for (auto& r : cfg.core.memory) {
    if (r.device_type == "memory") mm.pages.add_range({r.base, r.size, true, EndpointId(cfg.core.spmc_id)});
    else if (r.device_type == "ns-memory") mm.pages.add_range({r.base, r.size, false, nwd.id});
  }
  for (auto& p : partitions)
    mm.pages.add_range({p->manifest.load_address, partition_memory_size(p->manifest), true, p->id});
  const uint64_t image = cfg.core.binary_size ? cfg.core.binary_size : 0x80000;
  const uint64_t pool = cfg.s2_pool_base ? cfg.s2_pool_base : (cfg.core.load_address + image + kPage - 1) & ~uint64_t(kPage - 1);
  s2 = std::make_unique<Stage2Manager>(mmus.memory(), pool, cfg.s2_pool_size);
  for (auto& p : partitions)
    s2->add_partition(p->id, uint16_t(p->index + 1), p->manifest, partition_memory_size(p->manifest), errors);
}

// Costs: spmc.mem_page_update_insns per ownership change; spmc.s2_map_page_insns and
// spmc.s2_unmap_page_insns per page written into a stage 2; for every partition that lost or
// narrowed a mapping, one TLBI VMALLS12E1IS (its VMID, stage 1 and 2, every PE's TLB) at
// mmu.tlbi_broadcast_cycles (Hafnium invalidates per range; the model uses the by-VMID form).
void Spmc::Impl::apply_stage2(sim::Pe& pe) {
  const std::vector<AccessChange> changes = mm.pages.take_changes();
  if (changes.empty()) return;
  insns(pe, sim::Cost::Dispatch, t.mem_page_update_insns * double(changes.size()));
  const Stage2Update u = s2->apply(changes, errors);
  insns(pe, sim::Cost::Dispatch, t.s2_map_page_insns * double(u.pages_mapped) +
                                     t.s2_unmap_page_insns * double(u.pages_unmapped));
  for (uint16_t vmid : u.invalidate_vmids) {
    sim::mmu::TlbiScope scope;  // TLBI VMALLS12E1IS from Secure EL2
    scope.combined = scope.stage2_only = true;
    scope.regimes = sim::mmu::regime_bit(sim::mmu::Regime::EL10);
    scope.security = sim::Security::Secure;
    scope.vmid = vmid;
    mmus.tlbi(pe.id(), scope, true);
    ++tlbis;
    pe.charge_ps(sim::Cost::Dispatch, sim::mmu::tlbi_cost(true, mmus.timing(), pe.period_ps()));
  }
}

// FFA_MEM_DONATE, FFA_MEM_LEND, FFA_MEM_SHARE (32/64): w1 = total length, w2 = fragment length,
// x3 = buffer address, w4 = page count; the descriptor is in the caller's TX buffer. Returns
// FFA_SUCCESS with the handle in w2/w3, or FFA_MEM_FRAG_RX (w1/w2 = handle, w3 = bytes received,
// w4[31:16] = the sender for a normal-world caller) while fragments are missing. LEND and DONATE
// remove the lender's access, SHARE keeps it; bit0 of the flags (LEND/DONATE) zeroes the pages.
// Errors:
//   INVALID_PARAMETERS  x3 or w4 not 0 (no dynamic buffers, as Hafnium); w2 > w1; no TX buffer,
//                       or w2 beyond it; every descriptor rule mem::error_of() maps to it
//                       (lengths, offsets, counts, reserved fields, flags, permissions, memory
//                       type, zero pages, overlaps; section 4.8); a secure receiver that is not a
//                       partition;
//   DENIED              the sender field is not the caller; attributes other than Normal
//                       write-back inner-shareable; DONATE/LEND to the normal world, SHARE from an
//                       SP to the normal world or from the normal world to one NWd borrower; pages
//                       the sender does not own exclusively with the access it grants (in another
//                       transaction, not RAM, mixed secure and non-secure);
//   NOT_SUPPORTED       (Hafnium) a fragmented descriptor from a v1.0 caller;
//   NO_MEMORY           all 100 share states in use;
//   ABORTED             the TX buffer is not backed by memory (a configuration error).
Action Spmc::Impl::mem_send(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.mem_call_insns);
  return finish(*this, c, send_first(*this, c));
}

// FFA_MEM_FRAG_TX: w1/w2 = handle, w3 = fragment length, w4[31:16] = sender ID (hypervisor use);
// the fragment (whole constituents) is in the TX buffer. Returns FFA_MEM_FRAG_RX (w1/w2 = handle,
// w3 = bytes received so far) until the last fragment, which completes the send as FFA_MEM_SHARE
// does. Errors: INVALID_PARAMETERS for w4[31:16] not 0, no TX buffer, a length of 0, not a
// multiple of 16, beyond the TX buffer or past the total length, an unknown handle, one the caller
// did not send or already fully sent, a constituent with reserved bits set, and the descriptor
// rules checked on the last fragment; DENIED for the pages (see FFA_MEM_SHARE); NO_MEMORY for a
// 21st fragment (Hafnium MAX_FRAGMENTS), which drops the transaction.
Action Spmc::Impl::mem_frag_tx(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.mem_call_insns);
  return finish(*this, c, frag_tx(*this, c));
}

// FFA_MEM_RETRIEVE_REQ (32/64): w1 = total length, w2 = fragment length, x3 = address, w4 = page
// count; the retrieve request (the lender's header, tag and flags, one EMAD per borrower with
// composite offset 0) is in the TX buffer. Grants the caller access and writes the response into
// its RX buffer (which it must FFA_RX_RELEASE): FFA_MEM_RETRIEVE_RESP, w1 = total length, w2 =
// this fragment's length; the rest comes with FFA_MEM_FRAG_RX. A DONATE ends with the last
// fragment: the borrower owns the pages. Errors:
//   INVALID_PARAMETERS  x3 or w4 not 0; w2 != w1 (no fragmented requests); no TX buffer or a
//                       request beyond it; the request rules (length, reserved fields, type, tag,
//                       flags, hints, receiver list, composite offsets, instruction access,
//                       impdef); an unknown or not fully sent handle; the caller not a borrower;
//                       no EMAD from an SP; (EL3) any call from the normal world;
//   BUSY                the caller's RX buffer is full (EL3: DENIED);
//   DENIED              the sender field differs; more access than sent; zeroing asked but not
//                       set by the lender, or with read-only access; device memory as Normal;
//                       (Hafnium) a second retrieve by the same borrower;
//   NOT_SUPPORTED       a hypervisor retrieve request (no EMAD) from the normal world;
//   ABORTED             the TX or RX buffer is not backed by memory.
Action Spmc::Impl::mem_retrieve_req(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.mem_call_insns);
  return finish(*this, c, retrieve(*this, c));
}

// FFA_MEM_RETRIEVE_RESP is a result, never a call: NOT_SUPPORTED (FFA_FEATURES still lists it, as
// Hafnium does).
Action Spmc::Impl::mem_retrieve_resp(Call& c) { return reply_error(ffa::Error::NOT_SUPPORTED); }

// FFA_MEM_FRAG_RX from a borrower: w1/w2 = handle, w3 = bytes of the response received so far,
// w4[31:16] = sender ID (hypervisor use). Writes the next fragment into the RX buffer and returns
// FFA_MEM_FRAG_TX (w1/w2 = handle, w3 = its length, w4 = 0). Errors: INVALID_PARAMETERS for
// w4[31:16] not 0 from an SP, no RX buffer, an unknown or not fully sent handle, a caller that is
// not a borrower or has no retrieval in progress, an offset other than the bytes delivered so
// far, and (EL3) a normal-world caller; BUSY while the RX buffer is full (EL3: DENIED).
Action Spmc::Impl::mem_frag_rx(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.mem_call_insns);
  return finish(*this, c, frag_rx(*this, c));
}

// FFA_MEM_RELINQUISH: the relinquish descriptor (handle, flags, one endpoint: the caller) is in
// the TX buffer. The borrower loses its access (with an in_use count above one, EL3, it keeps it
// until the last relinquish); flags bit0 zeroes the pages once no other borrower holds them.
// Errors: INVALID_PARAMETERS for no TX buffer, a descriptor beyond it, an endpoint count other
// than 1, reserved flags (EL3: any flag), an endpoint that is not the caller (a normal-world
// caller: not a NWd ID), an unknown or not fully sent handle, an endpoint that is not a borrower
// or holds no complete retrieval, the zero flag on a SHARE, and (EL3) a normal-world caller;
// DENIED for the zero flag with read-only access; ABORTED if the TX buffer is not memory.
Action Spmc::Impl::mem_relinquish(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.mem_call_insns);
  return finish(*this, c, relinquish(*this, c));
}

// FFA_MEM_RECLAIM: w1/w2 = handle, w3 = flags (bit0 zero the memory, bit1 time slicing). The
// owner gets its pages back with the access it had, alone, and the handle is freed. Errors:
// INVALID_PARAMETERS for an unknown handle, a caller other than the lender (either world; Hafnium
// checks only SP callers, the model both), a transaction not fully sent, and (EL3) a secure
// caller or w3 != 0; DENIED while any borrower holds a retrieval (EL3: checked before "not fully
// sent"), or for the zero flag when the lender could not write the pages.
Action Spmc::Impl::mem_reclaim(Call& c) {
  insns(c.pe, sim::Cost::Dispatch, t.mem_call_insns);
  return finish(*this, c, reclaim(*this, c));
}

// FFA_FEATURES(FFA_MEM_RETRIEVE_REQ), w2 = input properties (bit1: the caller handles the NS bit).
// Hafnium: a v1.1+ caller must set bit1 (else NOT_SUPPORTED); the answer is 0x6 (NS bit handling,
// hypervisor retrieval; no dynamic buffers). TF-A EL3 SPMC: the normal world must not set bit1
// (else NOT_SUPPORTED) and gets 0; a v1.1+ SP must set it and gets 0x2; a v1.0 SP's bit1 is
// remembered (the NS bit in its retrieve responses) and echoed.
Action Spmc::Impl::mem_retrieve_req_features(Call& c) {
  constexpr uint32_t kNsBit = 1u << 1, kHypervisorRetrieve = 1u << 2;
  const bool ns = uint32_t(c.a[2]) & kNsBit;
  const bool v11 = ffa::kV1_1 <= caller_version(c.caller);
  if (cfg.flavour == Flavour::Hafnium) {
    if (v11 && !ns) return reply_error(ffa::Error::NOT_SUPPORTED);
    return reply(ffa::success(kNsBit | kHypervisorRetrieve));
  }
  if (c.caller.is_nwd()) return ns ? reply_error(ffa::Error::NOT_SUPPORTED) : reply(ffa::success(0));
  if (v11) return ns ? reply(ffa::success(kNsBit)) : reply_error(ffa::Error::NOT_SUPPORTED);
  c.caller.vcpu->partition->mem_ns_bit_requested = ns;
  return reply(ffa::success(ns ? kNsBit : 0));
}

uint8_t Spmc::stage2_access(EndpointId id, uint64_t pa, bool secure) const {
  return impl_->s2->mapped_access(id, PageKey{pa / kPage, secure});
}

uint64_t Spmc::tlbi_count() const { return impl_->tlbis; }
uint64_t Spmc::s2_pool_in_use() const { return impl_->s2->pool_in_use(); }
const std::vector<std::string>& Spmc::guest_errors() const { return impl_->guest_errors; }

// Hafnium (handle_data_abort -> vcpu_handle_page_fault fails): the abort is logged with the
// IPA from HPFAR_EL2 and injected into the partition's EL1 as a data abort. The model records
// the line; the SP's access reports the fault to its own code (models/sp_common/sp_memory.h).
void Spmc::stage2_abort(sim::Pe& pe, const sim::mmu::Fault& f) {
  const SpmcPeState& ps = impl_->pes[pe.id()];
  const Partition* p = ps.current ? ps.current->partition : nullptr;
  char b[256];
  std::snprintf(b, sizeof b,
                "SPMC: stage-2 %s abort from SP 0x%04x (%s) vCPU %u on PE %u: IPA 0x%llx (%s), %s fault at level %d "
                "(ESR_EL2 0x%08x, HPFAR_EL2 0x%llx)",
                f.access == sim::mmu::AccessType::Execute ? "instruction" : "data", p ? p->id.value : 0,
                p ? p->manifest.description.c_str() : "?", ps.current ? ps.current->index : 0u, unsigned(pe.id()),
                (unsigned long long)f.ipa.value(), f.ipa_space == sim::Security::Secure ? "secure" : "non-secure",
                sim::mmu::name(f.type), f.level, sim::mmu::abort_esr(f), (unsigned long long)sim::mmu::hpfar_el2(f));
  impl_->guest_errors.push_back(b);
}

PageAccessView Spmc::page_access(uint64_t pa) const {

  PageAccessView v;
  PageKey k;
  if (!impl_->mm.pages.page_of(pa, k)) return v;
  const PageState s = impl_->mm.pages.get(k);
  v.ram = true;
  v.secure = k.secure;
  v.owner = s.owner;
  v.handle = s.handle;
  v.access = s.access;
  return v;
}

}  // namespace ffasim::spmc
