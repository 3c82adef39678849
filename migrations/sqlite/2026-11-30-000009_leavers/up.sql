-- Leavers (R-L5): when an account was marked as having left its practice. It is deleted and
-- erased LEAVER_GRACE_DAYS later unless another practice takes it on as a joiner first.
ALTER TABLE accounts ADD COLUMN leaver_since TIMESTAMP;
CREATE INDEX accounts_leaver_idx ON accounts (leaver_since);
