/*
 * rule_dataset.c - Suricata's datasets and datarep: named sets of values
 * a rule looks the whole of its sticky buffer up in.
 *
 *   dataset:<set|unset|isset|isnotset>,<name>[, type T][, load F][, save F]
 *           [, state F][, memcap N][, hashsize N]
 *   datarep:<name>, <op>, <value>[, type T][, load F][, memcap ...]
 *
 * Types: string (file lines base64), md5 and sha256 (hex), ipv4 and ip
 * (addresses; ip keeps IPv4 as ::ffff:a.b.c.d, so either form matches).
 * A datarep file line is "value,reputation". A set is shared by every
 * rule naming it; set/unset change it as traffic goes (set matches when
 * the value was new, unset when it was there), isset/isnotset test it. A
 * set holds at most its memcap of values (default 16 MiB): a full set
 * adds nothing more. Files to load are looked for beside the rule file,
 * then as given; "save" (and "state") files are written as given
 * (relative to the working directory) when the sensor ends, and must be
 * relative paths without a ".." component (else the rule is skipped).
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rule_int.h"

#define DS_MEMCAP_DEFAULT (16u << 20)
#define DS_FILE_MAX (256u << 20)

enum { DS_STRING, DS_MD5, DS_SHA256, DS_IPV4, DS_IP };
static const char *const type_names[] = {"string", "md5", "sha256", "ipv4", "ip"};

struct mm_dataset {
    char *name;
    uint8_t type;
    bool rep;
    mm_strmap vals;             /* value bytes -> reputation */
    uint64_t memcap, bytes, refused;
    char *save;                 /* written at the end (NULL: not) */
    bool broken;                /* its load file failed: every rule naming it fails */
};

static size_t b64_decode(const char *s, size_t n, uint8_t *out)
{
    uint32_t acc = 0, bits = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int d = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
              : c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
        if (d < 0)
            break;              /* '=' padding or the end */
        acc = acc << 6 | (uint32_t)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[k++] = (uint8_t)(acc >> bits);
        }
    }
    return k;
}

/* One value of the set's type from text; its length, 0 when it is not one. */
static size_t value_of(uint8_t type, const char *s, size_t n, uint8_t *out)
{
    if (type == DS_STRING)
        return b64_decode(s, n, out);
    if (type == DS_MD5 || type == DS_SHA256) {
        size_t want = type == DS_MD5 ? 16 : 32;
        if (n != 2 * want)
            return 0;
        for (size_t i = 0; i < n; i++)
            if (!isxdigit((unsigned char)s[i]))
                return 0;
        for (size_t i = 0; i < want; i++) {
            int h = s[2 * i], l = s[2 * i + 1];
            h = isdigit(h) ? h - '0' : tolower(h) - 'a' + 10;
            l = isdigit(l) ? l - '0' : tolower(l) - 'a' + 10;
            out[i] = (uint8_t)(h << 4 | l);
        }
        return want;
    }
    char t[64];
    if (n >= sizeof t)
        return 0;
    memcpy(t, s, n);
    t[n] = 0;
    mm_ip ip;
    if (!mm_ip_parse(t, &ip))
        return 0;
    if (type == DS_IPV4) {
        if (ip.v != 4)
            return 0;
        memcpy(out, ip.b, 4);
        return 4;
    }
    mm_u128 u = mm_u128_of_ip(&ip);     /* IPv4 as ::ffff:a.b.c.d */
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)(u.hi >> (56 - 8 * i));
        out[8 + i] = (uint8_t)(u.lo >> (56 - 8 * i));
    }
    return 16;
}

/* The set's key for buffer bytes (an ip set maps a 4-byte address). */
static const uint8_t *key_of(const mm_dataset *ds, const uint8_t *d, uint32_t n, uint8_t *tmp,
                             uint32_t *kn)
{
    *kn = n;
    switch (ds->type) {
    case DS_MD5: return n == 16 ? d : NULL;
    case DS_SHA256: return n == 32 ? d : NULL;
    case DS_IPV4: return n == 4 ? d : NULL;
    case DS_IP:
        if (n == 16)
            return d;
        if (n != 4)
            return NULL;
        memset(tmp, 0, 10);
        tmp[10] = tmp[11] = 0xff;
        memcpy(tmp + 12, d, 4);
        *kn = 16;
        return tmp;
    default: return d;
    }
}

static bool add_value(mm_dataset *ds, const uint8_t *k, size_t n, uint64_t rep, bool *added)
{
    *added = false;
    if (mm_strmap_get(&ds->vals, (const char *)k, n))
        return true;
    if (ds->bytes + n + 32 > ds->memcap) {
        ds->refused++;
        return true;
    }
    if (!mm_strmap_put(&ds->vals, (const char *)k, n, rep, added))
        return false;
    ds->bytes += n + 32;
    return true;
}

/* A ".." component in path (either separator). */
static bool has_dotdot(const char *path)
{
    for (const char *c = path; *c;) {
        size_t n = strcspn(c, "/\\");
        if (n == 2 && c[0] == '.' && c[1] == '.')
            return true;
        c += n;
        if (*c)
            c++;
    }
    return false;
}

/* Loads file into the set; a state file not there yet (it is written when
 * the sensor ends) is an empty set, as Suricata's. */
static bool load(mm_rparse *p, mm_dataset *ds, const char *kw, const char *file, bool state)
{
    char err[160];
    size_t len;
    errno = 0;
    char *text = mm_rp_read_beside(p, file, DS_FILE_MAX, &len, err, sizeof err);
    if (!text && state && errno == ENOENT)
        return true;
    if (!text)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: %s", kw, err);
    uint64_t lineno = 0;
    bool ok = true;
    static uint8_t v[65536];
    char *cur = text, *t;
    size_t n;
    while (ok && mm_rp_next_line(&cur, text + len, &t, &n, &lineno)) {
        uint64_t rep = 0;
        if (ds->rep) {
            char *comma = memchr(t, ',', n);
            char num[24];
            size_t rl = comma ? n - (size_t)(comma + 1 - t) : 0;
            if (!comma || !rl || rl >= sizeof num) {
                ok = mm_rp_fail(p, MM_SKIP_VALUE, "%s: %s line %llu: no reputation", kw, file,
                                (unsigned long long)lineno);
                break;
            }
            memcpy(num, comma + 1, rl);
            num[rl] = 0;
            int64_t r;
            if (!mm_rp_num(num, 0, UINT32_MAX, &r)) {
                ok = mm_rp_fail(p, MM_SKIP_VALUE, "%s: %s line %llu: bad reputation", kw, file,
                                (unsigned long long)lineno);
                break;
            }
            rep = (uint64_t)r;
            n = (size_t)(comma - t);
        }
        if (ds->type == DS_STRING && n > 4 * sizeof v / 3) {
            ok = mm_rp_fail(p, MM_SKIP_VALUE, "%s: %s line %llu too long", kw, file,
                            (unsigned long long)lineno);
            break;
        }
        size_t vl = value_of(ds->type, t, n, v);
        if (!vl && ds->type != DS_STRING) {
            ok = mm_rp_fail(p, MM_SKIP_VALUE, "%s: %s line %llu is not a %s", kw, file,
                            (unsigned long long)lineno, type_names[ds->type]);
            break;
        }
        bool added;
        if (!add_value(ds, v, vl, rep, &added))
            ok = mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    }
    free(text);
    return ok;
}

static mm_dataset *find_or_make(mm_rparse *p, const char *name, int type, bool rep)
{
    mm_ruleset *rs = p->rs;
    for (size_t i = 0; i < rs->ndatasets; i++)
        if (strcmp(rs->datasets[i]->name, name) == 0)
            return rs->datasets[i];
    mm_dataset **nd = realloc(rs->datasets, (rs->ndatasets + 1) * sizeof *nd);
    if (!nd)
        return NULL;
    rs->datasets = nd;
    mm_dataset *ds = calloc(1, sizeof *ds);
    if (!ds || !(ds->name = strdup(name))) {
        free(ds);
        return NULL;
    }
    ds->type = (uint8_t)(type < 0 ? DS_STRING : type);
    ds->rep = rep;
    ds->memcap = DS_MEMCAP_DEFAULT;
    mm_strmap_init(&ds->vals);
    rs->datasets[rs->ndatasets++] = ds;
    return ds;
}

bool mm_kw_dataset(mm_rparse *p, const char *kw, char *val)
{
    bool rep = strcmp(kw, "datarep") == 0;
    if (!val)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no value", kw);
    char *parts[12];
    int n = mm_rp_split(val, ',', parts, 12);
    int need = rep ? 3 : 2;
    if (n < need)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: too few values", kw);
    static const char *const cmds[] = {"set", "unset", "isset", "isnotset"};
    int cmd = -1, op = 0;
    int64_t repval = 0;
    const char *name;
    if (rep) {
        name = parts[0];
        static const char *const ops[] = {">", "<", ">=", "<=", "=="};
        for (int i = 0; i < 5; i++)
            if (strcmp(parts[1], ops[i]) == 0)
                op = i + 1;
        if (!op || !mm_rp_num(parts[2], 0, UINT32_MAX, &repval))
            return mm_rp_fail(p, MM_SKIP_VALUE, "datarep: bad comparison '%.16s %.16s'",
                              parts[1], parts[2]);
    } else {
        for (int i = 0; i < 4; i++)
            if (strcmp(parts[0], cmds[i]) == 0)
                cmd = i;
        if (cmd < 0)
            return mm_rp_fail(p, MM_SKIP_VALUE, "dataset: unknown command '%.16s'", parts[0]);
        name = parts[1];
    }
    if (!*name || strlen(name) > 63)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad set name", kw);
    int type = -1;
    const char *loadf = NULL, *savef = NULL;
    bool state = false;
    uint64_t memcap = 0;
    for (int i = need; i < n; i++) {
        char *a = parts[i], *sp = a;
        while (*sp && *sp != ' ')
            sp++;
        char *v = *sp ? mm_rp_trim(sp + 1) : sp;
        *sp = 0;
        if (strcmp(a, "type") == 0) {
            for (int t = 0; t < 5; t++)
                if (strcmp(v, type_names[t]) == 0)
                    type = t;
            if (type < 0)
                return mm_rp_fail(p, MM_SKIP_VALUE, "%s: unknown type '%.16s'", kw, v);
        } else if (strcmp(a, "load") == 0) {
            loadf = v;
        } else if (strcmp(a, "save") == 0) {
            savef = v;
        } else if (strcmp(a, "state") == 0) {
            loadf = savef = v;
            state = true;
        } else if (strcmp(a, "memcap") == 0) {
            if (!mm_parse_size(v, &memcap))
                return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad memcap '%.16s'", kw, v);
        } else if (strcmp(a, "hashsize") != 0) {
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: unknown option '%.16s'", kw, a);
        }
        if (!*v)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: %s without a value", kw, a);
    }
    /* a rule file must not make the sensor write outside its directory
     * (Suricata 7.0.4 on: save and state paths relative, no "..") */
    if (savef && savef[0] == '/')
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: absolute paths not allowed: %.200s", kw, savef);
    if (savef && has_dotdot(savef))
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: directory traversals not allowed: %.200s", kw,
                          savef);
    mm_sm *s = mm_rp_new_sm(p, MM_SM_DATASET, kw);
    if (!s)
        return false;
    bool fresh = true;
    for (size_t i = 0; i < p->rs->ndatasets; i++)
        fresh = fresh && strcmp(p->rs->datasets[i]->name, name) != 0;
    mm_dataset *ds = find_or_make(p, name, type, rep);
    if (!ds)
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    if (type >= 0 && ds->type != type)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: set '%s' is of type %s", kw, name,
                          type_names[ds->type]);
    if (fresh) {
        if (memcap)
            ds->memcap = memcap;
        if (loadf && !load(p, ds, kw, loadf, state)) {
            ds->broken = true;
            return false;
        }
        if (savef && !(ds->save = strdup(savef)))
            return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    }
    if (ds->broken)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: set '%s' could not be loaded", kw, name);
    s->u.ds.set = ds;
    s->u.ds.cmd = (uint8_t)(rep ? 0 : cmd);
    s->u.ds.op = (uint8_t)op;
    s->u.ds.value = (uint32_t)repval;
    return true;
}

/* Sets change as rules match (dataset:set, unset) and the sensor's
 * workers share them: one lock for every set (they are rare in rules). */
static pthread_mutex_t sets_mu = PTHREAD_MUTEX_INITIALIZER;

static bool dataset_match(const mm_sm *s, const uint8_t *d, uint32_t n);

bool mm_dataset_match(const mm_sm *s, const uint8_t *d, uint32_t n)
{
    pthread_mutex_lock(&sets_mu);
    bool r = dataset_match(s, d, n);
    pthread_mutex_unlock(&sets_mu);
    return r;
}

static bool dataset_match(const mm_sm *s, const uint8_t *d, uint32_t n)
{
    mm_dataset *ds = s->u.ds.set;
    uint8_t tmp[16];
    uint32_t kn;
    const uint8_t *k = key_of(ds, d, n, tmp, &kn);
    if (!k)
        return false;
    uint64_t *v = mm_strmap_get(&ds->vals, (const char *)k, kn);
    if (s->u.ds.op) {           /* datarep */
        if (!v)
            return false;
        uint64_t r = *v, x = s->u.ds.value;
        switch (s->u.ds.op) {
        case 1: return r > x;
        case 2: return r < x;
        case 3: return r >= x;
        case 4: return r <= x;
        default: return r == x;
        }
    }
    switch (s->u.ds.cmd) {
    case 0: {                   /* set: a value new to the set */
        bool added;
        return !v && add_value(ds, k, kn, 0, &added) && added;
    }
    case 1:                     /* unset: a value that was there */
        if (!v)
            return false;
        return mm_strmap_del(&ds->vals, (const char *)k, kn);
    case 2: return v != NULL;
    default: return v == NULL;
    }
}

typedef struct save_ctx {
    const mm_dataset *ds;
    FILE *fp;
} save_ctx;

static void save_one(void *ctx, const char *key, size_t len, uint64_t val)
{
    save_ctx *c = ctx;
    const uint8_t *k = (const uint8_t *)key;
    switch (c->ds->type) {
    case DS_STRING: {
        char *t = malloc(MM_BASE64_LEN(len));
        if (t) {
            mm_base64_encode(k, len, t);
            fputs(t, c->fp);
            free(t);
        }
        break;
    }
    case DS_IPV4: fprintf(c->fp, "%u.%u.%u.%u", k[0], k[1], k[2], k[3]); break;
    case DS_IP: {
        mm_ip ip = {{0}, 6};
        memcpy(ip.b, k, 16);
        char t[MM_IPSTR_LEN];
        mm_ip_str(&ip, t);
        fputs(t, c->fp);
        break;
    }
    default:
        for (size_t i = 0; i < len; i++)
            fprintf(c->fp, "%02x", k[i]);
    }
    if (c->ds->rep)
        fprintf(c->fp, ",%llu", (unsigned long long)val);
    fputc('\n', c->fp);
}

void mm_datasets_save(const mm_ruleset *rs)
{
    for (size_t i = 0; i < rs->ndatasets; i++) {
        const mm_dataset *ds = rs->datasets[i];
        if (!ds->save)
            continue;
        FILE *fp = fopen(ds->save, "w");
        if (!fp) {
            fprintf(stderr, "mimamori: dataset %s: cannot write %s\n", ds->name, ds->save);
            continue;
        }
        save_ctx c = {ds, fp};
        pthread_mutex_lock(&sets_mu);   /* workers may be adding to it */
        mm_strmap_each_len(&ds->vals, save_one, &c);
        pthread_mutex_unlock(&sets_mu);
        if (fclose(fp) != 0)
            fprintf(stderr, "mimamori: dataset %s: cannot write %s\n", ds->name, ds->save);
    }
}

void mm_datasets_free(mm_ruleset *rs)
{
    for (size_t i = 0; i < rs->ndatasets; i++) {
        mm_strmap_free(&rs->datasets[i]->vals);
        free(rs->datasets[i]->name);
        free(rs->datasets[i]->save);
        free(rs->datasets[i]);
    }
    free(rs->datasets);
    rs->datasets = NULL;
    rs->ndatasets = 0;
}
