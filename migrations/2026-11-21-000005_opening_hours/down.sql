DROP TABLE centre_closures;
DROP TABLE centre_opening_hours;
DROP EXTENSION IF EXISTS btree_gist;
