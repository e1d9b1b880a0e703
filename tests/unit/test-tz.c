/* placeholder: being written */
#include "runner.h"

TEST(placeholder)
{
	ASSERT(1);
}

static const struct test tests[] = {
	TEST_ENTRY(placeholder),
};

TEST_MAIN(tests)
