/* libFuzzer target: the zip reader and the wheel checks (src/zip.c, src/wheel.c) on arbitrary
 * bytes taken as a wheel held in memory, the way ensurepip reads its embedded wheel.
 *
 * The input is copied into a malloc'd buffer of exactly its size, so that AddressSanitizer
 * reports any read past the end of the archive. Besides what the sanitizers catch, a few
 * documented promises are checked with __builtin_trap():
 *   - a function that fails leaves a non-empty message in err;
 *   - zip_open() succeeds with entries whose names are NUL-terminated, sorted and unique,
 *     and zip_find() finds each entry under its own name;
 *   - zip_extract() gives a buffer of the entry's recorded size, NUL-terminated beyond it;
 *   - wheel_read_version() gives a non-empty, NUL-terminated version that fits its buffer;
 *   - wheel_verify() passes only if every entry extracts (it checks them all).
 *
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wheel.h"
#include "zip.h"

/* On a broken promise: say which, then trap (libFuzzer reports it as a crash). */
#define CHECK(cond) do { if (!(cond)) { \
        fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond); \
        __builtin_trap(); } } while (0)

/* A failure must say why, in a NUL-terminated message that fits its buffer. */
static void check_err(const char *err, size_t errlen)
{
    CHECK(memchr(err, '\0', errlen) != NULL);
    CHECK(err[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* malloc(0) may give NULL; keep a valid pointer with nothing readable behind it. */
    unsigned char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    if (size)
        memcpy(buf, data, size);

    struct zip_archive zip;
    char err[256];
    memset(err, 0, sizeof err);
    if (zip_open(&zip, buf, size, err, sizeof err) != 0) {
        check_err(err, sizeof err);
        /* A failed open leaves an empty archive that zip_close() (and zip_find()) accept. */
        CHECK(zip.count == 0 && zip.entries == NULL);
        CHECK(zip_find(&zip, "x") == NULL);
        zip_close(&zip);
        free(buf);
        return 0;
    }
    CHECK(zip.data == buf && zip.size == size);
    CHECK(zip.count == 0 || zip.entries != NULL);

    for (size_t i = 0; i < zip.count; i++) {
        const struct zip_entry *e = &zip.entries[i];
        CHECK(e->name != NULL && e->name[0] != '\0');
        if (i > 0)
            CHECK(strcmp(zip.entries[i - 1].name, e->name) < 0);
        CHECK(zip_find(&zip, e->name) == e);
    }

    /* Names a wheel is looked up by, and a few that are absent or odd. */
    static const char *const names[] = {
        "pip-23.0.1.dist-info/RECORD", "pip-23.0.1.dist-info/METADATA", "pip-23.0.1.dist-info/WHEEL",
        "pip/__init__.py", "pip/__main__.py", "", "/", "a", "\xff", "zzzzzzzz",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const struct zip_entry *e = zip_find(&zip, names[i]);
        CHECK(e == NULL || strcmp(e->name, names[i]) == 0);
    }

    int all_extract = 1;
    char first_fail[256] = "";
    for (size_t i = 0; i < zip.count; i++) {
        const struct zip_entry *e = &zip.entries[i];
        unsigned char *out = (unsigned char *)&out; /* must be reset */
        size_t outlen = (size_t)-1;
        memset(err, 0, sizeof err);
        if (zip_extract(&zip, e, &out, &outlen, err, sizeof err) == 0) {
            CHECK(out != NULL);
            CHECK(outlen == e->size);
            CHECK(out[outlen] == '\0');
            free(out);
        } else {
            check_err(err, sizeof err);
            CHECK(out == NULL && outlen == 0);
            if (all_extract)
                memcpy(first_fail, err, sizeof first_fail);
            all_extract = 0;
        }
    }

    char version[64];
    memset(version, 'x', sizeof version);
    memset(err, 0, sizeof err);
    if (wheel_read_version(&zip, version, sizeof version, err, sizeof err) == 0) {
        size_t n = strnlen(version, sizeof version);
        CHECK(n > 0 && n < sizeof version);
    } else {
        check_err(err, sizeof err);
    }

    memset(err, 0, sizeof err);
    if (wheel_verify(&zip, err, sizeof err) != 0)
        check_err(err, sizeof err);
    else {
        if (!all_extract)
            fprintf(stderr, "fuzz_wheel: wheel_verify() passed, but zip_extract() says: %s\n", first_fail);
        CHECK(all_extract);
    }

    zip_close(&zip);
    CHECK(zip.count == 0 && zip.entries == NULL);
    free(buf);
    return 0;
}
