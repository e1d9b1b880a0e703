/* jobd's signals: SIGHUP reloads the configuration, SIGTERM and SIGINT
 * shut down (a second one changes nothing), SIGUSR1 has log files reopen
 * after logrotate moved them. */
#ifndef JOBD_SIGNALS_H
#define JOBD_SIGNALS_H

#include <stdbool.h>

#include <uv.h>

struct signals {
	uv_signal_t hup, term, intr, usr1;
	bool open;			/* from start until close */
	unsigned logfile_gen;		/* bumped by SIGUSR1 */
	void (*reload)(void *owner);	/* SIGHUP */
	void (*shutdown)(void *owner);	/* SIGTERM, SIGINT */
	void *owner;
};

void signals_start(struct signals *, uv_loop_t *);
/* Closes the handles; false when they were not open. */
bool signals_close(struct signals *);

#endif
