/* What service.c (the state machine), service-notify.c (sd_notify) and
 * services.c (all services at once) share, and nobody else uses. */
#ifndef JOBD_SERVICE_INTERNAL_H
#define JOBD_SERVICE_INTERNAL_H

#include "log.h"
#include "service.h"

struct job_service;

#define log_svc(s, level, ...) \
	log_full(level, (s)->job->name, 0, __VA_ARGS__)

/* The service's settings (a removed service's: stop, no restart). */
const struct job_service *svc_cfg(const struct service *);
void service_set_state(struct service *, enum service_state);
void service_enter_ready(struct service *);
/* (Re)starts the watchdog deadline. */
void service_arm_watchdog(struct service *);
/* Back to the run's own pid as the main one (MAINPID= forgotten). */
void service_forget_main_pid(struct service *, pid_t);
/* A message applied to its service (ctx: the service_ctx); false when no
 * service has (yet) a process with the sender's pid. */
bool service_notify_take(void *ctx, const struct notify_msg *);

#endif
