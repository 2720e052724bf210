// SPDX-License-Identifier: Apache-2.0
// Loads one backend plugin with dlopen and checks its API version.
#pragma once

#include <string>

#include "backends/api/inferbench_backend.h"
#include "core/support/status.h"

namespace inferbench {

struct LoadedPlugin {
  void* handle = nullptr;              // never closed: frameworks do not survive dlclose
  const ib_backend_api* api = nullptr;
  const ib_backend_info* info = nullptr;
};

// Fails with Unavailable when the library or one of its SDK dependencies cannot be loaded
// (the message carries dlerror()), and with Internal on an API version mismatch.
Result<LoadedPlugin> load_plugin(const std::string& path);

// The plugin's message about its last failed call (last_error()), or "no message from plugin".
std::string plugin_message(const LoadedPlugin& plugin);

}  // namespace inferbench
