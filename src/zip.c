#include "config.h"

#include "zip.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_END64 0x06064b50u
#define SIG_END64_LOCATOR 0x07064b50u

#define END_SIZE 22
#define END64_LOCATOR_SIZE 20
#define END64_SIZE 56
#define CENTRAL_SIZE 46
#define LOCAL_SIZE 30
#define MAX_COMMENT 0xffff

/* Deflate cannot expand data by more than about 1032:1; a larger claimed size is a lie that
 * would only make us allocate memory. And no file in a pip wheel comes near this cap. */
#define MAX_INFLATE_RATIO 1032u
#define MAX_ENTRY_SIZE ((uint64_t)256 << 20)

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/* True if [offset, offset + len) lies inside a buffer of the given size. */
static int in_bounds(uint64_t offset, uint64_t len, size_t size)
{
    return offset <= size && len <= size - offset;
}

struct directory {
    uint64_t count;
    uint64_t offset;
    uint64_t size;
};

static int find_directory(const unsigned char *data, size_t size, struct directory *dir,
                          char *err, size_t errlen)
{
    if (size < END_SIZE)
        return fail(err, errlen, "too short to be a zip archive (%zu bytes)", size);
    size_t lowest = size - END_SIZE > MAX_COMMENT ? size - END_SIZE - MAX_COMMENT : 0;
    size_t end = size - END_SIZE;
    for (;;) {
        if (le32(data + end) == SIG_END && end + END_SIZE + le16(data + end + 20) == size)
            break;
        if (end == lowest)
            return fail(err, errlen, "no end of central directory record: not a zip archive, or truncated");
        end--;
    }
    const unsigned char *e = data + end;
    if (le16(e + 4) != 0 || le16(e + 6) != 0)
        return fail(err, errlen, "multi-part zip archives are not supported");
    dir->count = le16(e + 10);
    dir->size = le32(e + 12);
    dir->offset = le32(e + 16);
    if (dir->count == 0xffff || dir->size == 0xffffffffu || dir->offset == 0xffffffffu) {
        if (end < END64_LOCATOR_SIZE || le32(e - END64_LOCATOR_SIZE) != SIG_END64_LOCATOR)
            return fail(err, errlen, "zip64 archive without its end of central directory locator");
        uint64_t end64 = le64(e - END64_LOCATOR_SIZE + 8);
        if (!in_bounds(end64, END64_SIZE, size) || le32(data + end64) != SIG_END64)
            return fail(err, errlen, "zip64 end of central directory record out of place");
        dir->count = le64(data + end64 + 32);
        dir->size = le64(data + end64 + 40);
        dir->offset = le64(data + end64 + 48);
    }
    if (!in_bounds(dir->offset, dir->size, size))
        return fail(err, errlen, "central directory (offset %llu, %llu bytes) lies outside the archive",
                    (unsigned long long)dir->offset, (unsigned long long)dir->size);
    if (dir->count > dir->size / CENTRAL_SIZE)
        return fail(err, errlen, "central directory claims %llu entries but has room for %llu",
                    (unsigned long long)dir->count, (unsigned long long)(dir->size / CENTRAL_SIZE));
    return 0;
}

/* Applies a zip64 extended-information extra field: it carries the values that the fixed
 * header marks as 0xffffffff, in this order. */
static int apply_zip64_extra(struct zip_entry *entry, const unsigned char *extra, size_t len,
                             int need_size, int need_csize, int need_offset)
{
    while (len >= 4) {
        uint16_t id = le16(extra), n = le16(extra + 2);
        if (n > len - 4)
            return -1;
        if (id == 0x0001) {
            const unsigned char *p = extra + 4;
            size_t left = n;
            if (need_size) {
                if (left < 8) return -1;
                entry->size = le64(p), p += 8, left -= 8;
            }
            if (need_csize) {
                if (left < 8) return -1;
                entry->compressed_size = le64(p), p += 8, left -= 8;
            }
            if (need_offset) {
                if (left < 8) return -1;
                entry->local_header_offset = le64(p);
            }
            return 0;
        }
        extra += 4 + n;
        len -= 4 + (size_t)n;
    }
    return need_size || need_csize || need_offset ? -1 : 0;
}

static int read_entry(const unsigned char *data, size_t size, uint64_t *pos, uint64_t end,
                      struct zip_entry *entry, char *err, size_t errlen)
{
    if (!in_bounds(*pos, CENTRAL_SIZE, size) || *pos + CENTRAL_SIZE > end)
        return fail(err, errlen, "central directory entry at offset %llu is truncated",
                    (unsigned long long)*pos);
    const unsigned char *h = data + *pos;
    if (le32(h) != SIG_CENTRAL)
        return fail(err, errlen, "bad central directory entry signature at offset %llu",
                    (unsigned long long)*pos);
    uint16_t flags = le16(h + 8);
    size_t name_len = le16(h + 28), extra_len = le16(h + 30), comment_len = le16(h + 32);
    uint64_t total = CENTRAL_SIZE + (uint64_t)name_len + extra_len + comment_len;
    if (*pos + total > end)
        return fail(err, errlen, "central directory entry at offset %llu runs past the directory",
                    (unsigned long long)*pos);
    const unsigned char *name = h + CENTRAL_SIZE;
    if (name_len == 0 || memchr(name, '\0', name_len) != NULL)
        return fail(err, errlen, "entry at offset %llu has an empty or invalid name",
                    (unsigned long long)*pos);
    if (flags & 0x1)
        return fail(err, errlen, "entry '%.*s' is encrypted", (int)name_len, (const char *)name);

    entry->method = le16(h + 10);
    entry->crc32 = le32(h + 16);
    entry->compressed_size = le32(h + 20);
    entry->size = le32(h + 24);
    entry->local_header_offset = le32(h + 42);
    if (apply_zip64_extra(entry, name + name_len, extra_len, entry->size == 0xffffffffu,
                          entry->compressed_size == 0xffffffffu,
                          entry->local_header_offset == 0xffffffffu) != 0)
        return fail(err, errlen, "entry '%.*s' has a damaged zip64 extra field", (int)name_len,
                    (const char *)name);
    entry->name = malloc(name_len + 1);
    if (entry->name == NULL)
        return fail(err, errlen, "out of memory");
    memcpy(entry->name, name, name_len);
    entry->name[name_len] = '\0';
    *pos += total;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(((const struct zip_entry *)a)->name, ((const struct zip_entry *)b)->name);
}

int zip_open(struct zip_archive *zip, const unsigned char *data, size_t size, char *err,
             size_t errlen)
{
    struct directory dir = {0, 0, 0};
    memset(zip, 0, sizeof *zip);
    if (find_directory(data, size, &dir, err, errlen) != 0)
        return -1;
    zip->data = data;
    zip->size = size;
    zip->entries = calloc(dir.count ? dir.count : 1, sizeof *zip->entries);
    if (zip->entries == NULL)
        return fail(err, errlen, "out of memory");
    uint64_t pos = dir.offset, end = dir.offset + dir.size;
    for (uint64_t i = 0; i < dir.count; i++) {
        if (read_entry(data, size, &pos, end, &zip->entries[i], err, errlen) != 0) {
            zip_close(zip);
            return -1;
        }
        zip->count++;
    }
    /* Sorted by name: lookups bisect, and a duplicate name (which would let two readers of
     * the archive see different files under one name) is easy to refuse. */
    qsort(zip->entries, zip->count, sizeof *zip->entries, compare_names);
    for (size_t i = 1; i < zip->count; i++) {
        if (strcmp(zip->entries[i - 1].name, zip->entries[i].name) == 0) {
            fail(err, errlen, "entry '%s' appears twice", zip->entries[i].name);
            zip_close(zip);
            return -1;
        }
    }
    return 0;
}

void zip_close(struct zip_archive *zip)
{
    for (size_t i = 0; i < zip->count; i++)
        free(zip->entries[i].name);
    free(zip->entries);
    memset(zip, 0, sizeof *zip);
}

const struct zip_entry *zip_find(const struct zip_archive *zip, const char *name)
{
    struct zip_entry key = {.name = (char *)name};
    if (zip->count == 0)
        return NULL;
    return bsearch(&key, zip->entries, zip->count, sizeof *zip->entries, compare_names);
}

static int inflate_raw(const unsigned char *in, uint64_t inlen, unsigned char *out, uint64_t outlen,
                       const char *name, char *err, size_t errlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
        return fail(err, errlen, "zlib could not start inflating '%s'", name);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)inlen;
    z.next_out = out;
    z.avail_out = (uInt)outlen;
    int rc = inflate(&z, Z_FINISH);
    uint64_t produced = z.total_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END)
        return fail(err, errlen, "entry '%s' does not inflate (%s)", name,
                    rc == Z_BUF_ERROR ? "truncated, or larger than its recorded size"
                                      : "corrupt deflate data");
    if (produced != outlen)
        return fail(err, errlen, "entry '%s' inflates to %llu bytes, not the recorded %llu", name,
                    (unsigned long long)produced, (unsigned long long)outlen);
    return 0;
}

int zip_extract(const struct zip_archive *zip, const struct zip_entry *entry,
                unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
    *out = NULL;
    *outlen = 0;
    if (!in_bounds(entry->local_header_offset, LOCAL_SIZE, zip->size))
        return fail(err, errlen, "entry '%s' has its local header outside the archive", entry->name);
    const unsigned char *h = zip->data + entry->local_header_offset;
    size_t name_len = le16(h + 26), extra_len = le16(h + 28);
    if (le32(h) != SIG_LOCAL)
        return fail(err, errlen, "entry '%s' has a bad local header signature", entry->name);
    if (name_len != strlen(entry->name) || !in_bounds(entry->local_header_offset + LOCAL_SIZE, name_len, zip->size)
        || memcmp(h + LOCAL_SIZE, entry->name, name_len) != 0)
        return fail(err, errlen, "entry '%s' has another name in its local header", entry->name);
    uint64_t start = entry->local_header_offset + LOCAL_SIZE + name_len + extra_len;
    if (!in_bounds(start, entry->compressed_size, zip->size))
        return fail(err, errlen, "entry '%s' runs past the end of the archive (truncated?)", entry->name);
    if (entry->size > MAX_ENTRY_SIZE || entry->compressed_size > MAX_ENTRY_SIZE)
        return fail(err, errlen, "entry '%s' is too large (%llu bytes)", entry->name,
                    (unsigned long long)entry->size);

    const unsigned char *src = zip->data + start;
    unsigned char *buf;
    if (entry->method == 0) {
        if (entry->compressed_size != entry->size)
            return fail(err, errlen, "stored entry '%s' has different stored and real sizes", entry->name);
        buf = malloc(entry->size + 1);
        if (buf == NULL)
            return fail(err, errlen, "out of memory reading '%s'", entry->name);
        memcpy(buf, src, entry->size);
    } else if (entry->method == 8) {
        if (entry->size > entry->compressed_size * MAX_INFLATE_RATIO + 64)
            return fail(err, errlen, "entry '%s' claims an impossible size", entry->name);
        buf = malloc(entry->size + 1);
        if (buf == NULL)
            return fail(err, errlen, "out of memory reading '%s'", entry->name);
        if (inflate_raw(src, entry->compressed_size, buf, entry->size, entry->name, err, errlen) != 0) {
            free(buf);
            return -1;
        }
    } else {
        return fail(err, errlen, "entry '%s' uses compression method %u, which is not supported",
                    entry->name, entry->method);
    }
    uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
    for (uint64_t done = 0; done < entry->size;) {
        uInt chunk = entry->size - done > 1u << 30 ? 1u << 30 : (uInt)(entry->size - done);
        crc = (uint32_t)crc32(crc, buf + done, chunk);
        done += chunk;
    }
    if (crc != entry->crc32) {
        free(buf);
        return fail(err, errlen, "entry '%s' fails its CRC-32 check (recorded %08x, computed %08x)",
                    entry->name, entry->crc32, crc);
    }
    buf[entry->size] = '\0';
    *out = buf;
    *outlen = (size_t)entry->size;
    return 0;
}
