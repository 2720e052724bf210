// SPDX-License-Identifier: Apache-2.0
// Output tests of every report format, line by line, on the hand-made run of sample_run.h.
#include <gtest/gtest.h>

#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/format.h"
#include "report/reporter.h"
#include "tests/unit/report/sample_run.h"

namespace inferbench {
namespace {

std::string render(std::string_view format, const RunResult& run) {
  std::ostringstream out;
  Result<std::unique_ptr<Reporter>> reporter = make_reporter(format, out);
  if (!reporter) {
    ADD_FAILURE() << reporter.status().to_string();
    return {};
  }
  report_run(**reporter, run);
  return out.str();
}

using sample_run::lines_of;

// --- table ---------------------------------------------------------------------------------

// The column spans are the runs of '-' in the rule under the header.
struct Span {
  std::size_t start;
  std::size_t length;
};

std::vector<Span> spans_of(const std::string& rule) {
  std::vector<Span> spans;
  for (std::size_t i = 0; i < rule.size();) {
    if (rule[i] != '-') {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < rule.size() && rule[i] == '-') ++i;
    spans.push_back({start, i - start});
  }
  return spans;
}

// Cuts `line` at the rule's spans and checks alignment: numbers end at the right edge of their
// column, text starts at its left edge, and nothing spills into the gap between columns.
std::vector<std::string> table_cells(const std::string& line, const std::vector<Span>& spans,
                                     const std::vector<bool>& numeric) {
  std::vector<std::string> cells;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const std::string padded =
        line.size() > spans[i].start ? line.substr(spans[i].start, spans[i].length) : "";
    const std::size_t first = padded.find_first_not_of(' ');
    if (first == std::string::npos) {
      cells.emplace_back();
      continue;
    }
    const std::string cell = padded.substr(first, padded.find_last_not_of(' ') - first + 1);
    if (numeric[i]) {
      EXPECT_EQ(padded.size(), spans[i].length) << "column " << i << " in: " << line;
      EXPECT_NE(padded.back(), ' ') << "number not right-aligned in column " << i << ": " << line;
    } else {
      EXPECT_EQ(first, 0U) << "text not left-aligned in column " << i << ": " << line;
    }
    const std::size_t gap_start = spans[i].start + spans[i].length;
    if (i + 1 < spans.size() && line.size() > gap_start) {
      EXPECT_EQ(line.substr(gap_start, spans[i + 1].start - gap_start), "  ")
          << "column " << i << " overflows in: " << line;
    }
    cells.push_back(cell);
  }
  return cells;
}

TEST(TableReporterTest, WritesTableBRankedByFpsWithFailuresAndWarningsBelow) {
  const std::vector<std::string> lines = lines_of(render("table", sample_run::make()));
  ASSERT_EQ(lines.size(), 19U);

  EXPECT_EQ(lines[0], "inferbench results");
  EXPECT_EQ(lines[1], "run 20261126T130501Z-1a2b3c  host bench-01  started 2026-11-26T13:05:01Z");
  EXPECT_EQ(lines[2], "");

  const std::vector<Span> spans = spans_of(lines[4]);
  ASSERT_EQ(spans.size(), 15U) << lines[4];
  EXPECT_EQ(lines[4].find_first_not_of("- "), std::string::npos) << lines[4];
  const std::vector<bool> numeric = {true,  false, false, false, false, false, true, true,
                                     true,  true,  true,  true,  true,  true, true};
  EXPECT_EQ(table_cells(lines[3], spans, numeric),
            (std::vector<std::string>{"Rank", "Framework", "Inf. Device", "Target Hardware",
                                      "Precision", "Mode", "Compile Time (ms)", "P50 Latency (ms)",
                                      "P99 Latency (ms)", "Throughput (FPS)", "Measured thr.",
                                      "P99/P50", "CV %", "Peak RSS (MB)", "Parity cos / top-1"}));

  // Rank 1 is the fastest row even though it came third; the failed and unavailable rows
  // follow, unranked, in input order.
  EXPECT_EQ(table_cells(lines[5], spans, numeric),
            (std::vector<std::string>{"1", "OpenVINO", "CPU",
                                      "Intel Xeon Gold 6338 (AVX-512, 2 threads)", "FP32", "sync",
                                      "7835.45", "159.672", "195.609", "400.82", "395.25", "1.225",
                                      "5.00", "512.4", "0.999987 / 1.000"}));
  EXPECT_EQ(table_cells(lines[6], spans, numeric),
            (std::vector<std::string>{"2", "PyTorch (Native)", "CPU",
                                      "Intel Xeon Gold 6338 | 2 threads", "FP32", "sync", "12.50",
                                      "1010.355", "1151.889", "63.34", "62.50", "1.140", "2.50",
                                      "n/a", "n/a"}));
  EXPECT_EQ(table_cells(lines[7], spans, numeric),
            (std::vector<std::string>{"-", "TensorRT", "CUDA GPU",
                                      "NVIDIA GeForce RTX 3060 Laptop GPU", "FP16", "sync", "818.83",
                                      "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"}));
  EXPECT_EQ(table_cells(lines[8], spans, numeric),
            (std::vector<std::string>{"-", "LiteRT", "CPU", "", "INT8", "sync", "n/a", "n/a", "n/a",
                                      "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"}));

  // Under Table B, what each ok row cost before it served: the first inference beside the
  // compile time, and their sum, the time to the first result.
  EXPECT_EQ(lines[9], "");
  EXPECT_EQ(lines[10], report::kStartUpTitle);
  const std::vector<Span> start_spans = spans_of(lines[12]);
  ASSERT_EQ(start_spans.size(), 6U) << lines[12];
  const std::vector<bool> start_numeric = {false, true, true, true, true, true};
  EXPECT_EQ(table_cells(lines[11], start_spans, start_numeric),
            (std::vector<std::string>{"Row", "Export (ms)", "Compile (ms)", "Cached compile (ms)",
                                      "First inference (ms)", "To first result (ms)"}));
  EXPECT_EQ(table_cells(lines[13], start_spans, start_numeric),
            (std::vector<std::string>{"OpenVINO CPU FP32 batch 64, 2 threads", "2150.50", "7835.45", "412.50",
                                      "250.75", "8086.20"}));
  EXPECT_EQ(table_cells(lines[14], start_spans, start_numeric),
            (std::vector<std::string>{"PyTorch (Native) CPU FP32 batch 64", "n/a", "12.50", "n/a", "1500.25",
                                      "1512.75"}));

  EXPECT_EQ(lines[15], "");
  // The multi-line error is folded onto one line.
  EXPECT_EQ(lines[16],
            "  [failed] TensorRT CUDA GPU FP16 batch 64: worker crashed: signal 11, \"engine "
            "build\" did not finish last log line: out of memory");
  EXPECT_EQ(lines[17],
            "  [unavailable] LiteRT CPU INT8 batch 64: libtensorflowlite_c.so not found | set "
            "LITERT_ROOT");
  EXPECT_EQ(lines[18],
            "  [warn] OpenVINO CPU FP32 batch 64, 2 threads: CV 5.0% is above 2%: governor is \"powersave\", "
            "set it to performance");

  for (const std::string& line : lines) {
    EXPECT_TRUE(line.empty() || line.back() != ' ') << "trailing blanks: '" << line << "'";
  }
}

TEST(TableReporterTest, EmptyRunSaysSo) {
  RunResult run = sample_run::make();
  run.rows.clear();
  const std::vector<std::string> lines = lines_of(render("table", run));
  ASSERT_EQ(lines.size(), 6U);
  EXPECT_EQ(lines[3].rfind("Rank  Framework", 0), 0U) << lines[3];
  EXPECT_EQ(lines[5], "(no rows)");
}

// A fleet run of two hosts: one ranking over both, a Host column after Rank, and every row named
// with its host under the table; the lost host's row says which host went away.
TEST(TableReporterTest, SeveralHostsGetAHostColumnInOneRanking) {
  const std::vector<std::string> lines = lines_of(render("table", sample_run::on_two_hosts()));
  ASSERT_GE(lines.size(), 11U);
  const std::vector<Span> spans = spans_of(lines[4]);
  ASSERT_EQ(spans.size(), 16U) << lines[4];
  const std::vector<bool> numeric = {true, false, false, false, false, false, false, true,
                                     true, true,  true,  true,  true,  true,  true,  true};
  const std::vector<std::string> header = table_cells(lines[3], spans, numeric);
  EXPECT_EQ(header[0], "Rank");
  EXPECT_EQ(header[1], "Host");
  EXPECT_EQ(header[2], "Framework");
  // The same OpenVINO configuration ranks 1 on host b and 2 on host a; failures follow unranked.
  const auto first_cells = [&](std::size_t line) {
    const std::vector<std::string> cells = table_cells(lines[line], spans, numeric);
    return std::vector<std::string>(cells.begin(), cells.begin() + 5);
  };
  EXPECT_EQ(first_cells(5), (std::vector<std::string>{"1", "b", "OpenVINO", "CPU", "AMD EPYC 9654 (AVX-512, 2 threads)"}));
  EXPECT_EQ(first_cells(6), (std::vector<std::string>{"2", "a", "OpenVINO", "CPU",
                                                      "Intel Xeon Gold 6338 (AVX-512, 2 threads)"}));
  EXPECT_EQ(first_cells(7), (std::vector<std::string>{"3", "a", "PyTorch (Native)", "CPU",
                                                      "Intel Xeon Gold 6338 | 2 threads"}));
  EXPECT_EQ(first_cells(8), (std::vector<std::string>{"-", "a", "TensorRT", "CUDA GPU",
                                                      "NVIDIA GeForce RTX 3060 Laptop GPU"}));
  EXPECT_EQ(first_cells(9), (std::vector<std::string>{"-", "a", "LiteRT", "CPU", ""}));
  EXPECT_EQ(first_cells(10), (std::vector<std::string>{"-", "b", "PyTorch (Native)", "CPU", ""}));
  const std::string text = render("table", sample_run::on_two_hosts());
  EXPECT_NE(text.find("\nOpenVINO CPU FP32 batch 64, 2 threads on host b  "), std::string::npos) << text;
  EXPECT_NE(text.find("\n  [failed] PyTorch (Native) CPU FP32 batch 64 on host b: host b lost during the cell\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\n  [warn] OpenVINO CPU FP32 batch 64, 2 threads on host a: CV 5.0%"), std::string::npos)
      << text;
}

// A fleet run on one host, and a run on one machine, read alike: no Host column, no host in a title.
TEST(ReportersTest, OneHostReadsAsARunOnOneMachine) {
  for (std::string_view format : {"table", "markdown", "guide"}) {
    EXPECT_EQ(render(format, sample_run::on_host(sample_run::make(), "a")), render(format, sample_run::make()))
        << format;
  }
}

// A run on one host that was lost: no Host column names it, so the failure does.
TEST(TableReporterTest, ALostHostIsNamedInItsFailureEvenOnOneHost) {
  RunResult run = sample_run::on_host(sample_run::make(), "a");
  Row& failed = run.rows[sample_run::kFailedRow];
  failed.host->lost = true;
  failed.error = "the worker stopped answering";
  const std::string text = render("table", run);
  EXPECT_NE(text.find("\n  [failed] TensorRT CUDA GPU FP16 batch 64: host a lost: the worker stopped answering\n"),
            std::string::npos)
      << text;
}

// --- csv -----------------------------------------------------------------------------------

// A strict RFC 4180 reader, to check that the quoting reads back; records end with '\n'.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      EXPECT_TRUE(field.empty()) << "quote inside an unquoted field at offset " << i;
      quoted = true;
    } else if (c == ',') {
      record.push_back(field);
      field.clear();
    } else if (c == '\n') {
      record.push_back(field);
      field.clear();
      records.push_back(record);
      record.clear();
    } else {
      field += c;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quote";
  EXPECT_TRUE(record.empty() && field.empty()) << "last record not terminated";
  return records;
}

constexpr const char* kCsvHeader =
    "run_id,host,framework,framework_version,backend,variant,device,target_hardware,precision,model,batch,"
    "scenario,instances,status,error,compile_ms,cached_compile_ms,export_ms,first_inference_ms,p50_ms,p90_ms,"
    "p95_ms,p99_ms,p999_ms,min_ms,max_ms,mean_ms,std_ms,cv,fps,throughput,p99_over_p50,lag1_autocorrelation,samples,"
    "device_p50_ms,device_p99_ms,device_mean_ms,peak_rss_mb,peak_device_memory_mb,"
    "artefact_bytes,params,macs_per_sample,peak_gmacs,achieved_gmacs,utilisation,fps_bound,"
    "parity_max_abs_err,parity_cosine,parity_top1_agreement,parity_samples,accuracy_samples,accuracy_top1,"
    "accuracy_top5,reference_accuracy_top1,reference_accuracy_top5,requests_in_flight,loadgen_validity,"
    "serving_metric,serving_value,offered_qps,completed_qps,latency_bound_ms,latency_percentile,batch_fill,"
    "loadgen_tests,round_throughput,energy_source,energy_scope,energy_j,j_per_sample,samples_per_joule,avg_power_w,"
    "energy_window_s,idle_power_w,energy_reason,warnings";

TEST(CsvReporterTest, WritesHeaderAndOneRecordPerRowInInputOrder) {
  const std::string text = render("csv", sample_run::make());
  const std::vector<std::string> lines = lines_of(text);
  // Five records, the failed row's quoted error spanning two physical lines; the host empty (a run
  // on one machine).
  ASSERT_EQ(lines.size(), 6U);
  EXPECT_EQ(lines[0], kCsvHeader);
  EXPECT_EQ(lines[1],
            "20261126T130501Z-1a2b3c,,PyTorch (Native),2.5.1,torch,,cpu,Intel Xeon Gold 6338 | 2 "
            "threads,fp32,mobilenet_v2,64,sync,1,ok,,12.5,,,1500.25,1010.355,1100,1120,1151.889,1160,"
            "990,1161,1020,25.5,0.025,63.34,62.5,1.1401,,100,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,");
  EXPECT_EQ(lines[2],
            "20261126T130501Z-1a2b3c,,TensorRT,10.7.0,tensorrt,,cuda,NVIDIA GeForce RTX 3060 Laptop "
            "GPU,fp16,mobilenet_v2,64,sync,1,failed,\"worker crashed: signal 11, "
            "\"\"engine build\"\" did not finish");
  EXPECT_EQ(lines[3], "last log line: out of memory\",818.83,,,,,,,,,,,,,,,,,,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,");
  EXPECT_EQ(lines[4],
            "20261126T130501Z-1a2b3c,,OpenVINO,2025.1.0,openvino,,cpu,\"Intel Xeon Gold 6338 "
            "(AVX-512, 2 threads)\",fp32,mobilenet_v2,64,sync,1,ok,,7835.45,412.5,2150.5,250.75,159.672,"
            "170,180,195.609,199,150.125,200.25,162.5,8.125,0.05,400.82,395.25,1.225,,100,,,,512.4,,"
            "14024704,3504872,,,,,,1.5e-05,0.999987,1,,,,,,,,,,,,,,,,,,,,,,,,,,,\"CV 5.0% is above 2%: governor is "
            "\"\"powersave\"\", set it to performance\"");
  EXPECT_EQ(lines[5],
            "20261126T130501Z-1a2b3c,,LiteRT,,litert,,cpu,,int8,mobilenet_v2,64,sync,1,unavailable,"
            "libtensorflowlite_c.so not found | set LITERT_ROOT,,,,,,,,,,,,,,,,,,,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,");

  const std::vector<std::vector<std::string>> records = parse_csv(text);
  ASSERT_EQ(records.size(), 5U);
  for (const std::vector<std::string>& record : records) {
    EXPECT_EQ(record.size(), records[0].size());
  }
  EXPECT_EQ(records[0].size(), 76U);
  EXPECT_EQ(records[2][14], sample_run::make().rows[sample_run::kFailedRow].error);
  EXPECT_EQ(records[3][7], "Intel Xeon Gold 6338 (AVX-512, 2 threads)");
  EXPECT_EQ(records[3][75], sample_run::make().rows[sample_run::kFastRow].warnings[0]);
}

// The index of the CSV column named `name` in the header record.
std::size_t column_index(const std::vector<std::vector<std::string>>& records, std::string_view name) {
  for (std::size_t i = 0; i < records.at(0).size(); ++i) {
    if (records[0][i] == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

Energy no_energy_for_test() {
  Energy energy;
  energy.source = "none";
  energy.reason = "no power counters visible: /sys/class/powercap absent";
  return energy;
}

TEST(CsvReporterTest, EnergyColumnsHoldTheRowsEnergyAndNoneLeavesTheNumbersEmpty) {
  RunResult run = sample_run::make();
  Energy energy;
  energy.source = "nvml";
  energy.scope = "GPU 0 board (NVIDIA H100 80GB HBM3)";
  energy.method = "energy counter";
  energy.energy_j = 250;
  energy.window_s = 2.5;
  energy.samples = 6400;
  energy.j_per_sample = 250.0 / 6400;
  energy.samples_per_joule = 25.6;
  energy.avg_power_w = 100;
  energy.idle_power_w = 70;
  run.rows[0].energy = energy;
  run.rows[sample_run::kFastRow].energy = no_energy_for_test();
  const std::vector<std::vector<std::string>> records = parse_csv(render("csv", run));
  EXPECT_EQ(records[1][column_index(records, "energy_source")], "nvml");
  EXPECT_EQ(records[1][column_index(records, "energy_j")], "250");
  EXPECT_EQ(records[1][column_index(records, "samples_per_joule")], "25.6");
  EXPECT_EQ(records[1][column_index(records, "idle_power_w")], "70");
  EXPECT_EQ(records[3][column_index(records, "energy_source")], "none");
  EXPECT_EQ(records[3][column_index(records, "energy_j")], "");  // empty, never 0
  EXPECT_EQ(records[3][column_index(records, "energy_reason")], "no power counters visible: /sys/class/powercap absent");
  // Table B gains its Samples/J column, and the Energy table lists the metered row only.
  const std::string text = render("markdown", run);
  EXPECT_NE(text.find("| Samples/J |"), std::string::npos) << text;
  EXPECT_NE(text.find("| 250.000 | 0.03906 | 25.60 | 100.0 | 70.0 | 2.500 |"), std::string::npos) << text;
}

// A GPU row: its variant, the device's own time and the allocator's peak, in CSV and under
// the table and markdown Table B.
RunResult gpu_run() {
  RunResult run = sample_run::make();
  Row row = run.rows[sample_run::kFastRow];
  row.framework = "PyTorch (CUDA graph)";
  row.backend = "torch";
  row.variant = "cuda_graph";
  row.device = "cuda";
  row.device_label = "CUDA GPU";
  row.precision = "fp16";
  row.device_time_samples_ms = {2.5, 2.75};
  row.device_time_ms = LatencySummary{2.625, 2.725, 2.7375, 2.7476, 2.74975, 2.5, 2.75, 2.625, 0.177, 0.067};
  row.peak_device_memory_mb = 412.76;
  run.rows = {run.rows[sample_run::kFastRow], row};
  return run;
}

TEST(CsvReporterTest, CarriesVariantAndDeviceMeasurements) {
  const std::vector<std::vector<std::string>> records = parse_csv(render("csv", gpu_run()));
  ASSERT_EQ(records.size(), 3U);
  const auto column = [&](std::string_view name) { return column_index(records, name); };
  EXPECT_EQ(records[2][column("variant")], "cuda_graph");
  EXPECT_EQ(records[2][column("device_p50_ms")], "2.625");
  EXPECT_EQ(records[2][column("device_p99_ms")], "2.7476");
  EXPECT_EQ(records[2][column("device_mean_ms")], "2.625");
  EXPECT_EQ(records[2][column("peak_device_memory_mb")], "412.76");
  // The CPU row has none: empty cells.
  EXPECT_EQ(records[1][column("variant")], "");
  EXPECT_EQ(records[1][column("device_p50_ms")], "");
  EXPECT_EQ(records[1][column("peak_device_memory_mb")], "");
}

TEST(CsvReporterTest, CarriesTheHostOfEachRow) {
  const std::vector<std::vector<std::string>> records = parse_csv(render("csv", sample_run::on_two_hosts()));
  ASSERT_EQ(records.size(), 7U);
  const std::size_t column = column_index(records, "host");
  EXPECT_EQ(column, 1U);
  EXPECT_EQ(records[1 + sample_run::kSlowRow][column], "a");
  EXPECT_EQ(records[1 + sample_run::kFastRowOnB][column], "b");
  EXPECT_EQ(records[1 + sample_run::kLostRowOnB][column], "b");
  EXPECT_EQ(records[1 + sample_run::kLostRowOnB][column_index(records, "error")], "host b lost during the cell");
}

TEST(CsvReporterTest, CarriesEachRoundsThroughput) {
  RunResult run = sample_run::make();
  run.rows[sample_run::kFastRow].round_throughput = {400.5, 390.25};
  const std::vector<std::vector<std::string>> records = parse_csv(render("csv", run));
  const std::size_t column = column_index(records, "round_throughput");
  EXPECT_EQ(records[1 + sample_run::kFastRow][column], "400.5;390.25");
  EXPECT_EQ(records[1 + sample_run::kSlowRow][column], "");
}

TEST(TableReporterTest, ListsDeviceMeasurementsUnderTheTableForRowsThatHaveThem) {
  const std::vector<std::string> lines = lines_of(render("table", gpu_run()));
  std::size_t at = 0;
  while (at < lines.size() && lines[at] != "Measured by the device itself:") ++at;
  ASSERT_LT(at + 3, lines.size()) << "no device section";
  // The Row column is as wide as the title; numbers end at their header's right edge.
  const std::string title = "PyTorch (CUDA graph) CUDA GPU FP16 batch 64";
  EXPECT_EQ(lines[at + 1], "Row" + std::string(title.size() - 3, ' ') +
                               "  Device P50 (ms)  Device P99 (ms)  Device mean (ms)  Peak device memory (MB)");
  EXPECT_EQ(lines[at + 3], title + "  " + std::string(10, ' ') + "2.625  " + std::string(10, ' ') + "2.748  " +
                               std::string(11, ' ') + "2.625  " + std::string(18, ' ') + "412.8");
  // Only the GPU row: the next line is blank or the end.
  EXPECT_TRUE(at + 4 == lines.size() || lines[at + 4].empty()) << lines[at + 4];
  // Without such rows the section is absent.
  const std::string plain = render("table", sample_run::make());
  EXPECT_EQ(plain.find("Measured by the device itself"), std::string::npos);
}

TEST(MarkdownReporterTest, ListsDeviceMeasurementsUnderTheTable) {
  const std::string text = render("markdown", gpu_run());
  EXPECT_NE(text.find("Measured by the device itself:\n\n"
                      "| Row | Device P50 (ms) | Device P99 (ms) | Device mean (ms) | Peak device memory (MB) |\n"
                      "|---|---:|---:|---:|---:|\n"
                      "| PyTorch (CUDA graph) CUDA GPU FP16 batch 64 | 2.625 | 2.748 | 2.625 | 412.8 |\n"),
            std::string::npos)
      << text;
}

// Rows with accuracy against labels (--input with --labels) get a table of their own under Table B,
// in every text format, and their values in the CSV.
TEST(ReportersTest, AccuracyAgainstLabelsUnderTheTable) {
  RunResult run = sample_run::make();
  Row& row = run.rows[sample_run::kFastRow];
  row.parity->samples = 1000;
  row.accuracy = LabelAccuracy{1000, 0.7125, 0.9, 0.7250, 0.905};
  const std::vector<std::string> lines = lines_of(render("table", run));
  std::size_t at = 0;
  while (at < lines.size() && lines[at].rfind("Accuracy on the labelled samples of --input", 0) != 0) ++at;
  ASSERT_LT(at + 3, lines.size()) << "no accuracy section";
  EXPECT_NE(lines[at + 1].find("Samples  Top-1 agreement  Top-1 %  Top-5 %  FP32 top-1 %  FP32 top-5 %  Change (points)"),
            std::string::npos) << lines[at + 1];
  EXPECT_NE(lines[at + 3].find("1000"), std::string::npos) << lines[at + 3];
  EXPECT_NE(lines[at + 3].find("71.25    90.00         72.50         90.50            -1.25"), std::string::npos)
      << lines[at + 3];
  EXPECT_TRUE(at + 4 == lines.size() || lines[at + 4].empty()) << "only the row with labels";
  const std::string markdown = render("markdown", run);
  EXPECT_NE(markdown.find("| 1000 | 1.0000 | 71.25 | 90.00 | 72.50 | 90.50 | -1.25 |"), std::string::npos) << markdown;
  const std::vector<std::vector<std::string>> records = parse_csv(render("csv", run));
  EXPECT_EQ(records[1 + sample_run::kFastRow][column_index(records, "accuracy_top1")], "0.7125");
  EXPECT_EQ(records[1 + sample_run::kFastRow][column_index(records, "reference_accuracy_top5")], "0.905");
  EXPECT_EQ(records[1 + sample_run::kFastRow][column_index(records, "parity_samples")], "1000");
  EXPECT_EQ(records[1 + sample_run::kSlowRow][column_index(records, "accuracy_top1")], "");
  // A row without a reference (a user's artefact file) has its own accuracy only.
  Row& alone = run.rows[sample_run::kSlowRow];
  alone.accuracy = LabelAccuracy{1000, 0.69, std::nullopt, std::nullopt, std::nullopt};
  const std::string table = render("table", run);
  EXPECT_NE(table.find("1000              n/a    69.00      n/a           n/a           n/a              n/a"),
            std::string::npos) << table;
  EXPECT_EQ(render("table", sample_run::make()).find("Accuracy on the labelled"), std::string::npos);
}

TEST(CsvReporterTest, CarriesTheMultiplyAddsAndThePhysicalLimit) {
  const std::vector<std::vector<std::string>> records = parse_csv(render("csv", sample_run::with_compute_bound()));
  ASSERT_EQ(records.size(), 5U);
  const auto column = [&](std::string_view name) { return column_index(records, name); };
  const auto& fast = records[1 + sample_run::kFastRow];
  EXPECT_EQ(fast[column("macs_per_sample")], "300774272");
  EXPECT_EQ(fast[column("peak_gmacs")], "232");
  EXPECT_EQ(fast[column("achieved_gmacs")], "116");
  EXPECT_EQ(fast[column("utilisation")], "0.5");
  EXPECT_EQ(fast[column("fps_bound")], "771.5");
  EXPECT_EQ(records[1 + sample_run::kSlowRow][column("peak_gmacs")], "");
}

TEST(TableReporterTest, ListsPhysicalLimitsUnderTheTableForRowsThatHaveThem) {
  const std::vector<std::string> lines = lines_of(render("table", sample_run::with_compute_bound()));
  std::size_t at = 0;
  while (at < lines.size() && !lines[at].starts_with("Physical limits (")) ++at;
  ASSERT_LT(at + 3, lines.size()) << "no physical limits section";
  const std::string title = "OpenVINO CPU FP32 batch 64, 2 threads";
  EXPECT_EQ(lines[at + 1], "Row" + std::string(title.size() - 3, ' ') +
                               "  MACs/sample (M)  Achieved (GMAC/s)  Peak (GMAC/s)  % of peak  FPS bound  "
                               "Peak measured with");
  EXPECT_EQ(lines[at + 3], title + "  " + std::string(10, ' ') + "300.8  " + std::string(12, ' ') + "116.0  " +
                               std::string(8, ' ') + "232.0  " + std::string(5, ' ') + "50.0  " +
                               std::string(4, ' ') + "771.5  AVX-512 FMA (vfmadd231ps zmm), 2 threads");
  EXPECT_EQ(render("table", sample_run::make()).find("Physical limits"), std::string::npos);
}

TEST(MarkdownReporterTest, ListsPhysicalLimitsUnderTheTable) {
  const std::string text = render("markdown", sample_run::with_compute_bound());
  EXPECT_NE(text.find(std::string(report::kLimitsTitle) + "\n\n"
                      "| Row | MACs/sample (M) | Achieved (GMAC/s) | Peak (GMAC/s) | % of peak | FPS bound | "
                      "Peak measured with |\n"
                      "|---|---:|---:|---:|---:|---:|---|\n"
                      "| OpenVINO CPU FP32 batch 64, 2 threads | 300.8 | 116.0 | 232.0 | 50.0 | 771.5 | "
                      "AVX-512 FMA (vfmadd231ps zmm), 2 threads |\n"),
            std::string::npos)
      << text;
}

TEST(CsvReporterTest, JoinsWarningsIntoOneCell) {
  RunResult run = sample_run::make();
  Row row = run.rows[sample_run::kFastRow];
  row.warnings = {"only 100 samples: P99 is imprecise", "debug build"};
  run.rows = {row};
  const std::vector<std::vector<std::string>> records = parse_csv(render("csv", run));
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[1].back(), "only 100 samples: P99 is imprecise | debug build");
}

// --- markdown ------------------------------------------------------------------------------

// Pipes that end a cell: those not escaped with a backslash.
std::size_t unescaped_pipes(const std::string& line) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++count;
  }
  return count;
}

TEST(MarkdownReporterTest, WritesHeadingTableAndNotes) {
  const std::vector<std::string> lines = lines_of(render("markdown", sample_run::make()));
  const std::vector<std::string> expected = {
      "## inferbench run 20261126T130501Z-1a2b3c",
      "",
      "Host: bench-01, started 2026-11-26T13:05:01Z.",
      "",
      "| Rank | Framework | Inf. Device | Target Hardware | Precision | Mode | Compile Time (ms) | "
      "P50 Latency (ms) | P99 Latency (ms) | Throughput (FPS) | Measured thr. | P99/P50 | CV % | "
      "Peak RSS (MB) | Parity cos / top-1 | Status |",
      "|---:|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
      "| 1 | OpenVINO | CPU | Intel Xeon Gold 6338 (AVX-512, 2 threads) | FP32 | sync | 7835.45 | "
      "159.672 | 195.609 | 400.82 | 395.25 | 1.225 | 5.00 | 512.4 | 0.999987 / 1.000 | ok |",
      "| 2 | PyTorch (Native) | CPU | Intel Xeon Gold 6338 \\| 2 threads | FP32 | sync | 12.50 | "
      "1010.355 | 1151.889 | 63.34 | 62.50 | 1.140 | 2.50 | n/a | n/a | ok |",
      "| - | TensorRT | CUDA GPU | NVIDIA GeForce RTX 3060 Laptop GPU | FP16 | sync | 818.83 | n/a | "
      "n/a | n/a | n/a | n/a | n/a | n/a | n/a | failed |",
      "| - | LiteRT | CPU |  | INT8 | sync | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a | "
      "unavailable |",
      "",
      report::kStartUpTitle,
      "",
      "| Row | Export (ms) | Compile (ms) | Cached compile (ms) | First inference (ms) | To first result (ms) |",
      "|---|---:|---:|---:|---:|---:|",
      "| OpenVINO CPU FP32 batch 64, 2 threads | 2150.50 | 7835.45 | 412.50 | 250.75 | 8086.20 |",
      "| PyTorch (Native) CPU FP32 batch 64 | n/a | 12.50 | n/a | 1500.25 | 1512.75 |",
      "",
      "- **failed** TensorRT CUDA GPU FP16 batch 64: worker crashed: signal 11, \"engine build\" "
      "did not finish last log line: out of memory",
      "- **unavailable** LiteRT CPU INT8 batch 64: libtensorflowlite_c.so not found | set "
      "LITERT_ROOT",
      "- **warn** OpenVINO CPU FP32 batch 64, 2 threads: CV 5.0% is above 2%: governor is \"powersave\", "
      "set it to performance",
  };
  ASSERT_EQ(lines.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(lines[i], expected[i]) << "line " << i;
  }
  // Every table line has 16 cells, so 17 cell-ending pipes: the escaped one does not count.
  for (std::size_t i = 4; i <= 9; ++i) EXPECT_EQ(unescaped_pipes(lines[i]), 17U) << lines[i];
}

// The sample run with its two ok rows copied as a second model, resnet50, slower.
RunResult two_model_run() {
  RunResult run = sample_run::make();
  for (int index : {sample_run::kSlowRow, sample_run::kFastRow}) {
    Row row = run.rows[index];
    row.model = "resnet50";
    row.fps = *row.fps / 10;
    run.rows.push_back(row);
  }
  return run;
}

TEST(TableReporterTest, SeveralModelsGetATableEachRankedOnItsOwn) {
  const std::vector<std::string> lines = lines_of(render("table", two_model_run()));
  std::vector<std::string> headings;
  std::vector<std::string> ranked;  // "rank framework" of the ranked lines, in order
  for (const std::string& line : lines) {
    if (line.rfind("Model ", 0) == 0) headings.push_back(line);
    if (line.find("   1  ") == 0 || line.find("   2  ") == 0) ranked.push_back(line.substr(0, 20));
  }
  EXPECT_EQ(headings, (std::vector<std::string>{"Model 1 of 2: mobilenet_v2", "Model 2 of 2: resnet50"}));
  EXPECT_EQ(ranked, (std::vector<std::string>{"   1  OpenVINO      ", "   2  PyTorch (Nativ",
                                              "   1  OpenVINO      ", "   2  PyTorch (Nativ"}));
}

TEST(MarkdownReporterTest, SeveralModelsGetATableEachRankedOnItsOwn) {
  const std::string text = render("markdown", two_model_run());
  const auto first = text.find("### Model 1 of 2: mobilenet_v2");
  const auto second = text.find("### Model 2 of 2: resnet50");
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(second, std::string::npos) << text;
  EXPECT_LT(first, second);
  // resnet50's own fastest row is its rank 1 (40.08 FPS), though mobilenet_v2 has faster ones.
  EXPECT_NE(text.find("| 1 | OpenVINO | CPU | Intel Xeon Gold 6338 (AVX-512, 2 threads) | FP32 | sync | "
                      "7835.45 | 159.672 | 195.609 | 40.08 |", second),
            std::string::npos)
      << text;
}

TEST(MarkdownReporterTest, SeveralHostsGetAHostColumn) {
  const std::vector<std::string> lines = lines_of(render("markdown", sample_run::on_two_hosts()));
  ASSERT_GE(lines.size(), 7U);
  EXPECT_EQ(lines[4].rfind("| Rank | Host | Framework | Inf. Device |", 0), 0U) << lines[4];
  EXPECT_EQ(lines[5].rfind("|---:|---|---|---|", 0), 0U) << lines[5];
  EXPECT_EQ(lines[6].rfind("| 1 | b | OpenVINO | CPU | AMD EPYC 9654 (AVX-512, 2 threads) |", 0), 0U) << lines[6];
  const std::string text = render("markdown", sample_run::on_two_hosts());
  EXPECT_NE(text.find("\n- **failed** PyTorch (Native) CPU FP32 batch 64 on host b: host b lost during the cell\n"),
            std::string::npos)
      << text;
}

TEST(MarkdownReporterTest, EscapesPipesInEveryCell) {
  RunResult run = sample_run::make();
  Row row = run.rows[sample_run::kFastRow];
  row.framework = "A|B";
  row.device_label = "C|D";
  row.precision = "e|f";
  run.rows = {row};
  const std::vector<std::string> lines = lines_of(render("markdown", run));
  ASSERT_GE(lines.size(), 7U);
  EXPECT_EQ(lines[6].rfind("| 1 | A\\|B | C\\|D | Intel Xeon Gold 6338 (AVX-512, 2 threads) | "
                           "E\\|F | ",
                           0),
            0U)
      << lines[6];
  EXPECT_EQ(unescaped_pipes(lines[6]), 17U) << lines[6];
}

// --- json ----------------------------------------------------------------------------------

TEST(JsonReporterTest, WritesTheRunAsOneDocumentThatReadsBack) {
  const RunResult sample = sample_run::make();
  const std::string text = render("json", sample);
  const std::vector<std::string> lines = lines_of(text);
  ASSERT_GE(lines.size(), 3U);
  EXPECT_EQ(lines[0], "{");
  EXPECT_EQ(lines[1], "  \"rows\": [");  // two-space indent; keys sorted
  EXPECT_EQ(lines.back(), "}");

  const nlohmann::json document = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(document.is_discarded()) << text;
  EXPECT_EQ(document, nlohmann::json(sample));

  const RunResult back = document.get<RunResult>();
  EXPECT_EQ(back.run.id, sample.run.id);
  EXPECT_EQ(back.run.started_at, sample.run.started_at);
  EXPECT_EQ(back.run.host, sample.run.host);
  EXPECT_EQ(back.run.env, sample.run.env);
  EXPECT_EQ(back.run.request, sample.run.request);
  ASSERT_EQ(back.rows.size(), sample.rows.size());
  for (std::size_t i = 0; i < sample.rows.size(); ++i) {
    const Row& want = sample.rows[i];
    const Row& got = back.rows[i];
    EXPECT_EQ(got.framework, want.framework) << i;
    EXPECT_EQ(got.device, want.device) << i;
    EXPECT_EQ(got.precision, want.precision) << i;
    EXPECT_EQ(got.batch, want.batch) << i;
    EXPECT_EQ(got.status, want.status) << i;
    EXPECT_EQ(got.error, want.error) << i;
    EXPECT_EQ(got.compile_ms, want.compile_ms) << i;
    EXPECT_EQ(got.cached_compile_ms, want.cached_compile_ms) << i;
    EXPECT_EQ(got.fps, want.fps) << i;
    EXPECT_EQ(got.throughput, want.throughput) << i;
    EXPECT_EQ(got.samples, want.samples) << i;
    EXPECT_EQ(got.latency_ms.has_value(), want.latency_ms.has_value()) << i;
    if (got.latency_ms && want.latency_ms) {
      EXPECT_EQ(got.latency_ms->p50, want.latency_ms->p50) << i;
      EXPECT_EQ(got.latency_ms->p99, want.latency_ms->p99) << i;
    }
    EXPECT_EQ(got.parity.has_value(), want.parity.has_value()) << i;
    EXPECT_EQ(got.latency_samples_ms, want.latency_samples_ms) << i;
    EXPECT_EQ(got.warnings, want.warnings) << i;
  }
  ASSERT_TRUE(back.rows[sample_run::kFastRow].p99_ci_ms.has_value());
  EXPECT_FALSE(back.rows[sample_run::kFastRow].p99_ci_ms->hi.has_value());
  EXPECT_EQ(back.rows[sample_run::kFastRow].parity->cosine, 0.999987);
}

TEST(JsonReporterTest, ReplacesInvalidUtf8InsteadOfThrowing) {
  RunResult run = sample_run::make();
  run.rows[sample_run::kFailedRow].error = "SDK said: \xff\xfe";
  const std::string text = render("json", run);
  const nlohmann::json document = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(document.is_discarded()) << text;
  EXPECT_EQ(document["rows"][sample_run::kFailedRow]["error"],
            "SDK said: \xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(JsonReporterTest, EmptyRunHasEmptyRows) {
  RunResult run = sample_run::make();
  run.rows.clear();
  const nlohmann::json document = nlohmann::json::parse(render("json", run), nullptr, false);
  ASSERT_TRUE(document.is_object());
  EXPECT_EQ(document["rows"], nlohmann::json::array());
  EXPECT_EQ(document["run"]["id"], run.run.id);
}

// --- the format table ----------------------------------------------------------------------

TEST(MakeReporterTest, ListsTheFormats) {
  EXPECT_EQ(reporter_formats(),
            (std::vector<std::string>{"table", "csv", "markdown", "json", "guide", "html"}));
  for (const std::string& format : reporter_formats()) {
    std::ostringstream out;
    EXPECT_TRUE(make_reporter(format, out).is_ok()) << format;
  }
}

TEST(MakeReporterTest, MdIsAnAliasOfMarkdown) {
  EXPECT_EQ(render("md", sample_run::make()), render("markdown", sample_run::make()));
}

TEST(MakeReporterTest, RejectsAnUnknownFormatAsUsageError) {
  std::ostringstream out;
  const Result<std::unique_ptr<Reporter>> reporter = make_reporter("xml", out);
  ASSERT_FALSE(reporter.is_ok());
  EXPECT_EQ(reporter.status().code(), StatusCode::Usage);
  EXPECT_EQ(reporter.status().message(), "unknown report format 'xml'");
  EXPECT_EQ(reporter.status().hint(), "use one of: table, csv, markdown, json, guide, html");
  EXPECT_TRUE(out.str().empty());
}

TEST(MakeReporterTest, NamesAreCaseSensitiveAndExact) {
  std::ostringstream out;
  for (const char* name : {"JSON", "Table", "", "json ", "mark"}) {
    const Result<std::unique_ptr<Reporter>> reporter = make_reporter(name, out);
    ASSERT_FALSE(reporter.is_ok()) << "'" << name << "'";
    EXPECT_EQ(reporter.status().code(), StatusCode::Usage) << "'" << name << "'";
  }
}

}  // namespace
}  // namespace inferbench
