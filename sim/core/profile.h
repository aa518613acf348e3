// The timing profile: every cost the models charge is a named parameter with a unit, a default
// and the source of that default. Components declare their parameters from a table of their own
// (see FFASIM_PARAMS below); users override values from a profile file, the CLI or Python.
//
// Profile file format (a flat YAML mapping, one parameter per line):
//   # Neoverse N1 at the N1SDP clock
//   core.clock_hz: 2.6e9
//   spmd.smc_handler_insns: 128
// An unknown name, or a value that is not a number, is one clear line naming file, line and key.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ffasim::sim {

enum class Unit { Cycles, Instructions, Ns, Hz, Count, Ratio, Bytes };
const char* unit_name(Unit u);

struct ParamSpec {
  const char* name;    // "spmd.smc_handler_insns"
  Unit unit;
  double default_value;
  const char* doc;     // one line: what it costs
  const char* source;  // where the default comes from
};

class ProfileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Profile {
 public:
  struct Entry {
    ParamSpec spec;
    double value;
    std::string origin;  // "default", "<file>:<line>", "--set", "python"
  };

  // Declaring a name twice is a model bug (std::logic_error).
  void declare(const ParamSpec& spec);
  bool has(const std::string& name) const { return entries_.count(name) != 0; }
  double get(const std::string& name) const;
  // Unknown names throw ProfileError: "unknown profile parameter 'x' (did you mean 'y'?)".
  void set(const std::string& name, double value, const std::string& origin);
  void load_file(const std::string& path);
  const std::map<std::string, Entry>& entries() const { return entries_; }

 private:
  std::map<std::string, Entry> entries_;
};

// Parses "2.6e9", "0x40", "1200" (a number with no unit). False if it is not a number.
bool parse_number(const std::string& text, double& out);
// The closest known name to `name`, for "did you mean" hints ("" if none is close).
std::string closest_name(const std::string& name, const std::vector<std::string>& known);

}  // namespace ffasim::sim

// Generates a timing struct from a parameter table. In the .def file:
//   FFASIM_PARAM(field, "comp.name", Unit, default, "doc", "source")
// and in the header:
//   struct SpmdTiming {
//   #define FFASIM_PARAMS_FILE "models/spmd/spmd_params.def"
//   #include "sim/core/profile_struct.inc"
//   };
// which defines one double per row, `static void declare(Profile&)` and `void load(const
// Profile&)`.
