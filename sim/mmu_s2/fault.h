// Translation faults as values (QEMU's ARMMMUFaultInfo): what failed, at which lookup level and
// stage, whether on a stage-1 table walk, the addresses for FAR_ELx and HPFAR_EL2, the access
// (WnR), and the EL that takes the abort. The helpers build ESR_ELx and HPFAR_EL2 exactly as
// s1.5-1.7 and s3.9 of ../shared/reference/armv8-gicv3-mmu.md describe.
#pragma once

#include <cstdint>

#include "sim/core/types.h"
#include "sim/mmu_s2/addr.h"

namespace ffasim::sim::mmu {

enum class AccessType : uint8_t { Read, Write, Execute };

enum class FaultType : uint8_t {
  None,
  AddressSize,          // FSC 0x00-0x03
  Translation,          // FSC 0x04-0x07
  AccessFlag,           // FSC 0x08-0x0B
  Permission,           // FSC 0x0C-0x0F
  ExternalAbortOnWalk,  // FSC 0x14-0x17 (synchronous external abort on a table walk)
};
const char* name(FaultType t);

struct Fault {
  FaultType type = FaultType::None;
  int level = 0;         // lookup level in the stage that faulted
  unsigned stage = 1;    // 1 or 2
  bool s1ptw = false;    // a stage-2 fault on a stage-1 table-walk access (ESR ISS.S1PTW)
  bool wnr = false;      // ESR ISS.WnR (data aborts only)
  AccessType access = AccessType::Read;
  VA va;                 // FAR_ELx: the VA of the access (the stage-1 input)
  IPA ipa;               // HPFAR_EL2.FIPA: the IPA that faulted at stage 2
  Security ipa_space = Security::NonSecure;  // HPFAR_EL2.NS
  El from_el = El::EL0;  // the EL that made the access
  Security security = Security::NonSecure;  // security state of the access
  El target_el = El::EL1;  // the EL that takes the abort

  bool is_fault() const { return type != FaultType::None; }
  explicit operator bool() const { return is_fault(); }
};

// DFSC/IFSC (s1.6): 0x00 + level address size, 0x04 + level translation, 0x08 + level access
// flag, 0x0C + level permission, 0x14 + level external abort on walk.
uint32_t fault_status_code(const Fault& f);
// EC (s1.5): 0x20/0x21 instruction abort, 0x24/0x25 data abort; "lower" when the access came
// from an EL below the one taking it (a stage-2 fault from EL0/EL1 is always 0x20/0x24).
uint32_t abort_ec(const Fault& f);
// ISS with ISV = 0 (no instruction syndrome; an ISS may OR in ISV/SAS/SRT for stage-2 data
// aborts): FSC [5:0], WnR [6] (data aborts), S1PTW [7]. EA, CM and FnV are 0.
uint32_t abort_iss(const Fault& f);
// ESR_ELx = EC, IL = 1 (aborts report a 32-bit instruction), ISS.
uint32_t abort_esr(const Fault& f);
// HPFAR_EL2 (s1.7): FIPA = IPA[47:12] at bits [43:4]; NS at bit 63 = 1 when a Secure-state
// fault hit the Non-secure IPA space (FEAT_SEL2; RES0 for faults taken to Non-secure EL2).
// Valid for stage-2 faults; for a direct (S1PTW = 0) stage-2 Permission fault the architecture
// allows it to be UNKNOWN (hpfar_valid() is false) and this model still reports the IPA.
uint64_t hpfar_el2(const Fault& f);
bool hpfar_valid(const Fault& f);

}  // namespace ffasim::sim::mmu
