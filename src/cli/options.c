/* Command-line options. Keep --help, the man page (man/patchlevel.1) and
 * this table in step. */
#include "cli/options.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "util/escape.h"

enum {
    OPT_REQUIRE_6003 = 256,
    OPT_PARENT,
    OPT_CATALOG,
    OPT_TIMEOUT,
    OPT_RESUME,
    OPT_SHARD,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_RETRY_FAILED,
    OPT_FIND_6002,
    OPT_HASH,
    OPT_CSV_BOM,
};

/* Upper bounds that keep a typo from asking for something absurd. */
#define MAX_JOBS 1024
#define MAX_TIMEOUT (7u * 24 * 3600)
#define MAX_SHARDS 1000000u

static const struct option long_options[] = {
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"require-6003", no_argument, NULL, OPT_REQUIRE_6003},
    {"find-6002-checks", no_argument, NULL, OPT_FIND_6002},
    {"parent", required_argument, NULL, OPT_PARENT},
    {"hash", no_argument, NULL, OPT_HASH},
    {"csv-bom", no_argument, NULL, OPT_CSV_BOM},
    {"catalog", required_argument, NULL, OPT_CATALOG},
    {"recursive", no_argument, NULL, 'r'},
    {"jobs", required_argument, NULL, 'j'},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"resume", required_argument, NULL, OPT_RESUME},
    {"retry-failed", no_argument, NULL, OPT_RETRY_FAILED},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

void pl_options_usage(FILE *out)
{
    fputs("Usage: patchlevel [OPTIONS] PATH...\n"
          "  or:  patchlevel summarize [OPTIONS] RESULTS.jsonl...\n"
          "Inspect Windows installations in offline images without booting them, and\n"
          "decide whether Windows Server 2008 SP2 / Vista SP2 is at build 6003.\n"
          "'patchlevel summarize' reads the results of earlier '-f jsonl' runs and\n"
          "writes a fleet summary (text, csv, html or json; a table of every\n"
          "installation with its computer, domain, roles, verdict and next step):\n"
          "see 'patchlevel summarize --help'.\n"
          "\n"
          "PATH is a disk image (raw/dd, E01, VHD, VHDX, VMDK, qcow2, including\n"
          "differencing disks and overlays with their parents), a bare NTFS volume, a\n"
          "directory holding a Windows tree, a WIM / ESD / split WIM (first .swm part),\n"
          "or a bare SOFTWARE registry hive. The kind is detected from the content, not\n"
          "the name. Images are only ever read.\n"
          "\n"
          "Options:\n"
          "  -f, --format FORMAT  text (default), json, jsonl or csv; json is one object\n"
          "                       for one input, an array with -r or several inputs\n"
          "      --csv-bom        csv: start with UTF-8's byte-order mark, so that\n"
          "                       Excel reads non-ASCII names right\n"
          "  -o, --output FILE    write the report to FILE instead of standard output\n"
          "  -r, --recursive      find the images (by content) under directory PATHs;\n"
          "                       a chain's parents and a set's later parts are\n"
          "                       analyzed with their child / first part only\n"
          "  -j, --jobs N         analyze N inputs at once (default 1); each analysis\n"
          "                       runs in its own process\n"
          "      --timeout SECS   give up on an input after SECS seconds (an error\n"
          "                       for that input; the run goes on)\n"
          "      --resume FILE    skip the inputs already in the JSONL results FILE\n"
          "                       (same path, size and time) and append the rest to it;\n"
          "                       inputs whose run failed (crash, timeout, resources,\n"
          "                       interrupted) are analyzed again. FILE must be such a\n"
          "                       results file, or new or empty\n"
          "      --retry-failed   with --resume: also analyze again the inputs whose\n"
          "                       result has errors of the input (e.g. truncated)\n"
          "      --shard K/N      analyze only the K-th of N deterministic parts of the\n"
          "                       inputs (for spreading a run over machines)\n"
          "      --progress       show a progress bar on standard error\n"
          "      --no-progress    never show it (default: shown on a terminal)\n"
          "      --require-6003   exit 1 unless every installation found is at build 6003\n"
          "                       (an input with no installation fails the check)\n"
          "      --find-6002-checks  also scan each installation's script locations\n"
          "                       (Tasks, Group Policy scripts, Program Files,\n"
          "                       ProgramData, profiles, the volume root) and the\n"
          "                       scripts Run/RunOnce/services name for tests of\n"
          "                       build 6002 that break at 6003 (compat_6002)\n"
          "      --catalog FILE   the update catalog (CSV) to judge rollups by, instead\n"
          "                       of the one shipped with patchlevel\n"
          "      --parent FILE    a parent (backing) disk for a differencing disk or\n"
          "                       overlay, tried after the locators; may be repeated\n"
          "      --hash           also give the SHA-256 of every file of each input\n"
          "                       (each chain member, segment and part), streamed\n"
          "  -q, --quiet          do not print per-input errors on standard error\n"
          "  -v, --verbose        text: list every package and the bytes read\n"
          "  -h, --help           show this help and exit\n"
          "  -V, --version        show the version and the libraries used, and exit\n"
          "\n"
          "-o and --resume never write to a file the run reads (an input, an image -r\n"
          "found, a parent disk, segment, part or extent of one): that is refused\n"
          "before anything is written. SIGINT, SIGTERM and SIGHUP stop the workers,\n"
          "remove every temporary file, close the report and exit 128+signal.\n"
          "\n"
          "Exit status: 0 every input analyzed; 1 --require-6003 failed; 2 usage error\n"
          "(also an output that is an input); 3 at least one input could not be\n"
          "analyzed (the others still were).\n"
          "See patchlevel(1) for the report fields.\n",
          out);
}

/* A whole decimal number in [lo, hi]. */
static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    if (!s || !*s)
        return -1;
    unsigned long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || v > hi)
            return -1;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v < lo || v > hi)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int parse_shard(const char *s, unsigned *k, unsigned *n)
{
    const char *slash = strchr(s, '/');
    if (!slash || slash == s)
        return -1;
    char head[16];
    size_t len = (size_t)(slash - s);
    if (len >= sizeof head)
        return -1;
    memcpy(head, s, len);
    head[len] = '\0';
    return parse_uint(head, 1, MAX_SHARDS, k) == 0 && parse_uint(slash + 1, 1, MAX_SHARDS, n) == 0 &&
                   *k <= *n
               ? 0
               : -1;
}

static int usage_error(FILE *err, const char *msg, const char *arg)
{
    /* A typed argument can hold control characters (a pasted name). */
    fprintf(err, "patchlevel: %s%s%s\n", msg, arg ? ": " : "", arg ? pl_esc(arg) : "");
    fputs("Try 'patchlevel --help' for more information.\n", err);
    return 2;
}

int pl_options_parse(int argc, char **argv, pl_options *o, FILE *err)
{
    memset(o, 0, sizeof *o);
    o->format = PATCHLEVEL_FORMAT_TEXT;
    o->jobs = 1;
    o->progress = -1;
    int format_given = 0;
    unsigned u = 0;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":f:o:rj:qvhV", long_options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (patchlevel_format_parse(optarg, &o->format) != PATCHLEVEL_OK)
                return usage_error(err, "unknown format (use text, json, jsonl or csv)", optarg);
            format_given = 1;
            break;
        case 'r': o->recursive = 1; break;
        case 'j':
            if (parse_uint(optarg, 1, MAX_JOBS, &u) != 0)
                return usage_error(err, "--jobs takes a number from 1 to 1024", optarg);
            o->jobs = (int)u;
            break;
        case OPT_TIMEOUT:
            if (parse_uint(optarg, 1, MAX_TIMEOUT, &o->timeout) != 0)
                return usage_error(err, "--timeout takes a number of seconds from 1 to 604800",
                                   optarg);
            break;
        case OPT_RESUME: o->resume = optarg; break;
        case OPT_RETRY_FAILED: o->retry_failed = 1; break;
        case OPT_SHARD:
            if (parse_shard(optarg, &o->shard_k, &o->shard_n) != 0)
                return usage_error(err, "--shard takes K/N with 1 <= K <= N", optarg);
            break;
        case OPT_PROGRESS: o->progress = 1; break;
        case OPT_NO_PROGRESS: o->progress = 0; break;
        case 'o': o->output = optarg; break;
        case OPT_REQUIRE_6003: o->require_6003 = 1; break;
        case OPT_FIND_6002: o->find_6002 = 1; break;
        case OPT_HASH: o->hash = 1; break;
        case OPT_CSV_BOM: o->csv_bom = 1; break;
        case OPT_PARENT:
            /* A parent that is not there would only be skipped as a
             * candidate, and the child then fail for another reason. */
            if (access(optarg, F_OK) != 0)
                return usage_error(err, "--parent names a file that does not exist", optarg);
            pl_strlist_push(&o->parents, optarg);
            break;
        case OPT_CATALOG: o->catalog = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'v': o->verbose = 1; break;
        case 'h': o->help = 1; break;
        case 'V': o->version = 1; break;
        case ':': return usage_error(err, "option needs an argument", argv[optind - 1]);
        default: return usage_error(err, "unknown option", argv[optind - 1]);
        }
    }
    o->inputs = argv + optind;
    o->ninputs = argc - optind;
    if (!o->help && !o->version && o->ninputs == 0)
        return usage_error(err, "no input given", NULL);
    if (o->resume) {
        /* Resuming appends JSON lines to the file it read. */
        if (format_given && o->format != PATCHLEVEL_FORMAT_JSONL)
            return usage_error(err, "--resume works with -f jsonl only", NULL);
        if (o->output && strcmp(o->output, o->resume) != 0)
            return usage_error(err, "--resume appends to its FILE: -o must name the same file",
                               o->output);
        o->format = PATCHLEVEL_FORMAT_JSONL;
    } else if (o->retry_failed) {
        return usage_error(err, "--retry-failed works with --resume only", NULL);
    }
    return 0;
}

void pl_options_free(pl_options *o)
{
    pl_strlist_free(&o->parents);
}
