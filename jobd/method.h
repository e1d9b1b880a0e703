/* Helpers shared by the method-*.c files: runs and jobs as the JSON the
 * interface description (io.jobd.Manager.varlink) defines. */
#ifndef JOBD_METHOD_H
#define JOBD_METHOD_H

#include <jansson.h>

struct job;
struct run;

json_t *method_run_json(const struct run *);
json_t *method_job_json(const struct job *);

#define IFACE_ERROR(name) "io.jobd.Manager." name

#endif
