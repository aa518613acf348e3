// Timing of the GICv3 hops and the generic timer, from the profile (table: gic_params.def).
#pragma once

#include "sim/core/profile.h"
#include "sim/core/types.h"

namespace ffasim::sim::gic {

struct GicTiming {
#define FFASIM_PARAMS_FILE "sim/gic/gic_params.def"
#include "sim/core/profile_struct.inc"
  static Picos ps(double ns) { return Picos(ns * 1000.0 + 0.5); }
};

}  // namespace ffasim::sim::gic
