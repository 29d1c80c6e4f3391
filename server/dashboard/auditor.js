// Jejak web app — the auditor's pages: findings with kondisi, kriteria and rekomendasi,
// each finding's entries with every field, downloads of workpapers and the bundle.
'use strict';

// Registers the auditor's pages.
export function register() {}
