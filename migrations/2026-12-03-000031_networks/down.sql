DROP TABLE network_memberships;
DROP TABLE networks;
