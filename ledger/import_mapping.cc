// Import mappings and the row → expenditure body step (ledger/import_mapping.h).
#include "ledger/import_mapping.h"

#include <cctype>
#include <charconv>
#include <set>
#include <string>

#include "ledger/entry.h"
#include "ledger/messages_id.h"
#include "ledger/money.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;

constexpr std::size_t kMappingTextBytesMax = 256;

const MappableField* FindField(std::string_view path) {
  for (const MappableField& field : MappableFields()) {
    if (field.path == path) return &field;
  }
  return nullptr;
}

const char* TypeName(FieldType type) {
  switch (type) {
    case FieldType::kText: return "text";
    case FieldType::kMoney: return "money";
    case FieldType::kDate: return "date";
    case FieldType::kYear: return "year";
    case FieldType::kYesNo: return "yes_no";
    case FieldType::kTax: return "tax";
  }
  return "text";
}

std::optional<bool> YesNo(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::set<std::string> kYes = {"ya", "y", "yes", "true", "1", "pkp"};
  static const std::set<std::string> kNo = {"tidak", "t", "no", "n", "false", "0", "non-pkp", "non pkp"};
  if (kYes.count(text) != 0) return true;
  if (kNo.count(text) != 0) return false;
  return std::nullopt;
}

std::optional<std::int64_t> Year(const Cell& cell) {
  std::string text = cell.text;
  if (cell.type == Cell::Type::kNumber && text.size() > 2 && text.substr(text.size() - 2) == ".0") {
    text.resize(text.size() - 2);
  }
  if (text.size() != 4) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::int64_t year = 0;
  std::from_chars(text.data(), text.data() + 4, year);
  return year;
}

// Sets `path` ("payee.name") in `body`, creating the object on the way.
void SetPath(json& body, std::string_view path, json value) {
  const std::size_t dot = path.find('.');
  if (dot == std::string_view::npos) {
    body[std::string(path)] = std::move(value);
    return;
  }
  json& parent = body[std::string(path.substr(0, dot))];
  if (!parent.is_object()) parent = json::object();
  parent[std::string(path.substr(dot + 1))] = std::move(value);
}

void ReadStringMap(const json& object, const std::string& name, bool values_any,
                   std::map<std::string, std::string>& out, std::vector<FieldError>& errors) {
  if (!object.is_object()) {
    errors.push_back({name, "must be an object"});
    return;
  }
  for (const auto& [key, value] : object.items()) {
    const std::string field = name + "." + key;
    if (FindField(key) == nullptr) {
      errors.push_back({field, "unknown field"});
    } else if (!value.is_string() && !(values_any && (value.is_number_integer() || value.is_boolean()))) {
      errors.push_back({field, "must be a string"});
    } else {
      std::string text = value.is_string() ? value.get<std::string>() : value.dump();
      if (text.empty()) {
        errors.push_back({field, "must not be empty"});
      } else if (text.size() > kMappingTextBytesMax) {
        errors.push_back({field, "must be at most " + std::to_string(kMappingTextBytesMax) + " bytes"});
      } else {
        out[key] = std::move(text);
      }
    }
  }
}

}  // namespace

const std::vector<MappableField>& MappableFields() {
  static const std::vector<MappableField> kFields = {
      {"fiscal_year", "Tahun Anggaran", FieldType::kYear, false},
      {"opd", "Kode OPD", FieldType::kText, false},
      {"sub_activity", "Kode Sub Kegiatan", FieldType::kText, true},
      {"account", "Kode Rekening Belanja", FieldType::kText, true},
      {"mechanism", "Mekanisme (UP/GU/TU/LS)", FieldType::kText, true},
      {"instrument", "Instrumen Pembayaran", FieldType::kText, true},
      {"cash_reason", "Alasan Pembayaran Tunai", FieldType::kText, false},
      {"value_date", "Tanggal Transaksi", FieldType::kDate, true},
      {"gross", "Nilai Bruto", FieldType::kMoney, true},
      {"net", "Nilai Bersih", FieldType::kMoney, false},
      {"taxes.PPN", "PPN", FieldType::kTax, false},
      {"taxes.PPh21", "PPh Pasal 21", FieldType::kTax, false},
      {"taxes.PPh22", "PPh Pasal 22", FieldType::kTax, false},
      {"taxes.PPh23", "PPh Pasal 23", FieldType::kTax, false},
      {"taxes.PPh4(2)", "PPh Pasal 4 ayat (2)", FieldType::kTax, false},
      {"payee.name", "Nama Penerima", FieldType::kText, true},
      {"payee.npwp", "NPWP Penerima", FieldType::kText, false},
      {"payee.pkp", "Penerima PKP (ya/tidak)", FieldType::kYesNo, false},
      {"payee.bank", "Bank Penerima", FieldType::kText, false},
      {"payee.account_no", "Nomor Rekening Penerima", FieldType::kText, false},
      {"payee.account_name", "Nama Rekening Penerima", FieldType::kText, false},
      {"bank_ref", "Referensi Bank", FieldType::kText, false},
      {"documents.spp", "Nomor SPP", FieldType::kText, false},
      {"documents.spm", "Nomor SPM", FieldType::kText, false},
      {"documents.sp2d", "Nomor SP2D", FieldType::kText, false},
      {"documents.evidence_no", "Nomor Bukti (Kuitansi)", FieldType::kText, false},
      {"documents.evidence_date", "Tanggal Bukti", FieldType::kDate, false},
      {"procurement.method", "Metode Pengadaan", FieldType::kText, false},
      {"procurement.type", "Jenis Pengadaan", FieldType::kText, false},
      {"procurement.contract_no", "Nomor Kontrak", FieldType::kText, false},
      {"procurement.contract_value", "Nilai Kontrak", FieldType::kMoney, false},
      {"description", "Uraian", FieldType::kText, true},
  };
  return kFields;
}

json MappableFieldsJson() {
  json fields = json::array();
  for (const MappableField& field : MappableFields()) {
    fields.push_back({{"path", field.path},
                      {"label", field.label},
                      {"type", TypeName(field.type)},
                      {"required", field.required}});
  }
  return {{"fields", std::move(fields)}};
}

Result<ImportMapping> ParseMapping(const json& mapping) {
  std::vector<FieldError> errors;
  ImportMapping out;
  if (!mapping.is_object()) return InvalidArgument("invalid mapping", {{"mapping", "must be an object"}});
  for (const auto& [key, value] : mapping.items()) {
    if (key == "columns") {
      ReadStringMap(value, "columns", false, out.columns, errors);
    } else if (key == "defaults") {
      ReadStringMap(value, "defaults", true, out.defaults, errors);
    } else if (key == "date_format") {
      if (!value.is_string() || !IsDateFormat(value.get<std::string>())) {
        errors.push_back({"date_format", "must be one of YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, "
                                         "DD.MM.YYYY, MM/DD/YYYY, YYYY/MM/DD"});
      } else {
        out.date_format = value.get<std::string>();
      }
    } else if (key == "decimal") {
      if (value != "," && value != ".") {
        errors.push_back({"decimal", "must be one of \",\", \".\""});
      } else {
        out.decimal = value.get<std::string>()[0];
      }
    } else if (key == "separator") {
      if (value != "," && value != ";" && value != "\t") {
        errors.push_back({"separator", "must be one of \",\", \";\", \"\\t\""});
      } else {
        out.separator = value.get<std::string>()[0];
      }
    } else {
      errors.push_back({key.size() > 64 ? key.substr(0, 64) + "..." : key, "unknown field"});
    }
  }
  if (!mapping.contains("columns")) errors.push_back({"columns", "required"});
  if (!errors.empty()) return InvalidArgument("invalid mapping", std::move(errors));
  return out;
}

json MappingJson(const ImportMapping& mapping) {
  json out = {{"columns", mapping.columns},
              {"defaults", mapping.defaults},
              {"date_format", mapping.date_format},
              {"decimal", std::string(1, mapping.decimal)}};
  if (mapping.separator != 0) out["separator"] = std::string(1, mapping.separator);
  return out;
}

json RowErrorJson(const RowError& error) {
  return {{"row", error.row}, {"field", error.field}, {"column", error.column}, {"message", error.message}};
}

RowMapper::RowMapper(ImportMapping mapping, const std::vector<std::string>& header, std::string opd)
    : mapping_(std::move(mapping)), columns_(header.size()), opd_(std::move(opd)) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (!header[i].empty()) index_.emplace(header[i], i);
  }
}

std::vector<RowError> RowMapper::HeaderErrors() const {
  std::vector<RowError> errors;
  for (const auto& [path, column] : mapping_.columns) {
    if (index_.count(column) == 0) {
      errors.push_back({0, path, column, Indonesian("column \"" + column + "\" is not in the file")});
    }
  }
  for (const MappableField& field : MappableFields()) {
    const std::string path(field.path);
    if (field.required && mapping_.columns.count(path) == 0 && mapping_.defaults.count(path) == 0) {
      errors.push_back({0, path, "", Indonesian("required")});
    }
  }
  return errors;
}

std::optional<Cell> RowMapper::Value(const std::vector<Cell>& cells, const std::string& path) const {
  if (const auto column = mapping_.columns.find(path); column != mapping_.columns.end()) {
    const auto index = index_.find(column->second);
    if (index != index_.end() && index->second < cells.size() && !cells[index->second].text.empty()) {
      return cells[index->second];
    }
  }
  if (const auto value = mapping_.defaults.find(path); value != mapping_.defaults.end()) {
    return Cell{value->second, Cell::Type::kText};
  }
  return std::nullopt;
}

std::string RowMapper::ColumnOf(const json& body, const std::string& field) const {
  std::string path = field;
  if (field.rfind("taxes[", 0) == 0) {
    const std::size_t close = field.find(']');
    if (close == std::string::npos) return "";
    std::size_t index = 0;
    const std::from_chars_result parsed = std::from_chars(field.data() + 6, field.data() + close, index);
    if (parsed.ec != std::errc() || parsed.ptr != field.data() + close) return "";
    const json* taxes = body.contains("taxes") ? &body.at("taxes") : nullptr;
    if (taxes == nullptr || !taxes->is_array() || index >= taxes->size()) return "";
    path = "taxes." + (*taxes)[index].value("type", std::string());
  }
  const auto column = mapping_.columns.find(path);
  return column == mapping_.columns.end() ? "" : column->second;
}

std::optional<json> RowMapper::Map(const std::vector<Cell>& cells, std::int64_t row,
                                   std::vector<RowError>& errors) const {
  const std::size_t errors_before = errors.size();
  std::set<std::string> failed;  // Fields whose cell could not be read: no second error.
  const auto fail = [&](const std::string& path, const std::string& english) {
    const auto column = mapping_.columns.find(path);
    errors.push_back({row, path, column == mapping_.columns.end() ? "" : column->second,
                      Indonesian(english)});
    failed.insert(path);
  };
  for (std::size_t i = columns_; i < cells.size(); ++i) {
    if (cells[i].text.empty()) continue;
    errors.push_back({row, "", "", Indonesian("the row has more cells than the header")});
    break;
  }
  json body = {{"kind", "expenditure"}, {"taxes", json::array()}, {"documents", json::object()},
               {"payee", json::object()}};
  const std::string amount_example = mapping_.decimal == ',' ? "1.234.567,89" : "1,234,567.89";
  std::optional<std::int64_t> gross_sen;
  bool taxes_known = true;  // Every tax cell an amount, and their sum in range.
  std::int64_t taxes_sen = 0;
  for (const MappableField& field : MappableFields()) {
    const std::string path(field.path);
    std::optional<Cell> cell = Value(cells, path);
    if (!cell) continue;
    switch (field.type) {
      case FieldType::kText:
        SetPath(body, path, cell->text);
        break;
      case FieldType::kDate:
        if (std::optional<std::string> date = NormaliseDate(*cell, mapping_.date_format)) {
          SetPath(body, path, *date);
        } else {
          fail(path, "must be a date in the format " + mapping_.date_format);
        }
        break;
      case FieldType::kYear:
        if (std::optional<std::int64_t> year = Year(*cell)) {
          SetPath(body, path, *year);
        } else {
          fail(path, "must be a year such as 2026");
        }
        break;
      case FieldType::kYesNo:
        if (std::optional<bool> yes = YesNo(cell->text)) {
          SetPath(body, path, *yes);
        } else {
          fail(path, "must be yes or no");
        }
        break;
      case FieldType::kMoney:
      case FieldType::kTax: {
        std::optional<std::string> amount = NormaliseAmount(*cell, mapping_.decimal);
        if (!amount) {
          fail(path, "must be an amount such as " + amount_example);
          if (field.type == FieldType::kTax) taxes_known = false;
          break;
        }
        Result<std::int64_t> sen = ParseMoneySen(*amount);
        if (field.type == FieldType::kTax) {
          if (sen && *sen == 0) break;  // An empty tax column: no tax line.
          const std::optional<std::int64_t> sum = sen ? CheckedAdd(taxes_sen, *sen) : std::nullopt;
          taxes_known = taxes_known && sum.has_value();
          if (sum) taxes_sen = *sum;
          body["taxes"].push_back({{"type", path.substr(6)}, {"amount", *amount}});
        } else {
          if (path == "gross" && sen) gross_sen = *sen;
          SetPath(body, path, *amount);
        }
        break;
      }
    }
  }
  if (!body.contains("opd")) {
    body["opd"] = opd_;
  } else if (body["opd"] != opd_) {
    fail("opd", "OPD " + body["opd"].get<std::string>() + " is not your OPD " + opd_);
  }
  if (!body.contains("fiscal_year") && failed.count("fiscal_year") == 0 && body.contains("value_date")) {
    const std::string date = body["value_date"].get<std::string>();  // YYYY-MM-DD, normalised.
    std::int64_t year = 0;
    std::from_chars(date.data(), date.data() + 4, year);
    body["fiscal_year"] = year;
  }
  if (!body.contains("net") && failed.count("net") == 0 && gross_sen && taxes_known) {
    const std::optional<std::int64_t> net = CheckedSub(*gross_sen, taxes_sen);
    if (net && *net >= 0) {
      body["net"] = FormatMoney(*net);
    } else {
      // No net to compute: say why on the taxes, and nothing about the missing net.
      errors.push_back({row, "taxes", "", Indonesian("the taxes add up to more than the gross")});
      failed.insert("net");
    }
  }
  Result<json> valid = ValidateBody(body);
  if (!valid) {
    for (const FieldError& error : valid.error().fields) {
      bool skip = failed.count(error.field) != 0;
      for (const std::string& path : failed) {
        skip = skip || (path.rfind("taxes.", 0) == 0 && error.field.rfind("taxes", 0) == 0) ||
               (path == "gross" && error.field == "net") ||
               (path == "value_date" && error.field == "fiscal_year");
      }
      if (skip) continue;
      errors.push_back({row, error.field, ColumnOf(body, error.field), Indonesian(error.message)});
    }
  }
  if (errors.size() != errors_before || !valid) return std::nullopt;
  return std::move(valid).value();
}

}  // namespace jejak::ledger
