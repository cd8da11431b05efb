-- Extraction AIs: trained per category on its training documents, evaluated on its test documents; at most
-- one per category is active and extracts on upload. The model file lives in storage under `model_key`.
CREATE TABLE extraction_ais (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
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

CREATE INDEX extraction_ais_category ON extraction_ais(category_id);
