// The FF-A function table: every FID of ../shared/reference/ffa-abi.md section 1.4 with its name
// and which of the SMC32/SMC64 forms exist, FID decoding (section 1.1), the error codes and their
// w2 bit patterns (section 1.3), the SPMD route classes (section 1.6) and the result-register
// builders. Expected values are copied from the sheet, not from abi.def.
#include "models/ffa/abi.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ffasim::ffa {
namespace {

// One row of the section 1.4 table. `smc32`/`smc64`: the FID exists in that convention.
struct Row {
  const char* name;  // spec name, FFA_ prefix included
  uint32_t fnum;
  bool smc32, smc64;
  int since_minor;   // "Spec rev" column: 1.0 -> 0, 1.1 -> 1, 1.2 -> 2; -1 = not stated
};

// Rows whose forms the sheet states without reservation. The two forms the sheet puts in
// parentheses (FFA_ERROR 64, defined only by TF-A; FFA_SECONDARY_EP_REGISTER 32, defined only in
// the Linux header) are tested separately below.
const std::vector<Row> kV1_0ToV1_2 = {
    {"FFA_SUCCESS", 0x61, true, true, 0},
    {"FFA_INTERRUPT", 0x62, true, false, 0},
    {"FFA_VERSION", 0x63, true, false, 0},
    {"FFA_FEATURES", 0x64, true, false, 0},
    {"FFA_RX_RELEASE", 0x65, true, false, 0},
    {"FFA_RXTX_MAP", 0x66, true, true, 0},
    {"FFA_RXTX_UNMAP", 0x67, true, false, 0},
    {"FFA_PARTITION_INFO_GET", 0x68, true, false, 0},
    {"FFA_ID_GET", 0x69, true, false, 0},
    {"FFA_MSG_POLL", 0x6A, true, false, 0},
    {"FFA_MSG_WAIT", 0x6B, true, false, 0},
    {"FFA_YIELD", 0x6C, true, false, 0},
    {"FFA_RUN", 0x6D, true, false, 0},
    {"FFA_MSG_SEND", 0x6E, true, false, 0},
    {"FFA_MSG_SEND_DIRECT_REQ", 0x6F, true, true, 0},
    {"FFA_MSG_SEND_DIRECT_RESP", 0x70, true, true, 0},
    {"FFA_MEM_DONATE", 0x71, true, true, 0},
    {"FFA_MEM_LEND", 0x72, true, true, 0},
    {"FFA_MEM_SHARE", 0x73, true, true, 0},
    {"FFA_MEM_RETRIEVE_REQ", 0x74, true, true, 0},
    {"FFA_MEM_RETRIEVE_RESP", 0x75, true, false, 0},
    {"FFA_MEM_RELINQUISH", 0x76, true, false, 0},
    {"FFA_MEM_RECLAIM", 0x77, true, false, 0},
    {"FFA_MEM_OP_PAUSE", 0x78, true, false, 0},
    {"FFA_MEM_OP_RESUME", 0x79, true, false, 0},
    {"FFA_MEM_FRAG_RX", 0x7A, true, false, 0},
    {"FFA_MEM_FRAG_TX", 0x7B, true, false, 0},
    {"FFA_NORMAL_WORLD_RESUME", 0x7C, true, false, -1},  // "see section 9"
    {"FFA_NOTIFICATION_BITMAP_CREATE", 0x7D, true, false, 1},
    {"FFA_NOTIFICATION_BITMAP_DESTROY", 0x7E, true, false, 1},
    {"FFA_NOTIFICATION_BIND", 0x7F, true, false, 1},
    {"FFA_NOTIFICATION_UNBIND", 0x80, true, false, 1},
    {"FFA_NOTIFICATION_SET", 0x81, true, false, 1},
    {"FFA_NOTIFICATION_GET", 0x82, true, false, 1},
    {"FFA_NOTIFICATION_INFO_GET", 0x83, true, true, 1},
    {"FFA_RX_ACQUIRE", 0x84, true, false, 1},
    {"FFA_SPM_ID_GET", 0x85, true, false, 1},
    {"FFA_MSG_SEND2", 0x86, true, false, 1},
    {"FFA_MEM_PERM_GET", 0x88, true, true, 1},
    {"FFA_MEM_PERM_SET", 0x89, true, true, 1},
    {"FFA_CONSOLE_LOG", 0x8A, true, true, 2},
    {"FFA_PARTITION_INFO_GET_REGS", 0x8B, false, true, 2},
    {"FFA_EL3_INTR_HANDLE", 0x8C, true, false, 2},
    {"FFA_MSG_SEND_DIRECT_REQ2", 0x8D, false, true, 2},
    {"FFA_MSG_SEND_DIRECT_RESP2", 0x8E, false, true, 2},
};

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
  return buf;
}

// Checks one row through the public API only (fid_name/decode), so rows missing from abi.def
// fail here rather than failing to compile.
void check_row(const Row& r) {
  const uint32_t f32 = 0x84000000u | r.fnum, f64 = 0xC4000000u | r.fnum;
  SCOPED_TRACE(std::string(r.name) + " fnum " + hex(r.fnum));
  if (r.smc32) {
    // The spec names an ABI with one convention without a width suffix (FFA_VERSION).
    EXPECT_EQ(fid_name(f32), std::string(r.name) + (r.smc64 ? "_32" : ""));
    ASSERT_TRUE(decode(f32).has_value()) << hex(f32);
    const AbiInfo& i = info(*decode(f32));
    EXPECT_STREQ(i.name, r.name);
    EXPECT_EQ(i.fnum, r.fnum);
    EXPECT_EQ(fid(i.abi, false), f32);
  } else {
    EXPECT_FALSE(decode(f32).has_value()) << hex(f32) << " is not an FF-A FID";
    EXPECT_EQ(fid_name(f32), "FID " + hex(f32));
  }
  if (r.smc64) {
    EXPECT_EQ(fid_name(f64), std::string(r.name) + (r.smc32 ? "_64" : ""));
    ASSERT_TRUE(decode(f64).has_value()) << hex(f64);
    const AbiInfo& i = info(*decode(f64));
    EXPECT_STREQ(i.name, r.name);
    EXPECT_EQ(fid(i.abi, true), f64);
  } else {
    EXPECT_FALSE(decode(f64).has_value()) << hex(f64) << " is not an FF-A FID";
  }
  const auto a = decode(r.smc32 ? f32 : f64);
  if (a && r.since_minor >= 0) {
    EXPECT_EQ(info(*a).since_minor, r.since_minor);
  }
}

// ---------------------------------------------------------------------------------------------
// Section 1.4: the function IDs

TEST(FfaFunctionIds, EveryV1_0ToV1_2RowOfTheTableHasItsNameAndExactlyItsForms) {
  for (const Row& r : kV1_0ToV1_2) check_row(r);
}

TEST(FfaFunctionIds, FfaErrorIs0x84000060) {
  EXPECT_EQ(fid_name(0x84000060), "FFA_ERROR_32");
  // Not asserting that 0xC4000060 is absent: the SPMD model, like TF-A's, may answer with it.
  EXPECT_EQ(fid(Abi::ERROR), 0x84000060u);
}

TEST(FfaFunctionIds, SecondaryEpRegisterIs0xC4000087) {
  EXPECT_EQ(fid_name(0xC4000087), "FFA_SECONDARY_EP_REGISTER");
  EXPECT_EQ(fid(Abi::SECONDARY_EP_REGISTER, true), 0xC4000087u);
}

TEST(FfaFunctionIds, V1_3RowsNsResInfoGetAndAbortAreInTheTable) {
  // Section 1.6 gives both a route at the SPMD (NWd-only / SWd-only), so the SPMD must know them.
  check_row({"FFA_NS_RES_INFO_GET", 0x8F, false, true, -1});
  check_row({"FFA_ABORT", 0x90, true, true, -1});
}

TEST(FfaFunctionIds, V1_3NotificationBind2Unbind2Set2Get2AreInTheTable) {
  check_row({"FFA_NOTIFICATION_BIND2", 0x94, false, true, -1});
  check_row({"FFA_NOTIFICATION_UNBIND2", 0x95, false, true, -1});
  check_row({"FFA_NOTIFICATION_SET2", 0x96, false, true, -1});
  check_row({"FFA_NOTIFICATION_GET2", 0x97, false, true, -1});
}

TEST(FfaFunctionIds, TheSpecNamesAreUsedNotTfasDriftedOnes) {
  EXPECT_EQ(fid_name(0x8400006D), "FFA_RUN");    // TF-A: FFA_MSG_RUN
  EXPECT_EQ(fid_name(0x8400006C), "FFA_YIELD");  // TF-A: FFA_MSG_YIELD
}

TEST(FfaFunctionIds, FidNameOfTheDirectRequestIsExactlyTheSpecName) {
  EXPECT_EQ(fid_name(0x8400006F), "FFA_MSG_SEND_DIRECT_REQ_32");
  EXPECT_EQ(fid_name(0xC400006F), "FFA_MSG_SEND_DIRECT_REQ_64");
  EXPECT_EQ(fid_name(0x84000070), "FFA_MSG_SEND_DIRECT_RESP_32");
  EXPECT_EQ(fid_name(0xC400008D), "FFA_MSG_SEND_DIRECT_REQ2");
}

TEST(FfaFunctionIds, TheGeneratedFidEnumHasTheSheetsValues) {
  EXPECT_EQ(uint32_t(Fid::MSG_SEND_DIRECT_REQ_32), 0x8400006Fu);
  EXPECT_EQ(uint32_t(Fid::MSG_SEND_DIRECT_REQ_64), 0xC400006Fu);
  EXPECT_EQ(uint32_t(Fid::VERSION_32), 0x84000063u);
  EXPECT_EQ(uint32_t(Fid::SUCCESS_64), 0xC4000061u);
  EXPECT_EQ(uint32_t(Fid::PARTITION_INFO_GET_REGS_64), 0xC400008Bu);
  EXPECT_EQ(uint32_t(Fid::EL3_INTR_HANDLE_32), 0x8400008Cu);
}

TEST(FfaFunctionIds, Fid0xC4000063IsNotFfaVersion) {
  EXPECT_FALSE(decode(0xC4000063).has_value());
  EXPECT_EQ(fid_name(0xC4000063), "FID 0xc4000063");
}

TEST(FfaFunctionIds, PartitionInfoGetRegsAndDirectReq2Resp2HaveNo32BitFid) {
  EXPECT_FALSE(decode(0x8400008B).has_value());
  EXPECT_FALSE(decode(0x8400008D).has_value());
  EXPECT_FALSE(decode(0x8400008E).has_value());
}

TEST(FfaFunctionIds, TheUnassignedFnum0x91To0x93AndOutOfRangeNumbersAreNotFfa) {
  for (uint32_t fnum : {0x91u, 0x92u, 0x93u, 0x5Fu, 0x98u, 0xFFu, 0x00u}) {
    EXPECT_FALSE(decode(0x84000000u | fnum).has_value()) << hex(fnum);
    EXPECT_FALSE(decode(0xC4000000u | fnum).has_value()) << hex(fnum);
  }
}

// ---------------------------------------------------------------------------------------------
// Section 1.1: decoding a FID

TEST(FfaDecode, Bit16TheSmcccSveHintIsIgnored) {
  ASSERT_TRUE(decode(0x84010063).has_value());
  EXPECT_EQ(*decode(0x84010063), Abi::VERSION);
  EXPECT_EQ(*decode(0xC401006F), Abi::MSG_SEND_DIRECT_REQ);
  EXPECT_EQ(fid_name(0xC401006F), "FFA_MSG_SEND_DIRECT_REQ_64");
  EXPECT_EQ(fid_name(0x84010061), "FFA_SUCCESS_32");
}

TEST(FfaDecode, GarbageInTheUpper32BitsOfX0IsRejected) {
  EXPECT_FALSE(decode(0x0000000184000063ull).has_value());
  EXPECT_FALSE(decode(0xFFFFFFFF84000063ull).has_value());
  EXPECT_FALSE(decode(0x80000000C400006Full).has_value());
  EXPECT_EQ(fid_name(0x0000000184000063ull), "FID 0x184000063");
}

TEST(FfaDecode, AYieldingCallWithBit31ClearIsNotFfa) {
  EXPECT_FALSE(decode(0x04000063).has_value());
  EXPECT_FALSE(decode(0x44000063).has_value());
}

TEST(FfaDecode, AnotherOwningEntityIsNotFfa) {
  EXPECT_FALSE(decode(0x84000000u).has_value());   // PSCI_VERSION is 0x84000000 (entity 4, fnum 0)
  EXPECT_FALSE(decode(0x83000063u).has_value());   // entity 3: SiP
  EXPECT_FALSE(decode(0x85000063u).has_value());   // entity 5: standard hypervisor
  EXPECT_FALSE(decode(0xB2000063u).has_value());   // entity 0x32: trusted OS
}

TEST(FfaDecode, ReservedBits23To17SetIsNotFfa) {
  EXPECT_FALSE(decode(0x84020063u).has_value());  // bit 17
  EXPECT_FALSE(decode(0x84800063u).has_value());  // bit 23
  EXPECT_FALSE(decode(0x84000163u).has_value());  // bit 8
}

TEST(FfaDecode, Is64BitReadsBit30) {
  EXPECT_TRUE(is_64bit(0xC400006F));
  EXPECT_FALSE(is_64bit(0x8400006F));
}

TEST(FfaDecode, FidBuildsBothConventions) {
  EXPECT_EQ(fid(Abi::MEM_SHARE), 0x84000073u);
  EXPECT_EQ(fid(Abi::MEM_SHARE, true), 0xC4000073u);
  EXPECT_EQ(fid(Abi::VERSION), 0x84000063u);
}

// ---------------------------------------------------------------------------------------------
// Section 1.3: error codes

struct ErrRow {
  Error e;
  int32_t value;
  uint32_t w2;
  const char* name;
};
const ErrRow kErrors[] = {
    {Error::NOT_SUPPORTED, -1, 0xFFFFFFFF, "FFA_NOT_SUPPORTED"},
    {Error::INVALID_PARAMETERS, -2, 0xFFFFFFFE, "FFA_INVALID_PARAMETERS"},
    {Error::NO_MEMORY, -3, 0xFFFFFFFD, "FFA_NO_MEMORY"},
    {Error::BUSY, -4, 0xFFFFFFFC, "FFA_BUSY"},
    {Error::INTERRUPTED, -5, 0xFFFFFFFB, "FFA_INTERRUPTED"},
    {Error::DENIED, -6, 0xFFFFFFFA, "FFA_DENIED"},
    {Error::RETRY, -7, 0xFFFFFFF9, "FFA_RETRY"},
    {Error::ABORTED, -8, 0xFFFFFFF8, "FFA_ABORTED"},
    {Error::NO_DATA, -9, 0xFFFFFFF7, "FFA_NO_DATA"},
    {Error::NOT_READY, -10, 0xFFFFFFF6, "FFA_NOT_READY"},
};

TEST(FfaErrors, EveryCodeHasItsSignedValueAndName) {
  for (const ErrRow& r : kErrors) {
    EXPECT_EQ(int32_t(r.e), r.value) << r.name;
    EXPECT_STREQ(error_name(r.e), r.name);
  }
}

TEST(FfaErrors, ErrorPutsFfaErrorInW0ZeroInW1AndTheCodeAsA32BitPatternInW2) {
  for (const ErrRow& r : kErrors) {
    SCOPED_TRACE(r.name);
    const Regs x = error(r.e);
    EXPECT_EQ(x[0], 0x84000060u);
    EXPECT_EQ(x[1], 0u);
    // Hafnium keeps the code as uint32: the upper 32 bits of x2 are zero.
    EXPECT_EQ(x[2], uint64_t(r.w2));
    for (size_t i = 3; i < x.size(); ++i) EXPECT_EQ(x[i], 0u) << "x" << i;
  }
}

TEST(FfaErrors, IsErrorMatchesTheCodeAndNothingElse) {
  EXPECT_TRUE(is_error(error(Error::DENIED), Error::DENIED));
  EXPECT_FALSE(is_error(error(Error::DENIED), Error::BUSY));
  EXPECT_FALSE(is_error(success(0xFFFFFFFA), Error::DENIED));
  // A sign-extended code in x2 is the same w2.
  Regs r = regs(0x84000060, 0, 0xFFFFFFFFFFFFFFFEull);
  EXPECT_TRUE(is_error(r, Error::INVALID_PARAMETERS));
}

TEST(FfaErrors, SuccessPutsFfaSuccessInW0AndTheValuesInW2AndW3) {
  const Regs a = success();
  EXPECT_EQ(a[0], 0x84000061u);
  for (size_t i = 1; i < a.size(); ++i) EXPECT_EQ(a[i], 0u) << "x" << i;
  const Regs b = success(0x8001, 0x1234);
  EXPECT_EQ(b[0], 0x84000061u);
  EXPECT_EQ(b[1], 0u);
  EXPECT_EQ(b[2], 0x8001u);
  EXPECT_EQ(b[3], 0x1234u);
  for (size_t i = 4; i < b.size(); ++i) EXPECT_EQ(b[i], 0u) << "x" << i;
  const Regs c = success(1, 2, true);
  EXPECT_EQ(c[0], 0xC4000061u);
  EXPECT_EQ(c[2], 1u);
  EXPECT_EQ(c[3], 2u);
}

TEST(FfaErrors, RegsFillsX0ToX7AndZeroesX8ToX17) {
  const Regs r = regs(1, 2, 3, 4, 5, 6, 7, 8);
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(r[i], i + 1);
  for (size_t i = 8; i < 18; ++i) EXPECT_EQ(r[i], 0u);
  EXPECT_EQ(r.size(), 18u);
}

// ---------------------------------------------------------------------------------------------
// Section 1.6: which world may call what at the SPMD

void expect_route(const char* name, uint32_t fid_value, SpmdRoute route) {
  const auto a = decode(fid_value);
  ASSERT_TRUE(a.has_value()) << name << " " << hex(fid_value) << " is missing from the table";
  EXPECT_EQ(info(*a).spmd, route) << name;
}

TEST(FfaSpmdRoutes, NwdOnlyAbisAreMarkedNwdOnly) {
  expect_route("RX_RELEASE", 0x84000065, SpmdRoute::NwdOnly);
  expect_route("RXTX_MAP_32", 0x84000066, SpmdRoute::NwdOnly);
  expect_route("RXTX_MAP_64", 0xC4000066, SpmdRoute::NwdOnly);
  expect_route("RXTX_UNMAP", 0x84000067, SpmdRoute::NwdOnly);
  expect_route("PARTITION_INFO_GET", 0x84000068, SpmdRoute::NwdOnly);
  for (uint32_t f = 0x7D; f <= 0x83; ++f)
    expect_route("NOTIFICATION_*", 0x84000000u | f, SpmdRoute::NwdOnly);
  expect_route("NOTIFICATION_INFO_GET_64", 0xC4000083, SpmdRoute::NwdOnly);
  expect_route("MSG_SEND2", 0x84000086, SpmdRoute::NwdOnly);
  expect_route("RX_ACQUIRE", 0x84000084, SpmdRoute::NwdOnly);
  expect_route("RUN", 0x8400006D, SpmdRoute::NwdOnly);
}

TEST(FfaSpmdRoutes, NsResInfoGetIsNwdOnly) {
  expect_route("NS_RES_INFO_GET", 0xC400008F, SpmdRoute::NwdOnly);
}

TEST(FfaSpmdRoutes, SwdOnlyAbisAreMarkedSwdOnly) {
  expect_route("MSG_WAIT", 0x8400006B, SpmdRoute::SwdOnly);
  expect_route("INTERRUPT", 0x84000062, SpmdRoute::SwdOnly);
  expect_route("YIELD", 0x8400006C, SpmdRoute::SwdOnly);
  expect_route("EL3_INTR_HANDLE", 0x8400008C, SpmdRoute::SwdOnly);
  expect_route("NORMAL_WORLD_RESUME", 0x8400007C, SpmdRoute::SwdOnly);
}

TEST(FfaSpmdRoutes, AbortIsSwdOnly) {
  expect_route("ABORT_32", 0x84000090, SpmdRoute::SwdOnly);
  expect_route("ABORT_64", 0xC4000090, SpmdRoute::SwdOnly);
}

TEST(FfaSpmdRoutes, DirectMessagesMemAbisSuccessAndErrorAreForwardedBothWays) {
  for (uint32_t f : {0x8400006Fu, 0xC400006Fu, 0x84000070u, 0xC4000070u, 0xC400008Du, 0xC400008Eu})
    expect_route("direct message", f, SpmdRoute::Fwd);
  for (uint32_t f = 0x71; f <= 0x74; ++f) {
    expect_route("MEM_* 32", 0x84000000u | f, SpmdRoute::Fwd);
    expect_route("MEM_* 64", 0xC4000000u | f, SpmdRoute::Fwd);
  }
  for (uint32_t f = 0x75; f <= 0x7B; ++f) expect_route("MEM_*", 0x84000000u | f, SpmdRoute::Fwd);
  expect_route("SUCCESS_32", 0x84000061, SpmdRoute::Fwd);
  expect_route("SUCCESS_64", 0xC4000061, SpmdRoute::Fwd);
  expect_route("ERROR_32", 0x84000060, SpmdRoute::Fwd);
}

TEST(FfaSpmdRoutes, FeaturesFromTheNormalWorldIsForwardedToTheSpmc) {
  // Section 1.6: the SPMD answers FFA_FEATURES itself only from the secure side; section 2.2:
  // "NWd queries are forwarded to the SPMC".
  expect_route("FEATURES", 0x84000064, SpmdRoute::Fwd);
}

TEST(FfaSpmdRoutes, VersionIdGetSpmIdGetSecondaryEpRegisterAndConsoleLogAreHandledInTheSpmd) {
  expect_route("VERSION", 0x84000063, SpmdRoute::Local);
  expect_route("ID_GET", 0x84000069, SpmdRoute::Local);
  expect_route("SPM_ID_GET", 0x84000085, SpmdRoute::Local);
  expect_route("SECONDARY_EP_REGISTER", 0xC4000087, SpmdRoute::Local);
  expect_route("CONSOLE_LOG_32", 0x8400008A, SpmdRoute::Local);
  expect_route("CONSOLE_LOG_64", 0xC400008A, SpmdRoute::Local);
}

}  // namespace
}  // namespace ffasim::ffa
