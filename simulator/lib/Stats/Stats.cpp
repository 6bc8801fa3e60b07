//===- Stats.cpp ----------------------------------------------------------===//
#include "strata/sim/stats/Stats.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace strata::sim {

StatGroup::StatGroup(std::string name, StatGroup *parent)
    : name_(std::move(name)), parent_(parent) {}

std::string StatGroup::path() const {
  return parent_ ? parent_->path() + "." + name_ : name_;
}

Scalar &StatGroup::scalar(const std::string &name, const std::string &description,
                          const std::string &unit) {
  for (const Entry &e : entries_)
    if (e.name == name)
      throw std::logic_error("stat '" + path() + "." + name + "' registered twice");
  entries_.push_back({name, description, unit, std::make_unique<Scalar>(), nullptr});
  return *entries_.back().scalar;
}

void StatGroup::formula(const std::string &name, const std::string &description,
                        const std::string &unit, std::function<double()> compute) {
  for (const Entry &e : entries_)
    if (e.name == name)
      throw std::logic_error("stat '" + path() + "." + name + "' registered twice");
  entries_.push_back({name, description, unit, nullptr, std::move(compute)});
}

StatGroup &StatGroup::child(const std::string &name) {
  for (auto &c : children_)
    if (c->name() == name)
      return *c;
  children_.push_back(std::make_unique<StatGroup>(name, this));
  return *children_.back();
}

bool StatGroup::lookup(const std::string &path, double &value) const {
  auto dot = path.find('.');
  if (dot == std::string::npos) {
    for (const Entry &e : entries_)
      if (e.name == path) {
        value = e.value();
        return true;
      }
    return false;
  }
  std::string head = path.substr(0, dot);
  for (const auto &c : children_)
    if (c->name() == head)
      return c->lookup(path.substr(dot + 1), value);
  return false;
}

nlohmann::json StatGroup::toJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const Entry &e : entries_)
    out[e.name] = {{"value", e.value()}, {"unit", e.unit}, {"desc", e.description}};
  for (const auto &c : children_)
    out[c->name()] = c->toJson();
  return out;
}

void StatGroup::reset() {
  for (Entry &e : entries_)
    if (e.scalar)
      e.scalar->set(0);
  for (auto &c : children_)
    c->reset();
}

} // namespace strata::sim
