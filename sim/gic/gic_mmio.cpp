#include "sim/gic/gic_mmio.h"

#include <cstring>

#include "sim/core/memory.h"
#include "sim/gic/distributor.h"
#include "sim/gic/redistributor.h"

namespace ffasim::sim::gic {

GicMmio::GicMmio(sc_core::sc_module_name name, Gic& gic, const GicMap& map)
    : sc_module(name), socket("socket"), gic_(gic), map_(map) {
  socket.register_b_transport(this, &GicMmio::b_transport);
}

bool GicMmio::contains(uint64_t pa) const {
  return (pa >= map_.gicd_base && pa - map_.gicd_base < gicd::kFrameSize) ||
         (pa >= map_.gicr_base && pa - map_.gicr_base < gicr_size());
}

void GicMmio::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  Sideband* sb = nullptr;
  gp.get_extension(sb);
  const Security sec = sb ? sb->security : Security::NonSecure;
  const uint64_t pa = gp.get_address();
  const unsigned n = gp.get_data_length();
  const bool in_gicd = pa >= map_.gicd_base && pa - map_.gicd_base < gicd::kFrameSize;
  const bool in_gicr = pa >= map_.gicr_base && pa - map_.gicr_base < gicr_size();
  if (!in_gicd && !in_gicr) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const Picos now = sc_core::sc_time_stamp().value() + delay.value();
  const double pio_ns = in_gicd ? gic_.timing().dist_pio_ns : gic_.timing().redist_pio_ns;
  delay += sc_core::sc_time(pio_ns, sc_core::SC_NS);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  if (gp.get_byte_enable_ptr() || n == 0 || n > 8) {  // not a register access: RAZ/WI
    if (gp.is_read() && n <= 8) std::memset(gp.get_data_ptr(), 0, n);
    guest_error(gic_.state(), "GIC access with byte enables or of " + std::to_string(n) + " bytes");
    return;
  }
  uint64_t v = 0;  // registers are little-endian, as the host
  if (gp.is_write()) {
    std::memcpy(&v, gp.get_data_ptr(), n);
    if (in_gicd) gic_.gicd_write(uint32_t(pa - map_.gicd_base), n, sec, v, now);
    else gic_.gicr_write(pa - map_.gicr_base, n, sec, v, now);
  } else if (gp.is_read()) {
    if (in_gicd) gic_.gicd_read(uint32_t(pa - map_.gicd_base), n, sec, v, now);
    else gic_.gicr_read(pa - map_.gicr_base, n, sec, v, now);
    std::memcpy(gp.get_data_ptr(), &v, n);
  }
}

}  // namespace ffasim::sim::gic
