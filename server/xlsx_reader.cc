// XLSX reading for imports (server/xlsx_reader.h): libzip for the archive, libxml2's
// streaming reader for each part, so that memory holds the table and the shared strings,
// never a whole part.
#include "server/xlsx_reader.h"

#include <zip.h>

#include <libxml/xmlreader.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace jejak::server {
namespace {

using ledger::Cell;
using ledger::ImportTable;
using ledger::TableError;

Error Unreadable(const std::string& why) {
  return TableError(-1, -1, "the XLSX file cannot be read: " + why);
}

// One part of the archive being read, for libxml2's input callback.
struct PartInput {
  zip_file_t* file = nullptr;
  std::uint64_t read = 0;
  std::uint64_t max = 0;
  bool too_large = false;
  bool failed = false;
};

int ReadPartBytes(void* context, char* buffer, int length) {
  auto* input = static_cast<PartInput*>(context);
  const zip_int64_t got = zip_fread(input->file, buffer, static_cast<zip_uint64_t>(length));
  if (got < 0) {
    input->failed = true;
    return -1;
  }
  input->read += static_cast<std::uint64_t>(got);
  if (input->read > input->max) {
    input->too_large = true;
    return -1;
  }
  return static_cast<int>(got);
}

int ClosePart(void* /*context*/) { return 0; }

struct ZipCloser {
  void operator()(zip_t* zip) const { zip_discard(zip); }
};
struct ReaderFreer {
  void operator()(xmlTextReader* reader) const { xmlFreeTextReader(reader); }
};

std::string Text(const xmlChar* text) { return text == nullptr ? "" : reinterpret_cast<const char*>(text); }

std::string Attribute(xmlTextReaderPtr reader, const char* name) {
  xmlChar* value = xmlTextReaderGetAttribute(reader, reinterpret_cast<const xmlChar*>(name));
  std::string out = Text(value);
  xmlFree(value);
  return out;
}

// The value of the attribute whose local name is `local` (any namespace), e.g. r:id.
std::string AttributeLocal(xmlTextReaderPtr reader, const char* local) {
  std::string out;
  if (xmlTextReaderMoveToFirstAttribute(reader) != 1) return out;
  do {
    if (Text(xmlTextReaderConstLocalName(reader)) == local) {
      out = Text(xmlTextReaderConstValue(reader));
      break;
    }
  } while (xmlTextReaderMoveToNextAttribute(reader) == 1);
  xmlTextReaderMoveToElement(reader);
  return out;
}

// A node of a part: its type, local name, depth and the reader for attributes and text.
struct Node {
  int type;  // XML_READER_TYPE_ELEMENT, _END_ELEMENT, _TEXT, ...
  std::string name;
  bool empty;  // An element without content (<x/>): no end node follows.
  xmlTextReaderPtr reader;
};

using NodeHandler = std::function<Result<void>(const Node& node)>;

class Archive {
 public:
  static Result<Archive> Open(std::string_view bytes, const XlsxLimits& limits) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (source == nullptr) {
      zip_error_fini(&error);
      return Unreadable("not a ZIP archive");
    }
    zip_t* zip = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    zip_error_fini(&error);
    if (zip == nullptr) {
      zip_source_free(source);
      return Unreadable("not a ZIP archive");
    }
    return Archive(zip, limits);
  }

  bool Has(const std::string& name) { return zip_name_locate(zip_.get(), name.c_str(), 0) >= 0; }

  // Streams part `name` through `handler`, node by node.
  Result<void> Read(const std::string& name, const NodeHandler& handler) {
    const zip_int64_t index = zip_name_locate(zip_.get(), name.c_str(), 0);
    if (index < 0) return Unreadable(name + " is missing");
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(zip_.get(), static_cast<zip_uint64_t>(index), 0, &stat) != 0) {
      return Unreadable(name + " cannot be read");
    }
    if ((stat.valid & ZIP_STAT_SIZE) != 0 && stat.size > limits_.entry_bytes_max) {
      return Unreadable(name + " is larger than " + std::to_string(limits_.entry_bytes_max) + " bytes");
    }
    if ((stat.valid & ZIP_STAT_SIZE) != 0 && (stat.valid & ZIP_STAT_COMP_SIZE) != 0 &&
        stat.size > (1u << 20) && stat.size / std::max<zip_uint64_t>(stat.comp_size, 1) > limits_.ratio_max) {
      return Unreadable(name + " is compressed more than " + std::to_string(limits_.ratio_max) +
                        " to 1");
    }
    PartInput input;
    input.file = zip_fopen_index(zip_.get(), static_cast<zip_uint64_t>(index), 0);
    if (input.file == nullptr) return Unreadable(name + " cannot be opened");
    input.max = std::min<std::uint64_t>(limits_.entry_bytes_max, (stat.valid & ZIP_STAT_SIZE) != 0 ? stat.size : limits_.entry_bytes_max);
    Result<void> result = Parse(name, input, handler);
    zip_fclose(input.file);
    return result;
  }

 private:
  Archive(zip_t* zip, const XlsxLimits& limits) : zip_(zip), limits_(limits) {}

  Result<void> Parse(const std::string& name, PartInput& input, const NodeHandler& handler) {
    // No network, no entity substitution, no DTD loading: a part is plain data.
    std::unique_ptr<xmlTextReader, ReaderFreer> reader(
        xmlReaderForIO(ReadPartBytes, ClosePart, &input, name.c_str(), nullptr, XML_PARSE_NONET));
    if (!reader) return Unreadable(name + " is not XML");
    for (;;) {
      const int status = xmlTextReaderRead(reader.get());
      if (status == 0) break;
      if (status < 0) {
        if (input.too_large) return Unreadable(name + " is larger than it says");
        return Unreadable(name + " is not well-formed XML");
      }
      if (xmlTextReaderDepth(reader.get()) > limits_.xml_depth_max) {
        return Unreadable(name + " nests deeper than " + std::to_string(limits_.xml_depth_max));
      }
      const int type = xmlTextReaderNodeType(reader.get());
      if (type != XML_READER_TYPE_ELEMENT && type != XML_READER_TYPE_END_ELEMENT &&
          type != XML_READER_TYPE_TEXT && type != XML_READER_TYPE_CDATA &&
          type != XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
        continue;
      }
      const Node node{type, Text(xmlTextReaderConstLocalName(reader.get())),
                      type == XML_READER_TYPE_ELEMENT && xmlTextReaderIsEmptyElement(reader.get()) == 1,
                      reader.get()};
      if (Result<void> handled = handler(node); !handled) return handled;
    }
    return Ok();
  }

  std::unique_ptr<zip_t, ZipCloser> zip_;
  XlsxLimits limits_;
};

bool IsText(const Node& node) {
  return node.type == XML_READER_TYPE_TEXT || node.type == XML_READER_TYPE_CDATA ||
         node.type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

// Whether a number format shows a date: the built-in date formats, or a custom code with
// a day or year part outside quotes and brackets.
bool IsDateFormat(int id, const std::string& code) {
  if ((id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
      (id >= 50 && id <= 58)) {
    return !(id >= 18 && id <= 21) && !(id >= 45 && id <= 47);  // Times of day only.
  }
  bool quoted = false;
  bool bracket = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '[') bracket = true;
    if (c == ']') bracket = false;
    if (bracket) continue;
    if (c == 'd' || c == 'D' || c == 'y' || c == 'Y') return true;
  }
  return false;
}

// The workbook: the first sheet's part name and the date system.
struct Workbook {
  std::string sheet_part = "xl/worksheets/sheet1.xml";
  bool date1904 = false;
  std::set<std::size_t> date_styles;  // Indexes into cellXfs that show dates.
  std::vector<std::string> shared_strings;
};

Result<void> ReadWorkbook(Archive& archive, Workbook& book) {
  std::string sheet_id;
  Result<void> read = archive.Read("xl/workbook.xml", [&](const Node& node) -> Result<void> {
    if (node.type != XML_READER_TYPE_ELEMENT) return Ok();
    if (node.name == "workbookPr") {
      const std::string value = Attribute(node.reader, "date1904");
      book.date1904 = value == "1" || value == "true";
    } else if (node.name == "sheet" && sheet_id.empty()) {
      sheet_id = AttributeLocal(node.reader, "id");
    }
    return Ok();
  });
  if (!read) return read;
  if (sheet_id.empty()) return Unreadable("the workbook has no sheet");
  const std::string rels = "xl/_rels/workbook.xml.rels";
  if (!archive.Has(rels)) return Ok();
  return archive.Read(rels, [&](const Node& node) -> Result<void> {
    if (node.type != XML_READER_TYPE_ELEMENT || node.name != "Relationship") return Ok();
    if (Attribute(node.reader, "Id") != sheet_id) return Ok();
    std::string target = Attribute(node.reader, "Target");
    if (target.empty() || target.find("..") != std::string::npos) return Unreadable("bad sheet target");
    book.sheet_part = target[0] == '/' ? target.substr(1) : "xl/" + target;
    return Ok();
  });
}

Result<void> ReadStyles(Archive& archive, Workbook& book) {
  if (!archive.Has("xl/styles.xml")) return Ok();
  std::map<int, std::string> formats;  // Custom numFmtId -> formatCode.
  std::vector<int> xfs;                // cellXfs numFmtIds, in order.
  bool in_cell_xfs = false;
  Result<void> read = archive.Read("xl/styles.xml", [&](const Node& node) -> Result<void> {
    if (node.type == XML_READER_TYPE_END_ELEMENT && node.name == "cellXfs") in_cell_xfs = false;
    if (node.type != XML_READER_TYPE_ELEMENT) return Ok();
    if (node.name == "numFmt") {
      formats[std::atoi(Attribute(node.reader, "numFmtId").c_str())] = Attribute(node.reader, "formatCode");
    } else if (node.name == "cellXfs") {
      in_cell_xfs = !node.empty;
    } else if (node.name == "xf" && in_cell_xfs) {
      xfs.push_back(std::atoi(Attribute(node.reader, "numFmtId").c_str()));
    }
    return Ok();
  });
  if (!read) return read;
  for (std::size_t i = 0; i < xfs.size(); ++i) {
    const auto custom = formats.find(xfs[i]);
    if (IsDateFormat(xfs[i], custom == formats.end() ? "" : custom->second)) book.date_styles.insert(i);
  }
  return Ok();
}

Result<void> ReadSharedStrings(Archive& archive, Workbook& book, const XlsxLimits& limits) {
  if (!archive.Has("xl/sharedStrings.xml")) return Ok();
  std::string current;
  bool in_text = false;
  int phonetic = 0;  // Inside <rPh>: reading aids, not the cell's text.
  return archive.Read("xl/sharedStrings.xml", [&](const Node& node) -> Result<void> {
    if (node.type == XML_READER_TYPE_ELEMENT) {
      if (node.name == "rPh" && !node.empty) ++phonetic;
      if (node.name == "t" && !node.empty) in_text = true;
      if (node.name == "si") {
        current.clear();
        if (node.empty) {
          if (book.shared_strings.size() >= limits.shared_strings_max) {
            return Unreadable("more than " + std::to_string(limits.shared_strings_max) + " shared strings");
          }
          book.shared_strings.emplace_back();
        }
      }
    } else if (node.type == XML_READER_TYPE_END_ELEMENT) {
      if (node.name == "rPh") --phonetic;
      if (node.name == "t") in_text = false;
      if (node.name == "si") {
        if (book.shared_strings.size() >= limits.shared_strings_max) {
          return Unreadable("more than " + std::to_string(limits.shared_strings_max) + " shared strings");
        }
        book.shared_strings.push_back(std::move(current));
        current.clear();
      }
    } else if (IsText(node) && in_text && phonetic == 0) {
      current += Text(xmlTextReaderConstValue(node.reader));
      if (current.size() > limits.table.cell_bytes_max) {
        current.resize(limits.table.cell_bytes_max + 1);  // Refused where a cell uses it.
      }
    }
    return Ok();
  });
}

// "BC12" -> column 54 (1-based); 0 if malformed.
std::size_t ColumnOf(const std::string& reference) {
  std::size_t column = 0;
  std::size_t i = 0;
  for (; i < reference.size() && reference[i] >= 'A' && reference[i] <= 'Z' && i < 3; ++i) {
    column = column * 26 + static_cast<std::size_t>(reference[i] - 'A' + 1);
  }
  return i == 0 ? 0 : column;
}

// The sheet's cells into `table`.
class SheetReader {
 public:
  SheetReader(const Workbook& book, const XlsxLimits& limits, ImportTable& table)
      : book_(book), limits_(limits), table_(table) {}

  Result<void> OnNode(const Node& node) {
    if (node.type == XML_READER_TYPE_ELEMENT) {
      if (node.name == "row") return StartRow(node);
      if (node.name == "c") return StartCell(node);
      if ((node.name == "v" || node.name == "t") && !node.empty && in_cell_) in_value_ = true;
    } else if (node.type == XML_READER_TYPE_END_ELEMENT) {
      if (node.name == "v" || node.name == "t") in_value_ = false;
      if (node.name == "c") return EndCell();
      if (node.name == "row") return EndRow();
    } else if (IsText(node) && in_value_) {
      value_ += Text(xmlTextReaderConstValue(node.reader));
      if (value_.size() > limits_.table.cell_bytes_max) return CellError("the cell is longer than " +
                                                   std::to_string(limits_.table.cell_bytes_max) + " bytes");
    }
    return Ok();
  }

  Result<void> Finish() {
    if (table_.header.empty()) return TableError(-1, -1, "the file has no header row");
    return ledger::CheckHeader(table_.header);
  }

 private:
  Error CellError(const std::string& why) const {
    return TableError(row_number_, static_cast<std::int64_t>(column_), why);
  }

  Result<void> StartRow(const Node& node) {
    const std::string r = Attribute(node.reader, "r");
    row_number_ = r.empty() ? row_number_ + 1 : std::atoll(r.c_str());
    if (row_number_ <= 0 || row_number_ > 1048576) return Unreadable("bad row number " + r.substr(0, 16));
    cells_.clear();
    next_column_ = 1;
    if (node.empty) return EndRow();
    return Ok();
  }

  Result<void> StartCell(const Node& node) {
    const std::string reference = Attribute(node.reader, "r");
    column_ = reference.empty() ? next_column_ : ColumnOf(reference);
    if (column_ == 0) return CellError("the XLSX file cannot be read: bad cell reference " + reference.substr(0, 16));
    if (column_ > limits_.table.columns_max) {
      return TableError(row_number_, -1,
                        "the file has more than " + std::to_string(limits_.table.columns_max) + " columns");
    }
    next_column_ = column_ + 1;
    type_ = Attribute(node.reader, "t");
    const std::string style = Attribute(node.reader, "s");
    date_style_ = !style.empty() && book_.date_styles.count(std::strtoul(style.c_str(), nullptr, 10)) != 0;
    value_.clear();
    in_cell_ = true;
    if (node.empty) return EndCell();
    return Ok();
  }

  Result<void> EndCell() {
    in_cell_ = false;
    in_value_ = false;
    Cell cell;
    if (type_ == "s") {
      char* end = nullptr;
      const unsigned long index = std::strtoul(value_.c_str(), &end, 10);
      if (value_.empty() || *end != '\0' || index >= book_.shared_strings.size()) {
        return CellError("the XLSX file cannot be read: a shared string is missing");
      }
      cell.text = book_.shared_strings[index];
      if (cell.text.size() > limits_.table.cell_bytes_max) {
        return CellError("the cell is longer than " + std::to_string(limits_.table.cell_bytes_max) + " bytes");
      }
    } else if (type_ == "b") {
      cell.text = value_ == "1" ? "TRUE" : "FALSE";
    } else if (type_ == "n" || type_.empty()) {
      cell.text = value_;
      if (!value_.empty()) {
        cell.type = Cell::Type::kNumber;
        if (date_style_) {
          char* end = nullptr;
          const double serial = std::strtod(value_.c_str(), &end);
          std::optional<std::string> date = *end == '\0' ? ledger::SerialToDate(serial, book_.date1904) : std::nullopt;
          if (!date) return CellError("the XLSX file cannot be read: a date is out of range");
          cell = Cell{*date, Cell::Type::kDate};
        }
      }
    } else {  // str, inlineStr, e, d: text as written.
      cell.text = value_;
    }
    // Surrounding spaces are no part of a value (CSV cells are trimmed the same way).
    while (!cell.text.empty() && (cell.text.back() == ' ' || cell.text.back() == '\n')) cell.text.pop_back();
    while (!cell.text.empty() && (cell.text.front() == ' ' || cell.text.front() == '\n')) cell.text.erase(0, 1);
    // Padding cells left of this one count too: one cell far right costs a whole row.
    table_bytes_ += cell.text.size() + sizeof(Cell) * (column_ > cells_.size() ? column_ - cells_.size() : 1);
    if (table_bytes_ > limits_.table.table_bytes_max) return ledger::TableTooLarge(row_number_, limits_.table.table_bytes_max);
    if (cells_.size() < column_) cells_.resize(column_);
    cells_[column_ - 1] = std::move(cell);
    return Ok();
  }

  Result<void> EndRow() {
    bool empty = true;
    for (const Cell& cell : cells_) empty = empty && cell.text.empty();
    if (empty) return Ok();
    if (table_.header.empty()) {
      for (Cell& cell : cells_) table_.header.push_back(std::move(cell.text));
      return Ok();
    }
    if (table_.rows.size() >= limits_.table.rows_max) {
      return TableError(row_number_, -1,
                        "the file has more than " + std::to_string(limits_.table.rows_max) + " rows");
    }
    table_.rows.push_back(std::move(cells_));
    table_.row_numbers.push_back(row_number_);
    cells_.clear();
    return Ok();
  }

  const Workbook& book_;
  const XlsxLimits& limits_;
  ImportTable& table_;
  std::vector<Cell> cells_;
  std::int64_t row_number_ = 0;
  std::size_t column_ = 0;
  std::size_t table_bytes_ = 0;  // Against limits_.table.table_bytes_max.
  std::size_t next_column_ = 1;
  std::string type_;
  std::string value_;
  bool date_style_ = false;
  bool in_cell_ = false;
  bool in_value_ = false;
};

}  // namespace

Result<ImportTable> ReadXlsx(std::string_view bytes, const XlsxLimits& limits) {
  Result<Archive> archive = Archive::Open(bytes, limits);
  if (!archive) return archive.error();
  Workbook book;
  if (Result<void> read = ReadWorkbook(*archive, book); !read) return read.error();
  if (Result<void> read = ReadStyles(*archive, book); !read) return read.error();
  if (Result<void> read = ReadSharedStrings(*archive, book, limits); !read) return read.error();
  ImportTable table;
  SheetReader sheet(book, limits, table);
  Result<void> read = archive->Read(book.sheet_part, [&sheet](const Node& node) { return sheet.OnNode(node); });
  if (!read) return read.error();
  if (Result<void> done = sheet.Finish(); !done) return done.error();
  return table;
}

}  // namespace jejak::server
