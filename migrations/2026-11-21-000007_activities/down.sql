DROP TABLE shifts;
DROP TABLE occurrences;
DROP TABLE activities;
