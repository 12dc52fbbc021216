/* patchlevel: the command line. Parses options, analyzes each input in
 * turn, streams each result to the report as it finishes, and turns the
 * outcome into the exit status of spec section 4. */
#include <errno.h>
#include <patchlevel.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/batch.h"
#include "cli/inputs.h"
#include "cli/options.h"
#include "cli/outputs.h"
#include "cli/resume.h"
#include "cli/signals.h"
#include "cli/summarize.h"
#include "util/escape.h"

enum { EXIT_ANALYZED = 0, EXIT_CHECK_FAILED = 1, EXIT_USAGE = 2, EXIT_INPUT_FAILED = 3 };

static void print_version(void)
{
    printf("patchlevel %s\n", patchlevel_version());
    const char *name, *version;
    for (size_t i = 0; (version = patchlevel_library_version(i, &name)); i++)
        printf("%s %s\n", name, version);
}

/* --catalog FILE, or the shipped one. 0, or -1 after a message (the
 * shipped one missing is only a warning: the rollup answers are null). */
static int load_catalog(const pl_options *o, patchlevel_context *ctx)
{
    enum patchlevel_error rc = patchlevel_context_load_catalog(ctx, o->catalog);
    if (rc == PATCHLEVEL_OK)
        return 0;
    if (rc == PATCHLEVEL_ERR_NOT_FOUND && !o->catalog) {
        if (!o->quiet)
            fprintf(stderr, "patchlevel: no update catalog found (looked for %s): the newest "
                            "and missing rollups are not determined; give one with --catalog "
                            "FILE\n",
                    patchlevel_default_catalog_path());
        return 0;
    }
    fprintf(stderr, "patchlevel: %s\n", pl_esc(patchlevel_context_error_message(ctx)));
    return -1;
}

/* The context every analysis of the run uses: options and catalog. NULL
 * after a message. */
static patchlevel_context *make_context(const pl_options *o)
{
    patchlevel_context *ctx = NULL;
    if (patchlevel_context_new(&ctx) != PATCHLEVEL_OK) {
        fprintf(stderr, "patchlevel: out of memory\n");
        return NULL;
    }
    int ok = load_catalog(o, ctx) == 0;
    for (size_t i = 0; ok && i < o->parents.len; i++)
        ok = patchlevel_context_add_parent(ctx, o->parents.items[i]) == PATCHLEVEL_OK;
    if (ok) {
        patchlevel_context_set_verbose(ctx, o->verbose);
        patchlevel_context_set_find_6002_checks(ctx, o->find_6002);
        patchlevel_context_set_hash(ctx, o->hash);
        return ctx;
    }
    patchlevel_context_free(ctx);
    return NULL;
}

/* The inputs of this run: found (-r), this shard's part; with everything
 * the run reads, inputs and chain members, for the output checks. */
static void gather_inputs(const pl_options *o, patchlevel_context *ctx, pl_collected *c)
{
    pl_collect_options co = {.recursive = o->recursive,
                             .want_members = o->output || o->resume,
                             .timeout = o->timeout,
                             .ctx = ctx};
    pl_collect_inputs(o->inputs, o->ninputs, &co, c);
    for (size_t i = 0; i < c->warnings.len && !o->quiet; i++)
        fprintf(stderr, "patchlevel: %s\n", pl_esc(c->warnings.items[i])); /* names found by -r */
    if (o->shard_n)
        pl_shard_inputs(&c->inputs, o->shard_k, o->shard_n);
}

/* What no output may overwrite: every file read, the --parent disks and
 * the catalog. */
static void protected_files(const pl_options *o, const pl_strlist *files_read,
                            pl_fileset *set)
{
    for (size_t i = 0; i < files_read->len; i++)
        pl_fileset_add(set, files_read->items[i]);
    for (size_t i = 0; i < o->parents.len; i++)
        pl_fileset_add(set, o->parents.items[i]);
    if (o->catalog)
        pl_fileset_add(set, o->catalog);
}

static int progress_wanted(const pl_options *o)
{
    if (o->progress >= 0)
        return o->progress;
    return !o->quiet && isatty(STDERR_FILENO);
}

static int run(const pl_options *o, patchlevel_context *ctx, const pl_collected *c, FILE *out)
{
    const pl_strlist *inputs = &c->inputs;
    pl_stream w;
    /* -f json: the shape depends on what was asked, never on what was
     * found, so a script reads -r's output the same way for one image or
     * none. */
    int flags = (o->verbose ? PATCHLEVEL_RENDER_VERBOSE : 0) |
                (o->csv_bom ? PATCHLEVEL_RENDER_SPREADSHEET : 0);
    pl_stream_begin(&w, out, o->format, o->recursive || o->ninputs != 1, flags);
    pl_progress progress;
    pl_progress_init(&progress, progress_wanted(o), inputs->len);
    pl_batch_options bopt = {.jobs = o->jobs, .timeout = o->timeout, .quiet = o->quiet,
                             .verbose = o->verbose, .progress = &progress,
                             .slow_inputs = &c->slow};
    pl_batch_outcome res;
    pl_run_batch(inputs, ctx, &bopt, &w, &res);
    pl_progress_finish(&progress);
    if (pl_stream_end(&w) != 0 || res.output_error) {
        fprintf(stderr, "patchlevel: %s: cannot write the report: %s\n",
                o->output ? pl_esc(o->output) : "standard output", strerror(errno));
        return EXIT_INPUT_FAILED;
    }
    if (res.stopped_by) {
        fprintf(stderr, "patchlevel: stopped by signal %d (%s): %zu inputs not analyzed, "
                        "temporary files removed%s\n",
                res.stopped_by, strsignal(res.stopped_by), res.not_started,
                o->resume ? "; run the same command again to go on" : "");
        return 128 + res.stopped_by;
    }
    if (res.failed_inputs)
        return EXIT_INPUT_FAILED;
    return o->require_6003 && res.failed_check ? EXIT_CHECK_FAILED : EXIT_ANALYZED;
}

/* --resume: drop the inputs already done; the results file is appended to. */
static int apply_resume(const pl_options *o, int fd, pl_strlist *inputs)
{
    pl_resume_state st;
    pl_err err = {0};
    if (pl_resume_load(fd, o->resume, o->retry_failed, &st, &err) != 0) {
        fprintf(stderr, "patchlevel: %s\n", pl_esc(err.msg));
        pl_resume_free(&st);
        return -1;
    }
    size_t skipped = pl_resume_filter(inputs, &st);
    if (o->verbose)
        fprintf(stderr, "patchlevel: %s: %zu inputs already done, %zu to go\n", pl_esc(o->resume),
                skipped, inputs->len);
    pl_resume_free(&st);
    return 0;
}

/* The report's stream: standard output, or -o / --resume FILE opened only
 * after it was checked against every file the run reads. */
static FILE *open_output(const pl_options *o, const pl_fileset *protect, pl_strlist *inputs)
{
    const char *path = o->resume ? o->resume : o->output;
    if (!path)
        return stdout;
    pl_err err = {0};
    int fd = pl_output_open(path, o->resume ? PL_OUT_APPEND : PL_OUT_REPLACE, protect, &err);
    if (fd < 0) {
        fprintf(stderr, "patchlevel: %s\n", pl_esc(err.msg));
        return NULL;
    }
    FILE *f = NULL;
    if ((!o->resume || apply_resume(o, fd, inputs) == 0) && !(f = fdopen(fd, "a")))
        fprintf(stderr, "patchlevel: %s: %s\n", pl_esc(path), strerror(errno));
    if (!f)
        close(fd);
    return f;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "summarize") == 0)
        return pl_summarize_main(argc - 1, argv + 1);
    pl_options o;
    if (pl_options_parse(argc, argv, &o, stderr) != 0) {
        pl_options_free(&o);
        return EXIT_USAGE;
    }
    if (o.help || o.version) {
        if (o.help)
            pl_options_usage(stdout);
        else
            print_version();
        pl_options_free(&o);
        return EXIT_ANALYZED;
    }
    patchlevel_context *ctx = make_context(&o);
    if (!ctx) {
        pl_options_free(&o);
        return EXIT_USAGE;
    }
    pl_signals_install();
    pl_collected c;
    gather_inputs(&o, ctx, &c);
    pl_fileset protect = {0};
    protected_files(&o, &c.files_read, &protect);
    /* Stopped while the inputs were gathered: leave the output as it is. */
    int sig = pl_signals_stop_requested();
    FILE *out = sig ? NULL : open_output(&o, &protect, &c.inputs);
    int status = sig ? 128 + sig : EXIT_USAGE;
    if (sig)
        fprintf(stderr, "patchlevel: stopped by signal %d (%s) before any input was analyzed\n",
                sig, strsignal(sig));
    if (out)
        status = run(&o, ctx, &c, out);
    if (out && out != stdout && fclose(out) != 0) {
        fprintf(stderr, "patchlevel: %s: cannot write the report: %s\n",
                pl_esc(o.resume ? o.resume : o.output), strerror(errno));
        status = EXIT_INPUT_FAILED;
    }
    pl_fileset_free(&protect);
    pl_collected_free(&c);
    patchlevel_context_free(ctx);
    patchlevel_global_cleanup();
    pl_options_free(&o);
    return status;
}
