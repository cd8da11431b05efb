-- Users, tokens, projects and the project setup: label sets (categories are label sets too), labels.
-- [sqlite] Booleans are INTEGER 0/1 here: the Any driver cannot map SQLite's BOOLEAN type (read them with db::flag).
CREATE TABLE users (
    id {id},
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE tokens (
    key TEXT PRIMARY KEY,
    user_id {int} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);

CREATE TABLE projects (
    id {id},
    name TEXT NOT NULL,
    owner_id {int} NOT NULL REFERENCES users(id),
    storage_name TEXT NOT NULL,
    priority_processing {bool} NOT NULL DEFAULT {false},
    ocr_method TEXT NOT NULL,
    auto_rotate_documents {bool} NOT NULL DEFAULT {false},
    category_ai_model_parameters TEXT NOT NULL DEFAULT '{}',
    decimal_separator TEXT NOT NULL,
    auto_delete_documents_after_days {int},
    enable_translated_strings {bool} NOT NULL DEFAULT {false},
    created_at TEXT NOT NULL
);

CREATE TABLE project_members (
    project_id {int} NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id {int} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);

CREATE TABLE label_sets (
    id {id},
    project_id {int} NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    api_name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    has_multiple_annotation_sets {bool} NOT NULL DEFAULT {false},
    is_category {bool} NOT NULL DEFAULT {false},
    created_at TEXT NOT NULL,
    UNIQUE (project_id, name)
);

-- A category is the label set with the same id (its default label set).
CREATE TABLE categories (
    id {int} PRIMARY KEY REFERENCES label_sets(id) ON DELETE CASCADE,
    project_id {int} NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    threshold DOUBLE PRECISION NOT NULL DEFAULT 0.1,
    created_at TEXT NOT NULL
);

CREATE TABLE category_label_sets (
    category_id {int} NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
    label_set_id {int} NOT NULL REFERENCES label_sets(id) ON DELETE CASCADE,
    PRIMARY KEY (category_id, label_set_id)
);

CREATE TABLE labels (
    id {id},
    project_id {int} NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    api_name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    data_type TEXT NOT NULL,
    has_multiple_top_candidates {bool} NOT NULL DEFAULT {false},
    threshold DOUBLE PRECISION NOT NULL DEFAULT 0.1,
    created_at TEXT NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE label_set_labels (
    label_set_id {int} NOT NULL REFERENCES label_sets(id) ON DELETE CASCADE,
    label_id {int} NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    PRIMARY KEY (label_set_id, label_id)
);

CREATE INDEX project_members_user ON project_members(user_id);
CREATE INDEX label_sets_project ON label_sets(project_id);
CREATE INDEX labels_project ON labels(project_id);
CREATE INDEX label_set_labels_label ON label_set_labels(label_id);
CREATE INDEX category_label_sets_set ON category_label_sets(label_set_id);
