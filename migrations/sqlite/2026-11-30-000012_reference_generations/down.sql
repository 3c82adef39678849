CREATE TABLE cqc_locations_old (
    location_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    address_line_1 TEXT NOT NULL,
    address_line_2 TEXT,
    town TEXT NOT NULL,
    county TEXT,
    postcode TEXT NOT NULL,
    registration_status TEXT NOT NULL,
    service_types TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO cqc_locations_old
SELECT c.location_id, c.name, c.address_line_1, c.address_line_2, c.town, c.county, c.postcode,
    c.registration_status, c.service_types, c.created_at, c.updated_at
FROM cqc_locations c
WHERE c.generation = (
    SELECT MAX(n.generation) FROM cqc_locations n, reference_imports r
    WHERE r.dataset = 'cqc-locations' AND n.location_id = c.location_id AND n.generation <= r.live_generation
);
DROP TABLE cqc_locations;
ALTER TABLE cqc_locations_old RENAME TO cqc_locations;
CREATE INDEX cqc_locations_postcode_idx ON cqc_locations (postcode);
DROP TABLE reference_imports;
