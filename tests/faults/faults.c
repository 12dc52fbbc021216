#include "faults.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *fault_fixture(const char *rel)
{
    static char bufs[4][4096];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "faults/%s", rel);
    return e2e_fixture(b);
}

json_object *fault_run(e2e_run *r, const char *input)
{
    const char *good = e2e_fixture(FAULT_GOOD);
    const char *args[] = {"-f", "json", input, good, NULL};
    e2e_exec(r, args);
    ck_assert_msg(r->json != NULL, "%s: output is not JSON: %s\nstderr: %s", input, r->out,
                  r->err);
    ck_assert_int_eq(json_object_array_length(r->json), 2);
    json_object *g = jget(r->json, "1");
    ck_assert_str_eq(jstr(g, "input"), good);
    ck_assert_msg(jlen(g, "errors") == 0, "the good input failed too: %s", jstr(g, "errors.0"));
    ck_assert_int_eq(jlen(g, "installations"), 1);
    ck_assert_str_eq(jstr(g, "installations.0.build6003.verdict"), "no");
    ck_assert_str_eq(jstr(g, "installations.0.files.ntoskrnl.file_version"), "6.0.6002.18005");
    json_object *o = jget(r->json, "0");
    ck_assert_str_eq(jstr(o, "input"), input);
    return o;
}

void fault_expect_errors(const e2e_run *r, json_object *o, const char *input,
                         const char *const *msgs)
{
    size_t n = 0;
    while (msgs[n])
        n++;
    ck_assert_msg(r->status == 3, "%s: exit status %d, not 3", input, r->status);
    ck_assert_msg(jlen(o, "errors") == (int)n, "%s: %d errors, not %zu; first: %s", input,
                  jlen(o, "errors"), n, jstr(o, "errors.0"));
    for (size_t i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof key, "errors.%zu", i);
        ck_assert_str_eq(jstr(o, key), msgs[i]);
        /* Every error carries a code that says what kind of failure it is:
         * "internal" would mean a site that never chose one. */
        snprintf(key, sizeof key, "error_details.%zu.message", i);
        ck_assert_str_eq(jstr(o, key), msgs[i]);
        snprintf(key, sizeof key, "error_details.%zu.code", i);
        const char *code = jstr(o, key);
        ck_assert_msg(code && strcmp(code, "internal") != 0 && strcmp(code, "none") != 0,
                      "%s: error \"%s\" has code %s", input, msgs[i], code ? code : "(none)");
        char *line = NULL;
        ck_assert_int_ge(asprintf(&line, "patchlevel: %s: %s\n", input, msgs[i]), 0);
        ck_assert_msg(strstr(r->err, line), "not on stderr: %sstderr was:\n%s", line, r->err);
        free(line);
    }
}

void fault_expect_error(const e2e_run *r, json_object *o, const char *input, const char *msg)
{
    const char *msgs[] = {msg, NULL};
    fault_expect_errors(r, o, input, msgs);
}

void fault_expect_warnings(json_object *inst, const char *const *msgs)
{
    size_t n = 0;
    while (msgs[n])
        n++;
    ck_assert_msg(jlen(inst, "warnings") == (int)n, "%d warnings, not %zu; first: %s",
                  jlen(inst, "warnings"), n, jstr(inst, "warnings.0"));
    for (size_t i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof key, "warnings.%zu", i);
        ck_assert_str_eq(jstr(inst, key), msgs[i]);
        /* the same warning with a code that names its kind */
        snprintf(key, sizeof key, "warning_details.%zu.message", i);
        ck_assert_str_eq(jstr(inst, key), msgs[i]);
        snprintf(key, sizeof key, "warning_details.%zu.code", i);
        const char *code = jstr(inst, key);
        ck_assert_msg(code && strcmp(code, "internal") != 0 && strcmp(code, "none") != 0,
                      "warning \"%s\" has code %s", msgs[i], code ? code : "(none)");
    }
}

void fault_expect_warning(json_object *inst, const char *msg)
{
    for (int i = 0; i < jlen(inst, "warnings"); i++) {
        char key[32];
        snprintf(key, sizeof key, "warnings.%d", i);
        if (strcmp(jstr(inst, key), msg) == 0)
            return;
    }
    ck_abort_msg("no warning \"%s\"; first: %s", msg, jstr(inst, "warnings.0"));
}

char *fault_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *t = NULL;
    ck_assert_int_ge(asprintf(&t, "%s/pl-fault-XXXXXX", base && *base ? base : "/tmp"), 0);
    ck_assert_ptr_nonnull(mkdtemp(t));
    return t;
}

static void run_cmd(const char *fmt, const char *a, const char *b)
{
    char *cmd = NULL;
    ck_assert_int_ge(asprintf(&cmd, fmt, a, b), 0);
    ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
    free(cmd);
}

void fault_rmrf(const char *dir)
{
    /* make everything writable again first (read-only copies) */
    run_cmd("chmod -R u+w '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
}

void fault_copy(const char *src, const char *dst)
{
    run_cmd("cp -R '%s' '%s'", src, dst);
}

void fault_copy_prefix(const char *src, size_t n, const char *dst)
{
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    ck_assert(in && out);
    char buf[65536];
    while (n > 0) {
        size_t want = n < sizeof buf ? n : sizeof buf;
        size_t got = fread(buf, 1, want, in);
        ck_assert_uint_eq(got, want);
        ck_assert_uint_eq(fwrite(buf, 1, got, out), got);
        n -= got;
    }
    fclose(in);
    ck_assert_int_eq(fclose(out), 0);
}

void fault_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

void fault_patch(const char *path, long off, const void *data, size_t n)
{
    int fd = open(path, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pwrite(fd, data, n, off), (ssize_t)n);
    close(fd);
}

char *fault_join(const char *dir, const char *rel)
{
    char *p = NULL;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, rel), 0);
    return p;
}

char *fault_good_tree(const char *dir, const char *name)
{
    char *p = fault_join(dir, name);
    fault_copy(e2e_fixture(FAULT_GOOD), p);
    return p;
}
