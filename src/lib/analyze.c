/* Analyzing one input end to end: open the source, find the installations
 * on each volume, gather their evidence, assess it. One input's failure is
 * recorded in its result and never stops the run. */
#include "lib/analyze.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "report/provenance.h"
#include "sources/container.h"
#include "sources/ewf_metadata.h"
#include "util/io_counter.h"
#include "util/limits.h"

/* Volumes examined per input: more partitions or images than anyone has. */
#define MAX_VOLUMES 4096

static pl_inst_result *new_installation(pl_input_result *r)
{
    r->insts = pl_xrealloc(r->insts, (r->ninsts + 1) * sizeof *r->insts);
    pl_inst_result *ir = &r->insts[r->ninsts++];
    memset(ir, 0, sizeof *ir);
    return ir;
}

/* What the evidence kinds are asked for (opt-in kinds such as compat_6002). */
static pl_evidence_options evidence_options(const pl_analysis_options *opt)
{
    return (pl_evidence_options){.find_6002 = opt->find_6002};
}

static void analyze_installation(const pl_volume *vol, const char *windows_dir,
                                 const pl_analysis_options *opt, pl_input_result *r)
{
    pl_inst_result *ir = new_installation(r);
    pl_evidence_options eo = evidence_options(opt);
    pl_collect_installation(vol, windows_dir, &eo, &ir->inst);
    pl_assess(&ir->inst, opt->catalog, &ir->assess);
}

/* A bare hive that does not open leaves nothing to report: that is an
 * error of the input, not a warning of an installation. */
static void analyze_bare_hive(const pl_volume *vol, const pl_analysis_options *opt,
                              pl_input_result *r)
{
    pl_installation inst;
    pl_evidence_options eo = evidence_options(opt);
    pl_collect_installation(vol, NULL, &eo, &inst);
    if (!inst.software_read) {
        pl_result_errorf(r, PL_ERR_CORRUPT, "cannot open the hive: %s",
                         inst.software_error ? inst.software_error : "unknown reason");
        pl_installation_free(&inst);
        return;
    }
    pl_inst_result *ir = new_installation(r);
    ir->inst = inst;
    pl_assess(&ir->inst, opt->catalog, &ir->assess);
}

/* How errors name a volume: "WIM image 2", "mbr partition 1", "volume". */
static char *volume_label(const pl_volume *vol)
{
    if (vol->loc.wim_image > 0)
        return pl_xasprintf("WIM image %d", vol->loc.wim_image);
    if (vol->loc.partition_number > 0)
        return pl_xasprintf("%s partition %d", vol->loc.partition_scheme,
                            vol->loc.partition_number);
    return pl_xstrdup("volume");
}

static void analyze_volume(const pl_volume *vol, const pl_analysis_options *opt,
                           pl_input_result *r)
{
    if (vol->hive_only) {
        analyze_bare_hive(vol, opt, r);
        return;
    }
    pl_strlist dirs = {0};
    pl_err err = {0};
    if (pl_find_windows_dirs(vol->fs, &dirs, &r->warnings, &err) != 0) {
        char *label = volume_label(vol);
        pl_result_errorf(r, err.code, "%s: cannot search for Windows: %s", label, err.msg);
        free(label);
    }
    for (size_t i = 0; i < dirs.len; i++)
        analyze_installation(vol, dirs.items[i], opt, r);
    pl_strlist_free(&dirs);
}

static void copy_strlist(pl_strlist *dst, const pl_strlist *src)
{
    for (size_t i = 0; i < src->len; i++)
        pl_strlist_push(dst, src->items[i]);
}

/* E01 inputs get their acquisition metadata, also one that could not be
 * opened as a disk (a cut set may still have its header sections): the
 * container is then asked of the bytes. */
static void read_acquisition(const char *input, int hash, pl_input_result *r)
{
    int e01 = r->container && strcmp(r->container, pl_container_ewf.name) == 0;
    struct stat sb;
    pl_err err = {0};
    if (!r->container && stat(input, &sb) == 0 && S_ISREG(sb.st_mode))
        e01 = pl_container_detect(input, &err) == &pl_container_ewf;
    if (!e01)
        return;
    r->acquisition = pl_xmalloc(sizeof *r->acquisition);
    pl_ewf_metadata_read(input, hash, r->acquisition);
}

/* Nothing failed and nothing was found: said once, here, in the same
 * words for every kind of input (a disk without Windows, a bare FAT
 * volume, a directory), so that every report format carries it. A
 * directory that holds images or trees was most likely meant for -r. */
static void note_none_found(pl_input_result *r)
{
    if (r->ninsts > 0 || r->errors.len > 0)
        return;
    if (strcmp(r->container, "dir") == 0 && pl_dir_holds_inputs(r->input))
        pl_notes_add(&r->warnings, PL_ERR_NOT_FOUND,
                     "no Windows installation found here; did you mean -r?");
    else
        pl_notes_add(&r->warnings, PL_ERR_NOT_FOUND, "no Windows installation found");
}

void pl_analyze_input(const char *input, const pl_analysis_options *opt, pl_input_result *r)
{
    memset(r, 0, sizeof *r);
    r->input = pl_xstrdup(input);
    r->catalog = opt->catalog;
    r->options = opt->result;
    r->analyzed_at = (int64_t)time(NULL);
    struct stat sb;
    int have = stat(input, &sb) == 0;
    r->input_size = have ? (int64_t)sb.st_size : -1;
    r->input_mtime = have ? (int64_t)sb.st_mtime : -1;
    pl_io_counter io;
    pl_io_counter_start(&io);
    pl_source *src = NULL;
    pl_err err = {0};
    if (pl_source_open(input, &opt->source, &src, &err) != 0) {
        pl_result_error(r, err.code, err.msg);
        uint64_t tried;
        if (pl_io_counter_read(&io, &tried))
            r->bytes_read = tried;
        /* An input that is not understood is still evidence to identify. */
        read_acquisition(input, opt->hash, r);
        if (opt->hash)
            pl_result_hash_inputs(r);
        return;
    }
    r->container = src->container;
    for (int n = 0; n < MAX_VOLUMES; n++) {
        pl_volume *vol = NULL;
        int rc = src->ops->next_volume(src, &vol, &err);
        if (rc == 0)
            break;
        if (rc < 0) {
            pl_result_error(r, err.code, err.msg);
            continue;
        }
        analyze_volume(vol, opt, r);
        r->bytes_read += vol->fs->bytes_read;
        pl_volume_free(vol);
    }
    /* Without /proc: disk images count what was read of the virtual disk,
     * the others the evidence bytes handed over. */
    if (src->image_bytes_read)
        r->bytes_read = *src->image_bytes_read;
    copy_strlist(&r->chain, &src->chain);
    pl_notes_copy(&r->warnings, &src->warnings);
    note_none_found(r);
    pl_source_close(src);
    uint64_t from_files;
    if (pl_io_counter_read(&io, &from_files))
        r->bytes_read = from_files;
    /* After the count: bytes_read is what the analysis read. */
    read_acquisition(input, opt->hash, r);
    if (opt->hash)
        pl_result_hash_inputs(r);
}
