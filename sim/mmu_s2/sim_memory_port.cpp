#include "sim/mmu_s2/sim_memory_port.h"

#include <cmath>

namespace ffasim::sim::mmu {

DescriptorRead SimMemoryPort::read64(PA pa, Security space) {
  DescriptorRead r;
  r.ok = mem_.read(pa.value(), &r.value, sizeof r.value, space);
  r.latency = Picos(std::llround(timing_.mem_latency_ns * 1000.0));
  return r;
}

bool SimMemoryPort::write64(PA pa, Security space, uint64_t value) {
  return mem_.write(pa.value(), &value, sizeof value, space);
}

TlmMemoryPort::TlmMemoryPort(tlm::tlm_initiator_socket<>& socket, PeId pe)
    : socket_(socket), sideband_(new Sideband) {
  sideband_->pe = pe;
  gp_.set_extension(sideband_);  // owned by gp_ from here
}

TlmMemoryPort::~TlmMemoryPort() = default;

bool TlmMemoryPort::transact(tlm::tlm_command cmd, PA pa, Security space, uint64_t& data,
                             Picos& latency) {
  sideband_->security = space;
  gp_.set_command(cmd);
  gp_.set_address(pa.value());
  gp_.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
  gp_.set_data_length(8);
  gp_.set_streaming_width(8);
  gp_.set_byte_enable_ptr(nullptr);
  gp_.set_dmi_allowed(false);
  gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  socket_->b_transport(gp_, delay);
  latency = Picos(std::llround(delay.to_seconds() * 1e12));
  return gp_.is_response_ok();
}

DescriptorRead TlmMemoryPort::read64(PA pa, Security space) {
  DescriptorRead r;
  r.ok = transact(tlm::TLM_READ_COMMAND, pa, space, r.value, r.latency);
  return r;
}

bool TlmMemoryPort::write64(PA pa, Security space, uint64_t value) {
  Picos ignored = 0;
  return transact(tlm::TLM_WRITE_COMMAND, pa, space, value, ignored);
}

}  // namespace ffasim::sim::mmu
