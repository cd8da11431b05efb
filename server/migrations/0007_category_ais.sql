-- Categorization AIs: trained per project on its categorised training documents, evaluated on its test
-- documents; at most one per project is active and categorises uploads without a category.
CREATE TABLE category_ais (
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

CREATE INDEX category_ais_project ON category_ais(project_id);
