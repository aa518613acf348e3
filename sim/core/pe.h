// A processing element: EL0-EL3 in both security states, its registers (PeState), and one
// SC_THREAD that runs whatever software is installed, charging every cost to its local time.
//
// The PE runs a trampoline. Each iteration either enters the firmware at the EL an exception
// is taken to (ExceptionHandler::take) or resumes the code at the current EL and security state
// (ExecContext::resume); both return their next instruction, which the PE executes by the
// routing rules of exception_routing.h. Firmware selects what an ERET resumes with
// set_context(), the behavioural analogue of restoring ELR, SPSR and the registers.
//
// Time is loosely timed: charges accumulate in a local offset that is synchronised with SystemC
// once it exceeds the quantum, and before any wait (WFI, power-off, host input).
#pragma once

#include <array>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "sim/core/core_timing.h"
#include "sim/core/exception_routing.h"
#include "sim/core/memory.h"
#include "sim/core/pe_state.h"
#include "sim/core/software.h"
#include "sim/core/tracer.h"

namespace ffasim::sim {

class Pe : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Pe> socket;

  Pe(sc_core::sc_module_name name, PeId id, uint64_t mpidr, const CoreTiming& timing,
     Tracer& tracer, Picos quantum);

  PeId id() const { return id_; }
  PeState& state() { return state_; }
  const PeState& state() const { return state_; }
  El el() const { return state_.pstate.el; }
  Security security() const { return current_security(state_); }

  // x0-x17.
  ArgRegs args() const;
  void set_args(const ArgRegs& r);

  // Software installed on this PE.
  void install_handler(El el, Security s, ExceptionHandler* h) { handler_[index(s)][index(el)] = h; }
  void set_context(El el, Security s, ExecContext* c) { ctx_[index(s)][index(el)] = c; }
  ExecContext* context(El el, Security s) const { return ctx_[index(s)][index(el)]; }

  // Time. charge() attributes to the software running now.
  void charge(Cost c, double cycles);
  void charge_ps(Cost c, Picos ps);
  double cycles_for_insns(double insns) const { return insns * timing_.cpi; }
  Picos now() const;                 // this PE's local time
  double period_ps() const { return period_ps_; }
  void sync();                       // brings SystemC time up to local time

  // Memory transactions through the PE's TLM socket, timed. False on a bus error.
  bool mem_read(uint64_t pa, void* dst, size_t n, Security pas);
  bool mem_write(uint64_t pa, const void* src, size_t n, Security pas);

  // Power (PSCI). A PE that is off waits; power_on() makes it take a Reset exception to EL3 at
  // `at` (warm unless it is the first boot).
  bool is_on() const { return on_; }
  void power_on(Picos at);
  // Ends a WFI at `at` (or at once if it is not waiting yet: the wake-up is remembered).
  void wake(Picos at);
  bool waiting() const { return in_wfi_; }

  // Closes the current trace segment at now() (before a trace is written).
  void close_segment();

  // Physical interrupt lines, driven by the interrupt controller at the time they change.
  // Virtual IRQ/FIQ are HCR_EL2.VI/VF. With lines enabled, the PE takes a pending interrupt at
  // the first point it is unmasked (Arm ARM routing, exception_routing.h), including in the
  // middle of a context's work, which it then finishes when the context is resumed.
  void enable_interrupt_lines() { lines_enabled_ = true; }
  // Exact interrupt arrival (default with lines enabled): the PE synchronises with SystemC before
  // every piece of work and waits for it interruptibly, so an interrupt is taken at its arrival
  // plus the modelled latency. Off: work is charged in one go under temporal decoupling and a
  // raised line is seen at the next step, up to a quantum late. The stack turns it off when the
  // run has no interrupt source (and then no interrupt at all): it costs about half the speed.
  void set_precise_interrupts(bool on) { precise_ = on; }
  void set_line(Interrupt kind, bool level);
  bool line(Interrupt kind) const { return line_[int(kind)]; }
  // Called after every change of exception level or security state (exception entry, ERET), so
  // an interrupt controller can re-evaluate IRQ versus FIQ for the new state (GICv3 2.8).
  void set_state_hook(std::function<void(Pe&)> hook) { state_hook_ = std::move(hook); }

  // MRS / MSR of a system register outside the PE (ICC_*, CNT*) by behavioural firmware: the
  // access goes through the bus at this PE's current EL and security state. Anything but Ok is
  // a bug of the model that made it (std::logic_error naming the register encoding).
  void set_sysreg_bus(SysregBus* bus) { sysreg_bus_ = bus; }
  bool has_sysreg_bus() const { return sysreg_bus_ != nullptr; }
  uint64_t mrs(uint32_t encoding);
  void msr(uint32_t encoding, uint64_t value);

  // The first physical interrupt exception taken since the mark was last cleared: when, and the
  // tracer's per-component counters of this PE at that moment. The software that finally serves
  // the interrupt reads it to split the latency between the PE's components.
  struct InterruptMark {
    bool valid = false;
    Picos at = 0;
    std::vector<Picos> counters;
  };
  const InterruptMark& interrupt_mark() const { return mark_; }
  void clear_interrupt_mark() { mark_.valid = false; }

  // Where a model error thrown on this PE goes; the platform rethrows it from run().
  void set_error_sink(std::exception_ptr* sink) { error_sink_ = sink; }

  // Statistics of this PE.
  uint64_t exceptions_taken() const { return exceptions_; }
  uint64_t interrupts_taken() const { return interrupts_; }

 private:
  void run();
  void execute(const Step& s, ExecContext* from);
  void take_exception(El target, ExceptionKind kind, uint32_t esr, bool return_to_next);
  void switch_to(ComponentId c, const char* track);
  bool transact(tlm::tlm_command cmd, uint64_t pa, unsigned char* data, size_t n, Security pas);
  bool take_pending_interrupt();
  void bind_counters() {  // components are all registered before the simulation runs
    if (component_counters_) return;
    component_counters_ = tracer_.component_counters(id_);
    cost_counters_ = tracer_.cost_counters(id_);
  }
  bool work(const Step& s, ExecContext* from);
  void wait_event(sc_core::sc_event& ev, bool& flag, const Picos& at);

  PeId id_;
  const CoreTiming& timing_;
  Tracer& tracer_;
  Picos quantum_;
  double period_ps_;
  PeState state_;
  std::array<std::array<ExceptionHandler*, 4>, 2> handler_{};
  std::array<std::array<ExecContext*, 4>, 2> ctx_{};

  Picos offset_ = 0;  // local time ahead of sc_time_stamp()
  bool on_ = false, booted_ = false, in_wfi_ = false;
  bool wake_flag_ = false, power_flag_ = false;
  Picos wake_at_ = 0, power_at_ = 0;  // when a pending wake-up or power-on takes effect
  sc_core::sc_event wake_ev_, power_ev_;

  bool pending_ = false;
  ExceptionInfo exc_{};
  ComponentId cur_component_ = 0;
  const char* cur_track_ = "idle";
  Picos seg_start_ = 0;
  uint64_t exceptions_ = 0;

  std::exception_ptr* error_sink_ = nullptr;
  std::function<void(Pe&)> state_hook_;
  SysregBus* sysreg_bus_ = nullptr;
  InterruptMark mark_;
  bool lines_enabled_ = false;
  bool precise_ = true;
  bool line_[3] = {false, false, false};  // IRQ, FIQ, SError
  sc_core::sc_event line_ev_;
  uint64_t interrupts_ = 0;
  Picos* component_counters_ = nullptr;  // the tracer's counters of this PE (charge_ps)
  Picos* cost_counters_ = nullptr;
  void run_loop();
  tlm::tlm_generic_payload gp_;
  Sideband sideband_;
};

}  // namespace ffasim::sim
