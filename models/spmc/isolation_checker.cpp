#include "models/spmc/isolation_checker.h"

#include <cstdio>

namespace ffasim::spmc {

using ffa::EndpointId;
using ffa::mem::Transaction;

namespace {

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}
std::string ep_name(EndpointId e) { return "endpoint " + hex(e.value); }
std::string page_name(const PageKey& k) { return (k.secure ? "secure page " : "NS page ") + hex(k.pa()); }

const ShareState* find_share(const std::vector<const ShareState*>& shares, uint64_t handle) {
  for (auto* s : shares)
    if (s->handle == handle) return s;
  return nullptr;
}

// The receiver index of `ep` in `s`, or -1.
int receiver_index(const ShareState& s, EndpointId ep) {
  for (size_t i = 0; i < s.desc.receivers.size(); ++i)
    if (s.desc.receivers[i].receiver == ep) return int(i);
  return -1;
}

}  // namespace

void IsolationChecker::fail(const std::string& after, const std::string& what) {
  violations_.push_back("isolation: after " + after + ": " + what);
}

void IsolationChecker::check(const MemoryState& m, const std::vector<const ShareState*>& shares,
                             const std::string& after) {
  ++checks_;
  for (auto* s : shares) check_share(m, *s, after);
  for (auto& [k, p] : m.tracked()) check_page(k, p, shares, after);
}

// Invariants 2, 3 and 6 for one transaction.
void IsolationChecker::check_share(const MemoryState& m, const ShareState& s, const std::string& after) {
  // Pages move only when the last fragment arrives (its constituents are validated then); a
  // transaction still being sent holds none, which invariant 6 checks from the pages' side.
  if (!s.complete) return;
  std::vector<PageKey> pages;
  const std::string h = "handle " + hex(s.handle);
  if (!pages_of(m, s.desc.constituents, pages)) {
    fail(after, h + " holds memory outside every owner range");
    return;
  }
  for (auto& k : pages) {
    const PageState p = m.get(k);
    if (p.handle != s.handle) {
      fail(after, page_name(k) + " of " + h + " is not marked as in it");
      continue;
    }
    if (p.owner != s.desc.sender) fail(after, page_name(k) + " of " + h + " changed owner before the transaction ended");
    if (s.type != Transaction::Share && p.of(s.desc.sender))
      fail(after, "the lender " + ep_name(s.desc.sender) + " can access " + page_name(k) + " it lent or donated (" + h + ")");
    for (size_t i = 0; i < s.receivers.size(); ++i) {
      const EndpointId b = s.desc.receivers[i].receiver;
      const uint8_t want = s.receivers[i].retrievals ? s.receivers[i].granted : 0;
      if (p.of(b) != want)
        fail(after, ep_name(b) + " has " + access::name(p.of(b)) + " on " + page_name(k) + " of " + h + ", expected " +
                        access::name(want) + (want ? "" : " (no retrieval held)"));
    }
  }
}

// Invariants 1, 4, 5 and 6 for one page.
void IsolationChecker::check_page(const PageKey& k, const PageState& p, const std::vector<const ShareState*>& shares,
                                  const std::string& after) {
  if (k.secure && !p.owner.is_secure()) fail(after, page_name(k) + " is owned by the normal world");
  unsigned writers = 0;
  for (auto& [ep, bits] : p.access) {
    if (k.secure && !ep.is_secure()) fail(after, page_name(k) + " is accessible to normal-world " + ep_name(ep));
    if (bits & access::kW) ++writers;
  }
  if (p.handle == ffa::mem::kInvalidHandle) {
    for (auto& [ep, bits] : p.access)
      if (ep != p.owner) fail(after, page_name(k) + " is in no transaction but " + ep_name(ep) + " has " + access::name(bits));
    return;
  }
  const ShareState* s = find_share(shares, p.handle);
  if (!s || !s->complete) {
    fail(after, page_name(k) + " is marked as in handle " + hex(p.handle) + ", which is not a live transaction");
    return;
  }
  for (auto& [ep, bits] : p.access) {
    const int i = receiver_index(*s, ep);
    const bool owner_ok = ep == p.owner && s->type == Transaction::Share;
    if (!owner_ok && (i < 0 || !s->receivers[size_t(i)].retrievals))
      fail(after, ep_name(ep) + " has " + access::name(bits) + " on " + page_name(k) + " without holding a retrieval");
  }
  const bool may_share_writes = s->type == Transaction::Share || (s->type == Transaction::Lend && s->receivers.size() > 1);
  if (writers > 1 && !may_share_writes)
    fail(after, page_name(k) + " is writable by " + std::to_string(writers) + " endpoints but not shared");
}

void IsolationChecker::check_stage2(const MemoryState& m, const std::vector<EndpointId>& partitions,
                                    const Stage2Lookup& mapped, const std::string& after) {
  constexpr uint8_t kData = access::kR | access::kW;
  for (auto& [k, p] : m.tracked()) {
    for (EndpointId sp : partitions) {
      const uint8_t want = p.of(sp), have = mapped(sp, k);
      if ((have & kData) != (want & kData) || (have & access::kX & ~want))
        fail(after, "the stage 2 of " + ep_name(sp) + " gives " + access::name(have) + " on " + page_name(k) +
                        ", the ownership state says " + access::name(want));
    }
  }
}

void IsolationChecker::expect_no_access(const MemoryState& m, const std::vector<PageKey>& pages, EndpointId ep,
                                        const std::string& after) {
  for (auto& k : pages)
    if (uint8_t bits = m.get(k).of(ep)) fail(after, ep_name(ep) + " still has " + access::name(bits) + " on " + page_name(k));
}

void IsolationChecker::expect_owner_only(const MemoryState& m, const std::vector<PageKey>& pages, EndpointId owner,
                                         const std::string& after) {
  for (auto& k : pages) {
    const PageState p = m.get(k);
    if (p.owner != owner || p.handle != ffa::mem::kInvalidHandle || p.access.size() != 1 || !p.of(owner))
      fail(after, page_name(k) + " is not back with " + ep_name(owner) + " alone");
  }
}

}  // namespace ffasim::spmc
