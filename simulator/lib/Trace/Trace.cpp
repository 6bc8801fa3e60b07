//===- Trace.cpp ----------------------------------------------------------===//
#include "strata/sim/trace/Trace.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>

namespace strata::sim {

namespace {
// Trace-event timestamps are microseconds; keep nanosecond resolution.
double toUs(double ns) { return ns / 1000.0; }
std::string quoted(const std::string &s) { return nlohmann::json(s).dump(); }
} // namespace

TraceWriter::~TraceWriter() { (void)close(); }

Status TraceWriter::open(const std::string &path) {
  (void)close();
  file_ = std::fopen(path.c_str(), "w");
  if (!file_)
    return Error("cannot write trace file '" + path + "': " + std::strerror(errno));
  path_ = path;
  first_ = true;
  std::fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", file_);
  return Status::ok();
}

Status TraceWriter::close() {
  if (!file_)
    return Status::ok();
  std::fputs("\n]}\n", file_);
  bool failed = std::ferror(file_) != 0;
  failed |= std::fclose(file_) != 0;
  file_ = nullptr;
  if (failed)
    return Error("error while writing trace file '" + path_ + "'");
  return Status::ok();
}

void TraceWriter::separator() {
  if (!first_)
    std::fputs(",\n", file_);
  first_ = false;
}

TraceWriter::Track TraceWriter::track(const std::string &process, uint32_t pid,
                                      const std::string &thread, uint32_t tid) {
  if (file_) {
    separator();
    std::fprintf(file_,
                 "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%u,\"tid\":%u,"
                 "\"args\":{\"name\":%s}},\n",
                 pid, tid, quoted(process).c_str());
    std::fprintf(file_,
                 "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%u,\"tid\":%u,"
                 "\"args\":{\"name\":%s}}",
                 pid, tid, quoted(thread).c_str());
  }
  return {pid, tid};
}

void TraceWriter::slice(Track track, const std::string &name, double startNs,
                        double durNs, const std::string &args) {
  if (!file_)
    return;
  separator();
  std::fprintf(file_,
               "{\"ph\":\"X\",\"name\":%s,\"pid\":%u,\"tid\":%u,\"ts\":%.6f,\"dur\":%.6f",
               quoted(name).c_str(), track.pid, track.tid, toUs(startNs), toUs(durNs));
  if (!args.empty())
    std::fprintf(file_, ",\"args\":{%s}", args.c_str());
  std::fputc('}', file_);
}

void TraceWriter::counter(uint32_t pid, const std::string &name, double timeNs,
                          double value) {
  if (!file_)
    return;
  separator();
  std::fprintf(file_,
               "{\"ph\":\"C\",\"name\":%s,\"pid\":%u,\"ts\":%.6f,\"args\":{\"value\":%.9g}}",
               quoted(name).c_str(), pid, toUs(timeNs), value);
}

void TraceWriter::instant(Track track, const std::string &name, double timeNs) {
  if (!file_)
    return;
  separator();
  std::fprintf(file_,
               "{\"ph\":\"i\",\"s\":\"t\",\"name\":%s,\"pid\":%u,\"tid\":%u,\"ts\":%.6f}",
               quoted(name).c_str(), track.pid, track.tid, toUs(timeNs));
}

} // namespace strata::sim
