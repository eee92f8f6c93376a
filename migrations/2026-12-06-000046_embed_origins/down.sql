DROP TABLE embed_origins;
