// The isolation invariant of FF-A memory management, checked after every memory-management ABI
// when SpmcConfig::check_isolation is on (tests turn it on). It cross-checks the two records the
// SPMC keeps: the per-page ownership and access (MemoryState) and the transactions (ShareState).
//
//   1. No page is writable by two endpoints unless it is shared: several writers only on a page
//      of a SHARE (the owner and its borrowers) or of a LEND to several borrowers.
//   2. A lender has no access to a page it lent or donated while the transaction lives.
//   3. A borrower has access only while it holds a retrieval (none after relinquish), and
//      exactly the access its retrieve granted.
//   4. A page in no transaction is accessible to its owner only (reclaimed pages are back with
//      the owner alone).
//   5. Secure memory is never owned by, or accessible to, a normal-world endpoint.
//   6. Every page of a fully sent transaction is marked as in it, and every marked page belongs
//      to a live transaction with that handle.
//   7. The partitions' real stage-2 tables agree (check_stage2, a walk of the descriptors in
//      memory): on every page whose state moved from its initial one, each partition's mapping
//      gives exactly the read/write access the state records (none: unmapped), and execute only
//      where the state allows it (instruction access of a partition's own memory follows its
//      manifest regions, which may be narrower).
//
// A violation is a model bug, never a guest error: it is recorded as one line ("isolation: after
// FFA_MEM_RECLAIM: ...") and joins the SPMC's errors, which make tests fail.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "models/spmc/memory_state.h"

namespace ffasim::spmc {

class IsolationChecker {
 public:
  // Invariants 1-6 over every tracked page and every transaction; `after` names the ABI.
  void check(const MemoryState& m, const std::vector<const ShareState*>& shares, const std::string& after);
  // Post-conditions of one ABI on the pages it moved.
  void expect_no_access(const MemoryState& m, const std::vector<PageKey>& pages, ffa::EndpointId ep,
                        const std::string& after);
  // Invariant 7: `mapped(partition, page)` is the access the partition's stage 2 gives the page.
  using Stage2Lookup = std::function<uint8_t(ffa::EndpointId, const PageKey&)>;
  void check_stage2(const MemoryState& m, const std::vector<ffa::EndpointId>& partitions, const Stage2Lookup& mapped,
                    const std::string& after);
  void expect_owner_only(const MemoryState& m, const std::vector<PageKey>& pages, ffa::EndpointId owner,
                         const std::string& after);

  const std::vector<std::string>& violations() const { return violations_; }
  size_t checks() const { return checks_; }

 private:
  void check_share(const MemoryState& m, const ShareState& s, const std::string& after);
  void check_page(const PageKey& k, const PageState& p, const std::vector<const ShareState*>& shares,
                  const std::string& after);
  void fail(const std::string& after, const std::string& what);
  std::vector<std::string> violations_;
  size_t checks_ = 0;
};

}  // namespace ffasim::spmc
