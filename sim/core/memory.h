// Physical memory: a TLM-2.0 target with separate Secure and Non-secure PA spaces. Every
// transaction carries a Sideband extension (security state, EL, PE id), as VCML's tlm_sbi does.
// Storage is sparse (4 KiB pages allocated on first write; unwritten memory reads as zero).
// An access outside every region of its PA space is a TLM address error.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "sim/core/core_timing.h"
#include "sim/core/types.h"

namespace ffasim::sim {

struct Sideband : tlm::tlm_extension<Sideband> {
  Security security = Security::NonSecure;  // which PA space
  El el = El::EL1;
  PeId pe = 0;
  tlm_extension_base* clone() const override { return new Sideband(*this); }
  void copy_from(const tlm_extension_base& o) override { *this = static_cast<const Sideband&>(o); }
};

// A region of RAM, and who uses which part of it (memory_map()).
struct MemoryRegion {
  std::string name;
  uint64_t base = 0, size = 0;
  Security security = Security::NonSecure;
};
struct MemoryMapEntry {
  std::string region;
  uint64_t base = 0, size = 0;
  Security security = Security::NonSecure;
  std::string owner;  // "" when free
};

class Memory : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Memory> socket;  // one binding per PE

  Memory(sc_core::sc_module_name name, const CoreTiming& timing);
  ~Memory() override;

  // Regions of one PA space must not overlap (std::invalid_argument).
  void add_region(const MemoryRegion& r);
  const std::vector<MemoryRegion>& regions() const { return regions_; }
  bool contains(uint64_t pa, uint64_t size, Security s) const;

  // Untimed host access (loaders, Python, tests). False if outside every region.
  bool read(uint64_t pa, void* dst, size_t n, Security s) const;
  bool write(uint64_t pa, const void* src, size_t n, Security s);

  // Claims [base, base+size) for `owner`; false if outside RAM or already claimed.
  bool claim(uint64_t base, uint64_t size, Security s, const std::string& owner);
  // Finds and claims `size` bytes aligned to `align` in the first region of `s` with room;
  // returns the base, or 0 if there is none.
  uint64_t allocate(uint64_t size, uint64_t align, Security s, const std::string& owner);
  void release(uint64_t base, Security s);
  // Every region split into claimed and free parts, sorted by (security, base).
  std::vector<MemoryMapEntry> memory_map() const;

 private:
  struct Claim { uint64_t base, size; Security security; std::string owner; };
  struct Space;
  void b_transport(int initiator, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  uint8_t* page(uint64_t pa, Security s, bool create) const;

  const CoreTiming& timing_;
  std::vector<MemoryRegion> regions_;
  std::vector<Claim> claims_;
  std::unique_ptr<Space> spaces_[2];
};

}  // namespace ffasim::sim
