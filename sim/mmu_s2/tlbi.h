// TLB maintenance instructions: decoding an instruction, its Xt and the issuing PE's registers
// into the TlbiScope of the entries it removes (s3.10 of ../shared/reference/armv8-gicv3-mmu.md).
//
// Use from the ISS or a firmware model:
//   auto d = decode_tlbi({TlbiOp::IPAS2E1, /*inner_shareable=*/true, xt}, regs, El::EL2);
//   if (!d) -> UNDEFINED at this EL
//   domain.invalidate(pe_id, d->scope, d->broadcast);   // every PE's TLB when broadcast
//   pe.charge(tlbi_cost(d->broadcast, timing, period_ps));
// Completion is immediate in the model; real software follows with DSB (ISH) and ISB.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/core/types.h"
#include "sim/mmu_s2/regs.h"
#include "sim/mmu_s2/tlb.h"

namespace ffasim::sim::mmu {

enum class TlbiOp : uint8_t {
#define FFASIM_TLBI(op, min_el, doc) op,
#include "sim/mmu_s2/tlbi_ops.def"
#undef FFASIM_TLBI
};
const char* name(TlbiOp op);  // "IPAS2E1"
std::optional<TlbiOp> tlbi_op_from_name(std::string_view name);
El lowest_el(TlbiOp op);

struct TlbiRequest {
  TlbiOp op = TlbiOp::VMALLE1;
  bool inner_shareable = false;  // the ...IS form
  uint64_t xt = 0;
};

struct TlbiDecoded {
  TlbiScope scope;
  bool broadcast = false;  // IS form, or an EL1 TLBI upgraded by HCR_EL2.FB
};

// The scope of `req` executed at `el` with registers `r`; nullopt when it is UNDEFINED at `el`.
// Rules: *E1 forms act on the security state of EL1 (at EL3: SCR_EL3.NS) and the current VMID
// (VTTBR_EL2.VMID when EL2 is enabled there, else 0); at EL2 with HCR_EL2.{E2H,TGE} = {1,1}
// they act on EL2&0 instead. VA = Xt[43:0] << 12 sign-extended from bit 55; ASID = Xt[63:48]
// (8 bits unless TCR.AS); IPA = Xt[35:0] << 12, whose IPA space in Secure state is Xt[63]
// (0 Secure, 1 Non-secure) and otherwise Non-secure. [UNCONFIRMED] Xt layouts from s3.10.
std::optional<TlbiDecoded> decode_tlbi(const TlbiRequest& req, const MmuRegs& r, El el);

}  // namespace ffasim::sim::mmu
