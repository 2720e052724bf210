// SPDX-License-Identifier: Apache-2.0
// Loads libLiteRt.so at run time and resolves the entry points the plugin calls.
#pragma once

#include <string>

#include "backends/litert/litert_c_api.h"

namespace inferbench::litert_c {

struct Library {
  std::string path;     // the libLiteRt.so that was loaded
  std::string version;  // the ai-edge-litert wheel's version, read beside the library

  CreateEnvironmentFn create_environment;
  DestroyEnvironmentFn destroy_environment;
  CreateModelFromFileFn create_model_from_file;
  DestroyModelFn destroy_model;
  GetNumModelSignaturesFn get_num_model_signatures;
  GetModelSignatureFn get_model_signature;
  GetNumSignatureInputsFn get_num_signature_inputs;
  GetNumSignatureOutputsFn get_num_signature_outputs;
  GetSignatureInputTensorByIndexFn get_signature_input_tensor;
  GetSignatureOutputTensorByIndexFn get_signature_output_tensor;
  GetSignatureSubgraphFn get_signature_subgraph;
  GetNumSubgraphOpsFn get_num_subgraph_ops;
  GetSubgraphOpFn get_subgraph_op;
  GetOpCodeFn get_op_code;
  GetNumOpTensorsFn get_num_op_inputs;
  GetOpTensorFn get_op_input;
  GetNumOpTensorsFn get_num_op_outputs;
  GetOpTensorFn get_op_output;
  GetTensorNameFn get_tensor_name;
  GetRankedTensorTypeFn get_ranked_tensor_type;
  GetQuantizationTypeIdFn get_quantization_type_id;
  GetPerTensorQuantizationFn get_per_tensor_quantization;
  CreateOptionsFn create_options;
  DestroyOptionsFn destroy_options;
  SetOptionsHardwareAcceleratorsFn set_options_hardware_accelerators;
  CreateOpaqueOptionsFn create_opaque_options;
  AddOpaqueOptionsFn add_opaque_options;
  DestroyOpaqueOptionsFn destroy_opaque_options;
  CreateCompiledModelFn create_compiled_model;
  DestroyCompiledModelFn destroy_compiled_model;
  GetCompiledModelBufferRequirementsFn get_input_buffer_requirements;
  GetCompiledModelBufferRequirementsFn get_output_buffer_requirements;
  GetTensorBufferRequirementsBufferSizeFn get_requirements_buffer_size;
  CompiledModelIsFullyAcceleratedFn is_fully_accelerated;
  CreateTensorBufferFromHostMemoryFn create_tensor_buffer_from_host_memory;
  DestroyTensorBufferFn destroy_tensor_buffer;
  RunCompiledModelFn run_compiled_model;
  CompiledModelGetProfilerFn get_profiler;
  StartProfilerFn start_profiler;
  StopProfilerFn stop_profiler;
  ResetProfilerFn reset_profiler;
  GetNumProfilerEventsFn get_num_profiler_events;
  GetProfilerEventsFn get_profiler_events;
  GetProfileSummaryFn get_profile_summary;
};

// The library, loaded once per process: from $INFERBENCH_LITERT_LIBRARY if set, else from the
// path found at configure time (IB_LITERT_LIBRARY, the LiteRT environment's wheel). Returns
// nullptr and sets *why to one line (what is wrong and what to do) when the library is missing,
// is not the supported version, or lacks an entry point.
const Library* library(std::string* why);

// The LiteRT release whose struct layouts litert_c_api.h declares.
constexpr const char* kSupportedVersionPrefix = "2.3.";

// "InvalidFlatbuffer (501)": LiteRtGetStatusString is not exported, so the names are ours.
std::string status_text(Status status);

}  // namespace inferbench::litert_c
