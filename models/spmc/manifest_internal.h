// Private to models/spmc: shared by the manifest reader's two files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ffasim::spmc {

// What is wrong with a device-tree blob (truncated, bad header, ...), or "" if it is sound.
std::string blob_defect(const std::vector<uint8_t>& dtb);

}  // namespace ffasim::spmc
