/* A test helper: builds zip archives in memory (stored and deflated entries, local headers,
 * central directory, end record, and zip64 records when asked), with hooks that damage the
 * result in the ways a hostile or broken archive would.
 *
 * Usage:
 *     struct zb *zb = zb_new();
 *     struct zb_entry *e = zb_add_str(zb, "a.txt", "hello", ZB_DEFLATED);
 *     e->bad_crc = 1;                        (optional damage, set before zb_build)
 *     size_t len;
 *     unsigned char *zip = zb_build(zb, &len);   (malloc'ed exactly len bytes)
 *     ... zb->entries[0].local_offset etc. now say where things went ...
 *     free(zip);
 *     zb_free(zb);
 *
 * Every hook left at zero gives a correct archive that Python's zipfile and Info-ZIP accept.
 * Allocation failures abort the test program (they are not what is under test). */
#ifndef TESTS_UNIT_ZIPBUILD_H
#define TESTS_UNIT_ZIPBUILD_H

#include <stddef.h>
#include <stdint.h>

#define ZB_STORED 0
#define ZB_DEFLATED 8
#define ZB_MAX_ENTRIES 512

/* How an entry's zip64 extended-information extra field is damaged (entry->zip64 set). */
enum zb_zip64_extra {
    ZB_ZIP64_EXTRA_OK = 0,
    ZB_ZIP64_EXTRA_MISSING,  /* the header says 0xffffffff but no 0x0001 extra field follows */
    ZB_ZIP64_EXTRA_SHORT,    /* the 0x0001 field holds only 8 of the 24 bytes needed */
    ZB_ZIP64_EXTRA_OVERLONG  /* the 0x0001 field claims more bytes than the extra area has */
};

struct zb_entry {
    /* Contents (copied by zb_add). */
    char *name;
    unsigned char *data;
    size_t len;
    uint16_t method;              /* ZB_STORED or ZB_DEFLATED: how data is really written */

    /* Damage hooks: zero means correct. */
    const char *local_name;       /* name written in the local header instead of name */
    int bad_crc;                  /* record a CRC-32 with one bit flipped (both headers) */
    int encrypted;                /* set general purpose flag bit 0 (both headers) */
    uint16_t extra_flags;         /* further general purpose flag bits (e.g. 0x8: data descriptor) */
    int has_record_method;        /* record this method in both headers instead of method */
    uint16_t record_method;
    int64_t size_adjust;          /* added to the recorded uncompressed size (central) */
    int64_t csize_adjust;         /* added to the recorded compressed size (central) */
    int has_offset;               /* record this local header offset instead of the real one */
    uint64_t offset;
    int corrupt_data;             /* overwrite the written (compressed) data with 0xff bytes */
    int zip64;                    /* sizes and offset recorded as 0xffffffff + zip64 extra */
    enum zb_zip64_extra zip64_extra;
    int zip64_only_offset;        /* with zip64: only the offset is 0xffffffff (8-byte extra) */
    const unsigned char *central_extra; /* extra field bytes placed before any zip64 field */
    size_t central_extra_len;
    const char *comment;          /* central directory comment of the entry */
    uint16_t central_name_len_adjust; /* added to the name length in the central header only */

    /* Filled in by zb_build. */
    uint64_t local_offset;        /* where the local header is */
    uint64_t data_offset;         /* where the (compressed) data starts */
    uint64_t central_offset;      /* where the central directory header is */
    uint32_t crc;                 /* the correct CRC-32 of data */
    uint64_t csize;               /* the real compressed size */
};

struct zb {
    struct zb_entry entries[ZB_MAX_ENTRIES];
    size_t count;

    /* Archive-level damage hooks: zero means correct. */
    size_t prefix_len;            /* junk bytes before the first local header (like an SFX stub);
                                     offsets stay absolute, so the archive is still valid */
    const char *comment;          /* archive comment (after the end record) */
    size_t trailing_len;          /* junk after the end record, not covered by the comment length */
    int zip64;                    /* write a zip64 end record and locator; the end record says
                                     0xffff/0xffffffff */
    int zip64_no_locator;         /* with zip64: leave the locator out */
    int has_end64_offset;         /* with zip64: the locator points here instead */
    uint64_t end64_offset_value;
    int has_count;                /* entry count written in the end record(s) */
    uint64_t count_value;
    int has_cd_offset;            /* central directory offset written in the end record(s) */
    uint64_t cd_offset_value;
    int has_cd_size;              /* central directory size written in the end record(s) */
    uint64_t cd_size_value;
    uint16_t disk_number;         /* "number of this disk" in the end record */
    uint16_t cd_disk_number;      /* "disk where the central directory starts" */

    /* Filled in by zb_build. */
    uint64_t cd_offset, cd_size, end_offset, end64_offset, locator_offset;
};

struct zb *zb_new(void);
void zb_free(struct zb *zb);

/* Adds an entry (name and data are copied); returns it so that hooks can be set. */
struct zb_entry *zb_add(struct zb *zb, const char *name, const void *data, size_t len,
                        uint16_t method);
struct zb_entry *zb_add_str(struct zb *zb, const char *name, const char *text, uint16_t method);

/* Builds the archive: a malloc'ed buffer of exactly *len bytes. */
unsigned char *zb_build(struct zb *zb, size_t *len);

/* A malloc'ed copy of data[0..len) (len may be 0), so that valgrind sees reads past its end. */
unsigned char *zb_dup(const unsigned char *data, size_t len);

/* Little-endian accessors for patching a built archive. */
void zb_put16(unsigned char *p, uint16_t v);
void zb_put32(unsigned char *p, uint32_t v);
void zb_put64(unsigned char *p, uint64_t v);
uint16_t zb_get16(const unsigned char *p);
uint32_t zb_get32(const unsigned char *p);

/* Raw deflate (no zlib header), as zip stores it: a malloc'ed buffer of *outlen bytes. */
unsigned char *zb_deflate(const unsigned char *data, size_t len, size_t *outlen);

#endif
