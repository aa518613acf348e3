// The page-table builder: table formats, blocks, splitting a block when part of it is unmapped
// or remapped, freeing tables, errors, and that the walker reads back what the builder wrote.
#include "sim/mmu_s2/page_tables.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "sim/mmu_s2/mmu.h"

namespace ffasim::sim::mmu {
namespace {

constexpr Security S = Security::Secure;
constexpr Security NS = Security::NonSecure;
constexpr uint64_t G1 = 1ull << 30, M2 = 1ull << 21, K4 = 1ull << 12;

TEST(MmuTableFormat, Stage2PicksTheValidStartLevelWithTheFewestLevels) {
  const MmuConfig cfg;
  struct Row { unsigned bits; Granule g; int level; unsigned tables; };
  const Row rows[] = {{48, Granule::K4, 0, 1},  {44, Granule::K4, 0, 1}, {43, Granule::K4, 1, 16},
                      {40, Granule::K4, 1, 2},  {36, Granule::K4, 1, 1}, {32, Granule::K4, 2, 4},
                      {40, Granule::K16, 2, 16}, {48, Granule::K64, 1, 1}};
  for (const Row& r : rows) {
    const TableFormat f = stage2_format(r.bits, r.g, S, cfg);
    EXPECT_EQ(f.start_level, r.level) << r.bits << " bits, granule " << granule_bits(r.g);
    EXPECT_EQ(f.root_tables(), r.tables) << r.bits << " bits";
  }
  EXPECT_EQ(stage2_walk_fields(stage2_format(40, Granule::K4, S, cfg)), 24u | 1u << 6);
  EXPECT_EQ(stage2_walk_fields(stage2_format(48, Granule::K4, S, cfg)), 16u | 2u << 6);
}

TEST(MmuTableFormat, Stage2RejectsAnIpaSizeNoT0szCanExpress) {
  const MmuConfig cfg;
  EXPECT_THROW(stage2_format(49, Granule::K4, S, cfg), std::invalid_argument);
  EXPECT_THROW(stage2_format(20, Granule::K4, S, cfg), std::invalid_argument);
}

TEST(MmuTableFormat, Stage1StartsWhereTheWalkerStarts) {
  EXPECT_EQ(stage1_format(48, Granule::K4, NS).start_level, 0);
  EXPECT_EQ(stage1_format(39, Granule::K4, NS).start_level, 1);
  EXPECT_EQ(stage1_format(48, Granule::K16, NS).start_index_bits, 1u);
  EXPECT_EQ(stage1_walk_fields(stage1_format(39, Granule::K16, NS)), 25u | 2u << 14);
}

class Builder : public ::testing::Test {
 protected:
  void SetUp() override {
    fmt = stage2_format(40, Granule::K4, S, cfg);
    ASSERT_EQ(s2.init(), MapStatus::Ok);
    r.scr_el3 = scr::RES1 | scr::RW | scr::EEL2;
    r.hcr_el2 = hcr::VM;
    r.vsttbr_el2 = s2.root().value();
    r.vstcr_el2 = vtcr::RES1 | stage2_walk_fields(fmt);
    r.vtcr_el2 = 5ull << vtcr::PS_LO;
  }
  std::optional<TranslationTables::Leaf> at(uint64_t ipa) { return s2.tables().lookup(ipa); }
  TranslateResult walk(uint64_t ipa, AccessType t = AccessType::Read) {
    mmu.tlb().clear();
    return mmu.translate(r, {VA(ipa), t, El::EL1});
  }

  MapMemory mem;
  MmuConfig cfg;
  TableFormat fmt = stage2_format(40, Granule::K4, S, MmuConfig{});
  PoolAllocator alloc{0x100000, 0x40000};
  Stage2Tables s2{mem, alloc, fmt};
  Mmu mmu{cfg, mem};
  MmuRegs r;
};

TEST_F(Builder, TheConcatenatedRootIsOneBlockAlignedToItsSize) {
  EXPECT_EQ(s2.root().value() % 0x2000, 0u);
  EXPECT_EQ(alloc.in_use(), 0x2000u);
  ASSERT_EQ(s2.map(IPA(1ull << 39), PA(0x90000000), K4, Stage2Attrs::normal_rw()), MapStatus::Ok);
  const TranslateResult t = walk(1ull << 39);
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_EQ(t.pa, PA(0x90000000));
}

TEST_F(Builder, PagesItMapsAreWhatTheWalkerTranslates) {
  ASSERT_EQ(s2.map(IPA(0x40000000), PA(0x90000000), 3 * K4, Stage2Attrs::normal_rw()), MapStatus::Ok);
  for (uint64_t off : {uint64_t(0), K4, 2 * K4}) {
    const TranslateResult t = walk(0x40000000 + off + 0x10);
    ASSERT_TRUE(t.ok()) << name(t.fault.type);
    EXPECT_EQ(t.pa, PA(0x90000000 + off + 0x10));
    EXPECT_EQ(t.pa_space, S);
    EXPECT_EQ(t.walk.s2_reads, 3u);
  }
  EXPECT_EQ(walk(0x40003000).fault.type, FaultType::Translation);
  EXPECT_EQ(s2.translate(IPA(0x40001004)), PA(0x90001004));
}

TEST_F(Builder, AlignedRangesBecomeBlocksAtLevel1AndLevel2) {
  ASSERT_EQ(s2.map(IPA(G1), PA(2 * G1), G1 + M2 + K4, Stage2Attrs::normal_rw()), MapStatus::Ok);
  EXPECT_EQ(at(G1)->level, 1);
  EXPECT_EQ(at(2 * G1)->level, 2);
  EXPECT_EQ(at(2 * G1 + M2)->level, 3);
  EXPECT_EQ(at(2 * G1 + M2)->out, 3 * G1 + M2);
  EXPECT_EQ(walk(G1 + 0x12345).walk.s2_reads, 1u);  // the start level holds the block
}

TEST_F(Builder, WithoutBlocksEveryMappingIsAPage) {
  ASSERT_EQ(s2.map(IPA(G1), PA(G1), M2, Stage2Attrs::normal_rw(), false), MapStatus::Ok);
  EXPECT_EQ(at(G1 + M2 - K4)->level, 3);
}

TEST_F(Builder, UnmappingAPageInsideA2MBlockSplitsItIntoPages) {
  const uint64_t ipa = 0x40200000, pa = 0x90200000;
  ASSERT_EQ(s2.map(IPA(ipa), PA(pa), M2, Stage2Attrs::normal_ro()), MapStatus::Ok);
  ASSERT_EQ(at(ipa)->level, 2);
  const uint64_t tables = s2.tables().tables_allocated();
  ASSERT_EQ(s2.unmap(IPA(ipa + 0x100000), K4), MapStatus::Ok);
  EXPECT_EQ(s2.tables().tables_allocated(), tables + 1);
  EXPECT_FALSE(at(ipa + 0x100000));
  for (uint64_t off : {uint64_t(0), uint64_t(0xFF000), uint64_t(0x101000), M2 - K4}) {
    const auto l = at(ipa + off);
    ASSERT_TRUE(l) << off;
    EXPECT_EQ(l->level, 3);
    EXPECT_EQ(l->out, pa + off);
    EXPECT_EQ(bits(l->descriptor, 7, 6), desc::S2AP_RO);  // the block's attributes kept
  }
  EXPECT_EQ(walk(ipa + 0x100000).fault.level, 3);
  EXPECT_EQ(walk(ipa + 0x101000).pa, PA(pa + 0x101000));
  EXPECT_EQ(walk(ipa + 0x101000, AccessType::Write).fault.type, FaultType::Permission);
}

TEST_F(Builder, RemappingOnePageOfA1GBlockSplitsItDownToThatPage) {
  ASSERT_EQ(s2.map(IPA(G1), PA(4 * G1), G1, Stage2Attrs::normal_ro()), MapStatus::Ok);
  const uint64_t page = G1 + 3 * M2 + 5 * K4;
  ASSERT_EQ(s2.map(IPA(page), PA(0x70000000), K4, Stage2Attrs::normal_rw()), MapStatus::Ok);
  EXPECT_EQ(at(page)->out, 0x70000000u);
  EXPECT_EQ(at(page)->level, 3);
  EXPECT_EQ(at(page + K4)->out, 4 * G1 + 3 * M2 + 6 * K4);  // same 2 MiB: now pages
  EXPECT_EQ(at(page + K4)->level, 3);
  EXPECT_EQ(at(G1)->level, 2);                                // other 2 MiB: blocks
  EXPECT_EQ(at(G1)->out, 4 * G1);
  EXPECT_TRUE(walk(page, AccessType::Write).ok());
  EXPECT_FALSE(walk(page + K4, AccessType::Write).ok());
}

TEST_F(Builder, MappingABlockOverATableFreesTheTablesBelowIt) {
  ASSERT_EQ(s2.map(IPA(G1), PA(G1), K4, Stage2Attrs::normal_rw()), MapStatus::Ok);  // L2 + L3 tables
  const uint64_t before = alloc.in_use();
  ASSERT_EQ(s2.map(IPA(G1), PA(2 * G1), G1, Stage2Attrs::normal_rw()), MapStatus::Ok);
  EXPECT_EQ(alloc.in_use(), before - 2 * K4);
  EXPECT_EQ(at(G1 + 0x1000)->out, 2 * G1 + 0x1000);
}

TEST_F(Builder, UnmappingEverythingFreesEveryTableButTheRoot) {
  ASSERT_EQ(s2.map(IPA(G1 + M2), PA(G1), 3 * K4, Stage2Attrs::normal_rw()), MapStatus::Ok);
  ASSERT_EQ(s2.unmap(IPA(G1), G1), MapStatus::Ok);
  EXPECT_EQ(alloc.in_use(), 0x2000u);
  EXPECT_EQ(s2.tables().tables_allocated(), 1u);
  EXPECT_FALSE(at(G1 + M2));
}

TEST_F(Builder, FreedTablesAreReusedFirst) {
  auto l2_table_of = [&](uint64_t ipa) {  // the level-1 entry's next-table address
    return mem.peek(s2.root() + (ipa >> 30) * 8, S) & desc::ADDR_MASK;
  };
  ASSERT_EQ(s2.map(IPA(G1), PA(G1), K4, Stage2Attrs::normal_rw()), MapStatus::Ok);
  const uint64_t first = l2_table_of(G1);
  ASSERT_EQ(s2.unmap(IPA(G1), G1), MapStatus::Ok);
  ASSERT_EQ(s2.map(IPA(2 * G1), PA(G1), K4, Stage2Attrs::normal_rw()), MapStatus::Ok);
  EXPECT_EQ(l2_table_of(2 * G1), first);
}

TEST_F(Builder, BadRequestsAreRefusedWithAReason) {
  EXPECT_EQ(s2.map(IPA(0x1001), PA(0), K4, {}), MapStatus::Unaligned);
  EXPECT_EQ(s2.map(IPA(0x1000), PA(0x10), K4, {}), MapStatus::Unaligned);
  EXPECT_EQ(s2.map(IPA(0x1000), PA(0), 0, {}), MapStatus::Unaligned);
  EXPECT_EQ(s2.map(IPA(1ull << 40), PA(0), K4, {}), MapStatus::OutOfRange);
  EXPECT_EQ(s2.map(IPA((1ull << 40) - K4), PA(0), 2 * K4, {}), MapStatus::OutOfRange);
  EXPECT_STREQ(name(MapStatus::OutOfTables), "out of table memory");
}

TEST_F(Builder, AnExhaustedAllocatorIsOutOfTables) {
  PoolAllocator tiny(0x800000, 0x2000);  // room for the root only
  Stage2Tables t(mem, tiny, fmt);
  ASSERT_EQ(t.init(), MapStatus::Ok);
  EXPECT_EQ(t.map(IPA(G1), PA(0), K4, {}), MapStatus::OutOfTables);
  EXPECT_EQ(t.map(IPA(G1), PA(0), G1, {}), MapStatus::Ok);  // a level-1 block needs no table
}

TEST(MmuStage2Builder, Stage2TreesOf16KAnd64KGranulesAreWalked) {
  for (Granule g : {Granule::K16, Granule::K64}) {
    MapMemory mem;
    const MmuConfig cfg;
    PoolAllocator alloc(0x1000000, 0x1000000);
    const TableFormat f = stage2_format(40, g, NS, cfg);
    Stage2Tables s2(mem, alloc, f);
    ASSERT_EQ(s2.init(), MapStatus::Ok);
    const uint64_t gsize = 1ull << granule_bits(g);
    ASSERT_EQ(s2.map(IPA(0x40000000), PA(0x90000000), 2 * gsize, Stage2Attrs::normal_rw()), MapStatus::Ok);
    MmuRegs r;
    r.scr_el3 = scr::RES1 | scr::RW | scr::NS;
    r.hcr_el2 = hcr::VM;
    r.vtcr_el2 = vtcr::RES1 | stage2_walk_fields(f) | (5ull << vtcr::PS_LO);
    r.vttbr_el2 = make_ttbr(s2.root().value(), 1);
    Mmu mmu(cfg, mem);
    const TranslateResult t = mmu.translate(r, {VA(0x40000000 + gsize + 0x123), AccessType::Read, El::EL1});
    ASSERT_TRUE(t.ok()) << granule_bits(g) << ": " << name(t.fault.type) << " level " << t.fault.level;
    EXPECT_EQ(t.pa, PA(0x90000000 + gsize + 0x123));
    EXPECT_EQ(t.walk.s2_reads, unsigned(4 - f.start_level));
  }
}

TEST(MmuStage1Builder, MapsTheUpperVaRangeForTtbr1WithItsAttributes) {
  MapMemory mem;
  PoolAllocator alloc(0x10000, 0x100000);
  Stage1Tables s1(mem, alloc, stage1_format(48, Granule::K4, NS));
  ASSERT_EQ(s1.init(), MapStatus::Ok);
  Stage1Attrs a;
  a.ap = desc::AP_RO_ALL;
  a.ng = true;
  a.uxn = true;
  a.attr_indx = 1;
  const uint64_t va = 0xFFFF000012345000ull;
  ASSERT_EQ(s1.map(VA(va), PA(0x80000000), K4, a), MapStatus::Ok);
  MmuRegs r;
  r.scr_el3 = scr::RES1 | scr::RW | scr::NS;
  r.sctlr_el1 = sctlr::M;
  r.tcr_el1 = (16ull << tcr::T1SZ_LO) | (2ull << tcr::TG1_LO) | (5ull << 32) | (1ull << tcr::EPD0) |
              (1ull << tcr::A1);  // the ASID comes from TTBR1_EL1
  r.ttbr1_el1 = make_ttbr(s1.root(), 9);
  r.mair_el1 = 0xFF | (0x04ull << 8);
  Mmu mmu(MmuConfig{}, mem);
  TranslateResult t = mmu.translate(r, {VA(va + 0x10), AccessType::Read, El::EL0});
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_EQ(t.pa, PA(0x80000010));
  EXPECT_EQ(t.attrs.type, MemType::Device);
  EXPECT_FALSE(mmu.translate(r, {VA(va), AccessType::Write, El::EL1}).ok());
  EXPECT_FALSE(mmu.translate(r, {VA(va), AccessType::Execute, El::EL0}).ok());
  EXPECT_EQ(mmu.tlb().entries_by_recency().front().asid, 9u);  // nG: tagged with the ASID
  EXPECT_FALSE(mmu.tlb().entries_by_recency().front().global);
}

}  // namespace
}  // namespace ffasim::sim::mmu
