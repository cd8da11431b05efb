-- Annotation sets, annotations (AI suggestions and human ones) and "not found" markers (missing annotations).
CREATE TABLE annotation_sets (
    id {id},
    document_id {int} NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    label_set_id {int} NOT NULL REFERENCES label_sets(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);

CREATE TABLE annotations (
    id {id},
    document_id {int} NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    annotation_set_id {int} NOT NULL REFERENCES annotation_sets(id) ON DELETE CASCADE,
    label_id {int} NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    label_set_id {int} NOT NULL REFERENCES label_sets(id) ON DELETE CASCADE,
    spans TEXT NOT NULL DEFAULT '[]',
    selection_bbox TEXT,
    start_offset {int},
    end_offset {int},
    offset_string TEXT NOT NULL DEFAULT '',
    offset_string_original TEXT NOT NULL DEFAULT '',
    custom_offset_string {bool} NOT NULL DEFAULT {false},
    confidence DOUBLE PRECISION,
    is_correct {bool} NOT NULL DEFAULT {false},
    revised {bool} NOT NULL DEFAULT {false},
    origin TEXT NOT NULL DEFAULT 'api.v3',
    created_by_id {int} REFERENCES users(id) ON DELETE SET NULL,
    revised_by_id {int} REFERENCES users(id) ON DELETE SET NULL,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE missing_annotations (
    id {id},
    document_id {int} NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    label_id {int} NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    label_set_id {int} NOT NULL REFERENCES label_sets(id) ON DELETE CASCADE,
    annotation_set_id {int} REFERENCES annotation_sets(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);

CREATE INDEX annotation_sets_document ON annotation_sets(document_id);
CREATE INDEX annotations_document ON annotations(document_id);
CREATE INDEX annotations_set ON annotations(annotation_set_id);
CREATE INDEX missing_annotations_document ON missing_annotations(document_id);
