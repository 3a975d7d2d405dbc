#include <string>

#include "lint/report.h"

namespace strata::lint {

std::optional<Format> ParseFormat(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  if (name == "sarif") return Format::kSarif;
  if (name == "github") return Format::kGithub;
  return std::nullopt;
}

std::string FormatFindings(Format format, const std::vector<Finding>& findings,
                           const ReportOptions& options) {
  switch (format) {
    case Format::kText: return FormatText(findings, options);
    case Format::kJson: return FormatJson(findings, options);
    case Format::kSarif: return FormatSarif(findings, options);
    case Format::kGithub: return FormatGithub(findings, options);
  }
  return "";
}

std::string FormatText(const std::vector<Finding>& findings, const ReportOptions& options) {
  auto paint = [&](std::string_view code, std::string_view s) {
    if (!options.color) return std::string(s);
    return "\x1b[" + std::string(code) + "m" + std::string(s) + "\x1b[0m";
  };
  std::string out;
  int errors = 0, warnings = 0, infos = 0;
  for (const Finding& f : findings) {
    std::string_view sev = SeverityName(f.severity);
    std::string_view color = f.severity == Severity::kError     ? "1;31"
                             : f.severity == Severity::kWarning ? "1;33"
                                                                : "1;36";
    (f.severity == Severity::kError ? errors : f.severity == Severity::kWarning ? warnings : infos)++;
    out += f.file + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": " +
           paint(color, std::string(sev) + "[" + f.rule + "]") + ": " + f.message + "\n";
    if (!f.source_line.empty()) {
      std::string gutter = std::to_string(f.line);
      std::string pad(gutter.size(), ' ');
      out += pad + " |\n";
      out += gutter + " | " + f.source_line + "\n";
      // Caret under the offending code: keep tabs so it lines up.
      std::string under;
      int col = 1;
      for (size_t i = 0; i < f.source_line.size() && col < f.column; ++i) {
        unsigned char c = static_cast<unsigned char>(f.source_line[i]);
        if ((c & 0xC0) == 0x80) continue;
        under += c == '\t' ? '\t' : ' ';
        ++col;
      }
      out += pad + " | " + under + paint(color, "^" + std::string(std::max(0, f.length - 1), '~')) +
             "\n";
    }
    if (!f.help.empty()) out += "  = help: " + f.help + "\n";
    out += "\n";
  }
  if (findings.empty()) {
    out += "no findings";
  } else {
    out += std::to_string(findings.size()) + (findings.size() == 1 ? " finding" : " findings") +
           " (" + std::to_string(errors) + " errors, " + std::to_string(warnings) +
           " warnings, " + std::to_string(infos) + " info)";
  }
  if (options.files > 0) {
    out += " in " + std::to_string(options.files) + (options.files == 1 ? " file" : " files") +
           ", " + std::to_string(options.statements) + " statements";
  }
  out += "\n";
  return out;
}

std::string FormatGithub(const std::vector<Finding>& findings, const ReportOptions& options) {
  // Workflow-command escaping: data escapes %, CR, LF; properties also ':' and ','.
  auto data = [](std::string_view s) {
    std::string o;
    for (char c : s) {
      if (c == '%') o += "%25";
      else if (c == '\r') o += "%0D";
      else if (c == '\n') o += "%0A";
      else o += c;
    }
    return o;
  };
  auto prop = [&](std::string_view s) {
    std::string o;
    for (char c : data(s)) {
      if (c == ':') o += "%3A";
      else if (c == ',') o += "%2C";
      else o += c;
    }
    return o;
  };
  std::string out;
  for (const Finding& f : findings) {
    std::string_view level = f.severity == Severity::kError     ? "error"
                             : f.severity == Severity::kWarning ? "warning"
                                                                : "notice";
    out += "::" + std::string(level) + " file=" + prop(f.file) + ",line=" + std::to_string(f.line) +
           ",col=" + std::to_string(f.column) + ",endColumn=" + std::to_string(f.column + f.length) +
           ",title=" + prop("strata " + f.rule) + "::" + data(f.message + "\nhelp: " + f.help) +
           "\n";
  }
  return out;
}

}  // namespace strata::lint
