DROP TABLE partner_districts;
DROP TABLE partners;
