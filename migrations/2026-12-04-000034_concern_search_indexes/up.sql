-- What finding concerns needs at town size.
-- `similar` takes its candidates from trigram indexes (the title has one) and a band of
-- latitude around the point, and compares only those.
CREATE INDEX concerns_words_trgm_idx ON concerns USING gin ((title || ' ' || text) gin_trgm_ops)
    WHERE published_at IS NOT NULL;
CREATE INDEX concerns_latitude_idx ON concerns (latitude)
    WHERE published_at IS NOT NULL AND latitude IS NOT NULL;
