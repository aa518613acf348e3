#include "sim/mmu_s2/tlb.h"

#include <bit>
#include <stdexcept>

namespace ffasim::sim::mmu {

bool TlbiScope::matches(const TlbEntry& e) const {
  if (e.kind == TlbEntryKind::Combined ? !combined : !stage2_only) return false;
  if (e.security != security) return false;
  if (!(regimes & regime_bit(e.regime))) return false;
  if (vmid && e.regime == Regime::EL10 && e.vmid != *vmid) return false;
  if (asid && (e.global ? !match_global : e.asid != *asid)) return false;
  if (ipa_space && e.kind == TlbEntryKind::Stage2Only && e.ipa_space != *ipa_space) return false;
  if (address && (*address < e.input || *address - e.input >= e.size())) return false;
  return true;
}

Tlb::Tlb(const TlbConfig& cfg) {
  if (cfg.entries == 0) throw std::invalid_argument("mmu: a TLB needs at least one entry");
  slots_.resize(cfg.entries);
  free_.reserve(cfg.entries);
  for (int32_t i = int32_t(cfg.entries) - 1; i >= 0; --i) free_.push_back(i);
  map_.reserve(cfg.entries * 2);
}

Tlb::Key Tlb::key_of(const TlbEntry& e) {
  const bool s2 = e.kind == TlbEntryKind::Stage2Only;
  uint64_t meta = uint64_t(s2) | uint64_t(e.regime) << 1 | uint64_t(e.security) << 3 |
                  uint64_t(s2 ? unsigned(e.ipa_space) : 0u) << 4 | uint64_t(e.global) << 5 |
                  uint64_t(e.size_log2) << 8 | uint64_t(e.vmid) << 16 |
                  uint64_t(e.global ? 0 : e.asid) << 32;
  return {e.input, meta};
}

const TlbEntry* Tlb::probe(const Key& k) {
  auto it = map_.find(k);
  if (it == map_.end()) return nullptr;
  unlink(it->second);
  push_front(it->second);
  return &slots_[size_t(it->second)].entry;
}

const TlbEntry* Tlb::lookup_va(Regime regime, Security security, uint16_t vmid, uint16_t asid,
                               uint64_t va) {
  TlbEntry probe_entry;
  probe_entry.kind = TlbEntryKind::Combined;
  probe_entry.regime = regime;
  probe_entry.security = security;
  probe_entry.vmid = regime == Regime::EL10 ? vmid : 0;
  for (uint64_t m = size_mask_; m; m &= m - 1) {
    probe_entry.size_log2 = uint8_t(std::countr_zero(m));
    probe_entry.input = va & ~(probe_entry.size() - 1);
    for (bool global : {false, true}) {
      probe_entry.global = global;
      probe_entry.asid = asid;
      if (const TlbEntry* e = probe(key_of(probe_entry))) {
        ++stats_.hits;
        return e;
      }
    }
  }
  ++stats_.misses;
  return nullptr;
}

const TlbEntry* Tlb::lookup_ipa(Security security, uint16_t vmid, Security ipa_space, uint64_t ipa) {
  TlbEntry probe_entry;
  probe_entry.kind = TlbEntryKind::Stage2Only;
  probe_entry.security = security;
  probe_entry.vmid = vmid;
  probe_entry.ipa_space = ipa_space;
  for (uint64_t m = size_mask_; m; m &= m - 1) {
    probe_entry.size_log2 = uint8_t(std::countr_zero(m));
    probe_entry.input = ipa & ~(probe_entry.size() - 1);
    if (const TlbEntry* e = probe(key_of(probe_entry))) {
      ++stats_.hits;
      return e;
    }
  }
  ++stats_.misses;
  return nullptr;
}

void Tlb::unlink(int32_t i) {
  Slot& s = slots_[size_t(i)];
  (s.prev >= 0 ? slots_[size_t(s.prev)].next : head_) = s.next;
  (s.next >= 0 ? slots_[size_t(s.next)].prev : tail_) = s.prev;
  s.prev = s.next = -1;
}

void Tlb::push_front(int32_t i) {
  Slot& s = slots_[size_t(i)];
  s.prev = -1;
  s.next = head_;
  if (head_ >= 0) slots_[size_t(head_)].prev = i;
  head_ = i;
  if (tail_ < 0) tail_ = i;
}

void Tlb::remove(int32_t i) {
  Slot& s = slots_[size_t(i)];
  map_.erase(key_of(s.entry));
  unlink(i);
  if (--size_count_[s.entry.size_log2] == 0) size_mask_ &= ~(1ull << s.entry.size_log2);
  s.used = false;
  free_.push_back(i);
}

void Tlb::insert(const TlbEntry& e) {
  TlbEntry entry = e;
  entry.input &= ~(entry.size() - 1);
  if (entry.kind == TlbEntryKind::Stage2Only) entry.regime = Regime::EL10;
  if (entry.regime != Regime::EL10) entry.vmid = 0;
  if (entry.global) entry.asid = 0;
  const Key k = key_of(entry);
  if (auto it = map_.find(k); it != map_.end()) remove(it->second);
  if (free_.empty()) {
    remove(tail_);
    ++stats_.evictions;
  }
  const int32_t i = free_.back();
  free_.pop_back();
  slots_[size_t(i)].entry = entry;
  slots_[size_t(i)].used = true;
  push_front(i);
  map_.emplace(k, i);
  ++size_count_[entry.size_log2];
  size_mask_ |= 1ull << entry.size_log2;
  ++stats_.fills;
}

size_t Tlb::invalidate(const TlbiScope& scope) {
  size_t n = 0;
  for (int32_t i = head_; i >= 0;) {
    const int32_t next = slots_[size_t(i)].next;
    if (scope.matches(slots_[size_t(i)].entry)) {
      remove(i);
      ++n;
    }
    i = next;
  }
  stats_.invalidated += n;
  return n;
}

void Tlb::clear() {
  while (head_ >= 0) remove(head_);
}

std::vector<TlbEntry> Tlb::entries_by_recency() const {
  std::vector<TlbEntry> out;
  for (int32_t i = head_; i >= 0; i = slots_[size_t(i)].next) out.push_back(slots_[size_t(i)].entry);
  return out;
}

void TlbDomain::attach(PeId pe, Tlb& tlb) {
  if (this->tlb(pe)) throw std::logic_error("mmu: a PE's TLB is attached to the domain twice");
  tlbs_.emplace_back(pe, &tlb);
}

Tlb* TlbDomain::tlb(PeId pe) const {
  for (const auto& [id, t] : tlbs_)
    if (id == pe) return t;
  return nullptr;
}

size_t TlbDomain::invalidate(PeId issuer, const TlbiScope& scope, bool broadcast) {
  if (!broadcast) {
    Tlb* t = tlb(issuer);
    if (!t) throw std::logic_error("mmu: TLBI from a PE whose TLB is not attached");
    return t->invalidate(scope);
  }
  size_t n = 0;
  for (const auto& [id, t] : tlbs_) n += t->invalidate(scope);
  return n;
}

}  // namespace ffasim::sim::mmu
