/* The libvhdi calls the VHD and VHDX modules share: libvhdi opens both
 * formats, gives their identifiers and parent names, and reads
 * differencing disks through their parents (a VHD child may have a VHDX
 * parent and the other way round: both are libvhdi files). */
#include <libvhdi.h>
#include <stdlib.h>
#include <string.h>

#include "sources/container.h"

int pl_vhdi_open(pl_layer *l, pl_err *err)
{
    libvhdi_error_t *e = NULL;
    libvhdi_file_t *f = NULL;
    size64_t size = 0;
    if (libvhdi_file_initialize(&f, &e) != 1 ||
        libvhdi_file_open(f, l->path, LIBVHDI_OPEN_READ, &e) != 1 ||
        libvhdi_file_get_media_size(f, &size, &e) != 1) {
        PL_LIBYAL_ERR(libvhdi, e, err, "cannot open the VHD/VHDX");
        libvhdi_file_free(&f, NULL);
        return -1;
    }
    l->h = f;
    l->size = size;
    return 0;
}

ssize_t pl_vhdi_read(pl_layer *l, uint64_t off, void *buf, size_t len, pl_err *err)
{
    libvhdi_error_t *e = NULL;
    ssize_t r = libvhdi_file_read_buffer_at_offset(l->h, buf, len, (off64_t)off, &e);
    if (r < 0)
        PL_LIBYAL_ERR(libvhdi, e, err, "VHD/VHDX");
    return r;
}

/* 1 has a parent (hint filled), 0 none, -1 error */
int pl_vhdi_parent_hint(pl_layer *l, pl_parent_hint *hint,
                        int (*locators)(const char *path, pl_strlist *names, pl_err *err),
                        pl_err *err)
{
    uint32_t type = 0;
    if (libvhdi_file_get_disk_type(l->h, &type, NULL) != 1) {
        pl_err_setc(err, PL_ERR_IO, "cannot read the VHD disk type");
        return -1;
    }
    if (type != LIBVHDI_DISK_TYPE_DIFFERENTIAL)
        return 0;
    if (locators)
        locators(l->path, &hint->names, err);
    char *name = pl_libyal_utf8_name((void *)libvhdi_file_get_utf8_parent_filename_size,
                           (void *)libvhdi_file_get_utf8_parent_filename, l->h);
    if (name)
        pl_strlist_push_unique(&hint->names, name);
    free(name);
    hint->id_len = 16;
    hint->has_id = libvhdi_file_get_parent_identifier(l->h, hint->id, 16, NULL) == 1;
    return 1;
}

int pl_vhdi_identity(pl_layer *l, uint8_t id[16])
{
    return libvhdi_file_get_identifier(l->h, id, 16, NULL) == 1 ? 0 : -1;
}

int pl_vhdi_attach(pl_layer *child, pl_layer *parent)
{
    return libvhdi_file_set_parent_file(child->h, parent->h, NULL) == 1 ? 0 : -1;
}

void pl_vhdi_close(pl_layer *l)
{
    libvhdi_file_close(l->h, NULL);
    libvhdi_file_free((libvhdi_file_t **)&l->h, NULL);
}
