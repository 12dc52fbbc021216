/* patchlevel: the command line. Parses options, analyzes each input in
 * turn, streams each result to the report as it finishes, and turns the
 * outcome into the exit status of spec section 4. */
#include <errno.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wimlib.h>

#include "cli/analyze.h"
#include "cli/options.h"
#include "config.h"

enum { EXIT_ANALYZED = 0, EXIT_CHECK_FAILED = 1, EXIT_USAGE = 2, EXIT_INPUT_FAILED = 3 };

static void print_version(void)
{
    printf("patchlevel %s\n", PACKAGE_VERSION);
    printf("wimlib %s, libxml2 %s\n", wimlib_get_version_string(), xmlParserVersion);
}

/* Every installation at 6003, and at least one per input. */
static int passes_6003_check(const pl_input_result *r)
{
    if (r->ninsts == 0)
        return 0;
    for (size_t i = 0; i < r->ninsts; i++)
        if (r->insts[i].assess.b6003.verdict != PL_VERDICT_YES)
            return 0;
    return 1;
}

static void print_errors(const pl_input_result *r)
{
    for (size_t i = 0; i < r->errors.len; i++)
        fprintf(stderr, "patchlevel: %s: %s\n", r->input, r->errors.items[i]);
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
        fprintf(stderr, "patchlevel: %s\n", err.msg);
        return -1;
    }
    for (size_t i = 0; i < sizeof default_catalogs / sizeof *default_catalogs; i++) {
        if (access(default_catalogs[i], R_OK) != 0)
            continue;
        if (pl_catalog_load(default_catalogs[i], cat, &err) == 0)
            return 1;
        fprintf(stderr, "patchlevel: %s\n", err.msg);
        return -1;
    }
    if (!o->quiet)
        fprintf(stderr, "patchlevel: no update catalog found (looked for %s): the newest and "
                        "missing rollups are not determined; give one with --catalog FILE\n",
                default_catalogs[0]);
    return 0;
}

static int run(const pl_options *o, const pl_catalog *cat, FILE *out)
{
    pl_analysis_options aopt = {
        .source = {.verbose = o->verbose, .parents = &o->parents},
        .catalog = cat,
    };
    pl_report_writer w;
    pl_report_begin(&w, out, o->format, (size_t)o->ninputs, o->verbose);
    int failed_inputs = 0, failed_check = 0, output_error = 0;
    for (int i = 0; i < o->ninputs; i++) {
        pl_input_result r;
        pl_analyze_input(o->inputs[i], &aopt, &r);
        if (r.errors.len) {
            failed_inputs = 1;
            if (!o->quiet)
                print_errors(&r);
        }
        if (o->require_6003 && !passes_6003_check(&r))
            failed_check = 1;
        if (pl_report_item(&w, &r) != 0)
            output_error = 1;
        pl_input_result_free(&r);
    }
    if (pl_report_end(&w) != 0 || output_error) {
        fprintf(stderr, "patchlevel: %s: cannot write the report: %s\n",
                o->output ? o->output : "standard output", strerror(errno));
        return EXIT_INPUT_FAILED;
    }
    if (failed_inputs)
        return EXIT_INPUT_FAILED;
    return failed_check ? EXIT_CHECK_FAILED : EXIT_ANALYZED;
}

int main(int argc, char **argv)
{
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
    FILE *out = stdout;
    if (o.output && !(out = fopen(o.output, "w"))) {
        fprintf(stderr, "patchlevel: %s: cannot create the report file: %s\n", o.output,
                strerror(errno));
        pl_options_free(&o);
        pl_catalog_free(&cat);
        return EXIT_USAGE;
    }
    int status = run(&o, have_catalog ? &cat : NULL, out);
    if (out != stdout && fclose(out) != 0) {
        fprintf(stderr, "patchlevel: %s: cannot write the report: %s\n", o.output,
                strerror(errno));
        status = EXIT_INPUT_FAILED;
    }
    xmlCleanupParser();
    pl_catalog_free(&cat);
    pl_options_free(&o);
    return status;
}
