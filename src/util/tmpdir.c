#include "util/tmpdir.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *tmp_base(void)
{
    const char *base = getenv("TMPDIR");
    return base && *base ? base : "/tmp";
}

char *pl_tmpdir_create(const char *prefix, pl_err *err)
{
    /* mkdtemp creates the directory with mode 0700. */
    char *tmpl = pl_xasprintf("%s/%s-XXXXXX", tmp_base(), prefix);
    if (mkdtemp(tmpl))
        return tmpl;
    pl_err_setc(err, PL_ERR_RESOURCES, "cannot create a temporary directory in %s: %s",
                tmp_base(), strerror(errno));
    free(tmpl);
    return NULL;
}

static int remove_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(p);
    return 0;
}

void pl_tmpdir_remove(const char *dir)
{
    /* FTW_PHYS: a link the worker extracted is removed, not followed. */
    if (dir)
        nftw(dir, remove_entry, 4, FTW_DEPTH | FTW_PHYS);
}
