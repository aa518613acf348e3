// Helpers for tests that drive the assembled stack register by register (one Stack per test
// process: these tests run under gtest_discover_tests).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "models/ffa/abi.h"
#include "models/stack/stack.h"

namespace ffasim::testing {

using Regs = sim::ArgRegs;

inline constexpr uint16_t kOptee = 0x8001, kTestSp = 0x8002;
inline constexpr uint64_t kSuccess32 = 0x84000061, kError32 = 0x84000060;

// The default platform with no driver probe: the normal world waits for host calls on PE 0.
inline ScenarioConfig bare_platform(unsigned pes = 2) {
  ScenarioConfig c;
  c.pe_count = pes;
  c.linux_driver = false;
  return c;
}

inline Regs R(uint64_t x0, uint64_t x1 = 0, uint64_t x2 = 0, uint64_t x3 = 0, uint64_t x4 = 0,
              uint64_t x5 = 0, uint64_t x6 = 0, uint64_t x7 = 0) {
  return ffa::regs(x0, x1, x2, x3, x4, x5, x6, x7);
}

// A call from the normal world on PE `pe` that must return.
inline Regs nwd_call(Stack& s, const Regs& in, unsigned pe = 0) {
  Regs out{};
  EXPECT_TRUE(s.call(0, pe, in, out)) << "the normal-world call did not return";
  return out;
}

inline Regs error_regs(ffa::Error e) { return ffa::error(e); }

// Compares x0-x7 (what FF-A defines for these results) and names the first difference.
inline ::testing::AssertionResult regs_eq(const Regs& want, const Regs& got) {
  for (int i = 0; i < 8; ++i)
    if (want[i] != got[i])
      return ::testing::AssertionFailure() << "x" << i << ": expected 0x" << std::hex << want[i]
                                           << ", got 0x" << got[i] << " (x0 = " << ffa::fid_name(got[0])
                                           << ")";
  return ::testing::AssertionSuccess();
}

}  // namespace ffasim::testing
