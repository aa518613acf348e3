#include "models/sp_mm/variable_store.h"

#include <algorithm>
#include <cstring>

namespace ffasim::sp::mm_store {
namespace {

namespace mm = ffa::mm;
namespace efi = ffa::efi;

uint64_t get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}
uint32_t get32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
void put64(uint8_t* p, uint64_t v) { for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i)); }
void put32(uint8_t* p, uint32_t v) { for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i)); }

mm::Guid guid_at(const uint8_t* p) {
  mm::Guid g;
  std::memcpy(g.bytes, p, 16);
  return g;
}

// A NUL-terminated UTF-16 name of exactly name_size bytes; false if it is not one.
bool name_at(const uint8_t* p, uint64_t name_size, std::u16string& out) {
  if (name_size < 2 || name_size % 2) return false;
  out.clear();
  for (uint64_t i = 0; i + 2 <= name_size; i += 2) {
    const char16_t c = char16_t(p[i] | p[i + 1] << 8);
    if (c == 0) return i + 2 == name_size;
    out.push_back(c);
  }
  return false;
}

void put_name(uint8_t* p, const std::u16string& name) {
  for (size_t i = 0; i < name.size(); ++i) {
    p[2 * i] = uint8_t(name[i]);
    p[2 * i + 1] = uint8_t(name[i] >> 8);
  }
  p[2 * name.size()] = p[2 * name.size() + 1] = 0;
}

uint64_t name_bytes(const std::u16string& n) { return 2 * (n.size() + 1); }

// Index of the variable, or -1; counts the entries compared.
long find(const VariableStoreState& s, const mm::Guid& g, const std::u16string& name, Work& w) {
  for (size_t i = 0; i < s.variables.size(); ++i) {
    ++w.variables_scanned;
    if (s.variables[i].guid == g && s.variables[i].name == name) return long(i);
  }
  return -1;
}

void set_status(std::vector<uint8_t>& msg, uint64_t st) { put64(msg.data() + mm::VAR_RET_STATUS, st); }

// The payload of `msg` (after the variable header) and its length.
uint8_t* payload(std::vector<uint8_t>& msg) { return msg.data() + mm::MM_VARIABLE_COMMUNICATE_SIZE; }
uint64_t payload_len(const std::vector<uint8_t>& msg) { return msg.size() - mm::MM_VARIABLE_COMMUNICATE_SIZE; }

// SMM_VARIABLE_FUNCTION_GET_VARIABLE. Response: the access header with DataSize = the variable's
// size (also on EFI_BUFFER_TOO_SMALL, so the caller can retry) and the data after the name.
uint64_t get_variable(VariableStoreState& s, std::vector<uint8_t>& msg, Work& w) {
  if (payload_len(msg) < mm::MM_VARIABLE_ACCESS_HEADER_SIZE) return efi::EFI_ACCESS_DENIED;
  uint8_t* a = payload(msg);
  const uint64_t data_size = get64(a + mm::ACC_DATA_SIZE), name_size = get64(a + mm::ACC_NAME_SIZE);
  const uint64_t room = payload_len(msg) - mm::MM_VARIABLE_ACCESS_HEADER_SIZE;
  if (name_size > room || data_size > room - name_size) return efi::EFI_ACCESS_DENIED;
  std::u16string name;
  if (!name_at(a + mm::MM_VARIABLE_ACCESS_HEADER_SIZE, name_size, name)) return efi::EFI_ACCESS_DENIED;
  const long i = find(s, guid_at(a + mm::ACC_GUID), name, w);
  // The response keeps the header and the name; it carries data only on success.
  msg.resize(mm::MM_VARIABLE_COMMUNICATE_SIZE + mm::MM_VARIABLE_ACCESS_HEADER_SIZE + name_size);
  a = payload(msg);
  if (i < 0) return efi::EFI_NOT_FOUND;
  const Variable& v = s.variables[size_t(i)];
  put64(a + mm::ACC_DATA_SIZE, v.data.size());
  put32(a + mm::ACC_ATTR, v.attributes);
  if (data_size < v.data.size()) return efi::EFI_BUFFER_TOO_SMALL;
  msg.insert(msg.end(), v.data.begin(), v.data.end());
  w.bytes_moved += v.data.size();
  return efi::EFI_SUCCESS;
}

// SMM_VARIABLE_FUNCTION_GET_NEXT_VARIABLE_NAME: NameSize is the caller's buffer for the name.
uint64_t get_next_variable_name(VariableStoreState& s, std::vector<uint8_t>& msg, Work& w) {
  if (payload_len(msg) < mm::MM_VARIABLE_GET_NEXT_HEADER_SIZE) return efi::EFI_ACCESS_DENIED;
  uint8_t* a = payload(msg);
  const uint64_t name_size = get64(a + mm::NEXT_NAME_SIZE);
  if (name_size > payload_len(msg) - mm::MM_VARIABLE_GET_NEXT_HEADER_SIZE) return efi::EFI_ACCESS_DENIED;
  // The current name: NUL-terminated within the buffer (the rest of the buffer is ignored).
  std::u16string cur;
  bool terminated = false;
  for (uint64_t i = 0; i + 2 <= name_size; i += 2) {
    const char16_t c = char16_t(a[mm::MM_VARIABLE_GET_NEXT_HEADER_SIZE + i] | a[mm::MM_VARIABLE_GET_NEXT_HEADER_SIZE + i + 1] << 8);
    if (c == 0) { terminated = true; break; }
    cur.push_back(c);
  }
  if (!terminated) return efi::EFI_ACCESS_DENIED;
  size_t next = 0;
  if (!cur.empty()) {
    const long i = find(s, guid_at(a + mm::NEXT_GUID), cur, w);
    if (i < 0) return efi::EFI_INVALID_PARAMETER;  // UEFI: not the name of an existing variable
    next = size_t(i) + 1;
  }
  if (next >= s.variables.size()) return efi::EFI_NOT_FOUND;
  const Variable& v = s.variables[next];
  const uint64_t need = name_bytes(v.name);
  put64(a + mm::NEXT_NAME_SIZE, need);
  if (need > name_size) {
    msg.resize(mm::MM_VARIABLE_COMMUNICATE_SIZE + mm::MM_VARIABLE_GET_NEXT_HEADER_SIZE);
    return efi::EFI_BUFFER_TOO_SMALL;
  }
  std::memcpy(a + mm::NEXT_GUID, v.guid.bytes, 16);
  put_name(a + mm::MM_VARIABLE_GET_NEXT_HEADER_SIZE, v.name);
  msg.resize(mm::MM_VARIABLE_COMMUNICATE_SIZE + mm::MM_VARIABLE_GET_NEXT_HEADER_SIZE + need);
  w.bytes_moved += need;
  return efi::EFI_SUCCESS;
}

// SMM_VARIABLE_FUNCTION_SET_VARIABLE: DataSize 0 (or attributes 0) deletes; APPEND_WRITE appends.
uint64_t set_variable(VariableStoreState& s, std::vector<uint8_t>& msg, Work& w) {
  if (payload_len(msg) < mm::MM_VARIABLE_ACCESS_HEADER_SIZE) return efi::EFI_ACCESS_DENIED;
  const uint8_t* a = payload(msg);
  const uint64_t data_size = get64(a + mm::ACC_DATA_SIZE), name_size = get64(a + mm::ACC_NAME_SIZE);
  const uint64_t room = payload_len(msg) - mm::MM_VARIABLE_ACCESS_HEADER_SIZE;
  if (name_size > room || data_size > room - name_size) return efi::EFI_ACCESS_DENIED;
  std::u16string name;
  if (!name_at(a + mm::MM_VARIABLE_ACCESS_HEADER_SIZE, name_size, name)) return efi::EFI_ACCESS_DENIED;
  const uint32_t attr = get32(a + mm::ACC_ATTR);
  const mm::Guid guid = guid_at(a + mm::ACC_GUID);
  const uint8_t* in = a + mm::MM_VARIABLE_ACCESS_HEADER_SIZE + name_size;
  const std::vector<uint8_t> data(in, in + data_size);
  msg.resize(mm::MM_VARIABLE_COMMUNICATE_SIZE);  // the response is the variable header alone
  using namespace ffa::mm;
  if (attr & (EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS | EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS |
              EFI_VARIABLE_HARDWARE_ERROR_RECORD))
    return efi::EFI_UNSUPPORTED;
  if (attr & ~0x7Fu) return efi::EFI_INVALID_PARAMETER;
  if ((attr & EFI_VARIABLE_RUNTIME_ACCESS) && !(attr & EFI_VARIABLE_BOOTSERVICE_ACCESS))
    return efi::EFI_INVALID_PARAMETER;  // UEFI: runtime access needs boot-service access
  const long i = find(s, guid, name, w);
  const bool append = attr & EFI_VARIABLE_APPEND_WRITE;
  const uint32_t stored_attr = attr & ~EFI_VARIABLE_APPEND_WRITE;
  const bool erase = !append && (data_size == 0 || (attr & (EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS |
                                                            EFI_VARIABLE_RUNTIME_ACCESS)) == 0);
  if (erase) {
    if (i < 0) return efi::EFI_NOT_FOUND;
    Variable& v = s.variables[size_t(i)];
    if (v.attributes & EFI_VARIABLE_NON_VOLATILE) {
      w.commit = true;
      w.commit_bytes += storage_of(v);
    }
    s.used -= storage_of(v);
    s.variables.erase(s.variables.begin() + i);
    return efi::EFI_SUCCESS;
  }
  if (i >= 0 && s.variables[size_t(i)].attributes != stored_attr) return efi::EFI_INVALID_PARAMETER;
  const uint64_t old_data = i >= 0 ? s.variables[size_t(i)].data.size() : 0;
  const uint64_t new_data = append ? old_data + data_size : data_size;
  if (name_size + new_data > s.max_variable_size) return efi::EFI_INVALID_PARAMETER;
  const uint64_t old_storage = i >= 0 ? storage_of(s.variables[size_t(i)]) : 0;
  const uint64_t new_storage = kVariableHeaderSize + name_size + new_data;
  if (s.used - old_storage + new_storage > s.capacity) return efi::EFI_OUT_OF_RESOURCES;
  if (i < 0) {
    if (append && data_size == 0) return efi::EFI_SUCCESS;
    s.variables.push_back({guid, name, stored_attr, {}});
  }
  Variable& v = i >= 0 ? s.variables[size_t(i)] : s.variables.back();
  if (!append) v.data.clear();
  v.data.insert(v.data.end(), data.begin(), data.end());
  s.used = s.used - old_storage + new_storage;
  w.bytes_moved += data_size + name_size;
  if (stored_attr & EFI_VARIABLE_NON_VOLATILE) {
    w.commit = true;
    w.commit_bytes += new_storage;
  }
  return efi::EFI_SUCCESS;
}

// SMM_VARIABLE_FUNCTION_QUERY_VARIABLE_INFO. Every attribute set shares one store here.
uint64_t query_variable_info(VariableStoreState& s, std::vector<uint8_t>& msg) {
  if (payload_len(msg) < mm::QUERY_ATTR + 4) return efi::EFI_ACCESS_DENIED;
  uint8_t* a = payload(msg);
  const uint32_t attr = get32(a + mm::QUERY_ATTR);
  if (attr == 0 || (attr & ~0x7Fu)) return efi::EFI_INVALID_PARAMETER;
  if (attr & (mm::EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS | mm::EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS |
              mm::EFI_VARIABLE_HARDWARE_ERROR_RECORD))
    return efi::EFI_UNSUPPORTED;
  put64(a + mm::QUERY_MAX_STORAGE, s.capacity);
  put64(a + mm::QUERY_REMAINING, s.capacity - s.used);
  put64(a + mm::QUERY_MAX_VARIABLE, s.max_variable_size);
  return efi::EFI_SUCCESS;
}

// SMM_VARIABLE_FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_GET: no variable has a property here (read-only
// variables are not modelled), so every well-formed query is EFI_NOT_FOUND, as VarCheck answers
// for a variable without one (U-Boot treats that as "no property").
uint64_t property_get(std::vector<uint8_t>& msg) {
  if (payload_len(msg) < mm::MM_VARIABLE_PROPERTY_HEADER_SIZE) return efi::EFI_ACCESS_DENIED;
  const uint8_t* a = payload(msg);
  const uint64_t name_size = get64(a + mm::PROP_NAME_SIZE);
  if (name_size > payload_len(msg) - mm::MM_VARIABLE_PROPERTY_HEADER_SIZE) return efi::EFI_ACCESS_DENIED;
  std::u16string name;
  if (!name_at(a + mm::MM_VARIABLE_PROPERTY_HEADER_SIZE, name_size, name)) return efi::EFI_ACCESS_DENIED;
  return efi::EFI_NOT_FOUND;
}

}  // namespace

uint64_t storage_of(const Variable& v) { return kVariableHeaderSize + name_bytes(v.name) + v.data.size(); }

int32_t handle_message(VariableStoreState& s, std::vector<uint8_t>& msg, Work& work) {
  if (msg.size() < mm::MM_VARIABLE_COMMUNICATE_SIZE) return mm::MM_INVALID_PARAMETER;
  const uint64_t function = get64(msg.data() + mm::VAR_FUNCTION);
  uint64_t st = efi::EFI_UNSUPPORTED;
  switch (function) {
    case mm::FUNCTION_GET_VARIABLE: st = get_variable(s, msg, work); break;
    case mm::FUNCTION_GET_NEXT_VARIABLE_NAME: st = get_next_variable_name(s, msg, work); break;
    case mm::FUNCTION_SET_VARIABLE: st = set_variable(s, msg, work); break;
    case mm::FUNCTION_QUERY_VARIABLE_INFO: st = query_variable_info(s, msg); break;
    case mm::FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_GET: st = property_get(msg); break;
    case mm::FUNCTION_READY_TO_BOOT:
    case mm::FUNCTION_EXIT_BOOT_SERVICE:
      st = efi::EFI_SUCCESS;
      msg.resize(mm::MM_VARIABLE_COMMUNICATE_SIZE);
      break;
    case mm::FUNCTION_GET_PAYLOAD_SIZE:
      if (payload_len(msg) < mm::PAYLOAD_SIZE_SIZE) {
        st = efi::EFI_ACCESS_DENIED;
      } else {
        put64(payload(msg), s.max_payload_size);
        msg.resize(mm::MM_VARIABLE_COMMUNICATE_SIZE + mm::PAYLOAD_SIZE_SIZE);
        st = efi::EFI_SUCCESS;
      }
      break;
    default: break;
  }
  set_status(msg, st);
  return mm::MM_SUCCESS;
}

}  // namespace ffasim::sp::mm_store
