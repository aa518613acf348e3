#include "sim/core/memory.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

namespace ffasim::sim {

namespace {
constexpr uint64_t kPage = 4096;
}

struct Memory::Space {
  std::unordered_map<uint64_t, std::unique_ptr<std::array<uint8_t, kPage>>> pages;
};

Memory::Memory(sc_core::sc_module_name name, const CoreTiming& timing)
    : sc_module(name), socket("socket"), timing_(timing) {
  socket.register_b_transport(this, &Memory::b_transport);
  spaces_[0] = std::make_unique<Space>();
  spaces_[1] = std::make_unique<Space>();
}

Memory::~Memory() = default;

void Memory::add_region(const MemoryRegion& r) {
  if (r.size == 0) throw std::invalid_argument("memory region '" + r.name + "' has size 0");
  for (auto& o : regions_)
    if (o.security == r.security && r.base < o.base + o.size && o.base < r.base + r.size)
      throw std::invalid_argument("memory region '" + r.name + "' overlaps '" + o.name + "'");
  regions_.push_back(r);
}

bool Memory::contains(uint64_t pa, uint64_t size, Security s) const {
  for (auto& r : regions_)
    if (r.security == s && pa >= r.base && size <= r.size && pa - r.base <= r.size - size) return true;
  return false;
}

uint8_t* Memory::page(uint64_t pa, Security s, bool create) const {
  auto& pages = spaces_[index(s)]->pages;
  auto it = pages.find(pa / kPage);
  if (it != pages.end()) return it->second->data();
  if (!create) return nullptr;
  auto p = std::make_unique<std::array<uint8_t, kPage>>();
  p->fill(0);
  uint8_t* d = p->data();
  pages.emplace(pa / kPage, std::move(p));
  return d;
}

bool Memory::read(uint64_t pa, void* dst, size_t n, Security s) const {
  if (!contains(pa, n, s)) return false;
  auto* out = static_cast<uint8_t*>(dst);
  while (n) {
    size_t chunk = std::min<size_t>(n, kPage - pa % kPage);
    if (const uint8_t* p = page(pa, s, false)) std::memcpy(out, p + pa % kPage, chunk);
    else std::memset(out, 0, chunk);
    pa += chunk; out += chunk; n -= chunk;
  }
  return true;
}

bool Memory::write(uint64_t pa, const void* src, size_t n, Security s) {
  if (!contains(pa, n, s)) return false;
  auto* in = static_cast<const uint8_t*>(src);
  while (n) {
    size_t chunk = std::min<size_t>(n, kPage - pa % kPage);
    std::memcpy(page(pa, s, true) + pa % kPage, in, chunk);
    pa += chunk; in += chunk; n -= chunk;
  }
  return true;
}

void Memory::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  Sideband* sb = nullptr;
  gp.get_extension(sb);
  const Security s = sb ? sb->security : Security::NonSecure;
  const uint64_t pa = gp.get_address();
  const size_t n = gp.get_data_length();
  bool ok = gp.is_read() ? read(pa, gp.get_data_ptr(), n, s)
                         : gp.is_write() ? write(pa, gp.get_data_ptr(), n, s) : true;
  if (!ok) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const uint64_t lines = (pa % 64 + n + 63) / 64;
  const double ns = timing_.mem_latency_ns + double(lines > 0 ? lines - 1 : 0) * timing_.mem_line_ns;
  delay += sc_core::sc_time(ns, sc_core::SC_NS);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool Memory::claim(uint64_t base, uint64_t size, Security s, const std::string& owner) {
  if (!contains(base, size, s)) return false;
  for (auto& c : claims_)
    if (c.security == s && base < c.base + c.size && c.base < base + size) return false;
  claims_.push_back({base, size, s, owner});
  return true;
}

uint64_t Memory::allocate(uint64_t size, uint64_t align, Security s, const std::string& owner) {
  for (auto& r : regions_) {
    if (r.security != s) continue;
    if (size == 0 || size > r.size) continue;
    uint64_t at = (r.base + align - 1) / align * align;
    while (at >= r.base && at - r.base <= r.size - size) {
      const Claim* hit = nullptr;
      for (auto& c : claims_)
        if (c.security == s && at < c.base + c.size && c.base < at + size) { hit = &c; break; }
      if (!hit) {
        claims_.push_back({at, size, s, owner});
        return at;
      }
      at = (hit->base + hit->size + align - 1) / align * align;
    }
  }
  return 0;
}

void Memory::release(uint64_t base, Security s) {
  claims_.erase(std::remove_if(claims_.begin(), claims_.end(),
                               [&](const Claim& c) { return c.base == base && c.security == s; }),
                claims_.end());
}

std::vector<MemoryMapEntry> Memory::memory_map() const {
  std::vector<MemoryMapEntry> out;
  for (auto& r : regions_) {
    std::vector<Claim> in;
    for (auto& c : claims_)
      if (c.security == r.security && c.base >= r.base && c.base < r.base + r.size) in.push_back(c);
    std::sort(in.begin(), in.end(), [](auto& a, auto& b) { return a.base < b.base; });
    uint64_t at = r.base;
    for (auto& c : in) {
      if (c.base > at) out.push_back({r.name, at, c.base - at, r.security, ""});
      out.push_back({r.name, c.base, c.size, r.security, c.owner});
      at = c.base + c.size;
    }
    if (at < r.base + r.size) out.push_back({r.name, at, r.base + r.size - at, r.security, ""});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) {
    return a.security != b.security ? a.security < b.security : a.base < b.base;
  });
  return out;
}

}  // namespace ffasim::sim
