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
 * Threads: the worker calls a plugin from one thread only.
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

#define IB_BACKEND_API_VERSION 1u

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
  const char* scenarios;         /* comma list: "sync" and, with start/wait_request, "async" */
  const ib_option_desc* options;
  size_t num_options;
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
  /* "sync" (one request, run() + sync() per iteration) or "async" (request_slots() requests
   * in flight): lets a plugin compile for latency or for throughput. Appended after
   * num_options so that plugins which ignore it keep their layout; NULL means "sync". */
  const char* scenario;
} ib_prepare_args;

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

  /* Optional asynchronous path (scenario "async"); all three NULL when unsupported.
   * request_slots() says how many requests can be in flight after prepare() (for example
   * OpenVINO's optimal_number_of_infer_requests). start_request(slot) submits one inference of
   * the whole batch on request `slot` (0 <= slot < request_slots()) and returns at once;
   * wait_request(slot) blocks until that request has finished. The worker timestamps both
   * sides, so the plugin still never times itself. Each slot reads the input given by
   * set_input() (the plugin copies it into every request's buffer). */
  int (*request_slots)(ib_backend* b);
  ib_status (*start_request)(ib_backend* b, int slot);
  ib_status (*wait_request)(ib_backend* b, int slot);

  /* The message of the last failed call on this thread; plugin-owned. */
  const char* (*last_error)(void);

  void (*destroy)(ib_backend* b);
} ib_backend_api;

#define IB_BACKEND_ENTRY_SYMBOL "inferbench_backend_entry"
typedef const ib_backend_api* (*ib_backend_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* INFERBENCH_BACKEND_H_ */
