DROP TABLE operator_member_centres;
ALTER TABLE centres DROP CONSTRAINT centres_id_operator_key;
