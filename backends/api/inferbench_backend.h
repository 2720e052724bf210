/* SPDX-License-Identifier: Apache-2.0 */
/* The C ABI between the inferbench worker and a backend plugin: the only header a plugin
 * includes. Plain C so that plugins stay independent of our compiler flags and of each SDK's
 * C++ runtime.
 *
 * A plugin is a shared library `libinferbench_backend_<name>.so` exporting one function,
 * `inferbench_backend_entry`, which returns a table of functions. The exported symbol is the
 * registration: nothing happens in static initialisers. The worker refuses a table whose
 * `api_version` differs from IB_BACKEND_API_VERSION, naming both.
 *
 * Errors: every call that can fail returns an ib_status; on failure the plugin's message is
 * read with `last_error()` (a string the plugin owns, valid until its next call). No C++
 * exception ever crosses this boundary.
 *
 * Threads: the worker calls a plugin from one thread, with one exception: the request-slot
 * calls (set_request_samples, stage_request_samples, start_request, wait_request) for *different*
 * slots may come from
 * different threads at the same time (the serving scenarios run one dispatcher thread per
 * slot). Calls for one slot never overlap, and a slot is never used while run() is running.
 *
 * Timing: a plugin never times itself. The worker times prepare() as compile time, and
 * run() + sync() per iteration. set_input(), run(), sync() must not allocate, log or do I/O
 * after the first call: they are the timed path. */
#ifndef INFERBENCH_BACKEND_H_
#define INFERBENCH_BACKEND_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2: variants (ib_variant_info, ib_prepare_args.variant) and the optional device-side
 * measurements (record_device_times, device_times, peak_device_memory).
 * 3: request slots for serving: ib_prepare_args.requests, set_request_samples, and the
 * threading rule above.
 * 4: per-operator profiles: ib_prepare_args.profile, ib_profile_op, profile_begin, profile_end.
 * 5: stage_request_samples, the next batch written while the slot computes. */
#define IB_BACKEND_API_VERSION 5u

typedef enum ib_status {
  IB_OK = 0,
  IB_ERROR_UNAVAILABLE = 1,     /* device/precision/SDK not usable here */
  IB_ERROR_INVALID_ARGUMENT = 2, /* an option or shape the plugin rejects */
  IB_ERROR_INPUT = 3,           /* the artefact is missing or malformed */
  IB_ERROR_BACKEND = 4,         /* the framework reported an error */
} ib_status;

/* One option a plugin accepts through --backend-option KEY=VALUE. */
typedef struct ib_option_desc {
  const char* name;          /* "ov_hint" */
  const char* type;          /* "int" | "bool" | "string" | "enum:a|b|c" */
  const char* default_value; /* as text */
  const char* doc;           /* one line */
} ib_option_desc;

typedef struct ib_key_value {
  const char* key;
  const char* value;
} ib_key_value;

/* One way of running the model, for a plugin that offers several: LibTorch runs a frozen
 * TorchScript module, the same module replayed in a CUDA graph, or an AOTInductor package. Each
 * variant gives rows of its own, named by `framework`, and is selected on the command line as
 * `--backends <plugin>:<name>`. All strings are owned by the plugin and live as long as the
 * library is loaded. */
typedef struct ib_variant_info {
  const char* name;              /* "aoti": recorded in every row of this variant */
  const char* framework;         /* table label of its rows, "PyTorch (AOTInductor)" */
  const char* targets;           /* comma list of the device:precision pairs it runs:
                                    "cpu:fp32,cpu:bf16,cuda:fp16" */
  const char* artefact_format;   /* exporter --format of what it loads, "aoti" */
  const char* artefact_suffixes; /* comma list of file suffixes it loads: ".pt2" */
  const char* doc;               /* one line: what runs */
} ib_variant_info;

/* Static facts about the plugin; answering must not touch a device. All strings are owned by
 * the plugin and live as long as the library is loaded. */
typedef struct ib_backend_info {
  const char* name;              /* plugin name, "torch" */
  const char* framework;         /* table name, "PyTorch (Native)" */
  const char* framework_version; /* SDK version the plugin was built against / loaded */
  const char* devices;           /* comma list: "cpu,cuda" */
  const char* precisions;        /* comma list: "fp32,fp16" */
  const char* artefact_format;   /* "torchscript" | "openvino-ir" | "pte" | "tflite" ... */
  const char* artefact_suffixes; /* comma list of file suffixes it loads: ".pt,.ts" */
  /* Comma list of the scenarios a run measures for this backend when --scenarios is not given:
   * "sync", and "async" where the framework's own API is asynchronous (OpenVINO). A plugin with
   * request slots (request_slots, start_request, wait_request, set_request_samples) runs async
   * and LoadGen's single-stream, multi-stream, server and offline scenarios whenever asked. */
  const char* scenarios;
  const ib_option_desc* options;
  size_t num_options;
  /* The plugin's variants; NULL and 0 for a plugin that runs one way only, whose rows are named
   * by `framework` and whose targets are every pair of `devices` and `precisions`. With
   * variants, `framework` names the framework as a whole ("PyTorch") and `devices`,
   * `precisions`, `artefact_suffixes` are the unions over the variants. */
  const ib_variant_info* variants;
  size_t num_variants;
} ib_backend_info;

/* What prepare() is asked to build. Strings and arrays are borrowed for the call only. */
typedef struct ib_prepare_args {
  const char* artefact_path;
  const char* device;     /* one of info.devices */
  const char* precision;  /* one of info.precisions */
  int threads;            /* intra-op threads; 0 = the framework's default */
  const int64_t* input_shape; /* full input shape including batch, NCHW for image models */
  size_t input_rank;
  const ib_key_value* options; /* validated against info.options by the CLI */
  size_t num_options;
  /* The cell's scenario, so that a plugin can compile for latency or for throughput: "sync"
   * (one request, run() + sync() per iteration), "single-stream" (one request at a time, through
   * slot 0), or "async", "multi-stream", "server", "offline" (request_slots() requests in
   * flight). Appended after num_options so that plugins which ignore it keep their layout; NULL
   * means "sync". */
  const char* scenario;
  /* The name of one of info.variants, whose targets include device:precision; NULL for a
   * plugin without variants. */
  const char* variant;
  /* Request slots wanted (--requests): 0 = the plugin's recommendation for this device and
   * scenario; 1 for "sync" and "single-stream". request_slots() says what was made. */
  int requests;
  /* 1: build an instance that can be profiled (profile_begin / profile_end below), switching on
   * what the framework needs at compile time (OpenVINO's PERF_COUNT, LiteRT's profiler, an
   * ExecuTorch event tracer). Such an instance is never timed as a row: the worker prepares it
   * after the row's timed window, with scenario "sync" and one request. 0 otherwise. */
  int profile;
} ib_prepare_args;

/* One operator of a profiled inference, as the framework's own profiler reports it (profile_end).
 * Strings are owned by the plugin until its next profile_end() or destroy(); "" when unknown. */
typedef struct ib_profile_op {
  const char* name;     /* the framework's node name: a model layer ("features.3.conv.1.0",
                           "Conv_12") or the profiler's own ("Convolution (NHWC, F32) DWConv #7") */
  const char* op_type;  /* the framework's operator type: "Convolution", "aten::conv2d", "CONV_2D" */
  const char* kernel;   /* the implementation that ran: "jit_avx512_dw_f32", "mkldnn_convolution" */
  const char* fused;    /* comma list of the model's layers this op also executes, fused into it
                           ("Relu_3,Add_5"); "" when none or unknown */
  const char* shape;    /* the op's weight shape, else its first input's, as "[32,1,3,3]"; "" when
                           unknown. inferbench's category table reads it (depthwise, 1x1) */
  const char* category; /* one of inferbench's common categories (docs/metrics.md, "Where the time
                           goes") when the plugin knows better than the table; NULL otherwise */
  double time_ms;       /* wall time per inference, mean over the profiled runs */
  double start_ms;      /* mean start from the start of the inference; -1 when the framework
                           gives no start times */
  int in_delegate;      /* 1 ran inside a delegate (XNNPACK), 0 outside it, -1 no delegates */
  int on_device;        /* 1: device time (a GPU kernel); 0: host time */
} ib_profile_op;

typedef struct ib_backend ib_backend; /* opaque prepared model */

typedef struct ib_backend_api {
  uint32_t api_version; /* IB_BACKEND_API_VERSION */

  const ib_backend_info* (*describe)(void);

  /* Whether `device` can run here. Returns 1 if yes; 0 if not, with *reason set to a
   * plugin-owned one-line explanation ("no CUDA device visible"). */
  int (*is_available)(const char* device, const char** reason);

  /* Loads and compiles the artefact for device/precision; the worker times this call as
   * compile time. On success *out owns everything until destroy(). */
  ib_status (*prepare)(const ib_prepare_args* args, ib_backend** out);

  /* Copies `count` float32 values (the full batch, NCHW) into the model's input. Called
   * before warm-up; the input then stays resident across iterations. `data` is borrowed. */
  ib_status (*set_input)(ib_backend* b, const float* data, size_t count);

  /* One inference of the whole batch. May return before an asynchronous device finishes. */
  ib_status (*run)(ib_backend* b);

  /* Waits until the device has finished the last run(). */
  ib_status (*sync)(ib_backend* b);

  /* Host copy of output 0 as float32, valid until the next run() or destroy(). */
  ib_status (*output)(ib_backend* b, const float** data, size_t* count,
                      const int64_t** shape, size_t* rank);

  /* What actually ran, as key/value text pairs ("threads" -> "2", "target_hardware" ->
   * "Intel Xeon ... AVX-512"), valid until destroy(). Keys: see backends/README.md. */
  ib_status (*effective)(ib_backend* b, const ib_key_value** pairs, size_t* count);

  /* Optional request slots (scenario "async" and the LoadGen scenarios); all NULL when
   * unsupported, together with set_request_samples below. request_slots() says how many
   * requests can be in flight after prepare() (ib_prepare_args.requests, or the plugin's
   * recommendation: OpenVINO's optimal_number_of_infer_requests). Each slot owns its own copy of
   * the model's input and output (and, where the framework needs one, its own execution context:
   * an infer request, a loaded method, a compiled model, a CUDA stream). start_request(slot)
   * submits one inference of the whole batch on request `slot` (0 <= slot < request_slots())
   * and returns at once; wait_request(slot) blocks until that request has finished, its output
   * in host-readable memory. The worker timestamps both sides, so the plugin still never times
   * itself. A slot reads the input given by set_input() (the plugin copies it into every slot)
   * until set_request_samples() gives it other samples. */
  int (*request_slots)(ib_backend* b);
  ib_status (*start_request)(ib_backend* b, int slot);
  ib_status (*wait_request)(ib_backend* b, int slot);

  /* The message of the last failed call on this thread; plugin-owned. */
  const char* (*last_error)(void);

  void (*destroy)(ib_backend* b);

  /* Optional measurements the device makes itself (a GPU's own event timestamps and its
   * allocator's statistics); all three NULL for a plugin without them. Each returns
   * IB_ERROR_UNAVAILABLE when the prepared device has no such measurement (a CPU), and the row
   * then has none. The worker calls them outside the timed window only.
   *
   * record_device_times(count) is called once after set_input() and before the first run():
   * from then on the plugin records a device timestamp before and after the work of every
   * run() (on the device's own stream, never with a host clock), keeping the last `count` runs.
   * Everything it needs is allocated here, so that run() stays free of allocation.
   *
   * device_times() is called after the timed loop: milliseconds of device time of the last
   * min(count, runs so far) run() calls, oldest first, in an array the plugin owns until its
   * next call or destroy(). The worker matches the last of them to its timed iterations.
   *
   * peak_device_memory() is called after the timed loop: the most device memory the framework
   * had allocated at any point since prepare() began, in MiB. */
  ib_status (*record_device_times)(ib_backend* b, size_t count);
  ib_status (*device_times)(ib_backend* b, const double** ms, size_t* count);
  ib_status (*peak_device_memory)(ib_backend* b, double* mib);

  /* Request slots, continued (API version 3): copies `n` samples (1 <= n <= the batch), each
   * `sample_values` float32 values in the sample layout of set_input() (CHW for image models),
   * into rows 0..n-1 of slot `slot`'s input, for its next start_request(). Rows n.. keep what
   * they held: a partial batch on a fixed-shape model is padded with earlier samples, whose
   * outputs nobody reads. `samples` and what it points to are borrowed for the call. This is the
   * serving path (a dispatcher gathering queued requests into a batch): no allocation, logging
   * or I/O. NULL exactly when the request slots are. */
  ib_status (*set_request_samples)(ib_backend* b, int slot, const float* const* samples, size_t n,
                                   size_t sample_values);

  /* Per-operator profiles (API version 4); both NULL for a plugin without them. Called only on
   * an instance prepared with ib_prepare_args.profile = 1, after set_input() and its warm-up:
   * profile_begin() discards whatever the profiler has recorded so far and starts collecting;
   * the worker then calls run() + sync() `runs` times and profile_end() stops collecting.
   * profile_begin() returns IB_ERROR_UNAVAILABLE, last_error() saying why, when this instance
   * has no per-operator events (a CUDA-graph replay, an AOTInductor package without profile
   * markers): the row then says so, which is never a failure.
   *
   * profile_end() returns one entry per executed operator (a fused node once), in execution
   * order, each with its mean time per run, and `facts`: key/value text about the profile,
   *   "source"   the profiler ("OpenVINO performance counters (PERF_COUNT)"),
   *   "timeline" "measured" when start_ms comes from the framework, "synthesized" when not,
   *   "coverage" what the op times leave out of an inference, or count twice (threads, framework
   *              overhead between ops, ops under the profiler's resolution),
   *   "native_trace" the path of the framework's own trace, written into `native_dir` (a folder
   *              that exists) when the framework writes one (Kineto's JSON, an ETDump .etdp);
   *              `native_dir` may be NULL, and nothing is written.
   * Arrays and strings are plugin-owned until the next profile_end() or destroy(). */
  ib_status (*profile_begin)(ib_backend* b);
  ib_status (*profile_end)(ib_backend* b, size_t runs, const char* native_dir, const ib_profile_op** ops,
                           size_t* count, const ib_key_value** facts, size_t* num_facts);

  /* Request slots, continued (API version 5); NULL for a plugin that keeps one input per slot.
   * Like set_request_samples(), into the slot's *standby* input, and allowed while the slot's
   * request is in flight (from the thread that starts and waits that slot): the next
   * start_request(slot) runs on the staged samples, and the input it ran on before becomes the
   * standby one. So a dispatcher with one request in flight writes the next batch while the
   * current one computes, instead of between the two. Rows n.. of the staged input hold earlier
   * samples, as with set_request_samples(). A later set_request_samples() before that
   * start_request() discards what was staged. IB_ERROR_UNAVAILABLE, last_error() saying why,
   * when this instance cannot stage: the worker then gives every batch with
   * set_request_samples(). No allocation, logging or I/O. */
  ib_status (*stage_request_samples)(ib_backend* b, int slot, const float* const* samples, size_t n,
                                     size_t sample_values);
} ib_backend_api;

#define IB_BACKEND_ENTRY_SYMBOL "inferbench_backend_entry"
typedef const ib_backend_api* (*ib_backend_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* INFERBENCH_BACKEND_H_ */
