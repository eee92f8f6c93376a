DROP TABLE centres;
