// The demo's bank statements as files (cli/demo_statements.h).
#include "cli/demo_statements.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/statement_writers.h"
#include "ledger/bank_parse.h"

namespace jejak::cli {
namespace {

namespace fs = std::filesystem;

Result<void> WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Error{Code::kUnavailable, "cannot write " + path.string(), {}};
  return {};
}

}  // namespace

std::string DemoStatementFile(const DemoStatement& statement, const ledger::StatementCsvMapping& mapping) {
  if (statement.format == "camt053") return WriteCamt053(statement.parsed);
  if (statement.format == "mt940") return WriteMt940(statement.parsed);
  return WriteStatementCsv(statement.parsed, mapping);
}

Result<std::vector<std::string>> WriteDemoStatements(const DemoBank& bank, const std::string& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return Error{Code::kUnavailable, "cannot create " + dir + ": " + error.message(), {}};
  const std::string mapping = ledger::StatementCsvMappingJson(bank.csv_mapping).dump(2) + "\n";
  if (Result<void> written = WriteText(fs::path(dir) / (bank.csv_mapping.name + ".json"), mapping); !written) {
    return written.error();
  }
  std::vector<std::string> files;
  files.reserve(bank.statements.size());
  for (const DemoStatement& statement : bank.statements) {
    files.push_back(DemoStatementFile(statement, bank.csv_mapping));
    if (Result<void> written = WriteText(fs::path(dir) / statement.file_name, files.back()); !written) {
      return written.error();
    }
  }
  return files;
}

}  // namespace jejak::cli
