// SPDX-License-Identifier: Apache-2.0
// Fleet runs without a cluster: which hosts a run measures on (names, answers, revisions), a
// host's backend descriptions through JSON, the files an artefact travels with, and how --resume
// tells a cell's row from another's.
#include "driver/fleet.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace inferbench {
namespace {

namespace fs = std::filesystem;

FleetHost host(std::string name, std::string revision = "abc123", std::string error = "") {
  FleetHost h;
  h.name = std::move(name);
  h.revision = std::move(revision);
  h.error = std::move(error);
  return h;
}

std::vector<std::string> names(const std::vector<FleetHost>& hosts) {
  std::vector<std::string> result;
  for (const auto& h : hosts) result.push_back(h.name);
  return result;
}

TEST(ChooseHosts, AllTakesEveryHostThatAnsweredAndSaysWhichItLeftOut) {
  std::vector<FleetHost> chosen;
  std::vector<std::string> said;
  const Status status = choose_hosts({host("a"), host("b", "", "timed out"), host("c")}, {"all"}, "abc123", chosen,
                                     [&](const std::string& line) { said.push_back(line); });
  ASSERT_TRUE(status) << status.to_string();
  EXPECT_EQ(names(chosen), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(said, (std::vector<std::string>{"host b left out: timed out"}));
  chosen.clear();
  ASSERT_TRUE(choose_hosts({host("a"), host("c")}, {}, "abc123", chosen, [](const std::string&) {}));
  EXPECT_EQ(names(chosen), (std::vector<std::string>{"a", "c"}));
}

TEST(ChooseHosts, NamedHostsOnlyAndAMissingNameIsOneLineListingTheHosts) {
  std::vector<FleetHost> chosen;
  ASSERT_TRUE(choose_hosts({host("a"), host("b")}, {"b"}, "abc123", chosen, [](const std::string&) {}));
  EXPECT_EQ(names(chosen), (std::vector<std::string>{"b"}));
  chosen.clear();
  const Status missing = choose_hosts({host("a"), host("b")}, {"a", "gpu01"}, "abc123", chosen, [](const std::string&) {});
  EXPECT_EQ(missing.code(), StatusCode::Usage);
  EXPECT_EQ(missing.message(), "--hosts names 'gpu01', which is not a host of the cluster");
  EXPECT_EQ(missing.hint(), "its hosts are: a, b");
  EXPECT_TRUE(chosen.empty());
}

TEST(ChooseHosts, ANamedHostThatDidNotAnswerStopsTheRun) {
  std::vector<FleetHost> chosen;
  const Status status = choose_hosts({host("a"), host("b", "", "no inferbench")}, {"a", "b"}, "abc123", chosen,
                                     [](const std::string&) {});
  EXPECT_EQ(status.code(), StatusCode::Unavailable);
  EXPECT_EQ(status.message(), "host b did not answer: no inferbench");
}

TEST(ChooseHosts, AnotherBuildIsRefusedNamingBothRevisions) {
  std::vector<FleetHost> chosen;
  const Status status = choose_hosts({host("a"), host("b", "def456+dirty")}, {}, "abc123", chosen,
                                     [](const std::string&) {});
  EXPECT_EQ(status.code(), StatusCode::Usage);
  EXPECT_EQ(status.message(),
            "host b runs inferbench def456+dirty, this one is abc123: rows of two builds do not belong in one table");
}

TEST(ChooseHosts, NoHostLeftIsOneLine) {
  std::vector<FleetHost> chosen;
  const Status status = choose_hosts({host("a", "", "lost")}, {}, "abc123", chosen, [](const std::string&) {});
  EXPECT_EQ(status.code(), StatusCode::Unavailable);
  EXPECT_EQ(status.message(), "the Ray cluster has no host that can run anything");
  EXPECT_FALSE(choose_hosts({}, {}, "abc123", chosen, [](const std::string&) {}));
}

TEST(BackendDescriptionJson, RoundTripsWhatTheMatrixUses) {
  BackendDescription d;
  d.name = "torch";
  d.framework = "PyTorch";
  d.built = d.loadable = true;
  d.plugin_path = "/opt/inferbench/build/plugins/libinferbench_backend_torch.so";
  d.version = "2.11.0";
  d.devices = {"cpu", "cuda"};
  d.precisions = {"fp32", "bf16"};
  d.suffixes = {".pt", ".pt2"};
  d.scenarios = {"sync"};
  d.request_slots = true;
  d.artefact_format = "torchscript";
  d.unavailable_devices = {{"cuda", "no CUDA device"}};
  d.options = nlohmann::json::array({{{"name", "cudnn_benchmark"}, {"type", "enum:on|off"}}});
  d.variants = {{"eager", "PyTorch (Native)", "torchscript", {".pt"}, {{"cpu", "fp32"}, {"cuda", "fp16"}}, "eager"},
                {"aoti", "PyTorch (AOTInductor)", "aoti", {".pt2"}, {{"cpu", "bf16"}}, ""}};
  const BackendDescription back = backend_description_from_json(backend_description_json(d));
  EXPECT_EQ(back.name, d.name);
  EXPECT_EQ(back.plugin_path, d.plugin_path);
  EXPECT_TRUE(back.loadable);
  EXPECT_EQ(back.devices, d.devices);
  EXPECT_EQ(back.unavailable_devices, d.unavailable_devices);
  EXPECT_EQ(back.options, d.options);
  EXPECT_TRUE(back.request_slots);
  ASSERT_EQ(back.variants.size(), 2u);
  EXPECT_EQ(back.variants[0].targets, d.variants[0].targets);
  EXPECT_EQ(back.variants[1].artefact_format, "aoti");
  EXPECT_EQ(back.variants[1].suffixes, (std::vector<std::string>{".pt2"}));
}

TEST(ExportRequestJson, RoundTripsWhatAHostNeedsToBuildTheArtefact) {
  ExportRequest request;
  request.model = "mobilenet_v2";
  request.format = "aoti";
  request.precision = "bf16";
  request.seed = 7;
  request.batch = 8;
  request.device = "cuda";
  request.flags = {{"--aoti-autotune", "max"}};
  const ExportRequest back = export_request_from_json(export_request_json(request));
  EXPECT_EQ(back.model, "mobilenet_v2");
  EXPECT_EQ(back.format, "aoti");
  EXPECT_EQ(back.precision, "bf16");
  EXPECT_EQ(back.seed, 7u);
  EXPECT_EQ(back.batch, 8);
  EXPECT_EQ(back.device, "cuda");
  EXPECT_EQ(back.flags, request.flags);
  EXPECT_FALSE(back.weights || back.calibration);
  EXPECT_TRUE(back.sample_shape.empty());
}

TEST(ArtefactJson, RoundTripsWhatARowTakesFromIt) {
  Artefact artefact;
  artefact.file = "/home/h/.cache/inferbench/artefacts/x/model.pt2";
  artefact.format = "aoti";
  artefact.sample_shape = {3, 224, 224};
  artefact.export_ms = 31000.5;
  artefact.bytes = 14'000'000;
  artefact.params = 3'500'000;
  artefact.macs_per_sample = 300'000'000;
  artefact.manifest = {{"format", "aoti"}};
  artefact.cached = true;
  const Artefact back = artefact_from_json(artefact_json(artefact));
  EXPECT_EQ(back.file, artefact.file);
  EXPECT_EQ(back.sample_shape, artefact.sample_shape);
  EXPECT_EQ(back.export_ms, artefact.export_ms);
  EXPECT_EQ(back.bytes, artefact.bytes);
  EXPECT_EQ(back.params, artefact.params);
  EXPECT_EQ(back.macs_per_sample, artefact.macs_per_sample);
  EXPECT_EQ(back.manifest, artefact.manifest);
  EXPECT_TRUE(back.cached);
  EXPECT_FALSE(artefact_from_json(nlohmann::json::object()).export_ms);
}

TEST(ArtefactFiles, TheFileThenItsSiblingsOfTheSameName) {
  const fs::path dir = fs::temp_directory_path() / ("inferbench-fleet-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const char* name : {"model.xml", "model.bin", "manifest.json", "model.mapping"}) std::ofstream(dir / name) << "x";
  EXPECT_EQ(artefact_files(dir / "model.xml"),
            (std::vector<fs::path>{dir / "model.xml", dir / "model.bin", dir / "model.mapping"}));
  EXPECT_EQ(artefact_files(dir / "manifest.json"), (std::vector<fs::path>{dir / "manifest.json"}));
  fs::remove_all(dir);
}

TEST(CellIdentity, ARowNamesItsCellOnItsHostOnly) {
  Cell cell;
  cell.model = "tiny_cnn";
  cell.backend = "noop";
  cell.device = "cpu";
  cell.precision = "fp32";
  cell.batch = 2;
  cell.host = "b";
  cell.requested = {{"threads", "default"}};
  Row row = row_for_cell(cell);
  row.host = RowHost{"b", nlohmann::json::object(), true};
  row.requested["input"] = "/data/val";  // the run's, not the cell's
  EXPECT_EQ(row_identity(row), cell_identity(cell));
  row.host->name = "a";
  EXPECT_NE(row_identity(row), cell_identity(cell));
  row.host.reset();
  cell.host.clear();
  EXPECT_EQ(row_identity(row), cell_identity(cell));
  cell.batch = 4;
  EXPECT_NE(row_identity(row), cell_identity(cell));
  // A server cell's bound is the run's: a row stored before it was recorded still names its cell.
  cell.batch = 2;
  cell.requested["latency_bound_ms"] = "100";
  cell.requested["latency_percentile"] = "99";
  EXPECT_EQ(row_identity(row), cell_identity(cell));
}

}  // namespace
}  // namespace inferbench
