/*
 * stix_pattern.c - a STIX 2.1 patterning parser, and what of a pattern
 * becomes indicators.
 *
 * The grammar is the one of the STIX 2.1 specification, section 9 (and
 * its ANTLR grammar): a pattern is observation expressions in [ ] or
 * ( ), joined by AND / OR / FOLLOWEDBY and followed by qualifiers
 * (WITHIN n SECONDS, REPEATS n TIMES, START t'..' STOP t'..'); inside
 * the brackets, comparisons joined by AND / OR with parentheses; a
 * comparison is an object path ("file:hashes.'SHA-256'",
 * "email-message:to_refs[*].value"), an optional NOT, an operator
 * (= != < <= > >= IN LIKE MATCHES ISSUBSET ISSUPERSET) and a constant
 * ('string' with \' and \\ escapes, b'..', h'..', t'..', numbers,
 * true / false, or a ( list ) for IN), or EXISTS path.
 *
 * The text is cut into tokens, parsed by recursive descent (depth capped)
 * into a small tree, and only then evaluated, so a pattern that does not
 * parse yields nothing. What maps to an indicator: = and IN on the
 * properties that name one (an address, a domain, a URL, an e-mail
 * address or subject or attachment name, a file hash or name, a
 * User-Agent header, a JA3), and ISSUBSET on an address (a network). An
 * OR yields each of its parts. An AND, a FOLLOWEDBY and a qualifier are
 * loosened: each evaluable part is kept alone, and the loosening is said
 * through loosened(). Every comparison that is not evaluated (another
 * operator, NOT, a property we do not match) is said through
 * unsupported() with its text: nothing is dropped silently or guessed.
 */
#include "ioc/stix_int.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- tokens ---- */

enum {
    T_EOF, T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_COLON, T_DOT, T_COMMA, T_STAR,
    T_OP, T_WORD, T_STR, T_BIN, T_HEX, T_TS, T_INT, T_FLOAT
};

typedef struct sp_tok {
    uint8_t kind;
    uint32_t s, e;      /* content (strings: between the quotes) */
    uint32_t ts, te;    /* the whole token */
} sp_tok;

enum {
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_LIKE, OP_MATCHES, OP_ISSUBSET,
    OP_ISSUPERSET, OP_EXISTS
};
static const char *const op_names[] = {"=", "!=", "<", "<=", ">", ">=", "IN", "LIKE",
                                       "MATCHES", "ISSUBSET", "ISSUPERSET", "EXISTS"};

enum { N_FOLLOW, N_OBS_OR, N_OBS_AND, N_OBS, N_CMP_OR, N_CMP_AND, N_CMP };

typedef struct sp_node {
    uint8_t kind, op;
    bool neg;
    uint32_t nchild;
    int32_t child, next;
    uint32_t ts, te;            /* text span */
    uint32_t p0, p1;            /* comparison: object path tokens [p0, p1) */
    uint32_t l0, l1;            /* comparison: constant tokens [l0, l1) */
    uint32_t qs, qe;            /* observation: qualifiers' text (qs == qe: none) */
} sp_node;

typedef struct sp_parser {
    const char *s;
    size_t n;
    sp_tok *t;
    uint32_t nt, tcap, i;
    sp_node *nd;
    uint32_t nn, ncap;
    int depth;
    char err[160];
} sp_parser;

static int perr(sp_parser *p, const char *why)
{
    if (!p->err[0]) {
        const sp_tok *t = &p->t[p->i < p->nt ? p->i : p->nt - 1];
        snprintf(p->err, sizeof p->err, "pattern: %s at offset %u", why, t->ts);
    }
    return -1;
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A quoted string starting at s[i] == '\''; its end (after the quote) or 0. */
static size_t lex_quoted(const char *s, size_t n, size_t i)
{
    for (size_t j = i + 1; j < n; j++) {
        if (s[j] == '\\') {
            if (j + 1 >= n || (s[j + 1] != '\'' && s[j + 1] != '\\'))
                return 0;
            j++;
        } else if (s[j] == '\'') {
            return j + 1;
        }
    }
    return 0;
}

static size_t lex_number(const char *s, size_t n, size_t i, uint8_t *kind)
{
    size_t j = i;
    if (s[j] == '-' || s[j] == '+')
        j++;
    size_t d = j;
    while (j < n && is_digit(s[j]))
        j++;
    if (j == d)
        return 0;
    *kind = T_INT;
    if (j + 1 < n && s[j] == '.' && is_digit(s[j + 1])) {
        j++;
        while (j < n && is_digit(s[j]))
            j++;
        *kind = T_FLOAT;
    }
    return j;
}

static int lex_one(sp_parser *p, size_t *pi)
{
    const char *s = p->s;
    size_t n = p->n, i = *pi, e;
    sp_tok *t = &p->t[p->nt];
    char c = s[i];
    uint8_t kind;
    static const char single[] = "[]():.,*";
    static const uint8_t single_kind[] = {T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN,
                                          T_COLON,  T_DOT,    T_COMMA,  T_STAR};
    const char *sc = strchr(single, c);
    if (sc && c) {
        kind = single_kind[sc - single];
        e = i + 1;
    } else if (c == '=' || c == '<' || c == '>' || c == '!') {
        kind = T_OP;
        e = i + 1;
        if (e < n && s[e] == '=' && c != '=')
            e++;
        if (c == '!' && e == i + 1)
            return -1;
    } else if (c == '\'') {
        kind = T_STR;
        if (!(e = lex_quoted(s, n, i)))
            return -1;
    } else if ((c == 'b' || c == 'h' || c == 't') && i + 1 < n && s[i + 1] == '\'') {
        kind = c == 'b' ? T_BIN : c == 'h' ? T_HEX : T_TS;
        if (!(e = lex_quoted(s, n, i + 1)))
            return -1;
    } else if (is_alpha(c)) {
        kind = T_WORD;
        e = i + 1;
        while (e < n && (is_alpha(s[e]) || is_digit(s[e]) || s[e] == '-'))
            e++;
    } else if (is_digit(c) || c == '-' || c == '+') {
        if (!(e = lex_number(s, n, i, &kind)))
            return -1;
    } else {
        return -1;
    }
    t->kind = kind;
    t->ts = (uint32_t)i;
    t->te = (uint32_t)e;
    bool quoted = kind == T_STR || kind == T_BIN || kind == T_HEX || kind == T_TS;
    t->s = (uint32_t)(quoted ? (kind == T_STR ? i + 1 : i + 2) : i);
    t->e = (uint32_t)(quoted ? e - 1 : e);
    p->nt++;
    *pi = e;
    return 0;
}

/* Room for two more tokens (one and the end mark). */
static bool grow_tokens(sp_parser *p)
{
    if (p->nt + 2 <= p->tcap)
        return true;
    if (p->tcap >= SP_MAX_TOKENS) {
        snprintf(p->err, sizeof p->err, "pattern: more than %u tokens", SP_MAX_TOKENS);
        return false;
    }
    uint32_t nc = p->tcap ? p->tcap * 2 : 64;
    sp_tok *t = realloc(p->t, (size_t)nc * sizeof *t);
    if (!t) {
        snprintf(p->err, sizeof p->err, "pattern: out of memory");
        return false;
    }
    p->t = t;
    p->tcap = nc;
    return true;
}

static int lex(sp_parser *p)
{
    size_t i = 0;
    while (i < p->n) {
        char c = p->s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            i++;
            continue;
        }
        if (!grow_tokens(p))
            return -1;
        if (lex_one(p, &i) < 0) {
            snprintf(p->err, sizeof p->err, "pattern: bad token at offset %zu", i);
            return -1;
        }
    }
    if (!grow_tokens(p))
        return -1;
    sp_tok *t = &p->t[p->nt++];
    t->kind = T_EOF;
    t->s = t->e = t->ts = t->te = (uint32_t)p->n;
    return 0;
}

/* ---- parser ---- */

static const sp_tok *cur(const sp_parser *p)
{
    return &p->t[p->i];
}

static bool word_is(const sp_parser *p, const sp_tok *t, const char *w)
{
    size_t l = strlen(w);
    return t->kind == T_WORD && t->e - t->s == l && memcmp(p->s + t->s, w, l) == 0;
}

static bool accept_word(sp_parser *p, const char *w)
{
    if (!word_is(p, cur(p), w))
        return false;
    p->i++;
    return true;
}

static bool accept(sp_parser *p, uint8_t kind)
{
    if (cur(p)->kind != kind)
        return false;
    p->i++;
    return true;
}

static int new_node(sp_parser *p, uint8_t kind, uint32_t ts)
{
    if (p->nn >= p->ncap) {
        uint32_t nc = p->ncap ? p->ncap * 2 : 32;
        if (p->ncap >= SP_MAX_NODES)
            return perr(p, "too complex");
        sp_node *x = realloc(p->nd, (size_t)nc * sizeof *x);
        if (!x)
            return perr(p, "out of memory");
        p->nd = x;
        p->ncap = nc;
    }
    sp_node *nd = &p->nd[p->nn];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    nd->child = nd->next = -1;
    nd->ts = ts;
    return (int)p->nn++;
}

static uint32_t prev_end(const sp_parser *p)
{
    return p->i ? p->t[p->i - 1].te : 0;
}

typedef int (*sp_parse_fn)(sp_parser *p);

/* item (SEP item)*, as one node of kind when there are several. */
static int parse_list(sp_parser *p, uint8_t kind, const char *sep, sp_parse_fn item)
{
    uint32_t ts = cur(p)->ts;
    int first = item(p);
    if (first < 0)
        return -1;
    int last = first;
    uint32_t count = 1;
    while (accept_word(p, sep)) {
        int nx = item(p);
        if (nx < 0)
            return -1;
        p->nd[last].next = nx;
        last = nx;
        count++;
    }
    if (count == 1)
        return first;
    int nd = new_node(p, kind, ts);
    if (nd < 0)
        return -1;
    p->nd[nd].child = first;
    p->nd[nd].nchild = count;
    p->nd[nd].te = prev_end(p);
    return nd;
}

static int parse_path(sp_parser *p)
{
    if (!accept(p, T_WORD) || !accept(p, T_COLON))
        return perr(p, "expected an object path (type:property)");
    if (!accept(p, T_WORD) && !accept(p, T_STR))
        return perr(p, "expected a property name");
    for (;;) {
        if (accept(p, T_DOT)) {
            if (!accept(p, T_WORD) && !accept(p, T_STR))
                return perr(p, "expected a property name after '.'");
        } else if (cur(p)->kind == T_LBRACK &&
                   (p->t[p->i + 1].kind == T_INT || p->t[p->i + 1].kind == T_STAR)) {
            p->i += 2;
            if (!accept(p, T_RBRACK))
                return perr(p, "expected ']' after a list index");
        } else {
            return 0;
        }
    }
}

static bool is_constant(const sp_parser *p, const sp_tok *t)
{
    return t->kind == T_STR || t->kind == T_BIN || t->kind == T_HEX || t->kind == T_TS ||
           t->kind == T_INT || t->kind == T_FLOAT || word_is(p, t, "true") ||
           word_is(p, t, "false");
}

static int parse_operator(sp_parser *p, sp_node *nd)
{
    const sp_tok *t = cur(p);
    if (t->kind == T_OP) {
        static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">="};
        for (uint8_t k = 0; k < 6; k++)
            if (strlen(ops[k]) == t->e - t->s && memcmp(p->s + t->s, ops[k], t->e - t->s) == 0)
                nd->op = k;
        p->i++;
        return 0;
    }
    static const char *const words[] = {"IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET"};
    for (uint8_t k = 0; k < 5; k++)
        if (accept_word(p, words[k])) {
            nd->op = (uint8_t)(OP_IN + k);
            return 0;
        }
    return perr(p, "expected a comparison operator");
}

static int parse_constants(sp_parser *p, sp_node *nd)
{
    nd->l0 = p->i;
    if (nd->op == OP_IN) {
        if (!accept(p, T_LPAREN))
            return perr(p, "expected '(' after IN");
        do {
            if (!is_constant(p, cur(p)))
                return perr(p, "expected a constant in the IN list");
            p->i++;
        } while (accept(p, T_COMMA));
        if (!accept(p, T_RPAREN))
            return perr(p, "expected ')' closing the IN list");
    } else {
        if (!is_constant(p, cur(p)))
            return perr(p, "expected a constant");
        if (nd->op >= OP_LIKE && cur(p)->kind != T_STR)
            return perr(p, "expected a string");
        p->i++;
    }
    nd->l1 = p->i;
    return 0;
}

static int parse_cmp_or(sp_parser *p);

static int parse_cmp_unit(sp_parser *p)
{
    uint32_t ts = cur(p)->ts;
    if (accept(p, T_LPAREN)) {
        if (++p->depth > SP_MAX_DEPTH)
            return perr(p, "nested too deep");
        int in = parse_cmp_or(p);
        p->depth--;
        if (in < 0)
            return -1;
        if (!accept(p, T_RPAREN))
            return perr(p, "expected ')'");
        return in;
    }
    int nd = new_node(p, N_CMP, ts);
    if (nd < 0)
        return -1;
    sp_node *x = &p->nd[nd];
    if (accept_word(p, "EXISTS")) {
        x->op = OP_EXISTS;
        x->p0 = p->i;
        if (parse_path(p) < 0)
            return -1;
        x->p1 = x->l0 = x->l1 = p->i;
    } else {
        x->p0 = p->i;
        if (parse_path(p) < 0)
            return -1;
        x->p1 = p->i;
        x->neg = accept_word(p, "NOT");
        if (parse_operator(p, x) < 0 || parse_constants(p, x) < 0)
            return -1;
    }
    x->te = prev_end(p);
    return nd;
}

static int parse_cmp_and(sp_parser *p)
{
    return parse_list(p, N_CMP_AND, "AND", parse_cmp_unit);
}

static int parse_cmp_or(sp_parser *p)
{
    return parse_list(p, N_CMP_OR, "OR", parse_cmp_and);
}

static int parse_qualifiers(sp_parser *p, sp_node *nd)
{
    nd->qs = nd->qe = prev_end(p);
    for (;;) {
        uint32_t ts = cur(p)->ts;
        if (accept_word(p, "WITHIN")) {
            if (!accept(p, T_INT) && !accept(p, T_FLOAT))
                return perr(p, "expected a number after WITHIN");
            if (!accept_word(p, "SECONDS"))
                return perr(p, "expected SECONDS");
        } else if (accept_word(p, "REPEATS")) {
            if (!accept(p, T_INT) || !accept_word(p, "TIMES"))
                return perr(p, "expected REPEATS n TIMES");
        } else if (accept_word(p, "START")) {
            if (!accept(p, T_TS) || !accept_word(p, "STOP") || !accept(p, T_TS))
                return perr(p, "expected START t'..' STOP t'..'");
        } else {
            return 0;
        }
        if (nd->qs == nd->qe)
            nd->qs = ts;
        nd->qe = prev_end(p);
    }
}

static int parse_follow(sp_parser *p);

static int parse_obs_unit(sp_parser *p)
{
    uint32_t ts = cur(p)->ts;
    int in;
    if (++p->depth > SP_MAX_DEPTH)
        return perr(p, "nested too deep");
    if (accept(p, T_LBRACK)) {
        in = parse_cmp_or(p);
        if (in >= 0 && !accept(p, T_RBRACK))
            in = perr(p, "expected ']'");
    } else if (accept(p, T_LPAREN)) {
        in = parse_follow(p);
        if (in >= 0 && !accept(p, T_RPAREN))
            in = perr(p, "expected ')'");
    } else {
        in = perr(p, "expected '[' or '('");
    }
    p->depth--;
    if (in < 0)
        return -1;
    int nd = new_node(p, N_OBS, ts);
    if (nd < 0)
        return -1;
    p->nd[nd].child = in;
    p->nd[nd].nchild = 1;
    if (parse_qualifiers(p, &p->nd[nd]) < 0)
        return -1;
    p->nd[nd].te = prev_end(p);
    return nd;
}

static int parse_obs_and(sp_parser *p)
{
    return parse_list(p, N_OBS_AND, "AND", parse_obs_unit);
}

static int parse_obs_or(sp_parser *p)
{
    return parse_list(p, N_OBS_OR, "OR", parse_obs_and);
}

static int parse_follow(sp_parser *p)
{
    return parse_list(p, N_FOLLOW, "FOLLOWEDBY", parse_obs_or);
}

/* ---- what maps to an indicator ---- */

typedef struct sp_eval {
    const sp_parser *p;
    const sp_out *o;
    uint64_t emitted;
} sp_eval;

/* The text of s[a..b) for a message, one line, cut at max. */
static void excerpt(const sp_parser *p, uint32_t a, uint32_t b, char *out, size_t outlen)
{
    size_t k = 0, max = outlen > 4 ? outlen - 4 : 0;
    for (uint32_t i = a; i < b && k < max; i++) {
        unsigned char c = (unsigned char)p->s[i];
        out[k++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    if (a + k < b && outlen >= 4) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    if (outlen)
        out[k < outlen ? k : outlen - 1] = 0;
}

static void say(sp_eval *e, bool counted, const sp_node *nd, const char *why)
{
    char part[200], m[320];
    excerpt(e->p, nd->ts, nd->te, part, sizeof part);
    snprintf(m, sizeof m, "%s: %s", part, why);
    void (*fn)(void *, const char *) = counted ? e->o->unsupported : e->o->loosened;
    if (fn)
        fn(e->o->u, m);
}

/* A string constant's value, unescaped; false when it does not fit. */
static bool unquote(const sp_parser *p, const sp_tok *t, char *out, size_t outlen, size_t *n)
{
    size_t k = 0;
    for (uint32_t i = t->s; i < t->e; i++) {
        char c = p->s[i];
        if (c == '\\' && i + 1 < t->e)
            c = p->s[++i];
        if (k + 1 >= outlen)
            return false;
        out[k++] = c;
    }
    out[k] = 0;
    *n = k;
    return true;
}

/* The object path as "type:a.b[*].c", quoted names unquoted. */
static bool path_text(const sp_parser *p, const sp_node *nd, char *out, size_t outlen)
{
    size_t k = 0;
    for (uint32_t i = nd->p0; i < nd->p1; i++) {
        const sp_tok *t = &p->t[i];
        char tmp[128];
        const char *v = tmp;
        size_t n;
        if (t->kind == T_STR) {
            if (!unquote(p, t, tmp, sizeof tmp, &n))
                return false;
        } else if (t->kind == T_INT || t->kind == T_STAR) {
            v = "*";
            n = 1;
        } else {
            v = p->s + t->ts;
            n = t->te - t->ts;
        }
        if (k + n + 1 >= outlen)
            return false;
        memcpy(out + k, v, n);
        k += n;
    }
    out[k] = 0;
    return true;
}

static mm_ioc_type hash_type(const char *name)
{
    if (!strcasecmp(name, "MD5"))
        return IOC_MD5;
    if (!strcasecmp(name, "SHA-1") || !strcasecmp(name, "SHA1"))
        return IOC_SHA1;
    if (!strcasecmp(name, "SHA-256") || !strcasecmp(name, "SHA256"))
        return IOC_SHA256;
    return IOC_NONE;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const struct {
    const char *path;
    mm_ioc_type type;
} path_map[] = {
    {"ipv4-addr:value", IOC_IPV4},
    {"ipv6-addr:value", IOC_IPV6},
    {"domain-name:value", IOC_DOMAIN},
    {"url:value", IOC_URL},
    {"email-addr:value", IOC_EMAIL},
    {"email-message:from_ref.value", IOC_EMAIL},
    {"email-message:sender_ref.value", IOC_EMAIL},
    {"email-message:to_refs[*].value", IOC_EMAIL},
    {"email-message:cc_refs[*].value", IOC_EMAIL},
    {"email-message:bcc_refs[*].value", IOC_EMAIL},
    {"email-message:subject", IOC_SUBJECT},
    {"email-message:body_multipart[*].body_raw_ref.name", IOC_FILENAME},
    {"file:name", IOC_FILENAME},
    {"windows-registry-key:key", IOC_REGKEY},
    {"network-traffic:dst_ref.value", IOC_NONE},   /* an address or a domain: guessed */
    {"network-traffic:src_ref.value", IOC_NONE},
};

/* The indicator type of an object path; false with why when none. */
static bool path_type(const char *path, mm_ioc_type *t, const char **why)
{
    for (size_t i = 0; i < sizeof path_map / sizeof path_map[0]; i++)
        if (!strcmp(path, path_map[i].path)) {
            *t = path_map[i].type;
            return true;
        }
    static const char *const hashed[] = {"file:hashes.", "artifact:hashes.",
                                         "x509-certificate:hashes."};
    for (size_t i = 0; i < 3; i++)
        if (starts(path, hashed[i])) {
            *t = hash_type(path + strlen(hashed[i]));
            *why = "hash algorithm not matched (MD5, SHA-1, SHA-256 are)";
            return *t != IOC_NONE;
        }
    if (!strcasecmp(path, "network-traffic:extensions.http-request-ext.request_header.User-Agent")) {
        *t = IOC_USER_AGENT;
        return true;
    }
    const char *last = strrchr(path, '.');
    if (!last)
        last = strchr(path, ':');
    last = last ? last + 1 : path;
    if (!strcasecmp(last, "ja3") || !strcasecmp(last, "ja3_md5") || !strcasecmp(last, "ja3s") ||
        !strcasecmp(last, "ja3-fingerprint-md5") || !strcasecmp(last, "x_ja3") ||
        !strcasecmp(last, "ja3_hash")) {
        *t = IOC_JA3;
        return true;
    }
    if (!strcasecmp(last, "ja4") || !strcasecmp(last, "x_ja4")) {
        *t = IOC_JA4;
        return true;
    }
    if (starts(path, "windows-registry-key:"))
        *why = "windows-registry-key is a host artifact, not matched on the network";
    else
        *why = "object path not mapped to an indicator";
    return false;
}

static int eval_cmp(sp_eval *e, const sp_node *nd)
{
    const sp_parser *p = e->p;
    char path[256], why[96];
    mm_ioc_type t = IOC_NONE;
    const char *pwhy = "object path too long";
    if (nd->neg || (nd->op != OP_EQ && nd->op != OP_IN && nd->op != OP_ISSUBSET)) {
        snprintf(why, sizeof why, "operator %s%s not evaluated", nd->neg ? "NOT " : "",
                 op_names[nd->op]);
        say(e, true, nd, why);
        return 0;
    }
    if (!path_text(p, nd, path, sizeof path) || !path_type(path, &t, &pwhy)) {
        say(e, true, nd, pwhy);
        return 0;
    }
    bool subset_any = nd->op == OP_ISSUBSET && t == IOC_NONE;  /* network-traffic refs */
    if (nd->op == OP_ISSUBSET && t != IOC_IPV4 && t != IOC_IPV6 && !subset_any) {
        say(e, true, nd, "ISSUBSET evaluated only on addresses (a network)");
        return 0;
    }
    for (uint32_t i = nd->l0; i < nd->l1; i++) {
        const sp_tok *c = &p->t[i];
        if (c->kind == T_LPAREN || c->kind == T_RPAREN || c->kind == T_COMMA)
            continue;
        char v[MM_IOC_VALUE_MAX + 2];
        size_t n;
        if (c->kind != T_STR) {
            say(e, true, nd, "constant is not a string");
            continue;
        }
        if (!unquote(p, c, v, sizeof v, &n)) {
            say(e, true, nd, "value too long");
            continue;
        }
        if (subset_any)
            t = memchr(v, ':', n) ? IOC_IPV6 : IOC_IPV4;
        e->emitted++;
        int r = e->o->value ? e->o->value(e->o->u, t, v, n) : 0;
        if (r)
            return r;
    }
    return 0;
}

static int eval_node(sp_eval *e, int idx)
{
    const sp_node *nd = &e->p->nd[idx];
    if (nd->kind == N_CMP)
        return eval_cmp(e, nd);
    uint64_t before = e->emitted;
    for (int c = nd->child; c >= 0; c = e->p->nd[c].next) {
        int r = eval_node(e, c);
        if (r)
            return r;
    }
    if (e->emitted == before)
        return 0;
    char why[128];
    switch (nd->kind) {
    case N_CMP_AND:
        snprintf(why, sizeof why, "AND of %u comparisons: each part kept alone", nd->nchild);
        say(e, false, nd, why);
        break;
    case N_OBS_AND:
        snprintf(why, sizeof why, "AND of %u observations: each kept alone", nd->nchild);
        say(e, false, nd, why);
        break;
    case N_FOLLOW:
        snprintf(why, sizeof why,
                 "FOLLOWEDBY of %u observations: each kept alone, order not checked",
                 nd->nchild);
        say(e, false, nd, why);
        break;
    case N_OBS:
        if (nd->qs != nd->qe) {
            char q[120];
            excerpt(e->p, nd->qs, nd->qe, q, sizeof q);
            snprintf(why, sizeof why, "qualifier %s not applied", q);
            say(e, false, nd, why);
        }
        break;
    default:
        break;
    }
    return 0;
}

int stix_pattern_eval(const char *pat, size_t n, const sp_out *o, char *err, size_t errlen)
{
    sp_parser p;
    memset(&p, 0, sizeof p);
    if (n > UINT32_MAX / 2) {
        snprintf(err, errlen, "pattern: too long");
        return -1;
    }
    p.s = pat;
    p.n = n;
    int r = lex(&p);
    if (r == 0) {
        r = parse_follow(&p);
        if (r >= 0 && cur(&p)->kind != T_EOF)
            r = perr(&p, "unexpected text after the pattern");
    }
    int out = -1;
    if (r >= 0) {
        sp_eval e = {&p, o, 0};
        out = eval_node(&e, r);
    } else if (err && errlen) {
        snprintf(err, errlen, "%s", p.err[0] ? p.err : "pattern: out of memory");
    }
    free(p.t);
    free(p.nd);
    return out;
}
