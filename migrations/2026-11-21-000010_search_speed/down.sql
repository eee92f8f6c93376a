DROP INDEX occurrences_length_idx;
DROP INDEX signups_shift_idx;
