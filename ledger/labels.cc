// The one table of Indonesian labels for the ledger's codes (ledger/labels.h). The rule
// labels name what each audit rule finds (docs/audit-rules.md has the rules); the others
// are the terms of Permendagri 77/2020 and the tax regulations.
#include "ledger/labels.h"

#include <array>

namespace jejak::ledger {
namespace {

constexpr std::array<CodeLabel, 15> kRules = {{
    {"OVER_PAGU", "Realisasi melampaui pagu"},
    {"SPLIT_PACKAGE", "Indikasi pemecahan paket"},
    {"DUPLICATE_PAYMENT", "Indikasi pembayaran ganda"},
    {"CASH_PAYMENT", "Pembayaran tunai"},
    {"TAX_NOT_DEPOSITED", "Pajak dipungut belum/terlambat disetor"},
    {"TAX_NOT_COLLECTED", "PPN/PPh 22 tidak dipungut"},
    {"OUTSIDE_FISCAL_YEAR", "Berindikasi di luar tahun anggaran"},
    {"PAYMENT_BEFORE_EVIDENCE", "Dibayar sebelum tanggal bukti"},
    {"LATE_RECORDING", "Dicatat setelah batas LPJ"},
    {"REVERSAL_HEAVY", "Sinyal pengendalian intern: koreksi berulang"},
    {"BANK_DEBIT_WITHOUT_ENTRY", "Kas keluar tanpa SP2D/pencatatan"},
    {"ENTRY_WITHOUT_BANK_DEBIT", "Pembayaran tercatat tanpa mutasi bank"},
    {"AMOUNT_MISMATCH", "Selisih nilai dengan rekening koran"},
    {"STATEMENT_GAP", "Rekening koran terputus atau saldo tidak bersambung"},
    {"CASH_WITHDRAWAL", "Penarikan tunai dari rekening bendahara"},
}};

constexpr std::array<CodeLabel, 5> kInstrumentLabels = {{
    {"cms_transfer", "Transfer CMS"},
    {"sp2d_ls", "SP2D-LS"},
    {"kkpd", "KKPD (Kartu Kredit Pemerintah Daerah)"},
    {"qris", "QRIS"},
    {"cash", "Tunai"},
}};

constexpr std::array<CodeLabel, 4> kMechanismLabels = {{
    {"UP", "Uang Persediaan"},
    {"GU", "Ganti Uang Persediaan"},
    {"TU", "Tambahan Uang Persediaan"},
    {"LS", "Pembayaran Langsung"},
}};

constexpr std::array<CodeLabel, 4> kAccountGroupLabels = {{
    {"pegawai", "Belanja Pegawai"},
    {"barang_jasa", "Belanja Barang dan Jasa"},
    {"modal", "Belanja Modal"},
    {"lainnya", "Belanja Lainnya"},
}};

constexpr std::array<CodeLabel, 5> kTaxTypeLabels = {{
    {"PPN", "Pajak Pertambahan Nilai"},
    {"PPh21", "PPh Pasal 21"},
    {"PPh22", "PPh Pasal 22"},
    {"PPh23", "PPh Pasal 23"},
    {"PPh4(2)", "PPh Pasal 4 ayat (2)"},
}};

constexpr std::array<CodeLabel, 8> kKindLabels = {{
    {"genesis", "Pembukaan buku besar"},
    {"opd", "Pendaftaran OPD"},
    {"budget", "Anggaran (pagu)"},
    {"expenditure", "Belanja"},
    {"reversal", "Koreksi (pembatalan)"},
    {"tax_deposit", "Setoran pajak"},
    {"refund", "Pengembalian belanja"},
    {"bank_statement", "Rekening koran bank"},
}};

constexpr std::array<CodeLabel, 3> kSeverityLabels = {{
    {"high", "Tinggi"},
    {"medium", "Sedang"},
    {"low", "Rendah"},
}};

constexpr std::array<LabelGroup, 7> kGroups = {{
    {"rules", kRules},
    {"instruments", kInstrumentLabels},
    {"mechanisms", kMechanismLabels},
    {"account_groups", kAccountGroupLabels},
    {"tax_types", kTaxTypeLabels},
    {"kinds", kKindLabels},
    {"severities", kSeverityLabels},
}};

std::string_view Find(std::span<const CodeLabel> labels, std::string_view code) {
  for (const CodeLabel& label : labels) {
    if (label.code == code) return label.label;
  }
  return code;
}

}  // namespace

std::span<const LabelGroup> LabelGroups() { return kGroups; }

std::string_view LabelOf(std::string_view key, std::string_view code) {
  for (const LabelGroup& group : kGroups) {
    if (group.key == key) return Find(group.labels, code);
  }
  return code;
}

std::string_view RuleLabel(std::string_view rule) { return Find(kRules, rule); }
std::string_view InstrumentLabel(std::string_view instrument) { return Find(kInstrumentLabels, instrument); }
std::string_view MechanismLabel(std::string_view mechanism) { return Find(kMechanismLabels, mechanism); }
std::string_view AccountGroupLabel(std::string_view group) { return Find(kAccountGroupLabels, group); }
std::string_view TaxTypeLabel(std::string_view tax_type) { return Find(kTaxTypeLabels, tax_type); }
std::string_view KindLabel(std::string_view kind) { return Find(kKindLabels, kind); }
std::string_view SeverityLabel(std::string_view severity) { return Find(kSeverityLabels, severity); }

}  // namespace jejak::ledger
