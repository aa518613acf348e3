// Addresses of the three spaces of a two-stage translation, as distinct types (Hafnium's
// vaddr_t / ipaddr_t / paddr_t): a VA, an IPA and a PA cannot be mixed, compared or converted
// implicitly; value() is the explicit way out. The PA space (Secure / Non-secure) and the IPA
// space travel beside the address as a sim::Security, named pa_space / ipa_space.
#pragma once

#include <compare>
#include <cstdint>

#include "sim/core/types.h"

namespace ffasim::sim::mmu {

template <class Tag>
class Address {
 public:
  constexpr Address() = default;
  constexpr explicit Address(uint64_t v) : v_(v) {}
  constexpr uint64_t value() const { return v_; }

  constexpr Address operator+(uint64_t offset) const { return Address(v_ + offset); }
  constexpr Address& operator+=(uint64_t offset) { v_ += offset; return *this; }
  // Distance between two addresses of the same space.
  constexpr uint64_t operator-(Address o) const { return v_ - o.v_; }

  // `size` is a power of two.
  constexpr Address align_down(uint64_t size) const { return Address(v_ & ~(size - 1)); }
  constexpr uint64_t offset_in(uint64_t size) const { return v_ & (size - 1); }
  constexpr bool is_aligned(uint64_t size) const { return (v_ & (size - 1)) == 0; }

  friend constexpr bool operator==(const Address&, const Address&) = default;
  friend constexpr auto operator<=>(const Address&, const Address&) = default;

 private:
  uint64_t v_ = 0;
};

struct VaTag {};
struct IpaTag {};
struct PaTag {};
using VA = Address<VaTag>;    // virtual address (stage-1 input)
using IPA = Address<IpaTag>;  // intermediate physical address (stage-1 output, stage-2 input)
using PA = Address<PaTag>;    // physical address (final output; what sim::Memory is indexed by)

}  // namespace ffasim::sim::mmu
