// SPDX-License-Identifier: Apache-2.0
// What a row says of its artefact from the exporter's manifest: the ExecuTorch exporter's record
// of the operators the XNNPACK delegate took and those it left outside.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "driver/artefacts.h"

namespace inferbench {
namespace {

TEST(DelegationText, NamesTheOperatorsOutsideTheDelegate) {
  const auto manifest = nlohmann::json::parse(R"({"delegation": {"delegated_ops": 217, "non_delegated_ops": 19,
      "delegate_calls": 1, "outside_delegate": {"dim_order_ops__to_dim_order_copy_default": 18, "getitem": 1}}})");
  EXPECT_EQ(delegation_text(manifest),
            "XNNPACK took 217 operators in 1 call; outside it: 18 dim_order_ops__to_dim_order_copy_default, 1 getitem");
}

TEST(DelegationText, SaysNoneOutsideAndCountsCalls) {
  const auto manifest = nlohmann::json::parse(
      R"({"delegation": {"delegated_ops": 89, "non_delegated_ops": 0, "delegate_calls": 2, "outside_delegate": {}}})");
  EXPECT_EQ(delegation_text(manifest), "XNNPACK took 89 operators in 2 calls; outside it: none");
}

TEST(DelegationText, NothingWithoutARecord) {
  EXPECT_EQ(delegation_text(nlohmann::json::object()), std::nullopt);  // a user's file: no manifest
  // The exporter could not count (devtools missing): it says why, and the row says nothing.
  EXPECT_EQ(delegation_text(nlohmann::json::parse(R"({"delegation": {"unavailable": "ImportError: x"}})")),
            std::nullopt);
}

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

class ContentKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("inferbench-content-key-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "tools");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string key(const ExportRequest& request) const {
    return ArtefactCache(dir_ / "cache", "python3", dir_ / "tools").content_key(request);
  }
  fs::path dir_;
};

// Calibration images in class folders (ImageFolder layout) are read from the sub-folders: other
// images there are another calibration, though the folder's top has no file at all.
TEST_F(ContentKeyTest, CalibrationInClassFoldersIsPartOfTheKey) {
  write(dir_ / "cal" / "c0" / "a.png", "pixels A");
  write(dir_ / "cal" / "c1" / "b.png", "pixels B");
  ExportRequest request;
  request.model = "tiny_cnn";
  request.format = "openvino-ir";
  request.precision = "int8";
  request.calibration = dir_ / "cal";
  const std::string before = key(request);
  write(dir_ / "cal" / "c1" / "b.png", "other pixels");
  EXPECT_NE(key(request), before);
  EXPECT_EQ(key(request), key(request));
}

// A FILE.py model that imports a module beside it is another model when that module changes;
// files it cannot import (not .py, or in a folder that is no package) are not read.
TEST_F(ContentKeyTest, ModulesBesideAPythonModelArePartOfTheKey) {
  write(dir_ / "model" / "net.py", "from helper import WIDTH\n");
  write(dir_ / "model" / "helper.py", "WIDTH = 8\n");
  write(dir_ / "model" / "blocks" / "__init__.py", "");
  write(dir_ / "model" / "blocks" / "conv.py", "K = 3\n");
  write(dir_ / "model" / "data" / "notes.py", "ignored = 1\n");
  write(dir_ / "model" / "README.txt", "ignored");
  ExportRequest request;
  request.model = (dir_ / "model" / "net.py").string();
  request.format = "torchscript";
  request.precision = "fp32";
  std::string before = key(request);
  write(dir_ / "model" / "helper.py", "WIDTH = 64\n");
  EXPECT_NE(key(request), before);
  before = key(request);
  write(dir_ / "model" / "blocks" / "conv.py", "K = 5\n");
  EXPECT_NE(key(request), before);
  before = key(request);
  write(dir_ / "model" / "data" / "notes.py", "ignored = 2\n");
  write(dir_ / "model" / "README.txt", "changed");
  EXPECT_EQ(key(request), before);
}

}  // namespace
}  // namespace inferbench
