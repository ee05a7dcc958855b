/*
 * config.c - the configuration file read with libyaml's event parser
 * (config.h says what the file holds).
 *
 * The events are walked with a depth of at most two (the mapping of
 * settings, a list as a value); anything that opens a third level is
 * refused as soon as its first event arrives, so the parser never goes
 * deeper. Aliases are refused (nothing is expanded), duplicate keys too.
 * Arguments are built in a growing array of copies, freed whole on error.
 */
#include "util/config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

typedef struct cfg_seen {
    char name[64];
    size_t line;
} cfg_seen;

typedef struct cfg_ctx {
    const mm_cfg_key *keys;
    size_t nkeys;
    mm_cfg_args *out;
    char *err;
    size_t errlen;
    cfg_seen *seen;             /* keys given so far (duplicates refused) */
    size_t nseen, capseen;
} cfg_ctx;

/* A value or key quoted in an error: at most 40 bytes, control bytes as '?'. */
static void shown(const char *s, size_t n, char out[48])
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < 40; i++)
        out[k++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (n > 40) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = 0;
}

static bool add_arg(cfg_ctx *c, const char *s, size_t n, size_t line)
{
    mm_cfg_args *a = c->out;
    if (a->argc >= MM_CFG_MAX_ARGS) {
        snprintf(c->err, c->errlen, "line %zu: too many settings (at most %d arguments)", line,
                 MM_CFG_MAX_ARGS);
        return false;
    }
    char **v = realloc(a->argv, ((size_t)a->argc + 2) * sizeof *v);
    if (!v) {
        snprintf(c->err, c->errlen, "out of memory");
        return false;
    }
    a->argv = v;
    if (!(v[a->argc] = malloc(n + 1))) {
        v[a->argc] = NULL;
        snprintf(c->err, c->errlen, "out of memory");
        return false;
    }
    memcpy(v[a->argc], s, n);
    v[a->argc][n] = 0;
    v[++a->argc] = NULL;
    return true;
}

static bool is_null(const yaml_event_t *e)
{
    if (e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = (const char *)e->data.scalar.value;
    return e->data.scalar.length == 0 || strcmp(v, "~") == 0 || strcasecmp(v, "null") == 0;
}

/* YAML 1.1's booleans: 1 yes, 0 no, -1 neither. */
static int boolean(const yaml_event_t *e)
{
    static const char *const yes[] = {"yes", "true", "on", "y"};
    static const char *const no[] = {"no", "false", "off", "n"};
    const char *v = (const char *)e->data.scalar.value;
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return 1;
        if (strcasecmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

static bool scalar_ok(cfg_ctx *c, const yaml_event_t *e, const char *key)
{
    size_t n = e->data.scalar.length;
    size_t line = e->start_mark.line + 1;
    if (n > MM_CFG_MAX_VALUE) {
        snprintf(c->err, c->errlen, "line %zu: %s: value too large (%zu bytes; at most %d)", line,
                 key, n, MM_CFG_MAX_VALUE);
        return false;
    }
    if (memchr(e->data.scalar.value, 0, n)) {
        snprintf(c->err, c->errlen, "line %zu: %s: a NUL byte in the value", line, key);
        return false;
    }
    return true;
}

/* The key's kind, or -1 (err set) when unknown or given twice. */
static int key_kind(cfg_ctx *c, char *name, size_t n, size_t line)
{
    char s[48];
    shown(name, n, s);
    if (n == 0 || n >= sizeof c->seen[0].name || memchr(name, 0, n)) {
        snprintf(c->err, c->errlen, "line %zu: '%s' is not a setting's name", line, s);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (name[i] == '_')
            name[i] = '-';
    int kind = MM_CFG_LIST;
    if (c->keys) {
        kind = -1;
        for (size_t i = 0; i < c->nkeys && kind < 0; i++)
            if (strcmp(c->keys[i].name, name) == 0)
                kind = c->keys[i].kind;
        if (kind < 0) {
            shown(name, n, s);
            snprintf(c->err, c->errlen, "line %zu: unknown key '%s'", line, s);
            return -1;
        }
    }
    for (size_t i = 0; i < c->nseen; i++)
        if (strcmp(c->seen[i].name, name) == 0) {
            snprintf(c->err, c->errlen, "line %zu: %s given twice (first on line %zu)", line,
                     name, c->seen[i].line);
            return -1;
        }
    if (c->nseen == c->capseen) {
        size_t cap = c->capseen ? c->capseen * 2 : 32;
        cfg_seen *v = realloc(c->seen, cap * sizeof *v);
        if (!v) {
            snprintf(c->err, c->errlen, "out of memory");
            return -1;
        }
        c->seen = v;
        c->capseen = cap;
    }
    memcpy(c->seen[c->nseen].name, name, n + 1);
    c->seen[c->nseen++].line = line;
    return kind;
}

/* Arguments of one scalar value of key (kind). */
static bool scalar_value(cfg_ctx *c, const char *key, int kind, const yaml_event_t *e)
{
    size_t line = e->start_mark.line + 1;
    if (!scalar_ok(c, e, key))
        return false;
    if (is_null(e))
        return true;                    /* left out */
    const char *v = (const char *)e->data.scalar.value;
    size_t n = e->data.scalar.length;
    char opt[80];
    int on = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? boolean(e) : -1;
    snprintf(opt, sizeof opt, "--%s", key);
    if (kind == MM_CFG_FLAG) {
        if (on < 0) {
            char s[48];
            shown(v, n, s);
            snprintf(c->err, c->errlen, "line %zu: %s: yes or no, not '%s'", line, key, s);
            return false;
        }
        return !on || add_arg(c, opt, strlen(opt), line);
    }
    if (kind == MM_CFG_OPTVALUE) {
        if (on == 0)
            return true;
        if (on == 1)
            return add_arg(c, opt, strlen(opt), line);
        char *buf = malloc(strlen(opt) + 1 + n + 1);
        if (!buf) {
            snprintf(c->err, c->errlen, "out of memory");
            return false;
        }
        int k = sprintf(buf, "%s=", opt);
        memcpy(buf + k, v, n);
        bool ok = add_arg(c, buf, (size_t)k + n, line);
        free(buf);
        return ok;
    }
    return add_arg(c, opt, strlen(opt), line) && add_arg(c, v, n, line);
}

static bool next_event(yaml_parser_t *p, yaml_event_t *e, cfg_ctx *c)
{
    if (!yaml_parser_parse(p, e)) {
        const char *prob = p->problem ? p->problem : "not YAML";
        size_t line = p->problem_mark.line + 1;
        if (p->context)
            snprintf(c->err, c->errlen, "line %zu: %s %s begun on line %zu", line, prob,
                     p->context, p->context_mark.line + 1);
        else
            snprintf(c->err, c->errlen, "line %zu: %s", line, prob);
        return false;
    }
    if (e->type == YAML_ALIAS_EVENT) {
        snprintf(c->err, c->errlen, "line %zu: aliases (*name) are not accepted",
                 e->start_mark.line + 1);
        yaml_event_delete(e);
        return false;
    }
    return true;
}

static const char *what(yaml_event_type_t t)
{
    return t == YAML_MAPPING_START_EVENT ? "a mapping" : t == YAML_SEQUENCE_START_EVENT ? "a list"
                                                                                       : "a value";
}

/* A list as key's value: its items, up to the list's end. */
static bool list_value(yaml_parser_t *p, cfg_ctx *c, const char *key, int kind, size_t line)
{
    if (kind != MM_CFG_LIST && kind != MM_CFG_JOIN) {
        snprintf(c->err, c->errlen, "line %zu: %s takes %s, not a list", line, key,
                 kind == MM_CFG_FLAG ? "yes or no" : "one value");
        return false;
    }
    char *joined = NULL;
    size_t jl = 0, items = 0;
    bool ok = false;
    for (;;) {
        yaml_event_t e;
        if (!next_event(p, &e, c))
            break;
        if (e.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&e);
            ok = true;
            if (kind == MM_CFG_JOIN && joined) {
                char opt[80];
                snprintf(opt, sizeof opt, "--%s", key);
                ok = add_arg(c, opt, strlen(opt), line) && add_arg(c, joined, jl, line);
            }
            break;
        }
        size_t eline = e.start_mark.line + 1;
        if (e.type != YAML_SCALAR_EVENT) {
            snprintf(c->err, c->errlen, "line %zu: %s: %s inside a list is too deep", eline, key,
                     what(e.type));
            yaml_event_delete(&e);
            break;
        }
        if (++items > MM_CFG_MAX_ITEMS) {
            snprintf(c->err, c->errlen, "line %zu: %s: too many items (at most %d)", eline, key,
                     MM_CFG_MAX_ITEMS);
            yaml_event_delete(&e);
            break;
        }
        bool iok;
        if (kind == MM_CFG_JOIN) {
            iok = scalar_ok(c, &e, key);
            if (iok && !is_null(&e)) {
                size_t n = e.data.scalar.length;
                if (jl + 1 + n > MM_CFG_MAX_VALUE) {
                    snprintf(c->err, c->errlen, "line %zu: %s: value too large (at most %d bytes)",
                             eline, key, MM_CFG_MAX_VALUE);
                    iok = false;
                } else {
                    char *j = realloc(joined, jl + 1 + n + 1);
                    if (!j) {
                        snprintf(c->err, c->errlen, "out of memory");
                        iok = false;
                    } else {
                        joined = j;
                        if (jl)
                            joined[jl++] = ',';
                        memcpy(joined + jl, e.data.scalar.value, n);
                        jl += n;
                        joined[jl] = 0;
                    }
                }
            }
        } else {
            iok = scalar_value(c, key, kind, &e);
        }
        yaml_event_delete(&e);
        if (!iok)
            break;
    }
    free(joined);
    return ok;
}

/* The mapping of settings, after its start event. */
static bool settings(yaml_parser_t *p, cfg_ctx *c)
{
    for (;;) {
        yaml_event_t k;
        if (!next_event(p, &k, c))
            return false;
        if (k.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&k);
            return true;
        }
        size_t line = k.start_mark.line + 1;
        if (k.type != YAML_SCALAR_EVENT) {
            snprintf(c->err, c->errlen, "line %zu: a key is a setting's name, not %s", line,
                     what(k.type));
            yaml_event_delete(&k);
            return false;
        }
        char key[64];
        int kind = key_kind(c, (char *)k.data.scalar.value, k.data.scalar.length, line);
        if (kind >= 0)
            memcpy(key, c->seen[c->nseen - 1].name, sizeof key);
        yaml_event_delete(&k);
        if (kind < 0)
            return false;
        yaml_event_t v;
        if (!next_event(p, &v, c))
            return false;
        line = v.start_mark.line + 1;
        bool ok;
        if (v.type == YAML_SCALAR_EVENT)
            ok = scalar_value(c, key, kind, &v);
        else if (v.type == YAML_SEQUENCE_START_EVENT)
            ok = list_value(p, c, key, kind, line);
        else {
            snprintf(c->err, c->errlen, "line %zu: %s: %s here is too deep (a value or a list)",
                     line, key, what(v.type));
            ok = false;
        }
        yaml_event_delete(&v);
        if (!ok)
            return false;
    }
}

int mm_config_parse(const char *text, size_t len, const mm_cfg_key *keys, size_t nkeys,
                    mm_cfg_args *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    err[0] = 0;
    if (len > MM_CFG_MAX_BYTES) {
        snprintf(err, errlen, "too large (%zu bytes; at most %u)", len, MM_CFG_MAX_BYTES);
        return -1;
    }
    cfg_ctx c = {.keys = keys, .nkeys = nkeys, .out = out, .err = err, .errlen = errlen};
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    bool ok = false;
    int docs = 0;
    for (;;) {
        yaml_event_t e;
        if (!next_event(&p, &e, &c))
            break;
        yaml_event_type_t t = e.type;
        size_t line = e.start_mark.line + 1;
        /* an empty document ("---" alone, "~") holds no settings */
        bool empty = t == YAML_SCALAR_EVENT && is_null(&e);
        yaml_event_delete(&e);
        if (t == YAML_STREAM_END_EVENT) {
            ok = true;
            break;
        }
        if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_END_EVENT || empty)
            continue;
        if (t == YAML_DOCUMENT_START_EVENT) {
            if (++docs > 1) {
                snprintf(err, errlen, "line %zu: one document only (a second '---')", line);
                break;
            }
            continue;
        }
        if (t == YAML_MAPPING_START_EVENT) {
            if (!settings(&p, &c))
                break;
            continue;
        }
        snprintf(err, errlen, "line %zu: the file is a mapping of settings (key: value), "
                              "not %s", line, what(t));
        break;
    }
    yaml_parser_delete(&p);
    free(c.seen);
    if (!ok) {
        if (!err[0])
            snprintf(err, errlen, "not a configuration file");
        mm_cfg_args_free(out);
        return -1;
    }
    return 0;
}

int mm_config_load(const char *path, bool missing_ok, const mm_cfg_key *keys, size_t nkeys,
                   mm_cfg_args *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT && missing_ok)
            return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        fclose(f);
        return -1;
    }
    if ((uint64_t)st.st_size > MM_CFG_MAX_BYTES) {
        snprintf(err, errlen, "%s: too large (%llu bytes; at most %u)", path,
                 (unsigned long long)st.st_size, MM_CFG_MAX_BYTES);
        fclose(f);
        return -1;
    }
    char *buf = malloc(MM_CFG_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t n = fread(buf, 1, MM_CFG_MAX_BYTES + 1, f);
    bool rerr = ferror(f);
    fclose(f);
    if (rerr) {
        snprintf(err, errlen, "%s: read error", path);
        free(buf);
        return -1;
    }
    char e2[400];
    int r = mm_config_parse(buf, n, keys, nkeys, out, e2, sizeof e2);
    free(buf);
    if (r != 0) {
        snprintf(err, errlen, "%s: %s", path, e2);
        return -1;
    }
    return 1;
}

void mm_cfg_args_free(mm_cfg_args *a)
{
    for (int i = 0; i < a->argc; i++)
        free(a->argv[i]);
    free(a->argv);
    a->argv = NULL;
    a->argc = 0;
}

void mm_cfg_args_each(const mm_cfg_args *a, const char *name,
                      void (*cb)(void *user, const char *value), void *user)
{
    for (int i = 0; i + 1 < a->argc; i += 2)
        if (strncmp(a->argv[i], "--", 2) == 0 && strcmp(a->argv[i] + 2, name) == 0)
            cb(user, a->argv[i + 1]);
}
