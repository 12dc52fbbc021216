/* The one list of container modules, and detection by bidding over it.
 * A new format: its module file, and one line here (doc/containers.md). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/container.h"

const pl_container_ops *const pl_containers[] = {
    &pl_container_raw,
    &pl_container_ewf,
    &pl_container_vhd,
    &pl_container_vhdx,
    &pl_container_vmdk,
    &pl_container_qcow,
    NULL,
};

/* Highest bid wins; of equal bids the one listed first. */
const pl_container_ops *pl_container_bid(const pl_container_bytes *b)
{
    const pl_container_ops *best = NULL;
    int best_bid = PL_BID_NONE;
    for (size_t i = 0; pl_containers[i]; i++) {
        int bid = pl_containers[i]->bid(b);
        if (bid > best_bid) {
            best = pl_containers[i];
            best_bid = bid;
        }
    }
    return best;
}

const pl_container_ops *pl_container_detect(const char *path, pl_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        pl_err_setc(err, PL_ERR_IO, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat sb;
    uint8_t head[PL_CONTAINER_HEAD] = {0}, tail[512] = {0};
    ssize_t got = fstat(fd, &sb) == 0 ? pread(fd, head, sizeof head, 0) : -1;
    pl_container_bytes b = {.head = head, .head_len = got > 0 ? (size_t)got : 0};
    /* The trailer only of a file that fills the head: a shorter one is no
     * fixed VHD (a footer and at least one sector of data). */
    if (got >= PL_CONTAINER_TAIL_MIN &&
        pread(fd, tail, sizeof tail, (off_t)sb.st_size - 512) == (ssize_t)sizeof tail)
        b.tail = tail;
    close(fd);
    return got > 0 ? pl_container_bid(&b) : NULL;
}

const pl_container_ops *pl_container_by_name(const char *name)
{
    for (size_t i = 0; pl_containers[i]; i++)
        if (strcmp(pl_containers[i]->name, name) == 0)
            return pl_containers[i];
    return NULL;
}
