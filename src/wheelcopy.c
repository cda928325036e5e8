#include "config.h"

#include "wheelcopy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* The zip format (PKWARE's APPNOTE.TXT, sections 4.3.7, 4.3.12 and 4.3.16): the fields used. */
#define LOCAL_SIGNATURE 0x04034b50u
#define CENTRAL_SIGNATURE 0x02014b50u
#define END_SIGNATURE 0x06054b50u
#define ZIP64_LOCATOR_SIGNATURE 0x07064b50u
#define LOCAL_SIZE 30
#define CENTRAL_SIZE 46
#define END_SIZE 22
#define ZIP64_LOCATOR_SIZE 20
#define ZIP64_EXTRA_ID 0x0001
#define FLAG_ENCRYPTED 0x0001u
#define FLAG_DEFLATE_OPTIONS 0x0006u
#define FLAG_DATA_DESCRIPTOR 0x0008u
#define METHOD_STORED 0
#define METHOD_DEFLATED 8
#define LARGEST_COPY ((size_t)1 << 30) /* a wheel of pip's is some megabytes */

static uint32_t get16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const unsigned char *p)
{
    return get16(p) | get16(p + 2) << 16;
}

static void put16(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xffffu);
    put16(p + 2, v >> 16);
}

/* 1 if the extra fields hold a ZIP64 one or do not parse. */
static int zip64_or_bad_extra(const unsigned char *extra, size_t len)
{
    while (len >= 4) {
        size_t field = 4 + get16(extra + 2);
        if (get16(extra) == ZIP64_EXTRA_ID || field > len)
            return 1;
        extra += field;
        len -= field;
    }
    return len != 0;
}

/* One member as the central directory and its local header give it. */
struct member {
    const unsigned char *central; /* its central directory entry */
    size_t central_len;           /* with name, extra field and comment */
    const unsigned char *local;   /* its local header */
    size_t local_len;             /* with name and extra field */
    const unsigned char *data;
    uint32_t method, crc, packed, size;
};

static int read_member(const unsigned char *zip, size_t end, const unsigned char *central, size_t left,
                       struct member *m)
{
    if (left < CENTRAL_SIZE || get32(central) != CENTRAL_SIGNATURE)
        return -1;
    uint32_t flags = get16(central + 8), name_len = get16(central + 28), extra_len = get16(central + 30);
    m->central = central;
    m->central_len = CENTRAL_SIZE + name_len + extra_len + get16(central + 32);
    m->method = get16(central + 10);
    m->crc = get32(central + 16);
    m->packed = get32(central + 20);
    m->size = get32(central + 24);
    uint32_t offset = get32(central + 42);
    if (m->central_len > left || (flags & (FLAG_ENCRYPTED | FLAG_DATA_DESCRIPTOR)) != 0
        || (m->method != METHOD_STORED && m->method != METHOD_DEFLATED)
        || (m->method == METHOD_STORED && m->packed != m->size) || get16(central + 34) != 0
        || zip64_or_bad_extra(central + CENTRAL_SIZE + name_len, extra_len)
        || offset > end || end - offset < LOCAL_SIZE)
        return -1;
    m->local = zip + offset;
    uint32_t local_name_len = get16(m->local + 26), local_extra_len = get16(m->local + 28);
    m->local_len = LOCAL_SIZE + local_name_len + local_extra_len;
    if (get32(m->local) != LOCAL_SIGNATURE || get16(m->local + 8) != m->method || local_name_len != name_len
        || memcmp(m->local + LOCAL_SIZE, central + CENTRAL_SIZE, name_len) != 0
        || end - offset < m->local_len || end - offset - m->local_len < m->packed
        || zip64_or_bad_extra(m->local + LOCAL_SIZE + name_len, local_extra_len))
        return -1;
    m->data = m->local + m->local_len;
    return 0;
}

/* The member's bytes into out (m->size of them), checked against its size and CRC. */
static int unpack(z_stream *z, const struct member *m, unsigned char *out)
{
    if (m->method == METHOD_STORED) {
        memcpy(out, m->data, m->size);
    } else {
        if (inflateReset(z) != Z_OK)
            return -1;
        z->next_in = (unsigned char *)m->data; /* zlib's interface is not const, it only reads */
        z->avail_in = m->packed;
        z->next_out = out;
        z->avail_out = m->size;
        if (inflate(z, Z_FINISH) != Z_STREAM_END || z->avail_out != 0 || z->avail_in != 0)
            return -1;
    }
    return crc32(0L, out, m->size) == m->crc ? 0 : -1;
}

unsigned char *wheel_stored_copy(const unsigned char *zip, size_t size, size_t *copy_size)
{
    /* The end record: the last signature whose comment runs exactly to the end. */
    const unsigned char *end = NULL;
    for (size_t at = size >= END_SIZE ? size - END_SIZE + 1 : 0; at-- > 0 && size - at <= END_SIZE + 0xffffu;)
        if (get32(zip + at) == END_SIGNATURE && END_SIZE + get16(zip + at + 20) == size - at) {
            end = zip + at;
            break;
        }
    if (end == NULL || get16(end + 4) != 0 || get16(end + 6) != 0 || get16(end + 8) != get16(end + 10)
        || ((size_t)(end - zip) >= ZIP64_LOCATOR_SIZE && get32(end - ZIP64_LOCATOR_SIZE) == ZIP64_LOCATOR_SIGNATURE))
        return NULL;
    size_t count = get16(end + 10), directory_size = get32(end + 12), directory_at = get32(end + 16);
    size_t members_end = (size_t)(end - zip);
    if (directory_at > members_end || members_end - directory_at != directory_size)
        return NULL;

    struct member *members = calloc(count ? count : 1, sizeof *members);
    if (members == NULL)
        return NULL;
    size_t total = END_SIZE + get16(end + 20), left = directory_size;
    const unsigned char *central = zip + directory_at;
    for (size_t i = 0; i < count; i++) {
        if (read_member(zip, directory_at, central, left, &members[i]) != 0
            || members[i].local_len + members[i].size + members[i].central_len > LARGEST_COPY - total) {
            free(members);
            return NULL;
        }
        total += members[i].local_len + members[i].size + members[i].central_len;
        central += members[i].central_len;
        left -= members[i].central_len;
    }
    unsigned char *copy = left == 0 ? malloc(total) : NULL;
    z_stream z = {0};
    if (copy == NULL || inflateInit2(&z, -MAX_WBITS) != Z_OK) {
        free(copy);
        free(members);
        return NULL;
    }

    /* The members, each with its local header saying "stored", then the central directory
     * saying the same with the new offsets, then the end record pointing at it. */
    unsigned char *out = copy;
    uint32_t *offsets = (uint32_t *)calloc(count ? count : 1, sizeof *offsets);
    int failed = offsets == NULL;
    for (size_t i = 0; i < count && !failed; i++) {
        const struct member *m = &members[i];
        offsets[i] = (uint32_t)(out - copy);
        memcpy(out, m->local, m->local_len);
        put16(out + 6, get16(out + 6) & ~FLAG_DEFLATE_OPTIONS);
        put16(out + 8, METHOD_STORED);
        put32(out + 14, m->crc); /* as the central directory says, should the two differ */
        put32(out + 18, m->size);
        put32(out + 22, m->size);
        out += m->local_len;
        failed = unpack(&z, m, out) != 0;
        out += m->size;
    }
    size_t new_directory_at = (size_t)(out - copy);
    for (size_t i = 0; i < count && !failed; i++) {
        const struct member *m = &members[i];
        memcpy(out, m->central, m->central_len);
        put16(out + 8, get16(out + 8) & ~FLAG_DEFLATE_OPTIONS);
        put16(out + 10, METHOD_STORED);
        put32(out + 20, m->size);
        put32(out + 42, offsets[i]);
        out += m->central_len;
    }
    if (!failed && new_directory_at > UINT32_MAX)
        failed = 1;
    if (!failed) {
        memcpy(out, end, END_SIZE + get16(end + 20));
        put32(out + 16, (uint32_t)new_directory_at);
        out += END_SIZE + get16(end + 20);
    }
    inflateEnd(&z);
    free(offsets);
    free(members);
    if (failed || (size_t)(out - copy) != total) {
        free(copy);
        return NULL;
    }
    *copy_size = total;
    return copy;
}
