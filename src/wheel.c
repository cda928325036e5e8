#include "config.h"

#include "wheel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The one top-level "<name>-<version>.dist-info/" directory, as a prefix ending in '/'. */
static int find_dist_info(const struct zip_archive *zip, char *prefix, size_t len, char *err,
                          size_t errlen)
{
    const char *found = NULL;
    for (size_t i = 0; i < zip->count; i++) {
        const char *name = zip->entries[i].name;
        const char *slash = strchr(name, '/');
        if (slash == NULL || strcmp(slash, "/METADATA") != 0 || !ends_with(name, ".dist-info/METADATA"))
            continue;
        if (found != NULL)
            return fail(err, errlen, "the wheel has more than one .dist-info directory");
        found = name;
    }
    if (found == NULL)
        return fail(err, errlen, "the wheel has no .dist-info/METADATA");
    size_t n = strlen(found) - strlen("METADATA");
    if (n >= len)
        return fail(err, errlen, "the wheel's .dist-info name is too long");
    memcpy(prefix, found, n);
    prefix[n] = '\0';
    return 0;
}

static int extract_named(const struct zip_archive *zip, const char *name, unsigned char **out,
                         size_t *outlen, char *err, size_t errlen)
{
    const struct zip_entry *entry = zip_find(zip, name);
    if (entry == NULL)
        return fail(err, errlen, "the wheel has no %s", name);
    return zip_extract(zip, entry, out, outlen, err, errlen);
}

int wheel_read_version(const struct zip_archive *zip, char *version, size_t len, char *err,
                       size_t errlen)
{
    char name[512];
    unsigned char *text;
    size_t text_len;
    if (find_dist_info(zip, name, sizeof name - sizeof "METADATA", err, errlen) != 0)
        return -1;
    strcat(name, "METADATA");
    if (extract_named(zip, name, &text, &text_len, err, errlen) != 0)
        return -1;
    /* Email-style headers up to the first empty line; the body is the description. */
    int rc = fail(err, errlen, "%s has no Version header", name);
    for (char *line = (char *)text; *line != '\0' && *line != '\n' && *line != '\r';) {
        char *eol = line + strcspn(line, "\r\n");
        if (strncmp(line, "Version:", 8) == 0) {
            char *v = line + 8;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            size_t n = (size_t)(eol - v);
            while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
                n--;
            if (n == 0 || n >= len) {
                rc = fail(err, errlen, "%s has an empty or overlong Version header", name);
            } else {
                memcpy(version, v, n);
                version[n] = '\0';
                rc = 0;
            }
            break;
        }
        line = eol + (*eol == '\r' && eol[1] == '\n' ? 2 : *eol != '\0');
    }
    free(text);
    return rc;
}

/* One RECORD row: path, hash ("sha256=<urlsafe b64>" or empty), size (or empty). */
struct record_row {
    char *fields[3];
    int nfields;
};

/* Splits one CSV line in place (RFC 4180 quoting, as Python's csv module writes it).
 * Returns a pointer past the line, or NULL at the end of the text. */
static char *parse_csv_line(char *p, struct record_row *row)
{
    row->nfields = 0;
    if (*p == '\0')
        return NULL;
    for (;;) {
        char *out = p, *field = p;
        if (*p == '"') {
            field = out = ++p;
            while (*p != '\0') {
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
        } else {
            while (*p != '\0' && *p != ',' && *p != '\n' && *p != '\r')
                p++;
            out = p;
        }
        char sep = *p; /* read first: *out may be that very byte */
        *out = '\0';
        if (row->nfields < 3)
            row->fields[row->nfields] = field;
        row->nfields++;
        if (sep == ',') {
            p++;
            continue;
        }
        if (sep == '\0')
            return p;
        if (sep != '\n' && sep != '\r') { /* text after a closing quote: ignore the rest */
            while (*p != '\0' && *p != '\n')
                p++;
            return *p == '\n' ? p + 1 : p;
        }
        p++;
        if (sep == '\r' && *p == '\n')
            p++;
        return p;
    }
}

/* The files a RECORD may leave out: RECORD itself and its signatures (PEP 376/427). */
static int is_record_file(const char *name, const char *dist_info)
{
    size_t n = strlen(dist_info);
    return strncmp(name, dist_info, n) == 0
        && (strcmp(name + n, "RECORD") == 0 || strcmp(name + n, "RECORD.jws") == 0
            || strcmp(name + n, "RECORD.p7s") == 0);
}

static int check_row(const struct zip_archive *zip, const struct record_row *row,
                     unsigned char *listed, const char *dist_info, char *err, size_t errlen)
{
    const char *path = row->fields[0], *hash = row->fields[1], *size = row->fields[2];
    if (row->nfields != 3)
        return fail(err, errlen, "RECORD has a row with %d fields (for '%s')", row->nfields, path);
    const struct zip_entry *entry = zip_find(zip, path);
    if (entry == NULL)
        return fail(err, errlen, "RECORD lists '%s', which the wheel does not contain", path);
    listed[entry - zip->entries] = 1;
    if (is_record_file(path, dist_info) && *hash == '\0') {
        /* RECORD and its signatures carry no hash of their own; their CRC-32 still counts. */
        unsigned char *data;
        size_t len;
        if (zip_extract(zip, entry, &data, &len, err, errlen) != 0)
            return -1;
        free(data);
        return 0;
    }
    if (strncmp(hash, "sha256=", 7) != 0)
        return fail(err, errlen, "RECORD gives '%s' no sha256 hash", path);
    char *end;
    unsigned long long recorded = strtoull(size, &end, 10);
    if (*size == '\0' || *end != '\0' || recorded != entry->size)
        return fail(err, errlen, "'%s' is %llu bytes, but RECORD says %s", path,
                    (unsigned long long)entry->size, size);
    unsigned char *data;
    size_t len;
    char digest[SHA256_RECORD_SIZE];
    if (zip_extract(zip, entry, &data, &len, err, errlen) != 0)
        return -1;
    int rc = sha256_record(data, len, digest);
    free(data);
    if (rc != 0)
        return fail(err, errlen, "could not hash '%s'", path);
    if (strcmp(digest, hash + 7) != 0)
        return fail(err, errlen, "'%s' does not match its RECORD hash (sha256=%s, RECORD has %s)",
                    path, digest, hash);
    return 0;
}

int wheel_verify(const struct zip_archive *zip, char *err, size_t errlen)
{
    char dist_info[512], record_name[512 + sizeof "RECORD"];
    unsigned char *record = NULL, *listed = NULL;
    size_t record_len;
    int rc = -1;

    if (find_dist_info(zip, dist_info, sizeof dist_info, err, errlen) != 0)
        return -1;
    snprintf(record_name, sizeof record_name, "%sRECORD", dist_info);
    if (extract_named(zip, record_name, &record, &record_len, err, errlen) != 0)
        return -1;
    if (strlen((char *)record) != record_len) {
        fail(err, errlen, "%s contains a NUL byte", record_name);
        goto done;
    }
    listed = calloc(zip->count ? zip->count : 1, 1);
    if (listed == NULL) {
        fail(err, errlen, "out of memory");
        goto done;
    }
    struct record_row row;
    for (char *p = (char *)record; (p = parse_csv_line(p, &row)) != NULL;) {
        if (row.nfields == 1 && row.fields[0][0] == '\0')
            continue; /* an empty line */
        if (check_row(zip, &row, listed, dist_info, err, errlen) != 0)
            goto done;
    }
    for (size_t i = 0; i < zip->count; i++) {
        const struct zip_entry *entry = &zip->entries[i];
        if (listed[i])
            continue;
        if (!ends_with(entry->name, "/") && !is_record_file(entry->name, dist_info)) {
            fail(err, errlen, "'%s' is in the wheel but not in its RECORD", entry->name);
            goto done;
        }
        /* A directory, or RECORD's own files: not hashed by RECORD, but the CRC-32 is checked. */
        unsigned char *data;
        size_t len;
        if (zip_extract(zip, entry, &data, &len, err, errlen) != 0)
            goto done;
        free(data);
    }
    rc = 0;
done:
    free(listed);
    free(record);
    return rc;
}
