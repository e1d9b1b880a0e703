/* Integer division rounded towards minus infinity, which C's '/' is not:
 * the day of an instant before 1970 and the year of month -1 need it. */
#ifndef JOBD_FLOOR_DIV_H
#define JOBD_FLOOR_DIV_H

#include <stdint.h>

/* a / b rounded down; b != 0. */
static inline int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

#endif
