// libFuzzer target on FF-A memory-transaction descriptor parsing (models/ffa/mem_descriptors.h),
// what the SPMC runs on every guest-written TX buffer. Byte 0 picks the layout, the transaction
// type and whether the caller is the normal world; the rest is the descriptor. Properties checked
// beyond "no crash, no sanitizer report":
//   - a first fragment parse_send accepts never holds more constituents than its bytes can carry;
//   - when the whole descriptor is in the fragment and validate_constituents accepts it, the
//     descriptor rebuilt by build_transaction parses again to the same constituents;
//   - parse_retrieve_request and parse_relinquish stay within the bytes they are given.
// Built only with clang's -fsanitize=fuzzer (tests/CMakeLists.txt); run as a bounded ctest.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "models/ffa/mem_descriptors.h"

namespace mem = ffasim::ffa::mem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t sel = data[0];
  const std::vector<uint8_t> bytes(data + 1, data + size);
  const auto n = uint32_t(bytes.size());
  const mem::Layout layout = sel & 1 ? mem::Layout::V1_1 : mem::Layout::V1_0;
  const mem::SendContext ctx{mem::Transaction(1 + (sel >> 1) % 3), ffasim::ffa::EndpointId((sel & 8) ? 0x8001 : 0),
                             !(sel & 8)};
  // The total length is the fragment's or, from bit 4, larger (more fragments to come).
  const uint32_t total = (sel & 16) ? n + 16 * ((sel >> 5) + 1) : n;
  mem::Descriptor d;
  if (mem::parse_send(bytes.data(), n, total, layout, ctx, d) == mem::Check::Ok) {
    if (uint64_t(d.constituents.size()) * mem::kConstituentSize > n) std::abort();
    if (total == n && mem::validate_constituents(d) == mem::Check::Ok) {
      const std::vector<uint8_t> again = mem::build_transaction(d, layout);
      mem::Descriptor d2;
      const auto len = uint32_t(again.size());
      if (mem::parse_send(again.data(), len, len, layout, ctx, d2) != mem::Check::Ok) std::abort();
      if (!(d2.constituents == d.constituents)) std::abort();
    }
  }
  std::vector<mem::Constituent> more;
  (void)mem::parse_constituents(bytes.data(), n, more);
  mem::Descriptor req;
  (void)mem::parse_retrieve_request(bytes.data(), n, layout, req);
  mem::Relinquish rq;
  (void)mem::parse_relinquish(bytes.data(), n, rq);
  return 0;
}
