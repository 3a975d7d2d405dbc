// Small text helpers shared by the parsers.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace strata {

std::string_view Trim(std::string_view s);
// Splits on runs of white space; no empty pieces.
std::vector<std::string> SplitWords(std::string_view s);
// Splits into lines; a final line without '\n' counts; '\r' before '\n' is dropped.
std::vector<std::string_view> SplitLines(std::string_view s);

// "250ms", "2s", "1.5s", "3m", "1h", "0" → milliseconds. kInput on anything else.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// 1500ms → "1.5s"; 250ms → "250ms".
std::string FormatDuration(std::chrono::milliseconds ms);

// Replaces ${NAME} with the environment variable NAME. kInput naming the variable when it is
// not set. "$$" stands for a literal "$".
Result<std::string> ExpandEnv(std::string_view text);

// Lower-case ASCII.
std::string ToLower(std::string_view s);

// JSON-free quoting for text output: 'a b' → "a b" only when needed.
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace strata
