// SPDX-License-Identifier: Apache-2.0
// Per-operator profiles of the torch plugin from the PyTorch profiler (Kineto): see torch_profile.h.
#include "backends/torch/torch_profile.h"

#include <kineto/ActivityType.h>
#include <torch/csrc/jit/ir/constants.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string_view>
#include <unordered_map>

namespace inferbench::torch_profile {

namespace {

using torch::autograd::profiler::KinetoEvent;
using torch::autograd::profiler::ProfilerResult;
using torch::jit::Node;
using torch::jit::Value;
using torch::profiler::impl::ActivityType;
using torch::profiler::impl::ProfilerConfig;
using torch::profiler::impl::ProfilerState;

const torch::jit::Symbol kConstantMkldnnTensor = torch::jit::Symbol::fromQualString("prim::ConstantMKLDNNTensor");
const torch::jit::Symbol kMarkerEnter = torch::jit::Symbol::fromQualString("profiler::_record_function_enter_new");
const torch::jit::Symbol kMarkerExit = torch::jit::Symbol::fromQualString("profiler::_record_function_exit");

// Nodes that only build or take apart the interpreter's values (lists, tuples, constants): no
// operator of the model, and a marker around each would only add noise.
bool does_work(const Node* node) {
  static const std::set<torch::jit::Symbol> kBookkeeping = {
      torch::jit::prim::Constant,      kConstantMkldnnTensor,         torch::jit::prim::ListConstruct,
      torch::jit::prim::ListUnpack,    torch::jit::prim::TupleConstruct, torch::jit::prim::TupleUnpack,
      torch::jit::prim::DictConstruct, torch::jit::prim::GetAttr,     torch::jit::prim::Uninitialized};
  return kBookkeeping.count(node->kind()) == 0;
}

// A frozen module's weights are constants of its graph: prim::Constant, or on the CPU after
// optimize_for_inference a prim::ConstantMKLDNNTensor holding oneDNN's copy.
const at::Tensor* constant_tensor(const Value* value) {
  const Node* producer = value->node();
  if (producer->kind() != torch::jit::prim::Constant && producer->kind() != kConstantMkldnnTensor) return nullptr;
  if (!producer->hasAttribute(torch::jit::attr::value) ||
      producer->kindOf(torch::jit::attr::value) != torch::jit::AttributeKind::t) {
    return nullptr;
  }
  return &producer->t(torch::jit::attr::value);
}

// "self.features.3.conv.1.0.weight_fused_bn_mkldnn" -> "features.3.conv.1.0": freezing names a
// constant after the module attribute it came from, which is the model's layer.
std::string layer_of(const std::string& constant_name) {
  std::string_view name(constant_name);
  if (!name.starts_with("self.")) return "";
  name.remove_prefix(5);
  for (std::string_view field : {".weight", ".bias"}) {
    if (auto at = name.find(field); at != std::string_view::npos) return std::string(name.substr(0, at));
  }
  return "";
}

// The optimize_for_inference operators that run oneDNN directly (ideep), with no nested ATen call
// to name it.
std::string jit_kernel(std::string_view kind) {
  if (kind.starts_with("prim::mkldnn_") || kind.starts_with("prim::MKLDNN")) return "oneDNN (ideep)";
  return "";
}

MarkedNode describe_node(Node* node, size_t ordinal) {
  MarkedNode marked;
  marked.op_type = node->kind().toQualString();
  marked.kernel = jit_kernel(marked.op_type);
  for (const Value* input : node->inputs()) {
    const at::Tensor* constant = constant_tensor(input);
    if (!constant) continue;
    if (marked.name.empty() && input->hasDebugName()) marked.name = layer_of(input->debugName());
    if (marked.shape.empty() && constant->dim() >= 2) {
      marked.shape = plugin::shape_text(constant->sizes().vec());
      // Freezing folds a batch norm into the convolution before it and says so in the name.
      if (input->hasDebugName() && input->debugName().find("_fused_bn") != std::string::npos) {
        marked.fused = "batch_norm";
      }
    }
  }
  if (marked.name.empty()) marked.name = marked.op_type + " #" + std::to_string(ordinal);
  return marked;
}

// One host event of the profile: an operator, or a marker, with its place in the nesting.
struct HostEvent {
  const KinetoEvent* event;
  uint64_t start;
  uint64_t end;
  int parent = -1;
  std::vector<int> children;
};

uint64_t duration(const HostEvent& e) { return e.end - e.start; }

bool is_host_event(const KinetoEvent& e) {
  const auto type = static_cast<libkineto::ActivityType>(e.activityType());
  return e.deviceType() == c10::DeviceType::CPU && !e.isHiddenEvent() &&
         (type == libkineto::ActivityType::CPU_OP || type == libkineto::ActivityType::USER_ANNOTATION);
}

bool is_device_work(const KinetoEvent& e) {
  const auto type = static_cast<libkineto::ActivityType>(e.activityType());
  return type == libkineto::ActivityType::CONCURRENT_KERNEL || type == libkineto::ActivityType::GPU_MEMCPY ||
         type == libkineto::ActivityType::GPU_MEMSET;
}

// The host events with their nesting (by time, per thread): the profiler lists events in no
// particular order and says nothing of which contains which.
std::vector<HostEvent> nest(const std::vector<KinetoEvent>& events) {
  std::vector<HostEvent> hosts;
  for (const KinetoEvent& e : events) {
    if (is_host_event(e)) hosts.push_back({&e, e.startNs(), e.endNs(), -1, {}});
  }
  std::sort(hosts.begin(), hosts.end(), [](const HostEvent& a, const HostEvent& b) {
    if (a.event->startThreadId() != b.event->startThreadId()) return a.event->startThreadId() < b.event->startThreadId();
    if (a.start != b.start) return a.start < b.start;
    return a.end > b.end;  // the enclosing event first
  });
  std::vector<int> open;
  for (int i = 0; i < static_cast<int>(hosts.size()); ++i) {
    HostEvent& e = hosts[static_cast<size_t>(i)];
    while (!open.empty()) {
      const HostEvent& top = hosts[static_cast<size_t>(open.back())];
      if (top.event->startThreadId() == e.event->startThreadId() && top.end >= e.end) break;
      open.pop_back();
    }
    if (!open.empty()) {
      e.parent = open.back();
      hosts[static_cast<size_t>(open.back())].children.push_back(i);
    }
    open.push_back(i);
  }
  return hosts;
}

int root_of(const std::vector<HostEvent>& hosts, int i) {
  while (hosts[static_cast<size_t>(i)].parent >= 0) i = hosts[static_cast<size_t>(i)].parent;
  return i;
}

// An allocation is never an operator's implementation, even when the allocator took most of its
// time (a first-touched output buffer at a small batch).
bool is_allocation(std::string_view name) {
  return name.starts_with("aten::empty") || name == "aten::zeros" || name == "aten::resize_";
}

// The implementation under an operator: down the chain of nested events, each holding most of its
// parent's time (aten::adaptive_avg_pool2d -> aten::mkldnn_adaptive_avg_pool2d), never into an
// event that is a small part of it or an allocation (the aten::empty a convolution allocates its
// output with). `own` when no nested event holds most of the time.

std::string innermost(const std::vector<HostEvent>& hosts, int i, const std::string& own) {
  int at = i;
  for (;;) {
    const HostEvent& e = hosts[static_cast<size_t>(at)];
    int longest = -1;
    for (int c : e.children) {
      if (is_allocation(hosts[static_cast<size_t>(c)].event->name())) continue;
      if (longest < 0 || duration(hosts[static_cast<size_t>(c)]) > duration(hosts[static_cast<size_t>(longest)])) {
        longest = c;
      }
    }
    if (longest < 0 || 2 * duration(hosts[static_cast<size_t>(longest)]) < duration(e)) break;
    at = longest;
  }
  return at == i ? own : hosts[static_cast<size_t>(at)].event->name();
}

// AOTInductor names its generated kernels graph_<n>_cpp_fused_<ops>_<k> in the profiler; the
// package's own name for one is cpp_fused_<ops>_<k>, and its type drops the counter.
std::string package_op_name(std::string name) {
  if (name.starts_with("graph_")) {
    if (auto at = name.find('_', 6); at != std::string::npos) name = name.substr(at + 1);
  }
  return name;
}

std::string package_op_type(const std::string& name) {
  if (!name.starts_with("cpp_fused_")) return name;
  const auto at = name.find_last_of('_');
  const bool counter = at != std::string::npos && at + 1 < name.size() &&
                       name.find_first_not_of("0123456789", at + 1) == std::string::npos;
  return counter ? name.substr(0, at) : name;
}

void add_events_below(const std::vector<HostEvent>& hosts, int i, size_t op,
                      std::unordered_map<uint64_t, size_t>& op_of_correlation) {
  const KinetoEvent& e = *hosts[static_cast<size_t>(i)].event;
  if (e.correlationId() != 0) op_of_correlation[e.correlationId()] = op;
  for (int c : hosts[static_cast<size_t>(i)].children) add_events_below(hosts, c, op, op_of_correlation);
}

}  // namespace

std::vector<MarkedNode> mark_graph_nodes(torch::jit::Graph& graph) {
  std::vector<Node*> nodes;
  for (Node* node : graph.nodes()) {
    if (does_work(node)) nodes.push_back(node);
  }
  std::vector<MarkedNode> marked;
  std::unordered_map<std::string, size_t> per_kind;
  std::set<std::string> markers;
  for (Node* node : nodes) {
    MarkedNode m = describe_node(node, ++per_kind[node->kind().toQualString()]);
    m.marker = m.name;
    // Two nodes with one weight (a shared layer) get one name each.
    for (size_t k = 2; markers.count(m.marker); ++k) m.marker = m.name + " #" + std::to_string(k);
    m.name = m.marker;
    markers.insert(m.marker);
    {
      torch::jit::WithInsertPoint before(node);
      Value* handle = graph.insert(kMarkerEnter, {graph.insertConstant(m.marker)});
      torch::jit::WithInsertPoint after(node->next());
      graph.insert(kMarkerExit, {handle});
    }
    marked.push_back(std::move(m));
  }
  return marked;
}

namespace {

ProfilerConfig config() {
  // Input shapes name the first input of the ATen operators (the markers have none).
  return ProfilerConfig(ProfilerState::KINETO, /*report_input_shapes=*/true);
}

std::set<ActivityType> activities(bool cuda) {
  if (cuda) return {ActivityType::CPU, ActivityType::CUDA};
  return {ActivityType::CPU};
}

}  // namespace

void start(bool cuda) {
  torch::autograd::profiler::prepareProfiler(config(), activities(cuda));
  torch::autograd::profiler::enableProfiler(config(), activities(cuda));
}

std::unique_ptr<ProfilerResult> stop() { return torch::autograd::profiler::disableProfiler(); }

ib_status read_ops(const ProfilerResult& result, size_t runs, const std::vector<MarkedNode>* marked,
                   std::vector<plugin::ProfileOp>& ops, size_t& missing_device_runs) {
  const std::vector<HostEvent> hosts = nest(result.events());
  std::unordered_map<std::string, size_t> marker_index;
  if (marked) {
    for (size_t i = 0; i < marked->size(); ++i) marker_index[(*marked)[i].marker] = i;
  }
  // The operators' events, in the order they ran: the graph's markers, or the package's
  // outermost events except the ATen calls its wrapper makes between kernels (allocations).
  std::vector<int> op_events;
  for (int i = 0; i < static_cast<int>(hosts.size()); ++i) {
    const HostEvent& e = hosts[static_cast<size_t>(i)];
    const std::string name = e.event->name();
    if (marked ? marker_index.count(name) > 0 : e.parent < 0 && !name.starts_with("aten::")) op_events.push_back(i);
  }
  if (op_events.empty()) return plugin::fail(IB_ERROR_UNAVAILABLE, "the profiler recorded no operator events");
  std::sort(op_events.begin(), op_events.end(), [&](int a, int b) {
    return hosts[static_cast<size_t>(a)].start < hosts[static_cast<size_t>(b)].start;
  });
  if (runs == 0 || op_events.size() % runs != 0) {
    return plugin::fail(IB_ERROR_BACKEND, std::to_string(op_events.size()) + " operator events are not " +
                                              std::to_string(runs) + " runs of the same operators");
  }
  const size_t per_run = op_events.size() / runs;
  auto event_name = [&](size_t k) { return hosts[static_cast<size_t>(op_events[k])].event->name(); };
  for (size_t k = per_run; k < op_events.size(); ++k) {
    if (event_name(k) != event_name(k % per_run)) {
      return plugin::fail(IB_ERROR_BACKEND, "profiled run " + std::to_string(k / per_run + 1) + " ran " +
                                                event_name(k) + " where run 1 ran " + event_name(k % per_run));
    }
  }

  // A run starts with its outermost event (TorchScript's forward; for a package, its first
  // operator).
  std::vector<uint64_t> run_start(runs, UINT64_MAX);
  for (size_t k = 0; k < op_events.size(); ++k) {
    const uint64_t start = hosts[static_cast<size_t>(root_of(hosts, op_events[k]))].start;
    run_start[k / per_run] = std::min(run_start[k / per_run], start);
  }

  // Device work (CUDA kernels, copies) belongs to the operator whose nested host event launched
  // it: Kineto links each to the correlation id of the host event active at the launch.
  std::unordered_map<uint64_t, size_t> op_of_correlation;
  for (size_t k = 0; k < op_events.size(); ++k) add_events_below(hosts, op_events[k], k, op_of_correlation);
  struct DeviceWork {
    uint64_t total = 0;
    uint64_t first_start = UINT64_MAX;
    uint64_t longest = 0;
    std::string longest_name;
  };
  std::vector<DeviceWork> device(op_events.size());
  for (const KinetoEvent& e : result.events()) {
    if (!is_device_work(e)) continue;
    auto it = op_of_correlation.find(e.linkedCorrelationId());
    if (it == op_of_correlation.end()) continue;
    DeviceWork& work = device[it->second];
    work.total += e.durationNs();
    work.first_start = std::min(work.first_start, e.startNs());
    if (e.durationNs() >= work.longest) {
      work.longest = e.durationNs();
      work.longest_name = e.name();
    }
  }

  ops.assign(per_run, {});
  std::vector<double> start_sum(per_run, 0.0);
  std::vector<double> time_sum(per_run, 0.0);
  // An operator is on the device when it launched device work in any run; its means are over the
  // runs whose records came back (CUPTI drops records once its buffers are full), the others
  // counted in `missing_device_runs`. `device_run[i]`: the first run with records, for the kernel.
  std::vector<size_t> device_runs(per_run, 0);
  std::vector<size_t> device_run(per_run, SIZE_MAX);
  for (size_t k = 0; k < op_events.size(); ++k) {
    if (device[k].total == 0) continue;
    if (device_runs[k % per_run]++ == 0) device_run[k % per_run] = k;
  }
  missing_device_runs = 0;
  for (size_t k = 0; k < op_events.size(); ++k) {
    const size_t i = k % per_run;
    const HostEvent& e = hosts[static_cast<size_t>(op_events[k])];
    const uint64_t base = run_start[k / per_run];
    if (device_runs[i] > 0) {
      if (device[k].total == 0) {
        ++missing_device_runs;
        continue;
      }
      time_sum[i] += static_cast<double>(device[k].total);
      // Kineto puts device timestamps on the host's clock.
      start_sum[i] += device[k].first_start >= base ? static_cast<double>(device[k].first_start - base) : 0.0;
    } else {
      time_sum[i] += static_cast<double>(duration(e));
      start_sum[i] += static_cast<double>(e.start - base);
    }
  }
  // A package calls one ATen shim many times (52 convolutions through one function): each call
  // is told apart by its count.
  std::unordered_map<std::string, size_t> calls;
  for (size_t i = 0; i < per_run; ++i) ++calls[event_name(i)];
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < per_run; ++i) {
    plugin::ProfileOp& op = ops[i];
    const int first = op_events[i];
    const std::string name = hosts[static_cast<size_t>(first)].event->name();
    if (marked) {
      const MarkedNode& m = (*marked)[marker_index.at(name)];
      op.name = m.name;
      op.op_type = m.op_type;
      op.shape = m.shape;
      op.fused = m.fused;
      op.kernel = innermost(hosts, first, m.kernel);
      // An ATen node's own event, nested in its marker, carries the shapes of its inputs.
      for (int c : hosts[static_cast<size_t>(first)].children) {
        const KinetoEvent& child = *hosts[static_cast<size_t>(c)].event;
        if (op.shape.empty() && child.name() == m.op_type && child.hasShapes() && !child.shapes().empty() &&
            !child.shapes()[0].empty()) {
          op.shape = plugin::shape_text(child.shapes()[0]);
        }
      }
    } else {
      op.name = package_op_name(name);
      op.op_type = package_op_type(op.name);
      if (calls[name] > 1) op.name += " #" + std::to_string(++seen[name]);
      // A generated kernel is its own implementation; an ATen call names what it ran when it
      // went through the dispatcher.
      op.kernel = innermost(hosts, first, op.op_type.starts_with("cpp_") ? package_op_name(name) : "");
    }
    const bool on_device = device_runs[i] > 0;
    if (on_device) op.kernel = device[device_run[i]].longest_name;
    op.on_device = on_device ? 1 : 0;
    const double timed_runs = static_cast<double>(on_device ? device_runs[i] : runs);
    op.time_ms = time_sum[i] / timed_runs / 1e6;
    op.start_ms = start_sum[i] / timed_runs / 1e6;
    op.in_delegate = -1;
  }
  return IB_OK;
}

}  // namespace inferbench::torch_profile
