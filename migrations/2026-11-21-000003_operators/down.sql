DROP TABLE operator_members;
DROP TABLE operators;
