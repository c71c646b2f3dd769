// The tabwriter cli-runtime's printers use (github.com/liggitt/tabwriter with RememberWidths),
// for output that must match kubectl byte for byte (kubectl top). Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace keelson::cli {

// Go's text/tabwriter layout of '\t'-terminated cells (pad with spaces), except that a column
// block is never narrower than an earlier block of the same column (RememberWidths): rows that
// lack a column do not reset the alignment of the rows after them.
std::string TabWriteRememberWidths(std::string_view text, size_t minwidth, size_t padding);

}  // namespace keelson::cli
