// SPDX-License-Identifier: Apache-2.0
// dlopen/dlsym of a backend plugin.
#include "worker/plugin_loader.h"

#include <dlfcn.h>

namespace inferbench {

std::string plugin_message(const LoadedPlugin& plugin) {
  const char* message = plugin.api->last_error();
  return message && *message ? message : "no message from plugin";
}

Result<LoadedPlugin> load_plugin(const std::string& path) {
  // RTLD_LOCAL keeps each SDK's symbols to itself; RTLD_NOW reports a missing dependency
  // here rather than at the first call inside the timed loop.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Status(StatusCode::Unavailable,
                  "cannot load plugin " + path + ": " + (why ? why : "unknown dlopen error"),
                  "rebuild with the SDK installed (make build) or check its libraries");
  }
  auto entry = reinterpret_cast<ib_backend_entry_fn>(dlsym(handle, IB_BACKEND_ENTRY_SYMBOL));
  if (entry == nullptr) {
    return Status(StatusCode::Internal,
                  path + " does not export " + IB_BACKEND_ENTRY_SYMBOL + "; it is not a plugin");
  }
  const ib_backend_api* api = entry();
  if (api == nullptr || api->api_version != IB_BACKEND_API_VERSION) {
    return Status(StatusCode::Internal,
                  "plugin " + path + " speaks backend API version " +
                      std::to_string(api ? api->api_version : 0) + " but this worker speaks " +
                      std::to_string(IB_BACKEND_API_VERSION),
                  "rebuild the plugin and inferbench from the same source tree");
  }
  return LoadedPlugin{handle, api, api->describe()};
}

}  // namespace inferbench
