DROP TABLE core_team_districts;
DROP TABLE core_team_members;
