/* floor - the least work an analysis of a disk image can do, through the
 * library patchlevel uses (The Sleuth Kit): open the image and the NTFS
 * volume, then open each evidence file directly by its MFT record number
 * and read it whole. No directory is listed, no path resolved, nothing
 * parsed: the spec's "floor" (§6) that patchlevel on a disk image is
 * measured against (bench/bench-server.sh).
 *
 *   floor IMAGE OFFSET INODES
 *       IMAGE   a raw disk image (or anything tsk_img_open_sing opens)
 *       OFFSET  the byte offset of the NTFS volume in it
 *       INODES  a file of MFT record numbers, one a line (the evidence files:
 *               kernel, kernel32, SOFTWARE, SYSTEM, every .mum read; the
 *               benchmark finds them with ifind/fls before timing)
 *   prints "files N bytes B" (the bytes of file content read)
 *
 * Benchmark tool only: its input is the benchmark's own. */
#include <stdio.h>
#include <stdlib.h>
#include <tsk/libtsk.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: floor IMAGE OFFSET INODES\n");
        return 2;
    }
    TSK_IMG_INFO *img = tsk_img_open_sing(argv[1], TSK_IMG_TYPE_DETECT, 0);
    if (!img) {
        fprintf(stderr, "floor: %s: %s\n", argv[1], tsk_error_get());
        return 1;
    }
    TSK_FS_INFO *fs = tsk_fs_open_img(img, (TSK_OFF_T)strtoull(argv[2], NULL, 10), TSK_FS_TYPE_NTFS);
    if (!fs) {
        fprintf(stderr, "floor: NTFS at %s: %s\n", argv[2], tsk_error_get());
        return 1;
    }
    FILE *in = fopen(argv[3], "r");
    if (!in) {
        perror(argv[3]);
        return 1;
    }
    unsigned long long inum, total = 0, files = 0;
    size_t cap = 1 << 20;
    char *buf = malloc(cap);
    while (buf && fscanf(in, "%llu", &inum) == 1) {
        TSK_FS_FILE *f = tsk_fs_file_open_meta(fs, NULL, (TSK_INUM_T)inum);
        if (!f || !f->meta || f->meta->size < 0) {
            fprintf(stderr, "floor: MFT record %llu: %s\n", inum, tsk_error_get());
            return 1;
        }
        size_t size = (size_t)f->meta->size;
        if (size > cap) {
            cap = size;
            buf = realloc(buf, cap);
            if (!buf)
                break;
        }
        for (size_t got = 0; got < size;) {
            ssize_t r = tsk_fs_file_read(f, (TSK_OFF_T)got, buf + got, size - got,
                                         TSK_FS_FILE_READ_FLAG_NONE);
            if (r <= 0) {
                fprintf(stderr, "floor: MFT record %llu: short read\n", inum);
                return 1;
            }
            got += (size_t)r;
        }
        total += size;
        files++;
        tsk_fs_file_close(f);
    }
    if (!buf) {
        fprintf(stderr, "floor: out of memory\n");
        return 1;
    }
    printf("files %llu bytes %llu\n", files, total);
    free(buf);
    fclose(in);
    tsk_fs_close(fs);
    tsk_img_close(img);
    return 0;
}
