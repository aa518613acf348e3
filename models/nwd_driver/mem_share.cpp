// The mem_share workload: Linux arm_ffa's memory operations (drivers/firmware/arm_ffa/driver.c
// ffa_memory_share / ffa_memory_lend -> ffa_setup_and_transmit, ffa_memory_reclaim) around a
// borrower that is the scriptable test SP (it retrieves and relinquishes on command). Facts:
// ../shared/reference/ffa-abi.md section 4.
//
// Per call: the transaction descriptor (v1.1 layout for a v1.1+ driver, else v1.0) is written
// into the TX buffer as far as it goes, whole constituents per fragment, and sent with
// FFA_MEM_SHARE/LEND/DONATE_32; the rest follows with FFA_MEM_FRAG_TX (operation "mem.send"
// covers them all). Then the target retrieves (test SP CMD_MEM_RETRIEVE, its own operation
// "mem.retrieve"), relinquishes (CMD_MEM_RELINQUISH, "mem.relinquish") and the driver reclaims
// (FFA_MEM_RECLAIM, "mem.reclaim"). A DONATE ends with the retrieve: the pages now belong to the
// SP, so every call donates fresh pages.
// Pages: one constituent of `pages` pages (contiguous), or `pages` single-page constituents one
// page apart (scattered). Not charged: building the descriptor (Linux's scatterlist walk).
#include <cstdio>

#include "models/ffa/mem_descriptors.h"
#include "models/ffa/test_sp_protocol.h"
#include "models/nwd_driver/nwd_internal.h"
#include "sim/core/memory.h"
#include "sim/core/pe.h"

namespace ffasim::nwd::detail {

using ffa::Abi;
using ffa::fid;
namespace mem = ffa::mem;

namespace {
std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}
}  // namespace

// The NS memory one call gives away: allocated once per item (per call for DONATE).
uint64_t NwdThread::mem_share_buffer(const WorkloadItem& item, uint64_t bytes, bool fresh) {
  if (!fresh && &item == share_item_) return share_base_;
  share_item_ = &item;
  share_base_ = k_.env.memory->allocate(bytes, 0x200000, sim::Security::NonSecure, "nwd mem_share");
  return share_base_;
}

Task<bool> NwdThread::mem_share(const WorkloadItem& item) {
  const uint32_t pages = uint32_t(item_param(item, "pages", 1));
  const bool scattered = item_param(item, "constituents", 0) != 0;
  const auto type = mem::Transaction(1 + uint32_t(item_param(item, "op", 0)));
  const uint16_t target = uint16_t(item_param(item, "target", 0));
  const uint64_t base = mem_share_buffer(item, uint64_t(pages) * (scattered ? 2 : 1) * mem::kPageSize,
                                         type == mem::Transaction::Donate);
  if (!base) {
    error("mem_share", "no non-secure memory for " + std::to_string(pages) + " pages");
    co_return false;
  }
  mem::Descriptor d;
  d.sender = ffa::EndpointId(own_id());
  d.attributes = type == mem::Transaction::Share ? mem::attr::kNormalWbInner : 0;
  d.receivers = {mem::Emad{ffa::EndpointId(target), type == mem::Transaction::Donate ? uint8_t(0) : mem::perm::kRW}};
  std::vector<mem::Constituent> c;
  if (scattered)
    for (uint32_t i = 0; i < pages; ++i) c.push_back({base + 2ull * i * mem::kPageSize, 1});
  else
    c.push_back({base, pages});
  mem::set_constituents(d, std::move(c));
  const mem::Layout layout = k_.st.ffa_version >= ffa::kV1_1.raw() ? mem::Layout::V1_1 : mem::Layout::V1_0;
  const std::vector<uint8_t> bytes = mem::build_transaction(d, layout);
  const uint64_t handle = co_await mem_send(type, bytes, mem::composite_offset(d, layout) + mem::kCompositeSize);
  if (handle == mem::kInvalidHandle) co_return false;

  ArgRegs call = ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ, true), src_dst(target), 0, ffa::test_sp::CMD_MEM_RETRIEVE,
                           handle, uint64_t(type), own_id());
  ArgRegs r = co_await direct_req(call);
  if (r[0] != fid(Abi::MSG_SEND_DIRECT_RESP, true) || r[3] != ffa::test_sp::STATUS_OK) {
    error("mem_share: retrieve", call, r);
    co_return false;
  }
  if (type == mem::Transaction::Donate) co_return true;
  call = ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ, true), src_dst(target), 0, ffa::test_sp::CMD_MEM_RELINQUISH, handle);
  r = co_await direct_req(call);
  if (r[0] != fid(Abi::MSG_SEND_DIRECT_RESP, true) || r[3] != ffa::test_sp::STATUS_OK) {
    error("mem_share: relinquish", call, r);
    co_return false;
  }
  sim::Tracer* tr = k_.env.tracer;
  const int64_t op = tr ? tr->begin_operation(tr->operation_key("mem.reclaim"), 0, -1, pe().id(), exact_now(),
                                              component, exact_now() - pe().now())
                        : -1;
  call = ffa::regs(fid(Abi::MEM_RECLAIM), uint32_t(handle), uint32_t(handle >> 32), 0);
  r = co_await ffa_call(call);
  if (tr) tr->end_operation(op, pe().id(), exact_now(), r[0], component, exact_now() - pe().now());
  if (r[0] != fid(Abi::SUCCESS)) {
    error("mem_share: reclaim", call, r);
    co_return false;
  }
  co_return true;
}

// ffa_setup_and_transmit: the first fragment with FFA_MEM_SHARE/LEND/DONATE, the others with
// FFA_MEM_FRAG_TX, each as many whole constituents as the TX buffer holds. Returns the handle, or
// kInvalidHandle after an error line.
Task<uint64_t> NwdThread::mem_send(ffa::mem::Transaction type, const std::vector<uint8_t>& bytes, uint32_t head) {
  const Abi abi = type == mem::Transaction::Share ? Abi::MEM_SHARE
                  : type == mem::Transaction::Lend ? Abi::MEM_LEND
                                                   : Abi::MEM_DONATE;
  const uint32_t room = uint32_t(k_.st.rxtx_pages) * mem::kPageSize;
  const uint32_t total = uint32_t(bytes.size());
  sim::Tracer* tr = k_.env.tracer;
  const int64_t op = tr ? tr->begin_operation(tr->operation_key("mem.send"), 0, -1, pe().id(), exact_now(), component,
                                              exact_now() - pe().now())
                        : -1;
  uint32_t sent = 0;
  uint64_t handle = mem::kInvalidHandle;
  ArgRegs call, r;
  for (bool first = true; sent < total; first = false) {
    const uint32_t start = first ? 0 : sent;
    uint32_t len = total - start;
    if (len > room) len = first ? head + (room - head) / mem::kConstituentSize * mem::kConstituentSize
                                : room / mem::kConstituentSize * mem::kConstituentSize;
    if (!pe().mem_write(k_.st.tx, bytes.data() + start, len, sim::Security::NonSecure)) {
      error("mem_share", "the TX buffer at " + hex(k_.st.tx) + " is not writable");
      break;
    }
    call = first ? ffa::regs(fid(abi), total, len, 0, 0)
                 : ffa::regs(fid(Abi::MEM_FRAG_TX), uint32_t(handle), uint32_t(handle >> 32), len, 0);
    r = co_await ffa_call(call);
    sent = start + len;
    if (r[0] == fid(Abi::MEM_FRAG_RX) && sent < total) {
      handle = uint32_t(r[1]) | uint64_t(uint32_t(r[2])) << 32;
      continue;
    }
    if (r[0] == fid(Abi::SUCCESS) && sent == total) handle = uint32_t(r[2]) | uint64_t(uint32_t(r[3])) << 32;
    else {
      error("mem_share: send", call, r);
      handle = mem::kInvalidHandle;
    }
    break;
  }
  if (tr) tr->end_operation(op, pe().id(), exact_now(), r[0], component, exact_now() - pe().now());
  co_return handle;
}

}  // namespace ffasim::nwd::detail
