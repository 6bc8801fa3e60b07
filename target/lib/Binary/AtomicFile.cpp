//===- AtomicFile.cpp - Write a file through a renamed temporary ----------===//
#include "AtomicFile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace strata::bin {

namespace {
constexpr size_t kBufferBytes = 1 << 20;
/// Writes at least this large bypass the buffer.
constexpr size_t kDirectWriteBytes = 64 << 10;
} // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  std::string templ = path_ + ".tmp.XXXXXX";
  fd_ = ::mkstemp(templ.data());
  if (fd_ < 0) {
    setError("cannot create a temporary file next to it", errno);
    return;
  }
  tempPath_ = templ;
  // mkstemp creates 0600; keep the mode of the file we replace, else the
  // usual 0644.
  struct stat st;
  mode_t mode = ::stat(path_.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
  if (::fchmod(fd_, mode) != 0)
    setError("cannot set the permissions of the temporary file", errno);
  buffer_.reserve(kBufferBytes);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0)
    ::close(fd_);
  if (!committed_ && !tempPath_.empty())
    ::unlink(tempPath_.c_str());
}

void AtomicFile::setError(const std::string &what, int err) {
  if (status_)
    status_ = Error(fmt::format("cannot write '{}': {}: {}", path_, what,
                                std::strerror(err)));
}

void AtomicFile::flush() {
  const uint8_t *p = buffer_.data();
  size_t left = buffer_.size();
  while (left > 0 && status_) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      setError("write failed", errno);
      break;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  buffer_.clear();
}

void AtomicFile::write(const void *data, size_t size) {
  if (!status_ || size == 0)
    return;
  offset_ += size;
  if (size < kDirectWriteBytes) {
    if (buffer_.size() + size > kBufferBytes)
      flush();
    const auto *bytes = static_cast<const uint8_t *>(data);
    buffer_.insert(buffer_.end(), bytes, bytes + size);
    return;
  }
  flush();
  const auto *p = static_cast<const uint8_t *>(data);
  while (size > 0 && status_) {
    ssize_t n = ::write(fd_, p, std::min<size_t>(size, 1 << 30));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      setError("write failed", errno);
      return;
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
}

void AtomicFile::padTo(uint64_t offset) {
  static const uint8_t kZeros[4096] = {};
  while (status_ && offset_ < offset)
    write(kZeros, static_cast<size_t>(std::min<uint64_t>(sizeof kZeros,
                                                         offset - offset_)));
}

Status AtomicFile::commit() {
  if (status_)
    flush();
  if (status_ && ::fsync(fd_) != 0)
    setError("fsync failed", errno);
  if (status_) {
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0)
      setError("close failed", errno);
  }
  if (status_ && ::rename(tempPath_.c_str(), path_.c_str()) != 0)
    setError(fmt::format("cannot rename '{}' to it", tempPath_), errno);
  if (status_)
    committed_ = true;
  return status_;
}

} // namespace strata::bin
