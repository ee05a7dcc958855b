/*
 * form.c - urlencoded forms, cookies and HTML escaping (see form.h).
 */
#include "web/form.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>


long mm_web_urldecode(const char *s, size_t n, char *out, size_t cap, bool plus)
{
    size_t o = 0;
    if (cap == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (n - i < 3)
                return -1;
            int h = mm_hex_value(s[i + 1]), l = mm_hex_value(s[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            c = (unsigned char)(h << 4 | l);
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        if (c < 0x20 || c == 0x7f)
            return -1;
        if (o + 1 >= cap)
            return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return (long)o;
}

void mm_web_form_free(mm_web_form *f)
{
    free(f->mem);
    f->mem = NULL;
    f->n = 0;
}

mm_web_form_err mm_web_form_parse(mm_web_form *f, const char *s, size_t n)
{
    f->n = 0;
    f->mem = NULL;
    if (n == 0)
        return MM_WEB_FORM_OK;
    /* decoded text is never longer than the input: one allocation of n
     * plus a terminator for each key and value */
    if (n > (size_t)MM_WEB_FORM_MAX_FIELDS * (MM_WEB_FORM_MAX_KEY + MM_WEB_FORM_MAX_VALUE) * 3 + 1024)
        return MM_WEB_FORM_TOO_LONG;
    char *mem = malloc(n + 2 * MM_WEB_FORM_MAX_FIELDS + 2);
    if (!mem)
        return MM_WEB_FORM_NOMEM;
    size_t used = 0, i = 0;
    mm_web_form_err err = MM_WEB_FORM_OK;
    while (i <= n) {
        size_t end = i;
        while (end < n && s[end] != '&')
            end++;
        if (end > i) {
            if (f->n == MM_WEB_FORM_MAX_FIELDS) {
                err = MM_WEB_FORM_TOO_MANY;
                break;
            }
            const char *eq = memchr(s + i, '=', end - i);
            size_t kl = eq ? (size_t)(eq - (s + i)) : end - i;
            size_t vl = eq ? end - i - kl - 1 : 0;
            if (kl > 3 * MM_WEB_FORM_MAX_KEY || vl > 3 * MM_WEB_FORM_MAX_VALUE) {
                err = MM_WEB_FORM_TOO_LONG;
                break;
            }
            char *k = mem + used;
            long kd = mm_web_urldecode(s + i, kl, k, MM_WEB_FORM_MAX_KEY + 1, true);
            if (kd < 0) {
                /* out of room, or a bad escape: tell them apart for the caller */
                err = kl > MM_WEB_FORM_MAX_KEY && mm_web_urldecode(s + i, kl, k, kl + 1, true) >= 0
                          ? MM_WEB_FORM_TOO_LONG : MM_WEB_FORM_BAD;
                break;
            }
            used += (size_t)kd + 1;
            char *v = mem + used;
            long vd = eq ? mm_web_urldecode(eq + 1, vl, v, MM_WEB_FORM_MAX_VALUE + 1, true) : 0;
            if (!eq)
                v[0] = '\0';
            if (vd < 0) {
                err = vl > MM_WEB_FORM_MAX_VALUE && mm_web_urldecode(eq + 1, vl, v, vl + 1, true) >= 0
                          ? MM_WEB_FORM_TOO_LONG : MM_WEB_FORM_BAD;
                break;
            }
            used += (size_t)vd + 1;
            f->f[f->n].key = k;
            f->f[f->n].value = v;
            f->f[f->n].value_len = (size_t)vd;
            f->n++;
        }
        i = end + 1;
    }
    if (err != MM_WEB_FORM_OK) {
        free(mem);
        f->n = 0;
        return err;
    }
    f->mem = mem;
    return MM_WEB_FORM_OK;
}

const char *mm_web_form_get(const mm_web_form *f, const char *key)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->f[i].key, key) == 0)
            return f->f[i].value;
    return NULL;
}

size_t mm_web_form_count(const mm_web_form *f, const char *key)
{
    size_t c = 0;
    for (size_t i = 0; i < f->n; i++)
        c += strcmp(f->f[i].key, key) == 0;
    return c;
}

bool mm_web_cookie_get(const char *h, const char *name, char *out, size_t outlen)
{
    if (!h || outlen == 0)
        return false;
    size_t nl = strlen(name);
    const char *p = h;
    for (int k = 0; k < 128 && *p; k++) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (eq) {
            size_t kl = (size_t)(eq - p);
            while (kl && (p[kl - 1] == ' ' || p[kl - 1] == '\t'))
                kl--;
            if (kl == nl && memcmp(p, name, nl) == 0) {
                const char *v = eq + 1;
                size_t vl = n - (size_t)(v - p);
                while (vl && (*v == ' ' || *v == '\t')) {
                    v++;
                    vl--;
                }
                while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
                    vl--;
                if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
                    v++;
                    vl -= 2;
                }
                if (vl >= outlen)
                    return false;
                for (size_t i = 0; i < vl; i++) {
                    unsigned char c = (unsigned char)v[i];
                    /* RFC 6265 cookie-octet */
                    if (c < 0x21 || c == '"' || c == ',' || c == ';' || c == '\\' || c >= 0x7f)
                        return false;
                }
                memcpy(out, v, vl);
                out[vl] = '\0';
                return true;
            }
        }
        if (!semi)
            break;
        p = semi + 1;
    }
    return false;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xbf;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0;
        if (c == 0xed)
            hi = 0x9f;                  /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        if (c == 0xf4)
            hi = 0x8f;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

bool mm_web_html_escape(mm_web_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0, i = 0;              /* run: bytes to copy as they are */
    while (i < n) {
        const char *rep = NULL;
        size_t adv = 1;
        unsigned char c = u[i];
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
                rep = "";
            } else if (c >= 0x80) {
                adv = utf8_len(u + i, n - i);
                if (adv == 0) {
                    rep = "\xef\xbf\xbd";
                    adv = 1;
                }
            }
        }
        if (rep) {
            if (!mm_web_buf_add(b, s + i - run, run) || !mm_web_buf_puts(b, rep))
                return false;
            run = 0;
        } else {
            run += adv;
        }
        i += adv;
    }
    return mm_web_buf_add(b, s + n - run, run);
}

bool mm_web_html_puts(mm_web_buf *b, const char *s)
{
    return mm_web_html_escape(b, s, strlen(s));
}
