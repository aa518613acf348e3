#include "models/ffa/descriptors.h"

namespace ffasim::ffa {
namespace {
void put16(std::vector<uint8_t>& o, uint16_t v) { o.push_back(uint8_t(v)); o.push_back(uint8_t(v >> 8)); }
void put32(std::vector<uint8_t>& o, uint32_t v) { put16(o, uint16_t(v)); put16(o, uint16_t(v >> 16)); }
void put_uuid(std::vector<uint8_t>& o, const Uuid& u) { o.insert(o.end(), u.bytes.begin(), u.bytes.end()); }
}  // namespace

uint32_t partition_info_size(Version caller, uint32_t v11_plus_size) {
  return caller < kV1_1 ? 8 : v11_plus_size;
}

void write_partition_info(std::vector<uint8_t>& out, const PartitionInfo& p, uint32_t size) {
  put16(out, p.id.value);
  put16(out, p.exec_ctx_count);
  put32(out, p.properties);
  if (size >= 24) put_uuid(out, p.uuid);
  if (size >= 48) {
    put_uuid(out, p.image_uuid);
    put32(out, p.ffa_version);
    put32(out, 0);
  }
}

}  // namespace ffasim::ffa
