/*
 * fshape.c - the shape of a file's content as its bytes pass; see fshape.h.
 */
#include "proto/fshape.h"

#include <math.h>
#include <string.h>

static const struct {
    const char *s;
    uint8_t len;
    bool nocase;
} kw[MM_KW__COUNT] = {
    [MM_KW_EVAL] = {"eval(", 5, false},
    [MM_KW_UNESCAPE] = {"unescape(", 9, false},
    [MM_KW_FROMCHARCODE] = {"fromCharCode", 12, false},
    [MM_KW_CHARCODEAT] = {"charCodeAt", 10, false},
    [MM_KW_DOCWRITE] = {"document.write", 14, false},
    [MM_KW_ATOB] = {"atob(", 5, false},
    [MM_KW_PARSEINT] = {"parseInt(", 9, false},
    [MM_KW_SPLIT] = {".split(", 7, false},
    [MM_KW_REPLACE] = {".replace(", 9, false},
    [MM_KW_CREATEELEMENT] = {"createElement(", 14, false},
    [MM_KW_IFRAME] = {"<iframe", 7, true},
    [MM_KW_VBSCRIPT] = {"vbscript", 8, true},
    [MM_KW_ACTIVEX] = {"ActiveXObject", 13, false},
    [MM_KW_SCRIPT] = {"<script", 7, true},
    [MM_KW_FLASH] = {"shockwave-flash", 15, true},
    [MM_KW_FLASH_CLSID] = {"clsid:d27cdb6e", 14, true},
    [MM_KW_SILVERLIGHT] = {"x-silverlight", 13, true},
    [MM_KW_APPLET] = {"<applet", 7, true},
};

/* Byte classes, one table lookup per byte (the marks are looked for in
 * every text file's first bytes: this is the sensor's hot path for web
 * pages). */
enum { C_DENSE = 1, C_HEX = 2, C_CTRL = 4, C_HIGH = 8, C_TRIG = 16 };

/* Bytes of an unbroken string: encoded data, packed numbers, identifiers
 * (quotes, spaces, brackets, operators and URL separators end it; so does
 * '|', which joins the word lists of JavaScript packers: words, not data);
 * hex digits (escapes); control bytes (not tab, LF, CR, FF); bytes that
 * can end a keyword ('(' 'e' 't' 'h', either case). */
static uint8_t cls[256];

/* filled once at start (before any thread: workers share it read-only) */
__attribute__((constructor)) static void classes(void)
{
    for (int c = 0; c < 256; c++) {
        uint8_t k = 0;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("+/=%\\,._-~@$*^#", c))
            k |= C_DENSE;
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
            k |= C_HEX;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f')
            k |= C_CTRL;
        if (c >= 0x80)
            k |= C_HIGH;
        if (c == '(' || c == 'e' || c == 'E' || c == 't' || c == 'T' || c == 'h' || c == 'H')
            k |= C_TRIG;
        cls[c] = k;
    }
    /* strchr finds the terminating NUL: NUL is no dense byte */
    cls[0] &= (uint8_t)~C_DENSE;
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* keyword k ends at the window's position pos (compared from its end:
 * most candidates fail at once) */
static bool win_ends(const mm_fshape *s, unsigned pos, unsigned k)
{
    unsigned l = kw[k].len;
    if (s->n < l)
        return false;
    for (unsigned i = 0; i < l; i++) {
        uint8_t c = s->win[(pos + 16 - i) & 15];
        uint8_t want = (uint8_t)kw[k].s[l - 1 - i];
        if ((kw[k].nocase ? lower(c) : c) != want)
            return false;
    }
    return true;
}

/* The keywords a byte can end, by that byte (lower-cased). */
static const uint8_t ends_paren[] = {MM_KW_EVAL, MM_KW_UNESCAPE, MM_KW_ATOB, MM_KW_PARSEINT,
                                     MM_KW_SPLIT, MM_KW_REPLACE, MM_KW_CREATEELEMENT};
static const uint8_t ends_e[] = {MM_KW_FROMCHARCODE, MM_KW_DOCWRITE, MM_KW_IFRAME,
                                 MM_KW_FLASH_CLSID};
static const uint8_t ends_t[] = {MM_KW_CHARCODEAT, MM_KW_VBSCRIPT, MM_KW_ACTIVEX, MM_KW_SCRIPT,
                                 MM_KW_SILVERLIGHT, MM_KW_APPLET};
static const uint8_t ends_h[] = {MM_KW_FLASH};

static void run_end(mm_fshape *s)
{
    if (!s->run_data) {
        if (s->run > s->run_max)
            s->run_max = s->run;
        if (s->run >= 256)
            s->dense += s->run;
    }
    s->run = 0;
    s->run_data = false;
}

/* A keyword may end at this byte: the candidates, checked from their end. */
static void keywords(mm_fshape *s, unsigned pos, uint8_t c)
{
    const uint8_t *cand;
    size_t nc;
    switch (lower(c)) {
    case '(': cand = ends_paren, nc = sizeof ends_paren; break;
    case 'e': cand = ends_e, nc = sizeof ends_e; break;
    case 't': cand = ends_t, nc = sizeof ends_t; break;
    default: cand = ends_h, nc = sizeof ends_h; break;
    }
    /* the byte before must be some candidate's: most letters stop here */
    uint8_t p1 = s->win[(pos + 15) & 15], lp = lower(p1);
    for (size_t i = 0; i < nc; i++) {
        unsigned k = cand[i], l = kw[k].len;
        uint8_t want = (uint8_t)kw[k].s[l - 2];
        if ((kw[k].nocase ? lp : p1) == want && win_ends(s, pos, k) && s->kw[k] < UINT16_MAX)
            s->kw[k]++;
    }
}

/* One byte of text. */
static void text_byte(mm_fshape *s, uint8_t c)
{
    unsigned pos = s->n & 15;
    s->n++;
    s->win[pos] = c;
    uint8_t k = cls[c];
    if (k & (C_HIGH | C_CTRL)) {
        if (k & C_HIGH)
            s->high++;
        else
            s->ctrl++;
    }
    if (k & C_DENSE) {
        if (s->run < sizeof s->run_head) {
            s->run_head[s->run] = c;
            if (s->run == 6 && memcmp(s->run_head, "base64,", 7) == 0)
                s->run_data = true;     /* data:...;base64, (an inline picture) */
        }
        s->run++;
    } else if (s->run) {
        run_end(s);
    }
    /* \xNN, \uNNNN, %uNNNN: the escape's letter is two bytes back */
    if ((k & C_HEX) && s->n >= 3) {
        uint8_t p1 = s->win[(pos + 15) & 15], p2 = s->win[(pos + 14) & 15];
        if ((p2 == '\\' && (p1 == 'x' || p1 == 'u')) || (p2 == '%' && p1 == 'u'))
            s->escapes++;
    }
    if ((k & C_TRIG) && s->n >= 5)
        keywords(s, pos, c);
}

/* Plain text shows no script by its first MM_FSHAPE_PLAIN bytes (no
 * script tag, decoding call, escape or long string): its marks stop
 * there (most web pages' text; the measures are weighed by what was
 * looked at). */
static bool scripty(const mm_fshape *s)
{
    if (s->escapes || s->run_max >= 256 || s->run >= 256 || s->dense)
        return true;
    for (int i = 0; i < MM_KW__COUNT; i++)
        if (s->kw[i])
            return true;
    return false;
}

void mm_fshape_add(mm_fshape *s, const uint8_t *d, uint32_t n)
{
    /* the byte counts over the first MM_FSHAPE_HIST bytes */
    for (uint32_t i = 0, at = s->hist_n; i < n && at < MM_FSHAPE_HIST; i++, at++) {
        s->hist[d[i]]++;
        s->hist_n++;
    }
    /* the text marks, while the content is text (binary content is known
     * by its first 512 bytes, and looked at no further) */
    for (uint32_t i = 0; i < n && !s->binary && s->n < MM_FSHAPE_TEXT; i++) {
        text_byte(s, d[i]);
        if (s->n == 512 && s->ctrl * 20 > s->n)
            s->binary = true;
        if (s->n == MM_FSHAPE_PLAIN && !scripty(s))
            s->binary = s->plain = true;    /* no more marks */
    }
}

unsigned mm_fshape_entropy(const mm_fshape *s)
{
    uint32_t n = s->hist_n;
    if (!n)
        return 0;
    double h = 0;
    for (int i = 0; i < 256; i++)
        if (s->hist[i]) {
            double p = (double)s->hist[i] / n;
            h -= p * log2(p);
        }
    return (unsigned)(h * 100 + 0.5);
}

bool mm_fshape_text(const mm_fshape *s)
{
    return s->n && s->ctrl == 0;
}

unsigned mm_fshape_decoders(const mm_fshape *s)
{
    static const uint8_t dec[] = {MM_KW_EVAL, MM_KW_UNESCAPE, MM_KW_FROMCHARCODE,
                                  MM_KW_CHARCODEAT, MM_KW_DOCWRITE, MM_KW_ATOB,
                                  MM_KW_PARSEINT, MM_KW_SPLIT, MM_KW_REPLACE};
    unsigned k = 0;
    for (size_t i = 0; i < sizeof dec; i++)
        k += s->kw[dec[i]] > 0;
    return k;
}

unsigned mm_fshape_obfuscation(const mm_fshape *s)
{
    /* the run still open counts as it stands */
    uint32_t run_max = s->run_max, dense = s->dense;
    if (!s->run_data) {
        if (s->run > run_max)
            run_max = s->run;
        if (s->run >= 256)
            dense += s->run;
    }
    if (s->n < 64 || s->ctrl * 100 > s->n)
        return 0;
    unsigned score = 0;
    score += run_max >= 4096 ? 40 : run_max >= 1024 ? 30 : run_max >= 400 ? 12 : 0;
    uint64_t share = (uint64_t)dense * 100 / s->n;
    score += share >= 50 ? 25 : share >= 20 ? 15 : share >= 8 ? 5 : 0;
    unsigned dec = mm_fshape_decoders(s);
    score += (dec > 4 ? 4 : dec) * 8;
    /* escapes: each stands for 4-6 bytes */
    uint64_t esc = (uint64_t)s->escapes * 500 / s->n;
    score += s->escapes >= 64 && esc >= 10 ? 20 : s->escapes >= 16 && esc >= 3 ? 10 : 0;
    if (mm_fshape_entropy(s) >= 560)
        score += 5;
    /* a script hides what it runs only to decode it: without decoding
     * calls or escapes, long strings are data (a blob, a state) */
    if (!dec && s->escapes < 16 && score > 40)
        score = 40;
    return score > 100 ? 100 : score;
}
