//===- SampleBinary.h - Binaries and file helpers for the binary tests ----===//
#pragma once

#include "strata/target/Binary.h"
#include "strata/target/BinaryIO.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace strata::bintest {

/// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
public:
  TempDir() {
    std::string templ = "/tmp/strata-bin-test.XXXXXX";
    path_ = ::mkdtemp(templ.data()) ? templ : std::string();
  }
  ~TempDir() {
    if (!path_.empty())
      std::system(("rm -rf '" + path_ + "'").c_str());
  }
  const std::string &path() const { return path_; }
  std::string file(const std::string &name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

inline std::vector<uint8_t> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void writeFile(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

/// Deterministic pseudo-random bytes (constant data that is not all zero).
inline std::vector<uint8_t> patternBytes(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto &b : v) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<uint8_t>(x);
  }
  return v;
}

/// A small program that touches several instruction classes.
inline std::vector<isa::Instr> sampleProgram(uint32_t variant) {
  using namespace isa;
  std::vector<Instr> p;
  p.push_back(ScalarInstr{Opcode::Li, 2, 0, 0, int64_t(0x1000 + variant)});
  DmaInstr load;
  load.op = Opcode::DmaLoad;
  load.src = MemRef{Space::Hbm, kLocalCore, 2, 0x40};
  load.dst = MemRef{Space::Sram, kLocalCore, 0, 0};
  load.size[0] = Dim::imm(256);
  load.size[1] = Dim::imm(4);
  load.srcStride[0] = 1024;
  load.dstStride[0] = 256;
  p.push_back(load);
  p.push_back(SyncInstr{Opcode::SemSignal, Queue::Load, 1, 1});
  p.push_back(SyncInstr{Opcode::SemWait, Queue::Compute, 1, 1});
  p.push_back(TcConfigInstr{Gang::Quad, DType::F16});
  VecInstr v;
  v.op = Opcode::VAdd;
  v.rows = Dim::imm(4);
  v.cols = Dim::imm(64);
  v.ld0 = v.ld1 = v.ldd = 64;
  v.x = SramRef{0, 0};
  v.y = SramRef{0, 1024};
  v.dst = SramRef{0, 2048};
  p.push_back(v);
  p.push_back(ScalarInstr{Opcode::Addi, 3, 3, 0, 1});
  p.push_back(BranchInstr{Opcode::Bne, 3, 1, 6});
  p.push_back(ControlInstr{Opcode::Halt});
  return p;
}

/// Owns the constant bytes a sample Binary points at.
struct SampleData {
  std::vector<uint8_t> wq = patternBytes(5000, 1);
  std::vector<uint8_t> wk = patternBytes(300, 2);
};

/// Several regions, I/O bindings, constant segments, entry points with
/// parameters and idle cores, and every kind of metadata.
inline bin::Binary sampleBinary(const SampleData &data) {
  using namespace bin;
  Binary b;
  b.meta.toolVersion = "strata 0.1.0";
  b.meta.passPipeline = "fuse,quantize{policy=mixed},lower";
  b.meta.modelName = "tiny-test";
  b.meta.extra = {{"quantization", "mixed"}, {"seed", "42"}};
  b.archConfigYaml = "name: npu-test\nnum_cores: 8\n";
  b.archHash = std::string(64, 'a');
  b.regions = {
      {"weights", RegionKind::Weights, 0x0, 0x100000},
      {"activations", RegionKind::Activations, 0x100000, 0x40000},
      {"kv", RegionKind::KvCache, 0x200000, 0x10000},
      {"io", RegionKind::Io, 0x300000, 0x1000},
  };
  b.io = {
      {"tokens", IoDirection::Input, DType::I32, {1, 16}, 0x300000},
      {"logits", IoDirection::Output, DType::F32, {1, 32}, 0x300040},
      {"packed", IoDirection::Input, DType::I4, {3}, 0x300100},
  };
  b.constants = {
      {"wq", 0x0, data.wq.size(), data.wq.data()},
      {"wk", 0x2000, data.wk.size(), data.wk.data()},
  };
  b.entries = {
      {"prefill", {{"pos", 1}, {"len", 2}}, {sampleProgram(0), sampleProgram(1)}, {}},
      {"decode", {{"pos", 1}}, {sampleProgram(2), {}, sampleProgram(3)}, {}},
  };
  return b;
}

} // namespace strata::bintest
