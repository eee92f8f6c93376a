DROP TABLE fund_application_partners;
DROP TABLE fund_application_cost_lines;
DROP TABLE fund_applications;
DROP TABLE funds;
