-- The type of the file uploaded for a document set, which its documents no longer share once split.
ALTER TABLE document_sets ADD COLUMN file_type TEXT NOT NULL DEFAULT 'pdf';
UPDATE document_sets SET file_type = (SELECT d.file_type FROM documents d WHERE d.document_set_id = document_sets.id ORDER BY d.id LIMIT 1)
WHERE EXISTS (SELECT 1 FROM documents d WHERE d.document_set_id = document_sets.id);
