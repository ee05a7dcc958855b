/*
 * webpath.c - request targets as paths below the document root (see
 * webpath.h). One pass over the target with a bounded output: each byte
 * (after %XX decoding) either extends the current segment or ends it; a
 * finished segment "." is dropped and ".." removes the one before it (a
 * scan back to the previous '/' in the output, so the whole is at most
 * quadratic in cap, which is 512).
 */
#include "analysis/webpath.h"

#include "util/util.h"

#include <string.h>
#include <strings.h>

/* Ends the segment that starts at out[seg]; false when ".." goes above the
 * root. *o is the output length; a kept segment is followed by '/'. */
static bool end_segment(char *out, size_t *o, size_t seg)
{
    size_t l = *o - seg;
    if (l == 0)
        return true;
    if (l == 1 && out[seg] == '.') {
        *o = seg;
        return true;
    }
    if (l == 2 && out[seg] == '.' && out[seg + 1] == '.') {
        if (seg == 0)
            return false;
        size_t p = seg - 1;            /* the '/' after the previous segment */
        while (p > 0 && out[p - 1] != '/')
            p--;
        *o = p;
        return true;
    }
    return true;
}

size_t mm_web_path(const char *t, size_t n, char *out, size_t cap)
{
    if (!t || !out || cap < 2)
        return 0;
    out[0] = 0;
    size_t i = 0;
    /* an absolute URL: scheme "://" host, then the path */
    size_t k = 0;
    while (k < n && k < 16 && ((t[k] >= 'a' && t[k] <= 'z') || (t[k] >= 'A' && t[k] <= 'Z') ||
                               (k && ((t[k] >= '0' && t[k] <= '9') || t[k] == '+' ||
                                      t[k] == '-' || t[k] == '.'))))
        k++;
    if (k && k + 3 <= n && t[k] == ':' && t[k + 1] == '/' && t[k + 2] == '/') {
        i = k + 3;
        while (i < n && t[i] != '/' && t[i] != '?' && t[i] != '#')
            i++;
        if (i >= n || t[i] != '/')
            return 0;                  /* no path: the root */
    }
    if (i >= n || (t[i] != '/' && t[i] != '\\'))
        return 0;
    size_t o = 0, seg = 0;
    for (; i < n; i++) {
        char c = t[i];
        if (c == '?' || c == '#')
            break;
        if (c == '%' && i + 2 < n && mm_hex_value(t[i + 1]) >= 0 && mm_hex_value(t[i + 2]) >= 0) {
            c = (char)(mm_hex_value(t[i + 1]) * 16 + mm_hex_value(t[i + 2]));
            i += 2;
        }
        if ((unsigned char)c < 0x20 || c == 0x7f)
            return 0;
        if (c == '/' || c == '\\') {
            if (!end_segment(out, &o, seg))
                return 0;
            if (o > seg) {             /* a kept segment: its separator */
                if (o + 1 >= cap)
                    return 0;
                out[o++] = '/';
            }
            seg = o;
            continue;
        }
        if (o + 1 >= cap)
            return 0;
        out[o++] = c;
    }
    if (!end_segment(out, &o, seg))
        return 0;
    while (o && out[o - 1] == '/')
        o--;
    out[o] = 0;
    return o;
}

bool mm_web_admin(const char *path, char name[32])
{
    static const char *const first[] = {"wp-admin", "wp-login.php", "administrator", "admin",
                                        "phpmyadmin", "pma", "manager"};
    name[0] = 0;
    const char *sl = strchr(path, '/');
    size_t l = sl ? (size_t)(sl - path) : strlen(path);
    for (size_t i = 0; i < sizeof first / sizeof *first; i++)
        if (strlen(first[i]) == l && strncasecmp(path, first[i], l) == 0) {
            memcpy(name, first[i], l + 1);
            return true;
        }
    if (strncasecmp(path, "user/login", 10) == 0 && (path[10] == 0 || path[10] == '/')) {
        memcpy(name, "user/login", 11);
        return true;
    }
    return false;
}
