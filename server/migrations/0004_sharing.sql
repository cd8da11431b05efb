-- Sharing (§19): a project's documents may be public (read-only, no login), and its pages may be framed
-- [sqlite] by the origins listed in embed_domains (a JSON array of strings). Booleans are INTEGER 0/1 (see 0001).
-- [postgres] by the origins listed in embed_domains (a JSON array of strings).
ALTER TABLE projects ADD COLUMN public_documents {bool} NOT NULL DEFAULT {false};
ALTER TABLE projects ADD COLUMN embed_domains TEXT NOT NULL DEFAULT '[]';
