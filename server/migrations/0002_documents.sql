-- Documents, their pages and sets, the files they own, and the durable job queue that processes them.
CREATE TABLE document_sets (
    id {id},
    project_id {int} NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    original_key TEXT NOT NULL,
    original_number_of_pages {int} NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE documents (
    id {id},
    project_id {int} NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    document_set_id {int} REFERENCES document_sets(id) ON DELETE SET NULL,
    category_id {int} REFERENCES categories(id) ON DELETE SET NULL,
    data_file_name TEXT NOT NULL,
    data_file_producer TEXT,
    file_type TEXT NOT NULL,
    original_key TEXT NOT NULL,
    ocr_pdf_key TEXT,
    bbox_key TEXT,
    number_of_pages {int} NOT NULL DEFAULT 0,
    status_data {int} NOT NULL DEFAULT 0,
    error TEXT,
    ocr_time DOUBLE PRECISION,
    categorization_time DOUBLE PRECISION,
    extraction_time DOUBLE PRECISION,
    processing_time DOUBLE PRECISION,
    callback_url TEXT,
    callback_status_code {int},
    category_confidence DOUBLE PRECISION,
    category_is_revised {bool} NOT NULL DEFAULT {false},
    is_reviewed {bool} NOT NULL DEFAULT {false},
    dataset_status {int} NOT NULL DEFAULT 0,
    assignee_id {int} REFERENCES users(id) ON DELETE SET NULL,
    created_by_id {int} REFERENCES users(id) ON DELETE SET NULL,
    text TEXT,
    proposed_split TEXT,
    split_is_revised {bool} NOT NULL DEFAULT {false},
    is_public {bool} NOT NULL DEFAULT {false},
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE pages (
    id {id},
    document_id {int} NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number {int} NOT NULL,
    width DOUBLE PRECISION NOT NULL,
    height DOUBLE PRECISION NOT NULL,
    image_width {int},
    image_height {int},
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
    id {id},
    kind TEXT NOT NULL,
    document_id {int} REFERENCES documents(id) ON DELETE CASCADE,
    payload TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'queued',
    attempts {int} NOT NULL DEFAULT 0,
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
