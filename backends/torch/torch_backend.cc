// SPDX-License-Identifier: Apache-2.0
// LibTorch plugin: a traced TorchScript module, frozen and optimised for inference, on the CPU
// in FP32 — what "PyTorch native" means from C++ (see README.md for what compile time covers).
#include <torch/script.h>
#include <torch/torch.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>

#include <memory>
#include <string>
#include <vector>

#include "backends/api/backend_helper.h"

namespace {

using inferbench::plugin::fail;
using inferbench::plugin::guarded;

// Runs of the profiling executor that the compile timer includes: the first run records
// shapes, the second builds the specialised graph. Later runs use it.
constexpr int kSpecialisationRuns = 2;

const ib_backend_info kInfo = {
    "torch",
    "PyTorch (Native)",
#ifdef IB_TORCH_VERSION
    IB_TORCH_VERSION,
#else
    "unknown",
#endif
    "cpu",
    "fp32",
    "torchscript",
    ".pt,.ts,.torchscript",
    "sync",
    nullptr,
    0,
};

}  // namespace

struct ib_backend {
  torch::jit::Module module;
  at::Tensor input;
  std::vector<torch::jit::IValue> inputs;
  at::Tensor result;
  at::Tensor host_output;
  std::vector<int64_t> output_shape;
  inferbench::plugin::KeyValues effective;
};

namespace {

const ib_backend_info* describe() { return &kInfo; }

int is_available(const char* device, const char** reason) {
  if (std::string(device) == "cpu") return 1;
  *reason = "this torch plugin runs on cpu only";
  return 0;
}

ib_status prepare(const ib_prepare_args* args, ib_backend** out) {
  return guarded([&]() -> ib_status {
    if (std::string(args->device) != "cpu" || std::string(args->precision) != "fp32") {
      return fail(IB_ERROR_UNAVAILABLE, std::string("torch plugin runs cpu fp32, not ") +
                                            args->device + " " + args->precision);
    }
    if (args->threads > 0) at::set_num_threads(args->threads);
    c10::InferenceMode inference;
    auto b = std::make_unique<ib_backend>();
    try {
      b->module = torch::jit::load(args->artefact_path, torch::kCPU);
    } catch (const c10::Error& e) {
      std::string what = e.what_without_backtrace();
      if (auto eol = what.find('\n'); eol != std::string::npos) what.resize(eol);
      return fail(IB_ERROR_INPUT, std::string("cannot load TorchScript file ") + args->artefact_path +
                                      ": " + what);
    }
    b->module.eval();
    b->module = torch::jit::freeze(b->module);
    b->module = torch::jit::optimize_for_inference(b->module);
    std::vector<int64_t> shape(args->input_shape, args->input_shape + args->input_rank);
    b->input = torch::zeros(shape, torch::kFloat32);
    b->inputs = {b->input};
    for (int i = 0; i < kSpecialisationRuns; ++i) b->result = b->module.forward(b->inputs).toTensor();
    b->effective.set("threads", std::to_string(at::get_num_threads()));
    b->effective.set("isa", "ATen " + at::get_cpu_capability());
    b->effective.set("graph", "TorchScript trace, frozen, optimize_for_inference");
    b->effective.set("mkldnn", at::hasMKLDNN() ? "yes" : "no");
    *out = b.release();
    return IB_OK;
  });
}

ib_status set_input(ib_backend* b, const float* data, size_t count) {
  return guarded([&]() -> ib_status {
    if (count != static_cast<size_t>(b->input.numel())) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "input has " + std::to_string(count) +
                                                 " values, model input " + std::to_string(b->input.numel()));
    }
    std::memcpy(b->input.data_ptr<float>(), data, count * sizeof(float));
    return IB_OK;
  });
}

ib_status run(ib_backend* b) {
  return guarded([&]() -> ib_status {
    c10::InferenceMode inference;
    b->result = b->module.forward(b->inputs).toTensor();
    return IB_OK;
  });
}

ib_status sync(ib_backend*) { return IB_OK; }  // CPU execution is synchronous

ib_status output(ib_backend* b, const float** data, size_t* count, const int64_t** shape,
                 size_t* rank) {
  return guarded([&]() -> ib_status {
    b->host_output = b->result.to(torch::kCPU, torch::kFloat32).contiguous();
    b->output_shape.assign(b->host_output.sizes().begin(), b->host_output.sizes().end());
    *data = b->host_output.data_ptr<float>();
    *count = static_cast<size_t>(b->host_output.numel());
    *shape = b->output_shape.data();
    *rank = b->output_shape.size();
    return IB_OK;
  });
}

ib_status effective(ib_backend* b, const ib_key_value** pairs, size_t* count) {
  *pairs = b->effective.data();
  *count = b->effective.size();
  return IB_OK;
}

void destroy(ib_backend* b) { delete b; }

const ib_backend_api kApi = {
    IB_BACKEND_API_VERSION, describe, is_available, prepare, set_input, run, sync, output,
    effective, nullptr, nullptr, nullptr, inferbench::plugin::last_error, destroy,
};

}  // namespace

IB_PLUGIN_EXPORT const ib_backend_api* inferbench_backend_entry(void) { return &kApi; }
