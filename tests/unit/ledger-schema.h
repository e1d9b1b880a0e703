/* SQL that takes a ledger back to what an older jobd made, for the tests
 * of the migrations (test-ledger*.c). */
#ifndef JOBD_TEST_LEDGER_SCHEMA_H
#define JOBD_TEST_LEDGER_SCHEMA_H

/* The columns of runs that schemas 4 (a hook's chain) and 6 (parameters,
 * who asked) added: a schema 3 runs table without them.  (Schema 5
 * added no column: it let result take 'oom'.) */
#define LEDGER_AFTER_3_COLUMNS_DROP					\
	"ALTER TABLE runs DROP COLUMN hook_of;"				\
	"ALTER TABLE runs DROP COLUMN hook_of_job;"			\
	"ALTER TABLE runs DROP COLUMN chain_first;"			\
	"ALTER TABLE runs DROP COLUMN chain_first_job;"			\
	"ALTER TABLE runs DROP COLUMN chain_depth;"			\
	"ALTER TABLE runs DROP COLUMN params;"				\
	"ALTER TABLE runs DROP COLUMN args;"				\
	"ALTER TABLE runs DROP COLUMN requested_uid;"			\
	"ALTER TABLE runs DROP COLUMN requested_user;"			\
	"ALTER TABLE runs DROP COLUMN requested_for;"			\
	"ALTER TABLE runs DROP COLUMN cancelled_uid;"			\
	"ALTER TABLE runs DROP COLUMN cancelled_user;"			\
	"ALTER TABLE runs DROP COLUMN cancelled_for;"

#endif
