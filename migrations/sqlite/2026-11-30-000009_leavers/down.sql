DROP INDEX accounts_leaver_idx;
ALTER TABLE accounts DROP COLUMN leaver_since;
