// The PE's system-register bus for the registers that live in the GIC and the generic timer:
// an MRS/MSR by encoding goes to the ICC_* table (icc_sysregs.h) or the CNT* table
// (generic_timer.h), at the PE's current time and state, and costs gic.sysreg_ns. The ISS and
// the behavioural firmware both reach the CPU interface and the timer this way.
#pragma once

#include "sim/core/pe.h"
#include "sim/gic/generic_timer.h"
#include "sim/gic/gic.h"

namespace ffasim::sim::gic {

class GicSysregBus : public SysregBus {
 public:
  GicSysregBus(Gic& gic, GenericTimer& timer) : gic_(gic), timer_(timer) {}
  SysregResult read(Pe& pe, uint32_t encoding, uint64_t& value) override;
  SysregResult write(Pe& pe, uint32_t encoding, uint64_t value) override;

  uint64_t accesses() const { return accesses_; }

 private:
  Gic& gic_;
  GenericTimer& timer_;
  uint64_t accesses_ = 0;
};

// The MRS/MSR immediate of a register given as op0, op1, CRn, CRm, op2.
constexpr uint32_t sysreg_encoding(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
  return op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2;
}
// The encoding of a named ICC_* or CNT* register (std::invalid_argument if there is none).
uint32_t sysreg_encoding(std::string_view name);

}  // namespace ffasim::sim::gic
