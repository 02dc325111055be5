-- PostgreSQL server settings for a Canbao database server (docs/deploy.md §8).
-- Written for the 24 GiB, 2-core development machine the benchmarks run on; scale the memory
-- figures with the server's RAM (shared_buffers ≈ 25 %, effective_cache_size ≈ 75 %).
-- Apply once as the postgres superuser, then restart the server (shared_buffers needs it):
--   psql -h 127.0.0.1 -U postgres -f deploy/postgresql-tuning.sql
--   pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart
-- Why: with the defaults (128 MB of buffers, 1 GB of WAL between checkpoints) the indexes of a
-- million-person registry no longer fit in memory, and a province import or the January
-- recalculation forces a checkpoint every few seconds, each followed by full-page writes.
ALTER SYSTEM SET shared_buffers = '6GB';
ALTER SYSTEM SET effective_cache_size = '18GB';
ALTER SYSTEM SET work_mem = '64MB';               -- the rollups' and comparison's hash joins
ALTER SYSTEM SET maintenance_work_mem = '1GB';    -- index builds after bulk loads, VACUUM
ALTER SYSTEM SET max_wal_size = '16GB';           -- checkpoints by time, not forced by bulk writes
ALTER SYSTEM SET checkpoint_timeout = '15min';
ALTER SYSTEM SET checkpoint_completion_target = 0.9;
ALTER SYSTEM SET wal_compression = 'on';
ALTER SYSTEM SET random_page_cost = 1.1;          -- SSD storage
ALTER SYSTEM SET effective_io_concurrency = 200;
ALTER SYSTEM SET max_parallel_workers_per_gather = 2;
ALTER SYSTEM SET max_connections = 200;           -- gunicorn threads + Celery workers + admin
-- The default, said aloud: a server image that turned it off (some CI images do, in conf.d) gets
-- it back. The ledger's anti-join and the pages' index-only reads need the visibility map that
-- autovacuum keeps (1M: a ledger part's read of the live enrollments 371 ms without it, 125 ms
-- with it), and the planner needs the statistics it refreshes.
ALTER SYSTEM SET autovacuum = on;
