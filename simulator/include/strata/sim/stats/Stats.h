//===- Stats.h - Named, described, unit-tagged statistics -------*- C++ -*-===//
//
// Every simulator module owns a StatGroup and registers its statistics once,
// at construction, with a name, a description and a unit. Updating a stat is
// a plain add on a double: cheap enough for the hot path. One formatter
// (toJson) walks the group tree, so every module's stats look the same in the
// output and each carries its own description and unit.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace strata::sim {

/// A counter or accumulated quantity.
class Scalar {
public:
  Scalar &operator+=(double v) {
    value_ += v;
    return *this;
  }
  Scalar &operator++() {
    value_ += 1;
    return *this;
  }
  void set(double v) { value_ = v; }
  /// Keeps the largest value seen.
  void max(double v) {
    if (v > value_)
      value_ = v;
  }
  double value() const { return value_; }

private:
  double value_ = 0;
};

/// A tree of statistics: chip -> core0 -> dma, hbm -> channel3, ...
class StatGroup {
public:
  explicit StatGroup(std::string name, StatGroup *parent = nullptr);
  StatGroup(const StatGroup &) = delete;
  StatGroup &operator=(const StatGroup &) = delete;

  const std::string &name() const { return name_; }
  /// Dotted path from the root, e.g. "chip.core0.dma".
  std::string path() const;

  /// Registers a stat and returns the counter to update.
  Scalar &scalar(const std::string &name, const std::string &description,
                 const std::string &unit);
  /// Registers a stat computed when dumped (rates, utilisations, averages).
  void formula(const std::string &name, const std::string &description,
               const std::string &unit, std::function<double()> compute);
  /// A child group owned by this one.
  StatGroup &child(const std::string &name);

  /// Looks up a stat value by relative dotted path ("core0.dma.bytes");
  /// returns false if absent.
  bool lookup(const std::string &path, double &value) const;

  /// {"name": {"value": v, "unit": u, "desc": d}, ..., "child": {...}}
  nlohmann::json toJson() const;

  /// Zeroes every counter in this group and below (formulas recompute).
  void reset();

private:
  struct Entry {
    std::string name, description, unit;
    std::unique_ptr<Scalar> scalar;
    std::function<double()> formula;
    double value() const { return formula ? formula() : scalar->value(); }
  };
  std::string name_;
  StatGroup *parent_;
  std::vector<Entry> entries_;
  std::deque<std::unique_ptr<StatGroup>> children_;
};

} // namespace strata::sim
