-- The per-directory version counter is gone: each process's cache of the directory is now dropped by a change
-- notice (Database.publish/subscribe) sent after every write, so nothing has to read a version per request.
DROP TABLE community_directory_version;
