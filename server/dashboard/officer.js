// Jejak web app — the bendahara's pages (role officer, own OPD only): record an
// expenditure, record a tax deposit, reverse an expenditure, the OPD's entries.
'use strict';

// Registers the bendahara's pages.
export function register() {}
