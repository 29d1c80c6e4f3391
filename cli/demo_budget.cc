// The demo generator's budget and payees (cli/demo_builder.h): the budget lines of every
// OPD with their revisions, the planted OVER_PAGU line, and the vendor pools.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "cli/demo_builder.h"

namespace jejak::cli::demo {

void Generator::BuildLines() {
  std::int64_t weights = 0;
  for (const OpdSpec& opd : kOpds) weights += opd.weight;
  for (std::size_t o = 0; o < kOpdCount; ++o) {
    const OpdSpec& opd = kOpds[o];
    const std::int64_t total = MulDiv(kTotalPaguSen, opd.weight, weights);
    const std::array<std::int64_t, 3> shares = GroupShares(opd.profile);
    const std::int64_t other_per_mille =
        opd.realisation != 0 ? opd.realisation : rng_.Range(850, 945);
    const std::int64_t payroll_per_mille = rng_.Range(960, 985);
    auto add = [&](const std::string& sub, Cat cat, std::int64_t pagu, std::int64_t per_mille) {
      Line line;
      line.opd = o;
      line.sub = sub;
      line.account = &Account(cat);
      line.pagu = RoundDown(pagu, 1000 * kSen);
      line.murni = line.pagu;
      line.realisation_per_mille = per_mille;
      lines_.push_back(std::move(line));
    };
    if (shares[0] > 0) {
      const std::int64_t pegawai = MulDiv(total, shares[0], 100);
      add(kSubGaji, Cat::kGaji, MulDiv(pegawai, 65, 100), payroll_per_mille);
      add(kSubGaji, Cat::kTpp, MulDiv(pegawai, 35, 100), payroll_per_mille);
    }
    for (int group = 1; group <= 2; ++group) {
      const std::int64_t amount = MulDiv(total, shares[static_cast<std::size_t>(group)], 100);
      const std::vector<LineTemplate> templates =
          group == 1 ? GoodsAndServicesLines(opd.profile) : CapitalLines(opd.profile);
      for (const LineTemplate& t : templates) {
        const std::string sub = t.program < 0 ? std::string(t.sub) : ProgramSub(opd.code, t.program);
        const std::int64_t per_mille =
            std::min<std::int64_t>(985, other_per_mille + rng_.Range(-30, 20));
        add(sub, t.cat, MulDiv(amount, t.per_mille, 1000), per_mille);
      }
    }
  }
  // The planted OVER_PAGU line: Satpol PP's meals for Perda enforcement operations.
  Line over;
  over.opd = OpdIndex("SATPOLPP");
  over.sub = "1.05.02.2.02.0001";
  over.account = &Account(Cat::kMamin);
  over.pagu = over.murni = 45 * kJuta;
  over.planted_over = true;
  over_line_ = lines_.size();
  lines_.push_back(std::move(over));

  // Revisions: a few pergeseran mid-year, more lines in the APBD-Perubahan.
  for (Line& line : lines_) {
    if (line.planted_over) continue;
    const std::int64_t roll = rng_.Range(0, 999);
    if (roll < 25) {
      line.revision = 1;
    } else if (roll < 95) {
      line.revision = 2;
    } else {
      continue;
    }
    std::int64_t murni = RoundDown(MulDiv(line.pagu, rng_.Range(880, 1120), 1000), kJuta);
    if (murni == line.pagu) murni += 10 * kJuta;
    line.murni = murni;
  }
}

void Generator::BuildVendors() {
  auto pool = [&](Pool kind, std::size_t size) {
    std::vector<std::size_t>& members = pools_[static_cast<std::size_t>(kind)];
    for (std::size_t i = 0; i < size; ++i) {
      members.push_back(vendors_.size());
      vendors_.push_back(kind == Pool::kSpeaker ? MakePerson(rng_, true) : MakeEnterprise(rng_, kind, i));
    }
  };
  pool(Pool::kGoods, 40);
  pool(Pool::kPrint, 16);
  pool(Pool::kCatering, 24);
  pool(Pool::kServices, 24);
  pool(Pool::kWorkshop, 14);
  pool(Pool::kPharma, 12);
  pool(Pool::kComputer, 12);
  pool(Pool::kMedical, 8);
  pool(Pool::kContractor, 30);
  pool(Pool::kUtility, 1);
  pool(Pool::kSpeaker, 40);
  for (std::size_t o = 0; o < kOpdCount; ++o) {
    for (int i = 0; i < 12; ++i) {
      asn_[o].push_back(vendors_.size());
      vendors_.push_back(MakePerson(rng_, false));
    }
  }
}

std::size_t Generator::FreshVendor(Pool kind) {
  const std::size_t n = fresh_[static_cast<std::size_t>(kind)]++;
  vendors_.push_back(kind == Pool::kSpeaker || kind == Pool::kAsn
                         ? MakePerson(rng_, kind == Pool::kSpeaker)
                         : MakeEnterprise(rng_, kind, kCoreCount * 4 + n));
  return vendors_.size() - 1;
}

std::size_t Generator::PlantedVendor(std::string name, bool pkp) {
  return PlantedVendor(std::move(name), pkp, rng_);
}

std::size_t Generator::PlantedVendor(std::string name, bool pkp, Rng& rng) {
  Vendor vendor;
  vendor.name = std::move(name);
  vendor.pkp = pkp;
  vendor.npwp = CompanyNpwp(rng);
  GiveBank(rng, vendor, rng.Index(std::size(kBanks)));
  vendors_.push_back(std::move(vendor));
  return vendors_.size() - 1;
}

std::size_t Generator::FindLine(std::size_t opd, Cat cat, bool program) const {
  for (std::size_t l = 0; l < lines_.size(); ++l) {
    const Line& line = lines_[l];
    if (line.opd == opd && line.account->cat == cat && !line.planted_over &&
        (line.sub[0] != 'X') == program) {
      return l;
    }
  }
  JEJAK_CHECK(false);
  return 0;
}

}  // namespace jejak::cli::demo
