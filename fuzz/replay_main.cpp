// Replays fuzz inputs without libFuzzer: `<name>_replay DIR_OR_FILE...` runs
// LLVMFuzzerTestOneInput once per file (directories are walked recursively, in sorted
// order so runs are reproducible). The build links this instead of -fsanitize=fuzzer,
// which lets any compiler turn the seed corpora and crash reproducers into tests.
//
// A violated property traps or aborts; the signal handler then names the input that did
// it, since a bare "Illegal instruction" in a CI log is no help.
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

// Plain storage, so the signal handler can read it without allocating.
char current_input[4096];

void on_crash(int sig) {
  constexpr char prefix[] = "\nfuzz replay: crashed on input ";
  [[maybe_unused]] auto r1 = write(STDERR_FILENO, prefix, sizeof prefix - 1);
  [[maybe_unused]] auto r2 = write(STDERR_FILENO, current_input, std::strlen(current_input));
  [[maybe_unused]] auto r3 = write(STDERR_FILENO, "\n", 1);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

bool run_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz replay: cannot read %s\n", p.c_str());
    return false;
  }
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::snprintf(current_input, sizeof current_input, "%s", p.c_str());
  // Copied into an exactly-sized heap buffer, as libFuzzer does, so a sanitizer build
  // of the replayer still catches reads past the end of the input.
  std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(data.data(), data.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  for (int sig : {SIGABRT, SIGILL, SIGSEGV, SIGFPE, SIGBUS, SIGTRAP}) std::signal(sig, on_crash);

  namespace fs = std::filesystem;
  std::size_t ran = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg = argv[i];
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::recursive_directory_iterator(arg, ec))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) ran += run_file(f) ? 1 : (ok = false, 0);
    } else if (fs::is_regular_file(arg, ec)) {
      ran += run_file(arg) ? 1 : (ok = false, 0);
    } else {
      std::fprintf(stderr, "fuzz replay: no such file or directory: %s\n", argv[i]);
      ok = false;
    }
  }
  std::printf("fuzz replay: ran %zu inputs\n", ran);
  // An empty run means a mistyped corpus path, not a pass.
  return ok && ran > 0 ? 0 : 1;
}
