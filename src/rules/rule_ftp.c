/*
 * rule_ftp.c - the ftpbounce keyword.
 */
#include "rules/rule_ftp.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* The address of "PORT h1,h2,h3,h4,p1,p2" whose arguments start at d[0..n):
 * false when the first four numbers are not there. */
static bool port_addr(const uint8_t *d, uint32_t n, uint8_t ip[4])
{
    uint32_t i = 0;
    while (i < n && !isdigit(d[i]) && d[i] != '\n')
        i++;
    for (int k = 0; k < 4; k++) {
        unsigned v = 0, digits = 0;
        while (i < n && isdigit(d[i]) && digits < 3) {
            v = v * 10 + (unsigned)(d[i++] - '0');
            digits++;
        }
        if (!digits || v > 255)
            return false;
        while (i < n && (d[i] == ' ' || d[i] == '\t'))
            i++;
        if (i >= n || d[i] != ',')
            return false;
        i++;
        ip[k] = (uint8_t)v;
    }
    return true;
}

bool mm_ftpbounce(const uint8_t *d, uint32_t n, const mm_ip *client)
{
    if (!d || !client || client->v != 4)
        return false;
    for (uint32_t at = 0; at < n;) {
        const uint8_t *nl = memchr(d + at, '\n', n - at);
        uint32_t end = nl ? (uint32_t)(nl - d) : n;
        uint8_t ip[4];
        if (end - at >= 5 && strncasecmp((const char *)d + at, "PORT", 4) == 0 &&
            (d[at + 4] == ' ' || d[at + 4] == '\t') &&
            port_addr(d + at + 5, end - at - 5, ip) && memcmp(ip, client->b, 4) != 0)
            return true;
        at = end + 1;
    }
    return false;
}
