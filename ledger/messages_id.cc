// The English → Indonesian catalog (ledger/messages_id.h). Each template's "{}" captures
// text that is carried over as is ({0}, {1} in the Indonesian say where); a message whose
// English changes, or a new one, must get its template here (tests/ledger/messages_id_test
// feeds bad entries through validation and fails on any message without one).
#include "ledger/messages_id.h"

#include <array>
#include <cctype>
#include <cstdlib>
#include <string>
#include <vector>

namespace jejak::ledger {
namespace {

struct Template {
  std::string_view english;
  std::string_view indonesian;
};

// Specific templates before the generic ones that would also match them.
constexpr std::array kCatalog = {
    // Problem titles (server/problem.cc) and transport refusals.
    Template{"Bad Request", "Permintaan Tidak Valid"},
    Template{"Unauthorized", "Tidak Terautentikasi"},
    Template{"Forbidden", "Tidak Diizinkan"},
    Template{"Not Found", "Tidak Ditemukan"},
    Template{"Method Not Allowed", "Metode Tidak Diizinkan"},
    Template{"Conflict", "Konflik"},
    Template{"Payload Too Large", "Muatan Terlalu Besar"},
    Template{"Unsupported Media Type", "Jenis Media Tidak Didukung"},
    Template{"Unprocessable Content", "Isi Tidak Dapat Diproses"},
    Template{"Internal Server Error", "Kesalahan Internal Server"},
    Template{"Service Unavailable", "Layanan Tidak Tersedia"},
    // Problem details.
    Template{"invalid entry", "entri tidak valid"},
    Template{"invalid tax deposit", "setoran pajak tidak valid"},
    Template{"invalid reversal", "koreksi tidak valid"},
    Template{"invalid import", "impor tidak valid"},
    Template{"invalid mapping", "pemetaan kolom tidak valid"},
    Template{"the ledger cannot take this refund", "buku besar tidak dapat menerima pengembalian ini"},
    Template{"the body must be a JSON object", "isi permintaan harus berupa objek JSON"},
    Template{"this route takes no query parameters", "rute ini tidak menerima parameter kueri"},
    Template{"bad filter", "filter tidak valid"},
    Template{"bad as_of", "as_of tidak valid"},
    Template{"bad tree_size", "tree_size tidak valid"},
    Template{"bad format", "format tidak valid"},
    Template{"invalid query", "kueri tidak valid"},
    Template{"missing parameter", "parameter belum diisi"},
    Template{"unknown query parameter", "parameter kueri tidak dikenal"},
    Template{"not an integer", "bukan bilangan bulat"},
    Template{"out of range", "di luar rentang"},
    Template{"query parameter given twice", "parameter kueri diberikan dua kali"},
    Template{"query string too long", "string kueri terlalu panjang"},
    Template{"bad request target", "target permintaan tidak valid"},
    Template{"bad percent-encoding in the query string", "percent-encoding tidak valid pada string kueri"},
    Template{"missing Authorization: Bearer token", "token Authorization: Bearer tidak ada"},
    Template{"an officer reads only their own OPD", "bendahara hanya dapat membaca OPD-nya sendiri"},
    Template{"an officer sees only their own OPD", "bendahara hanya dapat melihat OPD-nya sendiri"},
    Template{"only an officer records {}", "hanya bendahara yang dapat mencatat {0}"},
    Template{"only an admin records {}", "hanya admin yang dapat mencatat {0}"},
    Template{"role {} may not use {}", "peran {0} tidak boleh memakai {1}"},
    Template{"no route for {}", "tidak ada rute untuk {0}"},
    Template{"Content-Type must be application/json (UTF-8)",
             "Content-Type harus application/json (UTF-8)"},
    Template{"the request body is larger than {} bytes", "isi permintaan lebih besar dari {0} byte"},
    Template{"the import file is larger than {} bytes", "berkas impor lebih besar dari {0} byte"},
    Template{"the server is shutting down", "server sedang berhenti"},
    Template{"entry {} belongs to another OPD", "entri {0} milik OPD lain"},
    Template{"an officer of {} may not record for another OPD",
             "bendahara {0} tidak boleh mencatat untuk OPD lain"},
    Template{"appends are suspended: {}", "pencatatan dihentikan sementara: {0}"},
    Template{"too many appends waiting ({}); retry shortly",
             "terlalu banyak pencatatan menunggu ({0}); coba lagi sebentar"},
    Template{"too many imports waiting ({}); retry shortly",
             "terlalu banyak impor menunggu ({0}); coba lagi sebentar"},
    Template{"Content-Type must be text/csv or {}", "Content-Type harus text/csv atau {0}"},
    Template{"the import has rows with errors; nothing was written",
             "impor berisi baris yang salah; tidak ada yang dicatat"},
    Template{"no saved mapping named {} for OPD {}",
             "tidak ada pemetaan tersimpan bernama {0} untuk OPD {1}"},
    Template{"no saved mapping named {}", "tidak ada pemetaan tersimpan bernama {0}"},
    Template{"must be 1 to 64 characters without control characters",
             "harus 1 sampai 64 karakter tanpa karakter kendali"},
    // Entry fields (ledger/entry.cc).
    Template{"required", "wajib diisi"},
    Template{"unknown field", "isian tidak dikenal"},
    Template{"set by the server", "diisi oleh server"},
    Template{"an entry must be a JSON object", "entri harus berupa objek JSON"},
    Template{"must be a string", "harus berupa teks"},
    Template{"must be a code like \"{}\"", "harus berupa kode seperti \"{0}\""},
    Template{"must be one of {}", "harus salah satu dari {0}"},
    Template{"must be a calendar date YYYY-MM-DD", "harus berupa tanggal kalender YYYY-MM-DD"},
    Template{"must be a date YYYY-MM-DD", "harus berupa tanggal YYYY-MM-DD"},
    Template{"must be YYYY-MM-DD or an RFC 3339 time", "harus YYYY-MM-DD atau waktu RFC 3339"},
    Template{"must be YYYY-MM-DD", "harus YYYY-MM-DD"},
    Template{"must be an integer", "harus berupa bilangan bulat"},
    Template{"must be at most {} bytes", "paling banyak {0} byte"},
    Template{"must be at most {}", "paling banyak {0}"},
    Template{"must be in [{}, {}]", "harus di antara {0} dan {1}"},
    Template{"must be greater than zero", "harus lebih besar dari nol"},
    Template{"must be an object {type, amount}", "harus berupa objek {type, amount}"},
    Template{"must be an object", "harus berupa objek"},
    Template{"must be an array", "harus berupa larik"},
    Template{"must have exactly {} elements", "harus berisi tepat {0} elemen"},
    Template{"must have between {} and {} elements", "harus berisi {0} sampai {1} elemen"},
    Template{"must not be empty", "tidak boleh kosong"},
    Template{"must not contain control characters", "tidak boleh berisi karakter kendali"},
    Template{"must be on or before the end of fiscal year {}",
             "harus pada atau sebelum akhir tahun anggaran {0}"},
    Template{"must be true or false", "harus true atau false"},
    Template{"must be 15 or 16 digits", "harus 15 atau 16 digit"},
    Template{"must be exactly 15 digits", "harus tepat 15 digit"},
    Template{"must be exactly 16 characters 0-9 or A-Z", "harus tepat 16 karakter 0-9 atau A-Z"},
    Template{"must be in a fiscal year from {} to {}", "harus dalam tahun anggaran {0} sampai {1}"},
    Template{"must be a year from {} to {}", "harus tahun {0} sampai {1}"},
    Template{"must be from {} to {}", "harus dari {0} sampai {1}"},
    Template{"must be genesis", "harus genesis"},
    Template{"must be a signed-note key name: {}", "harus nama kunci signed-note: {0}"},
    Template{"allowed only with instrument cash", "hanya boleh dengan instrument cash"},
    Template{"must equal gross minus taxes ({})", "harus sama dengan bruto dikurangi pajak ({0})"},
    Template{"the taxes add up to more than the gross", "jumlah pajak melebihi nilai bruto"},
    Template{"the taxes add up to more than the largest amount, {}",
             "jumlah pajak melebihi jumlah terbesar, {0}"},
    Template{"the months add up to more than the largest amount, {}",
             "jumlah bulanan melebihi jumlah terbesar, {0}"},
    Template{"unknown kind; expected opd, budget, expenditure, reversal, refund, tax_deposit or "
             "bank_statement",
             "kind tidak dikenal; seharusnya opd, budget, expenditure, reversal, refund, "
             "tax_deposit atau bank_statement"},
    // Bank statements (ledger/bank_statement.cc).
    Template{"must be 1 to 34 characters, digits, '-' or '.' (no spaces)",
             "harus 1 sampai 34 karakter, berupa digit, '-' atau '.' (tanpa spasi)"},
    Template{"allowed only with account_role bendahara_pengeluaran",
             "hanya boleh dengan account_role bendahara_pengeluaran"},
    Template{"must be 64 lowercase hexadecimal digits", "harus 64 digit heksadesimal huruf kecil"},
    Template{"must not be before period_start {}", "tidak boleh sebelum period_start {0}"},
    Template{"must be in the same year as period_start {}",
             "harus pada tahun yang sama dengan period_start {0}"},
    Template{"must lie in the statement's period or at most {} days outside it ({} to {})",
             "harus dalam periode rekening koran atau paling jauh {0} hari di luarnya ({1} "
             "sampai {2})"},
    Template{"must lie in the statement's period {} to {}",
             "harus dalam periode rekening koran {0} sampai {1}"},
    Template{"the running balance after this line is beyond the largest amount, {}",
             "saldo berjalan sesudah baris ini melewati jumlah terbesar, {0}"},
    Template{"must equal the running balance after this line, {}",
             "harus sama dengan saldo berjalan sesudah baris ini, {0}"},
    Template{"must equal opening_balance plus credits minus debits: {} (the statement says {})",
             "harus sama dengan opening_balance ditambah kredit dikurangi debit: {0} (rekening "
             "koran menyebut {1})"},
    Template{"the period {} to {} overlaps the statement of account {} in entry {} ({} to {})",
             "periode {0} sampai {1} bertumpang tindih dengan rekening koran rekening {2} pada "
             "entri {3} ({4} sampai {5})"},
    Template{"account {} is held at {} (entry {})", "rekening {0} ada di {1} (entri {2})"},
    Template{"account {} has account_role {} (entry {})",
             "rekening {0} ber-account_role {1} (entri {2})"},
    Template{"account {} belongs to OPD {} (entry {})", "rekening {0} milik OPD {1} (entri {2})"},
    Template{"bank statements are uploaded to POST /v1/bank-statements",
             "rekening koran bank diunggah ke POST /v1/bank-statements"},
    // Money (ledger/money.cc).
    Template{"money must be a decimal string such as \"12500000\", not a JSON number",
             "nilai uang harus berupa teks desimal seperti \"12500000\", bukan angka JSON"},
    Template{"money must not be empty", "nilai uang tidak boleh kosong"},
    Template{"money must not carry a sign", "nilai uang tidak boleh bertanda"},
    Template{"money must be rupiah digits with an optional '.' and at most two sen digits, as "
             "in \"12500000\" or \"280713172441.23\"",
             "nilai uang harus berupa digit rupiah dengan '.' opsional dan paling banyak dua "
             "digit sen, seperti \"12500000\" atau \"280713172441.23\""},
    Template{"money must have digits before the '.'", "nilai uang harus punya digit sebelum '.'"},
    Template{"money must not have a leading zero", "nilai uang tidak boleh diawali nol"},
    Template{"money must have at most 16 integer digits",
             "nilai uang paling banyak 16 digit bilangan bulat"},
    Template{"money must have digits after the '.'", "nilai uang harus punya digit sesudah '.'"},
    Template{"money must have at most two fraction digits (sen)",
             "nilai uang paling banyak dua digit pecahan (sen)"},
    // Checks against the ledger (ledger/entry_columns.cc).
    Template{"OPD {} is not registered", "OPD {0} belum terdaftar"},
    Template{"OPD {} is already registered", "OPD {0} sudah terdaftar"},
    Template{"bank_ref {} is already recorded in entry {}", "bank_ref {0} sudah tercatat pada entri {1}"},
    Template{"entry {} does not exist", "entri {0} tidak ada"},
    Template{"entry {} is a {}, not an expenditure", "entri {0} adalah {1}, bukan expenditure"},
    Template{"entry {} is already reversed by entry {}", "entri {0} sudah dikoreksi oleh entri {1}"},
    Template{"entry {} is reversed by entry {}", "entri {0} dikoreksi oleh entri {1}"},
    Template{"entry {} has a refund (entry {}): cash moved, so it cannot be corrected by a reversal",
             "entri {0} punya pengembalian (entri {1}): uang sudah berpindah, jadi tidak dapat "
             "dikoreksi dengan reversal"},
    Template{"entry {} belongs to OPD {}", "entri {0} milik OPD {1}"},
    Template{"entry {} is of another fiscal year", "entri {0} dari tahun anggaran lain"},
    Template{"entry {} withheld no {}", "entri {0} tidak memotong {1}"},
    Template{"at most {} of entry {} is still refundable (gross {}, refunded {})",
             "paling banyak {0} dari entri {1} yang masih dapat dikembalikan (bruto {2}, sudah "
             "dikembalikan {3})"},
    Template{"must not be before the expenditure's value_date {}",
             "tidak boleh sebelum value_date belanja {0}"},
    Template{"must not be before fiscal year {} of the expenditure",
             "tidak boleh sebelum tahun anggaran {0} belanja tersebut"},
    // Query parameters (server/).
    Template{"unknown parameter", "parameter tidak dikenal"},
    Template{"given twice", "diberikan dua kali"},
    Template{"not an OPD unit code", "bukan kode unit OPD"},
    Template{"unknown kind", "kind tidak dikenal"},
    Template{"unknown rule", "aturan tidak dikenal"},
    Template{"too long", "terlalu panjang"},
    Template{"must be xlsx or csv", "harus xlsx atau csv"},
    Template{"must be at most to_seq", "paling besar to_seq"},
    Template{"must be at most second", "paling besar second"},
    Template{"must be below tree_size", "harus di bawah tree_size"},
    Template{"is past the ledger's size {}", "melewati ukuran buku besar {0}"},
    // Imports (ledger/import_table.cc, ledger/import_mapping.cc).
    Template{"must be an amount such as {}", "harus berupa jumlah uang seperti {0}"},
    Template{"must be a date in the format {}", "harus berupa tanggal dengan format {0}"},
    Template{"must be a year such as 2026", "harus berupa tahun seperti 2026"},
    Template{"must be yes or no", "harus ya atau tidak"},
    Template{"OPD {} is not your OPD {}", "OPD {0} bukan OPD Anda ({1})"},
    Template{"column \"{}\" is not in the file", "kolom \"{0}\" tidak ada dalam berkas"},
    Template{"the row has more cells than the header", "baris berisi lebih banyak sel daripada judul kolom"},
    Template{"the cell is longer than {} bytes", "sel lebih panjang dari {0} byte"},
    Template{"the file has more than {} rows", "berkas berisi lebih dari {0} baris"},
    Template{"the file has more than {} columns", "berkas berisi lebih dari {0} kolom"},
    Template{"the file has no header row", "berkas tidak punya baris judul kolom"},
    Template{"the file has no data rows", "berkas tidak berisi baris data"},
    Template{"a quoted cell is not closed", "sel bertanda kutip tidak ditutup"},
    Template{"a quote inside an unquoted cell", "tanda kutip di dalam sel tanpa kutip"},
    Template{"text after a closing quote", "ada teks sesudah tanda kutip penutup"},
    Template{"the file is not UTF-8 text", "berkas bukan teks UTF-8"},
    Template{"the header names column \"{}\" twice", "judul kolom \"{0}\" muncul dua kali"},
    Template{"the XLSX file cannot be read: {}", "berkas XLSX tidak dapat dibaca: {0}"},
    Template{"the ledger refused the row: {}", "buku besar menolak baris ini: {0*}"},
    // Places, around a message that is translated in turn.
    Template{"row {}, column {}: {}", "baris {0}, kolom {1}: {2*}"},
    Template{"row {}: {}", "baris {0}: {1*}"},
    Template{"entry {}: {}", "entri {0}: {1*}"},
};

// Matches `text` against template pieces from `piece` on; fills `captures`.
bool MatchFrom(std::string_view text, const std::vector<std::string_view>& pieces,
               std::size_t piece, std::vector<std::string_view>& captures) {
  if (piece == pieces.size()) return text.empty();
  const std::string_view literal = pieces[piece];
  if (piece == 0) {
    if (text.substr(0, literal.size()) != literal) return false;
    return MatchFrom(text.substr(literal.size()), pieces, 1, captures);
  }
  // A placeholder (non-empty text) then `literal`; the last literal must end the text.
  const bool last = piece + 1 == pieces.size();
  for (std::size_t at = 1; at + literal.size() <= text.size(); ++at) {
    if (last) at = text.size() - literal.size();
    if (at == 0 || text.substr(at, literal.size()) != literal) {
      if (last) return false;
      continue;
    }
    captures.push_back(text.substr(0, at));
    if (MatchFrom(text.substr(at + literal.size()), pieces, piece + 1, captures)) return true;
    captures.pop_back();
    if (last) return false;
  }
  return false;
}

std::optional<std::vector<std::string_view>> Match(std::string_view text, std::string_view english) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  for (;;) {
    const std::size_t hole = english.find("{}", start);
    if (hole == std::string_view::npos) break;
    pieces.push_back(english.substr(start, hole - start));
    start = hole + 2;
  }
  pieces.push_back(english.substr(start));
  std::vector<std::string_view> captures;
  if (!MatchFrom(text, pieces, 0, captures)) return std::nullopt;
  return captures;
}

std::string Fill(std::string_view indonesian, const std::vector<std::string_view>& captures) {
  std::string out;
  for (std::size_t i = 0; i < indonesian.size(); ++i) {
    if (indonesian[i] == '{' && i + 2 < indonesian.size() &&
        std::isdigit(static_cast<unsigned char>(indonesian[i + 1]))) {
      // {N} carries capture N over; {N*} translates it in turn (when the catalog can).
      const bool nested = indonesian[i + 2] == '*';
      const std::size_t close = i + (nested ? 3 : 2);
      if (close < indonesian.size() && indonesian[close] == '}') {
        const auto index = static_cast<std::size_t>(indonesian[i + 1] - '0');
        if (index < captures.size()) {
          out.append(nested ? Indonesian(captures[index]) : std::string(captures[index]));
        }
        i = close;
        continue;
      }
    }
    out.push_back(indonesian[i]);
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The q-value of one language-range's parameters ("q=0.8"); nullopt if malformed.
std::optional<double> QValue(std::string_view parameters) {
  double q = 1.0;
  std::size_t start = 0;
  while (start <= parameters.size()) {
    std::size_t end = parameters.find(';', start);
    if (end == std::string_view::npos) end = parameters.size();
    const std::string_view parameter = Trim(parameters.substr(start, end - start));
    start = end + 1;
    if (parameter.empty()) continue;
    if (parameter.size() < 2 || (parameter[0] != 'q' && parameter[0] != 'Q') || parameter[1] != '=') {
      continue;  // Another parameter: ignored.
    }
    const std::string_view value = parameter.substr(2);
    // RFC 9110 qvalue: 0[.ddd] or 1[.000].
    if (value.empty() || value.size() > 5 || (value[0] != '0' && value[0] != '1')) return std::nullopt;
    if (value.size() > 1 && value[1] != '.') return std::nullopt;
    for (std::size_t i = 2; i < value.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(value[i]))) return std::nullopt;
      if (value[0] == '1' && value[i] != '0') return std::nullopt;
    }
    q = std::strtod(std::string(value).c_str(), nullptr);
  }
  return q;
}

}  // namespace

std::optional<std::string> TranslateToIndonesian(std::string_view english) {
  for (const Template& entry : kCatalog) {
    if (std::optional<std::vector<std::string_view>> captures = Match(english, entry.english)) {
      return Fill(entry.indonesian, *captures);
    }
  }
  return std::nullopt;
}

std::string Indonesian(std::string_view english) {
  std::optional<std::string> translated = TranslateToIndonesian(english);
  return translated ? std::move(*translated) : std::string(english);
}

bool PrefersIndonesian(std::string_view header) {
  constexpr std::size_t kRangesMax = 64;
  double best_q = 0.0;
  bool best_is_id = false;
  std::size_t start = 0;
  std::size_t ranges = 0;
  while (start <= header.size() && ranges < kRangesMax) {
    std::size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    const std::string_view item = Trim(header.substr(start, end - start));
    start = end + 1;
    if (item.empty()) continue;
    ++ranges;
    const std::size_t semicolon = item.find(';');
    const std::string_view range = Trim(item.substr(0, semicolon));
    const std::optional<double> q =
        semicolon == std::string_view::npos ? std::optional<double>(1.0) : QValue(item.substr(semicolon + 1));
    if (!q || *q <= 0.0) continue;
    const bool is_id = (range.size() == 2 || (range.size() > 2 && range[2] == '-')) &&
                       std::tolower(static_cast<unsigned char>(range[0])) == 'i' &&
                       std::tolower(static_cast<unsigned char>(range[1])) == 'd';
    if (*q > best_q) {
      best_q = *q;
      best_is_id = is_id;
    }
  }
  return best_is_id;
}

}  // namespace jejak::ledger
