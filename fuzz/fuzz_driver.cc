// A libFuzzer-compatible driver for compilers without libFuzzer (g++): replays every corpus file
// given on the command line (files or directories), then runs random mutations of them
// (byte flips, inserts of template syntax, splices) with a fixed seed, so a failure reproduces.
//   template_fuzz [-runs=N] [-seed=S] [-max_len=L] [-timeout_ms=T] CORPUS...
// A crash is a crash (ctest reports it); an input that runs longer than the timeout is printed and
// fails the run. Each input runs on a large stack (as the renderer does).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "charts/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

// Template fragments mutations insert: actions, keywords, builtins, functions, odd literals.
constexpr const char* kTokens[] = {"{{",
                                   "}}",
                                   "{{-",
                                   "-}}",
                                   "{{ end }}",
                                   "{{ else }}",
                                   "{{ if ",
                                   "{{ range ",
                                   "{{ with ",
                                   "{{ define \"d\" }}",
                                   "{{ template \"d\" . }}",
                                   "{{ block \"b\" . }}",
                                   "{{ break }}",
                                   "{{ continue }}",
                                   " | ",
                                   "$",
                                   "$x := ",
                                   "$x = ",
                                   ".Values",
                                   ".Values.l",
                                   ".Values.m.k",
                                   " . ",
                                   "(",
                                   ")",
                                   "\"",
                                   "`",
                                   "'",
                                   "\\",
                                   "/*",
                                   "*/",
                                   "{{/* c */}}",
                                   " and ",
                                   " or ",
                                   " not ",
                                   " index ",
                                   " slice ",
                                   " len ",
                                   " printf \"%v %d %s %q %x %-5.2f %[2]v\" ",
                                   " print ",
                                   " eq ",
                                   " lt ",
                                   " call ",
                                   " html ",
                                   " js ",
                                   " urlquery ",
                                   " include \"d\" ",
                                   " tpl ",
                                   " toYaml ",
                                   " fromYaml ",
                                   " toJson ",
                                   " fromJson ",
                                   " toToml ",
                                   " dict ",
                                   " list ",
                                   " set ",
                                   " merge ",
                                   " default ",
                                   " required \"m\" ",
                                   " fail ",
                                   " b64enc ",
                                   " regexFind ",
                                   " semverCompare ",
                                   " trunc ",
                                   " sub ",
                                   " div ",
                                   " mod ",
                                   " int64 ",
                                   " float64 ",
                                   " 0x1F ",
                                   " 1e308 ",
                                   " -1 ",
                                   " 9223372036854775807 ",
                                   " 0.5 ",
                                   " nil ",
                                   " true ",
                                   " 'x' ",
                                   "\n",
                                   " ",
                                   ",",
                                   ":=",
                                   "=",
                                   "..",
                                   ".",
                                   "[",
                                   "]"};

std::vector<std::string> LoadCorpus(int argc, char** argv, size_t max_len) {
  std::vector<std::string> out;
  auto add = [&](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    if (s.size() <= max_len) out.push_back(std::move(s));
  };
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-') continue;
    fs::path p(argv[i]);
    if (fs::is_directory(p)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) add(f);
    } else if (fs::exists(p)) {
      add(p);
    } else {
      std::fprintf(stderr, "no such corpus path: %s\n", argv[i]);
      std::exit(2);
    }
  }
  return out;
}

long Flag(int argc, char** argv, const char* name, long def) {
  size_t n = std::strlen(name);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') return std::atol(argv[i] + n + 1);
  }
  return def;
}

std::string Mutate(const std::vector<std::string>& corpus, std::mt19937_64& rng, size_t max_len) {
  std::string s = corpus.empty() ? std::string() : corpus[rng() % corpus.size()];
  int steps = 1 + static_cast<int>(rng() % 6);
  for (int k = 0; k < steps; ++k) {
    size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 6) {
      case 0:  // insert a token
        s.insert(pos, kTokens[rng() % (sizeof(kTokens) / sizeof(kTokens[0]))]);
        break;
      case 1:  // delete a run
        if (!s.empty() && pos < s.size()) s.erase(pos, 1 + rng() % 8);
        break;
      case 2:  // flip a byte
        if (!s.empty() && pos < s.size()) s[pos] = static_cast<char>(s[pos] ^ (1u << (rng() % 8)));
        break;
      case 3:  // random byte
        s.insert(pos, 1, static_cast<char>(rng() % 256));
        break;
      case 4: {  // splice another corpus entry
        if (corpus.empty()) break;
        const std::string& o = corpus[rng() % corpus.size()];
        if (o.empty()) break;
        size_t a = rng() % o.size();
        s.insert(pos, o.substr(a, 1 + rng() % (o.size() - a)));
        break;
      }
      case 5:  // duplicate a run
        if (!s.empty() && pos < s.size()) s.insert(pos, s.substr(pos, 1 + rng() % 16));
        break;
    }
  }
  if (s.size() > max_len) s.resize(max_len);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  long runs = Flag(argc, argv, "-runs", 0);
  long seed = Flag(argc, argv, "-seed", 1);
  size_t max_len = static_cast<size_t>(Flag(argc, argv, "-max_len", 4096));
  long timeout_ms = Flag(argc, argv, "-timeout_ms", 5000);
  // Bound memory so a runaway allocation fails (as bad_alloc) instead of exhausting the machine.
  rlimit lim{size_t{4} << 30, size_t{4} << 30};
  setrlimit(RLIMIT_AS, &lim);

  auto corpus = LoadCorpus(argc, argv, max_len);
  int failures = 0;
  auto run_one = [&](const std::string& input, const char* what) {
    auto start = std::chrono::steady_clock::now();
    keelson::charts::RunWithLargeStack([&] {
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    });
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    if (ms > timeout_ms) {
      std::fprintf(stderr, "slow input (%s, %lld ms):\n%s\n", what, static_cast<long long>(ms),
                   input.c_str());
      ++failures;
    }
  };
  for (const auto& c : corpus) run_one(c, "corpus");
  std::mt19937_64 rng(static_cast<uint64_t>(seed));
  for (long i = 0; i < runs; ++i) {
    std::string m = Mutate(corpus, rng, max_len);
    if (std::getenv("FUZZ_VERBOSE")) std::fprintf(stderr, "run %ld: %s\n", i, m.c_str());
    run_one(m, "mutation");
  }
  std::printf("template_fuzz: %zu corpus inputs, %ld mutations (seed %ld), %d slow\n",
              corpus.size(), runs, seed, failures);
  return failures == 0 ? 0 : 1;
}
