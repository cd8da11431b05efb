-- Extraction AIs: trained per category on its training documents, evaluated on its test documents; at most
-- one per category is active and extracts on upload. The model file lives in storage under `model_key`.
CREATE TABLE extraction_ais (
    id {id},
    project_id {int} NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    category_id {int} NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
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

CREATE INDEX extraction_ais_category ON extraction_ais(category_id);
