#include "sim/core/profile.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

namespace ffasim::sim {

const char* unit_name(Unit u) {
  switch (u) {
    case Unit::Cycles: return "cycles";
    case Unit::Instructions: return "instructions";
    case Unit::Ns: return "ns";
    case Unit::Hz: return "Hz";
    case Unit::Count: return "count";
    case Unit::Ratio: return "ratio";
    case Unit::Bytes: return "bytes";
  }
  return "?";
}

void Profile::declare(const ParamSpec& spec) {
  if (entries_.count(spec.name)) throw std::logic_error(std::string("profile parameter declared twice: ") + spec.name);
  entries_.emplace(spec.name, Entry{spec, spec.default_value, "default"});
}

double Profile::get(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw std::logic_error("profile parameter not declared: " + name);
  return it->second.value;
}

static std::vector<std::string> names_of(const std::map<std::string, Profile::Entry>& m) {
  std::vector<std::string> v;
  for (auto& [k, _] : m) v.push_back(k);
  return v;
}

void Profile::set(const std::string& name, double value, const std::string& origin) {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    std::string msg = origin + ": unknown profile parameter '" + name + "'";
    std::string hint = closest_name(name, names_of(entries_));
    if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
    throw ProfileError(msg);
  }
  if (!(value >= 0)) throw ProfileError(origin + ": profile parameter '" + name + "' must be a non-negative number");
  it->second.value = value;
  it->second.origin = origin;
}

bool parse_number(const std::string& text, double& out) {
  std::string t = text;
  t.erase(0, t.find_first_not_of(" \t"));
  t.erase(t.find_last_not_of(" \t\r") + 1);
  if (t.empty()) return false;
  errno = 0;
  char* end = nullptr;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    if (!std::isxdigit(static_cast<unsigned char>(t[2]))) return false;
    unsigned long long v = std::strtoull(t.c_str() + 2, &end, 16);
    if (*end || errno) return false;
    out = double(v);
    return true;
  }
  // Decimal numbers only: strtod would also take "inf", "nan" and hex floats.
  if (t.find_first_not_of("0123456789.eE+-") != std::string::npos) return false;
  out = std::strtod(t.c_str(), &end);
  return *end == 0 && errno == 0 && std::isfinite(out);
}

void Profile::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ProfileError(path + ": cannot open profile file");
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto colon = line.find(':');
    const std::string where = path + ":" + std::to_string(n);
    if (colon == std::string::npos) throw ProfileError(where + ": expected 'name: value'");
    std::string key = line.substr(0, colon);
    key.erase(0, key.find_first_not_of(" \t"));
    key.erase(key.find_last_not_of(" \t") + 1);
    double v;
    if (!parse_number(line.substr(colon + 1), v))
      throw ProfileError(where + ": " + key + ": expected a number");
    set(key, v, where);
  }
}

static size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_name(const std::string& name, const std::vector<std::string>& known) {
  std::string best;
  size_t best_d = std::max<size_t>(3, name.size() / 3) + 1;
  for (auto& k : known) {
    size_t d = edit_distance(name, k);
    if (d < best_d) { best_d = d; best = k; }
  }
  return best;
}

}  // namespace ffasim::sim
