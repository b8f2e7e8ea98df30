-- Files that are not soft-deleted: what every listing of the service reads.
CREATE VIEW active_files AS SELECT * FROM files WHERE is_deleted = false;
