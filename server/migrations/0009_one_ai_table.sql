-- The three kinds of AI in one table: `kind` is 'extraction' (owned by a category), 'categorization' or
-- 'splitting' (owned by a project). The AIs of the old tables are copied kind by kind in id order and get new
-- ids; training jobs still waiting are pointed at the new ids, so nothing queued is lost.
CREATE TABLE ais (
    id {id},
    kind TEXT NOT NULL,
    project_id {int} NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    category_id {int} REFERENCES categories(id) ON DELETE CASCADE,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'queued',
    progress DOUBLE PRECISION NOT NULL DEFAULT 0,
    error TEXT,
    active {bool} NOT NULL DEFAULT {false},
    activation TEXT,
    training_documents {int} NOT NULL DEFAULT 0,
    test_documents {int} NOT NULL DEFAULT 0,
    evaluation TEXT,
    model_key TEXT,
    created_by_id {int} REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    old_id {int}
);

INSERT INTO ais (kind, project_id, category_id, description, status, progress, error, active, activation,
    training_documents, test_documents, evaluation, model_key, created_by_id, created_at, updated_at, old_id)
SELECT 'extraction', project_id, category_id, description, status, progress, error, active, activation,
    training_documents, test_documents, evaluation, model_key, created_by_id, created_at, updated_at, id
FROM extraction_ais ORDER BY id;

INSERT INTO ais (kind, project_id, category_id, description, status, progress, error, active, activation,
    training_documents, test_documents, evaluation, model_key, created_by_id, created_at, updated_at, old_id)
SELECT 'categorization', project_id, NULL, description, status, progress, error, active, activation,
    training_documents, test_documents, evaluation, model_key, created_by_id, created_at, updated_at, id
FROM category_ais ORDER BY id;

INSERT INTO ais (kind, project_id, category_id, description, status, progress, error, active, activation,
    training_documents, test_documents, evaluation, model_key, created_by_id, created_at, updated_at, old_id)
SELECT 'splitting', project_id, NULL, description, status, progress, error, active, activation,
    training_documents, test_documents, evaluation, model_key, created_by_id, created_at, updated_at, id
FROM splitting_ais ORDER BY id;

-- A training job names its AI as {"ai":<id>}; one whose AI is gone keeps its payload and ends as it would have.
UPDATE jobs SET payload = COALESCE((SELECT '{"ai":' || a.id || '}' FROM ais a
    WHERE a.kind = 'extraction' AND '{"ai":' || a.old_id || '}' = jobs.payload), payload)
WHERE kind = 'train-extraction-ai' AND status IN ('queued', 'running');
UPDATE jobs SET payload = COALESCE((SELECT '{"ai":' || a.id || '}' FROM ais a
    WHERE a.kind = 'categorization' AND '{"ai":' || a.old_id || '}' = jobs.payload), payload)
WHERE kind = 'train-category-ai' AND status IN ('queued', 'running');
UPDATE jobs SET payload = COALESCE((SELECT '{"ai":' || a.id || '}' FROM ais a
    WHERE a.kind = 'splitting' AND '{"ai":' || a.old_id || '}' = jobs.payload), payload)
WHERE kind = 'train-splitting-ai' AND status IN ('queued', 'running');

ALTER TABLE ais DROP COLUMN old_id;
DROP TABLE extraction_ais;
DROP TABLE category_ais;
DROP TABLE splitting_ais;

CREATE INDEX ais_project ON ais(project_id);
CREATE INDEX ais_category ON ais(category_id);
