/* patchlevel: the command line. Parses options, analyzes each input in
 * turn, streams each result to the report as it finishes, and turns the
 * outcome into the exit status of spec section 4. */
#include <errno.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/analyze.h"
#include "cli/batch.h"
#include "cli/inputs.h"
#include "cli/options.h"
#include "cli/outputs.h"
#include "cli/resume.h"
#include "cli/signals.h"
#include "cli/summarize.h"
#include "config.h"
#include "report/provenance.h"
#include "util/escape.h"

enum { EXIT_ANALYZED = 0, EXIT_CHECK_FAILED = 1, EXIT_USAGE = 2, EXIT_INPUT_FAILED = 3 };

static void print_version(void)
{
    printf("patchlevel %s\n", PACKAGE_VERSION);
    const pl_library_version *libs;
    size_t n = pl_library_versions(&libs);
    for (size_t i = 0; i < n; i++)
        printf("%s %s\n", libs[i].name, libs[i].version);
}

/* The shipped catalog: installed in pkgdatadir, or, for a program run
 * from its build tree before `make install`, in the source tree. */
static const char *const default_catalogs[] = {
    PL_PKGDATADIR "/ws2008-sp2-catalog.csv",
    PL_SRCDIR "/data/ws2008-sp2-catalog.csv",
};

/* 1 loaded, 0 none found (a warning says what that means), -1 error. */
static int load_catalog(const pl_options *o, pl_catalog *cat)
{
    pl_err err;
    if (o->catalog) {
        if (pl_catalog_load(o->catalog, cat, &err) == 0)
            return 1;
        fprintf(stderr, "patchlevel: %s\n", pl_esc(err.msg));
        return -1;
    }
    for (size_t i = 0; i < sizeof default_catalogs / sizeof *default_catalogs; i++) {
        if (access(default_catalogs[i], R_OK) != 0)
            continue;
        if (pl_catalog_load(default_catalogs[i], cat, &err) == 0)
            return 1;
        fprintf(stderr, "patchlevel: %s\n", pl_esc(err.msg));
        return -1;
    }
    if (!o->quiet)
        fprintf(stderr, "patchlevel: no update catalog found (looked for %s): the newest and "
                        "missing rollups are not determined; give one with --catalog FILE\n",
                default_catalogs[0]);
    return 0;
}

/* The inputs of this run: found (-r), this shard's part; with everything
 * the run reads, inputs and chain members, for the output checks. */
static void gather_inputs(const pl_options *o, const pl_source_options *sopt, pl_collected *c)
{
    pl_collect_options co = {.recursive = o->recursive,
                             .want_members = o->output || o->resume,
                             .timeout = o->timeout,
                             .sopt = sopt};
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

static int run(const pl_options *o, const pl_analysis_options *aopt, const pl_collected *c,
               FILE *out)
{
    const pl_strlist *inputs = &c->inputs;
    pl_report_writer w;
    /* -f json: the shape depends on what was asked, never on what was
     * found, so a script reads -r's output the same way for one image or
     * none. */
    pl_report_style style = {.json_array = o->recursive || o->ninputs != 1,
                             .verbose = o->verbose, .csv_bom = o->csv_bom};
    pl_report_begin(&w, out, o->format, &style);
    pl_progress progress;
    pl_progress_init(&progress, progress_wanted(o), inputs->len);
    pl_batch_options bopt = {.jobs = o->jobs, .timeout = o->timeout, .quiet = o->quiet,
                             .verbose = o->verbose, .progress = &progress,
                             .slow_inputs = &c->slow};
    pl_batch_outcome res;
    pl_run_batch(inputs, aopt, &bopt, &w, &res);
    pl_progress_finish(&progress);
    if (pl_report_end(&w) != 0 || res.output_error) {
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
    pl_catalog cat = {0};
    int have_catalog = load_catalog(&o, &cat);
    if (have_catalog < 0) {
        pl_options_free(&o);
        return EXIT_USAGE;
    }
    xmlInitParser();
    pl_signals_install();
    pl_analysis_options aopt = {
        .source = {.verbose = o.verbose, .parents = &o.parents},
        .catalog = have_catalog ? &cat : NULL,
        .find_6002 = o.find_6002,
        .hash = o.hash,
        .result = {.catalog_option = o.catalog, .parents = &o.parents,
                   .find_6002 = o.find_6002, .hash = o.hash},
    };
    pl_collected c;
    gather_inputs(&o, &aopt.source, &c);
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
        status = run(&o, &aopt, &c, out);
    if (out && out != stdout && fclose(out) != 0) {
        fprintf(stderr, "patchlevel: %s: cannot write the report: %s\n",
                pl_esc(o.resume ? o.resume : o.output), strerror(errno));
        status = EXIT_INPUT_FAILED;
    }
    pl_fileset_free(&protect);
    pl_collected_free(&c);
    xmlCleanupParser();
    pl_catalog_free(&cat);
    pl_options_free(&o);
    return status;
}
