/* SQL that takes a ledger back to what an older jobd made, for the tests
 * of the migrations (test-ledger*.c). */
#ifndef JOBD_TEST_LEDGER_SCHEMA_H
#define JOBD_TEST_LEDGER_SCHEMA_H

/* Schema 4's columns of runs: a schema 3 runs table without them. */
#define LEDGER_V4_COLUMNS_DROP						\
	"ALTER TABLE runs DROP COLUMN params;"				\
	"ALTER TABLE runs DROP COLUMN args;"				\
	"ALTER TABLE runs DROP COLUMN requested_uid;"			\
	"ALTER TABLE runs DROP COLUMN requested_user;"			\
	"ALTER TABLE runs DROP COLUMN requested_for;"			\
	"ALTER TABLE runs DROP COLUMN cancelled_uid;"			\
	"ALTER TABLE runs DROP COLUMN cancelled_user;"			\
	"ALTER TABLE runs DROP COLUMN cancelled_for;"

#endif
