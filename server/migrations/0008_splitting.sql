-- Splitting: a project may have its multi-page uploads split (split_uploads). Splitting AIs are trained per
-- project to recognise first pages, evaluated on split points of bundles of its test documents; at most one
-- per project is active and proposes splits (`documents.proposed_split`, status 41).
ALTER TABLE projects ADD COLUMN split_uploads {bool} NOT NULL DEFAULT {false};

CREATE TABLE splitting_ais (
    id {id},
    project_id {int} NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
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
    updated_at TEXT NOT NULL
);

CREATE INDEX splitting_ais_project ON splitting_ais(project_id);
