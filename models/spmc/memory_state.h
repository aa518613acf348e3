// Private to models/spmc: ownership and access of memory per 4 KiB page, and the share states
// (transactions) of FF-A memory management (../shared/reference/ffa-abi.md section 4). Plain data
// and the page transitions of section 4.8; the ABI handlers live in memory_share.cpp and the
// invariants in isolation_checker.h.
//
// Stage 2 (sim/mmu_s2, later): every change of an endpoint's access to a page is recorded as an
// AccessChange {endpoint, page, before, after}. That is exactly what a stage-2 page-table builder
// needs per partition: after == 0 -> unmap the IPA page and TLBI by IPA; before == 0 -> map it
// with `after` (S2AP from kR/kW, XN from kX; NS from PageKey::secure); otherwise change the
// permissions (break-before-make + TLBI); before == after -> only the owner's software state
// bits change (Hafnium's MM_MODE_SHARED / MM_MODE_UNOWNED: a descriptor rewrite, no TLBI). memory_share.cpp drains the changes after every ABI
// and charges spmc.mem_page_update_insns per change today; the integration replaces that charge
// with the builder's own costs (table walks, descriptor writes, TLBI). The normal world (ID 0)
// has no stage 2 without a hypervisor: its changes are the lender's own promise (Linux does not
// touch lent memory until FFA_MEM_RECLAIM), or a GPT update under RME. IPA = PA here, as in
// Hafnium's identity-mapped SPs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/ffa/abi.h"
#include "models/ffa/mem_descriptors.h"
#include "models/ffa/types.h"

namespace ffasim::spmc {

// Access bits of one endpoint to one page.
namespace access {
inline constexpr uint8_t kR = 1, kW = 2, kX = 4;
inline constexpr uint8_t kOwnerDefault = kR | kW | kX;  // an owner's access outside transactions
// FF-A permissions (section 4.3) as access bits.
constexpr uint8_t from_permissions(uint8_t p) {
  const uint8_t d = ffa::mem::perm::data(p);
  return uint8_t((d == ffa::mem::perm::kRO ? kR : d == ffa::mem::perm::kRW ? kR | kW : 0) |
                 (ffa::mem::perm::inst(p) == ffa::mem::perm::kX ? kX : 0));
}
std::string name(uint8_t a);  // "rwx", "r--", "---"
}  // namespace access

struct PageKey {
  uint64_t pfn = 0;  // PA / 4 KiB
  bool secure = false;
  uint64_t pa() const { return pfn * ffa::mem::kPageSize; }
  friend bool operator<(const PageKey& a, const PageKey& b) {
    return a.secure != b.secure ? a.secure < b.secure : a.pfn < b.pfn;
  }
  friend bool operator==(const PageKey& a, const PageKey& b) { return a.pfn == b.pfn && a.secure == b.secure; }
};

struct PageState {
  ffa::EndpointId owner;
  std::vector<std::pair<ffa::EndpointId, uint8_t>> access;  // sorted by ID, no zero entries
  uint64_t handle = ffa::mem::kInvalidHandle;                // the transaction holding the page
  uint8_t of(ffa::EndpointId ep) const;
  void set(ffa::EndpointId ep, uint8_t bits);  // 0 removes the entry
  friend bool operator==(const PageState& a, const PageState& b) {
    return a.owner == b.owner && a.access == b.access && a.handle == b.handle;
  }
};

struct AccessChange {
  ffa::EndpointId endpoint;
  PageKey page;
  uint8_t before = 0, after = 0;
};

// A range of RAM and its owner before any transaction. Later ranges refine earlier ones (a
// partition's memory inside secure DRAM owned by the SPMC).
struct OwnerRange {
  uint64_t base = 0, size = 0;
  bool secure = false;
  ffa::EndpointId owner;
};

// Every page's owner and access. Pages at their initial state (owner-only, no transaction) are
// implicit; the others are tracked, in a std::map so that iteration is deterministic.
class MemoryState {
 public:
  void add_range(const OwnerRange& r) { ranges_.push_back(r); }
  const std::vector<OwnerRange>& ranges() const { return ranges_; }
  // The page holding `pa`, or false if it is in no range (not RAM any endpoint owns).
  bool page_of(uint64_t pa, PageKey& out) const;
  PageState initial(const PageKey& k) const;
  PageState get(const PageKey& k) const;
  void put(const PageKey& k, const PageState& s);  // records the changes (see AccessChange)
  const std::map<PageKey, PageState>& tracked() const { return tracked_; }
  std::vector<AccessChange> take_changes() { return std::exchange(changes_, {}); }

 private:
  const OwnerRange* range_of(uint64_t pa) const;
  std::vector<OwnerRange> ranges_;
  std::map<PageKey, PageState> tracked_;
  std::vector<AccessChange> changes_;
};

// The borrower's side of a transaction.
struct ReceiverState {
  uint32_t retrievals = 0;         // Hafnium: 0 or 1; TF-A EL3 SPMC: its share of `in_use`
  uint8_t granted = 0;             // access bits granted by the retrieve
  std::vector<uint8_t> response;   // the retrieve response being delivered
  std::vector<uint32_t> frag_ends; // where each of its fragments ends
  size_t frags_sent = 0;
  bool retrieving() const { return frags_sent < frag_ends.size(); }
};

// One memory transaction (Hafnium's struct ffa_memory_share_state).
struct ShareState {
  uint64_t handle = ffa::mem::kInvalidHandle;
  ffa::mem::Transaction type = ffa::mem::Transaction::Unspecified;
  bool smc64 = false;
  ffa::mem::Descriptor desc;                    // as sent (constituents accumulate)
  ffa::mem::Layout layout = ffa::mem::Layout::V1_1;
  uint32_t total_length = 0, received_length = 0;
  std::vector<uint32_t> fragment_constituents;  // constituents in each fragment received
  bool complete = false;                        // every fragment arrived and the pages moved
  uint8_t sender_access = 0;                    // the lender's access before (restored by reclaim)
  std::vector<ReceiverState> receivers;         // parallel to desc.receivers
  bool in_use() const {
    for (auto& r : receivers)
      if (r.retrievals) return true;
    return false;
  }
};

inline constexpr size_t kMaxMemShares = 100;          // Hafnium MAX_MEM_SHARES
inline constexpr size_t kMaxFragments = 20;           // Hafnium MAX_FRAGMENTS
inline constexpr uint64_t kEl3FirstHandle = 0xFFFFFFC0;  // TF-A EL3 SPMC's first handle

// The SPMC's memory-management state.
struct MemoryManagement {
  bool ready = false;  // owner ranges set up (on first use)
  MemoryState pages;
  std::vector<std::unique_ptr<ShareState>> slots = std::vector<std::unique_ptr<ShareState>>(kMaxMemShares);
  uint64_t next_el3_handle = kEl3FirstHandle;
  size_t violations_reported = 0;  // isolation violations already copied to the SPMC's errors
};

// --- page transitions (section 4.8) ----------------------------------------------------------

// The pages of a list of constituents, in order; false if one is outside every owner range.
bool pages_of(const MemoryState& m, const std::vector<ffa::mem::Constituent>& c, std::vector<PageKey>& out);
// Send: every page owned by `sender`, in no transaction, not accessed by anyone else, and the
// sender holds at least `needed` access bits, the same on every page; false means DENIED (Hafnium
// ffa_send_check_transition). `sender_access` is that access.
bool check_send(const MemoryState& m, const std::vector<PageKey>& pages, ffa::EndpointId sender, uint8_t needed,
                uint8_t& sender_access);
// Marks the pages as in transaction `handle`; LEND and DONATE remove the lender's access.
void apply_send(MemoryState& m, const std::vector<PageKey>& pages, uint64_t handle, ffa::mem::Transaction t,
                ffa::EndpointId sender);
// Retrieve: the borrower gets `bits`.
void apply_retrieve(MemoryState& m, const std::vector<PageKey>& pages, ffa::EndpointId borrower, uint8_t bits);
// Relinquish: the borrower loses its access.
void apply_relinquish(MemoryState& m, const std::vector<PageKey>& pages, ffa::EndpointId borrower);
// Reclaim (or a donate fully retrieved, with `owner` the borrower): the pages leave the
// transaction, `owner` owns them with `bits`, nobody else has access.
void apply_release(MemoryState& m, const std::vector<PageKey>& pages, ffa::EndpointId owner, uint8_t bits);

}  // namespace ffasim::spmc
