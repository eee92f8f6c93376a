-- A volunteer commits to the same slot on the same pattern once while it has not ended.
CREATE UNIQUE INDEX standing_signups_once ON standing_signups (
    user_id, activity_id, weekday, slot_start, coalesce(slot_title, ''), pattern,
    coalesce(anchor_date, DATE 'epoch'), coalesce(week_of_month, 0))
    WHERE status <> 'ended';
