ALTER TABLE sessions DROP COLUMN refresh_hash;
ALTER TABLE sessions DROP COLUMN scope;
DROP TABLE password_resets;
DROP TABLE password_history;
DROP TABLE security_answers;
ALTER TABLE accounts DROP COLUMN disabled_reason;
ALTER TABLE accounts DROP COLUMN mobile_visibility_chosen_at;
ALTER TABLE accounts DROP COLUMN security_questions_set_at;
