/* The cluster's tables, created or migrated in one transaction under an
 * advisory lock (nodes starting together do it once), with the version in
 * jobd_schema.  Several clusters may share a database: every row names
 * its cluster. */
#include "cluster-internal.h"

const char cluster_schema_sql[] =
"BEGIN;\n"
"SELECT pg_advisory_xact_lock(7245011);\n"
"CREATE TABLE IF NOT EXISTS jobd_schema (version integer NOT NULL);\n"
"INSERT INTO jobd_schema SELECT 0 WHERE NOT EXISTS "
    "(SELECT 1 FROM jobd_schema);\n"
"DO $$ BEGIN\n"
"IF (SELECT version FROM jobd_schema) < 1 THEN\n"
"  CREATE TABLE jobd_nodes (cluster text NOT NULL, name text NOT NULL,\n"
"    epoch bigint NOT NULL, state text NOT NULL,\n"
"    expires timestamptz NOT NULL, renewed timestamptz NOT NULL,\n"
"    joined timestamptz NOT NULL, lease_usec bigint NOT NULL,\n"
"    version text NOT NULL, config_hash text NOT NULL,\n"
"    PRIMARY KEY (cluster, name));\n"
"  CREATE TABLE jobd_slots (cluster text NOT NULL, job text NOT NULL,\n"
"    slot bigint NOT NULL, node text NOT NULL, epoch bigint NOT NULL,\n"
"    claimed timestamptz NOT NULL DEFAULT now(),\n"
"    PRIMARY KEY (cluster, job, slot));\n"
"  CREATE TABLE jobd_runs (cluster text NOT NULL, node text NOT NULL,\n"
"    id bigint NOT NULL, epoch bigint NOT NULL, job text NOT NULL,\n"
"    trigger text NOT NULL, slot bigint, state text NOT NULL,\n"
"    result text, exit_status integer, reason text,\n"
"    queued_usec bigint, started_usec bigint, ended_usec bigint,\n"
"    PRIMARY KEY (cluster, node, id));\n"
"  CREATE INDEX jobd_runs_by_state ON jobd_runs (cluster, node, state);\n"
"  CREATE INDEX jobd_runs_by_job ON jobd_runs (cluster, job, queued_usec);\n"
"  UPDATE jobd_schema SET version = 1;\n"
"END IF;\n"
"END $$;\n"
"COMMIT;\n"
"SELECT version FROM jobd_schema;\n";
