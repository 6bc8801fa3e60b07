//===- ArchConfigFind.cpp - Loading configs from files and by name --------===//
#include "strata/target/ArchConfigIO.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace strata {

// Real configs are a few KiB; the cap keeps a mistaken path (a model file,
// /dev/zero) from being read into memory whole.
static constexpr std::streamoff kMaxConfigBytes = 4 << 20;

Expected<ArchConfig> loadArchConfig(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return Error(path + ": cannot open the config: " + std::strerror(errno));
  if (S_ISDIR(st.st_mode))
    return Error(path + ": is a directory, not a config file");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error(path + ": cannot open the config: " + std::strerror(errno));
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, size_t(in.gcount()));
    if (std::streamoff(text.size()) > kMaxConfigBytes)
      return Error(path + ": is larger than " + std::to_string(kMaxConfigBytes >> 20) +
                   " MiB; not an arch config");
  }
  if (in.bad())
    return Error(path + ": read error: " + std::strerror(errno));
  return parseArchConfig(text, path);
}

std::vector<std::string> archConfigSearchPath() {
  std::vector<std::string> dirs;
  if (const char *env = std::getenv("STRATA_CONFIG_PATH")) {
    std::string list = env;
    size_t start = 0;
    while (start <= list.size()) {
      size_t end = list.find(':', start);
      if (end == std::string::npos)
        end = list.size();
      if (end > start)
        dirs.push_back(list.substr(start, end - start));
      start = end + 1;
    }
  }
  dirs.push_back(STRATA_CONFIG_DIR);
  return dirs;
}

static bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

Expected<ArchConfig> findArchConfig(const std::string &nameOrPath) {
  if (nameOrPath.empty())
    return Error("no arch config named: expected a name such as 'npu-default' or a "
                 "path to a .yaml file");
  if (nameOrPath.find('/') != std::string::npos || endsWith(nameOrPath, ".yaml") ||
      endsWith(nameOrPath, ".yml"))
    return loadArchConfig(nameOrPath);
  std::string searched;
  for (const std::string &dir : archConfigSearchPath()) {
    std::string candidate = dir + "/" + nameOrPath + ".yaml";
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
      return loadArchConfig(candidate);
    searched += (searched.empty() ? "" : ", ") + dir;
  }
  return Error("no arch config named '" + nameOrPath + "' (looked for " + nameOrPath +
               ".yaml in " + searched + "; set STRATA_CONFIG_PATH to add directories)");
}

} // namespace strata
