DROP TABLE mailshot_items;
DROP TABLE mailshots;
