// File-system helpers returning errors as values.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "util/error.h"

namespace strata {

// Whole file. kIo naming the path when it cannot be read. `regular_file`: the caller knows it
// is a regular file (from its directory listing), which saves a system call.
Result<std::string> ReadFile(const std::filesystem::path& path, bool regular_file = false);
// Writes through a temporary file and rename, so readers never see half a file.
Result<void> WriteFileAtomic(const std::filesystem::path& path, std::string_view content);

}  // namespace strata
