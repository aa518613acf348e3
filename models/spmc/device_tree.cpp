// Loading device-tree bytes for the manifest reader: a .dtb as it is, a .dts through dtc.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

extern "C" {
#include <libfdt.h>
}

#include "models/spmc/manifest.h"
#include "models/spmc/manifest_internal.h"

extern char** environ;

namespace ffasim::spmc {

std::string blob_defect(const std::vector<uint8_t>& dtb) {
  if (dtb.size() < sizeof(fdt_header)) {
    return "a device tree blob; got " + std::to_string(dtb.size()) +
           " bytes, shorter than an FDT header";
  }
  if (int rc = fdt_check_header(dtb.data()); rc != 0) {
    return std::string("a device tree blob; fdt_check_header: ") + fdt_strerror(rc);
  }
  if (fdt_totalsize(dtb.data()) > dtb.size()) {
    return "a device tree blob of " + std::to_string(fdt_totalsize(dtb.data())) +
           " bytes (its header's totalsize); got " + std::to_string(dtb.size()) +
           " bytes: truncated";
  }
  if (int rc = fdt_check_full(dtb.data(), dtb.size()); rc != 0) {
    return std::string("a well-formed device tree blob; fdt_check_full: ") + fdt_strerror(rc);
  }
  return "";
}

namespace {

// ---------------------------------------------------------------------------------------------
// Loading bytes

ManifestError file_error(const std::string& path, std::string expected) {
  return ManifestError({ManifestProblem{path, "", "", std::move(expected)}});
}

// Why `dtb` is not a usable device tree blob, or "" if it is. fdt_check_full walks the whole
// structure block, so later libfdt calls cannot run off the end of a truncated or corrupt blob.

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw file_error(path, std::string("a readable file; ") + std::strerror(errno));
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Deletes the temporary .dtb however compile_dts leaves.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, size_t(n));
    } else if (n == 0 || errno != EINTR) {
      return out;
    }
  }
}

// dtc prints "Error: f.dts:4.3-4 syntax error" or "f.dts:3.3-11: ERROR (...): ..." first, then
// a FATAL line; the first line that mentions an error is the useful one.
std::string first_error_line(const std::string& text) {
  std::string first_nonempty;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    if (first_nonempty.empty()) first_nonempty = line;
    std::string lower = line;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lower.find("error") != std::string::npos) return line;
  }
  return first_nonempty;
}

// Runs `FFASIM_DTC -q -I dts -O dtb -o <tmp> <path>` with posix_spawn (no shell, so paths need
// no quoting) and returns the blob, or throws quoting dtc's first error line.
std::vector<uint8_t> compile_dts(const std::string& path) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string pattern = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/ffasim-dtb-XXXXXX";
  int out_fd = ::mkstemp(pattern.data());
  if (out_fd < 0) {
    throw file_error(path, std::string("a temporary file for dtc; ") + std::strerror(errno));
  }
  ::close(out_fd);
  TempFile out{pattern};

  int err_pipe[2];  // close-on-exec, so no other child inherits it; dup2 clears the flag on fd 2
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw file_error(path, std::string("a pipe for dtc; ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
  posix_spawn_file_actions_addclose(&actions, err_pipe[1]);
  std::vector<std::string> args = {FFASIM_DTC, "-q", "-I",     "dts", "-O",
                                   "dtb",      "-o", out.path, path};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(err_pipe[1]);
  std::string err = rc == 0 ? read_all(err_pipe[0]) : "";
  ::close(err_pipe[0]);
  if (rc != 0) throw file_error(path, "dtc at " + args[0] + " to run; " + std::strerror(rc));

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string first = first_error_line(err);
    if (first.empty()) first = "dtc exited with status " + std::to_string(WEXITSTATUS(status));
    throw file_error(path, "device-tree source that dtc accepts; dtc says \"" + first + "\"");
  }
  return read_bytes(out.path);
}

bool has_fdt_magic(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 4 && bytes[0] == 0xd0 && bytes[1] == 0x0d && bytes[2] == 0xfe &&
         bytes[3] == 0xed;
}

}  // namespace

std::vector<uint8_t> read_device_tree(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw file_error(path, "file not found");
  if (std::filesystem::is_directory(path, ec)) throw file_error(path, "a file; got a directory");
  // A blob is recognised by its extension or its magic; anything else is device-tree source.
  std::vector<uint8_t> bytes = read_bytes(path);
  const bool dtb = std::filesystem::path(path).extension() == ".dtb" || has_fdt_magic(bytes);
  if (!dtb) bytes = compile_dts(path);
  if (std::string defect = blob_defect(bytes); !defect.empty()) throw file_error(path, defect);
  return bytes;
}

}  // namespace ffasim::spmc
