-- The scheduler: work that comes with the passing of time (expiring drafts, pruning old attempt
-- records, and later account life) runs as jobs. A job is held by one runner at a time under a
-- lease, so replicas and the command-line runner never run it twice at once; every run is kept
-- with what it did.
CREATE TABLE job_leases (
    job TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    lease_until TIMESTAMP NOT NULL
);

CREATE TABLE job_runs (
    id TEXT PRIMARY KEY,
    job TEXT NOT NULL,
    runner TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    outcome TEXT NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'interrupted')),
    processed BIGINT NOT NULL,
    detail TEXT
);
CREATE INDEX job_runs_job_idx ON job_runs (job, started_at);
