-- CQC directory imports in short write transactions, applied all at once (issue 13, fast paths).
-- Each import writes the locations it adds or changes as a new generation of rows, invisible
-- while `live_generation` is older, a batch at a time; then one small update makes the whole
-- generation live at once, and the rows it replaced are deleted. A location's current row is its
-- newest at or below the live generation. Rows above it belong to an import in progress (or one
-- that died: the next import deletes them). `import_token` names the import under way, so that
-- two never write at once; `import_heartbeat` is renewed with every batch, and a claim left
-- without one for a minute is taken over.
CREATE TABLE reference_imports (
    dataset TEXT PRIMARY KEY,
    live_generation INTEGER NOT NULL,
    import_token TEXT,
    import_heartbeat TIMESTAMP
);
INSERT INTO reference_imports (dataset, live_generation) VALUES ('cqc-locations', 0);

ALTER TABLE cqc_locations ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cqc_locations ALTER COLUMN generation DROP DEFAULT;
ALTER TABLE cqc_locations DROP CONSTRAINT cqc_locations_pkey;
ALTER TABLE cqc_locations ADD PRIMARY KEY (location_id, generation);
