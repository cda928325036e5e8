#include "config.h"

#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ensurepip.h"

struct report {
    FILE *out;
    char *path;        /* where the report goes (a symbolic link of the caller's, resolved) */
    char *tmp_path;    /* where it is written first; NULL for stdout */
    int dir_fd;        /* their directory: the run changes the working directory meanwhile */
};

static void report_free(struct report *r)
{
    if (r->dir_fd >= 0)
        close(r->dir_fd);
    free(r->path);
    free(r->tmp_path);
    free(r);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/* The final path: the path itself, or where a symbolic link of the caller's own points. */
static char *final_path(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
        return strdup(path);
    if (st.st_uid != geteuid()) {
        snprintf(err, errlen, "the report %s is a symbolic link owned by another user (uid %lu), which "
                 "ensurepip does not follow: remove it or choose another file", path, (unsigned long)st.st_uid);
        return NULL;
    }
    char *resolved = realpath(path, NULL);
    if (resolved == NULL)
        snprintf(err, errlen, "cannot write the report %s: the symbolic link leads nowhere (%s)", path, strerror(errno));
    return resolved;
}

struct report *report_open(const char *path, char *err, size_t errlen)
{
    struct report *r = calloc(1, sizeof *r);
    if (r == NULL) {
        snprintf(err, errlen, "out of memory opening the report");
        return NULL;
    }
    r->dir_fd = -1;
    if (strcmp(path, "-") == 0) {
        r->out = stdout;
        return r;
    }
    err[0] = '\0';
    r->path = final_path(path, err, errlen);
    if (r->path == NULL) {
        if (err[0] == '\0')
            snprintf(err, errlen, "out of memory opening the report");
        report_free(r);
        return NULL;
    }
    struct stat st;
    if (stat(r->path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot write the report %s: it is a directory", path);
        report_free(r);
        return NULL;
    }
    /* Beside the final name (".NAME.XXXXXX"), so that the rename stays in one filesystem. */
    const char *base = base_name(r->path);
    int dir_len = (int)(base - r->path);
    int fd = -1;
    if (asprintf(&r->tmp_path, "%.*s.%s.XXXXXX", dir_len, r->path, base) < 0)
        r->tmp_path = NULL;
    else
        fd = mkostemp(r->tmp_path, O_CLOEXEC);
    if (fd >= 0) {
        char *dir = dir_len > 0 ? strndup(r->path, (size_t)dir_len) : strdup(".");
        r->dir_fd = dir != NULL ? open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
        free(dir);
    }
    if (fd < 0 || r->dir_fd < 0 || (r->out = fdopen(fd, "w")) == NULL) {
        snprintf(err, errlen, "cannot write the report %s: %s", path, r->tmp_path ? strerror(errno) : "out of memory");
        if (fd >= 0) {
            close(fd);
            unlink(r->tmp_path);
        }
        report_free(r);
        return NULL;
    }
    /* The mode a new file would get, not mkstemp's 0600. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    return r;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if there is none: what Python's UTF-8
 * decoder accepts (no overlong forms, no surrogates, nothing above U+10FFFF), so that every
 * other byte is one surrogateescape would have escaped. */
static size_t utf8_sequence(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 && s[0] <= 0xef ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
    /* The range of the second byte. */
    unsigned char low = s[0] == 0xe0 ? 0xa0 : s[0] == 0xf0 ? 0x90 : 0x80;
    unsigned char high = s[0] == 0xed ? 0x9f : s[0] == 0xf4 ? 0x8f : 0xbf;
    if (n > 0 && (s[1] < low || s[1] > high))
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* before, then text as a JSON string. A byte that is not part of valid UTF-8 (a path can hold
 * any) is written as the lone surrogate \udcXX, as Python's json module writes a path decoded
 * with surrogateescape: os.fsencode(json.load(f)[...]) gives the path's bytes back. */
static void json_string(FILE *out, const char *before, const char *text)
{
    fputs(before, out);
    if (text == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0';) {
        size_t n = utf8_sequence(p);
        if (n == 0) {
            fprintf(out, "\\udc%02x", *p++);
        } else if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p++);
        } else if (*p < 0x20) {
            fprintf(out, "\\u%04x", *p++);
        } else {
            fwrite(p, 1, n, out);
            p += n;
        }
    }
    fputc('"', out);
}

/* The target where the glue did not tell it: unknown, but for the root as the message names it
 * (absolute). */
static void json_unknown_target(FILE *out, const struct run *run)
{
    const char *root = run->opts->root != NULL && run->opts->root[0] != '\0' ? run->opts->root : NULL;
    char *cwd = root != NULL && root[0] != '/' ? getcwd(NULL, 0) : NULL, *absolute = NULL;
    if (cwd != NULL && asprintf(&absolute, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, root) < 0)
        absolute = NULL;
    json_string(out, "{\"python\": null, \"prefix\": null, \"purelib\": null, \"scripts\": null, \"root\": ",
                absolute != NULL ? absolute : root);
    fputc('}', out);
    free(absolute);
    free(cwd);
}

int report_write(struct report *report, const struct run *run, double duration_s, char *err, size_t errlen)
{
    FILE *out = report->out;
    const struct ensurepip_result *r = run->result;
    char *const *glue = run->report; /* target, scripts, files, setuptools */
    int exit_status = r->status == ENSUREPIP_E_INTERRUPTED && r->signal > 0 ? 128 + r->signal : r->status;

    json_string(out, "{\n  \"report_version\": 1,\n  \"ensurepip_version\": ", PACKAGE_VERSION);
    json_string(out, ",\n  \"pip_version\": ",
                r->pip_version[0] ? r->pip_version : run->wheel_checked > 0 ? ensurepip_version() : NULL);
    fputs(",\n  \"target\": ", out);
    if (glue[0] != NULL)
        fputs(glue[0], out);
    else
        json_unknown_target(out, run);
    json_string(out, ",\n  \"action\": ", ensurepip_action_name(r->action));
    fprintf(out, ",\n  \"exit_status\": %d,\n  \"pip_exit_code\": %d", exit_status, r->pip_exit_code);
    json_string(out, ",\n  \"message\": ", r->message);
    fprintf(out, ",\n  \"scripts\": %s,\n  \"files\": %s", glue[1] ? glue[1] : "[]", glue[2] ? glue[2] : "0");
    json_string(out, ",\n  \"wheel_sha256\": ", ensurepip_wheel_sha256());
    fprintf(out, ",\n  \"setuptools\": %s", glue[3] ? glue[3] : "null");
    fprintf(out, ",\n  \"duration_s\": %.3f\n}\n", duration_s);

    int failed = ferror(out);
    if (out == stdout) {
        failed |= fflush(out) != 0;
    } else {
        failed |= fflush(out) != 0 || fsync(fileno(out)) != 0;
        failed |= fclose(out) != 0;
        /* By the directory: the run may have left the working directory a relative name needs. */
        failed = failed || renameat(report->dir_fd, base_name(report->tmp_path), report->dir_fd,
                                    base_name(report->path)) != 0;
        if (failed)
            unlinkat(report->dir_fd, base_name(report->tmp_path), 0);
    }
    if (failed)
        snprintf(err, errlen, "the report could not be written completely: %s", strerror(errno));
    report_free(report);
    return failed ? -1 : 0;
}
