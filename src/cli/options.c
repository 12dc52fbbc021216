/* Command-line options. Keep --help, the man page (man/patchlevel.1) and
 * this table in step. */
#include "cli/options.h"

#include <getopt.h>
#include <string.h>

enum { OPT_REQUIRE_6003 = 256, OPT_PARENT, OPT_CATALOG };

static const struct option long_options[] = {
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"require-6003", no_argument, NULL, OPT_REQUIRE_6003},
    {"parent", required_argument, NULL, OPT_PARENT},
    {"catalog", required_argument, NULL, OPT_CATALOG},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

void pl_options_usage(FILE *out)
{
    fputs("Usage: patchlevel [OPTIONS] PATH...\n"
          "Inspect Windows installations in offline images without booting them, and\n"
          "decide whether Windows Server 2008 SP2 / Vista SP2 is at build 6003.\n"
          "\n"
          "PATH is a disk image (raw/dd, E01, VHD, VHDX, VMDK, qcow2, including\n"
          "differencing disks and overlays with their parents), a bare NTFS volume, a\n"
          "directory holding a Windows tree, a WIM / ESD / split WIM (first .swm part),\n"
          "or a bare SOFTWARE registry hive. The kind is detected from the content, not\n"
          "the name. Images are only ever read.\n"
          "\n"
          "Options:\n"
          "  -f, --format FORMAT  text (default), json, jsonl or csv\n"
          "  -o, --output FILE    write the report to FILE instead of standard output\n"
          "      --require-6003   exit 1 unless every installation found is at build 6003\n"
          "                       (an input with no installation fails the check)\n"
          "      --catalog FILE   the update catalog (CSV) to judge rollups by, instead\n"
          "                       of the one shipped with patchlevel\n"
          "      --parent FILE    a parent (backing) disk for a differencing disk or\n"
          "                       overlay, tried after the locators; may be repeated\n"
          "  -q, --quiet          do not print per-input errors on standard error\n"
          "  -v, --verbose        text: list every package and the bytes read\n"
          "  -h, --help           show this help and exit\n"
          "  -V, --version        show the version and the libraries used, and exit\n"
          "\n"
          "Exit status: 0 every input analyzed; 1 --require-6003 failed; 2 usage error;\n"
          "3 at least one input could not be analyzed (the others still were).\n"
          "See patchlevel(1) for the report fields.\n",
          out);
}

static int usage_error(FILE *err, const char *msg, const char *arg)
{
    fprintf(err, "patchlevel: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    fputs("Try 'patchlevel --help' for more information.\n", err);
    return 2;
}

int pl_options_parse(int argc, char **argv, pl_options *o, FILE *err)
{
    memset(o, 0, sizeof *o);
    o->format = PL_FMT_TEXT;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":f:o:qvhV", long_options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (pl_format_parse(optarg, &o->format) != 0)
                return usage_error(err, "unknown format (use text, json, jsonl or csv)", optarg);
            break;
        case 'o': o->output = optarg; break;
        case OPT_REQUIRE_6003: o->require_6003 = 1; break;
        case OPT_PARENT: pl_strlist_push(&o->parents, optarg); break;
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
    return 0;
}

void pl_options_free(pl_options *o)
{
    pl_strlist_free(&o->parents);
}
