-- Documents, their pages and sets, the files they own, and the durable job queue that processes them.
CREATE TABLE document_sets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    original_key TEXT NOT NULL,
    original_number_of_pages INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    document_set_id INTEGER REFERENCES document_sets(id) ON DELETE SET NULL,
    category_id INTEGER REFERENCES categories(id) ON DELETE SET NULL,
    data_file_name TEXT NOT NULL,
    data_file_producer TEXT,
    file_type TEXT NOT NULL,
    original_key TEXT NOT NULL,
    ocr_pdf_key TEXT,
    bbox_key TEXT,
    number_of_pages INTEGER NOT NULL DEFAULT 0,
    status_data INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    ocr_time DOUBLE PRECISION,
    categorization_time DOUBLE PRECISION,
    extraction_time DOUBLE PRECISION,
    processing_time DOUBLE PRECISION,
    callback_url TEXT,
    callback_status_code INTEGER,
    category_confidence DOUBLE PRECISION,
    category_is_revised INTEGER NOT NULL DEFAULT 0,
    is_reviewed INTEGER NOT NULL DEFAULT 0,
    dataset_status INTEGER NOT NULL DEFAULT 0,
    assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_by_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    text TEXT,
    proposed_split TEXT,
    split_is_revised INTEGER NOT NULL DEFAULT 0,
    is_public INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE pages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    width DOUBLE PRECISION NOT NULL,
    height DOUBLE PRECISION NOT NULL,
    image_width INTEGER,
    image_height INTEGER,
    image_key TEXT,
    thumbnail_key TEXT,
    entities TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (document_id, number)
);

-- A job is claimed by setting status 'running' with a heartbeat; a running job whose heartbeat is stale
-- belonged to a worker that died and is claimed again.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    document_id INTEGER REFERENCES documents(id) ON DELETE CASCADE,
    payload TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    run_after TEXT NOT NULL,
    heartbeat_at TEXT,
    worker TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX documents_project ON documents(project_id);
CREATE INDEX pages_document ON pages(document_id);
CREATE INDEX jobs_claim ON jobs(status, run_after);
