DROP TRIGGER translations_truncate_moves_generation ON translations;
DROP TRIGGER translations_move_generation ON translations;
DROP FUNCTION translation_generation_move();
DROP TABLE translation_generation;
