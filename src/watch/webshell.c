/*
 * webshell.c - what a file under a web root is (webshell.h). Every check
 * is a bounded scan of the first bytes (at most MW_HEAD_MAX) with short
 * patterns; nothing is allocated. Strong signs (request data executed,
 * known WebShells, preg_replace /e, eval of a decoding chain) make a
 * WebShell alone; weaker ones (shell-running calls, create_function, long
 * encoded payloads) need two of a kind to, so that an ordinary PHP page
 * that runs a command or decodes an image is not called one.
 */
#include "watch/webshell.h"

#include <stdbool.h>
#include <string.h>

#define HEAD_MAX (1u << 20)

static int lc(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool word_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

static bool b64_char(uint8_t c)
{
    return word_char(c) ? c != '_' : c == '+' || c == '/';
}

/* Case-insensitive: does p (lowercase pattern) start at h[i]? */
static bool at(const uint8_t *h, size_t n, size_t i, const char *p)
{
    size_t m = strlen(p);
    if (i > n || n - i < m)
        return false;
    for (size_t k = 0; k < m; k++)
        if (lc(h[i + k]) != (unsigned char)p[k])
            return false;
    return true;
}

/* First case-insensitive occurrence of p in h[from..n), or n. */
static size_t find(const uint8_t *h, size_t n, size_t from, const char *p)
{
    size_t m = strlen(p);
    if (m == 0 || n < m || from > n - m)
        return n;
    /* candidates by memchr for the first byte in either case (a byte loop
     * per pattern made the classifier eight times slower than hashing
     * the same files: bench/watch.sh) */
    int c0 = (unsigned char)p[0];
    int c1 = c0 >= 'a' && c0 <= 'z' ? c0 - 'a' + 'A' : c0;
    size_t i = from, last = n - m;
    while (i <= last) {
        const uint8_t *a = memchr(h + i, c0, last - i + 1);
        size_t span = a ? (size_t)(a - (h + i)) : last - i + 1;
        const uint8_t *b = c1 != c0 && span ? memchr(h + i, c1, span) : NULL;
        const uint8_t *q = b ? b : a;
        if (!q)
            return n;
        size_t k = (size_t)(q - h);
        if (at(h, n, k, p))
            return k;
        i = k + 1;
    }
    return n;
}

static size_t skip_ws(const uint8_t *h, size_t n, size_t i)
{
    while (i < n && (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n' || h[i] == '@'))
        i++;
    return i;
}

/* A call of name at i: not the tail of a longer word, then '(' after
 * spaces. Returns the index after '(' or 0. */
static size_t call_at(const uint8_t *h, size_t n, size_t i, const char *name)
{
    if (i > 0 && (word_char(h[i - 1]) || h[i - 1] == '$' || h[i - 1] == '>'))
        return 0;                                 /* $eval(, ->eval(, retrieval( */
    if (!at(h, n, i, name))
        return 0;
    size_t j = skip_ws(h, n, i + strlen(name));
    return j < n && h[j] == '(' ? j + 1 : 0;
}

/* Does any call of name have request data in its first 96 bytes of
 * argument? php: PHP superglobals; asp: Request (ASP, JSP). */
static bool call_with_request(const uint8_t *h, size_t n, const char *name, bool asp)
{
    static const char *const php_req[] = {"$_post", "$_get", "$_request", "$_cookie",
                                          "$_files", "$_server['http_", "$_server[\"http_",
                                          "getallheaders(", "php://input"};
    for (size_t i = find(h, n, 0, name); i < n; i = find(h, n, i + 1, name)) {
        size_t a = call_at(h, n, i, name);
        if (!a)
            continue;
        size_t end = a + 96 < n ? a + 96 : n;
        for (size_t k = a; k < end; k++) {
            if (h[k] == ';')
                break;
            if (h[k] == '$') {
                for (size_t q = 0; q < sizeof php_req / sizeof *php_req; q++)
                    if (at(h, end, k, php_req[q]))
                        return true;
            } else if (lc(h[k]) == 'p' && at(h, end, k, "php://input")) {
                return true;
            } else if (asp && lc(h[k]) == 'r' && (k == 0 || !word_char(h[k - 1])) &&
                       at(h, end, k, "request")) {
                return true;
            }
        }
    }
    return false;
}

/* $_POST['a']( ... : request data called as a function (China Chopper). */
static bool request_called(const uint8_t *h, size_t n)
{
    static const char *const g[] = {"$_post[", "$_get[", "$_request[", "$_cookie["};
    for (size_t q = 0; q < 4; q++)
        for (size_t i = find(h, n, 0, g[q]); i < n; i = find(h, n, i + 1, g[q])) {
            size_t end = i + 80 < n ? i + 80 : n;
            size_t k = i + strlen(g[q]);
            while (k < end && h[k] != ']')
                k++;
            if (k >= end)
                continue;
            k = skip_ws(h, n, k + 1);
            if (k < n && h[k] == '(')
                return true;
        }
    return false;
}

/* The next call of name from *i on whose first argument is a quoted
 * string: where its opening quote is (n when there is none left); *i
 * moves past the call's name. */
static size_t quoted_call(const uint8_t *h, size_t n, size_t *i, const char *name)
{
    for (*i = find(h, n, *i, name); *i < n; *i = find(h, n, *i + 1, name)) {
        size_t a = call_at(h, n, *i, name);
        if (!a)
            continue;
        a = skip_ws(h, n, a);
        if (a < n && (h[a] == '\'' || h[a] == '"')) {
            (*i)++;
            return a;
        }
    }
    return n;
}

/* preg_replace with a pattern whose modifiers hold 'e' */
static bool preg_e(const uint8_t *h, size_t n)
{
    size_t i = 0;
    for (size_t a; (a = quoted_call(h, n, &i, "preg_replace")) < n;) {
        uint8_t quote = h[a];
        size_t end = a + 256 < n ? a + 256 : n;
        size_t c = a + 1;
        while (c < end && h[c] != quote)
            c++;
        if (c >= end || c < a + 3)
            continue;
        uint8_t delim = h[a + 1];
        if (word_char(delim) || delim == '\\' || delim == ' ')
            continue;
        bool e = false;
        size_t k = c;
        while (k > a + 2 && ((h[k - 1] >= 'a' && h[k - 1] <= 'z') || (h[k - 1] >= 'A' && h[k - 1] <= 'Z'))) {
            if (h[k - 1] == 'e')
                e = true;
            k--;
        }
        uint8_t close = delim == '(' ? ')' : delim == '{' ? '}' : delim == '[' ? ']' : delim;
        if (e && k > a + 2 && h[k - 1] == close)
            return true;
    }
    return false;
}

static const char *const decoders[] = {"base64_decode", "gzinflate", "gzuncompress",
                                       "gzdecode", "str_rot13", "strrev", "convert_uudecode",
                                       "hex2bin", "rawurldecode"};
#define NDEC (sizeof decoders / sizeof *decoders)

/* A decoding call at i (index after its '(' or 0). */
static size_t decoder_at(const uint8_t *h, size_t n, size_t i)
{
    for (size_t d = 0; d < NDEC; d++) {
        size_t a = call_at(h, n, i, decoders[d]);
        if (a)
            return a;
    }
    return 0;
}

/* decode(decode( ... : 1 a chain, 2 a chain whose result is executed */
static int decode_chain(const uint8_t *h, size_t n)
{
    int best = 0;
    static const char *const starts[] = {"gzinflate", "gzuncompress", "gzdecode", "str_rot13",
                                         "base64_decode", "strrev", "convert_uudecode"};
    for (size_t s = 0; s < sizeof starts / sizeof *starts && best < 2; s++)
        for (size_t i = find(h, n, 0, starts[s]); i < n && best < 2;
             i = find(h, n, i + 1, starts[s])) {
            size_t a = call_at(h, n, i, starts[s]);
            if (!a)
                continue;
            a = skip_ws(h, n, a);
            if (!decoder_at(h, n, a))
                continue;
            best = 1;
            /* eval( or assert( just before the chain */
            size_t b = i;
            while (b > 0 && (h[b - 1] == ' ' || h[b - 1] == '\t' || h[b - 1] == '@'))
                b--;
            if (b > 0 && h[b - 1] == '(') {
                b--;
                while (b > 0 && (h[b - 1] == ' ' || h[b - 1] == '\t'))
                    b--;
                if ((b >= 4 && call_at(h, n, b - 4, "eval")) ||
                    (b >= 6 && call_at(h, n, b - 6, "assert")))
                    best = 2;
            }
        }
    return best;
}

/* base64_decode("<at least 64 base64 characters> */
static bool b64_decode_long(const uint8_t *h, size_t n)
{
    size_t i = 0;
    for (size_t a; (a = quoted_call(h, n, &i, "base64_decode")) < n;) {
        size_t k = a + 1;
        while (k < n && (b64_char(h[k]) || h[k] == '='))
            k++;
        if (k - a - 1 >= 64)
            return true;
    }
    return false;
}

/* A run of 4096 base64 characters or more that is not a data: URI. */
static bool long_b64_run(const uint8_t *h, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (b64_char(h[i])) {
            if (run == 0 && i >= 7 && at(h, n, i - 7, "base64,")) {
                while (i + 1 < n && (b64_char(h[i + 1]) || h[i + 1] == '='))
                    i++;                        /* a data: URI: passed over */
                continue;
            }
            if (++run >= 4096)
                return true;
        } else {
            run = 0;
        }
    }
    return false;
}

static bool known_shell(const uint8_t *h, size_t n)
{
    static const char *const m[] = {"filesman", "c99shell", "c99_sess", "r57shell",
                                    "r57 shell", "b374k", "wso_version", "web shell by orb",
                                    "<%eval request(", "<% eval request(",
                                    "eval(request.item[", "weevely", "phpspy",
                                    "uname -a; id", "antsword"};
    for (size_t q = 0; q < sizeof m / sizeof *m; q++)
        if (find(h, n, 0, m[q]) < n)
            return true;
    return false;
}

/* Code markers of a script: <?php anywhere; <?= and <% only when closed
 * within 4 KiB (two bytes occur by chance in binary data). */
static bool script_markers(const uint8_t *h, size_t n)
{
    if (find(h, n, 0, "<?php") < n)
        return true;
    static const char *const open[] = {"<?=", "<%"};
    static const char *const close[] = {"?>", "%>"};
    for (int q = 0; q < 2; q++)
        for (size_t i = find(h, n, 0, open[q]); i < n; i = find(h, n, i + 1, open[q])) {
            size_t end = i + 4096 < n ? i + 4096 : n;
            size_t c = find(h, end, i + strlen(open[q]), close[q]);
            if (c < end) {
                /* at least one letter between, and no NUL (binary) */
                bool letter = false, nul = false;
                for (size_t k = i + 2; k < c; k++) {
                    if (h[k] == 0)
                        nul = true;
                    if ((h[k] | 32) >= 'a' && (h[k] | 32) <= 'z')
                        letter = true;
                }
                if (letter && !nul)
                    return true;
            }
        }
    return false;
}

/* ---- names ------------------------------------------------------------- */

static const char *const script_exts[] = {"php", "php3", "php4", "php5", "php7", "phtml",
                                          "phar", "pht", "jsp", "jspx", "asp", "aspx",
                                          "ashx", "asmx", "cer", "asa", "cgi", "pl", "py",
                                          "sh", "shtml"};
static const char *const image_exts[] = {"jpg", "jpeg", "png", "gif", "ico", "bmp", "webp",
                                         "tif", "tiff"};
static const char *const asp_exts[] = {"asp", "aspx", "ashx", "asmx", "cer", "asa", "jsp",
                                       "jspx"};
/* names a double extension hides behind (x.jpg.php) */
static const char *const cover_exts[] = {"jpg", "jpeg", "png", "gif", "ico", "bmp", "txt",
                                         "pdf", "doc", "docx", "xls", "xlsx", "zip", "rar",
                                         "html", "htm", "css", "js", "webp", "svg"};

static bool in_list(const char *e, const char *const *l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(e, l[i]) == 0)
            return true;
    return false;
}
#define IN(e, l) in_list((e), (l), sizeof(l) / sizeof *(l))

/* The lowercase extension of base ending at end (exclusive): the part
 * after the last '.' before end, at most 15 characters; start of the dot
 * in *dot (or (size_t)-1 when there is none or the dot leads the name). */
static void ext_before(const char *base, size_t end, char out[16], size_t *dot)
{
    out[0] = 0;
    *dot = (size_t)-1;
    size_t i = end;
    while (i > 0 && base[i - 1] != '.')
        i--;
    if (i <= 1)                 /* no dot, or only the leading one (".htaccess") */
        return;
    size_t len = end - i;
    if (len >= 16)
        return;
    for (size_t k = 0; k < len; k++)
        out[k] = (char)lc((unsigned char)base[i + k]);
    out[len] = 0;
    *dot = i - 1;
}

static bool in_upload_dir(const char *name)
{
    static const char *const dirs[] = {"upload", "uploads", "images", "image", "img", "files",
                                       "media", "tmp", "temp", "cache", "static", "assets",
                                       "pictures", "photos", "attachments"};
    const char *p = name;
    for (;;) {
        const char *s = strchr(p, '/');
        if (!s)
            return false;               /* the last part is the file */
        size_t len = (size_t)(s - p);
        char part[32];
        if (len && len < sizeof part) {
            for (size_t k = 0; k < len; k++)
                part[k] = (char)lc((unsigned char)p[k]);
            part[len] = 0;
            if (IN(part, dirs))
                return true;
        }
        p = s + 1;
    }
}

void mw_classify(const char *name, const uint8_t *head, size_t n, mw_class *out)
{
    memset(out, 0, sizeof *out);
    if (!name)
        name = "";
    if (n > HEAD_MAX)
        n = HEAD_MAX;
    if (!head)
        n = 0;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    size_t blen = strlen(base);

    char ext[16], prev[16];
    size_t dot, pdot = (size_t)-1;
    ext_before(base, blen, ext, &dot);
    prev[0] = 0;
    if (dot != (size_t)-1)
        ext_before(base, dot, prev, &pdot);
    /* IIS: "x.asp;.jpg" runs as ASP */
    char semi[16] = "";
    const char *sc = memchr(base, ';', blen);
    if (sc) {
        size_t d;
        ext_before(base, (size_t)(sc - base), semi, &d);
    }

    bool script = IN(ext, script_exts);
    bool image = IN(ext, image_exts);
    bool asp = IN(ext, asp_exts) || image || ext[0] == 0;
    uint32_t r = 0;
    int strong = 0, weak = 0;

    if (script)
        r |= 1u << MW_R_EXT_SCRIPT;
    bool dbl = false;
    if ((script && IN(prev, cover_exts)) || (semi[0] && IN(semi, script_exts)))
        dbl = true;
    bool markers = n && script_markers(head, n);
    if (!script && prev[0] && IN(prev, script_exts) && markers)
        dbl = true;                     /* x.php.jpg holding code */
    if (dbl)
        r |= 1u << MW_R_DOUBLE_EXT;
    bool in_image = image && markers;
    if (in_image)
        r |= 1u << MW_R_IMAGE_CODE;
    bool handler = false;
    if (strcmp(base, ".htaccess") == 0 || strcmp(base, ".user.ini") == 0) {
        static const char *const h[] = {"addtype", "addhandler", "sethandler",
                                        "auto_prepend_file", "auto_append_file"};
        for (size_t q = 0; q < sizeof h / sizeof *h; q++)
            if (n && find(head, n, 0, h[q]) < n)
                handler = true;
        if (handler)
            r |= 1u << MW_R_HANDLER_CONFIG;
    }

    if (n) {
        static const char *const exec_fn[] = {"eval", "assert", "system", "exec", "passthru",
                                              "shell_exec", "popen", "proc_open",
                                              "pcntl_exec", "create_function",
                                              "call_user_func", "array_map", "execute",
                                              "executeglobal"};
        bool req = false;
        for (size_t q = 0; q < sizeof exec_fn / sizeof *exec_fn && !req; q++)
            req = call_with_request(head, n, exec_fn[q], asp);
        if (!req)
            req = request_called(head, n);
        if (!req && find(head, n, 0, "runtime.getruntime().exec(") < n &&
            find(head, n, 0, "request.getparameter") < n)
            req = true;
        if (req) {
            r |= 1u << MW_R_EXEC_REQUEST;
            strong++;
        }
        static const char *const sh_fn[] = {"passthru", "shell_exec", "proc_open",
                                            "pcntl_exec"};
        bool shell = false;
        for (size_t q = 0; q < 4 && !shell; q++)
            for (size_t i = find(head, n, 0, sh_fn[q]); i < n && !shell;
                 i = find(head, n, i + 1, sh_fn[q]))
                shell = call_at(head, n, i, sh_fn[q]) != 0;
        if (!shell && find(head, n, 0, "runtime.getruntime().exec(") < n)
            shell = true;
        if (shell) {
            r |= 1u << MW_R_EXEC_CALL;
            weak++;
        }
        if (preg_e(head, n)) {
            r |= 1u << MW_R_PREG_E;
            strong++;
        }
        bool cf = false;
        for (size_t i = find(head, n, 0, "create_function"); i < n && !cf;
             i = find(head, n, i + 1, "create_function"))
            cf = call_at(head, n, i, "create_function") != 0;
        if (cf) {
            r |= 1u << MW_R_CREATE_FUNCTION;
            weak++;
        }
        if (b64_decode_long(head, n)) {
            r |= 1u << MW_R_B64_DECODE_LONG;
            weak++;
        }
        int chain = decode_chain(head, n);
        if (chain) {
            r |= 1u << MW_R_DECODE_CHAIN;
            if (chain == 2)
                strong++;
            else
                weak++;
        }
        if (long_b64_run(head, n)) {
            r |= 1u << MW_R_LONG_B64;
            weak++;
        }
        if (known_shell(head, n)) {
            r |= 1u << MW_R_KNOWN_SHELL;
            strong++;
        }
    }

    bool shellish = strong > 0 || weak >= 2;
    /* content signs count in what the server runs, or what hides code */
    bool runs = script || dbl || in_image || ext[0] == 0;
    if (shellish) {
        out->kind = MW_K_WEBSHELL;
        out->severity = 1;
        if (!runs) {
            r |= 1u << MW_R_NOT_EXECUTABLE;
            out->severity = 2;
        }
    } else if (in_image) {
        out->kind = MW_K_SCRIPT_IN_IMAGE;
        out->severity = 2;
    } else if (dbl) {
        out->kind = MW_K_DOUBLE_EXT;
        out->severity = 2;
    } else if (script || handler) {
        out->kind = MW_K_SCRIPT;
        out->severity = handler ? 2 : 3;
    } else {
        /* weak content signs alone in a file that is not run: nothing */
        out->reasons = 0;
        return;
    }
    if (in_upload_dir(name)) {
        r |= 1u << MW_R_UPLOAD_DIR;
        if (out->severity > 1)
            out->severity--;
    }
    out->reasons = r;
}

const char *mw_kind_name(int kind)
{
    switch (kind) {
    case MW_K_SCRIPT: return "script";
    case MW_K_DOUBLE_EXT: return "double-extension";
    case MW_K_SCRIPT_IN_IMAGE: return "script-in-image";
    case MW_K_WEBSHELL: return "webshell";
    default: return "";
    }
}

const char *mw_reason_text(int bit)
{
    static const char *const t[MW_R__COUNT] = {
        [MW_R_EXT_SCRIPT] = "executable web content by extension",
        [MW_R_DOUBLE_EXT] = "double extension",
        [MW_R_IMAGE_CODE] = "script code in a file named as an image",
        [MW_R_EXEC_REQUEST] = "request data passed to code execution",
        [MW_R_EXEC_CALL] = "runs operating-system commands",
        [MW_R_PREG_E] = "preg_replace with the /e modifier",
        [MW_R_CREATE_FUNCTION] = "create_function (code built at run time)",
        [MW_R_B64_DECODE_LONG] = "base64_decode of a long string",
        [MW_R_DECODE_CHAIN] = "chain of decoding calls (gzinflate, str_rot13, base64)",
        [MW_R_LONG_B64] = "very long base64-looking run",
        [MW_R_KNOWN_SHELL] = "marker of a known public WebShell",
        [MW_R_UPLOAD_DIR] = "in an upload or image directory",
        [MW_R_NOT_EXECUTABLE] = "WebShell content under a name the server may not run",
        [MW_R_HANDLER_CONFIG] = "server configuration that makes files executable",
    };
    return bit >= 0 && bit < MW_R__COUNT ? t[bit] : "";
}

static const mw_sig sigs[] = {
        {8700300, "MIMAMORI WEBSHELL new or changed script under the web root",
         "webshell-script", "Misc activity"},
        {8700301, "MIMAMORI WEBSHELL file content looks like a WebShell", "webshell-content",
         "A Network Trojan was detected"},
        {8700302, "MIMAMORI WEBSHELL script hidden in an image or behind a double extension",
         "webshell-disguised", "A Network Trojan was detected"},
};

const mw_sig *mw_sigs_all(size_t *n)
{
    *n = sizeof sigs / sizeof *sigs;
    return sigs;
}

const mw_sig *mw_class_sig(int kind)
{
    switch (kind) {
    case MW_K_SCRIPT: return &sigs[0];
    case MW_K_WEBSHELL: return &sigs[1];
    case MW_K_DOUBLE_EXT:
    case MW_K_SCRIPT_IN_IMAGE: return &sigs[2];
    default: return NULL;
    }
}
