#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "run.h"

/* What the user sees of a run: pip's lines, detail for -v, a progress line on a terminal, and
 * the one-line messages of the result. */

int run_fail(struct run *run, int status, const char *fmt, ...)
{
    struct ensurepip_result *r = run->result;
    va_list ap;
    va_start(ap, fmt);
    int length = vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    if (length >= (int)sizeof r->message) /* cut: it ends in "...", never silently short */
        memcpy(r->message + sizeof r->message - 4, "...", 4);
    for (char *p = r->message; *p != '\0'; p++) /* one line: paths and options may hold a newline */
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    r->status = status;
    return status;
}

double run_seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

void run_say(struct run *run, int level, const char *tag, const char *fmt, ...)
{
    if (level > run->opts->verbosity || (level == 0 && run->opts->quiet))
        return;
    run_progress_clear(run);
    /* With the report on stdout, stdout is the report's alone. */
    FILE *out = level == 0 && !(run->opts->report != NULL && strcmp(run->opts->report, "-") == 0) ? stdout : stderr;
    if (level > 0 && run->opts->verbosity >= 3)
        fprintf(out, "ensurepip[%s +%.3fs]: ", tag, run_seconds_since(&run->start));
    else if (level > 0)
        fprintf(out, "ensurepip[%s]: ", tag);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    fflush(out);
}

void run_progress(struct run *run, const char *fmt, ...)
{
    if (!run->progress_tty)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("\r\033[K", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("...", stderr);
    va_end(ap);
    fflush(stderr);
    run->progress_shown = 1;
}

void run_progress_clear(struct run *run)
{
    if (!run->progress_shown)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    run->progress_shown = 0;
}
