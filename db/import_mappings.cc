// Saved import mappings (table import_mappings, migration 6): Store::SaveImportMapping
// appends the next version of a name under the ledger's write lock, so two saves never
// take the same version; Store::ImportMappings reads the newest of each name.
#include <soci/soci.h>

#include <exception>
#include <string>
#include <vector>

#include "db/sql_util.h"
#include "db/store.h"
#include "db/store_impl.h"

namespace jejak::db {

Result<ImportMappingRecord> Store::SaveImportMapping(ImportMappingRecord record) {
  try {
    soci::session& sql = impl_->sql;
    WriteTransaction transaction(sql);
    long long newest = 0;
    soci::indicator indicator = soci::i_null;
    sql << "SELECT MAX(version) FROM import_mappings WHERE opd = :o AND name = :n",
        soci::into(newest, indicator), soci::use(record.opd), soci::use(record.name);
    record.version = (indicator == soci::i_ok ? newest : 0) + 1;
    long long version = record.version;
    sql << "INSERT INTO import_mappings (opd, name, version, mapping, saved_at, saved_by)"
           " VALUES (:o, :n, :v, :m, :t, :b)",
        soci::use(record.opd), soci::use(record.name), soci::use(version), soci::use(record.mapping),
        soci::use(record.saved_at), soci::use(record.saved_by);
    transaction.Commit();
    return record;
  } catch (const std::exception& e) {
    return StorageError("db.save_import_mapping", e);
  }
}

Result<std::vector<ImportMappingRecord>> Store::ImportMappings(const std::string& opd) {
  try {
    std::vector<ImportMappingRecord> records;
    soci::rowset<soci::row> rows = (impl_->sql.prepare
        << "SELECT m.name, m.version, m.mapping, m.saved_at, m.saved_by FROM import_mappings m"
           " WHERE m.opd = :o AND m.version = (SELECT MAX(version) FROM import_mappings n"
           " WHERE n.opd = m.opd AND n.name = m.name) ORDER BY m.name",
        soci::use(opd));
    for (const soci::row& row : rows) {
      ImportMappingRecord record;
      record.opd = opd;
      record.name = row.get<std::string>(0);
      record.version = static_cast<std::int64_t>(row.get<int>(1));
      record.mapping = row.get<std::string>(2);
      record.saved_at = row.get<std::string>(3);
      record.saved_by = row.get<std::string>(4);
      records.push_back(std::move(record));
    }
    return records;
  } catch (const std::exception& e) {
    return StorageError("db.import_mappings", e);
  }
}

}  // namespace jejak::db
