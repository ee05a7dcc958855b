/*
 * webcheck.c - a company's web sites from outside (see webcheck.h).
 *
 * Per domain: the domain and its management names are resolved (the
 * system resolver); the addresses found become owned probe targets; their
 * web and management ports are probed; every name with an open web port is
 * asked, over HTTP and HTTPS, for a path that cannot exist (what this
 * server answers for "not here") and then for each administration path.
 * A path counts when it answers 200 unlike the not-here page, 401 (a
 * password prompt), or redirects to a login page.
 */
#include "exposure/webcheck.h"
#include "exposure/ports.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_LIST 64
#define MAX_ADDRS 4             /* per name */

static const char default_names[] =
    "manage,admin,cpanel,whm,plesk,webmail,mail,owa,vpn,remote,portal,intranet,dev,staging,"
    "test,backup,db,phpmyadmin,ftp,git,jenkins,grafana,kibana";
static const char default_paths[] =
    "/admin/,/administrator/,/admin.php,/wp-admin/,/wp-login.php,/phpmyadmin/,/pma/,"
    "/manager/html,/server-status,/server-info,/webmail/,/cpanel,/login,/user/login,"
    "/.git/HEAD,/.env";
static const uint16_t web_ports[] = {80, 443};
static const uint16_t mgmt_ports[] = {21,   22,   23,   2082, 2083, 2086, 2087, 2222,
                                      3306, 3389, 5432, 8080, 8443, 8880, 9000, 10000};

typedef struct name {
    char host[256];
    mm_ip addr[MAX_ADDRS];
    size_t naddr;
    bool candidate;             /* a management name, not the domain itself */
} name;

typedef struct open_port {
    mm_ip addr;
    uint16_t port;
    char service[24], banner[MM_BANNER_MAX];
} open_port;

typedef struct ctx {
    const mm_webcheck_opts *o;
    mm_webfind_cb cb;
    void *u;
    mm_webcheck_stats *st;
    open_port *open;
    size_t nopen, capopen;
    bool stop;
} ctx;

/* A comma-separated list into up to MAX_LIST pieces of buf. */
static size_t split(const char *list, char *buf, size_t cap, char **out)
{
    snprintf(buf, cap, "%s", list);
    size_t n = 0;
    for (char *p = strtok(buf, ", "); p && n < MAX_LIST; p = strtok(NULL, ", "))
        out[n++] = p;
    return n;
}

static bool domain_ok(const char *d)
{
    size_t l = strlen(d);
    if (l == 0 || l > 253 || d[0] == '.' || d[0] == '-' || !strchr(d, '.'))
        return false;
    for (size_t i = 0; i < l; i++)
        if (!(isalnum((unsigned char)d[i]) || d[i] == '-' || d[i] == '.'))
            return false;
    return true;
}

static void resolve(name *nm)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    nm->naddr = 0;
    if (getaddrinfo(nm->host, NULL, &hints, &res) != 0)
        return;
    for (struct addrinfo *a = res; a && nm->naddr < MAX_ADDRS; a = a->ai_next) {
        mm_ip ip;
        memset(&ip, 0, sizeof ip);
        if (a->ai_family == AF_INET) {
            ip.v = 4;
            memcpy(ip.b, &((struct sockaddr_in *)a->ai_addr)->sin_addr, 4);
        } else if (a->ai_family == AF_INET6) {
            ip.v = 6;
            memcpy(ip.b, &((struct sockaddr_in6 *)a->ai_addr)->sin6_addr, 16);
        } else
            continue;
        bool dup = false;
        for (size_t k = 0; k < nm->naddr && !dup; k++)
            dup = memcmp(&nm->addr[k], &ip, sizeof ip) == 0;
        if (!dup)
            nm->addr[nm->naddr++] = ip;
    }
    freeaddrinfo(res);
}

static int emit(ctx *c, const mm_webfind *f)
{
    c->st->findings++;
    if (c->cb && c->cb(c->u, f) != 0)
        c->stop = true;
    return 0;
}

static int on_port(void *u, const mm_probe_result *r)
{
    ctx *c = u;
    if (r->state != MM_PS_OPEN)
        return 0;
    if (c->nopen == c->capopen) {
        size_t nc = c->capopen ? c->capopen * 2 : 32;
        open_port *nv = realloc(c->open, nc * sizeof *nv);
        if (!nv)
            return 1;
        c->open = nv;
        c->capopen = nc;
    }
    open_port *o = &c->open[c->nopen++];
    o->addr = r->addr;
    o->port = r->port;
    snprintf(o->service, sizeof o->service, "%s", r->service);
    snprintf(o->banner, sizeof o->banner, "%s", r->banner);
    return 0;
}

static const open_port *is_open(const ctx *c, const mm_ip *a, uint16_t port)
{
    for (size_t i = 0; i < c->nopen; i++)
        if (c->open[i].port == port && memcmp(&c->open[i].addr, a, sizeof *a) == 0)
            return &c->open[i];
    return NULL;
}

static size_t target_index(const mm_probe_targets *t, const mm_ip *a)
{
    size_t n = mm_probe_targets_count(t);
    for (size_t i = 0; i < n; i++) {
        mm_ip x;
        mm_probe_targets_get(t, i, &x);
        if (memcmp(&x, a, sizeof x) == 0)
            return i;
    }
    return n;
}

static bool has_word(const char *s, const char *const *words)
{
    for (const char *const *w = words; *w; w++)
        if (strcasestr(s, *w))
            return true;
    return false;
}

/* How a path answered, as a finding (false: not reachable). */
static bool classify(const mm_http_answer *a, const mm_http_answer *base, const char *host,
                     bool tls, const char *path, char *what, size_t cap)
{
    static const char *const login_words[] = {"login", "signin", "sign-in", "logon", "auth",
                                              "wp-login", NULL};
    if (a->status == 401) {
        snprintf(what, cap, "asks for a password (%s)", a->auth[0] ? a->auth : "HTTP authentication");
        return true;
    }
    if (a->status >= 200 && a->status < 300) {
        size_t d = a->body_len > base->body_len ? a->body_len - base->body_len
                                                : base->body_len - a->body_len;
        size_t tol = base->body_len / 10 > 64 ? base->body_len / 10 : 64;
        if (base->status >= 200 && base->status < 300 && d <= tol &&
            strcmp(a->title, base->title) == 0)
            return false;       /* the server's page for anything: not this path */
        snprintf(what, cap, "reachable (%d)%s%s", a->status, a->title[0] ? ": " : "", a->title);
        return true;
    }
    if (a->status >= 300 && a->status < 400 && a->location[0]) {
        /* to the same path over HTTPS: the HTTPS check looks there */
        char same[700];
        snprintf(same, sizeof same, "https://%s%s", host, path);
        if (!tls && strncasecmp(a->location, same, strlen(same)) == 0)
            return false;
        if (has_word(a->location, login_words)) {
            snprintf(what, cap, "redirects to a login page: %s", a->location);
            return true;
        }
    }
    return false;
}

/* The certificate of an HTTPS name: its names and expiry; a problem when
 * it has expired, expires within 30 days, or does not name host. */
static void certificate(ctx *c, const name *nm, const mm_ip *addr, const mm_http_answer *a)
{
    mm_webfind f;
    memset(&f, 0, sizeof f);
    f.kind = "certificate";
    snprintf(f.host, sizeof f.host, "%s", nm->host);
    mm_ip_str(addr, f.addr);
    f.port = 443;
    char problem[128] = "";
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (a->cert_not_after[0] && strptime(a->cert_not_after, "%Y-%m-%dT%H:%M:%S", &tm)) {
        time_t until = timegm(&tm), now = time(NULL);
        if (until < now)
            snprintf(problem, sizeof problem, "expired; ");
        else if (until - now < 30 * 86400)
            snprintf(problem, sizeof problem, "expires within 30 days; ");
    }
    bool covered = false;
    char names[sizeof a->cert_names];
    snprintf(names, sizeof names, "%s", a->cert_names);
    for (char *save, *p = strtok_r(names, ",", &save); p && !covered; p = strtok_r(NULL, ",", &save)) {
        if (strcasecmp(p, nm->host) == 0)
            covered = true;
        else if (p[0] == '*' && p[1] == '.') {
            const char *dot = strchr(nm->host, '.');
            covered = dot && strcasecmp(dot + 1, p + 2) == 0;
        }
    }
    if (!covered) {
        size_t l = strlen(problem);
        snprintf(problem + l, sizeof problem - l, "does not name %s; ", nm->host);
    }
    f.problem = problem[0] != 0;
    snprintf(f.what, sizeof f.what, "%snames %s; valid until %s", problem,
             a->cert_names[0] ? a->cert_names : "(none)",
             a->cert_not_after[0] ? a->cert_not_after : "(unknown)");
    emit(c, &f);
}

static void paths_of(ctx *c, const mm_probe_targets *t, const name *nm, char **paths, size_t np)
{
    for (size_t w = 0; w < 2 && !c->stop; w++) {
        uint16_t port = web_ports[w];
        bool tls = port == 443;
        const mm_ip *addr = NULL;
        for (size_t k = 0; k < nm->naddr && !addr; k++)
            if (is_open(c, &nm->addr[k], port))
                addr = &nm->addr[k];
        if (!addr)
            continue;
        size_t ti = target_index(t, addr);
        /* what the server answers for a path that cannot exist */
        uint8_t r[8];
        char nothing[40], hex[17];
        randombytes_buf(r, sizeof r);
        sodium_bin2hex(hex, sizeof hex, r, sizeof r);
        snprintf(nothing, sizeof nothing, "/mimamori-%s", hex);
        mm_http_answer base, a;
        c->st->requests++;
        if (!mm_probe_http(t, ti, nm->host, port, tls, nothing, c->o->timeout_ms, &base))
            continue;
        if (tls)
            certificate(c, nm, addr, &base);
        for (size_t i = 0; i < np && !c->stop; i++) {
            c->st->requests++;
            if (!mm_probe_http(t, ti, nm->host, port, tls, paths[i], c->o->timeout_ms, &a))
                continue;
            mm_webfind f;
            memset(&f, 0, sizeof f);
            if (!classify(&a, &base, nm->host, tls, paths[i], f.what, sizeof f.what))
                continue;
            f.kind = "path";
            f.problem = true;
            snprintf(f.host, sizeof f.host, "%s", nm->host);
            mm_ip_str(addr, f.addr);
            f.port = port;
            f.status = a.status;
            if (tls ? port == 443 : port == 80)
                snprintf(f.url, sizeof f.url, "%s://%s%s", tls ? "https" : "http", nm->host,
                         paths[i]);
            else
                snprintf(f.url, sizeof f.url, "%s://%s:%u%s", tls ? "https" : "http", nm->host,
                         port, paths[i]);
            emit(c, &f);
        }
    }
}

static int one_domain(ctx *c, const char *domain, char **subs, size_t ns, char **paths, size_t np,
                      char *err, size_t errlen)
{
    name *names = calloc(ns + 1, sizeof *names);
    if (!names) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t nn = 0;
    snprintf(names[nn++].host, sizeof names[0].host, "%s", domain);
    for (size_t i = 0; i < ns; i++) {
        name *x = &names[nn++];
        snprintf(x->host, sizeof x->host, "%s.%s", subs[i], domain);
        x->candidate = true;
    }
    /* resolve; the addresses found become the audit's own targets */
    char (*specs)[MM_IPSTR_LEN] = calloc(nn * MAX_ADDRS, sizeof *specs);
    const char **sp = calloc(nn * MAX_ADDRS, sizeof *sp);
    size_t nspec = 0;
    int rc = -1;
    mm_probe_targets *t = NULL;
    if (!specs || !sp) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nn; i++) {
        resolve(&names[i]);
        c->st->names += names[i].naddr > 0;
        for (size_t k = 0; k < names[i].naddr; k++) {
            mm_ip_str(&names[i].addr[k], specs[nspec]);
            sp[nspec] = specs[nspec];
            nspec++;
        }
        if (names[i].candidate && names[i].naddr) {
            mm_webfind f;
            memset(&f, 0, sizeof f);
            f.kind = "name";
            f.problem = true;
            snprintf(f.host, sizeof f.host, "%s", names[i].host);
            mm_ip_str(&names[i].addr[0], f.addr);
            snprintf(f.what, sizeof f.what, "a management name resolves, to %s", f.addr);
            emit(c, &f);
        }
    }
    if (!nspec) {
        snprintf(err, errlen, "%s: no address found for it or its names", domain);
        goto out;
    }
    if (!(t = mm_probe_targets_owned(sp, nspec, c->o->i_own_these, false, err, errlen)))
        goto out;
    c->st->addresses += mm_probe_targets_count(t);
    uint16_t ports[sizeof web_ports / sizeof *web_ports + sizeof mgmt_ports / sizeof *mgmt_ports];
    size_t np2 = 0;
    for (size_t i = 0; i < sizeof web_ports / sizeof *web_ports; i++)
        ports[np2++] = web_ports[i];
    for (size_t i = 0; i < sizeof mgmt_ports / sizeof *mgmt_ports; i++)
        ports[np2++] = mgmt_ports[i];
    mm_probe_opts o;
    mm_probe_opts_default(&o);
    o.timeout_ms = c->o->timeout_ms;
    o.banners = true;
    o.banner_ms = c->o->timeout_ms;
    c->nopen = 0;
    if (mm_probe_run(t, ports, np2, &o, on_port, c, NULL, NULL, err, errlen) != 0)
        goto out;
    /* management ports: one finding per address and port, named by the
     * first name that resolves to it */
    for (size_t i = 0; i < c->nopen && !c->stop; i++) {
        const open_port *op = &c->open[i];
        if (op->port == 80 || op->port == 443)
            continue;
        mm_webfind f;
        memset(&f, 0, sizeof f);
        f.kind = "port";
        f.problem = true;
        mm_ip_str(&op->addr, f.addr);
        for (size_t k = 0; k < nn && !f.host[0]; k++)
            for (size_t j = 0; j < names[k].naddr; j++)
                if (memcmp(&names[k].addr[j], &op->addr, sizeof op->addr) == 0) {
                    snprintf(f.host, sizeof f.host, "%s", names[k].host);
                    break;
                }
        f.port = op->port;
        const mm_port_info *pi = mm_port_info_of(op->port);
        snprintf(f.what, sizeof f.what, "%s open%s%s", op->service[0] ? op->service
                                                       : pi ? pi->service : "a service",
                 op->banner[0] ? ": " : "", op->banner);
        emit(c, &f);
    }
    for (size_t i = 0; i < nn && !c->stop; i++)
        if (names[i].naddr)
            paths_of(c, t, &names[i], paths, np);
    rc = 0;
out:
    mm_probe_targets_free(t);
    free(specs);
    free(sp);
    free(names);
    return rc;
}

int mm_webcheck_run(const char *const *domains, size_t n, const mm_webcheck_opts *o,
                    mm_webfind_cb cb, void *u, mm_webcheck_stats *st, char *err, size_t errlen)
{
    mm_webcheck_stats dummy;
    if (!st)
        st = &dummy;
    memset(st, 0, sizeof *st);
    if (!o->i_own_these) {
        snprintf(err, errlen,
                 "checking is only for web sites you own or run: say so with --i-own-these");
        return -1;
    }
    char nbuf[2048], pbuf[2048], *subs[MAX_LIST], *paths[MAX_LIST];
    size_t ns = split(o->names ? o->names : default_names, nbuf, sizeof nbuf, subs);
    size_t np = split(o->paths ? o->paths : default_paths, pbuf, sizeof pbuf, paths);
    for (size_t i = 0; i < np; i++)
        if (paths[i][0] != '/') {
            snprintf(err, errlen, "path \"%.60s\" does not start with /", paths[i]);
            return -1;
        }
    for (size_t i = 0; i < ns; i++)
        if (strspn(subs[i], "abcdefghijklmnopqrstuvwxyz0123456789-.") != strlen(subs[i]) ||
            strlen(subs[i]) > 63 || subs[i][0] == '-' || subs[i][0] == '.') {
            snprintf(err, errlen, "name \"%.60s\" is not a DNS label", subs[i]);
            return -1;
        }
    ctx c = {.o = o, .cb = cb, .u = u, .st = st};
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0 && !c.stop; i++) {
        char d[256];
        snprintf(d, sizeof d, "%s", domains[i]);
        for (char *p = d; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        size_t l = strlen(d);
        if (l && d[l - 1] == '.')
            d[l - 1] = 0;
        if (!domain_ok(d)) {
            snprintf(err, errlen, "\"%.60s\" is not a domain name", domains[i]);
            rc = -1;
            break;
        }
        rc = one_domain(&c, d, subs, ns, paths, np, err, errlen);
    }
    free(c.open);
    return rc;
}
