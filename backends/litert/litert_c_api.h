// SPDX-License-Identifier: Apache-2.0
// The part of LiteRT's C API (the `LiteRt*` compiled-model API exported by the ai-edge-litert
// wheel's libLiteRt.so) that the litert plugin calls, declared here from the documented
// signatures because the wheel ships the library without its C headers. Only what the plugin
// uses: opaque handles, the status and element-type values, the two structs the library fills
// or reads by value (a ranked tensor type and per-tensor quantisation), and one function-pointer
// type per entry point, resolved with dlsym (litert_library.cc).
//
// The struct layouts are those of LiteRT 2.3 (litert/c/litert_layout.h and
// litert_model_types.h of that release): they changed across releases, so the library's version
// is checked before any of them is used (kSupportedVersionPrefix in litert_library.cc).
#pragma once

#include <cstddef>
#include <cstdint>

namespace inferbench::litert_c {

// Opaque handles: the library owns what they point to.
struct Environment_;
struct Model_;
struct Signature_;
struct Tensor_;
struct Options_;
struct CompiledModel_;
struct TensorBuffer_;
struct TensorBufferRequirements_;
struct OpaqueOptions_;
struct Profiler_;
struct Subgraph_;
struct Op_;
using Environment = Environment_*;
using Model = Model_*;
using Signature = Signature_*;
using Tensor = Tensor_*;
using Options = Options_*;
using CompiledModel = CompiledModel_*;
using TensorBuffer = TensorBuffer_*;
using TensorBufferRequirements = TensorBufferRequirements_*;
using OpaqueOptions = OpaqueOptions_*;
using Profiler = Profiler_*;
using Subgraph = Subgraph_*;
using Op = Op_*;

using Status = int;  // LiteRtStatus: 0 is success
constexpr Status kStatusOk = 0;
using ParamIndex = size_t;

// LiteRtHwAccelerators bit for the CPU (XNNPACK) accelerator.
constexpr int kHwAcceleratorCpu = 1 << 0;

// LiteRtElementType values (they follow TfLiteType).
enum class ElementType : int {
  kFloat32 = 1,
  kInt32 = 2,
  kUInt8 = 3,
  kInt64 = 4,
  kInt8 = 9,
  kFloat16 = 10,
};

// LiteRtQuantizationTypeId.
constexpr int kQuantizationPerTensor = 1;

constexpr int kMaxRank = 8;

// LiteRtLayout of LiteRT 2.x: a 7-bit rank and a has-strides bit sharing one 32-bit unit, then
// the dimensions and the strides.
struct Layout {
  unsigned int rank : 7;
  bool has_strides : 1;
  int32_t dimensions[kMaxRank];
  uint32_t strides[kMaxRank];
};
static_assert(sizeof(Layout) == 68, "LiteRtLayout of LiteRT 2.3 is 68 bytes");

// LiteRtRankedTensorType.
struct RankedTensorType {
  ElementType element_type;
  Layout layout;
};
static_assert(sizeof(RankedTensorType) == 72, "LiteRtRankedTensorType of LiteRT 2.3 is 72 bytes");
static_assert(offsetof(RankedTensorType, layout) == 4);

// LiteRtQuantizationPerTensor.
struct QuantizationPerTensor {
  float scale;
  int64_t zero_point;
};
static_assert(sizeof(QuantizationPerTensor) == 16);

// Entry points, one type per function used (signatures of LiteRT 2.3's C API).
using CreateEnvironmentFn = Status (*)(int num_options, const void* options, Environment* env);
using DestroyEnvironmentFn = void (*)(Environment);
// LiteRT 2.x takes the environment first (1.x had only the file name and the model).
using CreateModelFromFileFn = Status (*)(Environment env, const char* filename, Model* model);
using DestroyModelFn = void (*)(Model);
using GetNumModelSignaturesFn = Status (*)(Model, ParamIndex* count);
using GetModelSignatureFn = Status (*)(Model, ParamIndex index, Signature* signature);
using GetNumSignatureInputsFn = Status (*)(Signature, ParamIndex* count);
using GetNumSignatureOutputsFn = Status (*)(Signature, ParamIndex* count);
using GetSignatureInputTensorByIndexFn = Status (*)(Signature, ParamIndex index, Tensor* tensor);
using GetSignatureOutputTensorByIndexFn = Status (*)(Signature, ParamIndex index, Tensor* tensor);
// The model's graph, read to name the operators a profile reports: the signature's subgraph, its
// operators in execution order, each one's TFLite builtin code (LiteRtOpCode takes the
// BuiltinOperator values), tensors and tensor names. All owned by the model.
using GetSignatureSubgraphFn = Status (*)(Signature, Subgraph* subgraph);
using GetNumSubgraphOpsFn = Status (*)(Subgraph, ParamIndex* count);
using GetSubgraphOpFn = Status (*)(Subgraph, ParamIndex index, Op* op);
using GetOpCodeFn = Status (*)(Op, int* code);
using GetNumOpTensorsFn = Status (*)(Op, ParamIndex* count);  // inputs, or outputs
using GetOpTensorFn = Status (*)(Op, ParamIndex index, Tensor* tensor);
using GetTensorNameFn = Status (*)(Tensor, const char** name);
using GetRankedTensorTypeFn = Status (*)(Tensor, RankedTensorType* type);
using GetQuantizationTypeIdFn = Status (*)(Tensor, int* type_id);
using GetPerTensorQuantizationFn = Status (*)(Tensor, QuantizationPerTensor* quantization);
using CreateOptionsFn = Status (*)(Options* options);
using DestroyOptionsFn = void (*)(Options);
using SetOptionsHardwareAcceleratorsFn = Status (*)(Options, int accelerators);
// Options for one accelerator: an identified payload the library takes ownership of. The CPU
// accelerator of LiteRT 2.3 reads its options from the payload "xnnpack" as TOML text
// ("num_threads = 2"), the same text the wheel's Python binding writes.
using CreateOpaqueOptionsFn = Status (*)(const char* identifier, void* payload, void (*destroy_payload)(void*),
                                         OpaqueOptions* options);
using AddOpaqueOptionsFn = Status (*)(Options, OpaqueOptions);  // Options takes ownership
using DestroyOpaqueOptionsFn = void (*)(OpaqueOptions);
constexpr const char* kCpuOptionsIdentifier = "xnnpack";
using CreateCompiledModelFn = Status (*)(Environment, Model, Options, CompiledModel* compiled);
using DestroyCompiledModelFn = void (*)(CompiledModel);
using GetCompiledModelBufferRequirementsFn = Status (*)(CompiledModel, ParamIndex signature,
                                                        ParamIndex index,
                                                        TensorBufferRequirements* requirements);
using GetTensorBufferRequirementsBufferSizeFn = Status (*)(TensorBufferRequirements, size_t* size);
using CompiledModelIsFullyAcceleratedFn = Status (*)(CompiledModel, bool* fully_accelerated);
using CreateTensorBufferFromHostMemoryFn = Status (*)(const RankedTensorType* type, void* host,
                                                      size_t size, void (*deallocator)(void*),
                                                      TensorBuffer* buffer);
using DestroyTensorBufferFn = void (*)(TensorBuffer);
using RunCompiledModelFn = Status (*)(CompiledModel, ParamIndex signature, size_t num_inputs,
                                      TensorBuffer* inputs, size_t num_outputs,
                                      TensorBuffer* outputs);

// The compiled model's profiler (LiteRT 2.3's litert_profiler.h). It exists only when the
// options carry runtime options saying "enable_profiling = true": the payload "runtime_options_string",
// TOML text like the CPU accelerator's (LiteRtRuntimeOptionsT, litert_runtime_options.cc). With it
// the interpreter reports its ops and XNNPACK its own, per op of its runtime.
constexpr const char* kRuntimeOptionsIdentifier = "runtime_options_string";
using CompiledModelGetProfilerFn = Status (*)(CompiledModel, Profiler* profiler);  // the model owns it
// Start discards what was recorded and records from then on; stop keeps what was recorded.
using StartProfilerFn = Status (*)(Profiler);
using StopProfilerFn = Status (*)(Profiler);
using ResetProfilerFn = Status (*)(Profiler);
using GetNumProfilerEventsFn = Status (*)(Profiler, int* count);

// tflite::Profiler::EventType, as LiteRtProfilerEventType declares it.
enum class ProfilerEventType : int {
  kDefault = 1,                         // LiteRT's own spans: "Invoke", "LiteRT::Run[...]"
  kOperatorInvoke = 2,                  // a TFLite node (the XNNPACK delegate's node among them)
  kDelegateOperatorInvoke = 4,          // a delegate-internal op (its own section)
  kDelegateProfiledOperatorInvoke = 8,  // a delegate op reported as an operator: XNNPACK's
  kGeneralRuntimeInstrumentation = 16,
};

// tflite::profiling::memory::MemoryUsage, which the profiler samples at each begin and end.
struct MemoryUsage {
  int64_t footprint_kb;
  size_t total_allocated_bytes;
  size_t in_use_allocated_bytes;
};

// ProfiledEventSource.
enum class ProfiledEventSource : int { kLiteRt = 0, kInterpreter = 1, kDelegate = 2 };

// ProfiledEventData, copied out by LiteRtGetProfilerEvents. `tag` is owned by the profiler and
// lives as long as it does. Times in microseconds: `start_us` is 0 for an event reported with
// its duration only (XNNPACK's), `elapsed_us` is the duration.
struct ProfiledEvent {
  const char* tag;
  ProfilerEventType event_type;
  uint64_t start_us;
  uint64_t elapsed_us;
  MemoryUsage begin_memory;
  MemoryUsage end_memory;
  uint64_t metadata1;  // the node or XNNPACK op index
  uint64_t metadata2;  // the subgraph index
  ProfiledEventSource source;
};
static_assert(sizeof(ProfiledEvent) == 104, "ProfiledEventData of LiteRT 2.3 is 104 bytes on x86-64");
static_assert(offsetof(ProfiledEvent, source) == 96);

// Copies the recorded events into `events`, which holds `count` (at least the number recorded).
using GetProfilerEventsFn = Status (*)(Profiler, int count, ProfiledEvent* events);
// The profile as text, in the interpreter's op-profiling summary format; the caller free()s it.
using GetProfileSummaryFn = Status (*)(Profiler, CompiledModel, const char** summary);

// Host buffers handed to the library must be aligned to this (LITERT_HOST_MEMORY_BUFFER_ALIGNMENT).
constexpr size_t kHostMemoryAlignment = 64;

}  // namespace inferbench::litert_c
