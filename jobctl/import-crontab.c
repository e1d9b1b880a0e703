/* jobctl import crontab: not written yet. */
#include <stdio.h>

#include "import.h"
#include "macro.h"

int
import_crontab(const struct import_args *a UNUSED, struct import_out *o UNUSED)
{
	fprintf(stderr, "jobctl: import crontab: not implemented yet\n");
	return -1;
}
