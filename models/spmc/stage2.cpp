// Each partition's stage 2 (see stage2.h).
#include "models/spmc/stage2.h"

#include <algorithm>
#include <cstdio>

#include "sim/mmu_s2/descriptor.h"
#include "sim/mmu_s2/regs.h"

namespace ffasim::spmc {

namespace mmu = sim::mmu;
using sim::Security;

namespace {

constexpr uint64_t kPage = ffa::mem::kPageSize;

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

// Manifest region attributes (ffa-abi.md section 8.2): 0x1 R, 0x2 W, 0x4 X, 0x8 NS.
uint8_t region_access(uint32_t attributes) {
  return uint8_t((attributes & 0x1 ? access::kR : 0) | (attributes & 0x2 ? access::kW : 0) |
                 (attributes & 0x4 ? access::kX : 0));
}
constexpr uint32_t kRegionNs = 0x8;

uint64_t region_base(const PartitionManifest& m, const ManifestRegion& r) {
  return r.relative ? m.load_address + r.base_address : r.base_address;
}

}  // namespace

mmu::Stage2Attrs stage2_attrs(uint8_t a) {
  mmu::Stage2Attrs s;
  s.s2ap = (a & access::kR ? mmu::desc::S2AP_RO : 0) | (a & access::kW ? mmu::desc::S2AP_WO : 0);
  s.xn = a & access::kX ? mmu::desc::S2XN_ALL : mmu::desc::S2XN_NONE;
  return s;
}

uint8_t access_of_descriptor(uint64_t d) {
  const uint64_t s2ap = (d >> mmu::desc::S2AP_LO) & 3, xn = (d >> mmu::desc::S2_XN_LO) & 3;
  return uint8_t((s2ap & mmu::desc::S2AP_RO ? access::kR : 0) | (s2ap & mmu::desc::S2AP_WO ? access::kW : 0) |
                 (xn == mmu::desc::S2XN_ALL || xn == mmu::desc::S2XN_EL1_ONLY ? access::kX : 0));
}

Stage2Manager::Stage2Manager(mmu::DescriptorStore& mem, uint64_t pool_base, uint64_t pool_size)
    : mem_(mem), pool_(pool_base, pool_size), pool_base_(pool_base),
      fmt_(mmu::stage2_format(kIpaBits, mmu::Granule::K4, Security::Secure, mmu::MmuConfig{})) {}

bool Stage2Manager::map(PartitionStage2& p, bool ns, uint64_t base, uint64_t size, const mmu::Stage2Attrs& a,
                        const std::string& what, std::vector<std::string>& errors) {
  mmu::Stage2Tables& t = ns ? *p.ns : *p.secure;
  const mmu::MapStatus st = t.map(mmu::IPA(base), mmu::PA(base), size, a);
  if (st == mmu::MapStatus::Ok) return true;
  errors.push_back("SPMC: stage 2 of partition " + hex(p.id.value) + ": cannot map " + what + " [" + hex(base) +
                   ", " + hex(base + size) + "): " + mmu::name(st) +
                   (st == mmu::MapStatus::OutOfTables ? " (the SPMC's page-table pool is full)" : ""));
  return false;
}

void Stage2Manager::add_partition(ffa::EndpointId id, uint16_t vmid, const PartitionManifest& m,
                                  uint64_t memory_size, std::vector<std::string>& errors) {
  auto p = std::make_unique<PartitionStage2>();
  p->id = id;
  p->vmid = vmid;
  p->secure = std::make_unique<mmu::Stage2Tables>(mem_, pool_, fmt_);
  p->ns = std::make_unique<mmu::Stage2Tables>(mem_, pool_, fmt_);
  if (p->secure->init() != mmu::MapStatus::Ok || p->ns->init() != mmu::MapStatus::Ok) {
    errors.push_back("SPMC: stage 2 of partition " + hex(id.value) + ": no room for its root tables in the page-table pool");
    return;
  }
  map(*p, false, m.load_address, memory_size, stage2_attrs(access::kOwnerDefault), "its memory", errors);
  for (auto& r : m.memory_regions)
    map(*p, r.attributes & kRegionNs, region_base(m, r), uint64_t(r.pages_count) * kPage,
        stage2_attrs(region_access(r.attributes)), "memory region " + r.name, errors);
  for (auto& r : m.device_regions) {
    mmu::Stage2Attrs a = mmu::Stage2Attrs::device_rw();
    a.s2ap = stage2_attrs(region_access(r.attributes)).s2ap;
    map(*p, r.attributes & kRegionNs, r.base_address, uint64_t(r.pages_count) * kPage, a,
        "device region " + r.name, errors);
  }
  parts_.push_back(std::move(p));
}

const PartitionStage2* Stage2Manager::find(ffa::EndpointId id) const {
  for (auto& p : parts_)
    if (p->id == id) return p.get();
  return nullptr;
}

PartitionStage2* Stage2Manager::find(ffa::EndpointId id) {
  return const_cast<PartitionStage2*>(static_cast<const Stage2Manager&>(*this).find(id));
}

Stage2Update Stage2Manager::apply(const std::vector<AccessChange>& changes, std::vector<std::string>& errors) {
  Stage2Update u;
  std::vector<uint16_t> vmids;
  for (size_t i = 0; i < changes.size();) {
    const AccessChange& c = changes[i];
    PartitionStage2* p = find(c.endpoint);
    // A run: the same partition, PA space and change, on consecutive pages.
    size_t j = i + 1;
    while (j < changes.size() && changes[j].endpoint == c.endpoint && changes[j].page.secure == c.page.secure &&
           changes[j].page.pfn == changes[j - 1].page.pfn + 1 && changes[j].before == c.before &&
           changes[j].after == c.after)
      ++j;
    const uint64_t pages = j - i, base = c.page.pa();
    i = j;
    if (!p || c.before == c.after) continue;
    mmu::Stage2Tables& t = c.page.secure ? *p->secure : *p->ns;
    if (c.after == 0) {
      if (mmu::MapStatus st = t.unmap(mmu::IPA(base), pages * kPage); st != mmu::MapStatus::Ok)
        errors.push_back("SPMC: stage 2 of partition " + hex(p->id.value) + ": cannot unmap [" + hex(base) + ", " +
                         hex(base + pages * kPage) + "): " + mmu::name(st));
      u.pages_unmapped += pages;
    } else {
      map(*p, !c.page.secure, base, pages * kPage, stage2_attrs(c.after), "shared memory", errors);
      u.pages_mapped += pages;
    }
    // Removing or narrowing a mapping needs the old translation gone from every TLB; a new
    // mapping of an invalid entry does not (no TLB caches faults).
    if (c.before != 0 && (c.after & c.before) != c.before) vmids.push_back(p->vmid);
  }
  std::sort(vmids.begin(), vmids.end());
  vmids.erase(std::unique(vmids.begin(), vmids.end()), vmids.end());
  u.invalidate_vmids = std::move(vmids);
  return u;
}

uint8_t Stage2Manager::mapped_access(ffa::EndpointId id, const PageKey& page) {
  PartitionStage2* p = find(id);
  if (!p) return 0;
  auto leaf = (page.secure ? *p->secure : *p->ns).tables().lookup(page.pa());
  if (!leaf || leaf->out != page.pa()) return 0;
  return access_of_descriptor(leaf->descriptor);
}

uint64_t Stage2Manager::vsttbr_el2(const PartitionStage2& p) const { return p.secure->root().value(); }
uint64_t Stage2Manager::vstcr_el2() const { return mmu::vtcr::RES1 | mmu::stage2_walk_fields(fmt_); }
uint64_t Stage2Manager::vttbr_el2(const PartitionStage2& p) const { return mmu::make_ttbr(p.ns->root().value(), p.vmid); }
uint64_t Stage2Manager::vtcr_el2() const {
  return mmu::vtcr::RES1 | mmu::stage2_walk_fields(fmt_) | mmu::encode_pa_size(kIpaBits) << mmu::vtcr::PS_LO |
         1ull << mmu::vtcr::NSA;
}

}  // namespace ffasim::spmc
