/* jobctl import systemd: not written yet. */
#include <stdio.h>

#include "import.h"
#include "macro.h"

int
import_systemd(const struct import_args *a UNUSED, struct import_out *o UNUSED)
{
	fprintf(stderr, "jobctl: import systemd: not implemented yet\n");
	return -1;
}
