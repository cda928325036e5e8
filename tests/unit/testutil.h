/* What the unit tests share beyond cmocka. Include after <cmocka.h>. */
#ifndef ENSUREPIP_TESTUTIL_H
#define ENSUREPIP_TESTUTIL_H

#include <string.h>

/* Fails the test unless needle occurs in haystack (which may be NULL). */
#define assert_contains(haystack, needle)                                                          \
    do {                                                                                           \
        const char *h_ = (haystack), *n_ = (needle);                                               \
        if (h_ == NULL || strstr(h_, n_) == NULL)                                                  \
            fail_msg("\"%s\" does not contain \"%s\"", h_ != NULL ? h_ : "(null)", n_);            \
    } while (0)

#endif
