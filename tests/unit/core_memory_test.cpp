// Physical memory: separate Secure and Non-secure PA spaces, region bounds, sparse storage,
// claims and allocation, the memory map, and timed TLM access from a PE.
//
// SystemC elaborates once per process: every TEST builds exactly one sim::Platform, and the
// build runs each TEST in its own process (gtest_discover_tests). Running this binary without a
// --gtest_filter that selects a single test fails from the second test on, by design.
#include "sim/core/memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "sim/core/platform.h"

namespace ffasim::sim {
namespace {

constexpr Security S = Security::Secure;
constexpr Security NS = Security::NonSecure;

constexpr uint64_t kNsBase = 0x80000000, kNsSize = 0x100000;    // 1 MiB NS DRAM
constexpr uint64_t kSBase = 0x80000000, kSSize = 0x40000;       // 256 KiB Secure, same PA
constexpr uint64_t kSOnlyBase = 0x0E000000, kSOnlySize = 0x10000;  // Secure SRAM

Profile core_profile() {
  Profile p;
  CoreTiming::declare(p);
  return p;
}

PlatformConfig one_pe_config() {
  PlatformConfig cfg;
  cfg.pe_count = 1;
  cfg.pes_per_cluster = 1;
  cfg.memory = {{"ns_dram", kNsBase, kNsSize, NS},
                {"secure_dram", kSBase, kSSize, S},
                {"secure_sram", kSOnlyBase, kSOnlySize, S}};
  return cfg;
}

uint32_t read32(Memory& m, uint64_t pa, Security s) {
  uint32_t v = 0xDEADBEEF;
  EXPECT_TRUE(m.read(pa, &v, sizeof v, s));
  return v;
}

void write32(Memory& m, uint64_t pa, uint32_t v, Security s) {
  EXPECT_TRUE(m.write(pa, &v, sizeof v, s));
}

// ---------------------------------------------------------------------------------------------
// Security spaces and bounds

TEST(Memory, SecureAndNonSecureSpacesHoldDifferentDataAtTheSamePhysicalAddress) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  write32(m, 0x80001000, 0x11223344, NS);
  write32(m, 0x80001000, 0xAABBCCDD, S);
  EXPECT_EQ(read32(m, 0x80001000, NS), 0x11223344u);
  EXPECT_EQ(read32(m, 0x80001000, S), 0xAABBCCDDu);
}

TEST(Memory, AWriteToOneSpaceLeavesTheOtherSpaceZero) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  write32(m, 0x80002000, 0x55555555, S);
  EXPECT_EQ(read32(m, 0x80002000, NS), 0u);
}

TEST(Memory, AnAccessOutsideEveryRegionFails) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  uint8_t buf[16] = {};
  EXPECT_FALSE(m.read(kNsBase - 4, buf, 4, NS));             // just below
  EXPECT_FALSE(m.read(kNsBase + kNsSize, buf, 1, NS));       // just above
  EXPECT_FALSE(m.read(kNsBase - 2, buf, 4, NS));             // straddles the start
  EXPECT_FALSE(m.read(kNsBase + kNsSize - 2, buf, 4, NS));   // straddles the end
  EXPECT_FALSE(m.write(kNsBase + kNsSize - 2, buf, 4, NS));
  EXPECT_FALSE(m.read(0xFFFFFFFFFFFFFFF8ull, buf, 16, NS));  // wraps around
  EXPECT_TRUE(m.read(kNsBase + kNsSize - 4, buf, 4, NS));    // the last word is inside
  EXPECT_TRUE(m.read(kNsBase, buf, 16, NS));
}

TEST(Memory, SecureOnlyMemoryIsNotVisibleFromTheNonSecureSpace) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  uint32_t v = 7;
  EXPECT_TRUE(m.write(kSOnlyBase, &v, 4, S));
  EXPECT_FALSE(m.read(kSOnlyBase, &v, 4, NS));
  EXPECT_FALSE(m.write(kSOnlyBase, &v, 4, NS));
  // The NS DRAM above the Secure DRAM's end exists only in the NS space.
  EXPECT_TRUE(m.read(kSBase + kSSize, &v, 4, NS));
  EXPECT_FALSE(m.read(kSBase + kSSize, &v, 4, S));
}

TEST(Memory, ContainsAnswersForTheWholeRangeInOneSpace) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  EXPECT_TRUE(m.contains(kNsBase, kNsSize, NS));
  EXPECT_FALSE(m.contains(kNsBase, kNsSize + 1, NS));
  EXPECT_FALSE(m.contains(kNsBase, kNsSize, S));
  EXPECT_TRUE(m.contains(kSOnlyBase + kSOnlySize - 1, 1, S));
  EXPECT_FALSE(m.contains(kSOnlyBase + kSOnlySize, 1, S));
}

TEST(Memory, UnwrittenMemoryReadsAsZero) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  std::vector<uint8_t> buf(3 * 4096, 0xCC);
  ASSERT_TRUE(m.read(kNsBase + 0x10000, buf.data(), buf.size(), NS));
  for (size_t i = 0; i < buf.size(); ++i) ASSERT_EQ(buf[i], 0) << "byte " << i;
}

TEST(Memory, AReadAcrossWrittenAndUnwrittenPagesGivesDataThenZeros) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  const uint64_t pa = kNsBase + 0x3000 - 2;  // last two bytes of one 4 KiB page
  const uint8_t two[2] = {0xA1, 0xA2};
  ASSERT_TRUE(m.write(pa, two, 2, NS));
  uint8_t buf[6];
  std::memset(buf, 0xCC, sizeof buf);
  ASSERT_TRUE(m.read(pa - 2, buf, 6, NS));
  const uint8_t expected[6] = {0, 0, 0xA1, 0xA2, 0, 0};
  EXPECT_EQ(std::memcmp(buf, expected, 6), 0);
}

TEST(Memory, AWriteAcrossAPageBoundaryReadsBackWhole) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  std::vector<uint8_t> data(5000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7 + 1);
  const uint64_t pa = kNsBase + 0x1F00;
  ASSERT_TRUE(m.write(pa, data.data(), data.size(), NS));
  std::vector<uint8_t> back(data.size());
  ASSERT_TRUE(m.read(pa, back.data(), back.size(), NS));
  EXPECT_EQ(back, data);
}

TEST(Memory, RegionsOfOneSpaceMustNotOverlap) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  EXPECT_THROW(m.add_region({"clash", kNsBase + kNsSize - 0x1000, 0x2000, NS}),
               std::invalid_argument);
  EXPECT_THROW(m.add_region({"empty", 0x90000000, 0, NS}), std::invalid_argument);
  // Adjacent is fine, and so is the same range in the other space.
  EXPECT_NO_THROW(m.add_region({"next", kNsBase + kNsSize, 0x1000, NS}));
  EXPECT_NO_THROW(m.add_region({"ns_sram", kSOnlyBase, kSOnlySize, NS}));
  EXPECT_EQ(m.regions().size(), 5u);
}

// ---------------------------------------------------------------------------------------------
// Claims, allocation and the memory map

TEST(Memory, AClaimSucceedsOnceAndOnlyInsideRam) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  EXPECT_TRUE(m.claim(kNsBase + 0x4000, 0x2000, NS, "linux"));
  EXPECT_FALSE(m.claim(kNsBase + 0x5000, 0x2000, NS, "other"));   // overlaps
  EXPECT_FALSE(m.claim(kNsBase + 0x3000, 0x1001, NS, "other"));   // overlaps by one byte
  EXPECT_TRUE(m.claim(kNsBase + 0x3000, 0x1000, NS, "adjacent"));
  EXPECT_TRUE(m.claim(kNsBase + 0x4000, 0x2000, S, "spmc"));      // same PA, Secure space
  EXPECT_FALSE(m.claim(kNsBase + kNsSize - 0x1000, 0x2000, NS, "x"));  // runs past the end
  EXPECT_FALSE(m.claim(0x10000000, 0x1000, NS, "x"));             // no RAM there
}

TEST(Memory, ReleaseMakesAClaimedRangeClaimableAgain) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  ASSERT_TRUE(m.claim(kNsBase, 0x1000, NS, "a"));
  ASSERT_TRUE(m.claim(kNsBase, 0x1000, S, "s"));
  m.release(kNsBase, NS);
  EXPECT_TRUE(m.claim(kNsBase, 0x1000, NS, "b"));
  EXPECT_FALSE(m.claim(kNsBase, 0x1000, S, "t"));  // the Secure claim was not released
}

TEST(Memory, AllocateReturnsAlignedFreeRangesAroundClaims) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  ASSERT_TRUE(m.claim(kNsBase, 0x1800, NS, "boot"));
  EXPECT_EQ(m.allocate(0x1000, 0x1000, NS, "rx"), kNsBase + 0x2000);
  EXPECT_EQ(m.allocate(0x1000, 0x1000, NS, "tx"), kNsBase + 0x3000);
  EXPECT_EQ(m.allocate(0x10, 0x10, NS, "small"), kNsBase + 0x1800);
  EXPECT_EQ(m.allocate(0x10000, 0x10000, NS, "big"), kNsBase + 0x10000);
  // Secure allocations come from the first Secure region with room.
  EXPECT_EQ(m.allocate(0x1000, 0x1000, S, "sp"), kSBase);
}

TEST(Memory, AllocateReturnsZeroWhenNothingFits) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  EXPECT_EQ(m.allocate(kNsSize + 0x1000, 0x1000, NS, "huge"), 0u);
  ASSERT_EQ(m.allocate(kNsSize, 0x1000, NS, "all"), kNsBase);
  EXPECT_EQ(m.allocate(0x1000, 0x1000, NS, "more"), 0u);
}

TEST(Memory, AllocateOfMoreThanTheAddressSpaceFailsInsteadOfWrappingAround) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  EXPECT_EQ(m.allocate(0xFFFFFFFFFFFFF000ull, 0x1000, NS, "wraps"), 0u);
  EXPECT_EQ(m.allocate(~0ull, 1, S, "wraps"), 0u);
  // Nothing was claimed by the failed attempts.
  EXPECT_TRUE(m.claim(kNsBase, kNsSize, NS, "all"));
  EXPECT_TRUE(m.claim(kSBase, kSSize, S, "all"));
}

TEST(Memory, TheMemoryMapSplitsEachRegionIntoClaimedAndFreePartsExactly) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  ASSERT_TRUE(m.claim(kNsBase + 0x10000, 0x1000, NS, "a"));
  ASSERT_TRUE(m.claim(kNsBase, 0x2000, NS, "b"));
  ASSERT_TRUE(m.claim(kSBase + kSSize - 0x1000, 0x1000, S, "c"));
  const std::vector<MemoryMapEntry> map = m.memory_map();
  struct E { const char* region; uint64_t base, size; Security sec; const char* owner; };
  const E expected[] = {
      // Secure first, by base.
      {"secure_sram", kSOnlyBase, kSOnlySize, S, ""},
      {"secure_dram", kSBase, kSSize - 0x1000, S, ""},
      {"secure_dram", kSBase + kSSize - 0x1000, 0x1000, S, "c"},
      {"ns_dram", kNsBase, 0x2000, NS, "b"},
      {"ns_dram", kNsBase + 0x2000, 0xE000, NS, ""},
      {"ns_dram", kNsBase + 0x10000, 0x1000, NS, "a"},
      {"ns_dram", kNsBase + 0x11000, kNsSize - 0x11000, NS, ""},
  };
  ASSERT_EQ(map.size(), std::size(expected));
  for (size_t i = 0; i < map.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(map[i].region, expected[i].region);
    EXPECT_EQ(map[i].base, expected[i].base);
    EXPECT_EQ(map[i].size, expected[i].size);
    EXPECT_EQ(map[i].security, expected[i].sec);
    EXPECT_EQ(map[i].owner, expected[i].owner);
  }
}

TEST(Memory, TheMemoryMapOfAFullyClaimedRegionHasNoFreeEntries) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  Memory& m = plat.memory();
  ASSERT_TRUE(m.claim(kSOnlyBase, kSOnlySize / 2, S, "x"));
  ASSERT_TRUE(m.claim(kSOnlyBase + kSOnlySize / 2, kSOnlySize / 2, S, "y"));
  size_t entries = 0;
  for (const MemoryMapEntry& e : m.memory_map())
    if (e.region == "secure_sram") {
      EXPECT_NE(e.owner, "");
      ++entries;
    }
  EXPECT_EQ(entries, 2u);
}

// ---------------------------------------------------------------------------------------------
// Timed access through a PE's TLM socket

TEST(MemoryTlm, APeReadSelectsThePaSpaceFromItsSideband) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  plat.run();  // completes elaboration (binds the sockets); no PE is on
  Memory& m = plat.memory();
  write32(m, 0x80000040, 0x0000CAFE, NS);
  write32(m, 0x80000040, 0x0000F00D, S);
  Pe& pe = plat.pe(0);
  uint32_t v = 0;
  ASSERT_TRUE(pe.mem_read(0x80000040, &v, 4, NS));
  EXPECT_EQ(v, 0xCAFEu);
  ASSERT_TRUE(pe.mem_read(0x80000040, &v, 4, S));
  EXPECT_EQ(v, 0xF00Du);
  const uint32_t w = 0x12345678;
  ASSERT_TRUE(pe.mem_write(0x80000080, &w, 4, S));
  EXPECT_EQ(read32(m, 0x80000080, S), 0x12345678u);
  EXPECT_EQ(read32(m, 0x80000080, NS), 0u);
}

TEST(MemoryTlm, EveryPeOfAMultiPePlatformReachesTheSameMemory) {
  Profile p = core_profile();
  PlatformConfig cfg = one_pe_config();
  cfg.pe_count = 4;
  cfg.pes_per_cluster = 2;
  Platform plat(cfg, p);
  plat.run();
  for (PeId i = 0; i < 4; ++i) {
    const uint32_t v = 0xA0 + i;
    ASSERT_TRUE(plat.pe(i).mem_write(kNsBase + 4 * i, &v, 4, NS)) << "pe" << i;
  }
  for (PeId i = 0; i < 4; ++i) {
    uint32_t v = 0;
    ASSERT_TRUE(plat.pe(3 - i).mem_read(kNsBase + 4 * i, &v, 4, NS)) << "pe" << 3 - i;
    EXPECT_EQ(v, 0xA0u + i);
  }
}

TEST(MemoryTlm, AnOutOfRegionPeAccessIsABusError) {
  Profile p = core_profile();
  Platform plat(one_pe_config(), p);
  plat.run();
  uint32_t v = 0;
  EXPECT_FALSE(plat.pe(0).mem_read(kSOnlyBase, &v, 4, NS));
  EXPECT_FALSE(plat.pe(0).mem_write(kNsBase + kNsSize, &v, 4, NS));
}

TEST(MemoryTlm, AccessTimeIsTheFirstLineLatencyPlusOneLineTimePerFurtherLine) {
  Profile p = core_profile();
  p.set("mem.latency_ns", 90, "test");
  p.set("mem.line_ns", 2.5, "test");
  Platform plat(one_pe_config(), p);
  plat.run();
  Pe& pe = plat.pe(0);
  Tracer& tr = plat.tracer();
  std::vector<uint8_t> buf(256);
  ASSERT_TRUE(pe.mem_read(kNsBase, buf.data(), 8, NS));  // 1 line
  EXPECT_EQ(tr.time_of(0, Cost::Memory), 90000u);
  ASSERT_TRUE(pe.mem_read(kNsBase, buf.data(), 128, NS));  // 2 aligned lines
  EXPECT_EQ(tr.time_of(0, Cost::Memory), 90000u + 92500u);
  ASSERT_TRUE(pe.mem_read(kNsBase + 60, buf.data(), 8, NS));  // 8 bytes across a line boundary
  EXPECT_EQ(tr.time_of(0, Cost::Memory), 90000u + 92500u + 92500u);
  ASSERT_TRUE(pe.mem_write(kNsBase + 1, buf.data(), 256, NS));  // bytes 1..256: 5 lines
  EXPECT_EQ(tr.time_of(0, Cost::Memory), 90000u + 92500u + 92500u + 100000u);
  EXPECT_EQ(pe.now(), 90000u + 92500u + 92500u + 100000u);
}

}  // namespace
}  // namespace ffasim::sim
