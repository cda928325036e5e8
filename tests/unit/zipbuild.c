#include "config.h"

#include "zipbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_END64 0x06064b50u
#define SIG_END64_LOCATOR 0x07064b50u

#define DOS_TIME 0x6000u /* 12:00:00 */
#define DOS_DATE 0x5821u /* 2024-01-01 */

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "zipbuild: out of memory\n");
        abort();
    }
    return p;
}

/* A growable output buffer. */
struct buf {
    unsigned char *p;
    size_t len, cap;
};

static void buf_reserve(struct buf *b, size_t more)
{
    if (b->len + more <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more)
        cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (p == NULL) {
        fprintf(stderr, "zipbuild: out of memory\n");
        abort();
    }
    b->p = p;
    b->cap = cap;
}

static void put_bytes(struct buf *b, const void *data, size_t len)
{
    buf_reserve(b, len);
    if (len > 0)
        memcpy(b->p + b->len, data, len);
    b->len += len;
}

static void put_fill(struct buf *b, unsigned char c, size_t len)
{
    if (len == 0)
        return;
    buf_reserve(b, len);
    memset(b->p + b->len, c, len);
    b->len += len;
}

static void put16(struct buf *b, uint16_t v)
{
    buf_reserve(b, 2);
    zb_put16(b->p + b->len, v);
    b->len += 2;
}

static void put32(struct buf *b, uint32_t v)
{
    buf_reserve(b, 4);
    zb_put32(b->p + b->len, v);
    b->len += 4;
}

static void put64(struct buf *b, uint64_t v)
{
    buf_reserve(b, 8);
    zb_put64(b->p + b->len, v);
    b->len += 8;
}

void zb_put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)(v >> 8);
}

void zb_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

void zb_put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

uint16_t zb_get16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

uint32_t zb_get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

unsigned char *zb_dup(const unsigned char *data, size_t len)
{
    unsigned char *p = xmalloc(len);
    if (len > 0)
        memcpy(p, data, len);
    return p;
}

unsigned char *zb_deflate(const unsigned char *data, size_t len, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        fprintf(stderr, "zipbuild: deflateInit2 failed\n");
        abort();
    }
    size_t cap = deflateBound(&z, (uLong)len) + 16;
    unsigned char *out = xmalloc(cap);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        fprintf(stderr, "zipbuild: deflate failed\n");
        abort();
    }
    *outlen = z.total_out;
    deflateEnd(&z);
    return out;
}

struct zb *zb_new(void)
{
    struct zb *zb = xmalloc(sizeof *zb);
    memset(zb, 0, sizeof *zb);
    return zb;
}

void zb_free(struct zb *zb)
{
    if (zb == NULL)
        return;
    for (size_t i = 0; i < zb->count; i++) {
        free(zb->entries[i].name);
        free(zb->entries[i].data);
    }
    free(zb);
}

struct zb_entry *zb_add(struct zb *zb, const char *name, const void *data, size_t len,
                        uint16_t method)
{
    if (zb->count == ZB_MAX_ENTRIES) {
        fprintf(stderr, "zipbuild: more than %d entries\n", ZB_MAX_ENTRIES);
        abort();
    }
    struct zb_entry *e = &zb->entries[zb->count++];
    memset(e, 0, sizeof *e);
    e->name = (char *)zb_dup((const unsigned char *)name, strlen(name) + 1);
    e->data = zb_dup(data, len);
    e->len = len;
    e->method = method;
    return e;
}

struct zb_entry *zb_add_str(struct zb *zb, const char *name, const char *text, uint16_t method)
{
    return zb_add(zb, name, text, strlen(text), method);
}

/* What one entry's headers record (after the damage hooks). */
struct recorded {
    uint16_t flags, method;
    uint32_t crc;
    uint64_t size, csize, offset;
};

static void write_zip64_extra(struct buf *b, const struct zb_entry *e, const struct recorded *r,
                              int central)
{
    /* The local header carries sizes only; the central header sizes and offset. */
    if (e->zip64_only_offset) {
        if (!central)
            return;
        put16(b, 0x0001);
        put16(b, 8);
        put64(b, r->offset);
        return;
    }
    switch (e->zip64_extra) {
    case ZB_ZIP64_EXTRA_MISSING:
        return;
    case ZB_ZIP64_EXTRA_SHORT:
        put16(b, 0x0001);
        put16(b, 8);
        put64(b, r->size);
        return;
    case ZB_ZIP64_EXTRA_OVERLONG:
        put16(b, 0x0001);
        put16(b, central ? 200 : 16);
        put64(b, r->size);
        put64(b, r->csize);
        return;
    case ZB_ZIP64_EXTRA_OK:
        break;
    }
    put16(b, 0x0001);
    put16(b, central ? 24 : 16);
    put64(b, r->size);
    put64(b, r->csize);
    if (central)
        put64(b, r->offset);
}

static size_t zip64_extra_len(const struct zb_entry *e, int central)
{
    if (!e->zip64)
        return 0;
    if (e->zip64_only_offset)
        return central ? 12 : 0;
    switch (e->zip64_extra) {
    case ZB_ZIP64_EXTRA_MISSING: return 0;
    case ZB_ZIP64_EXTRA_SHORT: return 12;
    case ZB_ZIP64_EXTRA_OVERLONG: return 20;
    case ZB_ZIP64_EXTRA_OK: break;
    }
    return central ? 28 : 20;
}

/* The fields a local header and its central directory entry share, from "version needed"
 * to the uncompressed size. */
static void put_shared_fields(struct buf *b, const struct zb_entry *e, const struct recorded *r, int zip64_sizes)
{
    put16(b, e->zip64 ? 45 : 20);
    put16(b, r->flags);
    put16(b, r->method);
    put16(b, DOS_TIME);
    put16(b, DOS_DATE);
    put32(b, r->crc);
    put32(b, zip64_sizes ? 0xffffffffu : (uint32_t)r->csize);
    put32(b, zip64_sizes ? 0xffffffffu : (uint32_t)r->size);
}

unsigned char *zb_build(struct zb *zb, size_t *len)
{
    struct buf b = {NULL, 0, 0};
    struct recorded rec[ZB_MAX_ENTRIES];
    unsigned char *payload[ZB_MAX_ENTRIES];

    put_fill(&b, 'J', zb->prefix_len);

    /* Local headers and data. */
    for (size_t i = 0; i < zb->count; i++) {
        struct zb_entry *e = &zb->entries[i];
        struct recorded *r = &rec[i];
        size_t plen;
        if (e->method == ZB_DEFLATED) {
            payload[i] = zb_deflate(e->data, e->len, &plen);
        } else {
            payload[i] = zb_dup(e->data, e->len);
            plen = e->len;
        }
        if (e->corrupt_data)
            memset(payload[i], 0xff, plen);
        e->crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), e->data, (uInt)e->len);
        e->csize = plen;
        e->local_offset = b.len;

        r->flags = (uint16_t)((e->encrypted ? 0x1 : 0) | e->extra_flags);
        r->method = e->has_record_method ? e->record_method : e->method;
        r->crc = e->bad_crc ? e->crc ^ 0x00010000u : e->crc;
        r->size = (uint64_t)((int64_t)e->len + e->size_adjust);
        r->csize = (uint64_t)((int64_t)plen + e->csize_adjust);
        r->offset = e->has_offset ? e->offset : e->local_offset;

        const char *lname = e->local_name != NULL ? e->local_name : e->name;
        int zip64_sizes = e->zip64 && !e->zip64_only_offset;
        put32(&b, SIG_LOCAL);
        put_shared_fields(&b, e, r, zip64_sizes);
        put16(&b, (uint16_t)strlen(lname));
        put16(&b, (uint16_t)zip64_extra_len(e, 0));
        put_bytes(&b, lname, strlen(lname));
        if (e->zip64)
            write_zip64_extra(&b, e, r, 0);
        e->data_offset = b.len;
        put_bytes(&b, payload[i], plen);
        free(payload[i]);
    }

    /* Central directory. */
    zb->cd_offset = b.len;
    for (size_t i = 0; i < zb->count; i++) {
        struct zb_entry *e = &zb->entries[i];
        const struct recorded *r = &rec[i];
        int zip64_sizes = e->zip64 && !e->zip64_only_offset;
        size_t comment_len = e->comment != NULL ? strlen(e->comment) : 0;
        e->central_offset = b.len;
        put32(&b, SIG_CENTRAL);
        put16(&b, 0x031e);                 /* made by: Unix, zip 3.0 */
        put_shared_fields(&b, e, r, zip64_sizes);
        put16(&b, (uint16_t)(strlen(e->name) + e->central_name_len_adjust));
        put16(&b, (uint16_t)(e->central_extra_len + zip64_extra_len(e, 1)));
        put16(&b, (uint16_t)comment_len);
        put16(&b, 0);                      /* disk number start */
        put16(&b, 0);                      /* internal attributes */
        put32(&b, 0100644u << 16);         /* external attributes: a regular file, rw-r--r-- */
        put32(&b, e->zip64 ? 0xffffffffu : (uint32_t)r->offset);
        put_bytes(&b, e->name, strlen(e->name));
        put_bytes(&b, e->central_extra, e->central_extra_len);
        if (e->zip64)
            write_zip64_extra(&b, e, r, 1);
        put_bytes(&b, e->comment, comment_len);
    }
    zb->cd_size = b.len - zb->cd_offset;

    uint64_t count = zb->has_count ? zb->count_value : zb->count;
    uint64_t cd_size = zb->has_cd_size ? zb->cd_size_value : zb->cd_size;
    uint64_t cd_offset = zb->has_cd_offset ? zb->cd_offset_value : zb->cd_offset;

    zb->end64_offset = zb->locator_offset = 0;
    if (zb->zip64) {
        zb->end64_offset = b.len;
        put32(&b, SIG_END64);
        put64(&b, 44);                     /* size of the rest of this record */
        put16(&b, 0x031e);
        put16(&b, 45);
        put32(&b, zb->disk_number);
        put32(&b, zb->cd_disk_number);
        put64(&b, count);                  /* entries on this disk */
        put64(&b, count);                  /* entries in total */
        put64(&b, cd_size);
        put64(&b, cd_offset);
        if (!zb->zip64_no_locator) {
            zb->locator_offset = b.len;
            put32(&b, SIG_END64_LOCATOR);
            put32(&b, 0);
            put64(&b, zb->has_end64_offset ? zb->end64_offset_value : zb->end64_offset);
            put32(&b, 1);
        }
    }

    size_t comment_len = zb->comment != NULL ? strlen(zb->comment) : 0;
    zb->end_offset = b.len;
    put32(&b, SIG_END);
    put16(&b, zb->disk_number);
    put16(&b, zb->cd_disk_number);
    put16(&b, zb->zip64 ? 0xffff : (uint16_t)count);
    put16(&b, zb->zip64 ? 0xffff : (uint16_t)count);
    put32(&b, zb->zip64 ? 0xffffffffu : (uint32_t)cd_size);
    put32(&b, zb->zip64 ? 0xffffffffu : (uint32_t)cd_offset);
    put16(&b, (uint16_t)comment_len);
    put_bytes(&b, zb->comment, comment_len);
    put_fill(&b, 'T', zb->trailing_len);

    /* Exactly len bytes, so that a read one past the end is caught by valgrind. */
    unsigned char *out = zb_dup(b.p, b.len);
    *len = b.len;
    free(b.p);
    return out;
}
