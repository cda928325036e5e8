/* Unit tests of the wheel checks (src/wheel.h: wheel_read_version, wheel_verify) and of the
 * SHA-256 helpers (src/digest.h), against known vectors. The RECORD hashes of the test wheel
 * were computed with Python's hashlib and base64.urlsafe_b64encode, not with the code under
 * test. */
#include "config.h"

#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "digest.h"
#include "wheel.h"
#include "zip.h"
#include "zipbuild.h"

#define ERRLEN 1024

/* ---------------------------------------------------------------------------------------- */
/* a growable string */

struct sbuf {
    char *s;
    size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->len + (size_t)n + 1) * 2;
        char *s = realloc(b->s, cap);
        assert_non_null(s);
        b->s = s;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* A malloc'ed copy of s with the first occurrence of old replaced by new (old must occur). */
static char *replaced(const char *s, const char *old, const char *new)
{
    const char *at = strstr(s, old);
    if (at == NULL)
        fail_msg("'%s' not found in the text to change", old);
    struct sbuf b = {NULL, 0, 0};
    sb_add(&b, "%.*s%s%s", (int)(at - s), s, new, at + strlen(old));
    return b.s;
}

/* ---------------------------------------------------------------------------------------- */
/* digests */

static const struct {
    const char *data;
    size_t len;
    const char *hex;
    const char *record;
} vectors[] = {
    {"abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
     "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"},
    {"", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
     "JI1qYdIGOLjlwCaTDD5gOaM85Flk_yFn9uzt1BnbBsE"},
    {"x1", 2, "ec31682fde561917952ff78a7a8adeffd0febc372dd26871916c46c630381b45",
     "7DFoL95WGReVL_eKeore_9D-vDct0mhxkWxGxjA4G0U"}, /* has both '-' and '_' */
    {"a\0b", 3, "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138", NULL},
};

static void test_sha256_hex_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        char out[SHA256_HEX_SIZE + 8];
        memset(out, 'X', sizeof out);
        sha256_hex(vectors[i].data, vectors[i].len, out);
        assert_string_equal(out, vectors[i].hex);
        assert_int_equal(out[SHA256_HEX_SIZE], 'X'); /* nothing written past the size */
    }
}

static void test_sha256_hex_million_a(void **state)
{
    (void)state;
    size_t n = 1000000;
    char *a = malloc(n);
    assert_non_null(a);
    memset(a, 'a', n);
    char out[SHA256_HEX_SIZE];
    sha256_hex(a, n, out);
    assert_string_equal(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    char rec[SHA256_RECORD_SIZE];
    assert_int_equal(sha256_record(a, n, rec), 0);
    assert_string_equal(rec, "zcduXJkU-5KBocfihNc-Z_GAmkiklyAOBG05zMcRLNA");
    free(a);
}

static void test_sha256_record_vectors(void **state)
{
    (void)state;
    assert_int_equal(SHA256_HEX_SIZE, 65);
    assert_int_equal(SHA256_RECORD_SIZE, 44);
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        if (vectors[i].record == NULL)
            continue;
        char out[SHA256_RECORD_SIZE + 8];
        memset(out, 'X', sizeof out);
        assert_int_equal(sha256_record(vectors[i].data, vectors[i].len, out), 0);
        assert_string_equal(out, vectors[i].record);
        assert_int_equal(strlen(out), 43);
        assert_null(strchr(out, '='));
        assert_null(strchr(out, '+'));
        assert_null(strchr(out, '/'));
        assert_int_equal(out[SHA256_RECORD_SIZE], 'X');
    }
}

/* ---------------------------------------------------------------------------------------- */
/* the test wheel: demo 1.0 */

#define DI "demo-1.0.dist-info/"

struct wfile {
    const char *name;
    const char *content;
    const char *hash; /* as RECORD writes it */
};

static const char metadata_text[] =
    "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nSummary: A demo\n\nVersion: 9.9 in the body\n";

static const struct wfile std_files[] = {
    {"demo/__init__.py", "print('hello')\n", "sha256=A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ"},
    {"demo/data.txt",
     "data line\ndata line\ndata line\ndata line\ndata line\ndata line\ndata line\ndata line\n"
     "data line\ndata line\ndata line\ndata line\ndata line\ndata line\ndata line\ndata line\n"
     "data line\ndata line\ndata line\ndata line\ndata line\ndata line\ndata line\ndata line\n"
     "data line\ndata line\ndata line\ndata line\ndata line\ndata line\ndata line\ndata line\n"
     "data line\ndata line\ndata line\ndata line\ndata line\ndata line\ndata line\ndata line\n"
     "data line\ndata line\ndata line\ndata line\ndata line\ndata line\ndata line\ndata line\n"
     "data line\ndata line\n",
     "sha256=s6iDER6PzLrodnSXXfJD-mOMG_YI2HxXQUMFJj1ifSo"},
    {"demo/empty.py", "", "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"},
    {"demo/sub dir/a,b.py", "x = 1\r\n", "sha256=7Mw5M2qo-2Cj3S4-ssVqDydZtn3yesiiekjyLdaR-zQ"},
    {"demo/say \"hi\".txt", "hi\n", "sha256=mOpuTyFvL7S2n_-bOkSELDhobKaF8_VdxIxdP7EQe-Q"},
    {DI "METADATA", metadata_text, "sha256=5v6Wprjg7QKG-gMpcA-Gp-xNAuR76VMtAcGunIlLJkY"},
    {DI "WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
     "sha256=GOJWfGKy_s7ZRMtmrMyJFvIHxzo0gLZVhGWWyTqB6uo"},
};
#define N_STD (sizeof std_files / sizeof std_files[0])

/* A CSV field as Python's csv module writes it: quoted if it holds , " CR or LF. */
static void sb_add_field(struct sbuf *b, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        sb_add(b, "%s", s);
        return;
    }
    sb_add(b, "\"");
    for (; *s != '\0'; s++) {
        if (*s == '"')
            sb_add(b, "\"\"");
        else
            sb_add(b, "%c", *s);
    }
    sb_add(b, "\"");
}

/* The RECORD of the test wheel, with the given line ending (malloc'ed). */
static char *standard_record(const char *eol)
{
    struct sbuf b = {NULL, 0, 0};
    for (size_t i = 0; i < N_STD; i++) {
        sb_add_field(&b, std_files[i].name);
        sb_add(&b, ",%s,%zu%s", std_files[i].hash, strlen(std_files[i].content), eol);
    }
    sb_add(&b, DI "RECORD,,%s", eol);
    return b.s;
}

/* The test wheel with this RECORD text (NULL: no RECORD entry at all). */
static struct zb *wheel_builder(const char *record)
{
    struct zb *zb = zb_new();
    zb_add(zb, "demo/", "", 0, ZB_STORED); /* a directory entry, as some tools write */
    for (size_t i = 0; i < N_STD; i++)
        zb_add_str(zb, std_files[i].name, std_files[i].content, i % 2 ? ZB_STORED : ZB_DEFLATED);
    if (record != NULL)
        zb_add_str(zb, DI "RECORD", record, ZB_DEFLATED);
    return zb;
}

/* Builds, opens and verifies; returns wheel_verify's result, with its message in err. */
static int verify_built(struct zb *zb, char *err, size_t errlen)
{
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    struct zip_archive zip;
    if (zip_open(&zip, data, len, err, errlen) != 0)
        fail_msg("zip_open: %s", err);
    err[0] = '\0';
    int rc = wheel_verify(&zip, err, errlen);
    zip_close(&zip);
    free(data);
    zb_free(zb);
    return rc;
}

static int verify_record(const char *record, char *err, size_t errlen)
{
    return verify_built(wheel_builder(record), err, errlen);
}

/* The standard RECORD with one change must be refused with a message containing want. */
static void expect_record_change_refused(const char *old, const char *new, const char *want)
{
    char *std = standard_record("\n");
    char *record = replaced(std, old, new);
    char err[ERRLEN];
    int rc = verify_record(record, err, sizeof err);
    free(record);
    free(std);
    assert_int_equal(rc, -1);
    assert_contains(err, want);
}

/* wheel_read_version on the built archive; returns its result. */
static int read_version_built(struct zb *zb, char *version, size_t len, char *err, size_t errlen)
{
    size_t n;
    unsigned char *data = zb_build(zb, &n);
    struct zip_archive zip;
    if (zip_open(&zip, data, n, err, errlen) != 0)
        fail_msg("zip_open: %s", err);
    err[0] = '\0';
    int rc = wheel_read_version(&zip, version, len, err, errlen);
    zip_close(&zip);
    free(data);
    zb_free(zb);
    return rc;
}

/* The version read from a wheel whose only file is x-1.dist-info/METADATA with this text. */
static int version_of_metadata(const char *metadata, char *version, size_t len, char *err,
                               size_t errlen)
{
    struct zb *zb = zb_new();
    zb_add_str(zb, "x-1.dist-info/METADATA", metadata, ZB_DEFLATED);
    zb_add_str(zb, "x/__init__.py", "", ZB_STORED);
    return read_version_built(zb, version, len, err, errlen);
}

static void expect_version(const char *metadata, const char *want)
{
    char version[64], err[ERRLEN];
    memset(version, 'X', sizeof version);
    if (version_of_metadata(metadata, version, sizeof version, err, sizeof err) != 0)
        fail_msg("wheel_read_version failed: %s", err);
    assert_string_equal(version, want);
}

static void expect_version_error(const char *metadata, const char *want)
{
    char version[64], err[ERRLEN];
    assert_int_equal(version_of_metadata(metadata, version, sizeof version, err, sizeof err), -1);
    assert_contains(err, want);
}

/* ---------------------------------------------------------------------------------------- */
/* wheel_read_version */

static void test_version_of_test_wheel(void **state)
{
    (void)state;
    char *record = standard_record("\n");
    char version[32], err[ERRLEN];
    assert_int_equal(read_version_built(wheel_builder(record), version, sizeof version, err,
                                        sizeof err), 0);
    assert_string_equal(version, "1.0"); /* the header, not the "Version: 9.9" of the body */
    free(record);
}

static void test_version_variants(void **state)
{
    (void)state;
    expect_version("Metadata-Version: 2.1\nName: pip\nVersion: 23.0.1\n\nbody\n", "23.0.1");
    expect_version("Metadata-Version: 2.1\r\nName: pip\r\nVersion: 23.0.1\r\n\r\nbody\r\n", "23.0.1");
    expect_version("Name: pip\nVersion: \t 24.1b1 \t\nSummary: x\n", "24.1b1");
    expect_version("Version:3.1\n", "3.1");
    expect_version("Name: pip\nVersion: 1.0.post1+local.2", "1.0.post1+local.2"); /* no final newline */
    expect_version("Metadata-Version: 2.1\nVersion: 1\nVersion: 2\n", "1"); /* the first one */
    expect_version("Name: pip\nSummary: Version: 7.7 is not a header\nVersion: 8.8\n", "8.8");
}

static void test_version_only_in_body(void **state)
{
    (void)state;
    expect_version_error("Metadata-Version: 2.1\nName: pip\n\nVersion: 1.0\n",
                         "x-1.dist-info/METADATA has no Version header");
    expect_version_error("Metadata-Version: 2.1\r\nName: pip\r\n\r\nVersion: 1.0\r\n",
                         "no Version header");
    expect_version_error("\nVersion: 1.0\n", "no Version header"); /* no headers at all */
    expect_version_error("", "no Version header");
}

static void test_version_header_missing(void **state)
{
    (void)state;
    /* Metadata-Version ends in "Version: " but is not the Version header. */
    expect_version_error("Metadata-Version: 2.1\nName: pip\n", "no Version header");
    expect_version_error("Versions: 1.0\nversion-x: 2\n", "no Version header");
    expect_version_error(" Version: 1.0\n", "no Version header");
}

static void test_version_empty(void **state)
{
    (void)state;
    expect_version_error("Name: pip\nVersion:\nSummary: x\n", "empty or overlong Version");
    expect_version_error("Name: pip\nVersion:   \t\r\n", "empty or overlong Version");
}

static void test_version_buffer_size(void **state)
{
    (void)state;
    const char *md = "Name: pip\nVersion: 23.0.1\n";
    char version[16], err[ERRLEN];
    memset(version, 'X', sizeof version);
    assert_int_equal(version_of_metadata(md, version, 7, err, sizeof err), 0); /* exactly fits */
    assert_string_equal(version, "23.0.1");
    assert_int_equal(version[7], 'X');

    memset(version, 'X', sizeof version);
    assert_int_equal(version_of_metadata(md, version, 6, err, sizeof err), -1);
    assert_contains(err, "overlong");
    for (size_t i = 6; i < sizeof version; i++)
        assert_int_equal(version[i], 'X'); /* nothing past len */
}

static void test_version_no_dist_info(void **state)
{
    (void)state;
    char version[32], err[ERRLEN];
    struct zb *zb = zb_new();
    zb_add_str(zb, "demo/__init__.py", "", ZB_STORED);
    zb_add_str(zb, "METADATA", "Version: 1.0\n", ZB_STORED);                  /* not in a dist-info */
    zb_add_str(zb, "demo/x-1.dist-info/METADATA", "Version: 1.0\n", ZB_STORED); /* not top-level */
    zb_add_str(zb, "y-1.dist-info/METADATA.bak", "Version: 1.0\n", ZB_STORED);
    zb_add_str(zb, "z-1.egg-info/METADATA", "Version: 1.0\n", ZB_STORED);
    assert_int_equal(read_version_built(zb, version, sizeof version, err, sizeof err), -1);
    assert_contains(err, "no .dist-info/METADATA");

    zb = zb_new();
    assert_int_equal(read_version_built(zb, version, sizeof version, err, sizeof err), -1);
    assert_contains(err, "no .dist-info/METADATA");
}

static void test_version_two_dist_infos(void **state)
{
    (void)state;
    char version[32], err[ERRLEN];
    struct zb *zb = zb_new();
    zb_add_str(zb, "a-1.dist-info/METADATA", "Version: 1\n", ZB_STORED);
    zb_add_str(zb, "b-2.dist-info/METADATA", "Version: 2\n", ZB_STORED);
    assert_int_equal(read_version_built(zb, version, sizeof version, err, sizeof err), -1);
    assert_contains(err, "more than one .dist-info");

    zb = wheel_builder(NULL);
    zb_add_str(zb, "demo-1.0.1.dist-info/METADATA", "Version: 1.0.1\n", ZB_STORED);
    assert_int_equal(verify_built(zb, err, sizeof err), -1);
    assert_contains(err, "more than one .dist-info");
}

static void test_version_metadata_damaged(void **state)
{
    (void)state;
    char version[32], err[ERRLEN];
    struct zb *zb = zb_new();
    zb_add_str(zb, "x-1.dist-info/METADATA", "Version: 1.0\n", ZB_DEFLATED)->bad_crc = 1;
    assert_int_equal(read_version_built(zb, version, sizeof version, err, sizeof err), -1);
    assert_contains(err, "CRC-32");

    zb = zb_new();
    zb_add_str(zb, "x-1.dist-info/METADATA", "Version: 1.0\n", ZB_DEFLATED)->corrupt_data = 1;
    assert_int_equal(read_version_built(zb, version, sizeof version, err, sizeof err), -1);
    assert_contains(err, "x-1.dist-info/METADATA");
}

static void test_version_dist_info_name_too_long(void **state)
{
    (void)state;
    char name[700], version[32], err[ERRLEN];
    memset(name, 'n', 600);
    strcpy(name + 600, ".dist-info/METADATA");
    struct zb *zb = zb_new();
    zb_add_str(zb, name, "Version: 1.0\n", ZB_STORED);
    assert_int_equal(read_version_built(zb, version, sizeof version, err, sizeof err), -1);
    assert_contains(err, "too long");

    /* A long name that still fits reads normally. */
    memset(name, 'n', 450);
    strcpy(name + 450, ".dist-info/METADATA");
    zb = zb_new();
    zb_add_str(zb, name, "Version: 4.5\n", ZB_DEFLATED);
    assert_int_equal(read_version_built(zb, version, sizeof version, err, sizeof err), 0);
    assert_string_equal(version, "4.5");
}

/* ---------------------------------------------------------------------------------------- */
/* wheel_verify */

static void test_verify_test_wheel(void **state)
{
    (void)state;
    char err[ERRLEN];
    char *record = standard_record("\n");
    int rc = verify_record(record, err, sizeof err);
    if (rc != 0)
        fail_msg("wheel_verify: %s", err);
    free(record);
    /* The hashes of the table really are those of the contents. */
    for (size_t i = 0; i < N_STD; i++) {
        char digest[SHA256_RECORD_SIZE];
        assert_int_equal(sha256_record(std_files[i].content, strlen(std_files[i].content), digest), 0);
        assert_string_equal(digest, std_files[i].hash + 7);
    }
}

static void test_verify_crlf_and_blank_lines(void **state)
{
    (void)state;
    char err[ERRLEN];
    char *record = standard_record("\r\n");
    if (verify_record(record, err, sizeof err) != 0)
        fail_msg("CRLF RECORD: %s", err);
    free(record);

    char *std = standard_record("\n");
    record = replaced(std, DI "WHEEL", "\n\n" DI "WHEEL");
    if (verify_record(record, err, sizeof err) != 0)
        fail_msg("RECORD with blank lines: %s", err);
    free(record);

    /* No newline after the last row. */
    std[strlen(std) - 1] = '\0';
    if (verify_record(std, err, sizeof err) != 0)
        fail_msg("RECORD without a final newline: %s", err);
    free(std);
}

static void test_verify_quoting(void **state)
{
    (void)state;
    char err[ERRLEN];
    char *std = standard_record("\n");
    /* The standard RECORD already quotes "demo/sub dir/a,b.py" and doubles the quotes of
     * demo/say "hi".txt; quoting a field that needs none is fine too. */
    assert_non_null(strstr(std, "\"demo/sub dir/a,b.py\","));
    assert_non_null(strstr(std, "\"demo/say \"\"hi\"\".txt\","));
    char *record = replaced(std, "demo/__init__.py,sha256=A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ,15",
                            "\"demo/__init__.py\",\"sha256=A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ\",\"15\"");
    if (verify_record(record, err, sizeof err) != 0)
        fail_msg("quoted RECORD: %s", err);
    free(record);
    free(std);
}

static void test_verify_record_signatures_unlisted(void **state)
{
    (void)state;
    char err[ERRLEN];
    char *record = standard_record("\n");
    struct zb *zb = wheel_builder(record);
    zb_add_str(zb, DI "RECORD.jws", "{}", ZB_STORED);
    zb_add_str(zb, DI "RECORD.p7s", "signature", ZB_DEFLATED);
    if (verify_built(zb, err, sizeof err) != 0)
        fail_msg("RECORD signatures: %s", err);

    /* RECORD may also be left out of itself. */
    char *without = replaced(record, DI "RECORD,,\n", "");
    if (verify_record(without, err, sizeof err) != 0)
        fail_msg("RECORD not listing itself: %s", err);
    free(without);

    /* Listing a signature file with a correct hash is fine as well. */
    char *with = replaced(record, DI "RECORD,,\n",
                          DI "RECORD,,\n" DI
                          "RECORD.jws,sha256=RBNvo1WzZ4oRRq0W9-hknpT7T8If536DEMBg9hyq_4o,2\n");
    zb = wheel_builder(with);
    zb_add_str(zb, DI "RECORD.jws", "{}", ZB_DEFLATED);
    if (verify_built(zb, err, sizeof err) != 0)
        fail_msg("listed RECORD.jws: %s", err);
    free(with);
    free(record);
}

static void test_verify_record_signature_damaged(void **state)
{
    (void)state;
    /* Not hashed by RECORD, but still extracted: its CRC-32 is checked. */
    char err[ERRLEN];
    char *record = standard_record("\n");
    struct zb *zb = wheel_builder(record);
    zb_add_str(zb, DI "RECORD.jws", "{}", ZB_STORED)->bad_crc = 1;
    assert_int_equal(verify_built(zb, err, sizeof err), -1);
    assert_contains(err, "RECORD.jws");
    assert_contains(err, "CRC-32");
    free(record);
}

static void test_verify_unlisted_file(void **state)
{
    (void)state;
    char err[ERRLEN];
    char *record = standard_record("\n");
    struct zb *zb = wheel_builder(record);
    zb_add_str(zb, "demo/extra.py", "import os\n", ZB_DEFLATED);
    assert_int_equal(verify_built(zb, err, sizeof err), -1);
    assert_contains(err, "'demo/extra.py' is in the wheel but not in its RECORD");

    /* A file called RECORD outside the dist-info is an ordinary file. */
    zb = wheel_builder(record);
    zb_add_str(zb, "demo/RECORD", "x", ZB_STORED);
    assert_int_equal(verify_built(zb, err, sizeof err), -1);
    assert_contains(err, "'demo/RECORD' is in the wheel but not in its RECORD");

    zb = wheel_builder(record);
    zb_add_str(zb, DI "RECORD.bak", "x", ZB_STORED);
    assert_int_equal(verify_built(zb, err, sizeof err), -1);
    assert_contains(err, "RECORD.bak' is in the wheel but not in its RECORD");

    /* A row removed. */
    free(record);
    expect_record_change_refused("demo/data.txt,sha256=s6iDER6PzLrodnSXXfJD-mOMG_YI2HxXQUMFJj1ifSo,500\n",
                                 "", "'demo/data.txt' is in the wheel but not in its RECORD");
    expect_record_change_refused(DI "METADATA", DI "metadata",
                                 "which the wheel does not contain");
}

static void test_verify_listed_file_missing(void **state)
{
    (void)state;
    expect_record_change_refused(
        DI "RECORD,,\n",
        DI "RECORD,,\ndemo/gone.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n",
        "RECORD lists 'demo/gone.py', which the wheel does not contain");
    expect_record_change_refused(DI "RECORD,,\n",
                                 DI "RECORD,,\n,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n",
                                 "which the wheel does not contain");
    expect_record_change_refused(DI "RECORD,,\n",
                                 DI "RECORD,,\n./demo/__init__.py,sha256=A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ,15\n",
                                 "'./demo/__init__.py', which the wheel does not contain");
}

static void test_verify_wrong_hash(void **state)
{
    (void)state;
    /* One character changed. */
    expect_record_change_refused("A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ",
                                 "A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCq",
                                 "'demo/__init__.py' does not match its RECORD hash");
    /* Another file's hash. */
    expect_record_change_refused("sha256=GOJWfGKy_s7ZRMtmrMyJFvIHxzo0gLZVhGWWyTqB6uo",
                                 "sha256=5v6Wprjg7QKG-gMpcA-Gp-xNAuR76VMtAcGunIlLJkY",
                                 DI "WHEEL' does not match its RECORD hash");
    /* With base64 padding, or in standard (not urlsafe) base64, or truncated. */
    expect_record_change_refused("A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ",
                                 "A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ=",
                                 "does not match its RECORD hash");
    expect_record_change_refused("A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ",
                                 "A+aT2fL2h+D0Djao33/LTRwil0ASt8KlXAAOsw8wWCQ",
                                 "does not match its RECORD hash");
    expect_record_change_refused("A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ", "A-aT2fL2h",
                                 "does not match its RECORD hash");
    expect_record_change_refused("sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU", "sha256=",
                                 "'demo/empty.py' does not match its RECORD hash");
}

static void test_verify_content_changed(void **state)
{
    (void)state;
    /* The RECORD is right for the original; the file in the archive is different (CRC-32
     * recomputed, so only the hash can notice). Same size. */
    char err[ERRLEN];
    char *record = standard_record("\n");
    struct zb *zb = zb_new();
    for (size_t i = 0; i < N_STD; i++) {
        const char *content = std_files[i].content;
        if (strcmp(std_files[i].name, "demo/__init__.py") == 0)
            content = "print('HELLO')\n";
        zb_add_str(zb, std_files[i].name, content, ZB_DEFLATED);
    }
    zb_add_str(zb, DI "RECORD", record, ZB_STORED);
    assert_int_equal(verify_built(zb, err, sizeof err), -1);
    assert_contains(err, "'demo/__init__.py' does not match its RECORD hash");
    free(record);
}

static void test_verify_wrong_size(void **state)
{
    (void)state;
    expect_record_change_refused("s6iDER6PzLrodnSXXfJD-mOMG_YI2HxXQUMFJj1ifSo,500",
                                 "s6iDER6PzLrodnSXXfJD-mOMG_YI2HxXQUMFJj1ifSo,501",
                                 "'demo/data.txt' is 500 bytes, but RECORD says 501");
    expect_record_change_refused("s6iDER6PzLrodnSXXfJD-mOMG_YI2HxXQUMFJj1ifSo,500",
                                 "s6iDER6PzLrodnSXXfJD-mOMG_YI2HxXQUMFJj1ifSo,",
                                 "'demo/data.txt' is 500 bytes, but RECORD says");
    expect_record_change_refused("s6iDER6PzLrodnSXXfJD-mOMG_YI2HxXQUMFJj1ifSo,500",
                                 "s6iDER6PzLrodnSXXfJD-mOMG_YI2HxXQUMFJj1ifSo,500x",
                                 "RECORD says 500x");
    expect_record_change_refused("s6iDER6PzLrodnSXXfJD-mOMG_YI2HxXQUMFJj1ifSo,500",
                                 "s6iDER6PzLrodnSXXfJD-mOMG_YI2HxXQUMFJj1ifSo,-1",
                                 "RECORD says -1");
    expect_record_change_refused("s6iDER6PzLrodnSXXfJD-mOMG_YI2HxXQUMFJj1ifSo,500",
                                 "s6iDER6PzLrodnSXXfJD-mOMG_YI2HxXQUMFJj1ifSo,18446744073709551616",
                                 "RECORD says 18446744073709551616");
    expect_record_change_refused("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0",
                                 "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,1",
                                 "'demo/empty.py' is 0 bytes, but RECORD says 1");
}

static void test_verify_missing_or_other_hash(void **state)
{
    (void)state;
    expect_record_change_refused("demo/__init__.py,sha256=A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ,15",
                                 "demo/__init__.py,,15", "RECORD gives 'demo/__init__.py' no sha256 hash");
    expect_record_change_refused("sha256=A-aT2fL2h", "md5=A-aT2fL2h", "no sha256 hash");
    expect_record_change_refused("sha256=A-aT2fL2h", "sha512=A-aT2fL2h", "no sha256 hash");
    expect_record_change_refused("sha256=A-aT2fL2h", "SHA256=A-aT2fL2h", "no sha256 hash");
    expect_record_change_refused("sha256=A-aT2fL2h", "sha256:A-aT2fL2h", "no sha256 hash");
}

static void test_verify_bad_rows(void **state)
{
    (void)state;
    expect_record_change_refused("demo/__init__.py,sha256=A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ,15",
                                 "demo/__init__.py,sha256=A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ",
                                 "RECORD has a row with 2 fields (for 'demo/__init__.py')");
    expect_record_change_refused("demo/__init__.py,sha256=A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ,15",
                                 "demo/__init__.py,sha256=A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ,15,extra",
                                 "RECORD has a row with 4 fields");
    expect_record_change_refused("demo/__init__.py,sha256=A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ,15",
                                 "demo/__init__.py", "RECORD has a row with 1 fields");
    expect_record_change_refused(DI "RECORD,,", DI "RECORD", "RECORD has a row with 1 fields");
    /* An unterminated quote swallows the rest of the text into one field. */
    expect_record_change_refused("demo/__init__.py,", "\"demo/__init__.py,", "fields");
}

static void test_verify_no_record(void **state)
{
    (void)state;
    char err[ERRLEN];
    assert_int_equal(verify_built(wheel_builder(NULL), err, sizeof err), -1);
    assert_contains(err, "the wheel has no " DI "RECORD");

    struct zb *zb = zb_new();
    zb_add_str(zb, "demo/__init__.py", "", ZB_STORED);
    assert_int_equal(verify_built(zb, err, sizeof err), -1);
    assert_contains(err, "no .dist-info/METADATA");
}

static void test_verify_record_with_nul(void **state)
{
    (void)state;
    char err[ERRLEN];
    char *record = standard_record("\n");
    size_t n = strlen(record);
    /* The RECORD text, a NUL, then a row that would list an extra file. */
    const char *more = "demo/extra.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n";
    unsigned char *bytes = malloc(n + 1 + strlen(more));
    assert_non_null(bytes);
    memcpy(bytes, record, n);
    bytes[n] = '\0';
    memcpy(bytes + n + 1, more, strlen(more));
    struct zb *zb = wheel_builder(NULL);
    zb_add(zb, DI "RECORD", bytes, n + 1 + strlen(more), ZB_DEFLATED);
    assert_int_equal(verify_built(zb, err, sizeof err), -1);
    assert_contains(err, "RECORD contains a NUL byte");
    free(bytes);
    free(record);
}

static void test_verify_damaged_entries(void **state)
{
    (void)state;
    char err[ERRLEN];
    char *record = standard_record("\n");

    struct zb *zb = wheel_builder(record);
    zb->entries[2].bad_crc = 1; /* demo/data.txt, listed */
    assert_string_equal(zb->entries[2].name, "demo/data.txt");
    assert_int_equal(verify_built(zb, err, sizeof err), -1);
    assert_contains(err, "'demo/data.txt' fails its CRC-32 check");

    zb = wheel_builder(record);
    zb->entries[zb->count - 1].bad_crc = 1; /* the RECORD itself */
    assert_int_equal(verify_built(zb, err, sizeof err), -1);
    assert_contains(err, "RECORD' fails its CRC-32 check");

    zb = wheel_builder(record);
    zb->entries[1].corrupt_data = 1; /* demo/__init__.py, deflated */
    assert_int_equal(verify_built(zb, err, sizeof err), -1);
    assert_contains(err, "demo/__init__.py");

    zb = wheel_builder(record);
    zb->entries[2].has_record_method = 1;
    zb->entries[2].record_method = 12; /* bzip2 */
    assert_int_equal(verify_built(zb, err, sizeof err), -1);
    assert_contains(err, "compression method 12");
    free(record);
}

/* Regression: entries whose names end in '/' were skipped altogether, so a directory entry
 * carrying data with a wrong CRC-32 passed wheel_verify, against its promise that every entry's
 * CRC-32 is checked. */
static void test_regression_directory_entry_crc_not_checked(void **state)
{
    (void)state;
    char err[ERRLEN];
    char *record = standard_record("\n");
    struct zb *zb = wheel_builder(record);
    assert_string_equal(zb->entries[0].name, "demo/");
    free(zb->entries[0].data);
    zb->entries[0].data = (unsigned char *)strdup("data in a directory entry");
    zb->entries[0].len = strlen("data in a directory entry");
    zb->entries[0].bad_crc = 1;
    int rc = verify_built(zb, err, sizeof err);
    free(record);
    if (rc != -1)
        fail_msg("wheel_verify accepted a directory entry with a wrong CRC-32");
    assert_contains(err, "CRC-32");
}

static void test_verify_many_files(void **state)
{
    (void)state;
    /* 300 empty files (hash of ""), plus the standard ones. */
    char err[ERRLEN], name[64];
    char *std = standard_record("\n");
    struct sbuf b = {NULL, 0, 0};
    sb_add(&b, "%s", std);
    struct zb *zb = zb_new();
    for (size_t i = 0; i < N_STD; i++)
        zb_add_str(zb, std_files[i].name, std_files[i].content, ZB_DEFLATED);
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "demo/pkg%d/mod%d.py", i % 10, i);
        zb_add_str(zb, name, "", i % 2 ? ZB_DEFLATED : ZB_STORED);
        sb_add(&b, "%s,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n", name);
    }
    zb_add_str(zb, DI "RECORD", b.s, ZB_DEFLATED);
    if (verify_built(zb, err, sizeof err) != 0)
        fail_msg("300 files: %s", err);
    free(b.s);
    free(std);
}

static void test_damaged_wheels_never_crash(void **state)
{
    (void)state;
    /* Every byte of the test wheel changed in turn: whatever zip_open accepts, reading the
     * version and verifying give 0 or -1 with a message. */
    char *record = standard_record("\n");
    struct zb *zb = wheel_builder(record);
    size_t len;
    unsigned char *data = zb_build(zb, &len);
    unsigned char *copy = malloc(len);
    assert_non_null(copy);
    int refused = 0, verified = 0;
    for (size_t pos = 0; pos < len; pos++) {
        memcpy(copy, data, len);
        copy[pos] ^= 0xff;
        struct zip_archive zip;
        char err[ERRLEN] = "", version[64];
        if (zip_open(&zip, copy, len, err, sizeof err) != 0) {
            assert_true(err[0] != '\0');
            refused++;
            continue;
        }
        err[0] = '\0';
        if (wheel_read_version(&zip, version, sizeof version, err, sizeof err) != 0)
            assert_true(err[0] != '\0');
        err[0] = '\0';
        if (wheel_verify(&zip, err, sizeof err) != 0) {
            assert_true(err[0] != '\0');
            refused++;
        } else {
            verified++;
        }
        zip_close(&zip);
    }
    /* Changing a byte of any file's data is caught; only headers' spare fields are not. */
    for (size_t i = 1; i < zb->count; i++) {
        if (zb->entries[i].len == 0)
            continue;
        memcpy(copy, data, len);
        copy[zb->entries[i].data_offset] ^= 0xff;
        struct zip_archive zip;
        char err[ERRLEN] = "";
        assert_int_equal(zip_open(&zip, copy, len, err, sizeof err), 0);
        assert_int_equal(wheel_verify(&zip, err, sizeof err), -1);
        assert_contains(err, zb->entries[i].name);
        zip_close(&zip);
    }
    assert_true(refused > (int)len / 2);
    assert_true(verified > 0);
    free(copy);
    free(data);
    zb_free(zb);
    free(record);
}

static void test_random_records_never_crash(void **state)
{
    (void)state;
    /* RECORD texts made of CSV's special characters and bits of real rows. */
    static const char *const pieces[] = {",", "\"", "\"\"", "\r", "\n", "\r\n", "sha256=", "15",
                                         "demo/__init__.py", DI "RECORD", "a", " ", "=", "\t",
                                         "A-aT2fL2h-D0Djao33_LTRwil0ASt8KlXAAOsw8wWCQ"};
    uint32_t x = 2024;
    for (int round = 0; round < 400; round++) {
        struct sbuf b = {NULL, 0, 0};
        sb_add(&b, "%s", "");
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        int n = (int)(x % 40);
        for (int i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            sb_add(&b, "%s", pieces[x % (sizeof pieces / sizeof pieces[0])]);
        }
        char err[ERRLEN] = "";
        /* Never complete (demo/data.txt and the others are never listed): always refused. */
        if (verify_record(b.s, err, sizeof err) != -1)
            fail_msg("RECORD \"%s\" accepted", b.s);
        assert_true(err[0] != '\0');
        free(b.s);
    }
}

/* The pip wheel the build embeds: wheels/pip-*.whl in the build directory, which is the
 * working directory of `make check` and two levels above this program. Its version matches
 * its name, and it verifies. */
static void test_real_pip_wheel(void **state)
{
    (void)state;
    glob_t g;
    int found = glob("wheels/pip-*.whl", 0, NULL, &g) == 0 && g.gl_pathc > 0;
    if (!found) {
        globfree(&g);
        char exe[PATH_MAX], pattern[PATH_MAX + 32];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        assert_true(n > 0);
        exe[n] = '\0';
        for (int up = 0; up < 3; up++)
            *strrchr(exe, '/') = '\0'; /* .../tests/unit/test_wheel -> ... */
        snprintf(pattern, sizeof pattern, "%s/wheels/pip-*.whl", exe);
        found = glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0;
        if (!found) {
            globfree(&g);
            fail_msg("no wheels/pip-*.whl in the working directory or in %s", exe);
        }
    }
    const char *path = g.gl_pathv[0];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    unsigned char *data = malloc((size_t)size);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
    fclose(f);

    const char *base = strrchr(path, '/') + 1;
    char want[64];
    const char *dash = strchr(base + 4, '-');
    assert_non_null(dash);
    snprintf(want, sizeof want, "%.*s", (int)(dash - (base + 4)), base + 4);

    struct zip_archive zip;
    char err[ERRLEN], version[64];
    if (zip_open(&zip, data, (size_t)size, err, sizeof err) != 0)
        fail_msg("zip_open(%s): %s", path, err);
    assert_true(zip.count > 100);
    assert_non_null(zip_find(&zip, "pip/__init__.py"));
    if (wheel_read_version(&zip, version, sizeof version, err, sizeof err) != 0)
        fail_msg("wheel_read_version(%s): %s", path, err);
    assert_string_equal(version, want);
    if (wheel_verify(&zip, err, sizeof err) != 0)
        fail_msg("wheel_verify(%s): %s", path, err);
    zip_close(&zip);
    free(data);
    globfree(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_hex_vectors),
        cmocka_unit_test(test_sha256_hex_million_a),
        cmocka_unit_test(test_sha256_record_vectors),
        cmocka_unit_test(test_version_of_test_wheel),
        cmocka_unit_test(test_version_variants),
        cmocka_unit_test(test_version_only_in_body),
        cmocka_unit_test(test_version_header_missing),
        cmocka_unit_test(test_version_empty),
        cmocka_unit_test(test_version_buffer_size),
        cmocka_unit_test(test_version_no_dist_info),
        cmocka_unit_test(test_version_two_dist_infos),
        cmocka_unit_test(test_version_metadata_damaged),
        cmocka_unit_test(test_version_dist_info_name_too_long),
        cmocka_unit_test(test_verify_test_wheel),
        cmocka_unit_test(test_verify_crlf_and_blank_lines),
        cmocka_unit_test(test_verify_quoting),
        cmocka_unit_test(test_verify_record_signatures_unlisted),
        cmocka_unit_test(test_verify_record_signature_damaged),
        cmocka_unit_test(test_verify_unlisted_file),
        cmocka_unit_test(test_verify_listed_file_missing),
        cmocka_unit_test(test_verify_wrong_hash),
        cmocka_unit_test(test_verify_content_changed),
        cmocka_unit_test(test_verify_wrong_size),
        cmocka_unit_test(test_verify_missing_or_other_hash),
        cmocka_unit_test(test_verify_bad_rows),
        cmocka_unit_test(test_verify_no_record),
        cmocka_unit_test(test_verify_record_with_nul),
        cmocka_unit_test(test_verify_damaged_entries),
        cmocka_unit_test(test_regression_directory_entry_crc_not_checked),
        cmocka_unit_test(test_verify_many_files),
        cmocka_unit_test(test_damaged_wheels_never_crash),
        cmocka_unit_test(test_random_records_never_crash),
        cmocka_unit_test(test_real_pip_wheel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
