/* Helpers shared by the method-*.c files: runs and jobs as the JSON the
 * interface description (io.jobd.Manager.varlink) defines. */
#ifndef JOBD_METHOD_H
#define JOBD_METHOD_H

#include <stdbool.h>

#include <jansson.h>

#include "json-writer.h"

struct conn;
struct job;
struct run;
struct service;

/* The Run, Job and Service shapes, written into a reply... */
void method_run_write(struct json_writer *, const struct run *);
void method_job_write(struct json_writer *, const struct job *);
void method_service_write(struct json_writer *, const struct service *);
/* ...a service's fields without its name (JobSummary)... */
void method_service_fields(struct json_writer *, const struct service *);
/* ...or as trees, for the replies built with jansson. */
json_t *method_run_json(const struct run *);
/* Start when the names are services. */
void method_start_services(struct conn *, json_t *names, bool wait);

#define IFACE_ERROR(name) "io.jobd.Manager." name

#endif
