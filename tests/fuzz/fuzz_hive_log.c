/* libFuzzer target: transaction-log replay (pl_hive_recover) followed by
 * opening and reading the recovered hive.
 *
 * Input layout: a 4-byte little-endian header H, then the hive, then the
 * log data. H & 0x7fffffff is the hive's length (clamped to what is there);
 * when bit 31 of H is set the log data is split in two halves, given as
 * NAME.LOG1 and NAME.LOG2 (the seeds of make-seeds.sh use this for the
 * two-log new-format fixture), else it is one log, NAME.LOG. Empty logs are
 * passed too (Vista leaves 0-byte logs).
 *
 * Properties checked (hive_log.h): the result never exceeds
 * PL_MAX_HIVE_BYTES; a clean hive is left alone; a recovered hive is clean
 * (seq1 == seq2, valid checksum); a dirty hive that was not recovered is
 * returned byte for byte as it was. */
#include <stdlib.h>
#include <string.h>

#include "evidence/evidence_internal.h"
#include "evidence/hive.h"
#include "evidence/hive_log.h"
#include "fuzz_common.h"
#include "util/limits.h"

static void read_hive(const uint8_t *data, size_t len)
{
    pl_hive hive;
    pl_err err;
    if (pl_hive_open_mem(data, len, &hive, &err) != 0)
        return;
    pl_installation inst;
    memset(&inst, 0, sizeof inst);
    pl_read_software_values(&hive, &inst);
    pl_read_cbs_packages(&hive, &inst);
    pl_read_cbs_pending(&hive, &inst);
    pl_installation_free(&inst);
    pl_hive_close(&hive);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint32_t h = pl_le32(data);
    data += 4;
    size -= 4;
    size_t hive_len = h & 0x7fffffffu;
    if (hive_len > size)
        hive_len = size;
    const uint8_t *log = data + hive_len;
    size_t log_len = size - hive_len;

    pl_hive_log logs[2];
    size_t nlogs;
    if (h & 0x80000000u) {
        size_t half = log_len / 2;
        logs[0] = (pl_hive_log){"SOFTWARE.LOG1", log, half};
        logs[1] = (pl_hive_log){"SOFTWARE.LOG2", log + half, log_len - half};
        nlogs = 2;
    } else {
        logs[0] = (pl_hive_log){"SOFTWARE.LOG", log, log_len};
        nlogs = 1;
    }

    /* The hive must be malloc'd: recovery may realloc or replace it. The
     * logs are copied too so that reads past them are caught by ASan. */
    uint8_t *buf = malloc(hive_len ? hive_len : 1);
    FUZZ_CHECK(buf);
    memcpy(buf, data, hive_len);
    uint8_t *logcopy[2] = {NULL, NULL};
    for (size_t i = 0; i < nlogs; i++) {
        logcopy[i] = malloc(logs[i].len ? logs[i].len : 1);
        FUZZ_CHECK(logcopy[i]);
        memcpy(logcopy[i], logs[i].data, logs[i].len);
        logs[i].data = logcopy[i];
    }
    size_t len = hive_len;
    uint32_t s1, s2;
    int dirty = pl_hive_is_dirty(buf, len, &s1, &s2);

    pl_hive_recovery rec;
    pl_err err = {0};
    int rc = pl_hive_recover(&buf, &len, logs, nlogs, &rec, &err);
    if (dirty < 0) {
        FUZZ_CHECK(rc == -1);
    } else {
        FUZZ_CHECK(rc == 0);
        FUZZ_CHECK(rec.dirty == dirty);
        FUZZ_CHECK(rec.seq1 == s1 && rec.seq2 == s2);
        FUZZ_CHECK(len <= PL_MAX_HIVE_BYTES);
        if (!dirty)
            FUZZ_CHECK(!rec.recovered && len == hive_len && memcmp(buf, data, len) == 0);
        if (rec.recovered) {
            FUZZ_CHECK(rec.log_used != NULL && rec.log_format != NULL);
            uint32_t n1, n2;
            FUZZ_CHECK(pl_hive_is_dirty(buf, len, &n1, &n2) == 0);
        } else if (dirty) {
            FUZZ_CHECK(len == hive_len && memcmp(buf, data, len) == 0);
        }
        if (dirty)
            FUZZ_CHECK(rec.detail != NULL);
        read_hive(buf, len);
    }
    pl_hive_recovery_free(&rec);
    free(buf);
    for (size_t i = 0; i < nlogs; i++)
        free(logcopy[i]);
    return 0;
}
