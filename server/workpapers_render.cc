// Rendering of the audit workpapers (server/workpapers_render.h): each sheet of
// ledger::WorkpaperData as typed cells, written as an XLSX workbook with libxlsxwriter or
// as one RFC 4180 CSV sheet. The numbers are computed in ledger/workpapers.cc and gathered
// in server/workpapers.cc; nothing here reads the store.
#include "server/workpapers_render.h"

#include <stdlib.h>  // mkdtemp
#include <xlsxwriter.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <sstream>
#include <utility>

#include "base/check.h"
#include "ledger/absorption.h"
#include "ledger/labels.h"
#include "ledger/money.h"
#include "server/workpapers_sheet.h"

namespace jejak::server {
namespace {

using ledger::WorkpaperData;
using ledger::WorkpaperExpenditure;
using ledger::WorkpaperRealisation;
using ledger::WorkpaperAdjustment;
using ledger::WorkpaperTax;


// Excel holds at most 32,767 characters in a cell; longer text is cut in the XLSX at a
// UTF-8 boundary below this many bytes. The CSV keeps all of it.
constexpr std::size_t kCellTextBytesMax = 32'000;
// Temuan lists a finding's first this many seqs (as GET /v1/audit/findings does), beside
// its seq count and id; GET /v1/audit/findings/{id} pages through the rest.
constexpr std::size_t kTemuanSeqsListed = 100;

// Amounts below Rp 10 trillion (10^15 sen: at most 15 significant digits, as many as a
// spreadsheet keeps and a double carries through decimal and back) are number cells; larger
// ones are their exact decimal text (ExactRupiah).
constexpr std::int64_t kNumberCellSenLimit = 1'000'000'000'000'000;
// The formats of the XLSX cells.
constexpr const char* kRupiahFormat = "\"Rp \"#,##0.00";
constexpr const char* kDateFormat = "dd/mm/yyyy";

Error Internal(std::string message) { return Error{Code::kInternal, std::move(message), {}}; }

// ledger/absorption.cc's rounding: half away from zero.
std::int64_t BasisPoints(std::int64_t numerator, std::int64_t denominator) {
  JEJAK_CHECK(denominator > 0);
  __extension__ typedef __int128 Int128;
  const Int128 scaled = static_cast<Int128>(numerator) * 10000;
  const Int128 half = denominator / 2;
  const Int128 rounded =
      scaled >= 0 ? (scaled + half) / denominator : -((-scaled + half) / denominator);
  return static_cast<std::int64_t>(rounded);
}

void AddPercent(Row& row, std::int64_t numerator, std::int64_t denominator) {
  if (denominator <= 0) return AddEmpty(row);
  row.push_back(Cell{Cell::Type::kPercent, {}, BasisPoints(numerator, denominator)});
}

template <typename T>
std::string Join(const std::vector<T>& values, const char* separator) {
  std::ostringstream out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out << separator;
    out << values[i];
  }
  return out.str();
}

// What a reader needs to tie the export to the ledger: the tree size and root, and whether
// a signed checkpoint of exactly that size exists.
std::string CheckpointLine(const WorkpaperData& data) {
  const ledger::WorkpaperCheckpoint& checkpoint = data.checkpoint;
  std::string line = "Dihitung atas " + std::to_string(checkpoint.tree_size) + " entri pertama ledger " +
                     checkpoint.origin + " (ukuran pohon " + std::to_string(checkpoint.tree_size) +
                     ", root hash " + checkpoint.root_hash_hex + ")";
  line += checkpoint.signed_checkpoint
              ? ", checkpoint bertanda tangan waktu " + checkpoint.time
              : "; tidak ada checkpoint bertanda tangan tepat pada ukuran ini: cocokkan root hash "
                "dengan bukti konsistensi dari checkpoint yang lebih besar";
  return line + "; posisi per " + data.as_of;
}

Sheet Ringkasan(const WorkpaperData& data) {
  Sheet sheet{"Ringkasan",
              {{"Bagian", 14}, {"Uraian", 40}, {"Keterangan", 40}, {"Nilai", 70}, {"Jumlah (Rp)", 22}},
              0,
              {}};
  auto rows = std::make_shared<std::vector<Row>>();
  // A row; `note` is the label of a code in Uraian (the rules').
  auto add = [&rows](const char* part, const char* label, Cell value, Cell amount,
                     std::string_view note = {}) {
    rows->push_back(Row{Cell{Cell::Type::kText, part, 0}, Cell{Cell::Type::kText, label, 0},
                        Cell{note.empty() ? Cell::Type::kEmpty : Cell::Type::kText, std::string(note), 0},
                        std::move(value), std::move(amount)});
  };
  auto text = [](std::string value) { return Cell{Cell::Type::kText, std::move(value), 0}; };
  auto integer = [](std::int64_t value) { return Cell{Cell::Type::kInteger, {}, value}; };
  auto money = [](std::int64_t sen) { return Cell{Cell::Type::kMoney, {}, sen}; };
  add("Umum", "Pemerintah Daerah", text(data.region), {});
  add("Umum", "Tahun Anggaran", integer(data.fiscal_year), {});
  // No export time: the same request gives the same workbook, so its position (the date,
  // the tree size and root) is what it names.
  add("Umum", "Posisi per Tanggal", Cell{Cell::Type::kDate, data.as_of_date, 0}, {});
  add("Checkpoint", "Origin", text(data.checkpoint.origin), {});
  add("Checkpoint", "Ukuran Pohon (tree size)", integer(static_cast<std::int64_t>(data.checkpoint.tree_size)), {});
  add("Checkpoint", "Root Hash", text(data.checkpoint.root_hash_hex), {});
  add("Checkpoint", "Chain Hash", text(data.checkpoint.chain_hash_hex), {});
  add("Checkpoint", "Checkpoint Bertanda Tangan",
      text(data.checkpoint.signed_checkpoint
               ? "ya"
               : "tidak: tidak ada checkpoint bertanda tangan tepat pada ukuran pohon ini; "
                 "cocokkan root hash dengan bukti konsistensi dari checkpoint yang lebih besar"),
      {});
  add("Checkpoint", "Waktu Checkpoint", text(data.checkpoint.time), {});
  add("Anggaran", "Pagu", {}, money(data.pagu_sen));
  add("Anggaran", "Realisasi", {}, money(data.realisation_sen));
  Cell percent;
  if (data.pagu_sen > 0) percent = Cell{Cell::Type::kPercent, {}, BasisPoints(data.realisation_sen, data.pagu_sen)};
  add("Anggaran", "Persentase Realisasi (%)", percent, {});
  std::int64_t remaining_sen = 0;
  const std::optional<std::int64_t> remaining = ledger::CheckedSub(data.pagu_sen, data.realisation_sen);
  if (remaining) remaining_sen = *remaining;
  add("Anggaran", "Sisa Pagu", {}, money(remaining_sen));
  add("Transaksi", "Belanja (bruto, termasuk yang dibatalkan)",
      integer(static_cast<std::int64_t>(data.expenditures.size())), money(data.gross_sen));
  add("Transaksi", "Belanja Dibatalkan", integer(data.reversed_entries), money(data.reversed_gross_sen));
  add("Pajak", "Pajak Dipotong (belanja tidak dibatalkan)", {}, money(data.withheld_sen));
  add("Pajak", "Pajak Disetor", {}, money(data.deposited_sen));
  std::int64_t findings_sen = 0;
  // Every rule in RunAuditRules's order, found or not.
  for (const char* rule : ledger::kAuditRuleIds) {
    std::int64_t count = 0;
    std::int64_t amount_sen = 0;
    for (const ledger::Finding& finding : data.findings) {
      if (finding.rule != rule) continue;
      ++count;
      amount_sen = ledger::CheckedAdd(amount_sen, finding.amount_sen).value_or(amount_sen);
    }
    findings_sen = ledger::CheckedAdd(findings_sen, amount_sen).value_or(findings_sen);
    add("Temuan", rule, integer(count), money(amount_sen), ledger::RuleLabel(rule));
  }
  add("Temuan", "Jumlah Temuan", integer(static_cast<std::int64_t>(data.findings.size())), money(findings_sen));
  sheet.rows = rows->size();
  sheet.fill = [rows](std::size_t i, Row& row) { row = (*rows)[i]; };
  return sheet;
}

Sheet Transaksi(const WorkpaperData& data) {
  Sheet sheet{"Transaksi",
              {{"Seq", 9},           {"Tanggal Transaksi", 12}, {"OPD", 24},
               {"Nama OPD", 36},     {"Sub Kegiatan", 19},     {"Kode Rekening", 19},
               {"Kelompok Belanja", 12}, {"Nama Kelompok Belanja", 24},
               {"Mekanisme", 10},    {"Nama Mekanisme", 26},   {"Instrumen", 13},
               {"Nama Instrumen", 22}, {"Penerima", 30},       {"NPWP", 18},
               {"Bank", 16},         {"No. Rekening", 18},      {"Nama Rekening", 26},
               {"Bruto (Rp)", 18},   {"PPN (Rp)", 15},          {"PPh 21 (Rp)", 15},
               {"PPh 22 (Rp)", 15},  {"PPh 23 (Rp)", 15},       {"PPh 4(2) (Rp)", 15},
               {"Neto (Rp)", 18},    {"Ref. Bank", 20},         {"No. SPP", 18},
               {"No. SPM", 18},      {"No. SP2D", 18},          {"No. Bukti", 18},
               {"Tgl Bukti", 12},    {"Metode Pengadaan", 12},  {"No. Kontrak", 20},
               {"Nilai Kontrak (Rp)", 18}, {"Uraian", 48},      {"Alasan Tunai", 30},
               {"Dicatat Oleh", 18}, {"Waktu Catat", 25},       {"Dibatalkan (seq pembatalan)", 14},
               {"Leaf Hash", 66}},
              data.expenditures.size(),
              {}};
  sheet.fill = [&data](std::size_t i, Row& row) {
    const WorkpaperExpenditure& e = data.expenditures[i];
    AddInteger(row, e.seq);
    AddDate(row, e.value_date);
    AddOpd(row, data, e.opd);
    AddText(row, e.sub_activity);
    AddText(row, e.account);
    AddCode(row, ledger::AccountGroup(e.account), ledger::AccountGroupLabel);
    AddCode(row, e.mechanism, ledger::MechanismLabel);
    AddCode(row, e.instrument, ledger::InstrumentLabel);
    AddText(row, e.payee_name);
    AddText(row, e.payee_npwp);
    AddText(row, e.payee_bank);
    AddText(row, e.payee_account_no);
    AddText(row, e.payee_account_name);
    AddMoney(row, e.gross_sen);
    for (std::int64_t tax_sen : e.tax_sen) AddMoney(row, tax_sen);
    AddMoney(row, e.net_sen);
    AddText(row, e.bank_ref);
    AddText(row, e.spp);
    AddText(row, e.spm);
    AddText(row, e.sp2d);
    AddText(row, e.evidence_no);
    AddDate(row, e.evidence_date);
    AddText(row, e.procurement_method);
    AddText(row, e.contract_no);
    AddOptionalMoney(row, e.contract_value_sen);
    AddText(row, e.description);
    AddText(row, e.cash_reason);
    AddText(row, e.recorded_by);
    AddText(row, e.recorded_at);
    if (e.reversed_by) {
      AddInteger(row, *e.reversed_by);
    } else {
      AddEmpty(row);
    }
    AddText(row, e.leaf_hash_hex);
  };
  return sheet;
}

Sheet Realisasi(const WorkpaperData& data) {
  Sheet sheet{"Realisasi",
              {{"OPD", 24},
               {"Nama OPD", 36},
               {"Sub Kegiatan", 19},
               {"Kode Rekening", 19},
               {"Kelompok Belanja", 12},
               {"Nama Kelompok Belanja", 24},
               {"Pagu (Rp)", 20},
               {"Realisasi (Rp)", 20},
               {"Sisa Pagu (Rp)", 20},
               {"Realisasi (%)", 12},
               {"Jumlah Transaksi", 10}},
              data.realisation.size(),
              {}};
  sheet.fill = [&data](std::size_t i, Row& row) {
    const WorkpaperRealisation& line = data.realisation[i];
    AddText(row, line.opd);
    AddText(row, line.opd_name);
    AddText(row, line.sub_activity);
    AddText(row, line.account);
    AddCode(row, ledger::AccountGroup(line.account), ledger::AccountGroupLabel);
    AddMoney(row, line.pagu_sen);
    AddMoney(row, line.realisation_sen);
    // Both are at most the year's totals, which GatherWorkpapers checked for overflow.
    AddMoney(row, line.pagu_sen - line.realisation_sen);
    AddPercent(row, line.realisation_sen, line.pagu_sen);
    AddInteger(row, line.entries);
  };
  return sheet;
}

Sheet Pajak(const WorkpaperData& data) {
  Sheet sheet{"Pajak",
              {{"OPD", 24},
               {"Nama OPD", 36},
               {"Jenis Pajak", 10},
               {"Nama Jenis Pajak", 24},
               {"Masa Pajak", 10},
               {"Batas Setor", 12},
               {"Dipotong (Rp)", 18},
               {"Disetor (Rp)", 18},
               {"Selisih (Rp)", 18},
               {"Setoran Tidak Teralokasi (Rp)", 18},
               {"NTPN", 40},
               {"Kode Billing", 40},
               {"Seq Setoran", 20}},
              data.taxes.size(),
              {}};
  sheet.fill = [&data](std::size_t i, Row& row) {
    const WorkpaperTax& tax = data.taxes[i];
    AddOpd(row, data, tax.opd);
    AddCode(row, tax.tax_type, ledger::TaxTypeLabel);
    AddText(row, tax.period);
    AddDate(row, tax.deadline);
    AddMoney(row, tax.withheld_sen);
    AddMoney(row, tax.deposited_sen);
    AddMoney(row, tax.withheld_sen - tax.deposited_sen);  // Deposited <= withheld.
    AddMoney(row, tax.unallocated_sen);
    AddText(row, Join(tax.ntpns, "; "));
    AddText(row, Join(tax.billing_codes, "; "));
    AddText(row, Join(tax.deposit_seqs, ", "));
  };
  return sheet;
}

Sheet Temuan(const WorkpaperData& data) {
  Sheet sheet{"Temuan",
              {{"No.", 6},
               {"Kode Aturan", 22},
               {"Nama Aturan", 34},
               {"Tingkat", 9},
               {"Nama Tingkat", 10},
               {"OPD", 24},
               {"Nama OPD", 30},
               {"Nilai (Rp)", 20},
               {"Kondisi", 70},
               {"Kriteria", 50},
               {"Sebab", 50},
               {"Akibat", 50},
               {"Rekomendasi", 50},
               {"ID Temuan", 34},
               {"Jumlah Seq", 10},
               {"Seq (100 pertama)", 30}},
              data.findings.size(),
              {}};
  sheet.fill = [&data](std::size_t i, Row& row) {
    const ledger::Finding& finding = data.findings[i];
    AddInteger(row, static_cast<std::int64_t>(i + 1));
    AddCode(row, finding.rule, ledger::RuleLabel);
    AddCode(row, finding.severity, ledger::SeverityLabel);
    AddText(row, finding.opd);
    AddText(row, finding.opd_name);
    AddMoney(row, finding.amount_sen);
    AddText(row, finding.kondisi);
    AddText(row, finding.kriteria);
    AddText(row, finding.sebab);
    AddText(row, finding.akibat);
    AddText(row, finding.rekomendasi);
    AddText(row, finding.id);
    AddInteger(row, static_cast<std::int64_t>(finding.seqs.size()));
    // A cell holds 32,767 characters; a bulk-loaded year's finding may stand on 10^5 seqs.
    // GET /v1/audit/findings/{id} lists them all.
    const std::size_t listed = std::min(finding.seqs.size(), kTemuanSeqsListed);
    AddText(row, Join(std::vector<std::int64_t>(finding.seqs.begin(),
                                                finding.seqs.begin() + static_cast<std::ptrdiff_t>(listed)),
                      ", "));
  };
  return sheet;
}

// Reversals (koreksi) and refunds (pengembalian; of a closed year's payment: pendapatan
// lain-lain), each with its original.
Sheet Koreksi(const WorkpaperData& data) {
  Sheet sheet{"Koreksi",
              {{"Seq", 10},
               {"Jenis", 18},
               {"Jenis Entri", 11},
               {"Nama Jenis Entri", 22},
               {"Seq Asal", 10},
               {"OPD", 24},
               {"Nama OPD", 36},
               {"Sub Kegiatan", 19},
               {"Kode Rekening", 19},
               {"TA Asal", 8},
               {"Tanggal Bayar Asal", 12},
               {"Bruto Asal (Rp)", 20},
               {"Tanggal", 12},
               {"Jumlah (Rp)", 20},
               {"Nomor STS", 24},
               {"Alasan", 50},
               {"Dicatat Oleh", 20},
               {"Dicatat Pada", 24},
               {"Leaf Hash", 66}},
              data.adjustments.size(),
              {}};
  sheet.fill = [&data](std::size_t i, Row& row) {
    const WorkpaperAdjustment& a = data.adjustments[i];
    const char* kind = a.kind == "reversal"                          ? "koreksi"
                       : a.original_fiscal_year == data.fiscal_year ? "pengembalian"
                                                                     : "pendapatan lain-lain";
    AddInteger(row, a.seq);
    AddText(row, kind);
    AddCode(row, a.kind, ledger::KindLabel);
    AddInteger(row, a.original_seq);
    AddOpd(row, data, a.opd);
    AddText(row, a.sub_activity);
    AddText(row, a.account);
    AddInteger(row, a.original_fiscal_year);
    AddDate(row, a.original_value_date);
    AddMoney(row, a.original_gross_sen);
    AddDate(row, a.date);
    AddMoney(row, a.amount_sen);
    AddText(row, a.sts_no);
    AddText(row, a.reason);
    AddText(row, a.recorded_by);
    AddText(row, a.recorded_at);
    AddText(row, a.leaf_hash_hex);
  };
  return sheet;
}

std::vector<Sheet> Sheets(const WorkpaperData& data) {
  std::vector<Sheet> sheets;
  sheets.push_back(Ringkasan(data));
  sheets.push_back(Transaksi(data));
  sheets.push_back(Realisasi(data));
  sheets.push_back(Pajak(data));
  sheets.push_back(Temuan(data));
  sheets.push_back(Koreksi(data));
  sheets.push_back(RekonsiliasiBank(data));
  JEJAK_CHECK(sheets.size() == kWorkpaperSheets.size());
  for (std::size_t i = 0; i < sheets.size(); ++i) {
    JEJAK_CHECK(std::string_view(sheets[i].name) == kWorkpaperSheets[i]);
  }
  return sheets;
}

// ---- CSV (RFC 4180) ----

void AppendCsvField(std::string& out, std::string_view field) {
  // RFC 4180 §2.6-2.7: quote a field holding a comma, quote, CR or LF; double its quotes.
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string CsvText(const Cell& cell) {
  switch (cell.type) {
    case Cell::Type::kEmpty: return "";
    case Cell::Type::kText: return cell.text;
    case Cell::Type::kDate: return cell.text;
    case Cell::Type::kMoney: return ledger::FormatMoney(cell.value);
    case Cell::Type::kInteger: return std::to_string(cell.value);
    case Cell::Type::kPercent: return ledger::FormatBasisPoints(cell.value);
  }
  return "";
}

// ---- XLSX ----

// A private directory (mode 0700 from mkdtemp) removed with everything in it.
class TempDir {
 public:
  static std::optional<TempDir> Make() {
    std::error_code error;
    const std::filesystem::path base = std::filesystem::temp_directory_path(error);
    if (error) return std::nullopt;
    std::string pattern = (base / "jejak-workpapers-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return std::nullopt;
    return TempDir(pattern);
  }
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Cuts `text` to at most `bytes_max` bytes at a UTF-8 character boundary, marking the cut.
std::string CutText(const std::string& text, std::size_t bytes_max) {
  if (text.size() <= bytes_max) return text;
  std::size_t end = bytes_max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + " … (terpotong; lengkap di CSV)";
}

// The number to write for `sen`, if the workbook then holds the amount exactly: below
// kNumberCellSenLimit (at most 15 significant digits, as many as a spreadsheet keeps; an
// amount of Rp 10 trillion or more would be shown rounded, so it is written as text). The
// cell's text in the file is "%.16G" of the double (libxlsxwriter's format); a reader
// parses it to a double and shows it to 15 significant digits. That gives back the exact
// decimal amount for every |sen| < 10^15 (the double is within half an ulp of sen / 100,
// far below half a unit of the 15th digit); the check repeats the reader's steps, so an
// amount that would not come back is written as text rather than a wrong number.
std::optional<double> ExactRupiah(std::int64_t sen) {
  if (sen <= -kNumberCellSenLimit || sen >= kNumberCellSenLimit) return std::nullopt;
  const double rupiah = static_cast<double>(sen) / 100.0;
  char written[64];
  std::snprintf(written, sizeof written, "%.16G", rupiah);
  char shown[64];
  std::snprintf(shown, sizeof shown, "%.15G", std::strtod(written, nullptr));
  std::string exact = ledger::FormatMoney(sen);  // "-12.50", "0.00".
  exact.erase(exact.find_last_not_of('0') + 1);
  if (exact.back() == '.') exact.pop_back();
  if (exact == "-0") exact = "0";
  if (exact != shown) return std::nullopt;
  return rupiah;
}

// The date of "YYYY-MM-DD" for a date cell, if `text` is exactly a real calendar date.
std::optional<lxw_datetime> DateOf(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const auto number = [&](std::size_t from, std::size_t length) {
    int value = 0;
    for (std::size_t i = from; i < from + length; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  const int year = number(0, 4);
  const int month = number(5, 2);
  const int day = number(8, 2);
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  // Spreadsheet dates start in 1900; the ledger's are years 2000 to 2100.
  if (!date.ok() || year < 1900) return std::nullopt;
  return lxw_datetime{year, month, day, 0, 0, 0.0};
}

class XlsxWriter {
 public:
  explicit XlsxWriter(lxw_workbook* workbook) : workbook_(workbook) {
    title_ = workbook_add_format(workbook_);
    format_set_bold(title_);
    header_ = workbook_add_format(workbook_);
    format_set_bold(header_);
    format_set_bottom(header_, LXW_BORDER_THIN);
    format_set_text_wrap(header_);
    format_set_align(header_, LXW_ALIGN_VERTICAL_TOP);
    money_ = workbook_add_format(workbook_);
    format_set_num_format(money_, kRupiahFormat);
    money_text_ = workbook_add_format(workbook_);
    format_set_align(money_text_, LXW_ALIGN_RIGHT);
    date_ = workbook_add_format(workbook_);
    format_set_num_format(date_, kDateFormat);
    percent_ = workbook_add_format(workbook_);
    format_set_num_format(percent_, "0.00");
    integer_ = workbook_add_format(workbook_);
    format_set_num_format(integer_, "0");
  }

  void Write(const WorkpaperData& data, const Sheet& sheet) {
    lxw_worksheet* worksheet = workbook_add_worksheet(workbook_, sheet.name);
    if (worksheet == nullptr) {
      Fail(LXW_ERROR_MEMORY_MALLOC_FAILED);
      return;
    }
    const auto columns = static_cast<lxw_col_t>(sheet.columns.size());
    for (lxw_col_t c = 0; c < columns; ++c) {
      Check(worksheet_set_column(worksheet, c, c, sheet.columns[c].width, nullptr));
    }
    // constant_memory mode: rows are written in order, each row once.
    Check(worksheet_write_string(worksheet, 0, 0, CheckpointLine(data).c_str(), title_));
    for (lxw_col_t c = 0; c < columns; ++c) {
      Check(worksheet_write_string(worksheet, 1, c, sheet.columns[c].header, header_));
    }
    Row row;
    for (std::size_t i = 0; i < sheet.rows; ++i) {
      row.clear();
      sheet.fill(i, row);
      JEJAK_CHECK(row.size() == sheet.columns.size());
      const auto r = static_cast<lxw_row_t>(i + 2);
      for (lxw_col_t c = 0; c < columns; ++c) WriteCell(worksheet, r, c, row[c]);
    }
    worksheet_freeze_panes(worksheet, 2, 0);
    Check(worksheet_autofilter(worksheet, 1, 0, static_cast<lxw_row_t>(sheet.rows + 1),
                               static_cast<lxw_col_t>(columns - 1)));
  }

  lxw_error error() const { return error_; }

 private:
  void WriteCell(lxw_worksheet* worksheet, lxw_row_t r, lxw_col_t c, const Cell& cell) {
    switch (cell.type) {
      case Cell::Type::kEmpty: return;
      case Cell::Type::kText:
        if (cell.text.empty()) return;
        Check(worksheet_write_string(worksheet, r, c, CutText(cell.text, kCellTextBytesMax).c_str(), nullptr));
        return;
      case Cell::Type::kMoney: {
        const std::optional<double> rupiah = ExactRupiah(cell.value);
        if (rupiah) {
          Check(worksheet_write_number(worksheet, r, c, *rupiah, money_));
        } else {
          Check(worksheet_write_string(worksheet, r, c, ledger::FormatMoney(cell.value).c_str(), money_text_));
        }
        return;
      }
      case Cell::Type::kDate: {
        if (cell.text.empty()) return;
        std::optional<lxw_datetime> date = DateOf(cell.text);
        if (date) {
          Check(worksheet_write_datetime(worksheet, r, c, &*date, date_));
        } else {
          Check(worksheet_write_string(worksheet, r, c, cell.text.c_str(), nullptr));
        }
        return;
      }
      case Cell::Type::kInteger:
        // Seqs and counts are far below 2^53.
        Check(worksheet_write_number(worksheet, r, c, static_cast<double>(cell.value), integer_));
        return;
      case Cell::Type::kPercent:
        Check(worksheet_write_number(worksheet, r, c, static_cast<double>(cell.value) / 100.0, percent_));
        return;
    }
  }
  void Check(lxw_error error) {
    if (error != LXW_NO_ERROR) Fail(error);
  }
  void Fail(lxw_error error) {
    if (error_ == LXW_NO_ERROR) error_ = error;
  }

  lxw_workbook* workbook_;
  lxw_format* title_;
  lxw_format* header_;
  lxw_format* money_;
  lxw_format* money_text_;
  lxw_format* date_;
  lxw_format* percent_;
  lxw_format* integer_;
  lxw_error error_ = LXW_NO_ERROR;
};

}  // namespace

Result<std::string> RenderXlsx(const WorkpaperData& data) {
  std::optional<TempDir> dir = TempDir::Make();
  if (!dir) return Internal("cannot create a temporary directory for the workbook");
  const std::string path = (dir->path() / "workpapers.xlsx").string();
  const std::string tmpdir = dir->path().string();
  lxw_workbook_options options{};
  // Rows go to temporary files as they are written, so memory stays flat for a
  // million-row Transaksi sheet; the temporary files stay in our private directory.
  options.constant_memory = LXW_TRUE;
  options.tmpdir = const_cast<char*>(tmpdir.c_str());
  lxw_workbook* workbook = workbook_new_opt(path.c_str(), &options);
  if (workbook == nullptr) return Internal("cannot create the workbook");
  lxw_doc_properties properties{};
  const std::string title = "Kertas Kerja " + data.region + " TA " + std::to_string(data.fiscal_year);
  const std::string comments = CheckpointLine(data);
  properties.title = const_cast<char*>(title.c_str());
  properties.comments = const_cast<char*>(comments.c_str());
  const lxw_error properties_set = workbook_set_properties(workbook, &properties);
  XlsxWriter writer(workbook);
  for (const Sheet& sheet : Sheets(data)) writer.Write(data, sheet);
  const lxw_error closed = workbook_close(workbook);  // Frees the workbook in every case.
  if (properties_set != LXW_NO_ERROR) {
    return Internal(std::string("setting the workbook properties failed: ") + lxw_strerror(properties_set));
  }
  if (writer.error() != LXW_NO_ERROR) {
    return Internal(std::string("writing the workbook failed: ") + lxw_strerror(writer.error()));
  }
  if (closed != LXW_NO_ERROR) {
    return Internal(std::string("closing the workbook failed: ") + lxw_strerror(closed));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return Internal("cannot read the workbook back");
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad() || bytes.empty()) return Internal("cannot read the workbook back");
  return bytes;
}

Result<std::string> RenderCsv(const WorkpaperData& data, std::string_view sheet_name) {
  const auto known = std::find_if(kWorkpaperSheets.begin(), kWorkpaperSheets.end(),
                                  [&](const char* name) { return sheet_name == name; });
  if (known == kWorkpaperSheets.end()) {
    return InvalidArgument(
        "invalid query",
        {{"sheet", "must be one of Ringkasan, Transaksi, Realisasi, Pajak, Temuan, Koreksi, Rekonsiliasi Bank"}});
  }
  const std::vector<Sheet> sheets = Sheets(data);
  const Sheet& sheet = sheets[static_cast<std::size_t>(known - kWorkpaperSheets.begin())];
  std::string out;
  // The first record names the tree, as the XLSX sheet's first line does; padded to the
  // header's width so that every record has the same number of fields.
  AppendCsvField(out, CheckpointLine(data));
  out += std::string(sheet.columns.size() - 1, ',');
  out += "\r\n";
  for (std::size_t c = 0; c < sheet.columns.size(); ++c) {
    if (c > 0) out += ',';
    AppendCsvField(out, sheet.columns[c].header);
  }
  out += "\r\n";
  Row row;
  for (std::size_t i = 0; i < sheet.rows; ++i) {
    row.clear();
    sheet.fill(i, row);
    JEJAK_CHECK(row.size() == sheet.columns.size());
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ',';
      AppendCsvField(out, CsvText(row[c]));
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace jejak::server
