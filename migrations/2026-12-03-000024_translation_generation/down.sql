DROP TRIGGER translations_move_generation ON translations;
DROP FUNCTION translation_generation_move();
DROP TABLE translation_generation;
