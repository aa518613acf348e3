// The timing profile: declare/get/set, the "did you mean" hint for unknown names, profile-file
// parsing (comments, hex, floats) and the exact one-line messages a user sees for bad input.
#include "sim/core/profile.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "sim/core/core_timing.h"

namespace ffasim::sim {
namespace {

// A profile with three parameters of a made-up component.
Profile small_profile() {
  Profile p;
  p.declare({"spmd.smc_handler_insns", Unit::Instructions, 128, "SMC entry path", "assumption"});
  p.declare({"spmd.world_switch_insns", Unit::Instructions, 300, "world switch", "assumption"});
  p.declare({"core.clock_hz", Unit::Hz, 2.0e9, "PE clock", "assumption"});
  return p;
}

// A profile file with `text`, removed when done. The path has no surprises in it, so messages
// can be compared exactly.
struct TempProfile {
  std::string path;
  explicit TempProfile(const std::string& text) {
    char name[] = "/tmp/ffasim-profile-test-XXXXXX";
    int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    close(fd);
    path = name;
    std::ofstream(path) << text;
  }
  ~TempProfile() { std::remove(path.c_str()); }
};

// The message of the ProfileError `f` throws, or "" if it throws nothing.
template <typename F>
std::string profile_error(F f) {
  try {
    f();
  } catch (const ProfileError& e) {
    return e.what();
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// declare / get / set

TEST(Profile, ADeclaredParameterReadsItsDefault) {
  Profile p = small_profile();
  EXPECT_TRUE(p.has("spmd.smc_handler_insns"));
  EXPECT_EQ(p.get("spmd.smc_handler_insns"), 128.0);
  EXPECT_EQ(p.entries().at("spmd.smc_handler_insns").origin, "default");
  EXPECT_EQ(p.entries().at("spmd.smc_handler_insns").spec.unit, Unit::Instructions);
}

TEST(Profile, SetChangesTheValueAndRecordsWhereItCameFrom) {
  Profile p = small_profile();
  p.set("core.clock_hz", 2.6e9, "--set");
  EXPECT_EQ(p.get("core.clock_hz"), 2.6e9);
  EXPECT_EQ(p.entries().at("core.clock_hz").origin, "--set");
  EXPECT_EQ(p.entries().at("core.clock_hz").spec.default_value, 2.0e9);
}

TEST(Profile, ZeroIsAValidValue) {
  Profile p = small_profile();
  p.set("spmd.smc_handler_insns", 0, "python");
  EXPECT_EQ(p.get("spmd.smc_handler_insns"), 0.0);
}

TEST(Profile, DeclaringANameTwiceIsAModelBug) {
  Profile p = small_profile();
  EXPECT_THROW(p.declare({"core.clock_hz", Unit::Hz, 1e9, "again", "test"}), std::logic_error);
}

TEST(Profile, GettingAnUndeclaredNameIsAModelBug) {
  Profile p = small_profile();
  EXPECT_FALSE(p.has("spmd.nope"));
  EXPECT_THROW(p.get("spmd.nope"), std::logic_error);
}

TEST(Profile, AnUnknownNameGetsADidYouMeanHint) {
  Profile p = small_profile();
  EXPECT_EQ(profile_error([&] { p.set("spmd.smc_handler_insn", 1, "--set"); }),
            "--set: unknown profile parameter 'spmd.smc_handler_insn' "
            "(did you mean 'spmd.smc_handler_insns'?)");
}

TEST(Profile, AnUnknownNameFarFromEveryKnownOneGetsNoHint) {
  Profile p = small_profile();
  EXPECT_EQ(profile_error([&] { p.set("gic.distributor_latency", 1, "--set"); }),
            "--set: unknown profile parameter 'gic.distributor_latency'");
}

TEST(Profile, ANegativeValueIsRejectedAndTheOldValueKept) {
  Profile p = small_profile();
  EXPECT_EQ(profile_error([&] { p.set("spmd.smc_handler_insns", -1, "python"); }),
            "python: profile parameter 'spmd.smc_handler_insns' must be a non-negative number");
  EXPECT_EQ(p.get("spmd.smc_handler_insns"), 128.0);
  EXPECT_EQ(p.entries().at("spmd.smc_handler_insns").origin, "default");
}

TEST(Profile, NanIsRejected) {
  Profile p = small_profile();
  EXPECT_NE(profile_error([&] { p.set("core.clock_hz", std::nan(""), "python"); }), "");
  EXPECT_EQ(p.get("core.clock_hz"), 2.0e9);
}

TEST(Profile, ClosestNamePicksTheNearestKnownName) {
  const std::vector<std::string> known = {"core.clock_hz", "core.cpi", "mem.latency_ns"};
  EXPECT_EQ(closest_name("core.clk_hz", known), "core.clock_hz");
  EXPECT_EQ(closest_name("core.cpu", known), "core.cpi");
  EXPECT_EQ(closest_name("mem.latency", known), "mem.latency_ns");
  EXPECT_EQ(closest_name("something.else.entirely", known), "");
  EXPECT_EQ(closest_name("core.cpi", {}), "");
}

TEST(Profile, UnitNamesAreTheUnitsSpelledOut) {
  EXPECT_STREQ(unit_name(Unit::Cycles), "cycles");
  EXPECT_STREQ(unit_name(Unit::Instructions), "instructions");
  EXPECT_STREQ(unit_name(Unit::Ns), "ns");
  EXPECT_STREQ(unit_name(Unit::Hz), "Hz");
  EXPECT_STREQ(unit_name(Unit::Count), "count");
  EXPECT_STREQ(unit_name(Unit::Ratio), "ratio");
  EXPECT_STREQ(unit_name(Unit::Bytes), "bytes");
}

// ---------------------------------------------------------------------------------------------
// parse_number

TEST(ParseNumber, AcceptsIntegersFloatsExponentsAndHex) {
  double v = -1;
  EXPECT_TRUE(parse_number("1200", v));
  EXPECT_EQ(v, 1200.0);
  EXPECT_TRUE(parse_number("2.6e9", v));
  EXPECT_EQ(v, 2.6e9);
  EXPECT_TRUE(parse_number("0.25", v));
  EXPECT_EQ(v, 0.25);
  EXPECT_TRUE(parse_number("0x40", v));
  EXPECT_EQ(v, 64.0);
  EXPECT_TRUE(parse_number("0XfF", v));
  EXPECT_EQ(v, 255.0);
  EXPECT_TRUE(parse_number("  128 \t", v));
  EXPECT_EQ(v, 128.0);
  EXPECT_TRUE(parse_number("7\r", v));
  EXPECT_EQ(v, 7.0);
}

TEST(ParseNumber, RejectsUnitsWordsAndEmptyText) {
  double v = 0;
  EXPECT_FALSE(parse_number("12ns", v));
  EXPECT_FALSE(parse_number("2.6 GHz", v));
  EXPECT_FALSE(parse_number("fast", v));
  EXPECT_FALSE(parse_number("", v));
  EXPECT_FALSE(parse_number("   ", v));
  EXPECT_FALSE(parse_number("0x", v));
  EXPECT_FALSE(parse_number("0x4g", v));
  EXPECT_FALSE(parse_number("1e999", v));  // out of range
}

TEST(ParseNumber, HexDigitsMustFollow0xDirectly) {
  double v = 0;
  EXPECT_FALSE(parse_number("0x-5", v));  // strtoull would accept it as 2^64 - 5
  EXPECT_FALSE(parse_number("0x+5", v));
  EXPECT_FALSE(parse_number("0x 5", v));
}

TEST(ParseNumber, RejectsInfinityAndNan) {
  // "a number with no unit": inf and nan are not timing values a profile can mean.
  double v = 0;
  EXPECT_FALSE(parse_number("inf", v));
  EXPECT_FALSE(parse_number("nan", v));
}

// ---------------------------------------------------------------------------------------------
// load_file

TEST(ProfileFile, ReadsValuesCommentsBlankLinesHexAndFloats) {
  TempProfile f(
      "# Neoverse N1 at the N1SDP clock\n"
      "\n"
      "core.clock_hz: 2.6e9\n"
      "   \t\n"
      "spmd.smc_handler_insns: 0x80   # hex\n"
      "  spmd.world_switch_insns  :   412.5  \n");
  Profile p = small_profile();
  p.load_file(f.path);
  EXPECT_EQ(p.get("core.clock_hz"), 2.6e9);
  EXPECT_EQ(p.get("spmd.smc_handler_insns"), 128.0);
  EXPECT_EQ(p.get("spmd.world_switch_insns"), 412.5);
  EXPECT_EQ(p.entries().at("core.clock_hz").origin, f.path + ":3");
  EXPECT_EQ(p.entries().at("spmd.smc_handler_insns").origin, f.path + ":5");
  EXPECT_EQ(p.entries().at("spmd.world_switch_insns").origin, f.path + ":6");
}

TEST(ProfileFile, AcceptsWindowsLineEndings) {
  TempProfile f("# comment\r\ncore.clock_hz: 3e9\r\n\r\n");
  Profile p = small_profile();
  p.load_file(f.path);
  EXPECT_EQ(p.get("core.clock_hz"), 3e9);
}

TEST(ProfileFile, ALaterLineOverridesAnEarlierOne) {
  TempProfile f("core.clock_hz: 1e9\ncore.clock_hz: 1.5e9\n");
  Profile p = small_profile();
  p.load_file(f.path);
  EXPECT_EQ(p.get("core.clock_hz"), 1.5e9);
  EXPECT_EQ(p.entries().at("core.clock_hz").origin, f.path + ":2");
}

TEST(ProfileFile, AValueThatIsNotANumberNamesFileLineAndKey) {
  TempProfile f("core.clock_hz: 2e9\n# note\nspmd.smc_handler_insns: lots\n");
  Profile p = small_profile();
  EXPECT_EQ(profile_error([&] { p.load_file(f.path); }),
            f.path + ":3: spmd.smc_handler_insns: expected a number");
}

TEST(ProfileFile, AValueWithAUnitIsNotANumber) {
  TempProfile f("core.clock_hz: 2.6GHz\n");
  Profile p = small_profile();
  EXPECT_EQ(profile_error([&] { p.load_file(f.path); }),
            f.path + ":1: core.clock_hz: expected a number");
}

TEST(ProfileFile, AnEmptyValueIsNotANumber) {
  TempProfile f("\n\ncore.clock_hz:   # forgot it\n");
  Profile p = small_profile();
  EXPECT_EQ(profile_error([&] { p.load_file(f.path); }),
            f.path + ":3: core.clock_hz: expected a number");
}

TEST(ProfileFile, InfIsNotANumber) {
  TempProfile f("core.clock_hz: inf\n");
  Profile p = small_profile();
  EXPECT_EQ(profile_error([&] { p.load_file(f.path); }),
            f.path + ":1: core.clock_hz: expected a number");
}

TEST(ProfileFile, ALineWithoutAColonSaysWhatWasExpected) {
  TempProfile f("core.clock_hz 2e9\n");
  Profile p = small_profile();
  EXPECT_EQ(profile_error([&] { p.load_file(f.path); }),
            f.path + ":1: expected 'name: value'");
}

TEST(ProfileFile, AnUnknownNameNamesFileAndLineAndHints) {
  TempProfile f("core.clock_hz: 2e9\nspmd.smc_handler_insn: 100\n");
  Profile p = small_profile();
  EXPECT_EQ(profile_error([&] { p.load_file(f.path); }),
            f.path + ":2: unknown profile parameter 'spmd.smc_handler_insn' "
                     "(did you mean 'spmd.smc_handler_insns'?)");
}

TEST(ProfileFile, ANegativeValueNamesFileAndLine) {
  TempProfile f("spmd.smc_handler_insns: -5\n");
  Profile p = small_profile();
  EXPECT_EQ(profile_error([&] { p.load_file(f.path); }),
            f.path + ":1: profile parameter 'spmd.smc_handler_insns' must be a non-negative number");
  EXPECT_EQ(p.get("spmd.smc_handler_insns"), 128.0);
}

TEST(ProfileFile, AMissingFileSaysSo) {
  Profile p = small_profile();
  EXPECT_EQ(profile_error([&] { p.load_file("/nonexistent/ffasim.yaml"); }),
            "/nonexistent/ffasim.yaml: cannot open profile file");
}

// ---------------------------------------------------------------------------------------------
// The core's own parameter table

TEST(CoreTiming, DeclaresEveryCoreParameterWithAUnitADocAndASource) {
  Profile p;
  CoreTiming::declare(p);
  for (const char* name : {"core.clock_hz", "core.cpi", "core.exception_entry_cycles",
                           "core.eret_cycles", "core.gpr_save_insns_per_reg",
                           "core.sysreg_save_insns_per_reg", "mem.latency_ns", "mem.line_ns"}) {
    ASSERT_TRUE(p.has(name)) << name;
    const Profile::Entry& e = p.entries().at(name);
    EXPECT_NE(std::string(e.spec.doc), "") << name;
    EXPECT_NE(std::string(e.spec.source), "") << name;
  }
  EXPECT_EQ(p.entries().at("core.clock_hz").spec.unit, Unit::Hz);
  EXPECT_EQ(p.entries().at("core.exception_entry_cycles").spec.unit, Unit::Cycles);
  EXPECT_EQ(p.entries().at("mem.latency_ns").spec.unit, Unit::Ns);
}

TEST(CoreTiming, LoadReadsOverridesAndPeriodIsThePicosecondsOfOneCycle) {
  Profile p;
  CoreTiming::declare(p);
  p.set("core.clock_hz", 2.5e9, "test");
  p.set("core.eret_cycles", 30, "test");
  CoreTiming t;
  t.load(p);
  EXPECT_EQ(t.clock_hz, 2.5e9);
  EXPECT_EQ(t.eret_cycles, 30.0);
  EXPECT_EQ(t.period_ps(), 400.0);
}

}  // namespace
}  // namespace ffasim::sim
