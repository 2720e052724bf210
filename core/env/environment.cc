// SPDX-License-Identifier: Apache-2.0
// Environment fingerprint from /proc, /sys and uname.
#include "core/env/environment.h"

#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "core/support/build_info.h"
#include "core/timing/clock.h"

namespace inferbench {
namespace {

std::optional<std::string> read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

// Value of the first "key : value" line in /proc/cpuinfo.
std::optional<std::string> cpuinfo_field(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      auto value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      return value;
    }
  }
  return std::nullopt;
}

std::set<std::string> cpu_flags() {
  std::set<std::string> flags;
  std::istringstream words(cpuinfo_field("flags").value_or(""));
  for (std::string w; words >> w;) flags.insert(w);
  return flags;
}

// The flags that decide which kernels inference frameworks pick.
const std::vector<std::pair<std::string, std::string>> kInterestingFlags = {
    {"avx2", "AVX2"},          {"fma", "FMA"},
    {"avx512f", "AVX-512"},    {"avx512_vnni", "AVX512-VNNI"},
    {"avx512_bf16", "AVX512-BF16"}, {"avx512_fp16", "AVX512-FP16"},
    {"avx_vnni", "AVX-VNNI"},  {"amx_tile", "AMX"},
    {"amx_bf16", "AMX-BF16"},  {"amx_int8", "AMX-INT8"},
    {"amx_fp16", "AMX-FP16"},
};

}  // namespace

std::string cpu_model_name() { return cpuinfo_field("model name").value_or("unknown CPU"); }

std::string cpu_isa_summary() {
  const auto flags = cpu_flags();
  std::string summary;
  for (const auto& [flag, label] : kInterestingFlags) {
    if (flag == "avx2" || flag == "fma" || flag == "amx_tile") continue;  // implied by others
    if (flags.count(flag)) summary += (summary.empty() ? "" : ", ") + label;
  }
  if (summary.empty() && flags.count("avx2")) summary = "AVX2";
  return summary.empty() ? "no AVX2" : summary;
}

int usable_cpu_count() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
}

std::optional<std::string> cpu_governor() {
  return read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
}

std::optional<double> total_memory_mb() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0;
  while (in >> key >> kb) {
    if (key == "MemTotal:") return kb / 1024.0;
    in.ignore(256, '\n');
  }
  return std::nullopt;
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

nlohmann::json describe_environment() {
  nlohmann::json env;
  env["cpu"]["model"] = cpu_model_name();
  env["cpu"]["isa"] = cpu_isa_summary();
  nlohmann::json flags = nlohmann::json::array();
  const auto all_flags = cpu_flags();
  for (const auto& [flag, label] : kInterestingFlags) {
    if (all_flags.count(flag)) flags.push_back(flag);
  }
  env["cpu"]["flags"] = flags;
  env["cpu"]["logical_cpus_online"] = sysconf(_SC_NPROCESSORS_ONLN);
  env["cpu"]["usable_cpus"] = usable_cpu_count();
  if (auto mhz = cpuinfo_field("cpu MHz")) env["cpu"]["mhz_now"] = std::stod(*mhz);
  if (auto governor = cpu_governor()) {
    env["cpu"]["governor"] = *governor;
  } else {
    env["cpu"]["governor"] = nullptr;  // not readable (virtual machine or container)
  }
  if (auto mem = total_memory_mb()) env["memory_mb"] = *mem;
  utsname uts{};
  if (uname(&uts) == 0) {
    env["os"]["kernel"] = std::string(uts.sysname) + " " + uts.release;
    env["os"]["machine"] = uts.machine;
  }
  if (auto pretty = [] () -> std::optional<std::string> {
        std::ifstream in("/etc/os-release");
        std::string line;
        while (std::getline(in, line)) {
          if (line.rfind("PRETTY_NAME=", 0) == 0) {
            auto value = line.substr(12);
            if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
            return value;
          }
        }
        return std::nullopt;
      }()) {
    env["os"]["name"] = *pretty;
  }
  env["host"] = host_name();
  env["timer"]["clock"] = "steady_clock (CLOCK_MONOTONIC)";
  env["timer"]["overhead_ns"] = timer_overhead().count();
  const auto& build = build_info();
  env["inferbench"] = {{"version", build.version},   {"git_revision", build.git_revision},
                       {"git_dirty", build.git_dirty}, {"compiler", build.compiler},
                       {"build_type", build.build_type}};
  return env;
}

}  // namespace inferbench
