//===- Trace.h - Chrome/Perfetto trace-event writer --------------*- C++ -*-===//
//
// Writes the Chrome trace-event JSON format that ui.perfetto.dev and
// chrome://tracing open. A track is a (process, thread) pair: one process per
// core (and one for the memory system), one thread per queue or unit.
// Events stream to the file as they happen, so a long run does not hold its
// trace in memory. When no file is open every call returns at once.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"

#include <cstdint>
#include <cstdio>
#include <string>

namespace strata::sim {

class TraceWriter {
public:
  TraceWriter() = default;
  ~TraceWriter();
  TraceWriter(const TraceWriter &) = delete;
  TraceWriter &operator=(const TraceWriter &) = delete;

  Status open(const std::string &path);
  bool enabled() const { return file_ != nullptr; }
  /// Completes the JSON document and closes the file.
  Status close();

  /// Declares a track; returns its id for the calls below.
  struct Track {
    uint32_t pid = 0, tid = 0;
  };
  Track track(const std::string &process, uint32_t pid, const std::string &thread,
              uint32_t tid);

  /// A slice from startNs lasting durNs on `track`. `args` is a JSON object
  /// body without braces (e.g. "\"pc\":12"), or empty.
  void slice(Track track, const std::string &name, double startNs, double durNs,
             const std::string &args = {});
  /// A counter sample (DVFS level, power, bandwidth) on process `pid`.
  void counter(uint32_t pid, const std::string &name, double timeNs, double value);
  /// An instant marker.
  void instant(Track track, const std::string &name, double timeNs);

private:
  void separator();
  std::FILE *file_ = nullptr;
  std::string path_;
  bool first_ = true;
};

} // namespace strata::sim
