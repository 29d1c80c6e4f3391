// Rekonsiliasi Bank, the workpapers' bank reconciliation sheet (server/workpapers_sheet.h):
// one row per line of the year's bank statements, with the entry it was matched to, how,
// and its status in Indonesian. Rows come from ledger::BankWorkpaperLines.
#include "server/workpapers_sheet.h"

#include "ledger/labels.h"
#include "server/reconciliation_report.h"

namespace jejak::server {

Sheet RekonsiliasiBank(const ledger::WorkpaperData& data) {
  Sheet sheet{"Rekonsiliasi Bank",
              {{"Seq Rekening Koran", 12},
               {"Baris", 8},
               {"Baris Berkas", 10},
               {"Nomor Rekening", 20},
               {"OPD", 24},
               {"Nama OPD", 36},
               {"Tanggal", 12},
               {"Tanggal Valuta", 12},
               {"Arah", 8},
               {"Jumlah (Rp)", 20},
               {"Referensi Bank", 24},
               {"Rekening Lawan", 20},
               {"Uraian", 40},
               {"Jenis", 16},
               {"Seq Entri Cocok", 12},
               {"Metode", 22},
               {"Status", 32}},
              data.bank_lines.size(),
              {}};
  sheet.fill = [&data](std::size_t i, Row& row) {
    const ledger::WorkpaperBankLine& line = data.bank_lines[i];
    AddInteger(row, line.statement_seq);
    AddInteger(row, line.line_index);
    if (line.source_line > 0) {
      AddInteger(row, line.source_line);
    } else {
      AddEmpty(row);
    }
    AddText(row, line.account_no);
    if (line.opd.empty()) {
      AddText(row, "");
      AddText(row, kRkudName);
    } else {
      AddOpd(row, data, line.opd);
    }
    AddDate(row, line.date);
    AddDate(row, line.value_date);
    AddText(row, line.debit ? "debit" : "kredit");
    AddMoney(row, line.amount_sen);
    AddText(row, line.bank_ref);
    AddText(row, line.counter_account);
    AddText(row, line.description);
    AddText(row, line.type);
    if (line.entry_seq) {
      AddInteger(row, *line.entry_seq);
    } else {
      AddEmpty(row);
    }
    AddText(row, line.method);
    AddText(row, std::string(ledger::BankLineStatusLabel(line.status)));
  };
  return sheet;
}

}  // namespace jejak::server
