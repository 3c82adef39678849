DROP TABLE sessions;
DROP TABLE admins;
