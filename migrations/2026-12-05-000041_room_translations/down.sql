DELETE FROM translations WHERE room_id IS NOT NULL;
-- The deleted rows' deferred trigger runs now, not after the ALTER below.
SET CONSTRAINTS translations_move_generation IMMEDIATE;
DROP INDEX translations_room_key;
ALTER TABLE translations
    DROP CONSTRAINT translations_text_length,
    ADD CONSTRAINT translations_text_length CHECK (char_length(text) BETWEEN 1 AND (CASE
        WHEN field IN ('title', 'name') THEN 200
        WHEN field = 'description' AND shift_id IS NOT NULL THEN 4000
        WHEN field = 'description' THEN 8000
        WHEN field = 'accessibility_notes' THEN 2000
        WHEN field = 'cost_note' THEN 500
        WHEN field = 'text' THEN 5000 ELSE 0 END)),
    DROP CONSTRAINT translations_field_known,
    ADD CONSTRAINT translations_field_known CHECK (
        (activity_id IS NULL OR field IN ('title', 'description', 'accessibility_notes', 'cost_note'))
        AND (centre_id IS NULL OR field IN ('name', 'description', 'accessibility_notes'))
        AND (shift_id IS NULL OR field IN ('title', 'description'))
        AND (qualification_type_id IS NULL OR field IN ('name'))
        AND (concern_id IS NULL OR field IN ('title', 'text'))
        AND (concern_category_id IS NULL OR field IN ('name'))),
    DROP CONSTRAINT translations_one_owner,
    ADD CONSTRAINT translations_one_owner CHECK (
        num_nonnulls(activity_id, centre_id, shift_id, qualification_type_id, concern_id, concern_category_id) = 1),
    DROP COLUMN room_id;
