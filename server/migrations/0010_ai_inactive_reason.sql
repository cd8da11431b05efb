-- Why an AI is not the active AI of its category or project, which the AI page shows: refused when it was
-- evaluated, replaced later by a better AI, or failed. AIs trained before get the reason their row tells.
ALTER TABLE ais ADD COLUMN inactive_reason TEXT;

-- An active AI that scored 0 (which it does when its test documents had nothing annotated to find) is no longer
-- used, as one trained now would not be activated. Evaluations are stored as serde_json writes them: fields in
-- the order of their structs, 0 as `0.0`. An extraction AI's strict F1 is the first overall F1 (a lenient F1 of 0
-- means a strict one of 0 too).
UPDATE ais SET active = {false},
    inactive_reason = 'Deactivated: it scored 0 on its test documents, or they had nothing annotated to find.'
WHERE status = 'done' AND active <> {false} AND (
    (kind = 'extraction' AND evaluation LIKE '{"documents":%,"strict":{"overall":{%,"f1":0.0},"labels":%')
    OR (kind = 'categorization' AND evaluation LIKE '{"documents":%,"accuracy":0.0,%')
    OR (kind = 'splitting' AND evaluation LIKE '{"bundles":%,"split_points":{%,"f1":0.0}}'));

UPDATE ais SET inactive_reason = activation
WHERE status = 'done' AND active = {false} AND activation LIKE 'Not activated%';
UPDATE ais SET inactive_reason = 'Replaced by a later AI that scored better.'
WHERE status = 'done' AND active = {false} AND inactive_reason IS NULL;
UPDATE ais SET inactive_reason = 'Training failed: ' || COALESCE(error, 'no reason was recorded.')
WHERE status = 'failed';
