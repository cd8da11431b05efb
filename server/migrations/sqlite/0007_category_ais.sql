-- Categorization AIs: trained per project on its categorised training documents, evaluated on its test
-- documents; at most one per project is active and categorises uploads without a category.
CREATE TABLE category_ais (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'queued',
    progress DOUBLE PRECISION NOT NULL DEFAULT 0,
    error TEXT,
    active INTEGER NOT NULL DEFAULT 0,
    activation TEXT,
    training_documents INTEGER NOT NULL DEFAULT 0,
    test_documents INTEGER NOT NULL DEFAULT 0,
    evaluation TEXT,
    model_key TEXT,
    created_by_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX category_ais_project ON category_ais(project_id);
