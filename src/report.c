#include "config.h"

#include "report.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "ensurepip.h"

FILE *report_open(const char *path, char *err, size_t errlen)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "we");
    if (f == NULL)
        snprintf(err, errlen, "cannot write the report %s: %s", path, strerror(errno));
    return f;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if there is none. */
static size_t utf8_sequence(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* A JSON string. Bytes that are not UTF-8 (a path can hold any) become U+FFFD. */
static void json_string(FILE *out, const char *text)
{
    if (text == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0';) {
        size_t n = utf8_sequence(p);
        if (n == 0) {
            fputs("\\ufffd", out);
            p++;
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

int report_write(FILE *out, const struct run *run, double duration_s, char *err, size_t errlen)
{
    const struct ensurepip_result *r = run->result;
    const struct run_details *d = &run->details;
    int exit_status = r->status == ENSUREPIP_E_INTERRUPTED && r->signal > 0 ? 128 + r->signal : r->status;

    fputs("{\n  \"report_version\": 1,\n  \"ensurepip_version\": ", out);
    json_string(out, PACKAGE_VERSION);
    fputs(",\n  \"pip_version\": ", out);
    json_string(out, r->pip_version[0] ? r->pip_version : run->pip_version[0] ? run->pip_version : NULL);
    fputs(",\n  \"target\": {\"python\": ", out);
    json_string(out, d->python ? d->python : run->target.python);
    fputs(", \"prefix\": ", out);
    json_string(out, d->prefix);
    fputs(", \"purelib\": ", out);
    json_string(out, d->purelib);
    fputs(", \"scripts\": ", out);
    json_string(out, d->scripts_dir);
    fputs(", \"root\": ", out);
    json_string(out, run->opts->root && run->opts->root[0] ? run->opts->root : NULL);
    fputs("},\n  \"action\": ", out);
    json_string(out, ensurepip_action_name(r->action));
    fprintf(out, ",\n  \"exit_status\": %d,\n  \"pip_exit_code\": %d,\n  \"message\": ", exit_status,
            r->pip_exit_code);
    json_string(out, r->message);
    fputs(",\n  \"scripts\": [", out);
    for (size_t i = 0; i < d->nscripts; i++) {
        fputs(i ? ", " : "", out);
        json_string(out, d->scripts[i]);
    }
    fprintf(out, "],\n  \"files\": %ld,\n  \"wheel_sha256\": ", d->files);
    json_string(out, ensurepip_wheel_sha256());
    fprintf(out, ",\n  \"duration_s\": %.3f\n}\n", duration_s);

    int failed = ferror(out);
    failed |= out == stdout ? fflush(out) != 0 : fclose(out) != 0;
    if (failed) {
        snprintf(err, errlen, "the report could not be written completely: %s", strerror(errno));
        return -1;
    }
    return 0;
}
