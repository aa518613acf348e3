// Ownership and access per page, and the page transitions of FF-A memory management (see
// memory_state.h).
#include "models/spmc/memory_state.h"

#include <algorithm>

namespace ffasim::spmc {

using ffa::EndpointId;
using ffa::mem::Transaction;

std::string access::name(uint8_t a) {
  return std::string(a & kR ? "r" : "-") + (a & kW ? "w" : "-") + (a & kX ? "x" : "-");
}

uint8_t PageState::of(EndpointId ep) const {
  for (auto& [id, bits] : access)
    if (id == ep) return bits;
  return 0;
}

void PageState::set(EndpointId ep, uint8_t bits) {
  auto it = std::lower_bound(access.begin(), access.end(), ep, [](auto& e, EndpointId v) { return e.first < v; });
  if (it != access.end() && it->first == ep) {
    if (bits) it->second = bits;
    else access.erase(it);
  } else if (bits) {
    access.insert(it, {ep, bits});
  }
}

const OwnerRange* MemoryState::range_of(uint64_t pa) const {
  for (auto it = ranges_.rbegin(); it != ranges_.rend(); ++it)
    if (pa >= it->base && pa - it->base < it->size) return &*it;
  return nullptr;
}

bool MemoryState::page_of(uint64_t pa, PageKey& out) const {
  const OwnerRange* r = range_of(pa);
  if (!r) return false;
  out = {pa / ffa::mem::kPageSize, r->secure};
  return true;
}

PageState MemoryState::initial(const PageKey& k) const {
  PageState s;
  const OwnerRange* r = range_of(k.pa());
  if (!r || r->secure != k.secure) return s;  // not RAM: nobody owns it
  s.owner = r->owner;
  s.set(r->owner, access::kOwnerDefault);
  return s;
}

PageState MemoryState::get(const PageKey& k) const {
  auto it = tracked_.find(k);
  return it != tracked_.end() ? it->second : initial(k);
}

void MemoryState::put(const PageKey& k, const PageState& s) {
  const PageState before = get(k);
  // Every endpoint in either list whose bits differ.
  std::vector<EndpointId> eps;
  for (auto& e : before.access) eps.push_back(e.first);
  for (auto& e : s.access) eps.push_back(e.first);
  std::sort(eps.begin(), eps.end());
  eps.erase(std::unique(eps.begin(), eps.end()), eps.end());
  bool changed = false;
  for (EndpointId ep : eps)
    if (before.of(ep) != s.of(ep)) {
      changes_.push_back({ep, k, before.of(ep), s.of(ep)});
      changed = true;
    }
  // Same access, other state (a SHARE marking the lender's pages, a DONATE changing the owner):
  // Hafnium rewrites the owner's entry for its software bits (MM_MODE_SHARED, MM_MODE_UNOWNED).
  if (!changed && !(before == s)) changes_.push_back({s.owner, k, s.of(s.owner), s.of(s.owner)});
  if (s == initial(k)) tracked_.erase(k);
  else tracked_[k] = s;
}

bool pages_of(const MemoryState& m, const std::vector<ffa::mem::Constituent>& c, std::vector<PageKey>& out) {
  out.clear();
  for (auto& k : c)
    for (uint32_t i = 0; i < k.page_count; ++i) {
      PageKey p;
      if (!m.page_of(k.address + uint64_t(i) * ffa::mem::kPageSize, p)) return false;
      out.push_back(p);
    }
  return true;
}

bool check_send(const MemoryState& m, const std::vector<PageKey>& pages, EndpointId sender, uint8_t needed,
                uint8_t& sender_access) {
  sender_access = 0;
  for (size_t i = 0; i < pages.size(); ++i) {
    const PageState s = m.get(pages[i]);
    const uint8_t mine = s.of(sender);
    // Hafnium: the sender owns the pages with exclusive access, all in the same mode, and holds
    // the access it grants.
    if (s.owner != sender || s.handle != ffa::mem::kInvalidHandle || s.access.size() != 1 || !mine ||
        pages[i].secure != pages[0].secure)
      return false;
    if (i == 0) sender_access = mine;
    if (mine != sender_access || (mine & needed) != needed) return false;
  }
  return true;
}

void apply_send(MemoryState& m, const std::vector<PageKey>& pages, uint64_t handle, Transaction t, EndpointId sender) {
  for (auto& k : pages) {
    PageState s = m.get(k);
    s.handle = handle;
    if (t == Transaction::Lend || t == Transaction::Donate) s.set(sender, 0);
    m.put(k, s);
  }
}

void apply_retrieve(MemoryState& m, const std::vector<PageKey>& pages, EndpointId borrower, uint8_t bits) {
  for (auto& k : pages) {
    PageState s = m.get(k);
    s.set(borrower, bits);
    m.put(k, s);
  }
}

void apply_relinquish(MemoryState& m, const std::vector<PageKey>& pages, EndpointId borrower) {
  for (auto& k : pages) {
    PageState s = m.get(k);
    s.set(borrower, 0);
    m.put(k, s);
  }
}

void apply_release(MemoryState& m, const std::vector<PageKey>& pages, EndpointId owner, uint8_t bits) {
  for (auto& k : pages) {
    PageState s;
    s.owner = owner;
    s.set(owner, bits);
    m.put(k, s);
  }
}

}  // namespace ffasim::spmc
