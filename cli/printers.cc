// kubectl-compatible printers.
#include "cli/printers.h"

#include "cli/tabwriter.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "api/codec.h"
#include "api/table.h"

namespace keelson::cli {
namespace {

using api::Json;

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::toupper);
  return s;
}
std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

// A table cell as kubectl prints it: strings up to the first line break (then "..."), other
// values with fmt.Sprint.
std::string CellText(const Json& cell) {
  if (cell.is_string()) {
    std::string s = cell.get<std::string>();
    size_t br = s.find_first_of("\f\n\r");
    if (br != std::string::npos) s = s.substr(0, br) + "...";
    return s;
  }
  if (cell.is_number_float()) {
    double d = cell.get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d))) {
      return std::to_string(static_cast<int64_t>(d));
    }
  }
  return api::GoPrint(cell);
}

api::Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(api::BadRequest("error: open " + path + ": no such file"));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

api::Result<std::vector<std::pair<std::string, std::string>>> ParseCustomColumns(
    std::string_view spec) {
  std::vector<std::pair<std::string, std::string>> cols;
  if (spec.empty()) {
    return std::unexpected(
        api::BadRequest("error: custom-columns format specified but no custom columns given"));
  }
  size_t begin = 0;
  while (begin <= spec.size()) {
    size_t comma = spec.find(',', begin);
    std::string_view part =
        spec.substr(begin, comma == std::string_view::npos ? spec.npos : comma - begin);
    size_t colon = part.find(':');
    if (colon == std::string_view::npos) {
      return std::unexpected(
          api::BadRequest("error: unexpected custom-columns spec: " + std::string(part) +
                          ", expected <header>:<json-path-expr>"));
    }
    auto path = api::RelaxedJsonPathExpression(part.substr(colon + 1));
    if (!path) return std::unexpected(api::BadRequest("error: " + path.error().message));
    cols.emplace_back(std::string(part.substr(0, colon)), *path);
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  return cols;
}

}  // namespace

std::string ColumnWriter::Write(const std::vector<std::vector<std::string>>& rows) {
  constexpr size_t kMinWidth = 6, kPadding = 3;
  size_t ncols = 0;
  for (const auto& r : rows) ncols = std::max(ncols, r.size());
  if (!remember_) widths_.clear();
  if (widths_.size() < ncols) widths_.resize(ncols, 0);
  for (const auto& r : rows) {
    for (size_t c = 0; c + 1 < r.size(); ++c) {
      widths_[c] = std::max({widths_[c], kMinWidth, RuneCount(r[c]) + kPadding});
    }
  }
  std::string out;
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size(); ++c) {
      out += r[c];
      if (c + 1 < r.size()) out.append(widths_[c] - RuneCount(r[c]), ' ');
    }
    out += '\n';
  }
  return out;
}

namespace {

struct TabState {
  std::vector<std::vector<std::string>> lines;  // cells; the last one is not tab-terminated
  std::vector<size_t> widths;
  size_t minwidth, padding;
  std::string out;
  bool remember = false;          // liggitt/tabwriter's RememberWidths
  std::vector<size_t> maxwidths;  // widest block seen so far per column (with remember)

  void WriteLines(size_t line0, size_t line1) {
    for (size_t i = line0; i < line1; ++i) {
      const auto& line = lines[i];
      for (size_t j = 0; j < line.size(); ++j) {
        out += line[j];
        if (j < widths.size() && j + 1 < line.size()) {
          size_t w = RuneCount(line[j]);
          if (widths[j] > w) out.append(widths[j] - w, ' ');
        }
      }
      if (i + 1 < lines.size()) out += '\n';
    }
  }

  void Format(size_t line0, size_t line1) {
    size_t column = widths.size();
    for (size_t t = line0; t < line1; ++t) {
      if (column + 1 >= lines[t].size()) continue;
      WriteLines(line0, t);
      line0 = t;
      size_t width = minwidth;
      for (; t < line1; ++t) {
        if (column + 1 >= lines[t].size()) break;
        width = std::max(width, RuneCount(lines[t][column]) + padding);
      }
      if (remember) {
        if (maxwidths.size() < widths.size()) {
          maxwidths.insert(maxwidths.end(), widths.begin() + maxwidths.size(), widths.end());
        }
        if (maxwidths.size() == widths.size()) {
          maxwidths.push_back(width);
        } else {
          width = std::max(width, maxwidths[column]);
          maxwidths[column] = width;
        }
      }
      widths.push_back(width);
      Format(line0, t);
      widths.pop_back();
      line0 = t;
      if (t >= line1) return;
    }
    WriteLines(line0, line1);
  }
};

std::string TabWriteImpl(std::string_view text, size_t minwidth, size_t padding,
                         bool remember_widths) {
  TabState st{{}, {}, minwidth, padding, {}, remember_widths, {}};
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line =
        text.substr(start, nl == std::string_view::npos ? text.npos : nl - start);
    std::vector<std::string> cells;
    size_t b = 0;
    while (true) {
      size_t tab = line.find('\t', b);
      if (tab == std::string_view::npos) {
        cells.emplace_back(line.substr(b));
        break;
      }
      cells.emplace_back(line.substr(b, tab - b));
      b = tab + 1;
    }
    st.lines.push_back(std::move(cells));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  st.Format(0, st.lines.size());
  return st.out;
}

}  // namespace

std::string TabWrite(std::string_view text, size_t minwidth, size_t padding) {
  return TabWriteImpl(text, minwidth, padding, false);
}

std::string TabWriteRememberWidths(std::string_view text, size_t minwidth, size_t padding) {
  return TabWriteImpl(text, minwidth, padding, true);
}

api::Result<std::vector<std::vector<std::string>>> TableRows(const Json& table,
                                                             const TableOptions& opts) {
  if (!table.is_object() || table.value("kind", "") != "Table" ||
      !table.contains("columnDefinitions") || !table["columnDefinitions"].is_array()) {
    return std::unexpected(api::BadRequest("error: the server did not return a Table"));
  }
  const Json& cols = table["columnDefinitions"];
  std::vector<bool> show;
  std::vector<bool> is_name;
  std::vector<std::string> header;
  if (opts.with_namespace) header.push_back("NAMESPACE");
  for (const auto& c : cols) {
    bool visible = opts.wide || c.value("priority", 0) == 0;
    show.push_back(visible);
    is_name.push_back(c.value("format", "") == "name");
    if (visible) header.push_back(Upper(c.value("name", "")));
  }
  for (const auto& l : opts.label_columns) {
    size_t slash = l.rfind('/');
    header.push_back(Upper(slash == std::string::npos ? l : l.substr(slash + 1)));
  }
  if (opts.show_labels) header.push_back("LABELS");
  std::vector<std::vector<std::string>> rows;
  if (!opts.no_headers) rows.push_back(header);
  const Json& trows =
      table.contains("rows") && table["rows"].is_array() ? table["rows"] : Json::array();
  for (const auto& r : trows) {
    std::vector<std::string> row;
    api::Object meta(r.contains("object") ? r["object"] : Json::object());
    if (opts.with_namespace) row.push_back(meta.namespace_());
    const Json& cells = r.contains("cells") ? r["cells"] : Json::array();
    for (size_t i = 0; i < show.size(); ++i) {
      if (!show[i]) continue;
      std::string text = i < cells.size() ? CellText(cells[i]) : "";
      if (is_name[i] && !opts.kind_prefix.empty()) text = opts.kind_prefix + "/" + text;
      row.push_back(std::move(text));
    }
    for (const auto& l : opts.label_columns) {
      auto v = meta.label(l);
      row.push_back(v ? *v : "");
    }
    if (opts.show_labels) row.push_back(LabelsString(meta));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string KindName(const api::KindInfo& k) {
  return KindName(api::GroupVersionKind{k.group, k.version, k.kind});
}

std::string KindName(const api::GroupVersionKind& gvk) {
  std::string s = Lower(gvk.kind);
  if (!gvk.group.empty()) s += "." + gvk.group;
  return s;
}

api::Result<OutputFormat> ParseOutputFormat(std::string_view flag) {
  OutputFormat f;
  if (flag.empty()) return f;
  if (flag == "wide") {
    f.kind = OutputKind::kWide;
  } else if (flag == "yaml") {
    f.kind = OutputKind::kYaml;
  } else if (flag == "json") {
    f.kind = OutputKind::kJson;
  } else if (flag == "name") {
    f.kind = OutputKind::kName;
  } else if (flag.starts_with("jsonpath=") || flag.starts_with("jsonpath-as-json=")) {
    f.kind = OutputKind::kJsonPath;
    f.jsonpath = std::string(flag.substr(flag.find('=') + 1));
  } else if (flag.starts_with("jsonpath-file=")) {
    f.kind = OutputKind::kJsonPath;
    auto text = ReadFile(std::string(flag.substr(14)));
    if (!text) return std::unexpected(text.error());
    f.jsonpath = *text;
  } else if (flag.starts_with("custom-columns=")) {
    f.kind = OutputKind::kCustomColumns;
    auto cols = ParseCustomColumns(flag.substr(15));
    if (!cols) return std::unexpected(cols.error());
    f.columns = std::move(*cols);
  } else if (flag.starts_with("custom-columns-file=")) {
    f.kind = OutputKind::kCustomColumns;
    auto text = ReadFile(std::string(flag.substr(20)));
    if (!text) return std::unexpected(text.error());
    // Headers on the first line, templates on the second, separated by whitespace.
    std::istringstream lines(*text);
    std::string h, t;
    std::getline(lines, h);
    std::getline(lines, t);
    std::istringstream hs(h), ts(t);
    std::string a, b;
    while (hs >> a) {
      if (!(ts >> b)) {
        return std::unexpected(api::BadRequest(
            "error: custom-columns-file: expected the same number of headers and paths"));
      }
      auto path = api::RelaxedJsonPathExpression(b);
      if (!path) return std::unexpected(api::BadRequest("error: " + path.error().message));
      f.columns.emplace_back(a, *path);
    }
  } else {
    return std::unexpected(api::BadRequest(
        "error: unable to match a printer suitable for the output format \"" + std::string(flag) +
        "\", allowed formats are: custom-columns,custom-columns-file,go-template,"
        "go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,"
        "templatefile,wide,yaml"));
  }
  if (f.kind == OutputKind::kJsonPath) {
    auto jp = api::JsonPath::Parse(f.jsonpath);
    if (!jp) {
      return std::unexpected(api::BadRequest("error: error parsing jsonpath " + f.jsonpath + ", " +
                                             jp.error().message));
    }
  }
  return f;
}

std::string LabelsString(const api::Object& obj) {
  const Json& m = obj.metadata();
  return api::FormatLabels(m.is_object() && m.contains("labels") ? m["labels"] : Json());
}

api::Result<std::string> PrintCustomColumns(
    const std::vector<api::Object>& objects,
    const std::vector<std::pair<std::string, std::string>>& columns, bool no_headers) {
  std::vector<api::JsonPath> parsers;
  for (const auto& [header, tmpl] : columns) {
    auto jp = api::JsonPath::Parse(tmpl);
    if (!jp) {
      return std::unexpected(
          api::BadRequest("error: error parsing jsonpath " + tmpl + ", " + jp.error().message));
    }
    jp->AllowMissingKeys(true);
    parsers.push_back(std::move(*jp));
  }
  std::vector<std::vector<std::string>> rows;
  if (!no_headers) {
    std::vector<std::string> h;
    for (const auto& c : columns) h.push_back(c.first);
    rows.push_back(std::move(h));
  }
  for (const auto& obj : objects) {
    std::vector<std::string> row;
    for (const auto& jp : parsers) {
      auto results = jp.FindResults(obj.json());
      if (!results) return std::unexpected(results.error());
      std::vector<std::string> values;
      if (results->empty() || (*results)[0].empty()) values.push_back("<none>");
      for (const auto& set : *results) {
        for (const auto& v : set) values.push_back(api::GoPrint(v));
      }
      std::string joined;
      for (size_t i = 0; i < values.size(); ++i) joined += (i ? "," : "") + values[i];
      row.push_back(std::move(joined));
    }
    rows.push_back(std::move(row));
  }
  return ColumnWriter().Write(rows);
}

api::Result<std::string> PrintObjects(const std::vector<api::Object>& objects,
                                      const OutputFormat& format, bool as_list, bool no_headers) {
  Json doc;
  if (as_list) {
    Json items = Json::array();
    for (const auto& o : objects) items.push_back(o.json());
    doc = Json{{"apiVersion", "v1"},
               {"kind", "List"},
               {"items", std::move(items)},
               {"metadata", {{"resourceVersion", ""}}}};
  } else if (!objects.empty()) {
    doc = objects.front().json();
  }
  switch (format.kind) {
    case OutputKind::kYaml:
      return api::EncodeYaml(doc);
    case OutputKind::kJson:
      return api::GoJsonMarshalIndent(doc) + "\n";
    case OutputKind::kName: {
      std::string out;
      for (const auto& o : objects) {
        out += KindName(o.gvk()) + "/" + o.name() + "\n";
      }
      return out;
    }
    case OutputKind::kJsonPath: {
      auto jp = api::JsonPath::Parse(format.jsonpath);
      if (!jp) return std::unexpected(jp.error());
      jp->AllowMissingKeys(true);
      auto out = jp->Execute(doc);
      if (!out) {
        return std::unexpected(api::BadRequest("error: error executing jsonpath " +
                                               format.jsonpath + ": " + out.error().message));
      }
      return *out;
    }
    case OutputKind::kCustomColumns:
      return PrintCustomColumns(objects, format.columns, no_headers);
    case OutputKind::kDefault:
    case OutputKind::kWide:
      break;
  }
  return std::unexpected(api::BadRequest("error: table output needs a server-side Table"));
}

}  // namespace keelson::cli
