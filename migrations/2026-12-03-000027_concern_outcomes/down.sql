DROP TABLE concern_outcomes;
