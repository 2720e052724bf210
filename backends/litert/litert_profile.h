// SPDX-License-Identifier: Apache-2.0
// The per-operator profile of the litert plugin: the model's graph read once at prepare, and the
// LiteRT profiler's events of the profiled runs turned into one record per executed operator.
#pragma once

#include <string>
#include <vector>

#include "backends/api/backend_helper.h"
#include "backends/litert/litert_c_api.h"
#include "backends/litert/litert_library.h"

namespace inferbench::litert_c {

// One TFLite node of the model, as a profile names the operator that executes it.
struct ModelNode {
  int code = -1;           // TFLite BuiltinOperator
  std::string op_type;     // "CONV_2D"
  std::string layer;       // the model layer it computes, from its output tensor's name
  std::string fused;       // comma list of the other layers that name lists (activation, batch norm)
  std::string shape;       // weight shape in PyTorch's OIHW order ("[32,1,3,3]"), else input 0's
  bool pointwise = false;  // a CONV_2D with a 1x1 kernel
};

// The nodes of `signature`'s subgraph in execution order; empty when the graph cannot be read
// (the profile then names operators by XNNPACK's names alone).
std::vector<ModelNode> read_model_nodes(const Library& lib, Signature signature);

// The events of the profiled window (LiteRtGetProfilerEvents, in recording order) as one record
// per executed operator, in execution order, each with its mean time over the complete runs
// recorded. `runs` is how many the worker ran; `facts` gets "source", "timeline" and "coverage".
// IB_ERROR_BACKEND, with the reason, when the events hold no complete run or runs that differ.
ib_status build_profile(const std::vector<ProfiledEvent>& events, size_t runs, const std::vector<ModelNode>& nodes,
                        std::vector<plugin::ProfileOp>* ops, plugin::KeyValues* facts);

}  // namespace inferbench::litert_c
