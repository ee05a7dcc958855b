/*
 * rule_requires.c - Suricata's requires keyword: a rule names the engine
 * it needs, and an engine that does not meet it skips the rule (counted as
 * skipped by requires, not as an error) before reading anything else of
 * it, so rules for newer versions may use syntax we do not know.
 *
 *   requires: feature geoip, version >= 7.0.3 < 8 | >= 9.0.99
 *
 * A version test is alternatives joined by '|', each a list of "op X.Y.Z"
 * that must all hold (missing parts are 0); we answer as Suricata 7.0.0,
 * whose rule semantics we follow. Features we have: ja3, hyperscan,
 * geoip, output::file-store. An unknown requirement is ignored (as
 * Suricata 7 with ignore-unknown-requirements).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "rules/rule_int.h"

static const int our_version[3] = {7, 0, 0};
static const char *const our_features[] = {"ja3", "hyperscan", "geoip", "output::file-store"};

/* "op X.Y.Z" at *s; false when it does not parse. */
static bool version_test(const char **s, bool *ok)
{
    const char *c = *s;
    while (isspace((unsigned char)*c))
        c++;
    int op;                     /* -2 <, -1 <=, 0 =, 1 >=, 2 > */
    if (c[0] == '<')
        op = c[1] == '=' ? -1 : -2;
    else if (c[0] == '>')
        op = c[1] == '=' ? 1 : 2;
    else if (c[0] == '=')
        op = 0;
    else
        return false;
    c += (c[1] == '=' && c[0] != '=') ? 2 : 1;
    while (isspace((unsigned char)*c))
        c++;
    int v[3] = {0, 0, 0}, k = 0;
    if (!isdigit((unsigned char)*c))
        return false;
    while (k < 3 && isdigit((unsigned char)*c)) {
        long x = 0;
        while (isdigit((unsigned char)*c) && x < 100000)
            x = x * 10 + (*c++ - '0');
        v[k++] = (int)x;
        if (*c != '.')
            break;
        c++;
    }
    int cmp = 0;
    for (int i = 0; i < 3 && !cmp; i++)
        cmp = our_version[i] < v[i] ? -1 : our_version[i] > v[i];
    *ok = op == -2 ? cmp < 0 : op == -1 ? cmp <= 0 : op == 0 ? cmp == 0 : op == 1 ? cmp >= 0
                                                                                 : cmp > 0;
    *s = c;
    return true;
}

/* The value of a requires option (up to its ';'); *met false when we do
 * not meet it. False when it does not parse (why says so). */
static bool requires_eval(const char *v, bool *met, char *why, size_t n)
{
    *met = true;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", v);
    for (char *save = NULL, *item = strtok_r(buf, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        item = mm_rp_trim(item);
        char *sp = item;
        while (*sp && !isspace((unsigned char)*sp))
            sp++;
        char *arg = *sp ? mm_rp_trim(sp + 1) : sp;
        *sp = 0;
        if (strcmp(item, "feature") == 0) {
            bool have = false;
            for (size_t i = 0; i < sizeof our_features / sizeof our_features[0]; i++)
                have |= strcmp(arg, our_features[i]) == 0;
            if (!have) {
                snprintf(why, n, "requires feature %.40s", arg);
                *met = false;
            }
        } else if (strcmp(item, "version") == 0) {
            bool any = false;
            const char *s = arg;
            for (;;) {
                bool all = true, ok;
                int tests = 0;
                while (*s && *s != '|') {
                    if (!version_test(&s, &ok)) {
                        snprintf(why, n, "requires: bad version test '%.40s'", arg);
                        return false;
                    }
                    all &= ok;
                    tests++;
                    while (isspace((unsigned char)*s))
                        s++;
                }
                if (!tests) {
                    snprintf(why, n, "requires: bad version test '%.40s'", arg);
                    return false;
                }
                any |= all;
                if (*s != '|')
                    break;
                s++;
            }
            if (!any) {
                snprintf(why, n, "requires version %.40s (we follow 7.0)", arg);
                *met = false;
            }
        }
        /* another requirement: unknown, ignored */
    }
    return true;
}

bool mm_rp_requires(const char *opts, int *why, char *msg, size_t msglen)
{
    for (const char *s = opts; (s = strstr(s, "requires")) != NULL; s += 8) {
        const char *b = s;
        while (b > opts && isspace((unsigned char)b[-1]))
            b--;
        if (b > opts && b[-1] != ';' && b[-1] != '(')
            continue;
        const char *c = s + 8;
        while (isspace((unsigned char)*c))
            c++;
        if (*c != ':')
            continue;
        c++;
        const char *e = strchr(c, ';');
        size_t len = e ? (size_t)(e - c) : strlen(c);
        char v[512];
        if (len >= sizeof v) {
            *why = MM_SKIP_VALUE;
            snprintf(msg, msglen, "requires: value too long");
            return false;
        }
        memcpy(v, c, len);
        v[len] = 0;
        bool met;
        if (!requires_eval(v, &met, msg, msglen)) {
            *why = MM_SKIP_VALUE;
            return false;
        }
        if (!met) {
            *why = MM_SKIP_REQUIRES;
            return false;
        }
    }
    return true;
}

bool mm_kw_requires(mm_rparse *p, const char *kw, char *val)
{
    (void)kw;
    bool met;
    if (!val || !requires_eval(val, &met, p->msg, p->msglen))
        return mm_rp_fail(p, MM_SKIP_VALUE, "requires: %s", val ? p->msg : "no value");
    return true;                /* met: mm_rp_requires looked first */
}
