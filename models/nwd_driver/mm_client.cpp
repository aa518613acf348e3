// The normal-world MM client: U-Boot's EFI variable service over FF-A
// (lib/efi_loader/efi_variable_tee.c: efi_init_variables, efi_get_variable_int,
// efi_set_variable_int, mm_communicate, ffa_mm_communicate, ffa_notify_mm_sp,
// ffa_discover_mm_sp_id) on drivers/firmware/arm-ffa. Protocol: models/ffa/mm_protocol.h.
//
// IMPLEMENTATION DEFINED here: U-Boot runs on one PE and puts the header at
// CONFIG_FFA_SHARED_MM_BUF_OFFSET (0) of CONFIG_FFA_SHARED_MM_BUF_ADDR. So that several PEs can
// call at once, PE p uses the slot at offset p x slot of the carve-out, slot = mm_shm_size /
// pe_count rounded down to 4 KiB, and that slot's size is its CONFIG_FFA_SHARED_MM_BUF_SIZE; the
// offset travels in x3 as in U-Boot. The local communication buffer (calloc in setup_mm_hdr) is
// host memory charged per byte (nwd.mm_insns_per_byte); the shared buffer is simulated memory.
// GetVariable is efi_get_variable_int with a NULL attributes pointer (no property query);
// SetVariable queries the variable's property first, as efi_set_variable_int does.
#include "models/nwd_driver/mm_client.h"

#include <cstdio>

#include "models/ffa/mm_protocol.h"
#include "models/nwd_driver/nwd_internal.h"
#include "sim/core/pe.h"

namespace ffasim::nwd {
namespace mm_client {

using ffa::Abi;
using ffa::fid;
namespace efi = ffa::efi;
namespace mm = ffa::mm;

int direct_req_errno(const sim::ArgRegs& r, bool smc64, uint64_t& data0) {
  if (r[0] == fid(Abi::SUCCESS)) return 0;  // "message sent with no response": data0 unchanged
  if (r[0] == fid(Abi::MSG_SEND_DIRECT_RESP, smc64)) {
    data0 = r[3];
    return 0;
  }
  switch (int32_t(uint32_t(r[2]))) {  // ffa_errno = res.a2, whatever x0 was
    case -1: return -kEOPNOTSUPP;
    case -2: return -kEINVAL;
    case -3: return -kENOMEM;
    case -4: return -kEBUSY;
    case -5: return -kEINTR;
    case -6: return -kEACCES;
    case -7: return -kEAGAIN;
    case -8: return -kECANCELED;
    default: return -kEINVAL;
  }
}

int mm_return_errno(int32_t sp_event_ret) {
  switch (sp_event_ret) {
    case mm::MM_SUCCESS: return 0;
    case mm::MM_NOT_SUPPORTED: return -kEINVAL;
    case mm::MM_INVALID_PARAMETER: return -kEPERM;
    case mm::MM_DENIED: return -kEACCES;
    case mm::MM_NO_MEMORY: return -kEBUSY;
    default: return -kEACCES;
  }
}

uint64_t errno_to_efi(int err) {
  switch (err) {
    case 0: return efi::EFI_SUCCESS;
    case -kEINVAL: return efi::EFI_DEVICE_ERROR;
    case -kEPERM: return efi::EFI_INVALID_PARAMETER;
    case -kEACCES: return efi::EFI_ACCESS_DENIED;
    case -kEBUSY: return efi::EFI_OUT_OF_RESOURCES;
    default: return efi::EFI_ACCESS_DENIED;
  }
}

uint64_t doorbell_status(const sim::ArgRegs& result, bool smc64, uint64_t sent_x3) {
  uint64_t data0 = sent_x3;
  int err = direct_req_errno(result, smc64, data0);
  if (err == 0) err = mm_return_errno(int32_t(uint32_t(data0)));  // sp_event_ret = msg.data0 (an int)
  return errno_to_efi(err);
}

}  // namespace mm_client

namespace detail {

using ffa::Abi;
using ffa::fid;
namespace efi = ffa::efi;
namespace mm = ffa::mm;

namespace {

uint64_t get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}
void put64(uint8_t* p, uint64_t v) { for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i)); }
void put32(uint8_t* p, uint32_t v) { for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i)); }

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

// The vendor GUID of the workload's variables: 6d6f6466-6661-7369-6d00-6d6d2d766172 (arbitrary).
constexpr uint8_t kVendorData4[8] = {0x6d, 0x00, 0x6d, 0x6d, 0x2d, 0x76, 0x61, 0x72};
constexpr mm::Guid kVendorGuid = mm::make_guid(0x6d6f6466, 0x6661, 0x7369, kVendorData4);

// The workload's variable names: "ffasim<index>" as UTF-16 with the NUL.
std::vector<uint8_t> variable_name(uint32_t index) {
  const std::string n = "ffasim" + std::to_string(index);
  std::vector<uint8_t> out(2 * (n.size() + 1), 0);
  for (size_t i = 0; i < n.size(); ++i) out[2 * i] = uint8_t(n[i]);
  return out;
}

// FNV-1a, to compare what was set with what is read back.
uint64_t checksum(const uint8_t* p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

}  // namespace

uint64_t NwdThread::mm_slot_size() const {
  return (k_.cfg.mm_shm_size / k_.cfg.pe_count) & ~uint64_t(0xFFF);
}

// setup_mm_hdr: a zeroed local buffer with both headers; the payload starts at mm::PAYLOAD.
std::vector<uint8_t> NwdThread::mm_setup_hdr(uint64_t payload_size, uint64_t function) {
  std::vector<uint8_t> buf(mm::PAYLOAD + payload_size, 0);
  std::copy(mm::VARIABLE_GUID.bytes, mm::VARIABLE_GUID.bytes + 16, buf.begin() + mm::HDR_GUID);
  put64(buf.data() + mm::HDR_MESSAGE_LEN, mm::MM_VARIABLE_COMMUNICATE_SIZE + payload_size);
  put64(buf.data() + mm::MM_COMMUNICATE_HEADER_SIZE + mm::VAR_FUNCTION, function);
  spend_insns(k_.t.mm_insns_per_byte * double(buf.size()));
  return buf;
}

// ffa_discover_mm_sp_id: FFA_PARTITION_INFO_GET with the MM service UUID; the first match.
Task<bool> NwdThread::mm_discover() {
  const auto w = mm::sp_uuid().words();
  const ArgRegs call = ffa::regs(fid(Abi::PARTITION_INFO_GET), w[0], w[1], w[2], w[3], 0);
  const ArgRegs r = co_await ffa_call(call);
  if (r[0] != fid(Abi::SUCCESS)) {
    error("ffa_discover_mm_sp_id", "no MM partition: " + describe_result(r) + " from FFA_PARTITION_INFO_GET(" +
                                       mm::sp_uuid().str() + ")");
    co_return false;
  }
  uint8_t d[2];
  const bool ok = uint32_t(r[2]) > 0 && pe().mem_read(k_.st.rx, d, sizeof d, sim::Security::NonSecure);
  const ArgRegs rel = ffa::regs(fid(Abi::RX_RELEASE));
  const ArgRegs rr = co_await ffa_call(rel);
  if (rr[0] == fid(Abi::ERROR)) error("ffa_rx_release", rel, rr);
  if (!ok) {
    error("ffa_discover_mm_sp_id", "FFA_PARTITION_INFO_GET returned no readable descriptor");
    co_return false;
  }
  k_.st.mm_id = uint16_t(d[0] | d[1] << 8);
  k_.st.mm_found = true;
  co_return true;
}

// efi_init_variables: discovery, then get_max_payload (with U-Boot's 2-byte EDK2 workaround).
Task<void> NwdThread::mm_init() {
  if (!co_await mm_discover()) co_return;
  std::vector<uint8_t> buf = mm_setup_hdr(mm::PAYLOAD_SIZE_SIZE, mm::FUNCTION_GET_PAYLOAD_SIZE);
  const uint64_t st = co_await mm_communicate(buf, mm::PAYLOAD_SIZE_SIZE);
  if (st != efi::EFI_SUCCESS) {
    error("efi_init_variables", "get_max_payload returned " + efi::status_name(st));
    co_return;
  }
  const uint64_t size = get64(buf.data() + mm::PAYLOAD);
  if (size < mm::MM_VARIABLE_ACCESS_HEADER_SIZE + 0x20) {
    error("efi_init_variables", "get_max_payload returned " + std::to_string(size) + " bytes (EFI_DEVICE_ERROR)");
    co_return;
  }
  k_.st.mm_max_payload = size - 2;
  k_.mm_ready = true;
}

// mm_communicate + ffa_mm_communicate: `buf` holds dsize payload bytes after both headers; the
// response is copied back into it. The EFI status of the transport, else the variable header's.
Task<uint64_t> NwdThread::mm_communicate(std::vector<uint8_t>& buf, uint64_t dsize) {
  dsize += mm::PAYLOAD;
  if (!k_.st.mm_found) {  // U-Boot discovers lazily (no co_await inside &&: see nwd_kernel.cpp)
    const bool found = co_await mm_discover();
    if (!found) co_return efi::EFI_UNSUPPORTED;
  }
  const uint64_t tx = get64(buf.data() + mm::HDR_MESSAGE_LEN) + mm::MM_COMMUNICATE_HEADER_SIZE;
  if (dsize != tx || tx > mm_slot_size() || tx > buf.size()) co_return efi::EFI_INVALID_PARAMETER;
  const uint64_t offset = uint64_t(index_) * mm_slot_size();
  const uint64_t shared = k_.cfg.mm_shm_base + offset;
  if (!pe().mem_write(shared, buf.data(), tx, sim::Security::NonSecure)) {
    error("mm_communicate", "the shared buffer at " + hex(shared) + " is not writable");
    co_return efi::EFI_DEVICE_ERROR;
  }
  spend_insns(k_.t.mm_cache_maintenance_insns);  // invalidate_dcache_all
  // ffa_notify_mm_sp: FFA_MSG_SEND_DIRECT_REQ_64, x3 = the buffer offset.
  const ArgRegs call = ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ, true), src_dst(k_.st.mm_id), 0, offset);
  const ArgRegs r = co_await direct_req(call);
  const uint64_t st = mm_client::doorbell_status(r, true, offset);
  if (st != efi::EFI_SUCCESS) co_return st;
  uint8_t hdr[mm::MM_COMMUNICATE_HEADER_SIZE];
  if (!pe().mem_read(shared, hdr, sizeof hdr, sim::Security::NonSecure)) co_return efi::EFI_DEVICE_ERROR;
  const uint64_t rx = get64(hdr + mm::HDR_MESSAGE_LEN) + mm::MM_COMMUNICATE_HEADER_SIZE;
  if (rx > dsize) co_return efi::EFI_OUT_OF_RESOURCES;  // never copy more than the caller's buffer
  std::copy(hdr, hdr + sizeof hdr, buf.begin());
  if (rx > sizeof hdr &&
      !pe().mem_read(shared + sizeof hdr, buf.data() + sizeof hdr, rx - sizeof hdr, sim::Security::NonSecure))
    co_return efi::EFI_DEVICE_ERROR;
  spend_insns(k_.t.mm_insns_per_byte * double(rx));
  co_return get64(buf.data() + mm::MM_COMMUNICATE_HEADER_SIZE + mm::VAR_RET_STATUS);
}

// efi_set_variable_int (ro_check off): the property query, then SET_VARIABLE.
Task<uint64_t> NwdThread::mm_set_variable(uint32_t index, uint32_t attr, const std::vector<uint8_t>& data) {
  spend_insns(k_.t.mm_call_insns);
  const std::vector<uint8_t> name = variable_name(index);
  const uint64_t payload = mm::MM_VARIABLE_ACCESS_HEADER_SIZE + name.size() + data.size();
  if (payload > k_.st.mm_max_payload) co_return efi::EFI_INVALID_PARAMETER;
  const uint64_t prop_payload = mm::MM_VARIABLE_PROPERTY_HEADER_SIZE + name.size();
  if (prop_payload > k_.st.mm_max_payload) co_return efi::EFI_INVALID_PARAMETER;
  std::vector<uint8_t> prop = mm_setup_hdr(prop_payload, mm::FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_GET);
  uint8_t* p = prop.data() + mm::PAYLOAD;
  std::copy(kVendorGuid.bytes, kVendorGuid.bytes + 16, p + mm::PROP_GUID);
  put64(p + mm::PROP_NAME_SIZE, name.size());
  std::copy(name.begin(), name.end(), p + mm::MM_VARIABLE_PROPERTY_HEADER_SIZE);
  uint64_t st = co_await mm_communicate(prop, prop_payload);
  if (st != efi::EFI_SUCCESS && st != efi::EFI_NOT_FOUND) co_return st;
  std::vector<uint8_t> buf = mm_setup_hdr(payload, mm::FUNCTION_SET_VARIABLE);
  uint8_t* a = buf.data() + mm::PAYLOAD;
  std::copy(kVendorGuid.bytes, kVendorGuid.bytes + 16, a + mm::ACC_GUID);
  put64(a + mm::ACC_DATA_SIZE, data.size());
  put64(a + mm::ACC_NAME_SIZE, name.size());
  put32(a + mm::ACC_ATTR, attr);
  std::copy(name.begin(), name.end(), a + mm::MM_VARIABLE_ACCESS_HEADER_SIZE);
  std::copy(data.begin(), data.end(), a + mm::MM_VARIABLE_ACCESS_HEADER_SIZE + name.size());
  st = co_await mm_communicate(buf, payload);
  co_return st;
}

// efi_get_variable_int with a NULL attributes pointer: `size` is the caller's buffer in, the
// variable's size out (on EFI_SUCCESS and EFI_BUFFER_TOO_SMALL); `data` gets the value.
Task<uint64_t> NwdThread::mm_get_variable(uint32_t index, uint64_t& size, std::vector<uint8_t>& data) {
  spend_insns(k_.t.mm_call_insns);
  const std::vector<uint8_t> name = variable_name(index);
  const uint64_t max = k_.st.mm_max_payload;
  if (name.size() > max - mm::MM_VARIABLE_ACCESS_HEADER_SIZE) co_return efi::EFI_INVALID_PARAMETER;
  uint64_t tmp = size;  // trim the output buffer to what one message can carry
  if (name.size() + tmp > max - mm::MM_VARIABLE_ACCESS_HEADER_SIZE) tmp = max - mm::MM_VARIABLE_ACCESS_HEADER_SIZE - name.size();
  const uint64_t payload = mm::MM_VARIABLE_ACCESS_HEADER_SIZE + name.size() + tmp;
  std::vector<uint8_t> buf = mm_setup_hdr(payload, mm::FUNCTION_GET_VARIABLE);
  uint8_t* a = buf.data() + mm::PAYLOAD;
  std::copy(kVendorGuid.bytes, kVendorGuid.bytes + 16, a + mm::ACC_GUID);
  put64(a + mm::ACC_DATA_SIZE, tmp);
  put64(a + mm::ACC_NAME_SIZE, name.size());
  std::copy(name.begin(), name.end(), a + mm::MM_VARIABLE_ACCESS_HEADER_SIZE);
  const uint64_t st = co_await mm_communicate(buf, payload);
  if (st == efi::EFI_SUCCESS || st == efi::EFI_BUFFER_TOO_SMALL) size = get64(buf.data() + mm::PAYLOAD + mm::ACC_DATA_SIZE);
  if (st != efi::EFI_SUCCESS) co_return st;
  const uint64_t at = mm::PAYLOAD + mm::MM_VARIABLE_ACCESS_HEADER_SIZE + get64(buf.data() + mm::PAYLOAD + mm::ACC_NAME_SIZE);
  if (at > buf.size() || size > buf.size() - at) co_return efi::EFI_DEVICE_ERROR;  // a response past its own length
  data.assign(buf.begin() + long(at), buf.begin() + long(at + size));
  spend_insns(k_.t.mm_insns_per_byte * double(size));
  co_return st;
}

// One mm_set_variable / mm_get_variable call of a workload item, as one tracer operation.
Task<bool> NwdThread::mm_item(const WorkloadItem& item, uint64_t n) {
  if (!k_.mm_ready) {
    error(item.kind, "the MM variable service was not initialised");
    co_return false;
  }
  const bool set = item.kind == "mm_set_variable";
  const uint32_t index = uint32_t(item_param(item, "index", 0));
  const uint64_t size = uint64_t(item_param(item, "size", 16));
  const uint64_t expect = uint64_t(item_param(item, "expect", 0));
  sim::Tracer* tr = k_.env.tracer;
  const int64_t op = tr ? tr->begin_operation(set ? k_.mm_set_key : k_.mm_get_key, 0, k_.st.mm_id, pe().id(),
                                              exact_now(), component, exact_now() - pe().now())
                        : -1;
  DriverState::MmCall rec{index_, item.kind, 0, size, 0};
  std::vector<uint8_t> data;
  if (set) {
    data.resize(size);
    for (uint64_t i = 0; i < size; ++i) data[i] = uint8_t(i + 31 * index + 7 * n + 101 * index_);
    rec.checksum = checksum(data.data(), data.size());
    rec.status = co_await mm_set_variable(index, uint32_t(item_param(item, "attributes", 7)), data);
  } else {
    uint64_t got = size;
    rec.status = co_await mm_get_variable(index, got, data);
    rec.data_size = got;
    rec.checksum = checksum(data.data(), data.size());
  }
  if (tr) tr->end_operation(op, pe().id(), exact_now(), rec.status, component, exact_now() - pe().now());
  const uint64_t want = expect ? efi::efi_error(expect) : efi::EFI_SUCCESS;
  if (rec.status != want)
    error(item.kind, "variable " + std::to_string(index) + ": " + efi::status_name(rec.status) + " (expected " +
                         efi::status_name(want) + ")");
  k_.st.mm_calls.push_back(rec);
  co_return rec.status == want;
}

}  // namespace detail
}  // namespace ffasim::nwd
