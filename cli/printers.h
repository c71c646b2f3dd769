// keelctl output: kubectl's column layout for server-side tables, and the -o formats (yaml,
// json, name, jsonpath, jsonpath-file, custom-columns). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "api/jsonpath.h"
#include "api/kinds.h"
#include "api/object.h"

namespace keelson::cli {

// kubectl's text/tabwriter settings (minwidth 6, padding 3, pad with spaces): every column
// but the last is padded to its widest cell plus three spaces. With remember_widths, widths only
// grow between Write calls (kubectl get -w).
class ColumnWriter {
 public:
  explicit ColumnWriter(bool remember_widths = false) : remember_(remember_widths) {}
  // Lays out `rows` (each a list of cells) and returns the text, one line per row.
  std::string Write(const std::vector<std::vector<std::string>>& rows);

 private:
  bool remember_;
  std::vector<size_t> widths_;
};

// Go's text/tabwriter over `text` whose cells are '\t'-terminated (flags 0, pad with spaces):
// the layout kubectl describe uses with minwidth 0 and padding 2.
std::string TabWrite(std::string_view text, size_t minwidth, size_t padding);

struct TableOptions {
  bool wide = false;  // show priority > 0 columns
  bool no_headers = false;
  bool with_namespace = false;             // leading NAMESPACE column (-A)
  bool show_labels = false;                // trailing LABELS column
  std::string kind_prefix;                 // "pod" or "deployment.apps": names print as "pod/x"
  std::vector<std::string> label_columns;  // -L key: one column per label key
};

// Converts a metav1.Table into text rows (header first unless no_headers) the way kubectl's
// table printer does. Errors: BadRequest if `table` is not a Table.
api::Result<std::vector<std::vector<std::string>>> TableRows(const api::Json& table,
                                                             const TableOptions& opts);

// "deployment.apps" / "pod": how kubectl names a kind in `-o name` output and messages.
std::string KindName(const api::KindInfo& k);
std::string KindName(const api::GroupVersionKind& gvk);

enum class OutputKind { kDefault, kWide, kYaml, kJson, kName, kJsonPath, kCustomColumns };

struct OutputFormat {
  OutputKind kind = OutputKind::kDefault;
  std::string jsonpath;                                      // the template for kJsonPath
  std::vector<std::pair<std::string, std::string>> columns;  // header, template
};

// Parses -o: "", "wide", "yaml", "json", "name", "jsonpath=T", "jsonpath-file=F",
// "custom-columns=H:path,...", "custom-columns-file=F". Errors: BadRequest with kubectl's
// message (`unable to match a printer suitable for the output format "x", allowed formats
// are: ...`).
api::Result<OutputFormat> ParseOutputFormat(std::string_view flag);

// Prints objects in a non-table format. `as_list` wraps them in a v1 List (what kubectl does
// for anything but a single named object). Errors: the JSONPath evaluation error.
api::Result<std::string> PrintObjects(const std::vector<api::Object>& objects,
                                      const OutputFormat& format, bool as_list,
                                      bool no_headers = false);

// custom-columns output for objects (header row unless no_headers); missing values print
// "<none>", several values are comma-joined.
api::Result<std::string> PrintCustomColumns(
    const std::vector<api::Object>& objects,
    const std::vector<std::pair<std::string, std::string>>& columns, bool no_headers);

// labels.FormatLabels of an object's metadata.labels ("<none>" when empty).
std::string LabelsString(const api::Object& obj);

}  // namespace keelson::cli
