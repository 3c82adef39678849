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

-- SQLite cannot change a primary key in place: the table is rebuilt (nothing refers to it).
CREATE TABLE cqc_locations_new (
    location_id TEXT NOT NULL,
    generation INTEGER NOT NULL,
    name TEXT NOT NULL,
    address_line_1 TEXT NOT NULL,
    address_line_2 TEXT,
    town TEXT NOT NULL,
    county TEXT,
    postcode TEXT NOT NULL,
    registration_status TEXT NOT NULL,
    service_types TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (location_id, generation)
);
INSERT INTO cqc_locations_new (location_id, generation, name, address_line_1, address_line_2, town,
    county, postcode, registration_status, service_types, created_at, updated_at)
SELECT location_id, 0, name, address_line_1, address_line_2, town, county, postcode,
    registration_status, service_types, created_at, updated_at
FROM cqc_locations;
DROP TABLE cqc_locations;
ALTER TABLE cqc_locations_new RENAME TO cqc_locations;
CREATE INDEX cqc_locations_postcode_idx ON cqc_locations (postcode);
