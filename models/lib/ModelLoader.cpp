#include "strata/models/ModelLoader.h"

#include "strata/models/GgufLoader.h"
#include "strata/models/HfModelLoader.h"
#include "strata/models/Llama2cLoader.h"

#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <sys/stat.h>

namespace strata::models {

namespace {
bool endsWith(const std::string &s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(),
                                                suffix.data(), suffix.size()) == 0;
}
bool startsWith(const std::string &s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix.data(), prefix.size()) == 0;
}
} // namespace

Expected<ModelFormat> detectModelFormat(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return Error(path + ": no such file or directory");
  if (S_ISDIR(st.st_mode) || endsWith(path, ".safetensors"))
    return ModelFormat::Safetensors;
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  if (in.gcount() == 4 && std::memcmp(magic, "GGUF", 4) == 0)
    return ModelFormat::Gguf;
  return ModelFormat::Llama2c;
}

Expected<Model> loadModel(const std::string &path) {
  auto format = detectModelFormat(path);
  if (!format)
    return format.error();
  switch (*format) {
  case ModelFormat::Gguf: return loadGgufModel(path);
  case ModelFormat::Safetensors: return loadHfModel(path);
  case ModelFormat::Llama2c: return loadLlama2cModel(path);
  }
  return Error(path + ": unknown model format");
}

Expected<Tokenizer> loadTokenizerFor(const Model &model,
                                     const std::optional<std::string> &tokenizerPath) {
  if (tokenizerPath)
    return loadLlama2cTokenizer(*tokenizerPath, model.config.vocabSize);
  if (model.tokenizer)
    return *model.tokenizer;
  if (model.format != ModelFormat::Llama2c)
    return Error(model.path + ": the model has no tokenizer Strata can read (" +
                 std::string(modelFormatName(model.format)) +
                 "); pass token ids or a llama2.c tokenizer.bin");
  size_t slash = model.path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : model.path.substr(0, slash);
  std::vector<std::string> candidates;
  if (DIR *d = ::opendir(dir.c_str())) {
    while (dirent *e = ::readdir(d)) {
      std::string name = e->d_name;
      if (startsWith(name, "tok") && endsWith(name, ".bin") && dir + "/" + name != model.path)
        candidates.push_back(dir + "/" + name);
    }
    ::closedir(d);
  }
  std::sort(candidates.begin(), candidates.end());
  if (candidates.empty())
    return Error(model.path + ": no tokenizer*.bin or tok*.bin beside the checkpoint; "
                              "name the tokenizer file explicitly");
  return loadLlama2cTokenizer(candidates.front(), model.config.vocabSize);
}

} // namespace strata::models
