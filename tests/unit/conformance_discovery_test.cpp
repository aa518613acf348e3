// Conformance of setup and discovery, driven from the normal world register by register.
// Expected values: ../shared/reference/ffa-abi.md sections 1.2-1.6, 2, 3 and the Hafnium checks
// recorded in models/spmc/setup_and_discovery.cpp.
#include "tests/unit/stack_fixture.h"

#include <vector>

namespace ffasim::testing {
namespace {

constexpr uint64_t kVersion = 0x84000063, kFeatures = 0x84000064, kRxRelease = 0x84000065;
constexpr uint64_t kRxtxMap64 = 0xC4000066, kRxtxMap32 = 0x84000066, kRxtxUnmap = 0x84000067;
constexpr uint64_t kInfoGet = 0x84000068, kIdGet = 0x84000069, kSpmIdGet = 0x84000085;
constexpr uint64_t kTx = 0x80100000, kRx = 0x80101000;
// OP-TEE's UUID as the four SMCCC words of section 3.2.
constexpr uint64_t kOpteeUuid[4] = {0xe0786148, 0xe311f8e7, 0x02005ebc, 0x1bc5d5a5};

void map_buffers(Stack& s) { ASSERT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kRxtxMap64, kTx, kRx, 1)))); }

uint32_t le32(const std::vector<uint8_t>& b, size_t off) {
  return uint32_t(b[off]) | uint32_t(b[off + 1]) << 8 | uint32_t(b[off + 2]) << 16 | uint32_t(b[off + 3]) << 24;
}

TEST(Discovery, FfaVersionOfACompatibleCallerReturnsTheSpmcVersionInW0) {
  Stack s(bare_platform());
  EXPECT_EQ(nwd_call(s, R(kVersion, 0x10002))[0], 0x10002u);
}

TEST(Discovery, FfaVersionWithBit31SetIsNotSupportedInW0) {
  Stack s(bare_platform());
  EXPECT_EQ(nwd_call(s, R(kVersion, 0x80010002))[0], 0xFFFFFFFFu);
}

TEST(Discovery, FfaVersionAskingForAHigherMinorThanTheSpmcIsNotSupported) {
  Stack s(bare_platform());
  EXPECT_EQ(nwd_call(s, R(kVersion, 0x10005))[0], 0xFFFFFFFFu);
}

TEST(Discovery, FfaVersionOfAnotherMajorIsNotSupported) {
  Stack s(bare_platform());
  EXPECT_EQ(nwd_call(s, R(kVersion, 0x20000))[0], 0xFFFFFFFFu);
}

TEST(Discovery, FfaIdGetFromTheNormalWorldIsSuccessWithIdZero) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 0), nwd_call(s, R(kIdGet))));
}

TEST(Discovery, FfaSpmIdGetReturnsTheSpmcIdFromItsManifest) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 0x8000), nwd_call(s, R(kSpmIdGet))));
}

TEST(Discovery, FeaturesOfDirectReq32IsSuccessWithNoProperties) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kFeatures, 0x8400006F))));
}

TEST(Discovery, FeaturesOfRxtxMap64ReportsFourKibAndOneMaxPageToAV12Caller) {
  Stack s(bare_platform());
  nwd_call(s, R(kVersion, 0x10002));
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 1u << 16), nwd_call(s, R(kFeatures, kRxtxMap64))));
}

TEST(Discovery, FeaturesOfAnFfaFunctionTheSpmcDoesNotImplementIsNotSupported) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(kFeatures, 0x84000078))));
}

TEST(Discovery, FeaturesOfAFeatureIdIsNotSupported) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(kFeatures, 0x7F))));
}

TEST(Discovery, RxtxMapSucceedsOnceAndASecondMapIsDenied) {
  Stack s(bare_platform());
  map_buffers(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), nwd_call(s, R(kRxtxMap64, 0x80200000, 0x80201000, 1))));
}

TEST(Discovery, RxtxMapOfAMisalignedBufferIsInvalidParameters) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kRxtxMap64, kTx + 0x10, kRx, 1))));
}

TEST(Discovery, RxtxMapWithZeroPagesIsInvalidParameters) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kRxtxMap64, kTx, kRx, 0))));
}

TEST(Discovery, RxtxMapWithTxEqualToRxIsInvalidParameters) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kRxtxMap64, kTx, kTx, 1))));
}

TEST(Discovery, RxtxMapOfSecureMemoryFromTheNormalWorldIsInvalidParameters) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kRxtxMap64, 0x6000000, 0x6001000, 1))));
}

TEST(Discovery, RxtxMap32IsNotSupportedByHafnium) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::NOT_SUPPORTED), nwd_call(s, R(kRxtxMap32, kTx, kRx, 1))));
}

TEST(Discovery, RxtxUnmapWithNothingMappedIsInvalidParametersAndAfterAMapSucceeds) {
  Stack s(bare_platform());
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kRxtxUnmap))));
  map_buffers(s);
  EXPECT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kRxtxUnmap))));
}

TEST(Discovery, RxReleaseOfAnEmptyBufferIsDenied) {
  Stack s(bare_platform());
  map_buffers(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::DENIED), nwd_call(s, R(kRxRelease))));
}

TEST(Discovery, PartitionInfoGetCountOnlyReturnsBothPartitionsWithoutAnRxBuffer) {
  Stack s(bare_platform());
  nwd_call(s, R(kVersion, 0x10002));
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 2, 0), nwd_call(s, R(kInfoGet, 0, 0, 0, 0, 1))));
}

TEST(Discovery, PartitionInfoGetWithoutAnRxBufferIsBusy) {
  Stack s(bare_platform());
  nwd_call(s, R(kVersion, 0x10002));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::BUSY), nwd_call(s, R(kInfoGet))));
}

TEST(Discovery, PartitionInfoGetWithReservedFlagBitsIsInvalidParameters) {
  Stack s(bare_platform());
  nwd_call(s, R(kVersion, 0x10002));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kInfoGet, 0, 0, 0, 0, 2))));
}

TEST(Discovery, PartitionInfoGetOfAnUnknownUuidIsInvalidParameters) {
  Stack s(bare_platform());
  nwd_call(s, R(kVersion, 0x10002));
  map_buffers(s);
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::INVALID_PARAMETERS), nwd_call(s, R(kInfoGet, 1, 2, 3, 4))));
}

TEST(Discovery, PartitionInfoGetWritesTwentyFourByteDescriptorsForAV12Caller) {
  Stack s(bare_platform());
  nwd_call(s, R(kVersion, 0x10002));
  map_buffers(s);
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 2, 24), nwd_call(s, R(kInfoGet))));
  std::vector<uint8_t> rx;
  ASSERT_TRUE(s.read(kRx, 48, false, rx));
  // OP-TEE: ID 0x8001, 8 contexts, receives direct requests (bit0) and notifications (bit3),
  // AArch64 (bit8); the send bit is not reported to the normal world.
  EXPECT_EQ(le32(rx, 0), 0x00088001u);
  EXPECT_EQ(le32(rx, 4), 0x109u);
  EXPECT_EQ(le32(rx, 8), kOpteeUuid[0]);
  EXPECT_EQ(le32(rx, 20), kOpteeUuid[3]);
  // The test SP: 0x8002, 8 contexts; bit0, bit2 (indirect), bit3, bit8, bit9 (receives REQ2).
  EXPECT_EQ(le32(rx, 24), 0x00088002u);
  EXPECT_EQ(le32(rx, 28), 0x30Du);
  EXPECT_EQ(le32(rx, 32), 0xb4b5671eu);
}

TEST(Discovery, PartitionInfoGetIsBusyUntilTheRxBufferIsReleased) {
  Stack s(bare_platform());
  nwd_call(s, R(kVersion, 0x10002));
  map_buffers(s);
  nwd_call(s, R(kInfoGet));
  EXPECT_TRUE(regs_eq(error_regs(ffa::Error::BUSY), nwd_call(s, R(kInfoGet))));
  EXPECT_TRUE(regs_eq(R(kSuccess32), nwd_call(s, R(kRxRelease))));
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 2, 24), nwd_call(s, R(kInfoGet))));
}

TEST(Discovery, PartitionInfoGetByUuidReturnsOnlyOpteeWithAZeroUuidField) {
  Stack s(bare_platform());
  nwd_call(s, R(kVersion, 0x10002));
  map_buffers(s);
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 1, 24),
                      nwd_call(s, R(kInfoGet, kOpteeUuid[0], kOpteeUuid[1], kOpteeUuid[2], kOpteeUuid[3]))));
  std::vector<uint8_t> rx;
  ASSERT_TRUE(s.read(kRx, 24, false, rx));
  EXPECT_EQ(le32(rx, 0), 0x00088001u);
  EXPECT_EQ(le32(rx, 8), 0u);
}

TEST(Discovery, PartitionInfoGetForAV10CallerWritesEightByteDescriptorsWithV10Properties) {
  Stack s(bare_platform());
  EXPECT_EQ(nwd_call(s, R(kVersion, 0x10000))[0], 0x10002u);
  map_buffers(s);
  // w5 is not a flags register for v1.0 callers; Hafnium still returns w3 = 8.
  EXPECT_TRUE(regs_eq(R(kSuccess32, 0, 2, 8), nwd_call(s, R(kInfoGet, 0, 0, 0, 0, 1))));
  std::vector<uint8_t> rx;
  ASSERT_TRUE(s.read(kRx, 16, false, rx));
  EXPECT_EQ(le32(rx, 4), 0x1u);
  EXPECT_EQ(le32(rx, 8), 0x00088002u);
  EXPECT_EQ(le32(rx, 12), 0x5u);
}

TEST(Discovery, FfaVersionCannotChangeAfterAnotherAbiWasCalled) {
  Stack s(bare_platform());
  EXPECT_EQ(nwd_call(s, R(kVersion, 0x10002))[0], 0x10002u);
  nwd_call(s, R(kFeatures, 0x8400006F));
  EXPECT_EQ(nwd_call(s, R(kVersion, 0x10001))[0], 0xFFFFFFFFu);
  EXPECT_EQ(nwd_call(s, R(kVersion, 0x10002))[0], 0x10002u);
}

}  // namespace
}  // namespace ffasim::testing
