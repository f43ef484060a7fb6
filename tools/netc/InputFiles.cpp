//===- InputFiles.cpp - reading netc's inputs, guarding its outputs -------===//

#include "InputFiles.h"

#include "llvm/Support/Errc.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace fs = llvm::sys::fs;

namespace netc::tool {

namespace {

std::string tooLarge(llvm::StringRef path, uint64_t limit) {
  return ("'" + path + "' is larger than the limit of " + llvm::Twine(limit >> 20) +
          " MiB for this kind of input")
      .str();
}

/// Reads stdin up to `limit` bytes plus one, to tell a too large input.
std::unique_ptr<llvm::MemoryBuffer> readStdin(uint64_t limit, std::string &error) {
  std::string text;
  char chunk[1 << 16];
  while (true) {
    ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      error = "cannot read stdin: " + std::string(strerror(errno));
      return nullptr;
    }
    if (n == 0)
      break;
    text.append(chunk, static_cast<size_t>(n));
    if (text.size() > limit) {
      error = tooLarge("<stdin>", limit);
      return nullptr;
    }
  }
  return llvm::MemoryBuffer::getMemBufferCopy(text, "<stdin>");
}

} // namespace

std::unique_ptr<llvm::MemoryBuffer> readInputFile(llvm::StringRef path, uint64_t limit,
                                                  std::string &error) {
  if (path == "-")
    return readStdin(limit, error);
  // Asked before opening, since opening a FIFO would block; asked again of
  // the open file, so that what is read is what was checked.
  fs::file_status before;
  if (!fs::status(path, before) && before.type() != fs::file_type::regular_file) {
    error = "'" + path.str() + "' is not a regular file";
    return nullptr;
  }
  llvm::Expected<fs::file_t> file = fs::openNativeFileForRead(path);
  if (!file) {
    error = "cannot open '" + path.str() + "': " + llvm::toString(file.takeError());
    return nullptr;
  }
  fs::file_status status;
  std::error_code ec = fs::status(*file, status);
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  if (ec)
    error = "cannot read '" + path.str() + "': " + ec.message();
  else if (status.type() != fs::file_type::regular_file)
    error = "'" + path.str() + "' is not a regular file";
  else if (status.getSize() > limit)
    error = tooLarge(path, limit);
  else if (auto read = llvm::MemoryBuffer::getOpenFile(*file, path, status.getSize()))
    buffer = std::move(*read);
  else
    error = "cannot read '" + path.str() + "': " + read.getError().message();
  fs::closeFile(*file);
  return buffer;
}

std::optional<std::string> outputOverwritingInput(llvm::ArrayRef<std::string> outputs,
                                                  llvm::ArrayRef<std::string> inputs) {
  for (const std::string &output : outputs) {
    if (output.empty() || output == "-" || !fs::exists(output))
      continue;
    for (const std::string &input : inputs) {
      bool same = false;
      if (input.empty() || input == "-" || fs::equivalent(output, input, same) || !same)
        continue;
      if (output == input)
        return "the output '" + output + "' is an input";
      return "the output '" + output + "' is the input '" + input + "'";
    }
  }
  return std::nullopt;
}

} // namespace netc::tool
