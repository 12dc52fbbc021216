#include "e2e.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *slurp_fd(int fd)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    lseek(fd, 0, SEEK_SET);
    for (;;) {
        if (len + 1 >= cap)
            buf = realloc(buf, cap *= 2);
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    return buf;
}

/* $PL_PROGRAM_WRAPPER, e.g. "valgrind --error-exitcode=99 --leak-check=full":
 * a command and its options, separated by blanks (no quoting), run with
 * the program and its arguments after it. Returns the words (NULL-ended,
 * in one allocation with their text) and the exit status the wrapper uses
 * to report its own findings (--error-exitcode=N; -1 when not given). */
static char **wrapper_words(size_t *n, int *error_code)
{
    const char *w = getenv("PL_PROGRAM_WRAPPER");
    *n = 0;
    *error_code = -1;
    while (w && (*w == ' ' || *w == '\t'))
        w++;   /* so that the first word is where the copied text starts */
    if (!w || !*w)
        return NULL;
    size_t len = strlen(w);
    char **words = calloc(len / 2 + 2, sizeof *words);
    char *text = strdup(w);
    ck_assert(words && text);
    char *save = NULL;
    for (char *t = strtok_r(text, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        words[(*n)++] = t;
        if (strncmp(t, "--error-exitcode=", 17) == 0)
            *error_code = atoi(t + 17);
    }
    if (*n == 0)
        free(text);
    return words;
}

void e2e_exec(e2e_run *r, const char *const *args)
{
    memset(r, 0, sizeof *r);
    const char *prog = getenv("PL_PROGRAM");
    ck_assert_msg(prog != NULL, "PL_PROGRAM is not set (run through make check)");
    size_t n = 0, nw = 0;
    int wrapper_error = -1;
    char **wrap = wrapper_words(&nw, &wrapper_error);
    while (args[n])
        n++;
    const char **argv = calloc(nw + n + 2, sizeof *argv);
    for (size_t i = 0; i < nw; i++)
        argv[i] = wrap[i];
    argv[nw] = prog;
    memcpy(argv + nw + 1, args, n * sizeof *argv);
    FILE *out = tmpfile(), *err = tmpfile();
    ck_assert(out && err);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        dup2(fileno(out), 1);
        dup2(fileno(err), 2);
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        if (nw)
            execvp(argv[0], (char *const *)argv);   /* the wrapper, found in PATH */
        else
            execv(prog, (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r->out = slurp_fd(fileno(out));
    r->err = slurp_fd(fileno(err));
    fclose(out);
    fclose(err);
    free(argv);
    if (wrap) {
        free(wrap[0]);
        free(wrap);
    }
    r->json = json_tokener_parse(r->out);
    /* The wrapper's findings fail the test whatever it asserts: in the
     * program itself (its exit status), or in a worker process it forked
     * (which the program reports as an input that failed with that status). */
    if (wrapper_error >= 0) {
        char worker[96];
        snprintf(worker, sizeof worker, "the worker exited with status %d", wrapper_error);
        ck_assert_msg(r->status != wrapper_error && !strstr(r->err, worker),
                      "PL_PROGRAM_WRAPPER reported errors (exit status %d); its output:\n%s",
                      wrapper_error, r->err);
    }
}

void e2e_free(e2e_run *r)
{
    free(r->out);
    free(r->err);
    if (r->json)
        json_object_put(r->json);
    memset(r, 0, sizeof *r);
}

static const char *join(const char *env, const char *rel)
{
    static char bufs[8][4096];
    static int next;
    const char *base = getenv(env);
    if (!base)
        return NULL;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", base, rel);
    return b;
}

const char *e2e_fixture(const char *rel)
{
    const char *p = join("PL_FIXTURES", rel);
    ck_assert_msg(p != NULL, "PL_FIXTURES is not set (run through make check)");
    return p;
}

const char *e2e_corpus(const char *rel)
{
    struct stat sb;
    const char *base = getenv("PL_CORPUS");
    if (!base || stat(base, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return NULL;
    return join("PL_CORPUS", rel);
}

void e2e_require_corpus(void)
{
    if (!e2e_corpus("")) {
        printf("shared corpus not found (PL_CORPUS): skipping\n");
        exit(77);
    }
}

int e2e_scratch_dir(const char *prefix, char *buf, size_t len)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, len, "%s/%s-XXXXXX", base && *base ? base : "/tmp", prefix);
    return mkdtemp(buf) ? 0 : -1;
}

void e2e_remove_dir(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

json_object *jget(json_object *root, const char *path)
{
    char *copy = strdup(path), *save = NULL;
    json_object *cur = root;
    for (char *k = strtok_r(copy, ".", &save); k && cur; k = strtok_r(NULL, ".", &save)) {
        if (json_object_is_type(cur, json_type_array)) {
            char *end;
            long i = strtol(k, &end, 10);
            cur = (*end || i < 0 || (size_t)i >= json_object_array_length(cur))
                      ? NULL
                      : json_object_array_get_idx(cur, (size_t)i);
        } else if (json_object_is_type(cur, json_type_object)) {
            json_object *next = NULL;
            /* A JSON null comes back as a NULL member, like an absent one. */
            cur = json_object_object_get_ex(cur, k, &next) ? next : NULL;
        } else {
            cur = NULL;
        }
    }
    free(copy);
    return cur;
}

const char *jstr(json_object *root, const char *path)
{
    json_object *o = jget(root, path);
    return (o && json_object_is_type(o, json_type_string)) ? json_object_get_string(o) : NULL;
}

int64_t jint(json_object *root, const char *path)
{
    json_object *o = jget(root, path);
    return (o && json_object_is_type(o, json_type_int)) ? json_object_get_int64(o) : INT64_MIN;
}

int jbool(json_object *root, const char *path)
{
    json_object *o = jget(root, path);
    return (o && json_object_is_type(o, json_type_boolean)) ? json_object_get_boolean(o) : -1;
}

int jlen(json_object *root, const char *path)
{
    json_object *o = jget(root, path);
    return (o && json_object_is_type(o, json_type_array)) ? (int)json_object_array_length(o) : -1;
}

int jis_null(json_object *root, const char *path)
{
    /* json-c represents null as a NULL member: present key, NULL value. */
    char *copy = strdup(path);
    char *dot = strrchr(copy, '.');
    json_object *parent = root;
    const char *key = copy;
    if (dot) {
        *dot = '\0';
        parent = jget(root, copy);
        key = dot + 1;
    }
    json_object *v = NULL;
    int present = parent && json_object_is_type(parent, json_type_object) &&
                  json_object_object_get_ex(parent, key, &v);
    free(copy);
    return present && v == NULL;
}

int jhas(json_object *root, const char *path, const char *s)
{
    json_object *a = jget(root, path);
    if (!a || !json_object_is_type(a, json_type_array))
        return 0;
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        const char *v = json_object_get_string(json_object_array_get_idx(a, i));
        if (v && strcmp(v, s) == 0)
            return 1;
    }
    return 0;
}

json_object *jfind(json_object *root, const char *path, const char *key, const char *value)
{
    json_object *a = jget(root, path);
    if (!a || !json_object_is_type(a, json_type_array))
        return NULL;
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *e = json_object_array_get_idx(a, i);
        const char *v = jstr(e, key);
        if (v && strcmp(v, value) == 0)
            return e;
    }
    return NULL;
}

/* ---- CSV ------------------------------------------------------------------ */

/* Split one RFC 4180 record starting at *p into fields (malloc'd, at most
 * max); *p moves past its line end. Returns the number of fields. */
static size_t csv_record(const char **p, char **fields, size_t max)
{
    size_t n = 0;
    const char *s = *p;
    for (;;) {
        size_t cap = strlen(s) + 1, len = 0;
        char *f = malloc(cap);
        if (!f)
            abort();
        if (*s == '"') {
            for (s++; *s; s++) {
                if (*s == '"' && s[1] == '"')
                    f[len++] = *s++;
                else if (*s == '"') {
                    s++;
                    break;
                } else
                    f[len++] = *s;
            }
        }
        while (*s && *s != ',' && *s != '\r' && *s != '\n')
            f[len++] = *s++;
        f[len] = '\0';
        if (n < max)
            fields[n++] = f;
        else
            free(f);
        if (*s != ',')
            break;
        s++;
    }
    if (*s == '\r')
        s++;
    if (*s == '\n')
        s++;
    *p = s;
    return n;
}

char *e2e_csv_cell(const char *csv, int row, const char *column)
{
    enum { MAX_FIELDS = 256 };
    char *head[MAX_FIELDS], *rec[MAX_FIELDS];
    const char *p = csv;
    if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    size_t nh = csv_record(&p, head, MAX_FIELDS), col = nh;
    for (size_t i = 0; i < nh; i++)
        if (col == nh && strcmp(head[i], column) == 0)
            col = i;
    char *out = NULL;
    for (int r = 1; r <= row && *p; r++) {
        size_t nr = csv_record(&p, rec, MAX_FIELDS);
        if (r == row && col < nr)
            out = strdup(rec[col]);
        for (size_t i = 0; i < nr; i++)
            free(rec[i]);
    }
    for (size_t i = 0; i < nh; i++)
        free(head[i]);
    return out;
}
