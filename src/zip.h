/* A reader for zip archives held in memory (a wheel is a zip archive), with zlib for inflating.
 * Every offset and length read from the archive is checked against the buffer, so damaged or
 * hostile input gives an error message, never a read outside the buffer. */
#ifndef ENSUREPIP_ZIP_H
#define ENSUREPIP_ZIP_H

#include <stddef.h>
#include <stdint.h>

struct zip_entry {
    char *name;                   /* NUL-terminated copy of the entry's name */
    uint16_t method;              /* 0 stored, 8 deflated; others are refused when read */
    uint32_t crc32;
    uint64_t compressed_size;
    uint64_t size;
    uint64_t local_header_offset;
};

struct zip_archive {
    const unsigned char *data;
    size_t size;
    struct zip_entry *entries;
    size_t count;
};

/* Parses the central directory of the archive in data[0..size). The archive keeps pointing to
 * data, which must outlive it. Returns 0, or -1 with a message in err. */
int zip_open(struct zip_archive *zip, const unsigned char *data, size_t size,
             char *err, size_t errlen);

void zip_close(struct zip_archive *zip);

/* The entry with exactly this name, or NULL. */
const struct zip_entry *zip_find(const struct zip_archive *zip, const char *name);

/* Extracts an entry into a new buffer (*out, freed by the caller; NUL-terminated beyond
 * *outlen for convenience), checking its size and CRC-32. Returns 0, or -1 with a message. */
int zip_extract(const struct zip_archive *zip, const struct zip_entry *entry,
                unsigned char **out, size_t *outlen, char *err, size_t errlen);

#endif
