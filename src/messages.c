#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

/* What the user sees of a run: pip's lines, detail for -v, a progress line on a terminal, and
 * the one-line messages of the result. */

void run_output_init(struct run *run)
{
    /* A transient progress line only where a person watches and nothing else is printed. */
    run->progress_tty = !run->opts->quiet && run->opts->verbosity == 0 && isatty(STDERR_FILENO);
    run->progress_shown = 0;
}

/* Makes a message one line: control characters (from paths, options) become '?'. */
static void run_one_line(char *message)
{
    for (char *p = message; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

/* A message too long for the result ends in "..." where it was cut, never silently short. */
static void mark_cut(char *message, size_t size, int length)
{
    if (length >= 0 && (size_t)length >= size && size > 4)
        memcpy(message + size - 4, "...", 4);
}

void run_set_message(struct run *run, const char *text)
{
    struct ensurepip_result *r = run->result;
    mark_cut(r->message, sizeof r->message, snprintf(r->message, sizeof r->message, "%s", text));
    run_one_line(r->message); /* paths in it may hold a newline */
}

int run_fail(struct run *run, int status, const char *fmt, ...)
{
    struct ensurepip_result *r = run->result;
    va_list ap;
    va_start(ap, fmt);
    mark_cut(r->message, sizeof r->message, vsnprintf(r->message, sizeof r->message, fmt, ap));
    va_end(ap);
    run_one_line(r->message);
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
    int report_on_stdout = run->opts->report != NULL && strcmp(run->opts->report, "-") == 0;
    FILE *out = level == 0 && !report_on_stdout ? stdout : stderr;
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
