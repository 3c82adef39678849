DROP TABLE joiner_requests;
