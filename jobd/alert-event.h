/* One thing to tell someone: a job failed, recovered, is overdue or
 * missed a slot, a service failed or came back, or a test.  The alert
 * policy (which decides) fills it from a run or a service in C; the
 * delivery (which writes the webhook's JSON, the mail, the command's
 * stdin) reads it.  alert-event.c: the names, a copy, freeing. */
#ifndef JOBD_ALERT_EVENT_H
#define JOBD_ALERT_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "timeutil.h"

enum alert_kind {
	ALERT_FAILED,		/* a verdict of failure (change-only unless
				 * alert_repeat=yes); a service: failed */
	ALERT_RECOVERED,	/* success after failed or overdue; a service:
				 * ready again after failed */
	ALERT_OVERDUE,		/* no success within expect_success_within= */
	ALERT_MISSED,		/* a slot skipped (deadline, overlap) or lost */
	ALERT_FINISHED,		/* alert_on=always: every run's end */
	ALERT_TEST,		/* jobctl alert test NAME */
	ALERT_NKINDS
};

/* The event names of the payload, alert_on= and the alert log. */
extern const char *const alert_kind_name[ALERT_NKINDS];

/* At most this much of the run's output goes into an alert: the last
 * lines, whole, within the byte bound. */
#define ALERT_TAIL_LINES 20
#define ALERT_TAIL_BYTES 4096

struct alert_event {
	enum alert_kind kind;
	char *job;		/* the job or service; NULL for a test */
	bool service;
	uint64_t run;		/* 0: no run (overdue, a service's state) */
	char *result;		/* "success", "failed", ...; NULL: none */
	bool has_exit;
	int exit_status;	/* when has_exit */
	int signal;		/* 0: none */
	char *reason;		/* NULL: none */
	char *trigger;		/* "schedule", "manual", ...; NULL: none */
	usec_t scheduled_at, started_at, ended_at;	/* 0: not set */
	usec_t duration;	/* 0: not set */
	char **tail;		/* output lines, oldest first, NULL-ended;
				 * NULL: none */
	usec_t at;		/* when it was decided (CLOCK_REALTIME) */
};

/* The kind named name, or -1. */
int alert_kind_parse(const char *name);
/* A deep copy (the delivery queue keeps one per sink). */
struct alert_event *alert_event_dup(const struct alert_event *);
/* Frees what e owns and e itself; accepts NULL. */
void alert_event_free(struct alert_event *);

#endif
