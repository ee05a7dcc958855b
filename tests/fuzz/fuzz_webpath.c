/* Fuzz target: a request target as a path below the document root
 * (analysis/webpath.h), and the administration-page test on what it gives.
 * Checked: the result is NUL-ended at its length, within the buffer, with
 * no leading or doubled '/', no "." or ".." segment, no control byte; the
 * same path given again as "/" + path comes back unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/webpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[MM_WEBPATH_MAX], again[MM_WEBPATH_MAX + 1], back[MM_WEBPATH_MAX], name[32];
    size_t n = mm_web_path((const char *)data, size, out, sizeof out);
    if (n == 0)
        return 0;
    if (n >= sizeof out || strlen(out) != n || out[0] == '/' || out[n - 1] == '/')
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c < 0x20 || c == 0x7f || c == '\\' || (c == '/' && out[i + 1] == '/'))
            abort();
        bool start = i == 0 || out[i - 1] == '/';
        if (start && c == '.' && (out[i + 1] == '/' || out[i + 1] == 0 ||
                                  (out[i + 1] == '.' && (out[i + 2] == '/' || !out[i + 2]))))
            abort();
    }
    /* a path without '%' normalises to itself */
    if (!memchr(out, '%', n) && !memchr(out, '?', n) && !memchr(out, '#', n)) {
        again[0] = '/';
        memcpy(again + 1, out, n);
        size_t m = mm_web_path(again, n + 1, back, sizeof back);
        if (m != n || memcmp(back, out, n) != 0)
            abort();
    }
    if (mm_web_admin(out, name) && (!name[0] || strlen(name) >= sizeof name))
        abort();
    return 0;
}
