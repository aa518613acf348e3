// Timing of the PE and memory, from the profile (table: core_params.def).
#pragma once

#include "sim/core/profile.h"

namespace ffasim::sim {

struct CoreTiming {
#define FFASIM_PARAMS_FILE "sim/core/core_params.def"
#include "sim/core/profile_struct.inc"
  double period_ps() const { return 1e12 / clock_hz; }
};

}  // namespace ffasim::sim
