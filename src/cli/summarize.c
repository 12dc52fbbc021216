/* patchlevel summarize: options, reading the JSONL result files line by
 * line within the limits, and writing the summary (report/summary.h does
 * the counting and the formats). */
#include "cli/summarize.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <patchlevel.h>

#include "cli/outputs.h"
#include "util/recovery.h"
#include "util/limits.h"
#include "util/escape.h"

enum { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_UNREADABLE = 3 };

typedef struct {
    enum patchlevel_summary_format format;
    const char *output;
    int help;
    char **files;
    int nfiles;
} summarize_options;

static void usage(FILE *out)
{
    fputs("Usage: patchlevel summarize [OPTIONS] RESULTS.jsonl...\n"
          "Summarize earlier 'patchlevel -f jsonl' results over a fleet: inputs analyzed\n"
          "and failed, build 6003 verdicts, pending reboots, the release month of the\n"
          "newest monthly rollup installed, how many rollups behind, operating systems,\n"
          "the security level month, the channel the updates prove, what the next steps\n"
          "ask for (needs SSU, SHA-2, ESU licensing, a reboot; current for its channel);\n"
          "then every installation: input, computer, domain, roles, OS, verdict,\n"
          "security level (or newest rollup), rollups behind, reboot, next step, errors;\n"
          "the failed inputs and the NT 6.0 installations not at 6003; and the\n"
          "provenance (this summary's version and time; the tool, libraries, options,\n"
          "catalog and analysis times of the results read).\n"
          "\n"
          "Computer, domain and roles come from the results' identity and roles (written\n"
          "since patchlevel records them; the computer name also from os.computer_name):\n"
          "'not recorded' when a result lacks them, 'not determined' when it holds null,\n"
          "roles 'none found' when the list is empty.\n"
          "\n"
          "The files are read in order; '-' reads standard input. When an input appears\n"
          "on several lines (a resumed run), its last line counts. A truncated last line\n"
          "(a run that was stopped) and lines that are not results are skipped with a\n"
          "warning; a file with lines but not one result is an error.\n"
          "\n"
          "Options:\n"
          "  -f, --format FORMAT  text (default), csv, html or json\n"
          "  -o, --output FILE    write the summary to FILE instead of standard output\n"
          "                       (never one of the RESULTS files: refused, exit 2)\n"
          "  -h, --help           show this help and exit\n"
          "\n"
          "Formats:\n"
          "  text  aligned sections, a table of the installations (the first 1000,\n"
          "        then '... and N more'), the lists and the provenance\n"
          "  csv   a header 'section,key,count,input,location,computer,...' and one row\n"
          "        per count (sections files, inputs, installations, verdict,\n"
          "        rollup_month, rollups_behind, os, security_month, channel, next_step;\n"
          "        the installation columns empty), then one row per installation\n"
          "        (section 'installation', key 1, 2, ..., count empty) with the columns\n"
          "        input, location, computer, dns_hostname, domain, roles, product,\n"
          "        edition, arch, verdict, security_level, rollups_behind,\n"
          "        reboot_required, next_step, errors, tool, catalog, catalog_sha256,\n"
          "        analyzed_at\n"
          "  html  one self-contained page: a table of every installation (up to 20000;\n"
          "        a click on a heading sorts it, a filter box hides rows without the\n"
          "        typed words; without JavaScript the same table, unsorted), views\n"
          "        grouped by verdict, by role and by next step, cards and bar charts of\n"
          "        the counts, the lists, and a footer with the provenance. Nothing is\n"
          "        fetched; its Content-Security-Policy allows only its own inline style\n"
          "        and script, by their SHA-256\n"
          "  json  one object (schema \"patchlevel-summary/1\"): the csv's counts by\n"
          "        section, \"provenance\", \"per_installation\" (every installation,\n"
          "        null where unknown), \"failed_inputs\", \"no_installation_inputs\"\n"
          "\n"
          "SOURCE_DATE_EPOCH, when set, is the summary's date (reproducible output).\n"
          "\n"
          "Exit status: 0 summarized; 2 usage error; 3 a results file could not be read\n"
          "(the others are still summarized) or the summary could not be written.\n",
          out);
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "patchlevel: summarize: %s%s%s\n", msg, arg ? ": " : "", arg ? pl_esc(arg) : "");
    fputs("Try 'patchlevel summarize --help' for more information.\n", stderr);
    return EXIT_USAGE;
}

/* -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, summarize_options *o)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (patchlevel_summary_format_parse(optarg, &o->format) != PATCHLEVEL_OK)
                return usage_error("unknown format (use text, csv, html or json)", optarg);
            break;
        case 'o': o->output = optarg; break;
        case 'h': o->help = 1; break;
        case ':': return usage_error("option needs an argument", argv[optind - 1]);
        default: return usage_error("unknown option", argv[optind - 1]);
        }
    }
    if (o->help) {
        usage(stdout);
        return EXIT_OK;
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;
    return o->nfiles ? -1 : usage_error("no results file given", NULL);
}

/* ---- reading lines ---------------------------------------------------- */

/* One line at a time, never holding more than PL_MAX_RESULT_LINE_BYTES:
 * the rest of a longer line is read and dropped (too_long). */
typedef struct {
    FILE *f;
    char *buf;
    size_t len, cap;
    int complete;      /* it ended in a newline */
    int too_long;
} line_reader;

static void append(line_reader *r, char c)
{
    if (r->len == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 65536;
        if (r->cap > PL_MAX_RESULT_LINE_BYTES)
            r->cap = PL_MAX_RESULT_LINE_BYTES;
        r->buf = pl_xrealloc(r->buf, r->cap);
    }
    r->buf[r->len++] = c;
}

/* 1 a line, 0 the end, -1 a read error (errno set). */
static int read_line(line_reader *r)
{
    r->len = 0;
    r->complete = r->too_long = 0;
    int c;
    while ((c = getc_unlocked(r->f)) != EOF) {
        if (c == '\n') {
            r->complete = 1;
            return 1;
        }
        if (r->len == PL_MAX_RESULT_LINE_BYTES)
            r->too_long = 1;
        else
            append(r, (char)c);
    }
    if (ferror(r->f))
        return -1;
    return r->len > 0;
}

/* How one file's lines went: to bound its warnings (a disk image given
 * by mistake would print one per "line") and to tell a results file from
 * something else. */
typedef struct {
    const char *name;
    size_t lineno, used, skipped;
    int truncated_tail;     /* the only excuse for a file without a result */
} file_state;

/* Warnings printed per file; the rest are counted in one last line. */
enum { MAX_WARNINGS_PER_FILE = 10 };

static void skipped(file_state *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void skipped(file_state *fs, const char *fmt, ...)
{
    if (fs->skipped++ >= MAX_WARNINGS_PER_FILE)
        return;
    /* The message may quote a results line: escaped like the file name. */
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "patchlevel: summarize: %s:%zu: %s\n", pl_esc(fs->name), fs->lineno,
            pl_esc(msg));
}

/* Out of memory in the library: the program cannot go on either. */
static void must(enum patchlevel_error rc)
{
    if (rc != PATCHLEVEL_OK)
        pl_out_of_memory(0);
}

static void one_line(patchlevel_summary *s, file_state *fs, const line_reader *r)
{
    if (r->too_long) {
        must(patchlevel_summary_skip_line(s));
        skipped(fs, "line longer than %llu bytes (PL_MAX_RESULT_LINE_BYTES) skipped",
                (unsigned long long)PL_MAX_RESULT_LINE_BYTES);
        return;
    }
    enum patchlevel_line_status st;
    must(patchlevel_summary_add_line(s, r->buf, r->len, r->complete, &st));
    if (st == PATCHLEVEL_LINE_USED)
        fs->used++;
    if (st != PATCHLEVEL_LINE_SKIPPED)
        return;
    skipped(fs, "%s", patchlevel_summary_message(s));
    fs->truncated_tail = !r->complete;
}

/* 0, or -1 when the file is not a results file (lines, none a result). */
static int file_verdict(const file_state *fs)
{
    if (fs->skipped > MAX_WARNINGS_PER_FILE)
        fprintf(stderr, "patchlevel: summarize: %s: %zu more lines skipped (not shown)\n",
                pl_esc(fs->name), fs->skipped - MAX_WARNINGS_PER_FILE);
    if (fs->used || fs->skipped <= (size_t)fs->truncated_tail)
        return 0;
    fprintf(stderr, "patchlevel: summarize: %s: not a results file: no line is a "
                    "patchlevel/1 result (write one with 'patchlevel -f jsonl')\n",
            pl_esc(fs->name));
    return -1;
}

/* Feed every line of f to s. 0, or -1 when the file could not be read to
 * its end (the lines before still count) or is not a results file. */
static int read_results(patchlevel_summary *s, FILE *f, const char *name)
{
    line_reader r = {.f = f};
    file_state fs = {.name = name};
    int rc, status = 0;
    while ((rc = read_line(&r)) == 1) {
        fs.lineno++;
        if (patchlevel_summary_line_count(s) >= PL_MAX_RESULT_LINES) {
            fprintf(stderr, "patchlevel: summarize: %s:%zu: more than %d result lines in all "
                            "(PL_MAX_RESULT_LINES): the rest is not summarized\n",
                    pl_esc(name), fs.lineno, PL_MAX_RESULT_LINES);
            status = -1;
            break;
        }
        one_line(s, &fs, &r);
    }
    if (rc < 0) {
        fprintf(stderr, "patchlevel: summarize: %s: cannot read: %s\n", pl_esc(name), strerror(errno));
        status = -1;
    }
    free(r.buf);
    if (file_verdict(&fs) != 0)
        status = -1;
    return status;
}

static int read_file(patchlevel_summary *s, const char *path)
{
    if (strcmp(path, "-") == 0)
        return read_results(s, stdin, "standard input");
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "patchlevel: summarize: %s: cannot open: %s\n", pl_esc(path), strerror(errno));
        return -1;
    }
    int rc = read_results(s, f, path);
    fclose(f);
    return rc;
}

/* ---- writing ---------------------------------------------------------- */

/* The results files: no summary may be written over one. */
static void results_files(const summarize_options *o, pl_fileset *set)
{
    for (int i = 0; i < o->nfiles; i++)
        if (strcmp(o->files[i], "-") != 0)
            pl_fileset_add(set, o->files[i]);
}

/* The output is opened only now, after every file was read, and never
 * over one of the results files (pl_output_open checks it again on the
 * descriptor before emptying it). */
static int write_summary(const summarize_options *o, const patchlevel_summary *s,
                         const pl_fileset *inputs)
{
    FILE *out = stdout;
    if (o->output) {
        pl_err err = {0};
        int fd = pl_output_open(o->output, PL_OUT_REPLACE, inputs, &err);
        if (fd < 0 || !(out = fdopen(fd, "w"))) {
            fprintf(stderr, "patchlevel: summarize: %s\n",
                    fd < 0 ? pl_esc(err.msg) : strerror(errno));
            if (fd >= 0)
                close(fd);
            return EXIT_USAGE;
        }
    }
    char *text = NULL;
    size_t len = 0;
    must(patchlevel_summary_render(s, o->format, &text, &len));
    int failed = fwrite(text, 1, len, out) != len || fflush(out) != 0;
    patchlevel_free(text);
    if (out != stdout && fclose(out) != 0)
        failed = 1;
    if (failed) {
        fprintf(stderr, "patchlevel: summarize: %s: cannot write the summary: %s\n",
                o->output ? pl_esc(o->output) : "standard output", strerror(errno));
        return EXIT_UNREADABLE;
    }
    return EXIT_OK;
}

int pl_summarize_main(int argc, char **argv)
{
    summarize_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;
    pl_fileset inputs = {0};
    results_files(&o, &inputs);
    pl_err err = {0};
    if (o.output && pl_output_check(o.output, &inputs, &err) != 0) {
        fprintf(stderr, "patchlevel: summarize: %s\n", pl_esc(err.msg));
        pl_fileset_free(&inputs);
        return EXIT_USAGE;
    }
    patchlevel_summary *s = NULL;
    must(patchlevel_summary_new(&s));
    int files_failed = 0;
    for (int i = 0; i < o.nfiles; i++) {
        int failed = read_file(s, o.files[i]) != 0;
        must(patchlevel_summary_add_file(s, failed));
        files_failed += failed;
    }
    must(patchlevel_summary_finish(s));
    int status = write_summary(&o, s, &inputs);
    pl_fileset_free(&inputs);
    if (status == EXIT_OK && files_failed)
        status = EXIT_UNREADABLE;
    patchlevel_summary_free(s);
    return status;
}
