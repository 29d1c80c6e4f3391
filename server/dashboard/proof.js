// Jejak web app — checks an entry's inclusion proof in the browser: RFC 8785 canonical
// bytes, SHA-256 leaf and audit path (RFC 9162) to a checkpoint root, and the checkpoint's
// Ed25519 signature against the verifier key the auditor pinned.
'use strict';
