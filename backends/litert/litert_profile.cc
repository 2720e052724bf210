// SPDX-License-Identifier: Apache-2.0
#include "backends/litert/litert_profile.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace inferbench::litert_c {
namespace {

using plugin::ProfileOp;

// TFLite BuiltinOperator values (schema.fbs) of the operators this file names or matches.
enum Builtin : int {
  kAdd = 0,
  kAveragePool2d = 1,
  kConcatenation = 2,
  kConv2d = 3,
  kDepthwiseConv2d = 4,
  kDequantize = 6,
  kFullyConnected = 9,
  kLogistic = 14,
  kMaxPool2d = 17,
  kMul = 18,
  kRelu = 19,
  kReluN1To1 = 20,
  kRelu6 = 21,
  kReshape = 22,
  kResizeBilinear = 23,
  kSoftmax = 25,
  kTanh = 28,
  kPad = 34,
  kTranspose = 39,
  kMean = 40,
  kSub = 41,
  kDiv = 42,
  kSqueeze = 43,
  kStridedSlice = 45,
  kMaximum = 55,
  kMinimum = 57,
  kPadV2 = 60,
  kSlice = 65,
  kTransposeConv = 67,
  kSum = 74,
  kLeakyRelu = 98,
  kQuantize = 114,
  kHardSwish = 117,
  kBatchMatmul = 126,
  kGelu = 150,
  kRelu0To1 = 152,
};

std::string builtin_name(int code) {
  switch (code) {
    case kAdd: return "ADD";
    case kAveragePool2d: return "AVERAGE_POOL_2D";
    case kConcatenation: return "CONCATENATION";
    case kConv2d: return "CONV_2D";
    case kDepthwiseConv2d: return "DEPTHWISE_CONV_2D";
    case kDequantize: return "DEQUANTIZE";
    case kFullyConnected: return "FULLY_CONNECTED";
    case kLogistic: return "LOGISTIC";
    case kMaxPool2d: return "MAX_POOL_2D";
    case kMul: return "MUL";
    case kRelu: return "RELU";
    case kReluN1To1: return "RELU_N1_TO_1";
    case kRelu6: return "RELU6";
    case kReshape: return "RESHAPE";
    case kResizeBilinear: return "RESIZE_BILINEAR";
    case kSoftmax: return "SOFTMAX";
    case kTanh: return "TANH";
    case kPad: return "PAD";
    case kTranspose: return "TRANSPOSE";
    case kMean: return "MEAN";
    case kSub: return "SUB";
    case kDiv: return "DIV";
    case kSqueeze: return "SQUEEZE";
    case kStridedSlice: return "STRIDED_SLICE";
    case kMaximum: return "MAXIMUM";
    case kMinimum: return "MINIMUM";
    case kPadV2: return "PADV2";
    case kSlice: return "SLICE";
    case kTransposeConv: return "TRANSPOSE_CONV";
    case kSum: return "SUM";
    case kLeakyRelu: return "LEAKY_RELU";
    case kQuantize: return "QUANTIZE";
    case kHardSwish: return "HARD_SWISH";
    case kBatchMatmul: return "BATCH_MATMUL";
    case kGelu: return "GELU";
    case kRelu0To1: return "RELU_0_TO_1";
    default: return "BUILTIN_" + std::to_string(code);
  }
}

bool is_clamp(int code) { return code == kRelu || code == kRelu6 || code == kReluN1To1 || code == kRelu0To1; }

// Nodes XNNPACK runs without an operator of their own: a padding folded into the convolution
// after it, a reshape that only renames the tensor, a clamp folded into the operator before it.
bool may_vanish(int code) {
  return code == kPad || code == kPadV2 || code == kReshape || code == kSqueeze || is_clamp(code);
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// Whether XNNPACK's operator `kernel` ("Convolution (NHWC, F32) IGEMM") can be the execution of a
// TFLite node `code`. XNNPACK runs 1x1 convolutions as "Fully Connected", so that name matches
// both. An XNNPACK name not listed here matches nothing, and its operator keeps XNNPACK's name.
bool executes(std::string_view kernel, int code) {
  if (starts_with(kernel, "Convolution")) return code == kConv2d || code == kDepthwiseConv2d;
  if (starts_with(kernel, "Deconvolution")) return code == kTransposeConv;
  if (starts_with(kernel, "Fully Connected")) return code == kFullyConnected || code == kConv2d || code == kBatchMatmul;
  if (starts_with(kernel, "Batch Matrix Multiply")) return code == kBatchMatmul || code == kFullyConnected;
  if (starts_with(kernel, "Add")) return code == kAdd;
  if (starts_with(kernel, "Multiply")) return code == kMul;
  if (starts_with(kernel, "Subtract")) return code == kSub;
  if (starts_with(kernel, "Divide")) return code == kDiv;
  if (starts_with(kernel, "Maximum")) return code == kMaximum;
  if (starts_with(kernel, "Minimum")) return code == kMinimum;
  if (starts_with(kernel, "Mean") || starts_with(kernel, "Sum") || starts_with(kernel, "Global Average Pooling") ||
      starts_with(kernel, "Average Pooling")) {
    return code == kMean || code == kSum || code == kAveragePool2d;
  }
  if (starts_with(kernel, "Max Pooling")) return code == kMaxPool2d;
  if (starts_with(kernel, "Transpose")) return code == kTranspose;
  if (starts_with(kernel, "Copy")) return code == kReshape || code == kSqueeze;
  if (starts_with(kernel, "Constant Pad")) return code == kPad || code == kPadV2;
  if (starts_with(kernel, "Concatenate")) return code == kConcatenation;
  if (starts_with(kernel, "Slice")) return code == kSlice || code == kStridedSlice;
  if (starts_with(kernel, "Resize Bilinear")) return code == kResizeBilinear;
  if (starts_with(kernel, "Convert")) return code == kQuantize || code == kDequantize;
  if (starts_with(kernel, "Clamp")) return is_clamp(code);
  if (starts_with(kernel, "HardSwish")) return code == kHardSwish;
  if (starts_with(kernel, "Sigmoid")) return code == kLogistic;
  if (starts_with(kernel, "Softmax")) return code == kSoftmax;
  if (starts_with(kernel, "Tanh")) return code == kTanh;
  if (starts_with(kernel, "GELU")) return code == kGelu;
  if (starts_with(kernel, "Leaky ReLU")) return code == kLeakyRelu;
  return false;
}

// inferbench's category of a TFLite node; "" where its table knows as well.
std::string node_category(const ModelNode& node) {
  switch (node.code) {
    case kConv2d: return node.pointwise ? "pointwise_convolution" : "convolution";
    case kDepthwiseConv2d: return "depthwise_convolution";
    case kTransposeConv: return "convolution";
    case kFullyConnected:
    case kBatchMatmul: return "matmul";
    case kMean:
    case kSum:
    case kAveragePool2d:
    case kMaxPool2d: return "pooling";
    case kAdd:
    case kMul:
    case kSub:
    case kDiv:
    case kMaximum:
    case kMinimum: return "elementwise";
    case kHardSwish:
    case kLogistic:
    case kTanh:
    case kGelu:
    case kLeakyRelu:
    case kSoftmax:
    case kRelu:
    case kRelu6:
    case kReluN1To1:
    case kRelu0To1: return "activation";
    case kTranspose:
    case kReshape:
    case kSqueeze:
    case kPad:
    case kPadV2:
    case kConcatenation:
    case kSlice:
    case kStridedSlice: return "layout";
    case kQuantize:
    case kDequantize: return "quantize";
    default: return "";
  }
}

// The category of an XNNPACK operator that no node could be matched to, from its name alone;
// "" where the name does not say (a "Fully Connected" may be a 1x1 convolution or a matmul).
std::string kernel_category(std::string_view kernel) {
  if (contains(kernel, "DWConv")) return "depthwise_convolution";
  if (starts_with(kernel, "Convolution")) return contains(kernel, "IGEMM") ? "convolution" : "pointwise_convolution";
  if (starts_with(kernel, "Batch Matrix Multiply")) return "matmul";
  for (const char* p : {"Mean", "Sum", "Global Average Pooling", "Average Pooling", "Max Pooling"}) {
    if (starts_with(kernel, p)) return "pooling";
  }
  for (const char* p : {"Add", "Multiply", "Subtract", "Divide", "Maximum", "Minimum"}) {
    if (starts_with(kernel, p)) return "elementwise";
  }
  for (const char* p : {"Clamp", "HardSwish", "Sigmoid", "Tanh", "GELU", "Leaky ReLU", "Softmax"}) {
    if (starts_with(kernel, p)) return "activation";
  }
  for (const char* p : {"Copy", "Transpose", "Reshape", "Constant Pad", "Concatenate", "Slice"}) {
    if (starts_with(kernel, p)) return "layout";
  }
  for (const char* p : {"Convert", "Quantize", "Dequantize"}) {
    if (starts_with(kernel, p)) return "quantize";
  }
  return "";
}

// "torchvision.models.mobilenetv2.MobileNetV2/torch.nn.modules.container.Sequential_features/
// torchvision.models.mobilenetv2.InvertedResidual_1/torch.nn.modules.conv.Conv2d_0" -> "features.1.0":
// litert-torch names a tensor by the module path of the layer that made it, one component per
// module, each its Python class path, '_', and its attribute name in the parent; the attribute
// names joined with '.' are the layer's PyTorch name, the one the other frameworks' profiles show.
// The root module has no attribute and is left out. A component without a class path (a model
// converted from TensorFlow: "model/conv2d/Relu") is kept as it is.
std::string short_layer(std::string_view path) {
  std::string result;
  bool pytorch = false;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (const size_t dot = part.rfind('.'); dot != std::string_view::npos) {
      pytorch = true;
      part.remove_prefix(dot + 1);
      const size_t underscore = part.find('_');
      part = underscore == std::string_view::npos ? std::string_view() : part.substr(underscore + 1);
    }
    if (!part.empty()) {
      if (!result.empty()) result += pytorch ? '.' : '/';
      result += part;
    }
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return result;
}

// The layers a tensor name lists: the converter joins the locations of the ops fused into a
// node with ';' (its activation first, the defining layer last) and may end with an index.
std::vector<std::string> layers_of(std::string_view name) {
  std::vector<std::string> layers;
  while (true) {
    const size_t semicolon = name.find(';');
    const std::string_view part = name.substr(0, semicolon);
    const bool index =
        !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!part.empty() && !index) {
      std::string layer = short_layer(part);
      if (std::find(layers.begin(), layers.end(), layer) == layers.end()) layers.push_back(std::move(layer));
    }
    if (semicolon == std::string_view::npos) break;
    name.remove_prefix(semicolon + 1);
  }
  return layers;
}

// Whether the comma list `list` holds `item`.
bool listed(std::string_view list, std::string_view item) {
  while (true) {
    const size_t comma = list.find(',');
    if (list.substr(0, comma) == item) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

// Adds the comma list `items` to the comma list `list`, each item once.
void append_list(std::string* list, std::string_view items) {
  while (!items.empty()) {
    const size_t comma = items.find(',');
    const std::string_view item = items.substr(0, comma);
    if (!item.empty() && !listed(*list, item)) {
      if (!list->empty()) list->push_back(',');
      list->append(item);
    }
    if (comma == std::string_view::npos) break;
    items.remove_prefix(comma + 1);
  }
}

// A tensor's dimensions, or nothing when the library cannot give a ranked type. The type is read
// into a poisoned buffer, as the plugin reads its inputs, so that a layout mismatch shows.
std::vector<int64_t> dims_of(const Library& lib, Tensor tensor) {
  struct Guarded {
    RankedTensorType type;
    unsigned char canary[64];
  } guarded;
  std::memset(&guarded, 0xA5, sizeof guarded);
  if (lib.get_ranked_tensor_type(tensor, &guarded.type) != kStatusOk) return {};
  if (std::any_of(std::begin(guarded.canary), std::end(guarded.canary), [](unsigned char c) { return c != 0xA5; })) {
    return {};
  }
  const unsigned rank = guarded.type.layout.rank;
  if (rank > kMaxRank) return {};
  return std::vector<int64_t>(guarded.type.layout.dimensions, guarded.type.layout.dimensions + rank);
}

std::string shape_text(const std::vector<int64_t>& dims) { return dims.empty() ? "" : plugin::shape_text(dims); }

ModelNode read_node(const Library& lib, Op op, int code) {
  ModelNode node;
  node.code = code;
  node.op_type = builtin_name(code);
  ParamIndex outputs = 0;
  Tensor output = nullptr;
  const char* name = nullptr;
  if (lib.get_num_op_outputs(op, &outputs) == kStatusOk && outputs > 0 &&
      lib.get_op_output(op, 0, &output) == kStatusOk && lib.get_tensor_name(output, &name) == kStatusOk &&
      name != nullptr) {
    std::vector<std::string> layers = layers_of(name);
    if (!layers.empty()) {
      node.layer = layers.back();
      layers.pop_back();
      for (const std::string& layer : layers) append_list(&node.fused, layer);
    }
  }
  ParamIndex inputs = 0;
  if (lib.get_num_op_inputs(op, &inputs) != kStatusOk || inputs == 0) return node;
  // The weight is input 1 of a convolution or fully-connected node; TFLite keeps convolution
  // weights OHWI and depthwise ones 1HWC, written here in PyTorch's OIHW order so that the
  // shape reads the same in every framework's profile.
  const bool weighted = code == kConv2d || code == kDepthwiseConv2d || code == kFullyConnected;
  Tensor tensor = nullptr;
  if (lib.get_op_input(op, weighted && inputs > 1 ? 1 : 0, &tensor) != kStatusOk) return node;
  std::vector<int64_t> dims = dims_of(lib, tensor);
  if (code == kConv2d && dims.size() == 4) {
    node.pointwise = dims[1] == 1 && dims[2] == 1;
    dims = {dims[0], dims[3], dims[1], dims[2]};
  } else if (code == kDepthwiseConv2d && dims.size() == 4) {
    dims = {dims[3], dims[0], dims[1], dims[2]};
  }
  node.shape = shape_text(dims);
  return node;
}

// What one profiled inference recorded: its operators in order and the interpreter's Invoke span.
struct Run {
  std::vector<const ProfiledEvent*> ops;
  uint64_t invoke_us = 0;
  bool complete = false;
};

bool is_delegate_op(const ProfiledEvent& e) {
  return e.event_type == ProfilerEventType::kDelegateProfiledOperatorInvoke ||
         e.event_type == ProfilerEventType::kDelegateOperatorInvoke;
}

// The interpreter's own event for a delegate's node ("TfLiteXNNPackDelegate"): it spans the
// delegate's operators, which are reported one by one, so counting it would count them twice.
// LiteRT 2.3 leaves it out (XNNPACK declares per-operator profiling); older releases did not.
bool is_delegate_node(const ProfiledEvent& e) {
  const std::string_view tag = e.tag ? e.tag : "";
  return starts_with(tag, "TfLite") && tag.size() >= 8 && tag.substr(tag.size() - 8) == "Delegate";
}

std::string format_ms(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", ms);
  return text;
}

}  // namespace

std::vector<ModelNode> read_model_nodes(const Library& lib, Signature signature) {
  std::vector<ModelNode> nodes;
  Subgraph subgraph = nullptr;
  ParamIndex count = 0;
  if (lib.get_signature_subgraph(signature, &subgraph) != kStatusOk ||
      lib.get_num_subgraph_ops(subgraph, &count) != kStatusOk) {
    return {};
  }
  for (ParamIndex i = 0; i < count; ++i) {
    Op op = nullptr;
    int code = -1;
    if (lib.get_subgraph_op(subgraph, i, &op) != kStatusOk || lib.get_op_code(op, &code) != kStatusOk) return {};
    nodes.push_back(read_node(lib, op, code));
  }
  return nodes;
}

ib_status build_profile(const std::vector<ProfiledEvent>& events, size_t runs, const std::vector<ModelNode>& nodes,
                        std::vector<ProfileOp>* ops, plugin::KeyValues* facts) {
  // A run opens with LiteRT's "Invoke" span (a DEFAULT event, begun before the interpreter runs)
  // and closes with the interpreter's telemetry event of the same name, recorded after its last
  // operator. LiteRT 2.3 grows its 2048-event buffer as needed (40 MobileNetV2 runs recorded
  // 2840 events, all kept); a run that a profiler dropping events when full cut short has no
  // closing event and is left out.
  std::vector<Run> recorded;
  uint64_t litert_us = 0;  // LiteRT's spans around Invoke: buffer registration and sync
  for (const ProfiledEvent& e : events) {
    const std::string_view tag = e.tag ? e.tag : "";
    if (e.event_type == ProfilerEventType::kDefault) {
      if (tag == "Invoke") {
        recorded.push_back({});
        recorded.back().invoke_us = e.elapsed_us;
      } else {
        litert_us += e.elapsed_us;
      }
    } else if (e.event_type == ProfilerEventType::kOperatorInvoke || is_delegate_op(e)) {
      if (!recorded.empty() && !recorded.back().complete && !is_delegate_node(e)) recorded.back().ops.push_back(&e);
    } else if (static_cast<int>(e.event_type) >= 32 && tag == "Invoke" && !recorded.empty()) {
      recorded.back().complete = true;
    }
  }
  std::vector<const Run*> complete;
  for (const Run& run : recorded) {
    if (run.complete && !run.ops.empty()) complete.push_back(&run);
  }
  if (complete.empty()) {
    return plugin::fail(IB_ERROR_BACKEND, "the LiteRT profiler recorded no complete inference (" +
                                              std::to_string(events.size()) + " events over " + std::to_string(runs) +
                                              " runs)");
  }
  const Run& first = *complete.front();
  for (const Run* run : complete) {
    bool same = run->ops.size() == first.ops.size();
    for (size_t k = 0; same && k < first.ops.size(); ++k) same = std::strcmp(run->ops[k]->tag, first.ops[k]->tag) == 0;
    if (!same) {
      return plugin::fail(IB_ERROR_BACKEND, "the LiteRT profiler's runs executed different operators (" +
                                                std::to_string(first.ops.size()) + " and " +
                                                std::to_string(run->ops.size()) + "): no per-operator mean");
    }
  }
  const double n = static_cast<double>(complete.size());

  // Which node each operator executes. XNNPACK's events carry its own operator index only, so
  // its operators are matched to the graph's nodes in order, skipping nodes it runs without an
  // operator of their own; an operator outside the delegate names its node. An operator that
  // matches no node keeps XNNPACK's name, and matching goes on with the next.
  std::vector<const ModelNode*> node_of(first.ops.size(), nullptr);
  std::vector<std::string> absorbed(first.ops.size());
  std::string pending;  // layers of skipped nodes, for the operator after them
  size_t next = 0;
  auto skip = [&](size_t from, size_t to, size_t k) {
    for (size_t j = from; j < to; ++j) {
      const ModelNode& skipped = nodes[j];
      std::string layers = skipped.layer;
      append_list(&layers, skipped.fused);
      if (is_clamp(skipped.code) && k > 0) {
        append_list(&absorbed[k - 1], layers);
      } else {
        append_list(&pending, layers);
      }
    }
  };
  constexpr size_t kLookAhead = 4;
  for (size_t k = 0; k < first.ops.size(); ++k) {
    const ProfiledEvent& e = *first.ops[k];
    size_t match = nodes.size();
    if (e.event_type == ProfilerEventType::kOperatorInvoke) {
      if (e.metadata1 >= next && e.metadata1 < nodes.size()) match = e.metadata1;
    } else {
      for (size_t j = next; j < nodes.size() && j < next + kLookAhead; ++j) {
        if (executes(e.tag, nodes[j].code)) {
          match = j;
          break;
        }
        if (!may_vanish(nodes[j].code)) break;
      }
    }
    if (match == nodes.size()) continue;
    skip(next, match, k);
    node_of[k] = &nodes[match];
    absorbed[k] = pending;
    pending.clear();
    next = match + 1;
  }
  // Nodes left after the last match that XNNPACK ran without an operator belong to the last one.
  if (next > 0 &&
      std::all_of(nodes.begin() + next, nodes.end(), [](const ModelNode& m) { return may_vanish(m.code); })) {
    skip(next, nodes.size(), first.ops.size());
    if (!first.ops.empty()) append_list(&absorbed.back(), pending);
  }

  ops->clear();
  double sum_ms = 0;
  size_t outside = 0;
  size_t matched = 0;
  for (size_t k = 0; k < first.ops.size(); ++k) {
    const ProfiledEvent& e = *first.ops[k];
    uint64_t total_us = 0;
    for (const Run* run : complete) total_us += run->ops[k]->elapsed_us;
    ProfileOp op;
    const bool delegated = is_delegate_op(e);
    op.in_delegate = delegated ? 1 : 0;
    op.kernel = delegated ? e.tag : "TFLite built-in kernel";
    op.time_ms = static_cast<double>(total_us) / n / 1000.0;
    // XNNPACK reports durations only: the operators are laid end to end (facts "timeline").
    op.start_ms = sum_ms;
    sum_ms += op.time_ms;
    if (!delegated) ++outside;
    if (const ModelNode* node = node_of[k]) {
      ++matched;
      op.name = node->layer.empty() ? node->op_type + " #" + std::to_string(node - nodes.data()) : node->layer;
      op.op_type = node->op_type;
      std::string layers = op.name;  // the op's own layer, which its fused list must not repeat
      append_list(&layers, node->fused);
      append_list(&layers, absorbed[k]);
      op.fused = layers.substr(std::min(layers.size(), op.name.size() + 1));
      op.shape = node->shape;
      op.category = node_category(*node);
    } else {
      const std::string_view tag = e.tag;
      op.name = std::string(tag) + " #" + std::to_string(k);
      op.op_type = std::string(tag.substr(0, std::min(tag.find(" ("), tag.size())));
      op.category = delegated ? kernel_category(tag) : "";
    }
    ops->push_back(std::move(op));
  }

  uint64_t invoke_us = 0;
  for (const Run* run : complete) invoke_us += run->invoke_us;
  const double invoke_ms = static_cast<double>(invoke_us) / n / 1000.0;
  const double litert_ms = static_cast<double>(litert_us) / static_cast<double>(recorded.size()) / 1000.0;
  std::string coverage = "op times (XNNPACK's per-operator timers, whole microseconds, so operators under 1 us read 0";
  if (outside > 0) coverage += "; TFLite's for the " + std::to_string(outside) + " operators outside the delegate";
  coverage += ") sum to " + format_ms(sum_ms) + " ms per inference, " +
              std::to_string(static_cast<int>(invoke_ms > 0 ? 100.0 * sum_ms / invoke_ms + 0.5 : 0)) +
              "% of the interpreter's Invoke (" + format_ms(invoke_ms) +
              " ms): the rest is the interpreter's and XNNPACK's own work between operators; LiteRT's buffer "
              "registration and sync around Invoke (" +
              format_ms(litert_ms) + " ms) belong to no operator";
  if (sum_ms > invoke_ms * 1.05) coverage += "; the op times exceed Invoke, so some are counted twice";
  if (complete.size() != runs) {
    coverage += "; means over the " + std::to_string(complete.size()) + " of " + std::to_string(runs) +
                " profiled runs the profiler recorded whole";
  }
  if (!nodes.empty() && matched < ops->size()) {
    coverage += "; " + std::to_string(ops->size() - matched) + " operators matched no node of the graph and keep "
                "XNNPACK's names";
  }
  facts->set("source", "LiteRT compiled-model profiler (LiteRtGetProfilerEvents): XNNPACK per-operator timers, "
                       "TFLite operator events outside the delegate");
  facts->set("timeline", "synthesized");
  facts->set("coverage", coverage);
  return IB_OK;
}

}  // namespace inferbench::litert_c
