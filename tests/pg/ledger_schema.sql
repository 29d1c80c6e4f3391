-- The ledger schema as db/schema.cc's migrations 1 to 4 create it on PostgreSQL, written
-- out by hand for tests/e2e/pg_setup_test.sh until `jejak init --db postgresql://` exists.
-- Run as jejak_owner, in one transaction, like Migrate().
BEGIN;
CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
-- Migration 1.
CREATE TABLE entries (seq BIGINT PRIMARY KEY, canonical TEXT NOT NULL, leaf_hash TEXT NOT NULL,
  chain_hash TEXT NOT NULL, kind TEXT NOT NULL, recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL,
  fiscal_year INTEGER, opd TEXT, sub_activity TEXT, account TEXT, instrument TEXT, mechanism TEXT,
  value_date TEXT, bank_ref TEXT UNIQUE, payee_account TEXT, payee_npwp TEXT, tax_type TEXT,
  amount_sen BIGINT, net_sen BIGINT, tax_sen BIGINT, reverses BIGINT UNIQUE, evidence_no TEXT,
  evidence_date TEXT, tax_detail TEXT, covers TEXT, monthly_plan TEXT);
CREATE TABLE realisation_monthly (fiscal_year INTEGER NOT NULL, opd TEXT NOT NULL,
  account_group TEXT NOT NULL, instrument TEXT NOT NULL, month TEXT NOT NULL,
  amount_sen BIGINT NOT NULL, entries BIGINT NOT NULL,
  PRIMARY KEY (fiscal_year, opd, account_group, instrument, month));
CREATE TABLE realisation_daily (fiscal_year INTEGER NOT NULL, value_date TEXT NOT NULL,
  opd TEXT NOT NULL, account_group TEXT NOT NULL, instrument TEXT NOT NULL,
  amount_sen BIGINT NOT NULL, entries BIGINT NOT NULL,
  PRIMARY KEY (fiscal_year, value_date, opd, account_group, instrument));
CREATE TABLE merkle_nodes (level INTEGER NOT NULL, node_index BIGINT NOT NULL,
  completed_seq BIGINT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (level, node_index));
CREATE TABLE checkpoints (tree_size BIGINT PRIMARY KEY, note TEXT NOT NULL);
INSERT INTO schema_migrations VALUES (1, CURRENT_TIMESTAMP);
-- Migration 2.
CREATE TABLE idempotency (sub TEXT NOT NULL, idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL, seq BIGINT NOT NULL, tree_size BIGINT NOT NULL,
  PRIMARY KEY (sub, idempotency_key));
CREATE TABLE cosignatures (tree_size BIGINT NOT NULL, cosigner TEXT NOT NULL, line TEXT NOT NULL,
  PRIMARY KEY (tree_size, cosigner));
CREATE OR REPLACE FUNCTION jejak_append_only() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries FOR EACH ROW EXECUTE FUNCTION jejak_append_only();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries FOR EACH STATEMENT EXECUTE FUNCTION jejak_append_only();
CREATE TRIGGER merkle_nodes_append_only BEFORE UPDATE OR DELETE ON merkle_nodes FOR EACH ROW EXECUTE FUNCTION jejak_append_only();
CREATE TRIGGER merkle_nodes_no_truncate BEFORE TRUNCATE ON merkle_nodes FOR EACH STATEMENT EXECUTE FUNCTION jejak_append_only();
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints FOR EACH ROW EXECUTE FUNCTION jejak_append_only();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints FOR EACH STATEMENT EXECUTE FUNCTION jejak_append_only();
CREATE TRIGGER cosignatures_append_only BEFORE UPDATE OR DELETE ON cosignatures FOR EACH ROW EXECUTE FUNCTION jejak_append_only();
CREATE TRIGGER cosignatures_no_truncate BEFORE TRUNCATE ON cosignatures FOR EACH STATEMENT EXECUTE FUNCTION jejak_append_only();
INSERT INTO schema_migrations VALUES (2, CURRENT_TIMESTAMP);
-- Migration 3.
ALTER TABLE entries ADD COLUMN refunds BIGINT;
CREATE INDEX entries_refunds ON entries (refunds);
CREATE TABLE realisation_lines (fiscal_year INTEGER NOT NULL, opd TEXT NOT NULL,
  sub_activity TEXT NOT NULL, account TEXT NOT NULL, month TEXT NOT NULL,
  amount_sen BIGINT NOT NULL, entries BIGINT NOT NULL,
  PRIMARY KEY (fiscal_year, opd, sub_activity, account, month));
INSERT INTO schema_migrations VALUES (3, CURRENT_TIMESTAMP);
-- Migration 4.
CREATE TABLE audit_expenditures (fiscal_year INTEGER NOT NULL, seq BIGINT NOT NULL,
  opd TEXT NOT NULL, sub_activity TEXT NOT NULL, account TEXT NOT NULL, instrument TEXT NOT NULL,
  value_date TEXT NOT NULL, recorded_at TEXT NOT NULL, payee_npwp TEXT NOT NULL,
  payee_account TEXT NOT NULL, evidence_no TEXT NOT NULL, evidence_date TEXT NOT NULL,
  amount_sen BIGINT NOT NULL, tax_detail TEXT NOT NULL, payee_name TEXT NOT NULL,
  payee_pkp INTEGER, procurement_method TEXT NOT NULL, procurement_type TEXT NOT NULL,
  contract_no TEXT NOT NULL, PRIMARY KEY (fiscal_year, seq));
CREATE OR REPLACE FUNCTION jejak_append_only() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_expenditures_append_only BEFORE UPDATE OR DELETE ON audit_expenditures FOR EACH ROW EXECUTE FUNCTION jejak_append_only();
CREATE TRIGGER audit_expenditures_no_truncate BEFORE TRUNCATE ON audit_expenditures FOR EACH STATEMENT EXECUTE FUNCTION jejak_append_only();
INSERT INTO schema_migrations VALUES (4, CURRENT_TIMESTAMP);
COMMIT;
