/* Helpers shared by the method-*.c files: runs and jobs as the JSON the
 * interface description (io.jobd.Manager.varlink) defines. */
#ifndef JOBD_METHOD_H
#define JOBD_METHOD_H

#include <stdbool.h>

#include <jansson.h>

struct conn;

struct job;
struct run;

json_t *method_run_json(const struct run *);
json_t *method_job_json(const struct job *);
struct service;
json_t *method_service_json(const struct service *);
/* Start when the names are services. */
void method_start_services(struct conn *, json_t *names, bool wait);

#define IFACE_ERROR(name) "io.jobd.Manager." name

#endif
