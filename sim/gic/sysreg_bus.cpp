#include "sim/gic/sysreg_bus.h"

#include <stdexcept>
#include <string>

namespace ffasim::sim::gic {

namespace {
struct Fields { uint8_t op0, op1, crn, crm, op2; };
Fields fields(uint32_t e) {
  return {uint8_t(e >> 14 & 3), uint8_t(e >> 11 & 7), uint8_t(e >> 7 & 15), uint8_t(e >> 3 & 15), uint8_t(e & 7)};
}
const TimerReg* find_timer(uint32_t e) {
  for (const TimerReg& r : timer_registers())
    if (sysreg_encoding(r.op0, r.op1, r.crn, r.crm, r.op2) == e) return &r;
  return nullptr;
}
SysregResult result(SysregAccess a) {
  switch (a) {
    case SysregAccess::Ok: return SysregResult::Ok;
    case SysregAccess::TrapEl2: return SysregResult::TrapEl2;
    case SysregAccess::TrapEl3: return SysregResult::TrapEl3;
    case SysregAccess::Undefined:
    case SysregAccess::Virtual: break;  // no ICV_* interface: the model cannot serve it
  }
  return SysregResult::Undefined;
}
}  // namespace

uint32_t sysreg_encoding(std::string_view name) {
  if (const IccReg* r = find_icc_register(name)) return r->encoding();
  if (const TimerReg* r = find_timer_register(name)) return sysreg_encoding(r->op0, r->op1, r->crn, r->crm, r->op2);
  throw std::invalid_argument("no ICC_* or timer register named " + std::string(name));
}

SysregResult GicSysregBus::read(Pe& pe, uint32_t encoding, uint64_t& value) {
  const Fields f = fields(encoding);
  pe.charge_ps(Cost::Dispatch, GicTiming::ps(gic_.timing().sysreg_ns));
  ++accesses_;
  if (const IccReg* r = find_icc_register(f.op0, f.op1, f.crn, f.crm, f.op2))
    return result(gic_.sysreg_read(pe.id(), *r, value, pe.now()));
  if (const TimerReg* r = find_timer(encoding))
    return result(timer_.sysreg_read(pe.id(), *r, pe_inputs(pe.state()), value, pe.now()));
  return SysregResult::NotMine;
}

SysregResult GicSysregBus::write(Pe& pe, uint32_t encoding, uint64_t value) {
  const Fields f = fields(encoding);
  pe.charge_ps(Cost::Dispatch, GicTiming::ps(gic_.timing().sysreg_ns));
  ++accesses_;
  if (const IccReg* r = find_icc_register(f.op0, f.op1, f.crn, f.crm, f.op2))
    return result(gic_.sysreg_write(pe.id(), *r, value, pe.now()));
  if (const TimerReg* r = find_timer(encoding))
    return result(timer_.sysreg_write(pe.id(), *r, pe_inputs(pe.state()), value, pe.now()));
  return SysregResult::NotMine;
}

}  // namespace ffasim::sim::gic
