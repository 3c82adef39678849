DELETE FROM cqc_locations c WHERE c.generation <> (
    SELECT MAX(n.generation) FROM cqc_locations n, reference_imports r
    WHERE r.dataset = 'cqc-locations' AND n.location_id = c.location_id AND n.generation <= r.live_generation
);
ALTER TABLE cqc_locations DROP CONSTRAINT cqc_locations_pkey;
ALTER TABLE cqc_locations DROP COLUMN generation;
ALTER TABLE cqc_locations ADD PRIMARY KEY (location_id);
DROP TABLE reference_imports;
