// SPDX-License-Identifier: Apache-2.0
#include "backends/litert/litert_library.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

namespace inferbench::litert_c {
namespace fs = std::filesystem;

namespace {

std::string configured_path() {
  if (const char* env = std::getenv("INFERBENCH_LITERT_LIBRARY"); env && *env) return env;
#ifdef IB_LITERT_LIBRARY
  return IB_LITERT_LIBRARY;
#else
  return "";
#endif
}

// The wheel installs ai_edge_litert/libLiteRt.so and, beside the package folder,
// ai_edge_litert-<version>.dist-info/METADATA with a "Version: <version>" line. The library
// itself exports no version function.
std::string wheel_version(const fs::path& library) {
  std::error_code ec;
  const fs::path site = fs::weakly_canonical(library, ec).parent_path().parent_path();
  for (const auto& entry : fs::directory_iterator(site, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("ai_edge_litert-", 0) != 0 || entry.path().extension() != ".dist-info") continue;
    std::ifstream metadata(entry.path() / "METADATA");
    for (std::string line; std::getline(metadata, line);) {
      if (line.rfind("Version: ", 0) == 0) return line.substr(9);
    }
  }
  return "";
}

template <typename Fn>
bool resolve(void* handle, const char* name, Fn& fn, std::string* missing) {
  fn = reinterpret_cast<Fn>(dlsym(handle, name));
  if (fn == nullptr) {
    if (!missing->empty()) *missing += ", ";
    *missing += name;
  }
  return fn != nullptr;
}

struct Loaded {
  Library library;
  bool ok = false;
  std::string why;
};

Loaded load() {
  Loaded result;
  const std::string path = configured_path();
  if (path.empty()) {
    result.why = "no LiteRT library configured: run `make setup` (it installs the ai-edge-litert wheel in the "
                 "LiteRT environment) or set INFERBENCH_LITERT_LIBRARY to its ai_edge_litert/libLiteRt.so";
    return result;
  }
  if (!fs::exists(path)) {
    result.why = "LiteRT library " + path + " does not exist: run `make setup` or set INFERBENCH_LITERT_LIBRARY "
                 "to the libLiteRt.so of an ai-edge-litert " + std::string(kSupportedVersionPrefix) + "x wheel";
    return result;
  }
  // The version decides whether our declarations match the library: check it before loading.
  const std::string version = wheel_version(path);
  if (version.empty()) {
    result.why = "cannot tell which LiteRT release " + path + " is (no ai_edge_litert-*.dist-info beside its "
                 "package folder); inferbench's declarations are checked against ai-edge-litert " +
                 std::string(kSupportedVersionPrefix) + "x: point INFERBENCH_LITERT_LIBRARY at that wheel's library";
    return result;
  }
  if (version.rfind(kSupportedVersionPrefix, 0) != 0) {
    result.why = "LiteRT library " + path + " is ai-edge-litert " + version + ", but inferbench's LiteRT "
                 "declarations (struct layouts, signatures) are those of " + std::string(kSupportedVersionPrefix) +
                 "x: install the pinned wheel (tools/setup/requirements-litert.txt, `make setup`)";
    return result;
  }
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = dlerror();
    result.why = "cannot load LiteRT library " + path + ": " + (error ? error : "dlopen failed");
    return result;
  }
  Library& lib = result.library;
  lib.path = path;
  lib.version = version;
  std::string missing;
  resolve(handle, "LiteRtCreateEnvironment", lib.create_environment, &missing);
  resolve(handle, "LiteRtDestroyEnvironment", lib.destroy_environment, &missing);
  resolve(handle, "LiteRtCreateModelFromFile", lib.create_model_from_file, &missing);
  resolve(handle, "LiteRtDestroyModel", lib.destroy_model, &missing);
  resolve(handle, "LiteRtGetNumModelSignatures", lib.get_num_model_signatures, &missing);
  resolve(handle, "LiteRtGetModelSignature", lib.get_model_signature, &missing);
  resolve(handle, "LiteRtGetNumSignatureInputs", lib.get_num_signature_inputs, &missing);
  resolve(handle, "LiteRtGetNumSignatureOutputs", lib.get_num_signature_outputs, &missing);
  resolve(handle, "LiteRtGetSignatureInputTensorByIndex", lib.get_signature_input_tensor, &missing);
  resolve(handle, "LiteRtGetSignatureOutputTensorByIndex", lib.get_signature_output_tensor, &missing);
  resolve(handle, "LiteRtGetSignatureSubgraph", lib.get_signature_subgraph, &missing);
  resolve(handle, "LiteRtGetNumSubgraphOps", lib.get_num_subgraph_ops, &missing);
  resolve(handle, "LiteRtGetSubgraphOp", lib.get_subgraph_op, &missing);
  resolve(handle, "LiteRtGetOpCode", lib.get_op_code, &missing);
  resolve(handle, "LiteRtGetNumOpInputs", lib.get_num_op_inputs, &missing);
  resolve(handle, "LiteRtGetOpInput", lib.get_op_input, &missing);
  resolve(handle, "LiteRtGetNumOpOutputs", lib.get_num_op_outputs, &missing);
  resolve(handle, "LiteRtGetOpOutput", lib.get_op_output, &missing);
  resolve(handle, "LiteRtGetTensorName", lib.get_tensor_name, &missing);
  resolve(handle, "LiteRtGetRankedTensorType", lib.get_ranked_tensor_type, &missing);
  resolve(handle, "LiteRtGetQuantizationTypeId", lib.get_quantization_type_id, &missing);
  resolve(handle, "LiteRtGetPerTensorQuantization", lib.get_per_tensor_quantization, &missing);
  resolve(handle, "LiteRtCreateOptions", lib.create_options, &missing);
  resolve(handle, "LiteRtDestroyOptions", lib.destroy_options, &missing);
  resolve(handle, "LiteRtSetOptionsHardwareAccelerators", lib.set_options_hardware_accelerators, &missing);
  resolve(handle, "LiteRtCreateOpaqueOptions", lib.create_opaque_options, &missing);
  resolve(handle, "LiteRtAddOpaqueOptions", lib.add_opaque_options, &missing);
  resolve(handle, "LiteRtDestroyOpaqueOptions", lib.destroy_opaque_options, &missing);
  resolve(handle, "LiteRtCreateCompiledModel", lib.create_compiled_model, &missing);
  resolve(handle, "LiteRtDestroyCompiledModel", lib.destroy_compiled_model, &missing);
  resolve(handle, "LiteRtGetCompiledModelInputBufferRequirements", lib.get_input_buffer_requirements, &missing);
  resolve(handle, "LiteRtGetCompiledModelOutputBufferRequirements", lib.get_output_buffer_requirements, &missing);
  resolve(handle, "LiteRtGetTensorBufferRequirementsBufferSize", lib.get_requirements_buffer_size, &missing);
  resolve(handle, "LiteRtCompiledModelIsFullyAccelerated", lib.is_fully_accelerated, &missing);
  resolve(handle, "LiteRtCreateTensorBufferFromHostMemory", lib.create_tensor_buffer_from_host_memory, &missing);
  resolve(handle, "LiteRtDestroyTensorBuffer", lib.destroy_tensor_buffer, &missing);
  resolve(handle, "LiteRtRunCompiledModel", lib.run_compiled_model, &missing);
  resolve(handle, "LiteRtCompiledModelGetProfiler", lib.get_profiler, &missing);
  resolve(handle, "LiteRtStartProfiler", lib.start_profiler, &missing);
  resolve(handle, "LiteRtStopProfiler", lib.stop_profiler, &missing);
  resolve(handle, "LiteRtResetProfiler", lib.reset_profiler, &missing);
  resolve(handle, "LiteRtGetNumProfilerEvents", lib.get_num_profiler_events, &missing);
  resolve(handle, "LiteRtGetProfilerEvents", lib.get_profiler_events, &missing);
  resolve(handle, "LiteRtGetProfileSummary", lib.get_profile_summary, &missing);
  if (!missing.empty()) {
    dlclose(handle);
    result.why = "LiteRT library " + path + " (" + version + ") does not export " + missing;
    return result;
  }
  // The handle stays open for the life of the process: compiled models point into it.
  result.ok = true;
  return result;
}

}  // namespace

const Library* library(std::string* why) {
  static std::once_flag once;
  static Loaded loaded;
  std::call_once(once, [] { loaded = load(); });
  if (!loaded.ok) {
    *why = loaded.why;
    return nullptr;
  }
  return &loaded.library;
}

std::string status_text(Status status) {
  const char* name = "unknown status";
  switch (status) {
    case 0: name = "Ok"; break;
    case 1: name = "InvalidArgument"; break;
    case 2: name = "MemoryAllocationFailure"; break;
    case 3: name = "RuntimeFailure"; break;
    case 4: name = "MissingInputTensor"; break;
    case 5: name = "Unsupported"; break;
    case 6: name = "NotFound"; break;
    case 7: name = "TimeoutExpired"; break;
    case 8: name = "WrongVersion"; break;
    case 9: name = "Unknown"; break;
    case 10: name = "AlreadyExists"; break;
    case 100: name = "Cancelled"; break;
    case 500: name = "FileIO"; break;
    case 501: name = "InvalidFlatbuffer"; break;
    case 502: name = "DynamicLoading"; break;
    case 503: name = "Serialization"; break;
    case 504: name = "Compilation"; break;
    default: break;
  }
  return std::string(name) + " (" + std::to_string(status) + ")";
}

}  // namespace inferbench::litert_c
