// SPDX-License-Identifier: Apache-2.0
// The bounds check of a .tflite file, from the FlatBuffers binary format (flatbuffers.dev,
// "FlatBuffers internals") and the field order of TFLite's schema (schema.fbs: Model, Buffer).
#include "backends/litert/tflite_file_check.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace inferbench::litert_c {
namespace {

// FlatBuffers are little-endian; the values are copied out as they lie.
static_assert(std::endian::native == std::endian::little, "the .tflite check reads little-endian values directly");

// Model's fields in schema.fbs order: version, operator_codes, subgraphs, description, buffers.
constexpr int kModelSubgraphs = 2;
constexpr int kModelBuffers = 4;
// Buffer's fields: data (a vector of bytes), offset and size (weights stored after the FlatBuffer).
constexpr int kBufferData = 0;
constexpr int kBufferOffset = 1;
constexpr int kBufferSize = 2;

class Reader {
 public:
  explicit Reader(std::vector<unsigned char> bytes) : bytes_(std::move(bytes)) {}

  std::size_t size() const { return bytes_.size(); }

  template <typename T>
  std::optional<T> read(std::size_t at) const {
    if (at > bytes_.size() || sizeof(T) > bytes_.size() - at) return std::nullopt;
    T value;
    std::memcpy(&value, bytes_.data() + at, sizeof(T));
    return value;
  }

  // The position an offset field at `at` points to (uoffset_t, relative to itself).
  std::optional<std::size_t> follow(std::size_t at) const {
    const auto offset = read<std::uint32_t>(at);
    if (!offset || *offset > bytes_.size() - at) return std::nullopt;
    return at + *offset;
  }

  // Where field `index` of the table at `table` lies, or nothing when the table does not have it.
  // Sets `bad` when the table or its vtable lies outside the file.
  std::optional<std::size_t> field(std::size_t table, int index, bool& bad) const {
    const auto outside = [&bad] {
      bad = true;
      return std::optional<std::size_t>();
    };
    const auto back = read<std::int32_t>(table);  // soffset_t to the vtable
    if (!back) return outside();
    const auto vtable = static_cast<std::int64_t>(table) - *back;
    if (vtable < 0 || static_cast<std::uint64_t>(vtable) >= bytes_.size()) return outside();
    const auto vtable_size = read<std::uint16_t>(static_cast<std::size_t>(vtable));
    if (!vtable_size) return outside();
    const std::size_t entry = 4 + 2 * static_cast<std::size_t>(index);
    if (entry + 2 > *vtable_size) return std::nullopt;  // written before the field existed: absent
    const auto at = read<std::uint16_t>(static_cast<std::size_t>(vtable) + entry);
    if (!at) return outside();
    if (*at == 0) return std::nullopt;
    return table + *at;
  }

 private:
  std::vector<unsigned char> bytes_;
};

std::string of_file(std::size_t end, std::size_t size) {
  return "ends at byte " + std::to_string(end) + " of a " + std::to_string(size) + "-byte file";
}

}  // namespace

std::optional<std::string> tflite_file_problem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "it cannot be read";
  const Reader file(std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {}));
  if (file.size() < 8) return "it holds " + std::to_string(file.size()) + " bytes, too few for a FlatBuffer";
  const auto model = file.follow(0);
  if (!model) return "its root offset points outside the file";
  bool bad = false;
  // The subgraphs vector and the buffers vector must lie inside the file, and each buffer's data.
  for (int field : {kModelSubgraphs, kModelBuffers}) {
    const auto at = file.field(*model, field, bad);
    if (bad) return "its model table lies outside the file";
    if (!at) continue;
    const auto vector = file.follow(*at);
    const auto length = vector ? file.read<std::uint32_t>(*vector) : std::nullopt;
    const std::string what = field == kModelSubgraphs ? "its subgraph list" : "its buffer list";
    if (!length) return what + " lies outside the file";
    const std::size_t end = *vector + 4 + 4 * static_cast<std::size_t>(*length);
    if (end > file.size()) return what + " " + of_file(end, file.size());
    if (field != kModelBuffers) continue;
    for (std::uint32_t i = 0; i < *length; ++i) {
      const std::string name = "buffer " + std::to_string(i);
      const auto buffer = file.follow(*vector + 4 + 4 * static_cast<std::size_t>(i));
      if (!buffer) return name + " lies outside the file";
      if (const auto data = file.field(*buffer, kBufferData, bad); data && !bad) {
        const auto bytes = file.follow(*data);
        const auto count = bytes ? file.read<std::uint32_t>(*bytes) : std::nullopt;
        if (!count) return name + "'s data lies outside the file";
        const std::size_t data_end = *bytes + 4 + *count;
        if (data_end > file.size()) return name + "'s data " + of_file(data_end, file.size());
      }
      const auto offset_at = file.field(*buffer, kBufferOffset, bad);
      const auto size_at = file.field(*buffer, kBufferSize, bad);
      if (bad) return name + " lies outside the file";
      if (offset_at && size_at) {
        const auto offset = file.read<std::uint64_t>(*offset_at);
        const auto bytes = file.read<std::uint64_t>(*size_at);
        if (!offset || !bytes) return name + " lies outside the file";
        if (*offset > 1 && (*offset > file.size() || *bytes > file.size() - *offset)) {
          return name + "'s external data " + of_file(static_cast<std::size_t>(*offset + *bytes), file.size());
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace inferbench::litert_c
