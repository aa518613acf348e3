// TLBs: one per PE, tagged as s6.5 of ../shared/reference/armv8-gicv3-mmu.md asks: regime,
// security state, VMID, ASID (or global), and for stage-2-only entries the IPA space.
//
// Two kinds of entry:
//   Combined    VA -> PA of a regime: stage 1 alone, or stage 1 + stage 2 for EL1&0 with stage 2
//               enabled (what a load/store hits).
//   Stage2Only  IPA -> PA of the EL1&0 stage 2 (the stage-2 walks of a nested walk, and the
//               final stage 2 of a miss). TLBI IPAS2E1 removes these, and only these.
// Every entry is a leaf (walk caches of table descriptors are not modelled), so the "last level"
// TLBI forms remove the same entries as the plain ones.
//
// Replacement: fully associative with `entries` slots and true LRU. A lookup that hits and every
// fill make the entry most recent; a fill into a full TLB evicts the least recently used entry;
// a fill whose tag is already present replaces that entry in place. The order depends only on
// the sequence of lookups and fills, so runs are deterministic.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "sim/core/types.h"
#include "sim/mmu_s2/attrs.h"
#include "sim/mmu_s2/regime.h"
#include "sim/mmu_s2/walk.h"

namespace ffasim::sim::mmu {

enum class TlbEntryKind : uint8_t { Combined, Stage2Only };

struct TlbEntry {
  // Tag.
  TlbEntryKind kind = TlbEntryKind::Combined;
  Regime regime = Regime::EL10;           // Stage2Only: always EL1&0
  Security security = Security::NonSecure;  // security state of the regime
  uint16_t vmid = 0;                      // EL1&0 entries
  uint16_t asid = 0;                      // non-global Combined entries
  bool global = true;
  uint64_t input = 0;                     // VA (Combined) or IPA (Stage2Only), aligned to the size
  uint8_t size_log2 = 12;
  Security ipa_space = Security::NonSecure;  // Stage2Only: tag; Combined with stage 2: the IPA's space
  // Result.
  uint64_t output = 0;                    // PA, aligned to the size
  Security output_space = Security::NonSecure;
  uint64_t ipa = 0;                       // Combined with stage 2: the IPA, aligned to the size
  bool stage2 = false;                    // Combined: stage 2 applied
  Perms s1_perms = perm::ALL, s2_perms = perm::ALL;
  int8_t s1_level = 0, s2_level = 0;      // for the level of a Permission fault on a hit
  MemAttrs attrs;

  uint64_t size() const { return 1ull << size_log2; }
};

// Which entries a TLBI removes (built by decode_tlbi() in tlbi.h, or directly by the SPMC).
struct TlbiScope {
  bool combined = true;                   // Combined entries
  bool stage2_only = false;               // Stage2Only entries
  uint8_t regimes = 0;                    // bit (1 << Regime)
  Security security = Security::NonSecure;
  std::optional<uint16_t> vmid;           // none: every VMID
  std::optional<uint16_t> asid;           // non-global entries of this ASID ...
  bool match_global = true;               // ... and, if set, global entries too
  std::optional<uint64_t> address;        // entries whose range contains this VA / IPA
  std::optional<Security> ipa_space;      // Stage2Only entries of this IPA space
  bool last_level = false;                // VALE1 / IPAS2LE1 (same effect here: all entries are leaves)

  bool matches(const TlbEntry& e) const;
};
constexpr uint8_t regime_bit(Regime r) { return uint8_t(1u << unsigned(r)); }

struct TlbConfig {
  unsigned entries = 1280;  // Neoverse N1 / Cortex-A76 L2 TLB size (see mmu_params.def)
};

struct TlbStats {
  uint64_t hits = 0, misses = 0, fills = 0, evictions = 0, invalidated = 0;
};

class Tlb {
 public:
  explicit Tlb(const TlbConfig& cfg = {});

  // A Combined entry of (regime, security, vmid) containing `va`, global or of `asid`.
  const TlbEntry* lookup_va(Regime regime, Security security, uint16_t vmid, uint16_t asid, uint64_t va);
  // A Stage2Only entry of (security, vmid, ipa_space) containing `ipa`.
  const TlbEntry* lookup_ipa(Security security, uint16_t vmid, Security ipa_space, uint64_t ipa);
  void insert(const TlbEntry& e);
  // Removes every entry `scope` matches; returns how many.
  size_t invalidate(const TlbiScope& scope);
  void clear();

  size_t size() const { return map_.size(); }
  size_t capacity() const { return slots_.size(); }
  const TlbStats& stats() const { return stats_; }
  // Entries from most to least recently used (tests, debugging).
  std::vector<TlbEntry> entries_by_recency() const;

 private:
  struct Key {
    uint64_t input, meta;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return size_t(k.input * 0x9E3779B97F4A7C15ull ^ (k.meta + (k.meta << 17)));
    }
  };
  struct Slot {
    TlbEntry entry;
    int32_t prev = -1, next = -1;
    bool used = false;
  };
  static Key key_of(const TlbEntry& e);
  const TlbEntry* probe(const Key& k);
  void unlink(int32_t i);
  void push_front(int32_t i);
  void remove(int32_t i);

  std::vector<Slot> slots_;
  std::vector<int32_t> free_;
  std::unordered_map<Key, int32_t, KeyHash> map_;
  int32_t head_ = -1, tail_ = -1;             // most / least recently used
  std::array<uint32_t, 64> size_count_{};     // entries per size_log2
  uint64_t size_mask_ = 0;                    // bit n: some entry has size_log2 n
  TlbStats stats_;
};

// The TLBs a broadcast TLBI reaches: every PE's TLB (the model's Inner Shareable domain is the
// whole platform). Attach each PE's TLB once at elaboration.
class TlbDomain {
 public:
  void attach(PeId pe, Tlb& tlb);
  Tlb* tlb(PeId pe) const;
  size_t size() const { return tlbs_.size(); }
  // The issuer's TLB only, or every attached TLB (in attach order) when `broadcast`.
  // Returns the entries removed in all of them.
  size_t invalidate(PeId issuer, const TlbiScope& scope, bool broadcast);

 private:
  std::vector<std::pair<PeId, Tlb*>> tlbs_;
};

}  // namespace ffasim::sim::mmu
