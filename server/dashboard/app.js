// Jejak web app — the entry point: each page module registers its routes (the first
// registered route that matches a path and the user's role wins, so a role's own home page
// comes before the shared dashboard), then the session starts.
'use strict';

import { start } from './core.js';
import * as officer from './officer.js';
import * as importer from './import.js';
import * as auditor from './auditor.js';
import * as bupati from './bupati.js';
import * as opd from './opd.js';
import * as bank from './bank.js';

officer.register();
importer.register();
auditor.register();
bupati.register();
opd.register();
bank.register();
start();
