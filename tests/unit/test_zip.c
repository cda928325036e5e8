/* Unit tests of the in-memory zip reader (src/zip.h): well-formed archives of every shape the
 * reader has to handle, and damaged or hostile ones, which must give -1 and a message, never a
 * read outside the buffer (run under valgrind: every archive is a malloc'ed block of exactly
 * its size). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "zip.h"
#include "zipbuild.h"

#define ERRLEN 512

/* ---------------------------------------------------------------------------------------- */
/* helpers */

/* Builds the archive, opens it (which must succeed), and hands back both. */
static unsigned char *build_and_open(struct zb *zb, struct zip_archive *zip, size_t *len)
{
    char err[ERRLEN] = "";
    size_t n;
    unsigned char *data = zb_build(zb, &n);
    int rc = zip_open(zip, data, n, err, sizeof err);
    if (rc != 0)
        fail_msg("zip_open failed: %s", err);
    if (len != NULL)
        *len = n;
    return data;
}

/* zip_open of data[0..len) (copied to a block of exactly len bytes) must fail with a message
 * containing want; the archive must then be safe to close. */
static void expect_open_error(const unsigned char *data, size_t len, const char *want)
{
    unsigned char *copy = zb_dup(data, len);
    struct zip_archive zip;
    char err[ERRLEN] = "";
    int rc = zip_open(&zip, copy, len, err, sizeof err);
    if (rc == 0)
        zip_close(&zip);
    free(copy);
    assert_int_equal(rc, -1);
    assert_contains(err, want);
    zip_close(&zip); /* after a failed open: must be harmless */
}

static void expect_build_open_error(struct zb *zb, const char *want)
{
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    expect_open_error(data, len, want);
    free(data);
    zb_free(zb);
}

/* Extracting name from the opened archive must fail with a message containing want. */
static void expect_extract_error(const struct zip_archive *zip, const char *name, const char *want)
{
    const struct zip_entry *e = zip_find(zip, name);
    assert_non_null(e);
    unsigned char *out = (unsigned char *)"untouched";
    size_t outlen = 12345;
    char err[ERRLEN] = "";
    int rc = zip_extract(zip, e, &out, &outlen, err, sizeof err);
    if (rc == 0)
        free(out);
    assert_int_equal(rc, -1);
    assert_contains(err, want);
    assert_null(out);
    assert_int_equal(outlen, 0);
}

/* Builds an archive of one entry with the hooks set by the caller, opens it and expects the
 * extraction of that entry to fail with want. */
static void expect_build_extract_error(struct zb *zb, const char *name, const char *want)
{
    struct zip_archive zip;
    unsigned char *data = build_and_open(zb, &zip, NULL);
    expect_extract_error(&zip, name, want);
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

/* Extracts name, which must succeed and equal want[0..wantlen). */
static void expect_content(const struct zip_archive *zip, const char *name, const void *want,
                           size_t wantlen)
{
    const struct zip_entry *e = zip_find(zip, name);
    if (e == NULL)
        fail_msg("no entry '%s'", name);
    unsigned char *out = NULL;
    size_t outlen = 0;
    char err[ERRLEN] = "";
    if (zip_extract(zip, e, &out, &outlen, err, sizeof err) != 0)
        fail_msg("extracting '%s' failed: %s", name, err);
    assert_non_null(out);
    assert_int_equal(outlen, wantlen);
    if (wantlen > 0)
        assert_memory_equal(out, want, wantlen);
    assert_int_equal(out[outlen], '\0'); /* NUL-terminated beyond outlen */
    free(out);
}

/* Deterministic pseudo-random bytes (incompressible). */
static void fill_random(unsigned char *p, size_t n, uint32_t seed)
{
    uint32_t x = seed ? seed : 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (unsigned char)x;
    }
}

/* A small valid archive used by the damage tests: a stored and a deflated entry. */
static struct zb *two_entry_builder(void)
{
    struct zb *zb = zb_new();
    zb_add_str(zb, "a/stored.txt", "stored contents\n", ZB_STORED);
    zb_add_str(zb, "b/deflated.txt",
               "deflated contents deflated contents deflated contents deflated contents\n",
               ZB_DEFLATED);
    return zb;
}

/* ---------------------------------------------------------------------------------------- */
/* well-formed archives */

static void test_empty_archive(void **state)
{
    (void)state;
    struct zb *zb = zb_new();
    struct zip_archive zip;
    size_t len;
    unsigned char *data = build_and_open(zb, &zip, &len);
    assert_int_equal(len, 22); /* nothing but the end record */
    assert_int_equal(zip.count, 0);
    assert_null(zip_find(&zip, "anything"));
    assert_null(zip_find(&zip, ""));
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

static void test_stored_entry(void **state)
{
    (void)state;
    struct zb *zb = zb_new();
    zb_add_str(zb, "hello.txt", "Hello, world!\n", ZB_STORED);
    struct zip_archive zip;
    unsigned char *data = build_and_open(zb, &zip, NULL);
    assert_int_equal(zip.count, 1);
    const struct zip_entry *e = zip_find(&zip, "hello.txt");
    assert_non_null(e);
    assert_string_equal(e->name, "hello.txt");
    assert_int_equal(e->method, 0);
    assert_int_equal(e->size, 14);
    assert_int_equal(e->compressed_size, 14);
    assert_int_equal(e->crc32, zb->entries[0].crc);
    assert_int_equal(e->local_header_offset, 0);
    expect_content(&zip, "hello.txt", "Hello, world!\n", 14);
    zip_close(&zip);
    assert_null(zip.entries);
    assert_int_equal(zip.count, 0);
    free(data);
    zb_free(zb);
}

static void test_deflated_entries(void **state)
{
    (void)state;
    size_t big = 200000;
    unsigned char *text = malloc(big), *noise = malloc(70000);
    assert_non_null(text);
    assert_non_null(noise);
    for (size_t i = 0; i < big; i++)
        text[i] = (unsigned char)("abcdefghij\n"[i % 11]);
    fill_random(noise, 70000, 42);

    struct zb *zb = zb_new();
    zb_add(zb, "text", text, big, ZB_DEFLATED);
    zb_add(zb, "noise", noise, 70000, ZB_DEFLATED);
    struct zip_archive zip;
    unsigned char *data = build_and_open(zb, &zip, NULL);
    assert_int_equal(zip.count, 2);
    const struct zip_entry *e = zip_find(&zip, "text");
    assert_non_null(e);
    assert_int_equal(e->method, 8);
    assert_int_equal(e->size, big);
    assert_true(e->compressed_size < big / 10); /* it really was compressed */
    expect_content(&zip, "text", text, big);
    expect_content(&zip, "noise", noise, 70000);
    zip_close(&zip);
    free(data);
    zb_free(zb);
    free(text);
    free(noise);
}

static void test_empty_entries(void **state)
{
    (void)state;
    struct zb *zb = zb_new();
    zb_add(zb, "empty-stored", "", 0, ZB_STORED);
    zb_add(zb, "empty-deflated", "", 0, ZB_DEFLATED); /* what Python's zipfile writes for "" */
    struct zip_archive zip;
    unsigned char *data = build_and_open(zb, &zip, NULL);
    assert_int_equal(zip.count, 2);
    expect_content(&zip, "empty-stored", "", 0);
    expect_content(&zip, "empty-deflated", "", 0);
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

static void test_binary_data_with_nuls(void **state)
{
    (void)state;
    static const unsigned char bin[] = {0, 1, 2, 0, 0, 255, 0, 'x', 0};
    struct zb *zb = zb_new();
    zb_add(zb, "bin", bin, sizeof bin, ZB_STORED);
    zb_add(zb, "bin.z", bin, sizeof bin, ZB_DEFLATED);
    struct zip_archive zip;
    unsigned char *data = build_and_open(zb, &zip, NULL);
    expect_content(&zip, "bin", bin, sizeof bin);
    expect_content(&zip, "bin.z", bin, sizeof bin);
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

static void test_find_exact_names(void **state)
{
    (void)state;
    /* Added out of order, with names that are prefixes of each other. */
    static const char *const names[] = {"zeta", "pip/__init__.py", "pip/", "Pip/x", "a",
                                        "pip/__init__.pyc", "pip/_internal/main.py", "m"};
    struct zb *zb = zb_new();
    char text[64];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(text, sizeof text, "contents of %s", names[i]);
        zb_add_str(zb, names[i], text, i % 2 ? ZB_DEFLATED : ZB_STORED);
    }
    struct zip_archive zip;
    unsigned char *data = build_and_open(zb, &zip, NULL);
    assert_int_equal(zip.count, sizeof names / sizeof names[0]);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const struct zip_entry *e = zip_find(&zip, names[i]);
        if (e == NULL)
            fail_msg("zip_find('%s') found nothing", names[i]);
        assert_string_equal(e->name, names[i]);
        snprintf(text, sizeof text, "contents of %s", names[i]);
        expect_content(&zip, names[i], text, strlen(text));
    }
    assert_null(zip_find(&zip, "pip"));              /* a prefix of names */
    assert_null(zip_find(&zip, "pip/__init__.p"));   /* shorter */
    assert_null(zip_find(&zip, "pip/__init__.pyo")); /* longer */
    assert_null(zip_find(&zip, "PIP/"));             /* case matters */
    assert_null(zip_find(&zip, "/zeta"));
    assert_null(zip_find(&zip, ""));
    assert_null(zip_find(&zip, "0"));  /* sorts before every name */
    assert_null(zip_find(&zip, "zz")); /* sorts after every name */
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

static void test_many_entries(void **state)
{
    (void)state;
    struct zb *zb = zb_new();
    char name[32], text[32];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "dir%d/file%03d", i % 7, i);
        snprintf(text, sizeof text, "%d", i * 7919);
        zb_add_str(zb, name, text, i % 3 ? ZB_DEFLATED : ZB_STORED);
    }
    struct zip_archive zip;
    unsigned char *data = build_and_open(zb, &zip, NULL);
    assert_int_equal(zip.count, 300);
    for (int i = 299; i >= 0; i--) {
        snprintf(name, sizeof name, "dir%d/file%03d", i % 7, i);
        snprintf(text, sizeof text, "%d", i * 7919);
        expect_content(&zip, name, text, strlen(text));
    }
    assert_null(zip_find(&zip, "dir0/file300"));
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

static void test_comment_and_prefix(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->comment = "an archive comment, with PK in it";
    zb->prefix_len = 1000; /* a self-extracting stub before the archive */
    struct zip_archive zip;
    unsigned char *data = build_and_open(zb, &zip, NULL);
    assert_int_equal(zip.count, 2);
    expect_content(&zip, "a/stored.txt", "stored contents\n", 16);
    const char *d = "deflated contents deflated contents deflated contents deflated contents\n";
    expect_content(&zip, "b/deflated.txt", d, strlen(d));
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

static void test_longest_comment(void **state)
{
    (void)state;
    char *comment = malloc(0xffff + 1);
    assert_non_null(comment);
    memset(comment, 'c', 0xffff);
    comment[0xffff] = '\0';
    struct zb *zb = two_entry_builder();
    zb->comment = comment;
    struct zip_archive zip;
    unsigned char *data = build_and_open(zb, &zip, NULL);
    assert_int_equal(zip.count, 2);
    expect_content(&zip, "a/stored.txt", "stored contents\n", 16);
    zip_close(&zip);
    free(data);
    zb_free(zb);
    free(comment);
}

static void test_comment_holding_end_signature(void **state)
{
    (void)state;
    /* A comment with the end record's signature in it must not be taken for the record. */
    struct zb *zb = two_entry_builder();
    zb->comment = "PK\x05\x06 is the end signature; PK\x01\x02 the central one";
    struct zip_archive zip;
    unsigned char *data = build_and_open(zb, &zip, NULL);
    assert_int_equal(zip.count, 2);
    expect_content(&zip, "a/stored.txt", "stored contents\n", 16);
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

static void test_entry_extra_and_comment(void **state)
{
    (void)state;
    /* An extended-timestamp extra field (0x5455) and an entry comment in the central header. */
    static const unsigned char ut[] = {0x55, 0x54, 0x05, 0x00, 0x03, 0x10, 0x20, 0x30, 0x40};
    struct zb *zb = zb_new();
    struct zb_entry *e = zb_add_str(zb, "with-extra", "extra", ZB_DEFLATED);
    e->central_extra = ut;
    e->central_extra_len = sizeof ut;
    e->comment = "an entry comment";
    zb_add_str(zb, "after", "after", ZB_STORED);
    struct zip_archive zip;
    unsigned char *data = build_and_open(zb, &zip, NULL);
    assert_int_equal(zip.count, 2);
    expect_content(&zip, "with-extra", "extra", 5);
    expect_content(&zip, "after", "after", 5);
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

static void test_data_descriptor_flag(void **state)
{
    (void)state;
    /* Bit 3: sizes and CRC in a data descriptor; the central directory has them too. */
    struct zb *zb = zb_new();
    struct zb_entry *e = zb_add_str(zb, "streamed", "streamed data streamed data", ZB_DEFLATED);
    e->extra_flags = 0x0008 | 0x0800; /* data descriptor, UTF-8 names */
    struct zip_archive zip;
    unsigned char *data = build_and_open(zb, &zip, NULL);
    expect_content(&zip, "streamed", "streamed data streamed data", 27);
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

/* Written by CPython's zipfile (independent of zipbuild): hello.txt stored, dir/lines.txt
 * deflated ("line 0\n" .. "line 19\n"), and a directory entry dir/. */
static const unsigned char python_zip[] = {
    0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x83, 0x18, 0x22, 0x50, 0x18, 0xa7,
    0x55, 0x7b, 0x0e, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x68, 0x65,
    0x6c, 0x6c, 0x6f, 0x2e, 0x74, 0x78, 0x74, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x2c, 0x20, 0x77, 0x6f,
    0x72, 0x6c, 0x64, 0x21, 0x0a, 0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x83,
    0x18, 0x22, 0x50, 0x60, 0xb1, 0x86, 0xc5, 0x3d, 0x00, 0x00, 0x00, 0x96, 0x00, 0x00, 0x00, 0x0d,
    0x00, 0x00, 0x00, 0x64, 0x69, 0x72, 0x2f, 0x6c, 0x69, 0x6e, 0x65, 0x73, 0x2e, 0x74, 0x78, 0x74,
    0x35, 0xcc, 0xb1, 0x0d, 0x80, 0x30, 0x00, 0xc4, 0xc0, 0x3e, 0x53, 0x30, 0x02, 0x06, 0x42, 0xc8,
    0x40, 0x14, 0x48, 0x51, 0xf6, 0x2f, 0x11, 0x7a, 0x53, 0x5d, 0x65, 0x8f, 0x67, 0xde, 0xcb, 0x5a,
    0xc6, 0x07, 0x61, 0x0b, 0x7b, 0x38, 0x42, 0x0d, 0x67, 0x68, 0xe1, 0x0a, 0xdd, 0xfc, 0xdf, 0xf8,
    0xc1, 0x11, 0x9e, 0x70, 0x85, 0x2f, 0x9c, 0xe1, 0x0d, 0x77, 0xf4, 0xf2, 0x02, 0x50, 0x4b, 0x03,
    0x04, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x83, 0x18, 0x22, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x64, 0x69, 0x72, 0x2f, 0x50,
    0x4b, 0x01, 0x02, 0x14, 0x03, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x83, 0x18, 0x22, 0x50, 0x18,
    0xa7, 0x55, 0x7b, 0x0e, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x65, 0x6c,
    0x6c, 0x6f, 0x2e, 0x74, 0x78, 0x74, 0x50, 0x4b, 0x01, 0x02, 0x14, 0x03, 0x14, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x83, 0x18, 0x22, 0x50, 0x60, 0xb1, 0x86, 0xc5, 0x3d, 0x00, 0x00, 0x00, 0x96, 0x00,
    0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x01,
    0x35, 0x00, 0x00, 0x00, 0x64, 0x69, 0x72, 0x2f, 0x6c, 0x69, 0x6e, 0x65, 0x73, 0x2e, 0x74, 0x78,
    0x74, 0x50, 0x4b, 0x01, 0x02, 0x14, 0x03, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x83, 0x18, 0x22,
    0x50, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x01, 0x9d, 0x00, 0x00, 0x00, 0x64,
    0x69, 0x72, 0x2f, 0x50, 0x4b, 0x05, 0x06, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x03, 0x00, 0xa4,
    0x00, 0x00, 0x00, 0xbf, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_archive_from_python_zipfile(void **state)
{
    (void)state;
    unsigned char *data = zb_dup(python_zip, sizeof python_zip);
    struct zip_archive zip;
    char err[ERRLEN] = "";
    if (zip_open(&zip, data, sizeof python_zip, err, sizeof err) != 0)
        fail_msg("zip_open: %s", err);
    assert_int_equal(zip.count, 3);
    expect_content(&zip, "hello.txt", "Hello, world!\n", 14);
    char lines[200] = "";
    for (int i = 0; i < 20; i++)
        snprintf(lines + strlen(lines), sizeof lines - strlen(lines), "line %d\n", i);
    assert_int_equal(strlen(lines), 150);
    const struct zip_entry *e = zip_find(&zip, "dir/lines.txt");
    assert_non_null(e);
    assert_int_equal(e->method, 8);
    assert_int_equal(e->crc32, 0xc586b160u);
    assert_int_equal(e->compressed_size, 61);
    assert_int_equal(e->size, 150);
    assert_int_equal(e->local_header_offset, 53);
    expect_content(&zip, "dir/lines.txt", lines, 150);
    expect_content(&zip, "dir/", "", 0);
    zip_close(&zip);
    free(data);
}

static void test_zip64_archive(void **state)
{
    (void)state;
    struct zb *zb = zb_new();
    struct zb_entry *e = zb_add_str(zb, "zip64-stored", "zip64 stored", ZB_STORED);
    e->zip64 = 1;
    e = zb_add_str(zb, "zip64-deflated", "zip64 deflated zip64 deflated zip64", ZB_DEFLATED);
    e->zip64 = 1;
    zb_add_str(zb, "plain", "plain", ZB_STORED);
    zb->zip64 = 1;
    zb->comment = "zip64";
    struct zip_archive zip;
    size_t len;
    unsigned char *data = build_and_open(zb, &zip, &len);
    /* The end record really says "see the zip64 record". */
    assert_int_equal(zb_get16(data + zb->end_offset + 10), 0xffff);
    assert_int_equal(zb_get32(data + zb->end_offset + 16), 0xffffffffu);
    assert_int_equal(zip.count, 3);
    const struct zip_entry *f = zip_find(&zip, "zip64-deflated");
    assert_non_null(f);
    assert_int_equal(f->size, 35);
    assert_int_equal(f->compressed_size, zb->entries[1].csize);
    assert_int_equal(f->local_header_offset, zb->entries[1].local_offset);
    expect_content(&zip, "zip64-stored", "zip64 stored", 12);
    expect_content(&zip, "zip64-deflated", "zip64 deflated zip64 deflated zip64", 35);
    expect_content(&zip, "plain", "plain", 5);
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

static void test_zip64_extra_after_other_field(void **state)
{
    (void)state;
    static const unsigned char ut[] = {0x55, 0x54, 0x05, 0x00, 0x03, 0x10, 0x20, 0x30, 0x40};
    struct zb *zb = zb_new();
    struct zb_entry *e = zb_add_str(zb, "x", "zip64 after a timestamp", ZB_DEFLATED);
    e->zip64 = 1;
    e->central_extra = ut;
    e->central_extra_len = sizeof ut;
    struct zip_archive zip;
    unsigned char *data = build_and_open(zb, &zip, NULL);
    expect_content(&zip, "x", "zip64 after a timestamp", 23);
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

static void test_zip64_only_offset(void **state)
{
    (void)state;
    /* Only the fields that are 0xffffffff are in the extra field: here just the offset. */
    struct zb *zb = zb_new();
    zb_add_str(zb, "first", "first", ZB_STORED);
    struct zb_entry *e = zb_add_str(zb, "second", "second entry", ZB_DEFLATED);
    e->zip64 = 1;
    e->zip64_only_offset = 1;
    struct zip_archive zip;
    unsigned char *data = build_and_open(zb, &zip, NULL);
    const struct zip_entry *f = zip_find(&zip, "second");
    assert_non_null(f);
    assert_int_equal(f->local_header_offset, zb->entries[1].local_offset);
    assert_int_equal(f->size, 12);
    expect_content(&zip, "second", "second entry", 12);
    expect_content(&zip, "first", "first", 5);
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

static void test_short_error_buffer(void **state)
{
    (void)state;
    /* The message is cut to errlen, NUL-terminated, and nothing past errlen is written. */
    static const unsigned char junk[40] = "this is not a zip archive at all.......";
    struct zip_archive zip;
    char err[16];
    memset(err, 'X', sizeof err);
    assert_int_equal(zip_open(&zip, junk, sizeof junk, err, 8), -1);
    assert_int_equal(strlen(err), 7);
    assert_int_equal(err[8], 'X');
    assert_int_equal(err[15], 'X');
}

/* ---------------------------------------------------------------------------------------- */
/* damaged end of central directory */

static void test_too_short(void **state)
{
    (void)state;
    static const unsigned char end_only[22] = {0x50, 0x4b, 0x05, 0x06};
    expect_open_error(end_only, 0, "too short");
    expect_open_error(end_only, 1, "too short");
    expect_open_error(end_only, 21, "too short");
    /* A bare 22-byte end record is the smallest archive there is. */
    unsigned char *data = zb_dup(end_only, 22);
    struct zip_archive zip;
    char err[ERRLEN] = "";
    assert_int_equal(zip_open(&zip, data, 22, err, sizeof err), 0);
    assert_int_equal(zip.count, 0);
    zip_close(&zip);
    free(data);
}

static void test_not_a_zip(void **state)
{
    (void)state;
    unsigned char text[300];
    memset(text, 'z', sizeof text);
    expect_open_error(text, sizeof text, "no end of central directory");
    unsigned char *zeros = calloc(70000, 1); /* longer than the longest comment */
    assert_non_null(zeros);
    expect_open_error(zeros, 70000, "no end of central directory");
    fill_random(zeros, 70000, 7);
    expect_open_error(zeros, 70000, "no end of central directory");
    free(zeros);
}

static void test_end_record_beyond_comment_reach(void **state)
{
    (void)state;
    /* An end record followed by more than 65535 bytes cannot be the end record. */
    struct zb *zb = two_entry_builder();
    zb->trailing_len = 0x10000;
    expect_build_open_error(zb, "no end of central directory");
}

static void test_trailing_garbage(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->trailing_len = 5; /* bytes after the record that its comment length does not cover */
    expect_build_open_error(zb, "no end of central directory");
}

static void test_comment_length_too_long(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->comment = "abc";
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    zb_put16(data + zb->end_offset + 20, 10); /* says 10, has 3 */
    expect_open_error(data, len, "no end of central directory");
    free(data);
    zb_free(zb);
}

static void test_multi_disk(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->disk_number = 1;
    expect_build_open_error(zb, "multi-part");
    zb = two_entry_builder();
    zb->cd_disk_number = 2;
    expect_build_open_error(zb, "multi-part");
}

static void test_directory_offset_out_of_range(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->has_cd_offset = 1;
    zb->cd_offset_value = 0x7fffffff;
    expect_build_open_error(zb, "outside the archive");

    zb = two_entry_builder();
    zb->has_cd_offset = 1;
    zb->cd_offset_value = 0xfffffffe; /* offset + size wraps around 32 bits */
    expect_build_open_error(zb, "outside the archive");
}

static void test_directory_size_out_of_range(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->has_cd_size = 1;
    zb->cd_size_value = 10000;
    expect_build_open_error(zb, "outside the archive");

    zb = two_entry_builder();
    zb->has_cd_size = 1;
    zb->cd_size_value = 0xfffffffe;
    expect_build_open_error(zb, "outside the archive");
}

static void test_directory_count_exceeds_room(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->has_count = 1;
    zb->count_value = 1000;
    expect_build_open_error(zb, "claims 1000 entries");

    zb = zb_new(); /* an empty directory claiming an entry */
    zb->has_count = 1;
    zb->count_value = 1;
    expect_build_open_error(zb, "claims 1 entries but has room for 0");
}

static void test_directory_count_beyond_entries(void **state)
{
    (void)state;
    /* Room for two headers (a long entry comment), but only one is there. */
    char comment[120];
    memset(comment, 'c', sizeof comment - 1);
    comment[sizeof comment - 1] = '\0';
    struct zb *zb = zb_new();
    struct zb_entry *e = zb_add_str(zb, "only", "only", ZB_STORED);
    e->comment = comment;
    zb->has_count = 1;
    zb->count_value = 2;
    expect_build_open_error(zb, "truncated");
}

static void test_directory_offset_misaligned(void **state)
{
    (void)state;
    /* The directory offset one byte late (and its size one byte smaller, to stay inside). */
    struct zb *zb = two_entry_builder();
    size_t len;
    free(zb_build(zb, &len)); /* learn where the directory goes */
    zb->has_cd_offset = 1;
    zb->cd_offset_value = zb->cd_offset + 1;
    zb->has_cd_size = 1;
    zb->cd_size_value = zb->cd_size - 1;
    expect_build_open_error(zb, "bad central directory entry signature");
}

static void test_directory_points_at_local_header(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->has_cd_offset = 1;
    zb->cd_offset_value = 0;
    expect_build_open_error(zb, "bad central directory entry signature");
}

/* ---------------------------------------------------------------------------------------- */
/* damaged central directory entries */

static void test_entry_name_runs_past_directory(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->entries[1].central_name_len_adjust = 60;
    expect_build_open_error(zb, "runs past the directory");

    zb = two_entry_builder();
    zb->entries[1].central_name_len_adjust = 0xfff0;
    expect_build_open_error(zb, "runs past the directory");
}

static void test_entry_comment_runs_past_directory(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->entries[1].comment = "a comment";
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    zb_put16(data + zb->entries[1].central_offset + 32, 0xffff);
    expect_open_error(data, len, "runs past the directory");
    free(data);
    zb_free(zb);
}

static void test_entry_empty_name(void **state)
{
    (void)state;
    struct zb *zb = zb_new();
    zb_add_str(zb, "", "nameless", ZB_STORED);
    expect_build_open_error(zb, "empty or invalid name");
}

static void test_entry_name_with_nul(void **state)
{
    (void)state;
    struct zb *zb = zb_new();
    zb_add_str(zb, "evil.txt", "evil", ZB_STORED);
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    data[zb->entries[0].central_offset + 46 + 4] = '\0'; /* "evil\0txt" */
    expect_open_error(data, len, "empty or invalid name");
    free(data);
    zb_free(zb);
}

static void test_entry_encrypted(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->entries[1].encrypted = 1;
    expect_build_open_error(zb, "b/deflated.txt' is encrypted");
}

static void test_duplicate_names(void **state)
{
    (void)state;
    struct zb *zb = zb_new();
    zb_add_str(zb, "same", "one", ZB_STORED);
    zb_add_str(zb, "same", "two", ZB_STORED);
    expect_build_open_error(zb, "'same' appears twice");

    /* Not next to each other in the directory. */
    zb = zb_new();
    zb_add_str(zb, "pip/__init__.py", "one", ZB_STORED);
    zb_add_str(zb, "a", "a", ZB_STORED);
    zb_add_str(zb, "z", "z", ZB_DEFLATED);
    zb_add_str(zb, "pip/__init__.py", "two", ZB_DEFLATED);
    expect_build_open_error(zb, "'pip/__init__.py' appears twice");
}

static void test_zip64_extra_damaged(void **state)
{
    (void)state;
    static const struct {
        enum zb_zip64_extra damage;
        const char *message;
    } cases[] = {
        {ZB_ZIP64_EXTRA_MISSING, "'big' has a damaged zip64 extra field"},
        {ZB_ZIP64_EXTRA_SHORT, "damaged zip64 extra field"},
        {ZB_ZIP64_EXTRA_OVERLONG, "damaged zip64 extra field"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct zb *zb = zb_new();
        struct zb_entry *e = zb_add_str(zb, "big", "big", ZB_STORED);
        e->zip64 = 1;
        e->zip64_extra = cases[i].damage;
        expect_build_open_error(zb, cases[i].message);
    }
}

static void test_zip64_extra_other_field_overlong(void **state)
{
    (void)state;
    /* A field before the zip64 one claims more bytes than there are. */
    static const unsigned char bad[] = {0x55, 0x54, 0xff, 0x00, 0x03};
    struct zb *zb = zb_new();
    struct zb_entry *e = zb_add_str(zb, "big", "big", ZB_STORED);
    e->zip64 = 1;
    e->central_extra = bad;
    e->central_extra_len = sizeof bad;
    expect_build_open_error(zb, "damaged zip64 extra field");
}

static void test_zip64_without_locator(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->zip64 = 1;
    zb->zip64_no_locator = 1;
    expect_build_open_error(zb, "locator");

    /* The end record alone at the start of the buffer: no room for a locator before it. */
    static const unsigned char end[22] = {0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    expect_open_error(end, sizeof end, "locator");
}

static void test_zip64_record_out_of_place(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->zip64 = 1;
    zb->has_end64_offset = 1;
    zb->end64_offset_value = 0xffffffffffffff00ull; /* far outside */
    expect_build_open_error(zb, "zip64 end of central directory record out of place");

    zb = two_entry_builder();
    zb->zip64 = 1;
    zb->has_end64_offset = 1;
    zb->end64_offset_value = 0; /* a local header, not the zip64 record */
    expect_build_open_error(zb, "out of place");

    /* Points so close to the end that the 56-byte record would run past it. */
    zb = two_entry_builder();
    zb->zip64 = 1;
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    zb_put64(data + zb->locator_offset + 8, len - 30);
    expect_open_error(data, len, "out of place");
    free(data);
    zb_free(zb);
}

static void test_zip64_hostile_values(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->zip64 = 1;
    zb->has_count = 1;
    zb->count_value = 1ull << 40;
    expect_build_open_error(zb, "entries but has room for");

    zb = two_entry_builder();
    zb->zip64 = 1;
    zb->has_count = 1;
    zb->count_value = UINT64_MAX;
    expect_build_open_error(zb, "entries but has room for");

    zb = two_entry_builder();
    zb->zip64 = 1;
    zb->has_cd_offset = 1;
    zb->cd_offset_value = UINT64_MAX - 5; /* offset + size overflows 64 bits */
    expect_build_open_error(zb, "outside the archive");

    zb = two_entry_builder();
    zb->zip64 = 1;
    zb->has_cd_size = 1;
    zb->cd_size_value = UINT64_MAX;
    expect_build_open_error(zb, "outside the archive");
}

/* ---------------------------------------------------------------------------------------- */
/* damaged entries, found when extracting */

static void test_local_header_offset_out_of_range(void **state)
{
    (void)state;
    static const uint64_t offsets[] = {100000, 0x7fffffff, 0xfffffffe};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        struct zb *zb = two_entry_builder();
        zb->entries[0].has_offset = 1;
        zb->entries[0].offset = offsets[i];
        expect_build_extract_error(zb, "a/stored.txt", "local header outside the archive");
    }
    /* zip64 offsets, up to the largest. */
    static const uint64_t offsets64[] = {1ull << 32, 1ull << 63, UINT64_MAX, UINT64_MAX - 29};
    for (size_t i = 0; i < sizeof offsets64 / sizeof offsets64[0]; i++) {
        struct zb *zb = two_entry_builder();
        zb->entries[1].zip64 = 1;
        zb->entries[1].has_offset = 1;
        zb->entries[1].offset = offsets64[i];
        expect_build_extract_error(zb, "b/deflated.txt", "local header outside the archive");
    }
}

static void test_local_header_partly_outside(void **state)
{
    (void)state;
    /* The 30-byte header would start inside the buffer and end outside it. */
    struct zb *zb = two_entry_builder();
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    free(data);
    for (uint64_t back = 1; back < 30; back++) {
        struct zb *z2 = two_entry_builder();
        z2->entries[0].has_offset = 1;
        z2->entries[0].offset = len - back;
        expect_build_extract_error(z2, "a/stored.txt", "local header outside the archive");
    }
    zb_free(zb);
}

static void test_local_header_bad_signature(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->entries[1].has_offset = 1;
    zb->entries[1].offset = 5; /* inside the first local header */
    expect_build_extract_error(zb, "b/deflated.txt", "bad local header signature");

    zb = two_entry_builder();
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    free(data);
    zb->entries[0].has_offset = 1;
    zb->entries[0].offset = zb->cd_offset; /* the central directory */
    expect_build_extract_error(zb, "a/stored.txt", "bad local header signature");
}

static void test_local_header_other_name(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->entries[0].local_name = "a/STORED.txt"; /* same length */
    expect_build_extract_error(zb, "a/stored.txt", "another name in its local header");

    zb = two_entry_builder();
    zb->entries[0].local_name = "a/stored.txt.exe"; /* longer */
    expect_build_extract_error(zb, "a/stored.txt", "another name");

    zb = two_entry_builder();
    zb->entries[0].local_name = "a"; /* shorter */
    expect_build_extract_error(zb, "a/stored.txt", "another name");

    /* Two entries pointing at the same local header: the second one's name does not match. */
    zb = two_entry_builder();
    zb->entries[1].has_offset = 1;
    zb->entries[1].offset = 0;
    expect_build_extract_error(zb, "b/deflated.txt", "another name");
}

static void test_local_name_runs_past_end(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    struct zip_archive zip;
    char err[ERRLEN] = "";
    /* The last local header's name length says 0xffff: past the end of the buffer. */
    zb_put16(data + zb->entries[1].local_offset + 26, 0xffff);
    assert_int_equal(zip_open(&zip, data, len, err, sizeof err), 0);
    expect_extract_error(&zip, "b/deflated.txt", "another name");
    zip_close(&zip);
    free(data);
    zb_free(zb);

    /* An archive ending right after a local header (the directory placed before it). */
    zb = zb_new();
    zb_add_str(zb, "tail", "tail", ZB_STORED);
    data = zb_build(zb, &len);
    size_t hdr = zb->entries[0].local_offset;
    /* Layout: [local "tail" + data][central][end]. Rebuild as [central][end-with-comment] where
     * the comment is the local header cut after 30 bytes. */
    size_t cd_len = zb->cd_size;
    size_t total = cd_len + 22 + 30;
    unsigned char *odd = malloc(total);
    assert_non_null(odd);
    memcpy(odd, data + zb->cd_offset, cd_len);
    zb_put32(odd + 42, (uint32_t)(cd_len + 22)); /* local header offset: inside the comment */
    memcpy(odd + cd_len, data + zb->end_offset, 22);
    zb_put32(odd + cd_len + 16, 0);              /* directory at 0 */
    zb_put16(odd + cd_len + 20, 30);             /* comment: 30 bytes */
    memcpy(odd + cd_len + 22, data + hdr, 30);
    assert_int_equal(zip_open(&zip, odd, total, err, sizeof err), 0);
    expect_extract_error(&zip, "tail", "another name");
    zip_close(&zip);
    free(odd);
    free(data);
    zb_free(zb);
}

static void test_local_extra_runs_past_end(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    zb_put16(data + zb->entries[1].local_offset + 28, 0xffff);
    struct zip_archive zip;
    char err[ERRLEN] = "";
    assert_int_equal(zip_open(&zip, data, len, err, sizeof err), 0);
    expect_extract_error(&zip, "b/deflated.txt", "runs past the end of the archive");
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

static void test_compressed_size_past_end(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->entries[1].csize_adjust = 100000;
    expect_build_extract_error(zb, "b/deflated.txt", "runs past the end of the archive");

    zb = two_entry_builder(); /* stored: both sizes agree, and both lie */
    zb->entries[0].csize_adjust = 5000;
    zb->entries[0].size_adjust = 5000;
    expect_build_extract_error(zb, "a/stored.txt", "runs past the end");

    zb = two_entry_builder(); /* 0xfffffffe: start + size would wrap a 32-bit sum */
    zb->entries[0].csize_adjust = 0xfffffffeLL - 16;
    zb->entries[0].size_adjust = 0xfffffffeLL - 16;
    expect_build_extract_error(zb, "a/stored.txt", "runs past the end");

    zb = two_entry_builder(); /* zip64: a compressed size near 2^64 */
    zb->entries[1].zip64 = 1;
    zb->entries[1].csize_adjust = -(int64_t)zb->entries[1].len - 100; /* wraps to ~2^64 */
    expect_build_extract_error(zb, "b/deflated.txt", "runs past the end");
}

static void test_bad_crc(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->entries[0].bad_crc = 1;
    expect_build_extract_error(zb, "a/stored.txt", "fails its CRC-32 check");

    zb = two_entry_builder();
    zb->entries[1].bad_crc = 1;
    expect_build_extract_error(zb, "b/deflated.txt", "CRC-32");

    zb = zb_new(); /* an empty entry whose CRC is not 0 */
    zb_add(zb, "empty", "", 0, ZB_STORED)->bad_crc = 1;
    expect_build_extract_error(zb, "empty", "CRC-32");
}

static void test_crc_damage_in_data(void **state)
{
    (void)state;
    /* The data changed after the CRC was taken: one byte of a stored entry. */
    struct zb *zb = two_entry_builder();
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    data[zb->entries[0].data_offset + 3] ^= 0x20;
    struct zip_archive zip;
    char err[ERRLEN] = "";
    assert_int_equal(zip_open(&zip, data, len, err, sizeof err), 0);
    expect_extract_error(&zip, "a/stored.txt", "CRC-32");
    zip_close(&zip);
    free(data);
    zb_free(zb);
}

static void test_stored_sizes_disagree(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->entries[0].size_adjust = -1;
    expect_build_extract_error(zb, "a/stored.txt", "different stored and real sizes");

    zb = two_entry_builder();
    zb->entries[0].csize_adjust = -1;
    expect_build_extract_error(zb, "a/stored.txt", "different stored and real sizes");
}

static void test_deflated_size_wrong(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->entries[1].size_adjust = 1; /* inflates to less than recorded */
    expect_build_extract_error(zb, "b/deflated.txt", "not the recorded");

    zb = two_entry_builder();
    zb->entries[1].size_adjust = -1; /* inflates to more than recorded */
    expect_build_extract_error(zb, "b/deflated.txt", "does not inflate");

    zb = two_entry_builder();
    zb->entries[1].size_adjust = -(int64_t)zb->entries[1].len; /* recorded as empty */
    expect_build_extract_error(zb, "b/deflated.txt", "does not inflate");
}

static void test_deflated_corrupt(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->entries[1].corrupt_data = 1; /* 0xff bytes: an invalid block type */
    expect_build_extract_error(zb, "b/deflated.txt", "corrupt deflate data");

    zb = two_entry_builder();
    zb->entries[1].csize_adjust = -3; /* the stream is cut short */
    expect_build_extract_error(zb, "b/deflated.txt", "does not inflate");

    zb = two_entry_builder();
    zb->entries[1].csize_adjust = -(int64_t)1000; /* wraps to nearly 2^32 */
    expect_build_extract_error(zb, "b/deflated.txt", "runs past the end");

    /* Stored data declared as deflated. */
    zb = zb_new();
    struct zb_entry *e = zb_add_str(zb, "liar", "plain text, not deflate data", ZB_STORED);
    e->has_record_method = 1;
    e->record_method = 8;
    expect_build_extract_error(zb, "liar", "'liar' does not inflate");
}

static void test_deflated_empty_recorded_but_no_data(void **state)
{
    (void)state;
    /* Method 8 with zero bytes of compressed data: no stream to inflate at all. */
    struct zb *zb = zb_new();
    struct zb_entry *e = zb_add(zb, "nothing", "", 0, ZB_STORED);
    e->has_record_method = 1;
    e->record_method = 8;
    expect_build_extract_error(zb, "nothing", "does not inflate");
}

static void test_unsupported_methods(void **state)
{
    (void)state;
    static const uint16_t methods[] = {1, 6, 9, 12, 14, 93, 95, 99, 0xffff};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        struct zb *zb = two_entry_builder();
        zb->entries[0].has_record_method = 1;
        zb->entries[0].record_method = methods[i];
        char want[64];
        snprintf(want, sizeof want, "compression method %u", (unsigned)methods[i]);
        struct zip_archive zip;
        unsigned char *data = build_and_open(zb, &zip, NULL);
        const struct zip_entry *e = zip_find(&zip, "a/stored.txt");
        assert_non_null(e);
        assert_int_equal(e->method, methods[i]);
        expect_extract_error(&zip, "a/stored.txt", want);
        expect_content(&zip, "b/deflated.txt",
                       "deflated contents deflated contents deflated contents deflated contents\n",
                       72);
        zip_close(&zip);
        free(data);
        zb_free(zb);
    }
}

static void test_impossible_ratio(void **state)
{
    (void)state;
    /* 72 bytes claimed to inflate to 100 MB: refused before any allocation. */
    struct zb *zb = two_entry_builder();
    zb->entries[1].size_adjust = 100 << 20;
    expect_build_extract_error(zb, "b/deflated.txt", "impossible size");
}

static void test_too_large(void **state)
{
    (void)state;
    struct zb *zb = two_entry_builder();
    zb->entries[1].size_adjust = 0xfffffff0LL - 100; /* about 4 GiB */
    expect_build_extract_error(zb, "b/deflated.txt", "too large");

    zb = two_entry_builder();
    zb->entries[1].zip64 = 1;
    zb->entries[1].size_adjust = INT64_MAX - 1000;
    expect_build_extract_error(zb, "b/deflated.txt", "too large");

    zb = two_entry_builder();
    zb->entries[1].zip64 = 1;
    zb->entries[1].size_adjust = -(int64_t)zb->entries[1].len - 1; /* UINT64_MAX */
    expect_build_extract_error(zb, "b/deflated.txt", "too large");
}

/* ---------------------------------------------------------------------------------------- */
/* every truncation and every single-byte change: errors, never crashes */

/* Opens data[0..len) (a block of exactly len bytes) and extracts every entry. Returns the
 * number of failures (open or extract); checks that each failure says something. */
static int open_and_extract_all(const unsigned char *data, size_t len, int *extracted)
{
    unsigned char *copy = zb_dup(data, len);
    struct zip_archive zip;
    char err[ERRLEN];
    int failures = 0;
    err[0] = '\0';
    if (zip_open(&zip, copy, len, err, sizeof err) != 0) {
        if (err[0] == '\0')
            fail_msg("zip_open failed without a message (len %zu)", len);
        free(copy);
        return 1;
    }
    for (size_t i = 0; i < zip.count; i++) {
        const struct zip_entry *e = &zip.entries[i];
        assert_ptr_equal(zip_find(&zip, e->name), e);
        unsigned char *out = NULL;
        size_t outlen = 0;
        err[0] = '\0';
        if (zip_extract(&zip, e, &out, &outlen, err, sizeof err) != 0) {
            if (err[0] == '\0')
                fail_msg("zip_extract failed without a message (len %zu)", len);
            assert_null(out);
            failures++;
        } else {
            assert_non_null(out);
            assert_int_equal(out[outlen], '\0');
            free(out);
            (*extracted)++;
        }
    }
    zip_close(&zip);
    free(copy);
    return failures;
}

static struct zb *fuzz_builder(int zip64)
{
    struct zb *zb = zb_new();
    zb_add_str(zb, "pkg/stored.txt", "stored\n", ZB_STORED);
    zb_add_str(zb, "pkg/deflated.txt", "deflated deflated deflated deflated deflated\n", ZB_DEFLATED);
    struct zb_entry *e = zb_add_str(zb, "pkg/z64.txt", "zip64 entry zip64 entry\n", ZB_DEFLATED);
    e->zip64 = zip64;
    zb->zip64 = zip64;
    zb->comment = "c";
    return zb;
}

static void test_every_truncation(void **state)
{
    (void)state;
    for (int zip64 = 0; zip64 <= 1; zip64++) {
        struct zb *zb = fuzz_builder(zip64);
        size_t len;
        unsigned char *data = zb_build(zb, &len);
        int extracted = 0;
        /* The whole archive works... */
        assert_int_equal(open_and_extract_all(data, len, &extracted), 0);
        assert_int_equal(extracted, 3);
        /* ...and no shorter prefix of it does: the end record is at the end. */
        for (size_t n = 0; n < len; n++) {
            extracted = 0;
            assert_int_equal(open_and_extract_all(data, n, &extracted), 1);
            assert_int_equal(extracted, 0);
        }
        free(data);
        zb_free(zb);
    }
}

static void test_every_cut_before_directory(void **state)
{
    (void)state;
    /* Cut bytes out of the file data while keeping directory and end record intact: the
     * offsets now point at the wrong places, or past the end. */
    struct zb *zb = fuzz_builder(0);
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    size_t tail = len - zb->cd_offset;
    int failures_total = 0;
    for (size_t keep = 0; keep < zb->cd_offset; keep++) {
        size_t n = keep + tail;
        unsigned char *cut = malloc(n);
        assert_non_null(cut);
        memcpy(cut, data + zb->cd_offset - keep, keep); /* the last keep bytes before the directory */
        memcpy(cut + keep, data + zb->cd_offset, tail);
        /* The directory has moved to offset keep. */
        zb_put32(cut + keep + (zb->end_offset - zb->cd_offset) + 16, (uint32_t)keep);
        int extracted = 0;
        failures_total += open_and_extract_all(cut, n, &extracted);
        free(cut);
    }
    assert_true(failures_total > 0);
    free(data);
    zb_free(zb);
}

static void test_every_byte_changed(void **state)
{
    (void)state;
    static const unsigned char xors[] = {0x01, 0x80, 0xff};
    for (int zip64 = 0; zip64 <= 1; zip64++) {
        struct zb *zb = fuzz_builder(zip64);
        size_t len;
        unsigned char *data = zb_build(zb, &len);
        unsigned char *copy = malloc(len);
        assert_non_null(copy);
        int failures = 0, extracted_total = 0;
        for (size_t pos = 0; pos < len; pos++) {
            for (size_t x = 0; x < sizeof xors; x++) {
                memcpy(copy, data, len);
                copy[pos] ^= xors[x];
                int extracted = 0;
                failures += open_and_extract_all(copy, len, &extracted) > 0;
                extracted_total += extracted;
            }
        }
        /* Changing any byte of the stored data must be caught (CRC-32); so must changing a
         * signature. */
        for (uint64_t pos = zb->entries[0].data_offset; pos < zb->entries[0].data_offset + 7; pos++) {
            memcpy(copy, data, len);
            copy[pos] ^= 0x01;
            int extracted = 0;
            assert_int_equal(open_and_extract_all(copy, len, &extracted), 1);
            assert_int_equal(extracted, 2);
        }
        memcpy(copy, data, len);
        copy[zb->end_offset] ^= 0x01;
        int extracted = 0;
        assert_int_equal(open_and_extract_all(copy, len, &extracted), 1);
        assert_true(failures > (int)len); /* most changes are caught */
        assert_true(extracted_total > 0);  /* and some (timestamps, ...) are harmless */
        free(copy);
        free(data);
        zb_free(zb);
    }
}

static void test_every_field_extreme(void **state)
{
    (void)state;
    /* Each 16- and 32-bit position of the archive set to 0 and to all ones. */
    struct zb *zb = fuzz_builder(1);
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    unsigned char *copy = malloc(len);
    assert_non_null(copy);
    int failures = 0;
    for (size_t pos = 0; pos + 4 <= len; pos++) {
        for (int width = 2; width <= 4; width += 2) {
            for (int allones = 0; allones <= 1; allones++) {
                memcpy(copy, data, len);
                memset(copy + pos, allones ? 0xff : 0x00, (size_t)width);
                int extracted = 0;
                failures += open_and_extract_all(copy, len, &extracted) > 0;
            }
        }
    }
    assert_true(failures > 0);
    free(copy);
    free(data);
    zb_free(zb);
}

static void test_random_damage(void **state)
{
    (void)state;
    /* A few thousand archives with 1 to 8 random bytes changed (fixed seed). */
    struct zb *zb = fuzz_builder(1);
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    unsigned char *copy = malloc(len);
    assert_non_null(copy);
    uint32_t x = 12345;
    int failures = 0;
    for (int round = 0; round < 3000; round++) {
        memcpy(copy, data, len);
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        int changes = 1 + (int)(x % 8);
        for (int c = 0; c < changes; c++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            copy[x % len] = (unsigned char)(x >> 24);
        }
        int extracted = 0;
        failures += open_and_extract_all(copy, len, &extracted) > 0;
    }
    assert_true(failures > 1000);
    free(copy);
    free(data);
    zb_free(zb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_archive),
        cmocka_unit_test(test_stored_entry),
        cmocka_unit_test(test_deflated_entries),
        cmocka_unit_test(test_empty_entries),
        cmocka_unit_test(test_binary_data_with_nuls),
        cmocka_unit_test(test_find_exact_names),
        cmocka_unit_test(test_many_entries),
        cmocka_unit_test(test_comment_and_prefix),
        cmocka_unit_test(test_longest_comment),
        cmocka_unit_test(test_comment_holding_end_signature),
        cmocka_unit_test(test_entry_extra_and_comment),
        cmocka_unit_test(test_data_descriptor_flag),
        cmocka_unit_test(test_archive_from_python_zipfile),
        cmocka_unit_test(test_zip64_archive),
        cmocka_unit_test(test_zip64_extra_after_other_field),
        cmocka_unit_test(test_zip64_only_offset),
        cmocka_unit_test(test_short_error_buffer),
        cmocka_unit_test(test_too_short),
        cmocka_unit_test(test_not_a_zip),
        cmocka_unit_test(test_end_record_beyond_comment_reach),
        cmocka_unit_test(test_trailing_garbage),
        cmocka_unit_test(test_comment_length_too_long),
        cmocka_unit_test(test_multi_disk),
        cmocka_unit_test(test_directory_offset_out_of_range),
        cmocka_unit_test(test_directory_size_out_of_range),
        cmocka_unit_test(test_directory_count_exceeds_room),
        cmocka_unit_test(test_directory_count_beyond_entries),
        cmocka_unit_test(test_directory_offset_misaligned),
        cmocka_unit_test(test_directory_points_at_local_header),
        cmocka_unit_test(test_entry_name_runs_past_directory),
        cmocka_unit_test(test_entry_comment_runs_past_directory),
        cmocka_unit_test(test_entry_empty_name),
        cmocka_unit_test(test_entry_name_with_nul),
        cmocka_unit_test(test_entry_encrypted),
        cmocka_unit_test(test_duplicate_names),
        cmocka_unit_test(test_zip64_extra_damaged),
        cmocka_unit_test(test_zip64_extra_other_field_overlong),
        cmocka_unit_test(test_zip64_without_locator),
        cmocka_unit_test(test_zip64_record_out_of_place),
        cmocka_unit_test(test_zip64_hostile_values),
        cmocka_unit_test(test_local_header_offset_out_of_range),
        cmocka_unit_test(test_local_header_partly_outside),
        cmocka_unit_test(test_local_header_bad_signature),
        cmocka_unit_test(test_local_header_other_name),
        cmocka_unit_test(test_local_name_runs_past_end),
        cmocka_unit_test(test_local_extra_runs_past_end),
        cmocka_unit_test(test_compressed_size_past_end),
        cmocka_unit_test(test_bad_crc),
        cmocka_unit_test(test_crc_damage_in_data),
        cmocka_unit_test(test_stored_sizes_disagree),
        cmocka_unit_test(test_deflated_size_wrong),
        cmocka_unit_test(test_deflated_corrupt),
        cmocka_unit_test(test_deflated_empty_recorded_but_no_data),
        cmocka_unit_test(test_unsupported_methods),
        cmocka_unit_test(test_impossible_ratio),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_every_cut_before_directory),
        cmocka_unit_test(test_every_byte_changed),
        cmocka_unit_test(test_every_field_extreme),
        cmocka_unit_test(test_random_damage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
