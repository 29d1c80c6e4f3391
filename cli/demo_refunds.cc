// The demo generator's refunds (cli/demo_builder.h): the pengembalian belanja a regency's
// year holds, each part of an ordinary payment paid back to the kas daerah by STS some
// weeks after it and recorded that day by the officer of the payment's OPD. They lower
// realisation in their own month and plant no finding (the audit rules read payments).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "cli/demo_builder.h"
#include "ledger/audit.h"
#include "ledger/money.h"

namespace jejak::cli::demo {
namespace {

// What a regency's treasurers receive back within the year, in the order drawn.
enum class RefundCase { kOverpaidVolume, kLateFine, kTravel, kHonorarium };
inline constexpr RefundCase kRefundCases[] = {
    RefundCase::kOverpaidVolume, RefundCase::kLateFine, RefundCase::kTravel,
    RefundCase::kOverpaidVolume, RefundCase::kLateFine, RefundCase::kTravel,
    RefundCase::kHonorarium,
};

bool Works(Cat cat) { return cat == Cat::kGedung || cat == Cat::kJalan || cat == Cat::kIrigasi; }

bool Fits(RefundCase what, const Expenditure& e, Cat cat) {
  switch (what) {
    case RefundCase::kOverpaidVolume:
      // Found by the Inspektorat's physical check of a works contract.
      return Works(cat) && e.method != "epurchasing" && !e.contract_no.empty() && e.gross >= 100 * kJuta;
    case RefundCase::kLateFine:
      // A fine for late delivery the PPK did not deduct from the payment.
      return !e.contract_no.empty() && e.method != "epurchasing" && e.gross >= 50 * kJuta;
    case RefundCase::kTravel:
      return cat == Cat::kPerjadin && e.gross >= 2 * kJuta;
    case RefundCase::kHonorarium:
      return cat == Cat::kHonor && e.gross >= 1 * kJuta;
  }
  return false;
}

}  // namespace

void Generator::ChooseRefunds() {
  // Its own random stream: the main one, and with it the rest of the demo, is untouched.
  Rng rng(0x524546554E44ULL ^ static_cast<std::uint64_t>(year_));
  std::vector<bool> opd_used(kOpdCount, false);
  for (const RefundCase what : kRefundCases) {
    // Ordinary, unreversed payments of February to October, on lines no plant uses, of an
    // OPD without a refund yet: the refund then falls well inside the year.
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < expenditures_.size(); ++i) {
      const Expenditure& e = expenditures_[i];
      const Line& line = lines_[e.line];
      if (!Ordinary(e) || e.reversed || opd_used[line.opd] || !Fits(what, e, line.account->cat)) continue;
      if (MonthOf(e.value) < 2 || MonthOf(e.value) > 10 || e.line == over_line_) continue;
      if (std::find(split_lines_.begin(), split_lines_.end(), e.line) != split_lines_.end()) continue;
      if (std::find(late_.begin(), late_.end(), i) != late_.end()) continue;
      candidates.push_back(i);
    }
    if (candidates.empty()) continue;
    const std::size_t index = candidates[rng.Index(candidates.size())];
    const Expenditure& e = expenditures_[index];
    const std::size_t opd = lines_[e.line].opd;
    opd_used[opd] = true;
    Refund refund;
    refund.expenditure = index;
    refund.date = NextWorkday(AddDays(std::max(e.value, e.recorded), rng.Range(14, 42)));
    JEJAK_CHECK(YearOf(refund.date) == year_);
    switch (what) {
      case RefundCase::kOverpaidVolume:
        refund.amount = RoundDown(MulDiv(e.gross, rng.Range(6, 28), 1000), kSen);
        refund.reason = "Pengembalian kelebihan pembayaran atas kekurangan volume pekerjaan hasil "
                        "pemeriksaan fisik Inspektorat, kontrak " + e.contract_no;
        break;
      case RefundCase::kLateFine: {
        const std::int64_t days = rng.Range(4, 21);
        refund.amount = RoundDown(MulDiv(e.gross, days, 1000), kSen);
        refund.reason = "Setoran denda keterlambatan penyelesaian pekerjaan " + std::to_string(days) +
                        " hari kalender (1/1000 per hari dari nilai kontrak " + e.contract_no +
                        ") yang belum dipotong saat pembayaran";
        break;
      }
      case RefundCase::kTravel:
        refund.amount = RoundDown(MulDiv(e.gross, rng.Range(12, 40), 100), 1000 * kSen);
        refund.reason = "Pengembalian sisa uang perjalanan dinas: biaya penginapan dan transportasi "
                        "riil lebih kecil dari yang dibayarkan";
        break;
      case RefundCase::kHonorarium:
        refund.amount = RoundDown(MulDiv(e.gross, rng.Range(15, 35), 100), 1000 * kSen);
        refund.reason = "Pengembalian kelebihan pembayaran honorarium narasumber di atas standar "
                        "harga satuan Peraturan Bupati";
        break;
    }
    JEJAK_CHECK(refund.amount > 0 && refund.amount < e.gross);
    // The OPD's STS of the year are numbered from January: about a dozen a month.
    const std::int64_t serial = (MonthOf(refund.date) - 1) * 12 + rng.Range(1, 12);
    refund.sts_no = "STS-" + Padded(serial, 4) + "/" + kOpds[opd].code + "/" + std::to_string(year_);
    refunds_.push_back(std::move(refund));
  }
}

std::string Generator::RefundLine(const Refund& refund) const {
  const Expenditure& e = expenditures_[refund.expenditure];
  return OpdLabel(lines_[e.line].opd) + " seq " + std::to_string(refund.seq) + " returns " +
         ledger::FormatRupiah(refund.amount) + " of seq " + std::to_string(e.seq) + " (paid " +
         Iso(e.value) + ") on " + Iso(refund.date) + ", " + refund.sts_no;
}

}  // namespace jejak::cli::demo
