// MM communicate: the variable store on its own, U-Boot's FF-A/MM-to-EFI status mapping, the MM
// SP at the register level, and the U-Boot-like client end to end (round trips, a buffer too
// small, unknown GUIDs, concurrent SetVariable from two PEs, discovery at any partition ID, a bad
// MM manifest).
#include "tests/unit/stack_fixture.h"

#include <cstring>

#include "models/ffa/mm_protocol.h"
#include "models/nwd_driver/mm_client.h"
#include "models/sp_mm/variable_store.h"

namespace ffasim::testing {
namespace {

namespace mm = ffa::mm;
namespace efi = ffa::efi;
using sp::mm_store::VariableStoreState;

constexpr uint64_t kMmShm = 0x88100000;
const std::string kPlatforms = std::string(FFASIM_SOURCE_DIR) + "/scenarios/platforms/";

void put64(uint8_t* p, uint64_t v) { for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i)); }
uint64_t get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

std::vector<uint8_t> u16name(const std::string& s) {
  std::vector<uint8_t> out(2 * (s.size() + 1), 0);
  for (size_t i = 0; i < s.size(); ++i) out[2 * i] = uint8_t(s[i]);
  return out;
}

// A variable-protocol message (the bytes after the EFI_MM_COMMUNICATE_HEADER).
std::vector<uint8_t> access_msg(uint64_t function, const mm::Guid& g, const std::string& name, uint32_t attr,
                                uint64_t data_size, const std::vector<uint8_t>& data = {}) {
  const auto n = u16name(name);
  std::vector<uint8_t> m(mm::MM_VARIABLE_COMMUNICATE_SIZE + mm::MM_VARIABLE_ACCESS_HEADER_SIZE + n.size() + data_size, 0);
  put64(m.data() + mm::VAR_FUNCTION, function);
  uint8_t* a = m.data() + mm::MM_VARIABLE_COMMUNICATE_SIZE;
  std::memcpy(a + mm::ACC_GUID, g.bytes, 16);
  put64(a + mm::ACC_DATA_SIZE, data_size);
  put64(a + mm::ACC_NAME_SIZE, n.size());
  for (int i = 0; i < 4; ++i) a[mm::ACC_ATTR + i] = uint8_t(attr >> (8 * i));
  std::memcpy(a + mm::MM_VARIABLE_ACCESS_HEADER_SIZE, n.data(), n.size());
  if (!data.empty()) std::memcpy(a + mm::MM_VARIABLE_ACCESS_HEADER_SIZE + n.size(), data.data(), data.size());
  return m;
}

uint64_t status_of(const std::vector<uint8_t>& m) { return get64(m.data() + mm::VAR_RET_STATUS); }

VariableStoreState store(uint64_t capacity = 4096) {
  VariableStoreState s;
  s.capacity = capacity;
  s.max_variable_size = 1024;
  s.max_payload_size = 1024 + 36;
  return s;
}

uint64_t run(VariableStoreState& s, std::vector<uint8_t>& m) {
  sp::mm_store::Work w;
  EXPECT_EQ(sp::mm_store::handle_message(s, m, w), mm::MM_SUCCESS);
  return status_of(m);
}

constexpr uint32_t kNvBsRt = 7;

// --- the store and the SMM variable protocol -----------------------------------------------------

TEST(MmVariableStore, SetVariableThenGetVariableReturnsTheBytesTheAttributesAndTheSize) {
  VariableStoreState s = store();
  std::vector<uint8_t> data = {1, 2, 3, 4, 5};
  auto set = access_msg(mm::FUNCTION_SET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "Boot0001", kNvBsRt, 5, data);
  EXPECT_EQ(run(s, set), efi::EFI_SUCCESS);
  EXPECT_EQ(set.size(), mm::MM_VARIABLE_COMMUNICATE_SIZE);  // the response is the header alone
  EXPECT_EQ(s.used, 60u + 18u + 5u);                       // header + "Boot0001\0" + data
  auto get = access_msg(mm::FUNCTION_GET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "Boot0001", 0, 16);
  EXPECT_EQ(run(s, get), efi::EFI_SUCCESS);
  const uint8_t* a = get.data() + mm::MM_VARIABLE_COMMUNICATE_SIZE;
  EXPECT_EQ(get64(a + mm::ACC_DATA_SIZE), 5u);
  EXPECT_EQ(a[mm::ACC_ATTR], kNvBsRt);
  ASSERT_EQ(get.size(), 16u + 36u + 18u + 5u);
  EXPECT_EQ(std::vector<uint8_t>(get.end() - 5, get.end()), data);
}

TEST(MmVariableStore, GetVariableIntoASmallerBufferIsBufferTooSmallWithTheNeededSizeAndNoData) {
  VariableStoreState s = store();
  auto set = access_msg(mm::FUNCTION_SET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "Big", kNvBsRt, 100, std::vector<uint8_t>(100, 0xAB));
  ASSERT_EQ(run(s, set), efi::EFI_SUCCESS);
  auto get = access_msg(mm::FUNCTION_GET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "Big", 0, 99);
  EXPECT_EQ(run(s, get), efi::EFI_BUFFER_TOO_SMALL);
  EXPECT_EQ(get64(get.data() + 16 + mm::ACC_DATA_SIZE), 100u);
  EXPECT_EQ(get.size(), 16u + 36u + 8u);  // header, access header and "Big\0": never the 100 bytes
}

TEST(MmVariableStore, AVariableUnderAnotherVendorGuidIsNotFound) {
  VariableStoreState s = store();
  auto set = access_msg(mm::FUNCTION_SET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "X", kNvBsRt, 1, {9});
  ASSERT_EQ(run(s, set), efi::EFI_SUCCESS);
  auto get = access_msg(mm::FUNCTION_GET_VARIABLE, mm::VARIABLE_GUID, "X", 0, 1);
  EXPECT_EQ(run(s, get), efi::EFI_NOT_FOUND);
}

TEST(MmVariableStore, GetNextVariableNameWalksInCreationOrderThenIsNotFound) {
  VariableStoreState s = store();
  for (const char* n : {"B", "A"}) {
    auto set = access_msg(mm::FUNCTION_SET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, n, kNvBsRt, 1, {1});
    ASSERT_EQ(run(s, set), efi::EFI_SUCCESS);
  }
  auto next = [&](const std::string& cur, uint64_t buf) {
    std::vector<uint8_t> m(16 + 24 + buf, 0);
    put64(m.data() + mm::VAR_FUNCTION, mm::FUNCTION_GET_NEXT_VARIABLE_NAME);
    std::memcpy(m.data() + 16 + mm::NEXT_GUID, mm::GLOBAL_VARIABLE_GUID.bytes, 16);
    put64(m.data() + 16 + mm::NEXT_NAME_SIZE, buf);
    const auto n = u16name(cur);
    std::memcpy(m.data() + 40, n.data(), n.size());
    return m;
  };
  auto m1 = next("", 16);
  EXPECT_EQ(run(s, m1), efi::EFI_SUCCESS);
  EXPECT_EQ(get64(m1.data() + 16 + mm::NEXT_NAME_SIZE), 4u);
  EXPECT_EQ(m1[40], 'B');
  auto m2 = next("B", 16);
  EXPECT_EQ(run(s, m2), efi::EFI_SUCCESS);
  EXPECT_EQ(m2[40], 'A');
  auto m3 = next("A", 16);
  EXPECT_EQ(run(s, m3), efi::EFI_NOT_FOUND);
  auto small = next("", 2);  // room for the NUL only: "B\0" needs 4 bytes
  EXPECT_EQ(run(s, small), efi::EFI_BUFFER_TOO_SMALL);
  EXPECT_EQ(get64(small.data() + 16 + mm::NEXT_NAME_SIZE), 4u);
  auto unknown = next("Z", 16);
  EXPECT_EQ(run(s, unknown), efi::EFI_INVALID_PARAMETER);
}

TEST(MmVariableStore, SetVariableRulesDeleteAttributesSizeAndCapacity) {
  VariableStoreState s = store(200);
  auto set = access_msg(mm::FUNCTION_SET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "V", kNvBsRt, 4, {1, 2, 3, 4});
  ASSERT_EQ(run(s, set), efi::EFI_SUCCESS);
  auto other_attr = access_msg(mm::FUNCTION_SET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "V", 3, 1, {1});
  EXPECT_EQ(run(s, other_attr), efi::EFI_INVALID_PARAMETER);
  auto rt_only = access_msg(mm::FUNCTION_SET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "W", 5, 1, {1});
  EXPECT_EQ(run(s, rt_only), efi::EFI_INVALID_PARAMETER);
  auto full = access_msg(mm::FUNCTION_SET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "W", kNvBsRt, 100, std::vector<uint8_t>(100));
  EXPECT_EQ(run(s, full), efi::EFI_OUT_OF_RESOURCES);  // 60 + 4 + 100 more than 200 - 68 left
  auto append = access_msg(mm::FUNCTION_SET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "V", kNvBsRt | mm::EFI_VARIABLE_APPEND_WRITE, 2, {5, 6});
  EXPECT_EQ(run(s, append), efi::EFI_SUCCESS);
  ASSERT_EQ(s.variables.size(), 1u);
  EXPECT_EQ(s.variables[0].data, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
  auto del = access_msg(mm::FUNCTION_SET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "V", kNvBsRt, 0);
  EXPECT_EQ(run(s, del), efi::EFI_SUCCESS);
  EXPECT_EQ(s.used, 0u);
  auto del_again = access_msg(mm::FUNCTION_SET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "V", kNvBsRt, 0);
  EXPECT_EQ(run(s, del_again), efi::EFI_NOT_FOUND);
}

TEST(MmVariableStore, QueryVariableInfoReportsTheCapacityWhatIsLeftAndTheLargestVariable) {
  VariableStoreState s = store(4096);
  auto set = access_msg(mm::FUNCTION_SET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "Q", kNvBsRt, 10, std::vector<uint8_t>(10));
  ASSERT_EQ(run(s, set), efi::EFI_SUCCESS);
  std::vector<uint8_t> q(16 + mm::QUERY_INFO_SIZE, 0);
  put64(q.data() + mm::VAR_FUNCTION, mm::FUNCTION_QUERY_VARIABLE_INFO);
  q[16 + mm::QUERY_ATTR] = kNvBsRt;
  EXPECT_EQ(run(s, q), efi::EFI_SUCCESS);
  EXPECT_EQ(get64(q.data() + 16 + mm::QUERY_MAX_STORAGE), 4096u);
  EXPECT_EQ(get64(q.data() + 16 + mm::QUERY_REMAINING), 4096u - (60 + 4 + 10));
  EXPECT_EQ(get64(q.data() + 16 + mm::QUERY_MAX_VARIABLE), 1024u);
}

TEST(MmVariableStore, AnUnknownFunctionIsUnsupportedAndANameWithoutItsNulIsAccessDenied) {
  VariableStoreState s = store();
  std::vector<uint8_t> m(16, 0);
  put64(m.data(), 99);
  EXPECT_EQ(run(s, m), efi::EFI_UNSUPPORTED);
  auto bad = access_msg(mm::FUNCTION_GET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "AB", 0, 0);
  put64(bad.data() + 16 + mm::ACC_NAME_SIZE, 4);  // "AB" without its NUL
  EXPECT_EQ(run(s, bad), efi::EFI_ACCESS_DENIED);
}

// --- U-Boot's status mapping ------------------------------------------------------------------------

TEST(MmClientMapping, EachFfaErrorOfTheDoorbellGivesTheEfiStatusUbootGives) {
  const std::pair<ffa::Error, uint64_t> table[] = {
      {ffa::Error::NOT_SUPPORTED, efi::EFI_ACCESS_DENIED},      // -EOPNOTSUPP: default
      {ffa::Error::INVALID_PARAMETERS, efi::EFI_DEVICE_ERROR},  // -EINVAL
      {ffa::Error::NO_MEMORY, efi::EFI_ACCESS_DENIED},          // -ENOMEM: default
      {ffa::Error::BUSY, efi::EFI_OUT_OF_RESOURCES},            // -EBUSY
      {ffa::Error::INTERRUPTED, efi::EFI_ACCESS_DENIED},        // -EINTR: default
      {ffa::Error::DENIED, efi::EFI_ACCESS_DENIED},             // -EACCES
      {ffa::Error::RETRY, efi::EFI_ACCESS_DENIED},              // -EAGAIN: default
      {ffa::Error::ABORTED, efi::EFI_ACCESS_DENIED},            // -ECANCELED: default
      {ffa::Error::NO_DATA, efi::EFI_DEVICE_ERROR},             // outside U-Boot's table: -EINVAL
  };
  for (auto [e, want] : table)
    EXPECT_EQ(nwd::mm_client::doorbell_status(ffa::error(e), true, 0), want) << ffa::error_name(e);
}

TEST(MmClientMapping, EachMmReturnCodeGivesTheEfiStatusUbootGives) {
  const std::pair<int32_t, uint64_t> table[] = {
      {mm::MM_SUCCESS, efi::EFI_SUCCESS},
      {mm::MM_NOT_SUPPORTED, efi::EFI_DEVICE_ERROR},         // -EINVAL
      {mm::MM_INVALID_PARAMETER, efi::EFI_INVALID_PARAMETER},  // -EPERM
      {mm::MM_DENIED, efi::EFI_ACCESS_DENIED},               // -EACCES
      {mm::MM_NO_MEMORY, efi::EFI_OUT_OF_RESOURCES},         // -EBUSY
      {-4, efi::EFI_ACCESS_DENIED},                          // not an MM code: default
  };
  for (auto [code, want] : table) {
    const Regs resp = R(0xC4000070, 0x80030000, 0, uint64_t(int64_t(code)));  // DIRECT_RESP_64
    EXPECT_EQ(nwd::mm_client::doorbell_status(resp, true, 0), want) << code;
  }
}

TEST(MmClientMapping, ASuccessWithoutResponseKeepsTheOffsetAndAWrongWidthResponseIsAnError) {
  // FFA_SUCCESS_32: msg.data0 keeps the offset sent, read back as the MM code (0 is MM_SUCCESS).
  EXPECT_EQ(nwd::mm_client::doorbell_status(R(kSuccess32), true, 0), efi::EFI_SUCCESS);
  EXPECT_EQ(nwd::mm_client::doorbell_status(R(kSuccess32), true, 0x2000), efi::EFI_ACCESS_DENIED);
  // DIRECT_RESP_32 to a 64-bit request: not resp_mode, so ffa_errno = w2 = 0 -> -EINVAL.
  EXPECT_EQ(nwd::mm_client::doorbell_status(R(0x84000070, 0x80030000, 0, 0), true, 0), efi::EFI_DEVICE_ERROR);
}

// --- the MM SP at the register level ----------------------------------------------------------------

ScenarioConfig mm_only_bare() {
  ScenarioConfig c = bare_platform(2);
  c.partitions.push_back({kPlatforms + "mm_sp_manifest.dts", "mm", {}});
  return c;
}

std::vector<uint8_t> comm_header(const mm::Guid& g, uint64_t len) {
  std::vector<uint8_t> h(24, 0);
  std::memcpy(h.data(), g.bytes, 16);
  put64(h.data() + 16, len);
  return h;
}

TEST(MmSp, GetPayloadSizeIsAnsweredInTheBufferWithMmSuccessInX3) {
  Stack s(mm_only_bare());
  auto buf = comm_header(mm::VARIABLE_GUID, 16 + 8);
  buf.resize(24 + 16 + 8, 0);
  put64(buf.data() + 24 + mm::VAR_FUNCTION, mm::FUNCTION_GET_PAYLOAD_SIZE);
  ASSERT_TRUE(s.write(kMmShm, buf, false));
  const Regs r = nwd_call(s, R(0xC400006F, 0x8001, 0, 0));  // DIRECT_REQ_64, x3 = offset 0
  EXPECT_TRUE(regs_eq(R(0xC4000070, 0x80010000, 0, 0), r));
  std::vector<uint8_t> out;
  ASSERT_TRUE(s.read(kMmShm, 48, false, out));
  EXPECT_EQ(get64(out.data() + 16), 24u);                // MessageLength of the response
  EXPECT_EQ(get64(out.data() + 24 + 8), efi::EFI_SUCCESS);
  EXPECT_EQ(get64(out.data() + 40), 32768u + 36u);       // max_variable_size + access header
}

TEST(MmSp, AnUnknownHeaderGuidIsMmNotSupportedAndLeavesTheBufferAlone) {
  Stack s(mm_only_bare());
  auto buf = comm_header(mm::GLOBAL_VARIABLE_GUID, 16);
  buf.resize(24 + 16, 0);
  ASSERT_TRUE(s.write(kMmShm + 0x1000, buf, false));
  const Regs r = nwd_call(s, R(0xC400006F, 0x8001, 0, 0x1000));
  EXPECT_TRUE(regs_eq(R(0xC4000070, 0x80010000, 0, 0xFFFFFFFFFFFFFFFFull), r));  // MM_NOT_SUPPORTED
  std::vector<uint8_t> out;
  ASSERT_TRUE(s.read(kMmShm + 0x1000, 40, false, out));
  EXPECT_EQ(out, buf);
}

TEST(MmSp, AHeaderOrAMessagePastTheCarveOutIsMmInvalidParameter) {
  Stack s(mm_only_bare());
  const uint64_t size = 0x40000;
  Regs r = nwd_call(s, R(0xC400006F, 0x8001, 0, size - 8));  // the 24-byte header does not fit
  EXPECT_TRUE(regs_eq(R(0xC4000070, 0x80010000, 0, 0xFFFFFFFFFFFFFFFEull), r));
  ASSERT_TRUE(s.write(kMmShm + size - 64, comm_header(mm::VARIABLE_GUID, 41), false));  // 24 + 41 > 64
  r = nwd_call(s, R(0xC400006F, 0x8001, 0, size - 64));
  EXPECT_TRUE(regs_eq(R(0xC4000070, 0x80010000, 0, 0xFFFFFFFFFFFFFFFEull), r));
  // A 32-bit request gets the 32-bit code.
  r = nwd_call(s, R(0x8400006F, 0x8001, 0, uint32_t(size - 8)));
  EXPECT_TRUE(regs_eq(R(0x84000070, 0x80010000, 0, 0xFFFFFFFEu), r));
}

// One MM communicate round trip from the host: the message at offset 0 of the carve-out, the
// doorbell from PE 0, the response message read back. Returns x3 of the answer.
uint64_t round_trip(Stack& s, std::vector<uint8_t>& msg) {
  auto buf = comm_header(mm::VARIABLE_GUID, msg.size());
  buf.insert(buf.end(), msg.begin(), msg.end());
  EXPECT_TRUE(s.write(kMmShm, buf, false));
  const Regs r = nwd_call(s, R(0xC400006F, 0x8001, 0, 0));
  EXPECT_EQ(r[0], 0xC4000070u);
  std::vector<uint8_t> hdr;
  EXPECT_TRUE(s.read(kMmShm, 24, false, hdr));
  EXPECT_TRUE(s.read(kMmShm + 24, get64(hdr.data() + 16), false, msg));
  return r[3];
}

TEST(MmSp, EachVariableOperationRoundTripsThroughTheCarveOut) {
  Stack s(mm_only_bare());
  auto set = access_msg(mm::FUNCTION_SET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "Boot0000", kNvBsRt, 3, {7, 8, 9});
  EXPECT_EQ(round_trip(s, set), 0u);
  EXPECT_EQ(set.size(), 16u);
  EXPECT_EQ(status_of(set), efi::EFI_SUCCESS);
  auto get = access_msg(mm::FUNCTION_GET_VARIABLE, mm::GLOBAL_VARIABLE_GUID, "Boot0000", 0, 8);
  EXPECT_EQ(round_trip(s, get), 0u);
  EXPECT_EQ(status_of(get), efi::EFI_SUCCESS);
  ASSERT_EQ(get.size(), 16u + 36u + 18u + 3u);
  EXPECT_EQ(get64(get.data() + 16 + mm::ACC_DATA_SIZE), 3u);
  EXPECT_EQ(std::vector<uint8_t>(get.end() - 3, get.end()), (std::vector<uint8_t>{7, 8, 9}));
  std::vector<uint8_t> next(16 + 24 + 32, 0);
  put64(next.data() + mm::VAR_FUNCTION, mm::FUNCTION_GET_NEXT_VARIABLE_NAME);
  put64(next.data() + 16 + mm::NEXT_NAME_SIZE, 32);
  EXPECT_EQ(round_trip(s, next), 0u);
  EXPECT_EQ(status_of(next), efi::EFI_SUCCESS);
  EXPECT_EQ(get64(next.data() + 16 + mm::NEXT_NAME_SIZE), 18u);
  EXPECT_EQ(0, std::memcmp(next.data() + 16 + mm::NEXT_GUID, mm::GLOBAL_VARIABLE_GUID.bytes, 16));
  EXPECT_EQ(std::vector<uint8_t>(next.begin() + 40, next.end()), u16name("Boot0000"));
  std::vector<uint8_t> query(16 + mm::QUERY_INFO_SIZE, 0);
  put64(query.data() + mm::VAR_FUNCTION, mm::FUNCTION_QUERY_VARIABLE_INFO);
  query[16 + mm::QUERY_ATTR] = kNvBsRt;
  EXPECT_EQ(round_trip(s, query), 0u);
  EXPECT_EQ(status_of(query), efi::EFI_SUCCESS);
  EXPECT_EQ(get64(query.data() + 16 + mm::QUERY_MAX_STORAGE), 65536u);
  EXPECT_EQ(get64(query.data() + 16 + mm::QUERY_REMAINING), 65536u - (60 + 18 + 3));
  EXPECT_EQ(get64(query.data() + 16 + mm::QUERY_MAX_VARIABLE), 32768u);
}

// --- the client end to end ------------------------------------------------------------------------

nwd::WorkloadItem item(const std::string& kind, std::vector<unsigned> pes, std::map<std::string, double> params) {
  nwd::WorkloadItem w;
  w.kind = kind;
  w.pes = std::move(pes);
  w.count = 1;
  w.params = std::move(params);
  return w;
}

ScenarioConfig with_mm(unsigned pes) {
  ScenarioConfig c;
  c.pe_count = pes;
  c.partitions.push_back({kPlatforms + "fvp_optee_sp_manifest.dts", "optee", {{"threads", "8"}}});
  c.partitions.push_back({kPlatforms + "fvp_test_sp_manifest.dts", "test", {}});
  c.partitions.push_back({kPlatforms + "mm_sp_manifest.dts", "mm", {}});
  return c;
}

std::string all(const std::vector<std::string>& v) {
  std::string s;
  for (auto& e : v) s += e + "\n";
  return s;
}

TEST(MmClient, SetVariableThenGetVariableRoundTripsTheDataThroughTheMmSpAt0x8003) {
  ScenarioConfig c = with_mm(1);
  c.workload.push_back(item("mm_set_variable", {0}, {{"index", 1}, {"size", 100}}));
  c.workload.push_back(item("mm_get_variable", {0}, {{"index", 1}, {"size", 100}}));
  Stack s(c);
  EXPECT_TRUE(s.errors().empty()) << all(s.errors());
  const auto& d = s.driver();
  EXPECT_TRUE(d.mm_found);
  EXPECT_EQ(d.mm_id, 0x8003u);
  EXPECT_EQ(d.mm_max_payload, 32768u + 36u - 2u);  // get_max_payload minus U-Boot's 2 bytes
  ASSERT_EQ(d.mm_calls.size(), 2u);
  EXPECT_EQ(d.mm_calls[0].status, efi::EFI_SUCCESS);
  EXPECT_EQ(d.mm_calls[1].status, efi::EFI_SUCCESS);
  EXPECT_EQ(d.mm_calls[1].data_size, 100u);
  EXPECT_EQ(d.mm_calls[1].checksum, d.mm_calls[0].checksum);
  bool set_row = false, get_row = false;
  for (auto& r : s.results()) {
    set_row = set_row || (r.abi == "mm.set_variable" && r.count == 1 && r.callee == "sp:8003 mm-sp");
    get_row = get_row || (r.abi == "mm.get_variable" && r.count == 1);
  }
  EXPECT_TRUE(set_row && get_row);
}

TEST(MmClient, AGetVariableIntoASmallerBufferIsBufferTooSmallAndReportsTheSizeNeeded) {
  ScenarioConfig c = with_mm(1);
  c.workload.push_back(item("mm_set_variable", {0}, {{"index", 2}, {"size", 4096}}));
  c.workload.push_back(item("mm_get_variable", {0}, {{"index", 2}, {"size", 1000}, {"expect", 5}}));
  Stack s(c);
  EXPECT_TRUE(s.errors().empty()) << all(s.errors());
  ASSERT_EQ(s.driver().mm_calls.size(), 2u);
  EXPECT_EQ(s.driver().mm_calls[1].status, efi::EFI_BUFFER_TOO_SMALL);
  EXPECT_EQ(s.driver().mm_calls[1].data_size, 4096u);
  EXPECT_EQ(s.driver().mm_calls[1].checksum, 0xcbf29ce484222325ull);  // FNV-1a of no bytes: nothing copied
}

TEST(MmClient, AVariableNeverSetIsNotFoundAndAnUnexpectedStatusIsOneErrorLine) {
  ScenarioConfig c = with_mm(1);
  c.workload.push_back(item("mm_get_variable", {0}, {{"index", 7}, {"expect", 14}}));
  c.workload.push_back(item("mm_get_variable", {0}, {{"index", 8}}));
  Stack s(c);
  ASSERT_EQ(s.driver().mm_calls.size(), 2u);
  EXPECT_EQ(s.driver().mm_calls[0].status, efi::EFI_NOT_FOUND);
  EXPECT_EQ(s.errors(), std::vector<std::string>{
                            "PE0: mm_get_variable: variable 8: EFI_NOT_FOUND (expected EFI_SUCCESS)"});
}

TEST(MmClient, ConcurrentSetVariableFromTwoPesBothLandAndTheirCommitsDoNotOverlap) {
  ScenarioConfig c = with_mm(3);
  c.keep_spans = true;
  c.overrides.push_back({"mm_sp.commit_ns", 1e6});  // 1 ms: far longer than any start skew
  c.workload.push_back(item("mm_set_variable", {0, 1}, {{"index", 0}, {"size", 64}}));
  c.workload.push_back(item("mm_get_variable", {2}, {{"index", 0}, {"size", 64}, {"think_cycles", 1e7}}));
  Stack s(c);
  EXPECT_TRUE(s.errors().empty()) << all(s.errors());
  const auto& calls = s.driver().mm_calls;
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].op, "mm_set_variable");
  EXPECT_EQ(calls[1].op, "mm_set_variable");
  EXPECT_NE(calls[0].pe, calls[1].pe);
  EXPECT_NE(calls[0].checksum, calls[1].checksum);  // each PE wrote its own bytes
  EXPECT_EQ(calls[2].op, "mm_get_variable");
  EXPECT_EQ(calls[2].status, efi::EFI_SUCCESS);
  EXPECT_EQ(calls[2].checksum, calls[1].checksum);  // the write that finished last is what is stored
  std::vector<double> ends;
  for (auto& sp : s.spans())
    if (sp.abi == "mm.set_variable") ends.push_back(sp.end_ns);
  ASSERT_EQ(ends.size(), 2u);
  const double gap = std::abs(ends[1] - ends[0]);
  // Serialised: the second commit (1 ms + 5 ns/byte) starts when the first ends.
  EXPECT_GE(gap, 1e6);
  EXPECT_LT(gap, 1.01e6);
}

TEST(MmClient, AUpMmSpBusyOnAnotherPeGivesTheSecondCallerEfiOutOfResources) {
  // One execution context (as smm-gateway on Corstone-1000): while PE0's SetVariable commits,
  // PE1's doorbell finds the vCPU running and the SPMC answers FFA_BUSY, which U-Boot maps to
  // -EBUSY, then EFI_OUT_OF_RESOURCES.
  ScenarioConfig c;
  c.pe_count = 2;
  c.overrides.push_back({"mm_sp.commit_ns", 1e6});
  c.partitions.push_back({std::string(FFASIM_SOURCE_DIR) + "/tests/data/manifests/mm_sp_up.dts", "mm", {}});
  c.workload.push_back(item("mm_set_variable", {0}, {{"index", 0}, {"size", 64}}));
  c.workload.push_back(item("mm_set_variable", {1}, {{"index", 1}, {"size", 64}, {"expect", 9}}));
  Stack s(c);
  EXPECT_TRUE(s.errors().empty()) << all(s.errors());
  const auto& calls = s.driver().mm_calls;
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].pe, 1u);
  EXPECT_EQ(calls[0].status, efi::EFI_OUT_OF_RESOURCES);
  EXPECT_EQ(calls[1].pe, 0u);
  EXPECT_EQ(calls[1].status, efi::EFI_SUCCESS);
}

TEST(MmClient, DiscoveryFindsTheMmSpByUuidWhateverPartitionIdItHas) {
  ScenarioConfig c;
  c.pe_count = 1;
  c.partitions.push_back({kPlatforms + "mm_sp_manifest.dts", "mm", {}});
  c.workload.push_back(item("mm_set_variable", {0}, {{"index", 3}, {"size", 16}}));
  Stack s(c);
  EXPECT_TRUE(s.errors().empty()) << all(s.errors());
  EXPECT_EQ(s.driver().mm_id, 0x8001u);
  ASSERT_EQ(s.driver().mm_calls.size(), 1u);
  EXPECT_EQ(s.driver().mm_calls[0].status, efi::EFI_SUCCESS);
}

TEST(MmClient, WithoutAnMmPartitionDiscoveryFailsWithOneLineAndNoCallIsMade) {
  ScenarioConfig c;
  c.pe_count = 1;
  c.workload.push_back(item("mm_set_variable", {0}, {{"index", 0}}));
  Stack s(c);
  EXPECT_EQ(s.errors(), (std::vector<std::string>{
                            "PE0: ffa_discover_mm_sp_id: no MM partition: FFA_ERROR FFA_INVALID_PARAMETERS from "
                            "FFA_PARTITION_INFO_GET(33d532ed-0942-e699-722d-c09ca798d9cd)",
                            "PE0: mm_set_variable: the MM variable service was not initialised"}));
  EXPECT_TRUE(s.driver().mm_calls.empty());
}

TEST(MmClient, AManifestWithoutTheMmServiceUuidIsOneClearLine) {
  ScenarioConfig c;
  c.pe_count = 1;
  const std::string m = std::string(FFASIM_SOURCE_DIR) + "/tests/data/manifests/mm_wrong_uuid.dts";
  c.partitions.push_back({m, "mm", {}});
  try {
    Stack s(c);
    FAIL() << "the stack accepted an MM partition without the MM service UUID";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              m + ": uuid: an MM partition needs the MM service UUID 33d532ed-0942-e699-722d-c09ca798d9cd "
                  "(uuid = <0xed32d533 0x99e64209 0x9cc02d72 0xcdd998a7>), got 486178e0-e7f8-11e3-bc5e-0002a5d5c51b");
  }
}

}  // namespace
}  // namespace ffasim::testing
