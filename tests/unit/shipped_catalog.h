/* The catalog the project ships (data/ws2008-sp2-catalog.csv), loaded for
 * the unit tests that decide against it (test_catalog, test_rollups,
 * test_servicing). The source tree is $PL_SOURCE_DIR, else the build's
 * -DPL_SRCDIR, else the current directory. */
#ifndef PL_TEST_SHIPPED_CATALOG_H
#define PL_TEST_SHIPPED_CATALOG_H

#include <check.h>
#include <stdlib.h>

#include "decisions/catalog.h"
#include "util/util.h"

static inline void load_shipped_catalog(pl_catalog *cat)
{
    const char *dir = getenv("PL_SOURCE_DIR");
#ifdef PL_SRCDIR
    if (!dir)
        dir = PL_SRCDIR;
#endif
    char *path = pl_xasprintf("%s/data/ws2008-sp2-catalog.csv", dir ? dir : ".");
    pl_err err = {0};
    int rc = pl_catalog_load(path, cat, &err);
    free(path);
    ck_assert_msg(rc == 0, "shipped catalog: %s", err.msg);
}

#endif
