ALTER TABLE concern_categories DROP COLUMN partner_id;
