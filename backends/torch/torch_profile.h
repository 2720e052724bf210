// SPDX-License-Identifier: Apache-2.0
// Per-operator profiles of the torch plugin from the PyTorch profiler (Kineto): the markers the
// plugin puts around the nodes of a TorchScript graph, and the reading of a profiled window's
// events into inferbench's operator records.
#pragma once

#include <torch/csrc/autograd/profiler_kineto.h>
#include <torch/csrc/jit/ir/ir.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "backends/api/backend_helper.h"

namespace inferbench::torch_profile {

// One node of a TorchScript graph with a profiler marker around it, as the graph describes it
// before anything runs.
struct MarkedNode {
  std::string marker;   // the marker's name, which the profiler records; unique in the graph
  std::string name;     // the model layer of its weight ("features.3.conv.1.0"), else "<kind> #k"
  std::string op_type;  // the node's kind: "prim::mkldnn_convolution", "aten::add_"
  std::string shape;    // its constant weight's shape, "[32,1,3,3]"; "" when it has none
  std::string fused;    // what freezing folded into its weight ("batch_norm"), "" when nothing
  std::string kernel;   // the implementation, when no nested profiler event names it
};

// Puts a profiler marker (profiler::_record_function_enter_new / _record_function_exit, what
// torch.autograd.profiler.record_function compiles to) around every node of `graph` that does
// work, and returns them in graph order. Why: the TorchScript interpreter records an event only
// for operators called through the dispatcher, and optimize_for_inference turns convolutions and
// activations into JIT operators (prim::mkldnn_convolution, prim::MKLDNNHardTanh_) that bypass
// it, so without markers the profiler sees neither. Only a profiling instance is marked, before
// its first run; the markers cost two dispatcher calls per node.
std::vector<MarkedNode> mark_graph_nodes(torch::jit::Graph& graph);

// Starts the profiler on the calling thread: CPU operators, and with `cuda` the CUDA kernels and
// copies (CUPTI), each linked to the operator that launched it. prepareProfiler runs first, so
// that Kineto's start-up is not in the profiled runs.
void start(bool cuda);

// Stops the profiler started by start(); returns what it recorded.
std::unique_ptr<torch::autograd::profiler::ProfilerResult> stop();

// Turns the events of `runs` inferences into one record per operator in execution order, each
// with its mean time per run and its mean start from the run's start. `marked`: the markers of a
// TorchScript graph (mark_graph_nodes), whose events are the operators; null for an AOTInductor
// package, whose operators are the events its kernel profile markers record (every kernel and
// ATen call; the wrapper's own allocations are left out). On CUDA an operator's time is the device
// time of the kernels and copies it launched, its mean over the runs whose device records came
// back; `missing_device_runs` counts an operator's runs that had none (CUPTI drops records when
// its buffers fill), 0 on the CPU. IB_OK with `ops` filled, IB_ERROR_UNAVAILABLE when no
// operator event was recorded, IB_ERROR_BACKEND when the runs did not execute the same operators
// (last_error says which).
ib_status read_ops(const torch::autograd::profiler::ProfilerResult& result, size_t runs,
                   const std::vector<MarkedNode>* marked, std::vector<plugin::ProfileOp>& ops,
                   size_t& missing_device_runs);

}  // namespace inferbench::torch_profile
