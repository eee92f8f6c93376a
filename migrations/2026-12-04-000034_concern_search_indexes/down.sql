DROP INDEX concerns_latitude_idx;
DROP INDEX concerns_words_trgm_idx;
