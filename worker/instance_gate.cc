// SPDX-License-Identifier: Apache-2.0
// A barrier between processes, made of files.
#include "worker/instance_gate.h"

#include <filesystem>
#include <fstream>
#include <thread>

namespace inferbench {

bool meet_instances(const std::string& dir, std::string_view stage, int index, int instances,
                    Nanos timeout) {
  namespace fs = std::filesystem;
  const auto mark = [&](int i) { return fs::path(dir) / (std::string(stage) + "-" + std::to_string(i)); };
  if (!std::ofstream(mark(index))) return false;
  const auto deadline = Clock::now() + timeout;
  for (int waiting_for = 0; waiting_for < instances;) {
    std::error_code ec;
    if (fs::exists(mark(waiting_for), ec)) {
      ++waiting_for;  // marks are never removed: each only needs to be seen once
      continue;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

}  // namespace inferbench
