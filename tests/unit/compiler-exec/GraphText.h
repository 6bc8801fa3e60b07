//===- GraphText.h - Writing small graph-dialect modules --------*- C++ -*-===//
//
// Execution tests describe their modules as text (what `strata compile`
// reads). GraphText keeps the weight declarations and the body apart and
// names types the way the graph dialect prints them.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace strata::exectest {

inline std::string tensorType(const std::vector<int64_t> &shape, const std::string &elem = "f32") {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + elem + ">";
}

inline std::string t2(int64_t rows, int64_t cols) { return tensorType({rows, cols}); }

class GraphText {
public:
  /// graph.weight @name with seeded values; returns the weight_ref line's SSA name.
  void weight(const std::string &name, const std::vector<int64_t> &shape, uint64_t seed,
              double scale = 1.0, const std::string &role = "") {
    decls_ << "  graph.weight @" << name << " : " << tensorType(shape) << " {seed = " << seed
           << " : i64, init_scale = " << std::to_string(scale) << " : f64";
    if (!role.empty())
      decls_ << ", role = \"" << role << "\"";
    decls_ << "}\n";
    shapes_.push_back({name, tensorType(shape)});
  }
  void kvCache(int64_t layers, int64_t maxSeq, int64_t kvHeads, int64_t headDim,
               const std::string &elem = "f32") {
    decls_ << "  graph.kv_cache @kv_cache {layers = " << layers << " : i64, max_seq = " << maxSeq
           << " : i64, kv_heads = " << kvHeads << " : i64, head_dim = " << headDim
           << " : i64, element_type = " << elem << "}\n";
  }
  /// Starts a function; `args` are "%name: type" strings.
  void func(const std::string &name, const std::vector<std::string> &args,
            const std::string &result) {
    body_ << "  func.func @" << name << "(";
    for (size_t i = 0; i < args.size(); ++i)
      body_ << (i ? ", " : "") << args[i];
    body_ << ") -> " << result << " attributes {graph.entry} {\n";
    for (auto &[n, type] : shapes_)
      body_ << "    %" << sanitize(n) << " = graph.weight_ref @" << n << " : " << type << "\n";
  }
  /// A body line (an op); indentation added.
  void op(const std::string &line) { body_ << "    " << line << "\n"; }
  void ret(const std::string &value, const std::string &type) {
    body_ << "    return " << value << " : " << type << "\n  }\n";
  }
  std::string str() const { return "module {\n" + decls_.str() + body_.str() + "}\n"; }

  /// SSA name of a weight's reference inside a function.
  static std::string ref(const std::string &name) { return "%" + sanitize(name); }

private:
  static std::string sanitize(const std::string &n) {
    std::string s = n;
    for (char &c : s)
      if (c == '.')
        c = '_';
    return s;
  }
  std::ostringstream decls_, body_;
  std::vector<std::pair<std::string, std::string>> shapes_;
};

} // namespace strata::exectest
