#pragma once
#include <cstdint>
namespace ffasim::bench {
// Runs `trips` trips round a 6-method SystemC ring; returns the trips made. Elaborates SystemC.
uint64_t run_ring(uint64_t trips);
}  // namespace ffasim::bench
