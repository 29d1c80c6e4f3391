-- Prepares a PostgreSQL database for Jejak: the roles, the database, and the privileges
-- with which the database itself defends the ledger. Run once, as a superuser, before
-- `jejak init --db postgresql://jejak_owner@...`; running it again changes nothing.
-- docs/postgresql.md explains every step and the full list of privileges.
--
--   psql -X -v ON_ERROR_STOP=1 -v db=jejak -f ops/postgres/setup.sql postgresql://postgres@HOST/postgres
--
-- Variables (psql -v NAME=VALUE):
--   db                the database to create or prepare (default jejak)
--   owner_password    password of jejak_owner    } optional: without them, set the passwords
--   service_password  password of jejak_service  } afterwards with psql's \password, which
--   reader_password   password of jejak_reader   } sends only a hash to the server
--
-- Roles:
--   jejak_owner    owns the schema and the tables; runs the migrations (`jejak init`, and
--                  a later version's new ones). Not for everyday use.
--   jejak_service  what `jejak serve` and `jejak append` connect as: SELECT and INSERT on
--                  the ledger tables, UPDATE of two columns of the realisation aggregates,
--                  SELECT only on schema_migrations. Owns nothing.
--   jejak_reader   SELECT only: auditors' SQL tools, replicas' read-only instances.
--
-- Guards (event triggers, owned by the superuser, so that jejak_owner cannot remove them):
-- every ledger table gets two more triggers refusing UPDATE, DELETE and TRUNCATE (beside
-- the migrations' own), and dropping a ledger table, one of its columns or one of its
-- triggers, disabling such a trigger, renaming the table, or rewriting it (ALTER COLUMN
-- ... TYPE ... USING) is refused, to the owner too.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
\if :{?db}
\else
  \set db jejak
\endif

-- ---- Roles ----------------------------------------------------------------------------
SELECT format('CREATE ROLE %I', name) FROM unnest(ARRAY['jejak_owner', 'jejak_service', 'jejak_reader']) AS name
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) \gexec
ALTER ROLE jejak_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE jejak_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE jejak_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
\if :{?owner_password}
ALTER ROLE jejak_owner PASSWORD :'owner_password';
\endif
\if :{?service_password}
ALTER ROLE jejak_service PASSWORD :'service_password';
\endif
\if :{?reader_password}
ALTER ROLE jejak_reader PASSWORD :'reader_password';
\endif

-- ---- The database ----------------------------------------------------------------------
-- Owned by the superuser running this (not by jejak_owner, which therefore cannot drop
-- it). Collation C: text sorts by bytes, as in SQLite, so both backends order alike.
SELECT format('CREATE DATABASE %I ENCODING %L LOCALE %L TEMPLATE template0', :'db', 'UTF8', 'C')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO jejak_owner, jejak_service, jejak_reader;

\connect :"db"
SET client_min_messages = warning;

-- ---- The schema: only jejak_owner creates objects -------------------------------------
ALTER SCHEMA public OWNER TO jejak_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO jejak_service, jejak_reader;

-- Every table jejak_owner creates from now on (each migration of each later version):
ALTER DEFAULT PRIVILEGES FOR ROLE jejak_owner IN SCHEMA public GRANT SELECT, INSERT ON TABLES TO jejak_service;
ALTER DEFAULT PRIVILEGES FOR ROLE jejak_owner IN SCHEMA public GRANT SELECT ON TABLES TO jejak_reader;
-- ... and the tables that exist already (this script run after `jejak init`).
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO jejak_service;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO jejak_reader;

-- ---- Guards ------------------------------------------------------------------------------
-- One transaction: a second run replaces the guards without a moment unguarded.
BEGIN;
CREATE SCHEMA IF NOT EXISTS jejak_guard;
REVOKE ALL ON SCHEMA jejak_guard FROM PUBLIC;
-- jejak_owner's CREATE TABLE runs the event trigger below, which attaches the guard
-- triggers to its table: it needs to name the schema and the trigger function.
GRANT USAGE ON SCHEMA jejak_guard TO jejak_owner;

-- The append-only ledger tables (derived data and idempotency keys are not among them).
CREATE OR REPLACE FUNCTION jejak_guard.is_ledger_table(name text) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS
$$ SELECT name IN ('entries', 'merkle_nodes', 'checkpoints', 'cosignatures', 'audit_expenditures',
                   'witness_sizes', 'import_mappings', 'bank_statements') $$;

CREATE OR REPLACE FUNCTION jejak_guard.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (jejak_guard)', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
REVOKE ALL ON FUNCTION jejak_guard.refuse_change() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jejak_guard.refuse_change() TO jejak_owner;

-- The privileges of one table beyond the default ones, and its guard triggers.
CREATE OR REPLACE FUNCTION jejak_guard.secure_table(relation regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  name text := (SELECT relname FROM pg_class WHERE oid = relation);
BEGIN
  IF name IN ('realisation_monthly', 'realisation_daily', 'realisation_lines') THEN
    -- The append transaction's upsert: INSERT ... ON CONFLICT DO UPDATE SET amount_sen =
    -- amount_sen + ..., entries = entries + ... (db/store_impl.cc).
    EXECUTE format('GRANT UPDATE (amount_sen, entries) ON %s TO jejak_service', relation);
  ELSIF name = 'schema_migrations' THEN
    EXECUTE format('REVOKE INSERT ON %s FROM jejak_service', relation);
  ELSIF jejak_guard.is_ledger_table(name) AND NOT EXISTS
      (SELECT FROM pg_trigger WHERE tgrelid = relation AND tgname = 'jejak_guard_no_change') THEN
    EXECUTE format('CREATE TRIGGER jejak_guard_no_change BEFORE UPDATE OR DELETE ON %s'
                   ' FOR EACH ROW EXECUTE FUNCTION jejak_guard.refuse_change()', relation);
    EXECUTE format('CREATE TRIGGER jejak_guard_no_truncate BEFORE TRUNCATE ON %s'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION jejak_guard.refuse_change()', relation);
  END IF;
END $$;
REVOKE ALL ON FUNCTION jejak_guard.secure_table(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jejak_guard.secure_table(regclass) TO jejak_owner;

CREATE OR REPLACE FUNCTION jejak_guard.on_create_table() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  created record;
BEGIN
  FOR created IN SELECT objid FROM pg_event_trigger_ddl_commands()
                  WHERE object_type = 'table' AND schema_name = 'public' LOOP
    PERFORM jejak_guard.secure_table(created.objid::regclass);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION jejak_guard.refuse_drop() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  dropped record;
BEGIN
  FOR dropped IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
    IF dropped.schema_name = 'public' AND dropped.object_type IN ('table', 'table column', 'trigger')
       AND jejak_guard.is_ledger_table(dropped.address_names[2]) THEN
      RAISE EXCEPTION 'the ledger keeps its % % (jejak_guard)', dropped.object_type, dropped.object_identity
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  END LOOP;
END $$;

-- After ALTER TABLE and ALTER TRIGGER: every trigger of a ledger table still fires, and
-- every table carrying the guard still has a ledger table's name.
CREATE OR REPLACE FUNCTION jejak_guard.check_altered() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT c.relname, t.tgname INTO bad FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
   WHERE NOT t.tgisinternal AND t.tgenabled NOT IN ('O', 'A')
     AND c.relnamespace = 'public'::regnamespace AND jejak_guard.is_ledger_table(c.relname)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'the trigger % of the ledger table % stays enabled (jejak_guard)', bad.tgname, bad.relname
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT c.oid::regclass AS relation INTO bad FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
   WHERE t.tgname = 'jejak_guard_no_change'
     AND (c.relnamespace <> 'public'::regnamespace OR NOT jejak_guard.is_ledger_table(c.relname))
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a ledger table keeps its name and schema, not % (jejak_guard)', bad.relation
      USING ERRCODE = 'insufficient_privilege';
  END IF;
END $$;

CREATE OR REPLACE FUNCTION jejak_guard.refuse_rewrite() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  IF jejak_guard.is_ledger_table((SELECT relname FROM pg_class
                                   WHERE oid = pg_event_trigger_table_rewrite_oid()
                                     AND relnamespace = 'public'::regnamespace)) THEN
    RAISE EXCEPTION 'the ledger table % is not rewritten (jejak_guard)', pg_event_trigger_table_rewrite_oid()::regclass
      USING ERRCODE = 'insufficient_privilege';
  END IF;
END $$;

DROP EVENT TRIGGER IF EXISTS jejak_guard_create_table;
CREATE EVENT TRIGGER jejak_guard_create_table ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
  EXECUTE FUNCTION jejak_guard.on_create_table();
DROP EVENT TRIGGER IF EXISTS jejak_guard_drop;
CREATE EVENT TRIGGER jejak_guard_drop ON sql_drop EXECUTE FUNCTION jejak_guard.refuse_drop();
DROP EVENT TRIGGER IF EXISTS jejak_guard_alter;
CREATE EVENT TRIGGER jejak_guard_alter ON ddl_command_end WHEN TAG IN ('ALTER TABLE', 'ALTER TRIGGER')
  EXECUTE FUNCTION jejak_guard.check_altered();
DROP EVENT TRIGGER IF EXISTS jejak_guard_rewrite;
CREATE EVENT TRIGGER jejak_guard_rewrite ON table_rewrite EXECUTE FUNCTION jejak_guard.refuse_rewrite();

-- The tables that exist already get their extra privileges and guards now.
DO $$
DECLARE
  existing record;
BEGIN
  FOR existing IN SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') LOOP
    PERFORM jejak_guard.secure_table(existing.oid::regclass);
  END LOOP;
END $$;
COMMIT;
