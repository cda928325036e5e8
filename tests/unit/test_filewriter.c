/* Unit tests of src/filewriter.h: files written on the writer's thread, each with the SHA-256 of
 * its data, a failure kept with its own job, and a stop that leaves no file half-written. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "filewriter.h"

/* SHA-256 of "abc" (FIPS 180-2, appendix B.1) */
static const unsigned char ABC_SHA256[FILEWRITER_DIGEST_SIZE] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};

static char dir[] = "/tmp/test_filewriter.XXXXXX";

static int make_dir(void **state)
{
    (void)state;
    strcpy(dir + strlen(dir) - 6, "XXXXXX");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int remove_dir(void **state)
{
    (void)state;
    char command[64 + sizeof dir];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command) == 0 ? 0 : -1;
}

static void path_of(char *out, size_t size, int i)
{
    snprintf(out, size, "%s/file%d", dir, i);
}

static void wait_for(struct filewriter *writer, long job, unsigned char digest[FILEWRITER_DIGEST_SIZE], int *error)
{
    while (!filewriter_wait(writer, job, 50, digest, error))
        ;
}

static void test_written_in_order_with_their_digests(void **state)
{
    (void)state;
    mode_t mask = umask(0);
    struct filewriter *writer = filewriter_start();
    assert_non_null(writer);
    enum { JOBS = 300 }; /* more than the first allocation holds */
    for (int i = 0; i < JOBS; i++) {
        char path[128];
        path_of(path, sizeof path, i);
        assert_int_equal(filewriter_submit(writer, path, "abc", 3, i % 2 ? 0640 : 0600), i);
    }
    for (int i = 0; i < JOBS; i++) {
        unsigned char digest[FILEWRITER_DIGEST_SIZE];
        int error = -1;
        wait_for(writer, i, digest, &error);
        assert_int_equal(error, 0);
        assert_memory_equal(digest, ABC_SHA256, sizeof digest);
        char path[128], content[8] = {0};
        path_of(path, sizeof path, i);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, i % 2 ? 0640 : 0600);
        int fd = open(path, O_RDONLY);
        assert_true(fd >= 0);
        assert_int_equal(read(fd, content, sizeof content), 3);
        close(fd);
        assert_string_equal(content, "abc");
    }
    filewriter_stop(writer);
    umask(mask);
}

static void test_a_failure_is_the_jobs_own(void **state)
{
    (void)state;
    struct filewriter *writer = filewriter_start();
    char missing[128], fine[128];
    snprintf(missing, sizeof missing, "%s/no/such/dir/file", dir);
    path_of(fine, sizeof fine, 0);
    long bad = filewriter_submit(writer, missing, "abc", 3, 0644);
    long good = filewriter_submit(writer, fine, "abc", 3, 0644);
    unsigned char digest[FILEWRITER_DIGEST_SIZE];
    int error = -1;
    wait_for(writer, good, digest, &error);
    assert_int_equal(error, 0);
    wait_for(writer, bad, digest, &error);
    assert_int_equal(error, ENOENT);
    wait_for(writer, bad, digest, &error); /* asked again, the same answer */
    assert_int_equal(error, ENOENT);
    filewriter_stop(writer);
}

static void test_an_unknown_job_is_refused(void **state)
{
    (void)state;
    struct filewriter *writer = filewriter_start();
    unsigned char digest[FILEWRITER_DIGEST_SIZE];
    int error = 0;
    assert_int_equal(filewriter_wait(writer, 0, 50, digest, &error), 1);
    assert_int_equal(error, EINVAL);
    assert_int_equal(filewriter_wait(writer, -1, 50, digest, &error), 1);
    assert_int_equal(error, EINVAL);
    filewriter_stop(writer);
}

/* Stopped with jobs queued: each file is there whole, or not at all. */
static void test_a_stop_leaves_no_file_half_written(void **state)
{
    (void)state;
    static char data[1 << 16];
    memset(data, 'x', sizeof data);
    struct filewriter *writer = filewriter_start();
    enum { JOBS = 200 };
    for (int i = 0; i < JOBS; i++) {
        char path[128];
        path_of(path, sizeof path, i);
        assert_true(filewriter_submit(writer, path, data, sizeof data, 0644) >= 0);
    }
    filewriter_stop(writer);
    for (int i = 0; i < JOBS; i++) {
        char path[128];
        path_of(path, sizeof path, i);
        struct stat st;
        if (stat(path, &st) == 0)
            assert_int_equal(st.st_size, sizeof data);
        else
            assert_int_equal(errno, ENOENT);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_written_in_order_with_their_digests, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_a_failure_is_the_jobs_own, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_an_unknown_job_is_refused, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_a_stop_leaves_no_file_half_written, make_dir, remove_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
