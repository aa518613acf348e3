// Manifest reader: the real TF-A and Hafnium SP manifests, the default platform's manifests, and
// one bad manifest per mistake with the exact line a user sees.
#include "models/spmc/manifest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace ffasim::spmc {
namespace {

const std::string kData = FFASIM_SOURCE_DIR "/tests/data/manifests/";
const std::string kReal = FFASIM_SOURCE_DIR "/../shared/reference/real-manifests/";
const std::string kPlatforms = FFASIM_SOURCE_DIR "/scenarios/platforms/";

std::vector<std::string> lines(const std::vector<ManifestProblem>& problems) {
  std::vector<std::string> out;
  for (const ManifestProblem& p : problems) out.push_back(p.line());
  return out;
}

std::vector<std::string> partition_problems(const std::string& path) {
  return lines(parse_partition_manifest(path).problems);
}

// Writes `bytes` to a fresh file named *.dtb and removes it when done.
struct TempDtb {
  std::string path;
  explicit TempDtb(const std::vector<uint8_t>& bytes) {
    char name[] = "/tmp/ffasim-manifest-test-XXXXXX.dtb";
    int fd = mkstemps(name, 4);
    EXPECT_GE(fd, 0);
    close(fd);
    path = name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
  ~TempDtb() { std::remove(path.c_str()); }
};

// ---------------------------------------------------------------------------------------------
// Real manifests, as published

TEST(PartitionManifest, ParsesTheTfaOpteeManifestWithItsExactValues) {
  const std::string file = kReal + "tf-a_fvp_optee_sp_manifest.dts";
  Parsed<PartitionManifest> p = parse_partition_manifest(file);
  ASSERT_EQ(lines(p.problems), std::vector<std::string>{});
  const PartitionManifest& m = p.manifest;
  EXPECT_EQ(m.file, file);
  EXPECT_EQ(m.compatible, "arm,ffa-manifest-1.0");
  EXPECT_EQ(m.description, "op-tee");
  EXPECT_EQ(m.ffa_version, 0x00010000u);
  ASSERT_EQ(m.uuids.size(), 1u);
  EXPECT_EQ(m.uuids[0].str(), "486178e0-e7f8-11e3-bc5e-0002a5d5c51b");
  EXPECT_EQ(m.messaging_method, std::vector<uint32_t>{0x3});
  EXPECT_EQ(m.id, std::optional<uint16_t>(1));
  EXPECT_EQ(m.execution_ctx_count, 8u);
  EXPECT_EQ(m.exception_level, 2u);
  EXPECT_EQ(m.execution_state, 0u);
  EXPECT_EQ(m.load_address, 0x6280000u);  // written as one cell
  EXPECT_EQ(m.mem_size, std::optional<uint32_t>(0xd80000));
  EXPECT_EQ(m.entrypoint_offset, 0x4000u);
  EXPECT_EQ(m.xlat_granule, 0u);
  EXPECT_EQ(m.boot_order, 0u);
  EXPECT_EQ(m.ns_interrupts_action, NsInterruptsAction::ManagedExit);  // legacy `managed-exit;`
  EXPECT_FALSE(m.managed_exit_virq);
  EXPECT_FALSE(m.notification_support);
  EXPECT_EQ(m.run_time_model, std::optional<uint32_t>(1));
  EXPECT_EQ(m.gp_register_num, std::optional<uint32_t>(0));
  EXPECT_TRUE(m.boot_info_ffa_manifest);
  EXPECT_TRUE(m.memory_regions.empty());
  ASSERT_EQ(m.device_regions.size(), 1u);
  EXPECT_EQ(m.device_regions[0].name, "uart1");
  EXPECT_EQ(m.device_regions[0].base_address, 0x1c0a0000u);
  EXPECT_FALSE(m.device_regions[0].relative);
  EXPECT_EQ(m.device_regions[0].pages_count, 1u);
  EXPECT_EQ(m.device_regions[0].attributes, 0x3u);
  EXPECT_TRUE(m.device_regions[0].interrupts.empty());
}

TEST(PartitionManifest, ParsesTheHafniumManifestWithDebugNameAndManagedExitVirq) {
  Parsed<PartitionManifest> p =
      parse_partition_manifest(kReal + "hafnium_partition_manifest_service_sp_first.dts");
  ASSERT_EQ(lines(p.problems), std::vector<std::string>{});
  const PartitionManifest& m = p.manifest;
  EXPECT_EQ(m.description, "SP Service First");  // from debug_name
  EXPECT_EQ(m.ffa_version, 0x00010000u);
  ASSERT_EQ(m.uuids.size(), 1u);
  EXPECT_EQ(m.uuids[0].words(),
            (std::array<uint32_t, 4>{0x9458bb2d, 0x353b4ee2, 0xaa25710c, 0x99b73ddc}));
  EXPECT_EQ(m.messaging_method, std::vector<uint32_t>{0x7});
  EXPECT_EQ(m.id, std::nullopt);
  EXPECT_EQ(m.execution_ctx_count, 8u);
  EXPECT_EQ(m.exception_level, 2u);
  EXPECT_EQ(m.load_address, 0x6480000u);
  EXPECT_EQ(m.entrypoint_offset, 0x2000u);
  EXPECT_EQ(m.ns_interrupts_action, NsInterruptsAction::ManagedExit);
  EXPECT_TRUE(m.managed_exit_virq);
  EXPECT_TRUE(m.notification_support);
  EXPECT_EQ(m.boot_order, 1u);
  EXPECT_EQ(m.mem_size, std::nullopt);
  EXPECT_EQ(m.gp_register_num, std::nullopt);
  EXPECT_FALSE(m.boot_info_ffa_manifest);
}

TEST(PartitionManifest, ReadsACompiledDtbAsWellAsTheSource) {
  const std::vector<uint8_t> dtb = read_device_tree(kReal + "tf-a_fvp_optee_sp_manifest.dts");
  TempDtb file(dtb);
  Parsed<PartitionManifest> p = parse_partition_manifest(file.path);
  ASSERT_EQ(lines(p.problems), std::vector<std::string>{});
  EXPECT_EQ(p.manifest.uuids[0].str(), "486178e0-e7f8-11e3-bc5e-0002a5d5c51b");
  EXPECT_EQ(p.manifest.device_regions[0].base_address, 0x1c0a0000u);
}

// ---------------------------------------------------------------------------------------------
// Good test manifests: forms and defaults

TEST(PartitionManifest, AppliesTheHeaderDefaultsWhenOptionalPropertiesAreAbsent) {
  Parsed<PartitionManifest> p = parse_partition_manifest(kData + "good_services_v1_1.dts");
  ASSERT_EQ(lines(p.problems), std::vector<std::string>{});
  const PartitionManifest& m = p.manifest;
  EXPECT_EQ(m.id, std::nullopt);
  EXPECT_EQ(m.load_address, 0u);
  EXPECT_EQ(m.entrypoint_offset, 0u);
  EXPECT_EQ(m.boot_order, 0xFFFFu);
  EXPECT_EQ(m.ns_interrupts_action, NsInterruptsAction::Signaled);
  EXPECT_EQ(m.other_s_interrupts_action, 1u);
  EXPECT_FALSE(m.notification_support);
  EXPECT_EQ(m.gp_register_num, std::nullopt);
  EXPECT_EQ(m.run_time_model, std::nullopt);
}

TEST(PartitionManifest, ReadsTheV1_1ServicesNodeWithStringUuidsAndTheirOwnMessagingMethods) {
  Parsed<PartitionManifest> p = parse_partition_manifest(kData + "good_services_v1_1.dts");
  ASSERT_EQ(lines(p.problems), std::vector<std::string>{});
  const PartitionManifest& m = p.manifest;
  EXPECT_EQ(m.compatible, "arm,ffa-manifest-1.1");
  EXPECT_EQ(m.exception_level, 1u);
  ASSERT_EQ(m.uuids.size(), 2u);
  EXPECT_EQ(m.uuids[0].str(), "486178e0-e7f8-11e3-bc5e-0002a5d5c51b");
  EXPECT_EQ(m.uuids[1].str(), "1e67b5b4-e14f-904a-13fb-1fb8cbdae1da");  // written upper case
  EXPECT_EQ(m.messaging_method, (std::vector<uint32_t>{0x3, 0x604}));
}

TEST(PartitionManifest, ReadsRegionsInterruptsAndSixtyFourBitValuesOfOneOrTwoCells) {
  Parsed<PartitionManifest> p = parse_partition_manifest(kData + "good_regions.dts");
  ASSERT_EQ(lines(p.problems), std::vector<std::string>{});
  const PartitionManifest& m = p.manifest;
  EXPECT_EQ(m.description, "regions");
  EXPECT_EQ(m.load_address, 0x7000000u);  // two cells
  ASSERT_EQ(m.uuids.size(), 2u);
  EXPECT_EQ(m.messaging_method, (std::vector<uint32_t>{0x1, 0x1}));  // one value for every UUID
  EXPECT_EQ(m.vm_availability_messages, 0x3u);
  EXPECT_EQ(m.power_management_messages, 0x1u);
  ASSERT_EQ(m.memory_regions.size(), 2u);
  EXPECT_EQ(m.memory_regions[0].name, "heap");
  EXPECT_EQ(m.memory_regions[0].description, "heap");
  EXPECT_TRUE(m.memory_regions[0].relative);
  EXPECT_EQ(m.memory_regions[0].base_address, 0x100000u);  // the offset, unresolved
  EXPECT_EQ(m.memory_regions[0].pages_count, 16u);
  EXPECT_FALSE(m.memory_regions[1].relative);
  EXPECT_EQ(m.memory_regions[1].base_address, 0x7400000u);
  EXPECT_EQ(m.memory_regions[1].attributes, 0xbu);
  ASSERT_EQ(m.device_regions.size(), 1u);
  EXPECT_EQ(m.device_regions[0].base_address, 0x2a830000u);  // one cell
  ASSERT_EQ(m.device_regions[0].interrupts.size(), 2u);
  EXPECT_EQ(m.device_regions[0].interrupts[0].id, 58u);
  EXPECT_EQ(m.device_regions[0].interrupts[0].attributes, 0x900u);
  EXPECT_EQ(m.device_regions[0].interrupts[1].id, 59u);
  EXPECT_EQ(m.device_regions[0].interrupts[1].attributes, 0xa00u);
}

// ---------------------------------------------------------------------------------------------
// Bad manifests: one problem each, with the exact line

TEST(PartitionManifest, RejectsMissingUuidNamingFileNodeAndProperty) {
  const std::string f = kData + "missing_uuid.dts";
  EXPECT_EQ(partition_problems(f),
            std::vector<std::string>{
                f + ": /: uuid: 4 u32 cells per UUID, or a services node; missing (mandatory)"});
}

TEST(PartitionManifest, RejectsMissingFfaVersion) {
  const std::string f = kData + "missing_ffa_version.dts";
  EXPECT_EQ(
      partition_problems(f),
      std::vector<std::string>{f + ": /: ffa-version: a u32 (one cell); missing (mandatory)"});
}

TEST(PartitionManifest, RejectsExceptionLevelZeroBecauseThatIsANormalWorldVm) {
  const std::string f = kData + "bad_exception_level.dts";
  EXPECT_EQ(partition_problems(f),
            std::vector<std::string>{f + ": /: exception-level: 1 (S-EL0) or 2 (S-EL1); got 0 "
                                         "(EL1: a normal-world VM, not an SP)"});
}

TEST(PartitionManifest, RejectsUnknownMessagingMethodBitsNamingThem) {
  const std::string f = kData + "unknown_messaging_bits.dts";
  EXPECT_EQ(partition_problems(f),
            std::vector<std::string>{f + ": /: messaging-method: bits 0, 1, 2, 9, 10 only (mask "
                                         "0x607); got 0x813 with unknown bits 4, 11"});
}

TEST(PartitionManifest, RejectsOverlappingMemoryRegionsWithinOneManifest) {
  const std::string f = kData + "overlapping_regions.dts";
  EXPECT_EQ(partition_problems(f),
            std::vector<std::string>{
                f + ": /memory-regions/second: base-address: a range that does not overlap "
                    "/memory-regions/first [0x7400000, 0x7403fff]; got [0x7402000, 0x7405fff]"});
}

TEST(PartitionManifest, RejectsPropertiesOfTheWrongSize) {
  const std::string f = kData + "wrong_sizes.dts";
  EXPECT_EQ(partition_problems(f),
            (std::vector<std::string>{
                f + ": /: uuid: 4 u32 cells per UUID; got 12 bytes",
                f + ": /: exception-level: a u32 (one cell); got 8 bytes",
                f + ": /: notification-support: an empty property (a flag); got 4 bytes"}));
}

TEST(PartitionManifest, CollectsEveryProblemInsteadOfStoppingAtTheFirst) {
  const std::string f = kData + "many_problems.dts";
  const std::vector<std::string> got = partition_problems(f);
  const std::vector<std::string> want = {
      f + ": /: compatible: \"arm,ffa-manifest-1.0\" or \"arm,ffa-manifest-1.1\"; got "
          "\"arm,ffa-manifest-2.0\"",
      f + ": /: description: a single NUL-terminated string; got 4 bytes that are not one string",
      f + ": /: ffa-version: an FF-A version 1.x as (major << 16) | minor, e.g. 0x00010002; got "
          "0x20000",
      f + ": /: uuid: a non-null UUID; UUID 0 is all zero",
      f + ": /: execution-ctx-count: 1 to 65535; got 0",
      f + ": /: exception-level: 1 (S-EL0) or 2 (S-EL1); got 3",
      f + ": /: execution-state: 0 (AArch64) or 1 (AArch32); got 2",
      f + ": /: gp-register-num: 0 to 3 (x0-x3); got 4",
      f + ": /: ns-interrupts-action: 0 (queued), 1 (managed exit) or 2 (signaled); got 3",
      f + ": /memory-regions/no-address: base-address: base-address or "
          "load-address-relative-offset; missing (mandatory)",
      f + ": /memory-regions/both-addresses: base-address: either base-address or "
          "load-address-relative-offset; got both",
      f + ": /memory-regions/both-addresses: pages-count: at least 1; got 0",
      f + ": /memory-regions/both-addresses: attributes: 0x1 (R), 0x3 (RW) or 0x5 (RX), optionally "
          "with 0x8 (NS); got 0x6",
      f + ": /memory-regions/unaligned: base-address: a 4 KiB-aligned address; got 0x7500010",
      f + ": /memory-regions/unaligned: pages-count: a u32 (one cell); missing (mandatory)",
      f + ": /device-regions/odd-interrupts: attributes: 0x1 (R) or 0x3 (RW), optionally with 0x8 "
          "(NS); got 0x5",
      f + ": /device-regions/odd-interrupts: interrupts: <id attributes> pairs of u32 cells; got "
          "12 bytes",
  };
  EXPECT_EQ(got, want);
}

TEST(PartitionManifest, RejectsMalformedSourceQuotingDtcsFirstError) {
  const std::string f = kData + "malformed.dts";
  EXPECT_EQ(
      partition_problems(f),
      std::vector<std::string>{f + ": device-tree source that dtc accepts; dtc says \"Error: " + f +
                               ":8.2-3 syntax error\""});
}

TEST(PartitionManifest, ReportsAMissingFileAsFileNotFound) {
  const std::string f = kData + "no_such_manifest.dts";
  EXPECT_EQ(partition_problems(f), std::vector<std::string>{f + ": file not found"});
}

TEST(PartitionManifest, ReportsATruncatedDtbWithItsExpectedAndActualSize) {
  std::vector<uint8_t> dtb = read_device_tree(kReal + "tf-a_fvp_optee_sp_manifest.dts");
  const size_t full = dtb.size();
  dtb.resize(full / 2);
  TempDtb file(dtb);
  EXPECT_EQ(partition_problems(file.path),
            std::vector<std::string>{file.path + ": a device tree blob of " + std::to_string(full) +
                                     " bytes (its header's totalsize); got " +
                                     std::to_string(full / 2) + " bytes: truncated"});
}

TEST(PartitionManifest, ReportsBytesThatAreNoDeviceTreeBlob) {
  const std::vector<uint8_t> text = {'n', 'o', 't', ' ', 'a', ' ', 'b', 'l', 'o', 'b'};
  EXPECT_EQ(lines(parse_partition_manifest_blob(text, "x.dtb").problems),
            std::vector<std::string>{
                "x.dtb: a device tree blob; got 10 bytes, shorter than an FDT header"});
  std::vector<uint8_t> zeros(64, 0);
  EXPECT_EQ(
      lines(parse_partition_manifest_blob(zeros, "z.dtb").problems),
      std::vector<std::string>{"z.dtb: a device tree blob; fdt_check_header: FDT_ERR_BADMAGIC"});
}

// Every prefix of a real blob, and the blob with each byte in turn set to 0xff: the reader
// reports or accepts, never crashes (run under ASan/UBSan in CI to make this bite).
TEST(PartitionManifest, NeverCrashesOnTruncatedOrCorruptedBlobs) {
  const std::vector<uint8_t> good = read_device_tree(kReal + "tf-a_fvp_optee_sp_manifest.dts");
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> prefix(good.begin(), good.begin() + std::ptrdiff_t(n));
    EXPECT_FALSE(parse_partition_manifest_blob(prefix, "t.dtb").problems.empty()) << n;
  }
  for (size_t i = 0; i < good.size(); ++i) {
    std::vector<uint8_t> bad = good;
    bad[i] = 0xff;
    (void)parse_partition_manifest_blob(bad, "c.dtb");
    (void)parse_core_manifest_blob(bad, "c.dtb");
  }
}

TEST(PartitionManifest, LoadThrowsManifestErrorCarryingEveryProblem) {
  const std::string f = kData + "wrong_sizes.dts";
  try {
    load_partition_manifest(f);
    FAIL() << "no exception";
  } catch (const ManifestError& e) {
    EXPECT_EQ(e.problems().size(), 3u);
    EXPECT_EQ(std::string(e.what()),
              f + ": /: uuid: 4 u32 cells per UUID; got 12 bytes\n" + f +
                  ": /: exception-level: a u32 (one cell); got 8 bytes\n" + f +
                  ": /: notification-support: an empty property (a flag); got 4 bytes");
  }
}

TEST(PartitionManifest, ReadDeviceTreeThrowsForAMissingFile) {
  EXPECT_THROW(read_device_tree(kData + "no_such_manifest.dts"), ManifestError);
}

// ---------------------------------------------------------------------------------------------
// Partition sets

std::vector<PartitionManifest> load_all(const std::vector<std::string>& files) {
  std::vector<PartitionManifest> out;
  for (const std::string& f : files) out.push_back(load_partition_manifest(f));
  return out;
}

TEST(PartitionSet, RejectsADuplicatePartitionIdNamingBothFiles) {
  const std::string a = kData + "set_a.dts", b = kData + "set_b_same_id.dts";
  EXPECT_EQ(lines(check_partition_set(load_all({a, b}))),
            std::vector<std::string>{
                b + ": /: id: a partition ID unique in the set; got 0x8001, also used by " + a});
}

TEST(PartitionSet, RejectsADuplicateUuid) {
  const std::string a = kData + "set_a.dts", b = kData + "set_b_same_uuid.dts";
  EXPECT_EQ(lines(check_partition_set(load_all({a, b}))),
            std::vector<std::string>{b +
                                     ": /: uuid: a UUID unique in the set; got "
                                     "010000a0-0200-00a0-0300-00a0040000a0, also used by " +
                                     a});
}

TEST(PartitionSet, RejectsMemoryRegionsOverlappingAcrossPartitionsResolvedWithLoadAddress) {
  const std::string a = kData + "set_a.dts", b = kData + "set_b_overlap.dts";
  EXPECT_EQ(
      lines(check_partition_set(load_all({a, b}))),
      std::vector<std::string>{
          b +
          ": /memory-regions/image: load-address-relative-offset: a range that does not overlap " +
          a + ": /memory-regions/image [0x7000000, 0x700ffff]; got [0x7008000, 0x7017fff]"});
}

TEST(PartitionSet, RejectsOverlapWithinOnePartitionToo) {
  PartitionManifest m = load_partition_manifest(kData + "good_regions.dts");
  m.memory_regions[1].base_address = 0x7100000 + 0x8000;  // into the relative heap region
  EXPECT_EQ(
      lines(check_partition_set({m})),
      std::vector<std::string>{
          m.file + ": /memory-regions/shared: base-address: a range that does not overlap "
                   "/memory-regions/heap [0x7100000, 0x710ffff]; got [0x7108000, 0x7109fff]"});
}

// Hafnium: only a load-address-relative region may cover the image's load address.
TEST(PartitionSet, RejectsAnAbsoluteMemoryRegionCoveringTheLoadAddress) {
  PartitionManifest m = load_partition_manifest(kData + "good_regions.dts");
  m.memory_regions[1].base_address = 0x7000000;
  EXPECT_EQ(
      lines(check_partition_set({m})),
      std::vector<std::string>{
          m.file +
          ": /memory-regions/shared: base-address: a range that does not contain load-address "
          "0x7000000 (use load-address-relative-offset for the image); got [0x7000000, "
          "0x7001fff]"});
}

TEST(PartitionSet, RejectsARepeatedBootOrderAndInterruptId) {
  PartitionManifest a = load_partition_manifest(kData + "good_regions.dts");
  PartitionManifest b = a;
  b.file = "b.dts";
  b.uuids.clear();
  b.memory_regions.clear();
  b.device_regions[0].base_address = 0x2a840000;
  b.boot_order = a.boot_order = 5;
  EXPECT_EQ(
      lines(check_partition_set({a, b})),
      (std::vector<std::string>{
          "b.dts: /: boot-order: a boot-order unique in the set; got 5, also used by " + a.file,
          "b.dts: /device-regions/timer: interrupts: each interrupt ID once; got 58, also in " +
              a.file + ": /device-regions/timer",
          "b.dts: /device-regions/timer: interrupts: each interrupt ID once; got 59, also in " +
              a.file + ": /device-regions/timer"}));
}

// ---------------------------------------------------------------------------------------------
// Core manifest

TEST(CoreManifest, ReportsSpmcIdWithoutBit15MissingEntrypointAndUnknownMemoryType) {
  const std::string f = kData + "core_bad.dts";
  EXPECT_EQ(
      lines(parse_core_manifest(f).problems),
      (std::vector<std::string>{
          f + ": /attribute: spmc_id: a secure endpoint ID, 0x8000 to 0xffff (bit 15 set); got 0x1",
          f + ": /attribute: entrypoint: a u64 (one or two cells); missing (mandatory)",
          f + ": /memory@6000000: device_type: \"memory\", \"ns-memory\", \"device-memory\" or "
              "\"ns-device-memory\"; got \"secure-memory\""}));
}

TEST(CoreManifest, ReadsEveryRangeOfAMemoryNodeWithTheRootCellSizes) {
  Parsed<CoreManifest> p = parse_core_manifest(kData + "core_two_ranges.dts");
  ASSERT_EQ(lines(p.problems), std::vector<std::string>{});
  ASSERT_EQ(p.manifest.memory.size(), 2u);
  EXPECT_EQ(p.manifest.memory[0].name, "memory@80000000");
  EXPECT_EQ(p.manifest.memory[0].device_type, "ns-memory");
  EXPECT_EQ(p.manifest.memory[0].base, 0x80000000u);
  EXPECT_EQ(p.manifest.memory[0].size, 0x7f000000u);
  EXPECT_EQ(p.manifest.memory[1].base, 0x880000000u);
  EXPECT_EQ(p.manifest.memory[1].size, 0x80000000u);
}

TEST(CoreManifest, RejectsAPartitionManifestForItsCompatibleAndMissingAttributeNode) {
  const std::string f = kReal + "tf-a_fvp_optee_sp_manifest.dts";
  EXPECT_EQ(lines(parse_core_manifest(f).problems),
            (std::vector<std::string>{
                f + ": /: compatible: \"arm,ffa-core-manifest-1.0\"; got \"arm,ffa-manifest-1.0\"",
                f + ": /attribute: a node `attribute`; missing (mandatory)"}));
}

// ---------------------------------------------------------------------------------------------
// The default platform's manifests (scenarios/platforms)

TEST(PlatformManifests, SpmcManifestParsesWithItsValues) {
  CoreManifest m = load_core_manifest(kPlatforms + "fvp_spmc_manifest.dts");
  EXPECT_EQ(m.spmc_id, 0x8000u);
  EXPECT_EQ(m.maj_ver, 1u);
  EXPECT_EQ(m.min_ver, 2u);
  EXPECT_EQ(m.exec_state, 0u);
  EXPECT_EQ(m.load_address, 0x6000000u);
  EXPECT_EQ(m.entrypoint, 0x6000000u);
  EXPECT_EQ(m.binary_size, 0x80000u);
  ASSERT_EQ(m.memory.size(), 2u);
  EXPECT_EQ(m.memory[0].device_type, "memory");
  EXPECT_EQ(m.memory[0].base, 0x6000000u);
  EXPECT_EQ(m.memory[0].size, 0x2000000u);
  EXPECT_EQ(m.memory[1].device_type, "ns-memory");
  EXPECT_EQ(m.memory[1].base, 0x80000000u);
  EXPECT_EQ(m.memory[1].size, 0x80000000u);
}

TEST(PlatformManifests, OpteeSpManifestParsesWithItsValues) {
  PartitionManifest m = load_partition_manifest(kPlatforms + "fvp_optee_sp_manifest.dts");
  EXPECT_EQ(m.ffa_version, 0x00010002u);
  EXPECT_EQ(m.uuids.at(0).str(), "486178e0-e7f8-11e3-bc5e-0002a5d5c51b");
  EXPECT_EQ(m.execution_ctx_count, 8u);
  EXPECT_EQ(m.exception_level, 2u);
  EXPECT_EQ(m.messaging_method, std::vector<uint32_t>{0x3});
  EXPECT_EQ(m.ns_interrupts_action, NsInterruptsAction::ManagedExit);
  EXPECT_EQ(m.load_address, 0x6280000u);
  EXPECT_EQ(m.mem_size, std::optional<uint32_t>(0xd80000));
  EXPECT_EQ(m.entrypoint_offset, 0x4000u);
  EXPECT_TRUE(m.notification_support);
  EXPECT_TRUE(m.boot_info_ffa_manifest);
  ASSERT_EQ(m.memory_regions.size(), 2u);
  EXPECT_EQ(m.memory_regions[0].name, "rx-buffer");
  EXPECT_TRUE(m.memory_regions[0].relative);
  EXPECT_EQ(m.memory_regions[0].pages_count, 1u);
  EXPECT_EQ(m.memory_regions[1].name, "tx-buffer");
  EXPECT_EQ(m.memory_regions[1].base_address, m.memory_regions[0].base_address + 0x1000);
}

TEST(PlatformManifests, TestSpManifestParsesWithItsValues) {
  PartitionManifest m = load_partition_manifest(kPlatforms + "fvp_test_sp_manifest.dts");
  ffa::Uuid want;
  ASSERT_TRUE(ffa::Uuid::parse("1e67b5b4-e14f-904a-13fb-1fb8cbdae1da", want));
  ASSERT_EQ(m.uuids.size(), 1u);
  EXPECT_EQ(m.uuids[0], want);
  EXPECT_EQ(m.ffa_version, 0x00010002u);
  EXPECT_EQ(m.execution_ctx_count, 8u);
  EXPECT_EQ(m.exception_level, 2u);
  EXPECT_EQ(m.messaging_method, std::vector<uint32_t>{0x607});
  EXPECT_EQ(m.load_address, 0x7000000u);
  EXPECT_EQ(m.ns_interrupts_action, NsInterruptsAction::Signaled);
  EXPECT_TRUE(m.notification_support);
  ASSERT_EQ(m.memory_regions.size(), 3u);
  EXPECT_EQ(m.memory_regions[0].base_address, 0u);
  EXPECT_TRUE(m.memory_regions[0].relative);
  EXPECT_EQ(m.memory_regions[0].pages_count, 256u);
  EXPECT_EQ(m.memory_regions[1].name, "rx-buffer");
  EXPECT_EQ(m.memory_regions[2].name, "tx-buffer");
}

// The SPs form a valid set, and every SP memory region lies in the SPMC manifest's secure memory.
TEST(PlatformManifests, SpsFormAConsistentSetInsideTheSpmcSecureMemory) {
  std::vector<PartitionManifest> sps =
      load_all({kPlatforms + "fvp_optee_sp_manifest.dts", kPlatforms + "fvp_test_sp_manifest.dts"});
  EXPECT_EQ(lines(check_partition_set(sps)), std::vector<std::string>{});
  CoreManifest core = load_core_manifest(kPlatforms + "fvp_spmc_manifest.dts");
  const CoreManifestMemory& secure = core.memory.at(0);
  ASSERT_EQ(secure.device_type, "memory");
  for (const PartitionManifest& sp : sps) {
    for (const ManifestRegion& r : sp.memory_regions) {
      const uint64_t base = r.base_address + (r.relative ? sp.load_address : 0);
      EXPECT_GE(base, secure.base) << sp.file << " " << r.name;
      EXPECT_LE(base + uint64_t(r.pages_count) * 4096, secure.base + secure.size)
          << sp.file << " " << r.name;
    }
    EXPECT_GE(sp.load_address, core.load_address + core.binary_size) << sp.file;
  }
}

}  // namespace
}  // namespace ffasim::spmc
