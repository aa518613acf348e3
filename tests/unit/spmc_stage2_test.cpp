// The SPMC's per-partition stage 2 (models/spmc/stage2.h) driven without a simulation, on a
// MapMemory: the exact descriptors it writes from a manifest and from ownership changes (VMSAv8-64
// stage-2 block/page format, ../shared/reference/armv8-gicv3-mmu.md s3.5), which changes need a
// TLBI, and the isolation checker's cross-check against the tables (invariant 7).
#include <gtest/gtest.h>

#include "models/spmc/isolation_checker.h"
#include "models/spmc/stage2.h"
#include "sim/mmu_s2/memory_port.h"

namespace ffasim::spmc {
namespace {

using ffa::EndpointId;
namespace mmu = sim::mmu;

constexpr EndpointId kSp{0x8002}, kOtherSp{0x8001}, kNwd{0};
constexpr uint64_t kPool = 0x6080000, kImage = 0x7000000, kNs = 0x80200000;
// Stage-2 leaf bits: MemAttr Normal WB (0xF << 2), S2AP (<< 6), SH inner-shareable (3 << 8), AF
// (1 << 10), XN[1:0] = 0b10 execute-never (<< 53); type 0b11 page, 0b01 block.
constexpr uint64_t kRw = 0x3C | 0xC0 | 0x300 | 0x400, kRo = 0x3C | 0x40 | 0x300 | 0x400;
constexpr uint64_t kXn = 2ull << 53, kPage = 3, kBlock = 1;

PartitionManifest test_sp() {
  PartitionManifest m;
  m.load_address = kImage;
  ManifestRegion rx;
  rx.name = "rx-buffer";
  rx.relative = true;
  rx.base_address = 0x100000;
  rx.pages_count = 1;
  rx.attributes = 0x1;
  m.memory_regions = {rx};
  ManifestRegion uart;
  uart.name = "uart1";
  uart.base_address = 0x1c0a0000;
  uart.pages_count = 1;
  uart.attributes = 0x3;
  m.device_regions = {uart};
  return m;
}

struct Fixture {
  mmu::MapMemory mem;
  Stage2Manager s2{mem, kPool, 0x100000};
  std::vector<std::string> errors;
  Fixture() { s2.add_partition(kSp, 2, test_sp(), 0x100000, errors); }
  std::optional<mmu::TranslationTables::Leaf> leaf(uint64_t pa, bool secure) {
    const PartitionStage2* p = s2.find(kSp);
    return (secure ? *p->secure : *p->ns).tables().lookup(pa);
  }
};

AccessChange change(uint64_t pa, bool secure, uint8_t before, uint8_t after, EndpointId ep = kSp) {
  return {ep, PageKey{pa / 0x1000, secure}, before, after};
}

TEST(SpmcStage2, TheImageIsMappedWithLevel3PagesReadWriteExecute) {
  Fixture f;
  EXPECT_TRUE(f.errors.empty());
  auto l = f.leaf(kImage + 0x5000, true);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->level, 3);
  EXPECT_EQ(l->descriptor, (kImage + 0x5000) | kRw | kPage);  // XN[1:0] = 0: executable
}

TEST(SpmcStage2, TheRxRegionRefinesTheImageToReadOnlyExecuteNever) {
  Fixture f;
  auto l = f.leaf(kImage + 0x100000, true);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->descriptor, (kImage + 0x100000) | kRo | kXn | kPage);
}

TEST(SpmcStage2, TheDeviceRegionIsDeviceNGnREOuterShareable) {
  Fixture f;
  auto l = f.leaf(0x1c0a0000, true);
  ASSERT_TRUE(l);
  // MemAttr 0b0001 Device-nGnRE, S2AP RW, SH 0b10, AF, XN.
  EXPECT_EQ(l->descriptor, 0x1c0a0000ull | 0x4 | 0xC0 | 0x200 | 0x400 | kXn | kPage);
}

TEST(SpmcStage2, TheRegistersSelectTheRootsTheVmidAndNonSecureOutputForTheNsIpaSpace) {
  Fixture f;
  const PartitionStage2& p = *f.s2.find(kSp);
  EXPECT_EQ(f.s2.vsttbr_el2(p), kPool);            // the first tables allocated: the secure root
  EXPECT_EQ(f.s2.vttbr_el2(p), 0x0002000000000000ull | (kPool + 0x2000));  // VMID 2, 2 x 4 KiB root
  // T0SZ 24 (40-bit IPA), SL0 0b01 (level 1), TG0 4K, RES1; VTCR_EL2 also PS 0b010 and NSA.
  EXPECT_EQ(f.s2.vstcr_el2(), 0x80000058u);
  EXPECT_EQ(f.s2.vtcr_el2(), 0x80000058ull | 2ull << 16 | 1ull << 30);
}

TEST(SpmcStage2, ARetrievedNsPageIsALevel3PageInTheNsTablesAndNeedsNoTlbi) {
  Fixture f;
  const Stage2Update u = f.s2.apply({change(kNs, false, 0, access::kR | access::kW)}, f.errors);
  EXPECT_EQ(u.pages_mapped, 1u);
  EXPECT_EQ(u.pages_unmapped, 0u);
  EXPECT_TRUE(u.invalidate_vmids.empty());
  auto l = f.leaf(kNs, false);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->level, 3);
  EXPECT_EQ(l->descriptor, kNs | kRw | kXn | kPage);
  EXPECT_FALSE(f.leaf(kNs, true));  // the secure IPA space does not have it
  EXPECT_EQ(f.s2.mapped_access(kSp, PageKey{kNs / 0x1000, false}), access::kR | access::kW);
}

TEST(SpmcStage2, FiveHundredTwelveAlignedPagesBecomeOneLevel2Block) {
  Fixture f;
  std::vector<AccessChange> c;
  for (uint64_t i = 0; i < 512; ++i) c.push_back(change(kNs + i * 0x1000, false, 0, access::kR | access::kW));
  EXPECT_EQ(f.s2.apply(c, f.errors).pages_mapped, 512u);
  auto l = f.leaf(kNs + 0x1ff000, false);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->level, 2);
  EXPECT_EQ(l->descriptor, kNs | kRw | kXn | kBlock);
}

TEST(SpmcStage2, RelinquishingAPageUnmapsItAndAsksForATlbiOfTheVmid) {
  Fixture f;
  f.s2.apply({change(kNs, false, 0, access::kR | access::kW)}, f.errors);
  const Stage2Update u = f.s2.apply({change(kNs, false, access::kR | access::kW, 0)}, f.errors);
  EXPECT_EQ(u.pages_unmapped, 1u);
  EXPECT_EQ(u.invalidate_vmids, std::vector<uint16_t>{2});
  EXPECT_FALSE(f.leaf(kNs, false));
  EXPECT_TRUE(f.errors.empty());
}

TEST(SpmcStage2, NarrowingToReadOnlyNeedsATlbiAndWideningDoesNot) {
  Fixture f;
  f.s2.apply({change(kNs, false, 0, access::kR)}, f.errors);
  EXPECT_TRUE(f.s2.apply({change(kNs, false, access::kR, access::kR | access::kW)}, f.errors).invalidate_vmids.empty());
  EXPECT_EQ(f.s2.apply({change(kNs, false, access::kR | access::kW, access::kR)}, f.errors).invalidate_vmids,
            std::vector<uint16_t>{2});
  EXPECT_EQ(f.leaf(kNs, false)->descriptor, kNs | kRo | kXn | kPage);
}

TEST(SpmcStage2, ChangesOfTheNormalWorldOrAnUnknownEndpointTouchNoTable) {
  Fixture f;
  const uint64_t writes = f.mem.writes();
  const Stage2Update u = f.s2.apply({change(kNs, false, 7, 0, kNwd), change(kNs, false, 0, 3, kOtherSp)}, f.errors);
  EXPECT_EQ(u.pages_mapped + u.pages_unmapped, 0u);
  EXPECT_EQ(f.mem.writes(), writes);
}

TEST(SpmcStage2, AFullTablePoolIsOneLineNamingThePartitionAndTheRange) {
  mmu::MapMemory mem;
  Stage2Manager s2(mem, kPool, 0x5000);  // two 8 KiB roots and one more table page
  std::vector<std::string> errors;
  s2.add_partition(kSp, 2, test_sp(), 0x100000, errors);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0], "SPMC: stage 2 of partition 0x8002: cannot map its memory [0x7000000, 0x7100000): "
                       "out of table memory (the SPMC's page-table pool is full)");
}

TEST(SpmcStage2Checker, ATableThatDisagreesWithTheOwnershipStateIsAViolation) {
  MemoryState m;
  m.add_range({0x80000000, 0x80000000, false, kNwd});
  PageState p = m.get(PageKey{kNs / 0x1000, false});
  p.set(kSp, access::kR | access::kW);
  m.put(PageKey{kNs / 0x1000, false}, p);
  IsolationChecker c;
  c.check_stage2(m, {kSp}, [](EndpointId, const PageKey&) { return uint8_t(access::kR | access::kW); }, "FFA_MEM_RETRIEVE_REQ");
  EXPECT_TRUE(c.violations().empty());
  c.check_stage2(m, {kSp}, [](EndpointId, const PageKey&) { return uint8_t(0); }, "FFA_MEM_RETRIEVE_REQ");
  ASSERT_EQ(c.violations().size(), 1u);
  EXPECT_EQ(c.violations()[0], "isolation: after FFA_MEM_RETRIEVE_REQ: the stage 2 of endpoint 0x8002 gives --- on "
                               "NS page 0x80200000, the ownership state says rw-");
}

TEST(SpmcStage2Checker, AnExecutableMappingTheStateDoesNotAllowIsAViolation) {
  MemoryState m;
  m.add_range({0x80000000, 0x80000000, false, kNwd});
  PageState p = m.get(PageKey{kNs / 0x1000, false});
  p.set(kSp, access::kR);
  m.put(PageKey{kNs / 0x1000, false}, p);
  IsolationChecker c;
  c.check_stage2(m, {kSp}, [](EndpointId, const PageKey&) { return uint8_t(access::kR | access::kX); }, "X");
  EXPECT_EQ(c.violations().size(), 1u);
}

}  // namespace
}  // namespace ffasim::spmc
