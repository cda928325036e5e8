/* Unit tests of src/wheelcopy.h: a zip archive's stored copy is, byte for byte, what Python's
 * zipfile writes for the same members stored (tests/unit/make-zip-fixtures.py makes both), and
 * an archive it must not take (damaged data, data descriptors, ZIP64, cut short) gives none. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wheelcopy.h"

static unsigned char *read_fixture(const char *name, size_t *size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", ZIP_FIXTURES, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *data = malloc(1 << 20);
    assert_non_null(data);
    *size = fread(data, 1, 1 << 20, f);
    assert_true(*size > 0 && feof(f));
    fclose(f);
    return data;
}

/* Where a record with this signature, followed after skip bytes by name, begins. */
static size_t record_of(const unsigned char *zip, size_t size, const char *signature, size_t skip, const char *name)
{
    for (size_t at = 0; at + skip + strlen(name) <= size; at++)
        if (memcmp(zip + at, signature, 4) == 0 && memcmp(zip + at + skip, name, strlen(name)) == 0)
            return at;
    fail_msg("no record of %s", name);
    return 0;
}

static void test_the_copy_is_what_zipfile_writes_stored(void **state)
{
    (void)state;
    size_t deflated_size, stored_size, copy_size = 0;
    unsigned char *deflated = read_fixture("deflated.zip", &deflated_size);
    unsigned char *stored = read_fixture("stored.zip", &stored_size);
    assert_true(deflated_size < stored_size); /* the fixture does deflate something */
    unsigned char *copy = wheel_stored_copy(deflated, deflated_size, &copy_size);
    assert_non_null(copy);
    assert_int_equal(copy_size, stored_size);
    assert_memory_equal(copy, stored, stored_size);
    free(copy);
    /* A stored archive's copy is itself. */
    copy = wheel_stored_copy(stored, stored_size, &copy_size);
    assert_non_null(copy);
    assert_int_equal(copy_size, stored_size);
    assert_memory_equal(copy, stored, stored_size);
    free(copy);
    free(stored);
    free(deflated);
}

static void test_damaged_data_gives_no_copy(void **state)
{
    (void)state;
    size_t size, copy_size;
    unsigned char *zip = read_fixture("deflated.zip", &size);
    size_t local = record_of(zip, size, "PK\003\004", 30, "pkg/module.py");
    size_t data = local + 30 + strlen("pkg/module.py") + (zip[local + 28] | zip[local + 29] << 8);
    zip[data + 5] ^= 0x55;
    assert_null(wheel_stored_copy(zip, size, &copy_size));
    free(zip);
}

static void test_a_data_descriptor_gives_no_copy(void **state)
{
    (void)state;
    size_t size, copy_size;
    unsigned char *zip = read_fixture("deflated.zip", &size);
    unsigned char *copy = wheel_stored_copy(zip, size, &copy_size);
    assert_non_null(copy);
    free(copy);
    zip[record_of(zip, size, "PK\001\002", 46, "pkg/module.py") + 8] |= 0x08; /* its flags */
    assert_null(wheel_stored_copy(zip, size, &copy_size));
    free(zip);
}

static void test_a_cut_or_zip64_archive_gives_no_copy(void **state)
{
    (void)state;
    size_t size, copy_size;
    unsigned char *zip = read_fixture("deflated.zip", &size);
    for (size_t cut = 1; cut < 64; cut++)
        assert_null(wheel_stored_copy(zip, size - cut, &copy_size));
    assert_null(wheel_stored_copy(zip + 1, size - 1, &copy_size)); /* every offset one off */
    /* A ZIP64 end locator before the end record. */
    unsigned char *longer = malloc(size + 20);
    assert_non_null(longer);
    size_t end = size - 22 - strlen("a comment");
    memcpy(longer, zip, end);
    memcpy(longer + end, "PK\006\007", 4);
    memset(longer + end + 4, 0, 16);
    memcpy(longer + end + 20, zip + end, size - end);
    assert_null(wheel_stored_copy(longer, size + 20, &copy_size));
    free(longer);
    free(zip);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_copy_is_what_zipfile_writes_stored),
        cmocka_unit_test(test_damaged_data_gives_no_copy),
        cmocka_unit_test(test_a_data_descriptor_gives_no_copy),
        cmocka_unit_test(test_a_cut_or_zip64_archive_gives_no_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
