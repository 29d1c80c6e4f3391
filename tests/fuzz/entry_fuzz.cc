// ledger::ValidateBody and ValidateGenesis on every value ParseStrict accepts. A body
// that validates must validate again unchanged once normalised, and once stamped and
// canonicalised it must parse and give its columns (DeriveColumns) without a kDataLoss:
// otherwise the server would store an entry its own verifier rejects. Bodies with maximal
// amounts in every list check that sums over input end in an error, never a CHECK.
#include <nlohmann/json.hpp>

#include "ledger/canonical.h"
#include "ledger/entry.h"
#include "ledger/totals.h"
#include "tests/fuzz/fuzz.h"

namespace jejak::fuzz {

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  for (const char* file : {"ops/demo/expenditures.ndjson", "ops/demo/registry.ndjson",
                           "ops/demo/corrections.ndjson"}) {
    for (std::string& line : ReadSourceLines(file)) seeds.push_back(std::move(line));
  }
  seeds.push_back(ReadSourceFile("ops/demo/example-expenditure.json"));
  seeds.emplace_back(
      R"({"kind":"genesis","ledger_id":"rejang-lebong-2026","origin":"jejak.rejanglebongkab.go.id/ledger",)"
      R"("region":"Pemerintah Kabupaten Rejang Lebong","checkpoint_key":"jejak.rejanglebongkab.go.id/ledger+1a2b3c4d+AQID"})");
  seeds.emplace_back(R"({"kind":"reversal","reverses":7,"reason":"Salah rekening tujuan"})");
  seeds.emplace_back(
      R"({"kind":"tax_deposit","fiscal_year":2026,"opd":"1.02.0.00.0.00.01.0000","tax_type":"PPN",)"
      R"("amount":"1250000","billing_code":"123456789012345","ntpn":"0A1B2C3D4E5F6G7H",)"
      R"("deposit_date":"2026-03-20","covers":[3]})");
  seeds.emplace_back(R"({"kind":"opd","code":"1.02.0.00.0.00.01.0000","name":"Dinas Kesehatan"})");
  seeds.emplace_back(
      R"({"kind":"expenditure","fiscal_year":2026,"opd":"1.02.0.00.0.00.01.0000",)"
      R"("sub_activity":"1.02.01.2.02.0001","account":"5.1.02.01.01.0024","mechanism":"UP",)"
      R"("instrument":"cash","cash_reason":"Desa terpencil tanpa layanan bank","value_date":"2026-03-17",)"
      R"("gross":"12500000","taxes":[{"type":"PPN","amount":"1250000"},{"type":"PPh22","amount":"187500.5"}],)"
      R"("net":"11062499.50","payee":{"name":"CV Maju Jaya","npwp":"012345678901000"},)"
      R"("documents":{"spp":"001/SPP-LS/2026","spm":"001/SPM-LS/2026","sp2d":"001/SP2D-LS/2026",)"
      R"("evidence_no":"INV-0042","evidence_date":"2026-03-10"},)"
      R"("procurement":{"method":"PL","contract_no":"027/SPK/DINKES/2026","contract_value":"12500000"},)"
      R"("description":"Belanja alat tulis kantor triwulan I"})");
  // Sums over input (the taxes of an expenditure, the RAK of a budget) once reached a
  // CHECK in the tax sum: maximal amounts in every list a body has.
  const std::string max = "\"9999999999999999.99\"";
  std::string taxes;
  for (int i = 0; i < 16; ++i) {
    taxes += std::string(i == 0 ? "" : ",") + R"({"type":"PPh23","amount":)" + max + "}";
  }
  seeds.push_back(
      R"({"kind":"expenditure","fiscal_year":2026,"opd":"1.02.0.00.0.00.01.0000",)"
      R"("sub_activity":"1.02.01.2.02.0001","account":"5.1.02.01.01.0024","mechanism":"LS",)"
      R"("instrument":"sp2d_ls","value_date":"2026-03-17","gross":)" + max +
      R"(,"taxes":[)" + taxes + R"(],"net":"0","payee":{"name":"PT A","bank":"Bank B",)"
      R"("account_no":"1","account_name":"PT A"},"bank_ref":"SP2D-1","documents":{},)"
      R"("description":"x"})");
  std::string plan;
  for (int i = 0; i < 12; ++i) plan += std::string(i == 0 ? "" : ",") + max;
  seeds.push_back(
      R"({"kind":"budget","fiscal_year":2026,"opd":"1.02.0.00.0.00.01.0000",)"
      R"("sub_activity":"1.02.01.2.02.0001","account":"5.1.02.01.01.0024","pagu":)" + max +
      R"(,"stage":"murni","monthly_plan":[)" + plan + "]}");
  return seeds;
}

namespace {

// Stamps, canonicalises and reads back `validated` the way the store and verify do.
void CheckStoredForm(const nlohmann::json& validated, std::int64_t seq) {
  const ledger::Stamp stamp{seq, "2026-01-31T08:00:00.000Z", "fuzz"};
  const nlohmann::json entry = ledger::StampEntry(validated, stamp);
  const std::string canonical = ledger::Canonicalize(entry);
  Result<nlohmann::json> stored = ledger::ParseStrict(canonical);
  FUZZ_ASSERT(stored.has_value(), "stamped entry does not parse: " + stored.error().ToString() +
                                      " entry hex " + Hex(canonical));
  Result<ledger::EntryColumns> columns = ledger::DeriveColumns(*stored);
  FUZZ_ASSERT(columns.has_value(), "DeriveColumns rejects a validated body: " +
                                       columns.error().ToString() + " entry " + canonical);
  FUZZ_ASSERT(columns->seq == seq, canonical);
  FUZZ_ASSERT(columns->kind == validated.value("kind", ""), canonical);
  // Any one valid entry fits the year totals on its own (ledger/totals.h): the rule only
  // ever refuses what a year already holds.
  ledger::YearTotals totals;
  Result<void> added = totals.Add(*columns);
  FUZZ_ASSERT(added.has_value(), "a valid entry alone breaks the year totals: " + canonical);
}

}  // namespace
}  // namespace jejak::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace ledger = jejak::ledger;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  jejak::Result<nlohmann::json> body = ledger::ParseStrict(input);
  if (!body) return 0;

  // verify reads stored entries back through DeriveColumns: never a crash, only kDataLoss.
  jejak::Result<ledger::EntryColumns> columns = ledger::DeriveColumns(*body);
  if (!columns) {
    FUZZ_ASSERT(columns.error().code == jejak::Code::kDataLoss, columns.error().ToString());
  }

  jejak::Result<nlohmann::json> validated = ledger::ValidateBody(*body);
  if (validated) {
    FUZZ_ASSERT(validated->is_object(), input);
    jejak::Result<nlohmann::json> again = ledger::ValidateBody(*validated);
    FUZZ_ASSERT(again.has_value(),
                "normalised body no longer validates: " + again.error().ToString());
    FUZZ_ASSERT(*again == *validated, "normalising is not idempotent");
    jejak::fuzz::CheckStoredForm(*validated, static_cast<std::int64_t>(size % 1000) + 1);
  } else {
    FUZZ_ASSERT(validated.error().code == jejak::Code::kInvalidArgument,
                validated.error().ToString());
    FUZZ_ASSERT(!validated.error().fields.empty(), validated.error().ToString());
  }

  jejak::Result<nlohmann::json> genesis = ledger::ValidateGenesis(*body);
  if (genesis) {
    FUZZ_ASSERT(!validated.has_value(), "both a genesis and a body");
    jejak::fuzz::CheckStoredForm(*genesis, 0);
  } else {
    FUZZ_ASSERT(genesis.error().code == jejak::Code::kInvalidArgument,
                genesis.error().ToString());
  }
  return 0;
}
