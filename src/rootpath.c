#include "config.h"

#include "rootpath.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINKS 40

char *rootpath_join(const char *root, const char *path)
{
    if (root == NULL || strcmp(root, "/") == 0)
        root = "";
    size_t n = strlen(root) + strlen(path) + 2;
    char *joined = malloc(n);
    if (joined != NULL)
        snprintf(joined, n, "%s/%s", root, path[0] == '/' ? path + 1 : path);
    return joined;
}

/* Appends the components of text (a path or a link's target) to the front of the work list,
 * which holds the components still to resolve, separated by '/'. */
static char *prepend(const char *text, const char *rest)
{
    size_t n = strlen(text) + 1 + strlen(rest) + 1;
    char *joined = malloc(n);
    if (joined != NULL)
        snprintf(joined, n, "%s/%s", text, rest);
    return joined;
}

static char *read_link(const char *path)
{
    for (size_t size = 256;; size *= 2) {
        char *buf = malloc(size);
        if (buf == NULL)
            return NULL;
        ssize_t n = readlink(path, buf, size);
        if (n < 0) {
            free(buf);
            return NULL;
        }
        if ((size_t)n < size) {
            buf[n] = '\0';
            return buf;
        }
        free(buf);
    }
}

char *rootpath_resolve(const char *root, const char *path)
{
    if (path[0] != '/') {
        errno = EINVAL;
        return NULL;
    }
    size_t cap = strlen(path) + 2;
    char *resolved = malloc(cap);      /* the final-system path so far, "" for "/" */
    char *todo = strdup(path);
    int links = 0;
    if (resolved == NULL || todo == NULL)
        goto nomem;
    resolved[0] = '\0';
    for (char *p = todo; *p != '\0';) {
        while (*p == '/')
            p++;
        size_t len = strcspn(p, "/");
        if (len == 0)
            break;
        char *name = strndup(p, len);
        p += len;
        if (name == NULL)
            goto nomem;
        if (strcmp(name, ".") == 0) {
            free(name);
            continue;
        }
        if (strcmp(name, "..") == 0) {
            char *slash = strrchr(resolved, '/');
            if (slash != NULL)
                *slash = '\0';
            free(name);
            continue;
        }
        size_t need = strlen(resolved) + 1 + len + 1;
        if (need > cap) {
            char *grown = realloc(resolved, cap = need * 2);
            if (grown == NULL) {
                free(name);
                goto nomem;
            }
            resolved = grown;
        }
        size_t before = strlen(resolved);
        snprintf(resolved + before, cap - before, "/%s", name);
        free(name);
        char *on_disk = rootpath_join(root, resolved);
        if (on_disk == NULL)
            goto nomem;
        errno = 0;
        char *target = read_link(on_disk);
        free(on_disk);
        if (target == NULL && errno == ENOMEM)
            goto nomem; /* not "not a link": the kernel would follow it out of the root */
        if (target == NULL)
            continue; /* not a link, or not there: kept as it is */
        if (++links > MAX_LINKS) {
            free(target);
            free(resolved);
            free(todo);
            errno = ELOOP;
            return NULL;
        }
        resolved[target[0] == '/' ? 0 : before] = '\0';
        char *rest = prepend(target, p);
        free(target);
        if (rest == NULL)
            goto nomem;
        free(todo);
        todo = p = rest;
    }
    free(todo);
    if (resolved[0] == '\0')
        strcpy(resolved, "/");
    return resolved;
nomem:
    free(resolved);
    free(todo);
    errno = ENOMEM;
    return NULL;
}
